using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Mail;

public sealed class RoutedRequestComposerTests
{
    private static readonly MailOptions Mail = new() { SharedAddress = "ask@northwind.example", DisplayName = "SocialLearning" };

    private static QuestionEntity Question(string subject) => new()
    {
        QuestionId = "Q-7K2M9P", Subject = subject, AskerEmail = "pieter.devries@northwind.example", AskerName = "Pieter de Vries",
        InternetMessageId = "q-1@mail.northwind.example", Text = "Who signs off?",
    };

    private static RouteEntity Route() => new()
    {
        ExpertId = "e-anna-lindqvist", ExpertName = "Anna Lindqvist", ExpertEmail = "anna.lindqvist@northwind.example", ExpertDepartment = "IT",
        AnswerText = "The lead does.", AnsweredAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
    };

    [Theory]
    [InlineData("Commission statement October", "Re: Commission statement October [Q-7K2M9P]")]
    [InlineData("Re: Commission statement October", "Re: Commission statement October [Q-7K2M9P]")]
    [InlineData("AW: Provision Oktober", "AW: Provision Oktober [Q-7K2M9P]")]
    [InlineData("Fwd: Commission statement", "Re: Fwd: Commission statement [Q-7K2M9P]")]
    public void The_relay_subject_gets_one_reply_prefix(string subject, string expected) =>
        Assert.Equal(expected, RoutedRequestComposer.ComposeRelay(Question(subject), Route(), Mail).Subject);

    [Fact]
    public void A_colleague_brought_in_is_named_with_who_brought_them_in()
    {
        var route = Route();
        route.ReferredBy = "Grace Okafor";
        var relay = RoutedRequestComposer.ComposeRelay(Question("VPN"), route, Mail);
        Assert.StartsWith("Anna Lindqvist (IT), brought in by Grace Okafor, answered your question:", relay.TextBody);
        Assert.Equal("q-1@mail.northwind.example", relay.InReplyTo);
    }

    [Theory]
    [InlineData("", "[Q-7K2M9P] A colleague has a question", "    Who signs off?")]
    [InlineData("Commission statement October", "[Q-7K2M9P] Commission statement October", "    Commission statement October\n    \n    Who signs off?")]
    public void A_request_quotes_the_subject_only_when_the_asker_wrote_one(string subject, string expectedSubject, string expectedQuote)
    {
        // From a README-only user run: a mail without a subject was quoted to the expert as if the asker had written "A
        // colleague has a question".
        var request = RoutedRequestComposer.Compose(Question(subject), Route(), Mail);
        Assert.Equal(expectedSubject, request.Subject);
        var body = request.TextBody!.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("has a question that you may be able to answer:\n\n" + expectedQuote + "\n\nWhy you:", body);
        Assert.DoesNotContain("A colleague has a question", body);
    }

    [Theory]
    [InlineData("too little text to route: 0 content words in subject and body (at least 2 needed)", "Your mail has too little text for us to tell who would know the answer")]
    [InlineData("knowledge gap: no expert's evidence is close enough (best similarity 0.21 < 0.35)", "Nobody in our expert directory is a close enough match for your question")]
    [InlineData("knowledge bottleneck: all 2 experts close enough were passed over (Anna Lindqvist: at capacity: 3 requests in 7 days (cap 3))", "The colleagues who know about this are all busy")]
    public void The_asker_of_a_question_that_went_to_nobody_is_told_why_in_their_own_thread(string reason, string expected)
    {
        var q = Question("Commission statement October");
        q.UnroutedReason = reason;
        var notice = RoutedRequestComposer.ComposeUnroutedNotice(q, Mail, new DateTimeOffset(2026, 11, 20, 9, 31, 0, TimeSpan.Zero));
        Assert.Equal(("pieter.devries@northwind.example", "Re: Commission statement October [Q-7K2M9P]", "q-1@mail.northwind.example"),
            (notice.To.Mailboxes.Single().Address, notice.Subject, notice.InReplyTo));
        Assert.StartsWith("Hello Pieter,", notice.TextBody);
        Assert.Contains(expected, notice.TextBody);
        Assert.Contains("Reply to this mail", notice.TextBody, StringComparison.OrdinalIgnoreCase);
    }
}
