using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Intake;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// Mail with too little text to route (a subject and no body) and mail far longer than the stored text limit, through
/// the whole pipeline against the built-in sample directory.
/// </summary>
[Collection("Azurite")]
public sealed class ShortAndLongMailTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MimeMessage Mail(string messageId, string subject, string body, string from = "Pieter de Vries <pieter.devries@northwind.example>") =>
        TestMail.Question(messageId, subject, body, from);

    private static async Task<PipelineHarness> WithSampleDirectoryAsync(AzuriteFixture azurite)
    {
        var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        return h;
    }

    [Fact]
    public async Task Subject_only_mail_with_too_little_text_is_kept_unrouted_as_too_short_not_a_gap_while_a_short_real_question_routes()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Mail("quick@mail.northwind.example", "Quick question", ""), Ct);
        await h.Maildir.DeliverAsync(Mail("help@mail.northwind.example", "Help please", "Hi,\n\nThanks,\nPieter de Vries"), Ct);
        await h.Maildir.DeliverAsync(Mail("vpn-token@mail.northwind.example", "How do I reset my VPN token?", ""), Ct);

        var run = await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Equal(3, run.MailsPickedUp);
        var storage = h.Get<StorageClients>();
        // Nothing lost: all three are recorded as questions by intake and stored.
        var records = await storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("Question", r.State));
        var questions = (await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct)).ToDictionary(q => q.Subject);
        Assert.Equal(3, questions.Count);

        var quick = questions["Quick question"];
        Assert.Equal(QuestionStates.Unrouted, quick.State);
        Assert.Equal("too little text to route: 0 content words in subject and body (at least 2 needed)", quick.UnroutedReason);
        Assert.Equal("[]", quick.CandidatesJson); // not ranked
        var help = questions["Help please"];
        Assert.Equal(QuestionStates.Unrouted, help.State);
        Assert.StartsWith("too little text to route: 0 content words", help.UnroutedReason);

        var vpn = questions["How do I reset my VPN token?"];
        Assert.Equal(QuestionStates.Routed, vpn.State);
        var routes = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(vpn.QuestionId, Ct);
        Assert.Equal("e-anna-lindqvist", routes.Single(r => r.Rank == 1).ExpertId);
        Assert.Empty(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(quick.QuestionId, Ct));
        // Requests for the routed question; each asker of a too-short one is told, in their own thread, how to go on.
        var outbox = h.Maildir.ReadOutbox();
        var requests = outbox.Where(m => m.Subject!.StartsWith('[')).ToList();
        Assert.Equal(routes.Count, requests.Count);
        Assert.All(requests, m => Assert.StartsWith($"[{vpn.QuestionId}]", m.Subject));
        var notices = outbox.Except(requests).ToList();
        Assert.Equal([$"Re: Help please [{help.QuestionId}]", $"Re: Quick question [{quick.QuestionId}]"], notices.Select(m => m.Subject!).Order(StringComparer.Ordinal));
        Assert.All(notices, m => Assert.Contains("Reply to this mail with what your question is about", m.TextBody));
        Assert.Equal(quick.AskerEmail, notices.Single(m => m.Subject!.Contains(quick.QuestionId, StringComparison.Ordinal)).To.Mailboxes.Single().Address);

        var events = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.Gap);
        var tooShort = events.Where(e => e.Kind == OutcomeKinds.TooShort).OrderBy(e => e.QuestionId).ToList();
        Assert.Equal(new[] { help.QuestionId, quick.QuestionId }.Order(StringComparer.Ordinal), tooShort.Select(e => e.QuestionId).Order(StringComparer.Ordinal));
        Assert.Equal(quick.UnroutedReason, tooShort.Single(e => e.QuestionId == quick.QuestionId).Detail);
        Assert.Equal(3, events.Count(e => e.Kind == OutcomeKinds.Received));
        Assert.Equal(routes.Count, events.Count(e => e.Kind == OutcomeKinds.Routed && e.QuestionId == vpn.QuestionId));

        // A second delivery of the route message changes nothing.
        await h.Get<RouteQuestionHandler>().HandleAsync(new RouteQuestionMessage(quick.QuestionId), Ct);
        Assert.Equal(2, (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Count(e => e.Kind == OutcomeKinds.TooShort));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3 * 24 * 60)]
    public async Task A_Date_header_ahead_of_the_clock_is_replaced_by_the_intake_time_so_received_comes_before_routed(int minutesAhead)
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var mail = Mail("clock-ahead@mail.northwind.example", "VPN drops every ten minutes", "My VPN disconnects every ten minutes when I work from home. What can I check?");
        mail.Date = DateTimeOffset.UtcNow.AddMinutes(minutesAhead);
        var before = DateTimeOffset.UtcNow;
        await h.Maildir.DeliverAsync(mail, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.InRange(q.ReceivedAt, before, DateTimeOffset.UtcNow);
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        var received = Assert.Single(events, e => e.Kind == OutcomeKinds.Received);
        var routed = events.Where(e => e.Kind == OutcomeKinds.Routed).ToList();
        Assert.NotEmpty(routed);
        Assert.All(routed, r => Assert.True(r.At >= received.At, $"routed at {r.At:O} before received at {received.At:O}"));
    }

    [Fact]
    public async Task A_Date_header_in_the_past_is_kept_as_the_received_time()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var mail = Mail("clock-behind@mail.northwind.example", "VPN drops every ten minutes", "My VPN disconnects every ten minutes when I work from home. What can I check?");
        var sent = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        mail.Date = sent;
        await h.Maildir.DeliverAsync(mail, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Equal(sent, q.ReceivedAt);
    }

    [Fact]
    public async Task Very_long_mail_is_stored_cut_at_a_word_with_a_visible_marker_that_the_expert_sees()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        // A real question followed by a long pasted log: about 50,000 characters of words.
        var log = string.Join("\n", Enumerable.Range(1, 700).Select(i =>
            $"2026-11-19 08:{i % 60:00}:{i % 57:00} vpn-client[4{i:000}]: tunnel to gateway vpn-ams-02 dropped after keepalive timeout, reconnecting attempt {i}"));
        var mail = Mail("vpn-log@mail.northwind.example", "VPN keeps dropping at home",
            "Hi,\n\nMy VPN disconnects every ten minutes when I work from home, but the internet itself is fine. The client log is below.\n\n" + log);
        var expectedText = MailText.QuestionText(mail);
        Assert.True(expectedText.Length > 40_000, $"{expectedText.Length} characters");
        await h.Maildir.DeliverAsync(mail, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var marker = "\n\n[… cut: the mail had " + expectedText.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " characters]";
        Assert.EndsWith(marker, q.Text);
        Assert.True(q.Text.Length <= InboundMailHandler.MaxStoredTextLength, $"{q.Text.Length} characters");
        var kept = q.Text[..^marker.Length];
        Assert.True(kept.Length > 15_000, $"{kept.Length} characters kept");
        Assert.StartsWith(kept, expectedText, StringComparison.Ordinal);
        Assert.True(char.IsWhiteSpace(expectedText[kept.Length]), $"cut before '{expectedText[kept.Length]}': mid-word");
        Assert.Equal(QuestionStates.Routed, q.State);

        var request = h.Maildir.ReadOutbox().First();
        Assert.Contains(marker.Trim(), request.TextBody);
    }
}
