using System.Text;
using System.Xml.Linq;
using SocialLearning.Experts.StackExchange;
using Xunit;

namespace SocialLearning.Tests.Experts;

/// <summary>
/// A tiny invented dump in the official format. Time line (UTC, January 2020, 12:00 unless noted):
/// questions 101 (day 1), 103 (day 2), 102 (day 3), 104–107 (days 4–7), 108 and 109 (both day 8 12:00, tie broken by id),
/// 110 (day 9); so the profile period is 101, 103, 102, 104–108, the test period 109 and 110, and the cutoff day 8 12:00.
/// Users: 1 Ålice Ünder (about me), 2 Bob, -1 Community; 99 is a deleted user (absent from Users.xml, name kept on posts).
/// </summary>
public class StackExchangeSyntheticDumpTests
{
    private static DateTimeOffset Jan(int day, int hour = 12) => new(2020, 1, day, hour, 0, 0, TimeSpan.Zero);

    private static string D(int day, int hour = 12) => Jan(day, hour).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff");

    private static XElement Row(params (string Name, object? Value)[] attributes) =>
        new("row", attributes.Where(a => a.Value is not null).Select(a => new XAttribute(a.Name, a.Value!)));

    private static XElement Question(int id, string created, string tags, int? owner, int? accepted = null, string title = "", string body = "") =>
        Row(("Id", id), ("PostTypeId", 1), ("AcceptedAnswerId", accepted), ("CreationDate", created), ("Score", 1),
            ("Body", body.Length > 0 ? body : $"<p>Body of question {id}.</p>"), ("OwnerUserId", owner),
            ("Title", title.Length > 0 ? title : $"Question {id}"), ("Tags", tags));

    private static XElement Answer(int id, int parent, string created, int? owner, string? ownerName = null, string body = "") =>
        Row(("Id", id), ("PostTypeId", 2), ("ParentId", parent), ("CreationDate", created), ("Score", 2),
            ("Body", body.Length > 0 ? body : $"<p>Answer {id} text.</p>"), ("OwnerUserId", owner), ("OwnerDisplayName", ownerName));

    private static readonly XElement[] PostRows =
    [
        Question(101, D(1), "<quantum><optics>", owner: 2, title: "What is a <qubit> & why?",
            body: "<p>What is a &lt;qubit&gt;?</p>\n<p>I read <a href=\"https://example.org\">this</a>.</p>"),
        Question(103, D(2), "<gates>", owner: 2),
        Question(102, D(3), "|quantum|gates|", owner: 1),
        Question(104, D(4), "|error-correction|", owner: 1),
        Question(105, D(5), "<quantum>", owner: 2),
        Question(106, D(6), "<optics>", owner: 2),
        Question(107, D(7), "<optics>", owner: null),
        Question(108, D(8), "<gates>", owner: 2),
        Question(109, D(8), "<quantum><gates>", owner: null, accepted: 9005),
        Question(110, D(9), "<optics>", owner: 1, accepted: 9010),
        // Alice: three answers before the cutoff (answer order 101, 103, 102), one late answer to 105 (test period).
        Answer(1001, 101, D(2, 10), owner: 1, body: "<p>A qubit is a two-level system.</p>"),
        Answer(1002, 102, D(4, 10), owner: 1),
        Answer(1003, 103, D(3, 10), owner: 1),
        Answer(1004, 105, D(10), owner: 1),
        // Bob: three answers to profile-period questions, but only two before the cutoff: not a candidate.
        Answer(2001, 101, D(2, 11), owner: 2),
        Answer(2002, 104, D(5), owner: 2),
        Answer(2003, 102, D(11), owner: 2),
        // Deleted user 99: three answers before the cutoff, name kept on the posts.
        Answer(9901, 101, D(3), owner: 99, ownerName: "Ghost Writer"),
        Answer(9902, 102, D(4), owner: 99, ownerName: "Ghost Writer"),
        Answer(9903, 104, D(5, 13), owner: 99, ownerName: "Ghost Writer"),
        // Community bot: three answers, never a candidate.
        Answer(8001, 103, D(3), owner: -1),
        Answer(8002, 104, D(4), owner: -1),
        Answer(8003, 106, D(6, 14), owner: -1),
        // No OwnerUserId at all (deleted, no name).
        Answer(7001, 101, D(2, 9), owner: null),
        // Test question 109: Alice, the deleted user, Alice again (accepted), an anonymous answer.
        Answer(9004, 109, D(9, 9), owner: 1),
        Answer(9006, 109, D(9, 10), owner: 99, ownerName: "Ghost Writer"),
        Answer(9005, 109, D(9, 11), owner: 1),
        Answer(7002, 109, D(9, 12), owner: null),
        // Test question 110: only Bob (not a candidate) answered: not a routing test item.
        Answer(9010, 110, D(10), owner: 2),
        // Rows the reader or loader must skip.
        Row(("Id", 500), ("PostTypeId", 4), ("CreationDate", D(1)), ("Body", "<p>tag wiki excerpt</p>")),
        Row(("Id", 501), ("PostTypeId", 5), ("CreationDate", D(1)), ("Body", "<p>tag wiki</p>")),
        Row(("Id", 502), ("PostTypeId", 7), ("CreationDate", D(1))),
        Row(("PostTypeId", 1), ("CreationDate", D(1)), ("Title", "no id")),
        Row(("Id", "x12"), ("PostTypeId", 1), ("CreationDate", D(1)), ("Title", "bad id")),
        Row(("Id", 600), ("PostTypeId", 1), ("Title", "no creation date"), ("Tags", "<quantum>")),
        Row(("Id", 601), ("PostTypeId", 2), ("CreationDate", D(3)), ("OwnerUserId", 1)),
    ];

