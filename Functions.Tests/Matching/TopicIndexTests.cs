using SocialLearning.Matching;
using SocialLearning.Routing;

namespace SocialLearning.Tests.Matching;

public class TopicIndexTests
{
    // 0: declares Guest Wi-Fi and VPN; 1: answered two questions tagged qiskit, one of them also grovers-algorithm; 2: nothing.
    private static TopicIndex Index() => new(
    [
        (["Guest Wi-Fi", "VPN"], []),
        ([], [["grovers-algorithm", "qiskit"], ["Qiskit"]]),
        ([], []),
    ]);

    [Theory]
    [InlineData("Guest Wi-Fi", "guest-wi-fi")]
    [InlineData("quantum-gate", "quantum-gate")]
    [InlineData("C#", "c#")]
    [InlineData("Grover's algorithm", "grovers-algorithm")]
    [InlineData("  Office  network ", "office-network")]
    [InlineData("one two three four five six", "one-two-three-four-five-six")]
    [InlineData("one two three four five six seven", null)]
    [InlineData(" - ", null)]
    public void Topics_are_normalised_to_lower_case_words_joined_by_dashes(string topic, string? expected) =>
        Assert.Equal(expected, TopicIndex.Normalize(topic));

    [Fact]
    public void A_tags_line_gives_its_topics_in_order_without_repeats()
    {
        var text = "How do I build a CNOT from CZ?\n\nTags: quantum-gate, Qiskit; quantum-gate\nnot a tags line: x";
        Assert.Equal(["quantum-gate", "qiskit"], TopicIndex.TagsLine(text));
        Assert.Empty(TopicIndex.TagsLine("no tags here"));
    }

    [Fact]
    public void A_question_names_the_directory_topics_written_out_in_its_text_longest_first()
    {
        var topics = Index().QueryTopics("Guest Wi-Fi codes for visitors, and do the VPNs matter?\nAlso: Grover's algorithm in Qiskit.");

        // "guest wi-fi" (not a shorter topic inside it), "vpns" folded to vpn, "Grover's" to grovers; first mention order.
        Assert.Equal(["guest-wi-fi", "vpn", "grovers-algorithm", "qiskit"], topics);
        Assert.Equal(["qiskit"], Index().QueryTopics("Tags: qiskit, topology")); // tags nobody has are left out
        Assert.Empty(Index().QueryTopics("Where is the printer?"));
    }

    [Theory]
    [InlineData("Teams keeps dropping my calls", true)]
    [InlineData("Screen sharing in MS teams is greyed out", true)]
    [InlineData("can my team get a shared calendar?", false)]
    [InlineData("Both teams need the new price list", false)]
    [InlineData("Our teams use different templates", false)]
    [InlineData("Team leads approve leave requests, right?", false)]
    [InlineData("Question About My Team's Budget", false)] // a possessive, not the name
    [InlineData("Microsoft Team chat is slow", true)]
    public void A_software_name_that_is_also_a_word_is_a_topic_only_when_written_as_the_name(string question, bool namesTeams)
    {
        var index = new TopicIndex([(["Teams", "Excel", "Expense claims"], []), ([], [])]);

        Assert.Equal(namesTeams, index.QueryTopics(question).Contains("teams"));
    }

    [Fact]
    public void Ordinary_skills_still_match_in_lower_case_and_plural()
    {
        var index = new TopicIndex([(["Teams", "Excel", "Expense claims", "Refunds"], []), ([], [])]);

        Assert.Equal(["expense-claims", "refunds"], index.QueryTopics("where do expense claim receipts go, and how long do refund approvals take?"));
        Assert.Equal(["excel"], index.QueryTopics("An Excel pivot table for our team's excel-lent budget")); // "excel-lent": lower case, not the name
        Assert.Empty(index.QueryTopics("She will excel at the outlook review"));
        Assert.Equal(["sheets"], new TopicIndex([(["Sheets"], [])]).QueryTopics("How do I share a Google Sheet with a supplier?"));
    }

    [Fact]
    public void An_expert_scores_idf_times_log_one_plus_answers_per_named_topic()
    {
        var index = Index();
        var scores = new double[3];
        index.Score(["qiskit", "grovers-algorithm", "guest-wi-fi"], scores);

        // Every topic is held by 1 of 3 experts: idf = ln(1 + 3/1) = ln 4. Expert 1: qiskit twice, grovers-algorithm once.
        Assert.Equal(Math.Log(4) * (Math.Log(3) + Math.Log(2)), scores[1], 12);
        // Expert 0 declared guest-wi-fi: counts as one.
        Assert.Equal(Math.Log(4) * Math.Log(2), scores[0], 12);
        Assert.Equal(0, scores[2]);

        var why = index.Explain(["qiskit", "grovers-algorithm", "guest-wi-fi"], 1, 5);
        Assert.Equal([new TopicMatch("qiskit", 2, false), new TopicMatch("grovers-algorithm", 1, false)], why);
        Assert.Equal([new TopicMatch("guest-wi-fi", 0, true)], index.Explain(["guest-wi-fi"], 0, 5));
    }

    [Fact]
    public void The_topic_signal_ranks_the_expert_with_answers_on_the_named_tags_first_and_the_reason_says_so()
    {
        var model = new VectorModel("test-model", 3);
        var now = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
        HybridEvidence A(string id, string tags, double daysAgo) =>
            new(id, "Question " + id, "Some question text\n\nTags: " + tags, now.AddDays(-daysAgo), true, new float[] { 1, 0, 0 }, now.AddDays(-daysAgo).AddHours(-3));
        // Identical vectors and texts apart from the tags: only the topic signal tells them apart.
        var index = new HybridIndex(model,
        [
            new HybridExpert("dana", 3, new float[] { 1, 0, 0 }, [A("d-1", "qiskit, grovers-algorithm", 5), A("d-2", "qiskit", 6), A("d-3", "qiskit", 7)]),
            new HybridExpert("eli", 3, new float[] { 1, 0, 0 }, [A("e-1", "photonics", 5), A("e-2", "photonics", 6), A("e-3", "photonics", 7)]),
        ], now);
        var weights = new HybridWeights(0, 0, 0, 0, 0, 60, 0, HybridFusion.ZScore, Topic: 1);

        var ranked = HybridRanker.Fuse(HybridRanker.Signals(index, [1, 0, 0], model, "How do I run Grover's algorithm?\n\nTags: qiskit"), weights, 2);

        Assert.Equal(["dana", "eli"], ranked.Select(m => m.ExpertId));
        Assert.Equal([new TopicMatch("qiskit", 3, false), new TopicMatch("grovers-algorithm", 1, false)], ranked[0].MatchedTopics);
        Assert.Contains("answered on the question's topics: qiskit (3), grovers-algorithm (1)", QuestionRouter.Explain(ranked[0], TimeSpan.FromDays(7)));
        Assert.Empty(ranked[1].MatchedTopics!);
    }
}
