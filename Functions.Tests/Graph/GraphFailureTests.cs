using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SocialLearning.Intake;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace SocialLearning.Tests.Graph;

[Collection("Azurite")]
public sealed class GraphFailureTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IRequestBuilder GetMessage(string id) =>
        Request.Create().UsingGet().WithPath(GraphStubs.Paths($"/users/{GraphStubs.Mailbox}/messages/{id}"));

    [Fact]
    public async Task Throttled_429_with_Retry_After_2_delays_the_next_call_by_at_least_2s_and_then_succeeds()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var mime = GraphStubs.Question("<throttle-1@mail.contoso.example>", "Expense claim for a client dinner", "How do I claim a client dinner?");
        GraphStubs.Message(h.Server, "AAMk-throttle-1", mime);
        // The first read of the message is throttled, every later one answers (WireMock scenario: Started → open).
        h.Server.Given(GetMessage("AAMk-throttle-1")).AtPriority(1).InScenario("throttle").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "2")
                .WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"Application is over its MailboxConcurrency limit.\"}}"));
        h.Server.Given(GetMessage("AAMk-throttle-1")).AtPriority(1).InScenario("throttle").WhenStateIs("open")
            .RespondWith(GraphStubs.Json(GraphStubs.Metadata("AAMk-throttle-1", "pieter.devries@contoso.example", GraphHarness.InboxId)));

        var watch = Stopwatch.StartNew();
        var result = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-throttle-1", "graph"), Ct);
        watch.Stop();

        Assert.Equal("Question", result.State);
        var calls = h.Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith("/messages/AAMk-throttle-1", StringComparison.Ordinal))
            .OrderBy(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal([429, 200], calls.Select(c => (int)c.ResponseMessage.StatusCode!));
        var gap = calls[1].RequestMessage.DateTime - calls[0].RequestMessage.DateTime;
        Assert.True(gap >= TimeSpan.FromSeconds(2), $"the retry came {gap.TotalMilliseconds:0} ms after the 429, before Retry-After: 2");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Retry_After_longer_than_one_run_waits_requeues_the_message_with_that_delay_without_counting_a_failure()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Inbox(h.Server);
        h.Server.Given(GetMessage("AAMk-slow-1"))
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "120"));

        var result = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-slow-1", "graph"), Ct);

        Assert.Equal("Deferred", result.State);
        Assert.Equal("Throttled", result.Kind);
        Assert.Single(h.Server.LogEntries); // no in-process retry: 120 s is above Graph:MaxRetryAfterWaitSeconds (5)
        Assert.Equal(1, await h.CountAsync(QueueNames.InboundMail)); // re-queued …
        Assert.Empty((await h.Storage.Queue(QueueNames.InboundMail).ReceiveMessagesAsync(1, cancellationToken: Ct)).Value); // … invisible for now
        Assert.Equal(0, await h.CountAsync(QueueNames.Poison(QueueNames.InboundMail)));
    }

    [Fact]
    public async Task Forbidden_ends_in_a_clear_error_naming_mailbox_and_permission_and_one_parked_message_not_a_poison_loop()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Inbox(h.Server);
        h.Server.Given(GetMessage("AAMk-denied-1")).RespondWith(GraphStubs.Json(JsonNode.Parse(
            "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access is denied. Check credentials and try again.\"}}")!, 403));

        var result = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-denied-1", "graph"), Ct);

        Assert.Equal("Failed", result.State);
        Assert.Equal("AccessDenied", result.Kind);
        Assert.Single(h.Server.LogEntries); // tried once, no retries
        Assert.Equal(0, await h.CountAsync(QueueNames.InboundMail));
        var parked = Assert.Single(await h.DrainAsync<InboundMailMessage>(QueueNames.Poison(QueueNames.InboundMail)));
        Assert.Equal("AAMk-denied-1", parked.MessageRef);
        var error = Assert.Single(h.Logs.At(LogLevel.Error));
        Assert.Contains(GraphHarness.Mailbox, error);
        Assert.Contains("Mail.Read", error);
        Assert.Contains("403", error);
        Assert.Contains("not retried", error);
    }

    [Fact]
    public async Task Not_found_is_retried_through_queue_visibility_then_recorded_as_gone()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Inbox(h.Server);
        h.Server.Given(GetMessage("AAMk-gone-1")).RespondWith(GraphStubs.Json(JsonNode.Parse(
            "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"The specified object was not found in the store.\"}}")!, 404));
        var handler = h.Get<InboundMailHandler>();

        var first = await handler.HandleAsync(new InboundMailMessage("AAMk-gone-1", "graph"), Ct);

        Assert.Equal(("Deferred", "NotFound"), (first.State, first.Kind));
        Assert.Equal(1, await h.CountAsync(QueueNames.InboundMail));
        Assert.Empty((await h.Storage.Queue(QueueNames.InboundMail).ReceiveMessagesAsync(1, cancellationToken: Ct)).Value); // delayed 30 s

        var last = await handler.HandleAsync(new InboundMailMessage("AAMk-gone-1", "graph", InboundMailHandler.NotFoundRetries), Ct);

        Assert.Equal(("NonQuestion", "Gone"), (last.State, last.Kind));
        var row = Assert.Single(await h.Storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct));
        Assert.Equal(("NonQuestion", "Gone", "AAMk-gone-1"), (row.State, row.Kind, row.MessageRef));
        Assert.Contains("404", row.Reason);
        Assert.Equal(1, await h.CountAsync(QueueNames.InboundMail)); // only the earlier delayed retry; the last try queued nothing
    }

    [Fact]
    public async Task Mail_outside_the_inbox_and_mail_from_the_shared_mailbox_are_skipped_without_reading_their_MIME()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Message(h.Server, "AAMk-moved-1", GraphStubs.Question("<moved@x.example>", "Moved", "Moved to another folder."), folder: "AAMkAGDeletedItems");
        GraphStubs.Message(h.Server, "AAMk-own-1", GraphStubs.Question("<own@x.example>", "[Q-ABC123] Request", "Our own request.", from: GraphHarness.Mailbox));

        var moved = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-moved-1", "graph"), Ct);
        var own = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-own-1", "graph"), Ct);

        Assert.Equal(("NonQuestion", "NotInInbox"), (moved.State, moved.Kind));
        Assert.Equal(("NonQuestion", "OwnMail"), (own.State, own.Kind));
        Assert.DoesNotContain(h.Server.LogEntries, e => e.RequestMessage.Path.EndsWith("/$value", StringComparison.Ordinal));
        var rows = await h.Storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Equal(["NotInInbox", "OwnMail"], rows.Select(r => r.Kind).Order());
        Assert.Empty(await h.Storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
    }

    [Fact]
    public async Task Auto_replies_and_bounces_read_through_Graph_never_become_questions()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var ooo = GraphStubs.Question("<ooo-1@mail.contoso.example>", "Automatic reply: VPN", "I am out of the office until Monday.", from: "Lena Berg <lena.berg@contoso.example>");
        ooo.Headers.Add("Auto-Submitted", "auto-replied");
        ooo.Headers.Add("X-Autoreply", "yes");
        var bounce = GraphStubs.Question("<ndr-1@mail.contoso.example>", "Undeliverable: [Q-7KX2PD] VPN keeps dropping", "Delivery has failed to these recipients.",
            from: "Microsoft Outlook <postmaster@contoso.example>");
        var bulk = GraphStubs.Question("<news-1@mail.contoso.example>", "Weekly digest", "Ten things this week.", from: "News <news@contoso.example>");
        bulk.Headers.Add("Precedence", "bulk");
        // A delivery report that only its MIME structure gives away: ordinary sender, ordinary subject.
        var dsn = GraphStubs.Question("<dsn-1@relay.contoso.example>", "Re: your message", "", from: "Relay <relay@contoso.example>");
        var report = new MimeKit.MultipartReport("delivery-status");
        report.Add(new MimeKit.TextPart("plain") { Text = "Your message could not be delivered." });
        report.Add(new MimeKit.MessageDeliveryStatus());
        dsn.Body = report;
        GraphStubs.Message(h.Server, "AAMk-ooo", ooo);
        GraphStubs.Message(h.Server, "AAMk-ndr", bounce);
        GraphStubs.Message(h.Server, "AAMk-bulk", bulk);
        GraphStubs.Message(h.Server, "AAMk-dsn", dsn);

        var results = new List<IntakeResult>();
        foreach (var id in new[] { "AAMk-ooo", "AAMk-ndr", "AAMk-bulk", "AAMk-dsn" })
            results.Add(await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage(id, "graph"), Ct));

        Assert.Equal(["AutoReply", "Bounce", "Bulk", "Bounce"], results.Select(r => r.Kind));
        Assert.Equal("Precedence: bulk", results[2].Reason);
        Assert.Equal("multipart/report; report-type=delivery-status", results[3].Reason);
        Assert.All(results, r => Assert.Equal("NonQuestion", r.State));
        Assert.Empty(await h.Storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
    }

    private static async Task StoreRouteAsync(GraphHarness h)
    {
        await h.Storage.Table(TableNames.Questions).AddEntityAsync(new QuestionEntity
        {
            PartitionKey = "Q-7KX2PD", RowKey = QuestionEntity.Row, QuestionId = "Q-7KX2PD", AskerEmail = "pieter.devries@contoso.example",
            AskerName = "Pieter de Vries", Subject = "VPN keeps dropping at home", Text = "My VPN disconnects every ten minutes.",
            ReceivedAt = DateTimeOffset.UtcNow, State = QuestionStates.Routed, InternetMessageId = "vpn-1@mail.contoso.example",
        }, Ct);
        await h.Storage.Table(TableNames.Routes).AddEntityAsync(new RouteEntity
        {
            PartitionKey = "Q-7KX2PD", RowKey = "e-anna", ExpertId = "e-anna", ExpertEmail = "anna.lindqvist@contoso.example",
            ExpertName = "Anna Lindqvist", Rank = 1, Score = 0.74, Reason = "VPN evidence", AskedAt = DateTimeOffset.UtcNow,
        }, Ct);
    }

    [Fact]
    public async Task Send_refused_with_403_parks_the_outbound_message_once_and_marks_nothing_sent()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await StoreRouteAsync(h);
        h.Server.Given(Request.Create().UsingPost().WithPath(GraphStubs.Paths($"/users/{GraphStubs.Mailbox}/sendMail"))).RespondWith(GraphStubs.Json(JsonNode.Parse(
            "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access is denied.\"}}")!, 403));
        var message = new SocialLearning.Mail.OutboundMailMessage("request", "Q-7KX2PD", "e-anna");

        await h.Get<SocialLearning.Mail.OutboundMailHandler>().HandleAsync(message, Ct);

        Assert.Single(h.Server.LogEntries);
        Assert.Equal(message, Assert.Single(await h.DrainAsync<SocialLearning.Mail.OutboundMailMessage>(QueueNames.Poison(QueueNames.OutboundMail))));
        Assert.Equal(0, await h.CountAsync(QueueNames.OutboundMail));
        Assert.Null((await h.Storage.Table(TableNames.Routes).GetEntityAsync<RouteEntity>("Q-7KX2PD", "e-anna", cancellationToken: Ct)).Value.RequestSentAt);
        var error = Assert.Single(h.Logs.At(LogLevel.Error));
        Assert.Contains("Mail.Send", error);
        Assert.Contains(GraphHarness.Mailbox, error);
    }

    [Fact]
    public async Task Send_throttled_beyond_one_run_is_requeued_with_the_delay_and_sent_later()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await StoreRouteAsync(h);
        h.Server.Given(Request.Create().UsingPost().WithPath(GraphStubs.Paths($"/users/{GraphStubs.Mailbox}/sendMail")))
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "60"));
        var message = new SocialLearning.Mail.OutboundMailMessage("request", "Q-7KX2PD", "e-anna");

        await h.Get<SocialLearning.Mail.OutboundMailHandler>().HandleAsync(message, Ct);

        Assert.Equal(1, await h.CountAsync(QueueNames.OutboundMail));
        Assert.Empty((await h.Storage.Queue(QueueNames.OutboundMail).ReceiveMessagesAsync(1, cancellationToken: Ct)).Value);
        Assert.Equal(0, await h.CountAsync(QueueNames.Poison(QueueNames.OutboundMail)));
        Assert.Null((await h.Storage.Table(TableNames.Routes).GetEntityAsync<RouteEntity>("Q-7KX2PD", "e-anna", cancellationToken: Ct)).Value.RequestSentAt);
    }

    [Fact]
    public async Task The_MIME_example_of_the_Graph_docs_read_through_GraphMailbox_becomes_a_question()
    {
        var folder = SharedData.RequireDirectory("graph");
        var path = Path.Combine(folder, "message", "message-get__08__response__get_message_in_mime.jsonc");
        if (!File.Exists(path)) Assert.Skip("shared/data/graph/message/message-get__08__response__get_message_in_mime.jsonc was not found.");
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Inbox(h.Server);
        h.Server.Given(GetMessage("AAMk-docs-mime")).AtPriority(10)
            .RespondWith(GraphStubs.Json(GraphStubs.Metadata("AAMk-docs-mime", "admin@contoso.com", GraphHarness.InboxId)));
        h.Server.Given(Request.Create().UsingGet().WithPath(GraphStubs.Paths($"/users/{GraphStubs.Mailbox}/messages/AAMk-docs-mime/$value")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody(File.ReadAllBytes(path)));

        var result = await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage("AAMk-docs-mime", "graph"), Ct);

        Assert.Equal("Question", result.State);
        var q = Assert.Single(await h.Storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Equal("admin@contoso.com", q.AskerEmail);
        Assert.Equal("This email has attachment.", q.Subject.Trim());
        Assert.Contains("The attachment is an email.", q.Text);
    }
}