    private static readonly XElement[] UserRows =
    [
        Row(("Id", -1), ("Reputation", 1), ("DisplayName", "Community"), ("AboutMe", "<p>I'm not really a person.</p>")),
        Row(("Id", 1), ("Reputation", 1234), ("DisplayName", "Ålice Ünder"), ("CreationDate", D(1, 8)),
            ("AboutMe", "<p>Quantum &amp; <b>optics</b> person.</p>")),
        Row(("Id", 2), ("DisplayName", "Bob")),
        Row(("Reputation", 5), ("DisplayName", "row without id")),
    ];

    private static MemoryStream Xml(string root, IEnumerable<XElement> rows)
    {
        var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(root, rows)).Save(writer);
        }
        stream.Position = 0;
        return stream;
    }

    private static DumpSite LoadSite()
    {
        using var posts = Xml("posts", PostRows);
        using var users = Xml("users", UserRows);
        return StackExchangeDump.Load(posts, users, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Tags_in_angle_bracket_and_pipe_form_parse_to_the_same_list()
    {
        Assert.Equal(["quantum", "optics"], StackExchangeDumpReader.ParseTags("<quantum><optics>"));
        Assert.Equal(["quantum", "optics"], StackExchangeDumpReader.ParseTags("|quantum|optics|"));
        Assert.Equal(["c#", ".net"], StackExchangeDumpReader.ParseTags("|c#|.net|c#|"));
        Assert.Equal(["a", "b"], StackExchangeDumpReader.ParseTags("a b"));
        Assert.Empty(StackExchangeDumpReader.ParseTags(null));
        Assert.Empty(StackExchangeDumpReader.ParseTags("<>||"));
    }

    [Fact]
    public void Dump_dates_without_zone_are_read_as_utc()
    {
        var withMillis = StackExchangeDumpReader.ParseDate("2018-03-12T17:00:45.567");
        Assert.Equal(new DateTimeOffset(2018, 3, 12, 17, 0, 45, 567, TimeSpan.Zero), withMillis);
        Assert.Equal(TimeSpan.Zero, withMillis!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2018, 3, 12, 17, 0, 45, TimeSpan.Zero), StackExchangeDumpReader.ParseDate("2018-03-12T17:00:45"));
        Assert.Equal(new DateTimeOffset(2018, 3, 12, 15, 0, 45, TimeSpan.Zero), StackExchangeDumpReader.ParseDate("2018-03-12T17:00:45+02:00"));
        Assert.Null(StackExchangeDumpReader.ParseDate("yesterday"));
        Assert.Null(StackExchangeDumpReader.ParseDate(null));
    }

    [Fact]
    public void Reader_keeps_questions_and_answers_and_tolerates_missing_attributes()
    {
        using var posts = Xml("posts", PostRows);
        var rows = StackExchangeDumpReader.ReadPosts(posts, TestContext.Current.CancellationToken).ToList();

        Assert.DoesNotContain(rows, r => r.Id is 500 or 501 or 502);
        Assert.Equal(11, rows.Count(r => r.Kind == DumpPostKind.Question)); // 10 + the one without a creation date
        var noDate = rows.Single(r => r.Id == 600);
        Assert.Null(noDate.Created);
        Assert.Null(noDate.OwnerUserId);
        Assert.Equal(0, noDate.Score);
        var anonymous = rows.Single(r => r.Id == 7001);
        Assert.Null(anonymous.OwnerUserId);
        Assert.Null(anonymous.OwnerDisplayName);
        Assert.Empty(anonymous.Tags);
        Assert.Null(anonymous.Title);
        Assert.Null(rows.Single(r => r.Id == 601).ParentId);
    }

    [Fact]
    public void Loader_converts_html_and_drops_rows_it_cannot_place_in_time()
    {
        var site = LoadSite();

        Assert.Equal(10, site.Questions.Count);
        Assert.Equal(19, site.Answers.Count);
        Assert.Equal(2, site.SkippedRows); // question 600 (no date), answer 601 (no parent)
        Assert.Equal([600, 601], site.SkippedRowIds);
        Assert.Equal(1, site.SkippedWithoutParent);
        var q = site.FindQuestion(101)!;
        Assert.Equal("What is a <qubit> & why?", q.Title);
        Assert.Contains("What is a <qubit>?", q.BodyText);
        Assert.DoesNotContain("<p>", q.BodyText);
        Assert.Equal(["quantum", "optics"], q.Tags);
        Assert.Equal(["quantum", "gates"], site.FindQuestion(102)!.Tags);
        Assert.Equal(Jan(1), q.Created);
        Assert.Null(site.FindQuestion(107)!.OwnerUserId);
        Assert.Equal(3, site.Users.Count);
        Assert.Equal("Quantum & optics person.", site.FindUser(1)!.AboutMeText);
        Assert.Equal(1234, site.FindUser(1)!.Reputation);
        Assert.Equal("", site.FindUser(2)!.AboutMeText);
        Assert.Null(site.FindUser(99));
        Assert.Equal([7001, 1001, 2001, 9901], site.AnswersTo(101).Select(a => a.Id));
    }

    [Fact]
    public void Split_sorts_by_date_then_id_and_counts_only_answers_before_the_cutoff()
    {
        var split = DumpSplit.Create(LoadSite());

        Assert.Equal([101, 103, 102, 104, 105, 106, 107, 108], split.ProfileQuestionIds);
        Assert.Equal([109, 110], split.TestQuestionIds);
        Assert.Equal(Jan(8), split.Cutoff);
        // Alice (3 before the cutoff) and the deleted user 99; not Bob (third answer came late), not Community (-1).
        Assert.Equal([1, 99], split.CandidateIds);
        Assert.Equal(12, split.ProfileAnswerCount);
    }

    [Fact]
    public void Test_item_lists_each_candidate_answerer_once_in_answer_order_and_skips_questions_without_one()
    {
        var item = Assert.Single(DumpSplit.Create(LoadSite()).TestItems);

        Assert.Equal(109, item.QuestionId);
        Assert.Equal([1, 99], item.GoldAnswererIds);
        Assert.Equal(1, item.AcceptedAnswererId);
        Assert.Null(item.AskerUserId);
        Assert.Equal(["quantum", "gates"], item.Tags);
        Assert.Equal(Jan(8), item.Created);
    }

    [Fact]
    public void Profiles_use_only_profile_period_answers_and_fall_back_for_deleted_users()
    {
        var site = LoadSite();
        var profiles = ExpertProfileBuilder.Build(site, DumpSplit.Create(site));

        Assert.Equal(["se-1", "se-99"], profiles.Select(p => p.Id));

        var alice = profiles[0];
        Assert.Equal("Ålice Ünder", alice.Name);
        Assert.Equal("alice-under.1@stackexchange.example", alice.Email);
        Assert.Equal("quantum", alice.Department);
        Assert.Equal("", alice.JobTitle);
        Assert.Equal("Quantum & optics person.", alice.AboutMe);
        // quantum 2, gates 2 (first used after quantum), optics 1.
        Assert.Equal(["quantum", "gates", "optics"], alice.Skills);
        Assert.Equal(3, alice.AnswerCount);
        Assert.Equal(Jan(4, 10), alice.LastActive);
        Assert.Equal(["a-1001", "a-1003", "a-1002", "about"], alice.Evidence.Select(e => e.SourceId));
        var first = alice.Evidence[0];
        Assert.Equal("answer", first.Kind);
        Assert.Equal("What is a <qubit> & why?", first.Title);
        Assert.Equal(Jan(2, 10), first.When);
        Assert.StartsWith("What is a <qubit> & why?\nTags: quantum, optics\nWhat is a <qubit>?", first.Text);
        Assert.EndsWith("\nA qubit is a two-level system.", first.Text);
        var about = alice.Evidence[^1];
        Assert.Equal(("about", "Quantum & optics person.", (DateTimeOffset?)null), (about.Kind, about.Text, about.When));

        var ghost = profiles[1];
        Assert.Equal("Ghost Writer", ghost.Name);
        Assert.Equal("ghost-writer.99@stackexchange.example", ghost.Email);
        Assert.Equal("", ghost.AboutMe);
        Assert.Equal(["a-9901", "a-9902", "a-9903"], ghost.Evidence.Select(e => e.SourceId));
        Assert.Equal(["quantum", "optics", "gates", "error-correction"], ghost.Skills);
    }

    [Fact]
    public void Evidence_text_is_cut_at_word_boundaries_within_the_budget()
    {
        var longBody = string.Join(' ', Enumerable.Repeat("superposition", 200));
        var q = new DumpQuestion(1, Jan(1), "Title", longBody, ["t"], 1, null, null, 0);
        var a = new DumpAnswer(2, 1, Jan(2), 3, null, 0, longBody + "\n\n  trailing");

        var text = ExpertProfileBuilder.EvidenceText(q, a);
        var lines = text.Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Equal("Title", lines[0]);
        Assert.Equal("Tags: t", lines[1]);
        Assert.InRange(lines[2].Length, 300, ExpertProfileBuilder.QuestionBodyChars);
        Assert.InRange(lines[3].Length, 200, ExpertProfileBuilder.AnswerBodyChars);
        Assert.All(lines[2].Split(' '), w => Assert.Equal("superposition", w));
        Assert.True(text.Length <= ExpertProfileBuilder.MaxEvidenceChars);
    }

    [Fact]
    public void Slugs_are_ascii_and_never_empty()
    {
        Assert.Equal("alice-under", ExpertProfileBuilder.Slug("Ålice Ünder"));
        Assert.Equal("john-doe", ExpertProfileBuilder.Slug("  John   Doe!! "));
        Assert.Equal("lukasz-zolc-strasse-oeuvre", ExpertProfileBuilder.Slug("Łukasz Żółć × Straße Œuvre"));
        Assert.Equal("user", ExpertProfileBuilder.Slug("量子"));
        Assert.Equal("user", ExpertProfileBuilder.Slug(null));
        Assert.Equal(30, ExpertProfileBuilder.Slug(new string('x', 80)).Length);
    }

    [Fact]
    public void Expert_ids_round_trip()
    {
        Assert.Equal("se-1837", ExpertProfileBuilder.ExpertId(1837));
        Assert.True(ExpertProfileBuilder.TryParseUserId("se-1837", out var id));
        Assert.Equal(1837, id);
        Assert.False(ExpertProfileBuilder.TryParseUserId("gr-1837", out _));
    }

    [Fact]
    public void Split_needs_questions_in_both_periods()
    {
        var site = new DumpSite([new DumpQuestion(1, Jan(1), "t", "", [], 1, null, null, 0)], [], []);

        Assert.Throws<InvalidOperationException>(() => DumpSplit.Create(site));
    }

    [Fact]
    public void Cancelled_read_stops_with_operation_canceled()
    {
        using var posts = Xml("posts", PostRows);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => StackExchangeDumpReader.ReadPosts(posts, cts.Token).ToList());
    }
}
