using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class QuestionIdsTests
{
    [Fact]
    public void Same_key_gives_the_same_id_and_a_retry_attempt_gives_another()
    {
        var a = QuestionIds.From("key-1");
        Assert.Equal(a, QuestionIds.From("key-1"));
        Assert.NotEqual(a, QuestionIds.From("key-1", 1));
        Assert.Matches("^Q-[0-9A-HJKMNP-TV-Z]{6}$", a);
    }

    [Theory]
    [InlineData("RE: [Q-7KX2PD] VPN question", "Q-7KX2PD")]
    [InlineData("Re: [q-7kx2pd] lower case", "Q-7KX2PD")]
    [InlineData("No token here", null)]
    [InlineData("[Q-ILOU00] letters outside Crockford base32", null)]
    public void Subject_token_is_found(string subject, string? expected) => Assert.Equal(expected, QuestionIds.FindToken(subject));

    [Theory]
    [InlineData("Re: Builds failing [Q-G7C7T5]", null, "Q-G7C7T5")]
    [InlineData("Re: Builds failing", "Q-G7C7T5.1a2b3c4d5e6f@sociallearning.local", "Q-G7C7T5")]
    [InlineData("Re: Builds failing", "<q-g7c7t5.relay.1a2b3c4d5e6f@sociallearning.local>", "Q-G7C7T5")]
    [InlineData("Re: Builds failing", "CAF=abc@mail.gmail.com", null)]
    [InlineData("Re: Builds failing", "Q-G7C7T5.1a2b@elsewhere.example", null)]
    public void Thread_names_its_question_by_subject_token_or_by_our_message_id(string subject, string? inReplyTo, string? expected) =>
        Assert.Equal(expected, QuestionIds.FindInThread(subject, inReplyTo, null));

    [Fact]
    public void References_are_searched_newest_first_when_in_reply_to_is_foreign()
    {
        string[] references = ["Q-AAAAAA.111111111111@sociallearning.local", "x@mail.example", "Q-BBBBBB.222222222222@sociallearning.local"];
        Assert.Equal("Q-BBBBBB", QuestionIds.FindInThread("Re: hello", "foreign@mail.example", references));
    }

    [Theory]
    [InlineData("Re: [Q-ZZZZZZ] Printer jams on the third floor", "Printer jams on the third floor")]
    [InlineData("RE: Fwd: [q-zzzzzz] Printer jams", "Printer jams")]
    [InlineData("Printer [Q-ZZZZZZ] jams", "Printer jams")]
    [InlineData("  Re: Printer jams  ", "Re: Printer jams")]
    [InlineData("[Q-ZZZZZZ]", "")]
    public void A_stale_token_and_the_reply_prefixes_before_it_leave_the_subject_of_a_new_question(string subject, string expected) =>
        Assert.Equal(expected, QuestionIds.WithoutTokens(subject));

    [Fact]
    public void A_stale_token_beside_the_right_one_leaves_the_right_one_among_the_candidates_and_our_message_id_comes_first()
    {
        Assert.Equal(["Q-X3WY1A", "Q-ABCDEF"],
            QuestionIds.ThreadCandidates("Re: Re: [Q-ABCDEF] VPN token reset [Q-X3WY1A]", "<Q-X3WY1A.relay.272cc1609e00@sociallearning.local>", null));
        Assert.Equal(["Q-ABCDEF", "Q-X3WY1A", "Q-BBBBBB"],
            QuestionIds.ThreadCandidates("Re: [Q-ABCDEF] VPN token reset [Q-X3WY1A]", "x@mail.example", ["Q-BBBBBB.222222222222@sociallearning.local", "Q-X3WY1A.1@sociallearning.local"]));
    }

    [Theory]
    [InlineData("Re: Badge not working after sabbatical", "badge not working after sabbatical")]
    [InlineData("AW: Fwd:  RE: [Q-X3WY1A] Badge   not working", "badge not working")]
    [InlineData("[Q-ABCDEF]", "")]
    [InlineData(null, "")]
    public void Thread_subject_drops_prefixes_tokens_case_and_extra_spaces(string? subject, string expected) =>
        Assert.Equal(expected, QuestionIds.ThreadSubject(subject));

    [Theory]
    [InlineData("Re: Badge", true)]
    [InlineData("AW: Badge", true)]
    [InlineData("Fwd: Badge", false)]
    [InlineData("Report: Badge", false)]
    [InlineData("Badge", false)]
    public void Only_reply_prefixes_make_a_reply_subject(string subject, bool expected) => Assert.Equal(expected, QuestionIds.IsReplySubject(subject));
}
