using System.Text;
using System.Text.Json.Nodes;
using SocialLearning.Graph;
using SocialLearning.Intake;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace SocialLearning.Tests.Graph;

[Collection("Azurite")]
public sealed class GraphSubscriptionTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string OldId = "e3898f08-5cd0-4a6a-80fc-6addbfb73b7b";
    private const string NewId = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
    private const string Secret = "lifecycle-secret-of-the-old-subscription";

    private static Stream Body(JsonNode json) => new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>POST /subscriptions answers the create example with <see cref="NewId"/>, echoing the requested expiry and clientState.</summary>
    private static void StubCreate(WireMockServer server)
    {
        var created = GraphSamples.Load("subscriptions/subscription-post-subscriptions__02__response.json");
        server.Given(Request.Create().UsingPost().WithPath("/v1.0/subscriptions"))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithCallback(req =>
                {
                    var sent = JsonNode.Parse(req.Body!)!;
                    var answer = created.DeepClone();
                    answer["id"] = NewId;
                    answer["resource"] = sent["resource"]!.GetValue<string>();
                    answer["notificationUrl"] = sent["notificationUrl"]!.GetValue<string>();
                    answer["expirationDateTime"] = sent["expirationDateTime"]!.GetValue<string>();
                    answer["clientState"] = sent["clientState"]!.GetValue<string>();
                    return new WireMock.ResponseMessage
                    {
                        StatusCode = 201,
                        Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
                        BodyData = new WireMock.Util.BodyData { BodyAsString = answer.ToJsonString(), DetectedBodyType = WireMock.Types.BodyType.String },
                    };
                }));
    }

    private static JsonNode SentSubscription(GraphHarness h) =>
        JsonNode.Parse(h.Server.LogEntries.Single(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path == "/v1.0/subscriptions").RequestMessage.Body!)!;

    [Fact]
    public async Task Keeper_creates_one_inbox_subscription_with_a_random_clientState_and_a_clamped_lifetime_then_catches_up()
    {
        await using var h = await GraphHarness.StartAsync(azurite, new Dictionary<string, string?> { ["Graph:SubscriptionLifetimeMinutes"] = "20000" });
        StubCreate(h.Server);
        var deltaLink = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-old-1"], []);
        var before = DateTimeOffset.UtcNow;

        var row = await h.Get<MailSubscriptionKeeper>().EnsureAsync(Ct);

        var sent = SentSubscription(h);
        Assert.Equal("created", sent["changeType"]!.GetValue<string>());
        Assert.Equal($"users/{GraphHarness.Mailbox}/mailFolders('Inbox')/messages", sent["resource"]!.GetValue<string>());
        Assert.Equal(GraphHarness.NotificationUrl, sent["notificationUrl"]!.GetValue<string>());
        Assert.Equal(GraphHarness.LifecycleUrl, sent["lifecycleNotificationUrl"]!.GetValue<string>());
        var expiry = DateTimeOffset.Parse(sent["expirationDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        // 10,080 minutes is Outlook's limit; the request stays 5 minutes short of it (clock skew).
        Assert.InRange(expiry - before, TimeSpan.FromMinutes(10_075) - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10_075) + TimeSpan.FromMinutes(1));
        var clientState = sent["clientState"]!.GetValue<string>();
        Assert.Equal(43, clientState.Length);
        var post = h.Server.LogEntries.Single(e => e.RequestMessage.Path == "/v1.0/subscriptions");
        Assert.Contains("IdType=\"ImmutableId\"", string.Join(",", post.RequestMessage.Headers!["Prefer"]));

        var stored = Assert.Single(await h.SubscriptionsAsync());
        Assert.Equal((NewId, clientState), (stored.SubscriptionId, stored.ClientState));
        Assert.Equal(deltaLink, (await h.SyncStateAsync())!.DeltaLink);
        Assert.Equal(row.SubscriptionId, stored.SubscriptionId);
        Assert.Single(await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)); // the catch-up after creation

        // A second run a minute later renews nothing and creates nothing.
        await h.Get<MailSubscriptionKeeper>().EnsureAsync(Ct);
        Assert.Single(h.Server.LogEntries, e => e.RequestMessage.Path == "/v1.0/subscriptions");
    }

    [Fact]
    public async Task Keeper_renews_a_subscription_inside_the_renewal_window()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddHours(20));
        var renewed = GraphSamples.Load("subscriptions/subscription-update__02__response.json");
        renewed["id"] = OldId;
        renewed["expirationDateTime"] = DateTimeOffset.UtcNow.AddMinutes(10_080).ToString("O");
        h.Server.Given(Request.Create().UsingPatch().WithPath($"/v1.0/subscriptions/{OldId}")).RespondWith(GraphStubs.Json(renewed));

        var row = await h.Get<MailSubscriptionKeeper>().EnsureAsync(Ct);

        var patch = JsonNode.Parse(h.Server.LogEntries.Single(e => e.RequestMessage.Method == "PATCH").RequestMessage.Body!)!;
        var asked = DateTimeOffset.Parse(patch["expirationDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(asked - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10_070), TimeSpan.FromMinutes(10_081));
        var stored = Assert.Single(await h.SubscriptionsAsync());
        Assert.Equal((OldId, Secret), (stored.SubscriptionId, stored.ClientState));
        Assert.True(stored.ExpiresAt > DateTimeOffset.UtcNow.AddDays(6));
        Assert.NotNull(stored.RenewedAt);
        Assert.DoesNotContain(h.Server.LogEntries, e => e.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task Renewal_answered_404_recreates_the_subscription_and_catches_up_from_the_stored_delta_link()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var oldLink = h.BaseUrl + $"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta?$deltatoken=before";
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddHours(2));
        await h.StoreSyncStateAsync(oldLink, DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddHours(-1));
        h.Server.Given(Request.Create().UsingPatch().WithPath($"/v1.0/subscriptions/{OldId}")).RespondWith(GraphStubs.Json(JsonNode.Parse(
            "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"The object was not found.\"}}")!, 404));
        StubCreate(h.Server);
        var newLink = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-during-outage"], ["AAMk-during-outage-2"]);

        var row = await h.Get<MailSubscriptionKeeper>().EnsureAsync(Ct);

        Assert.Equal(NewId, row.SubscriptionId);
        var stored = Assert.Single(await h.SubscriptionsAsync());
        Assert.Equal(NewId, stored.SubscriptionId);
        Assert.Equal(newLink, (await h.SyncStateAsync())!.DeltaLink);
        // The catch-up resumed from the stored delta link, not from scratch.
        var firstDelta = h.Server.LogEntries.Where(e => e.RequestMessage.Path.Contains("/messages/delta", StringComparison.Ordinal)).OrderBy(e => e.RequestMessage.DateTime).First();
        Assert.Equal("before", firstDelta.RequestMessage.Query!["$deltatoken"].ToString());
        Assert.Equal(["AAMk-during-outage", "AAMk-during-outage-2"], (await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).Select(m => m.MessageRef));
        // Notifications of the new subscription are accepted with its new clientState; the old one's are not.
        var states = h.Get<ClientStateStore>();
        Assert.True((await states.VerifyAsync(NewId, stored.ClientState, Ct)).Valid);
        Assert.False((await states.VerifyAsync(OldId, Secret, Ct)).Valid);
    }

    [Fact]
    public async Task Missed_lifecycle_event_triggers_a_catch_up_that_finds_the_message_without_duplicating()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));
        GraphStubs.Message(h.Server, "AAMk-seen", GraphStubs.Question("<seen@mail.contoso.example>", "Printer on floor 3", "Which printer queue serves floor 3?"));
        GraphStubs.Message(h.Server, "AAMk-missed", GraphStubs.Question("<missed@mail.contoso.example>", "Travel insurance abroad",
            "Am I covered by company travel insurance on a private extension of a business trip?"));
        var deltaLink = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-seen"], ["AAMk-missed"]);
        // The first mail arrived by change notification and is already a question.
        await h.Get<GraphNotificationHandler>().HandleAsync(Body(GraphStubs.Notifications((OldId, Secret, "AAMk-seen"))), Ct);
        Assert.Equal(["Question"], (await h.RunIntakeAsync()).Select(r => r.State));

        var answer = await h.Get<GraphLifecycleHandler>().HandleAsync(Body(GraphStubs.Lifecycle("webhooks-lifecycle__03.json", OldId, Secret)), Ct);
        Assert.Equal((202, 1), (answer.StatusCode, answer.Accepted));
        var lifecycle = Assert.Single(await h.DrainAsync<MailLifecycleMessage>(QueueNames.MailLifecycle));
        Assert.Equal(new MailLifecycleMessage(OldId, "missed"), lifecycle);
        await h.Get<MailLifecycleHandler>().HandleAsync(lifecycle, Ct);
        var results = await h.RunIntakeAsync();

        Assert.Equal(["Duplicate", "Question"], results.Select(r => r.State));
        var questions = await h.Storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct);
        Assert.Equal(["Printer on floor 3", "Travel insurance abroad"], questions.Select(q => q.Subject).Order());
        var sync = (await h.SyncStateAsync())!;
        Assert.Equal(deltaLink, sync.DeltaLink);
        Assert.False(sync.RoundInProgress);
        Assert.NotNull(sync.CaughtUpAt);
        // The first round asked for immutable ids, small pages, created messages only and mail of the last 24 hours.
        var first = h.Server.LogEntries.First(e => e.RequestMessage.Path.Contains("/messages/delta", StringComparison.Ordinal));
        var prefer = string.Join(",", first.RequestMessage.Headers!["Prefer"]);
        Assert.Contains("IdType=\"ImmutableId\"", prefer);
        Assert.Contains("odata.maxpagesize=50", prefer);
        Assert.Equal("created", first.RequestMessage.Query!["changeType"].ToString());
        var filter = first.RequestMessage.Query!["$filter"].ToString();
        Assert.StartsWith("receivedDateTime ge ", filter);
        var from = DateTimeOffset.Parse(filter["receivedDateTime ge ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - from, TimeSpan.FromHours(24) - TimeSpan.FromMinutes(2), TimeSpan.FromHours(24) + TimeSpan.FromMinutes(2));
        Assert.Equal(from, sync.ReceivedFloor);
    }

    [Fact]
    public async Task Lifecycle_with_a_forged_clientState_is_dropped_and_nothing_is_done()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));

        var answer = await h.Get<GraphLifecycleHandler>().HandleAsync(Body(GraphStubs.Lifecycle("webhooks-lifecycle__02.json", OldId, "guessed")), Ct);

        Assert.Equal((202, 0, 1), (answer.StatusCode, answer.Accepted, answer.Rejected));
        Assert.Equal(0, await h.CountAsync(QueueNames.MailLifecycle));
    }

    [Fact]
    public async Task Reauthorization_required_reauthorizes_and_is_safe_to_repeat()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));
        h.Server.Given(Request.Create().UsingPost().WithPath($"/v1.0/subscriptions/{OldId}/reauthorize")).RespondWith(Response.Create().WithStatusCode(204));
        await h.Get<GraphLifecycleHandler>().HandleAsync(Body(GraphStubs.Lifecycle("webhooks-lifecycle__04.json", OldId, Secret)), Ct);
        var message = Assert.Single(await h.DrainAsync<MailLifecycleMessage>(QueueNames.MailLifecycle));
        Assert.Equal("reauthorizationRequired", message.LifecycleEvent);

        await h.Get<MailLifecycleHandler>().HandleAsync(message, Ct);
        await h.Get<MailLifecycleHandler>().HandleAsync(message, Ct);

        Assert.Equal(2, h.Server.LogEntries.Count(e => e.RequestMessage.Path == $"/v1.0/subscriptions/{OldId}/reauthorize"));
        Assert.Equal(OldId, Assert.Single(await h.SubscriptionsAsync()).SubscriptionId);
    }

    [Fact]
    public async Task Subscription_removed_recreates_the_subscription_once_and_catches_up_even_when_repeated()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));
        StubCreate(h.Server);
        GraphStubs.Delta(h.Server, h.BaseUrl, [], ["AAMk-while-removed"]);
        var message = new MailLifecycleMessage(OldId, "subscriptionRemoved");

        await h.Get<MailLifecycleHandler>().HandleAsync(message, Ct);
        await h.Get<MailLifecycleHandler>().HandleAsync(message, Ct);

        Assert.Equal(NewId, Assert.Single(await h.SubscriptionsAsync()).SubscriptionId);
        Assert.Single(h.Server.LogEntries, e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path == "/v1.0/subscriptions");
        // Both deliveries caught up (the repeat against the new subscription, which is harmless: intake dedupes).
        Assert.Equal(["AAMk-while-removed", "AAMk-while-removed"], (await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).Select(m => m.MessageRef));
    }

    [Fact]
    public async Task Renewal_timer_refused_with_403_logs_one_clear_error_and_does_not_throw()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        h.Server.Given(Request.Create().UsingPost().WithPath("/v1.0/subscriptions")).RespondWith(GraphStubs.Json(JsonNode.Parse(
            "{\"error\":{\"code\":\"ExtensionError\",\"message\":\"Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]\"}}")!, 403));

        await new GraphMailFunctions(h.Services).RenewMailSubscription(new Microsoft.Azure.Functions.Worker.TimerInfo(), Ct);

        Assert.Single(h.Server.LogEntries); // no retries
        var error = Assert.Single(h.Logs.At(Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.Contains("RenewMailSubscription", error);
        Assert.Contains(GraphHarness.Mailbox, error);
        Assert.Contains("Mail.Read", error);
        Assert.Empty(await h.SubscriptionsAsync());
    }

    [Fact]
    public async Task Expired_delta_link_answered_410_starts_a_new_round_from_an_hour_before_the_last_one_and_stores_its_link()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var stale = h.BaseUrl + $"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta?$deltatoken=expired";
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));
        // Three days of downtime: the last round completed three days ago, the floor is older still.
        var caughtUp = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(-3).UtcDateTime.Date.AddHours(9), TimeSpan.Zero);
        await h.StoreSyncStateAsync(stale, caughtUp.AddDays(-30), caughtUp);
        var fresh = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-recent"], []);
        h.Server.Given(Request.Create().UsingGet().WithPath(GraphStubs.Paths($"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta")).WithParam("$deltatoken", "expired"))
            .AtPriority(0).RespondWith(GraphStubs.Json(JsonNode.Parse("{\"error\":{\"code\":\"SyncStateNotFound\",\"message\":\"The sync state is no longer valid.\"}}")!, 410));

        var result = await h.Get<MailboxCatchUp>().RunAsync("test", Ct);

        Assert.True(result.Initial);
        Assert.Equal(1, result.Enqueued);
        Assert.Equal(fresh, (await h.SyncStateAsync())!.DeltaLink);
        // Not the last 24 hours only: the mail of the three days is asked for again.
        var restart = h.Server.LogEntries.Single(e => e.RequestMessage.Query?.ContainsKey("$filter") == true);
        Assert.Equal("receivedDateTime ge " + caughtUp.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            restart.RequestMessage.Query!["$filter"].ToString());
    }

    [Fact]
    public async Task Old_mail_whose_read_state_changed_after_the_first_round_is_not_taken_in()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var link = h.BaseUrl + $"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta?$deltatoken=round-1";
        var floor = DateTimeOffset.UtcNow.AddDays(-2);
        await h.StoreSyncStateAsync(link, floor, DateTimeOffset.UtcNow.AddMinutes(-15));
        // Graph returns a six-month-old message someone marked read, beside a new one.
        var next = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-six-months-old"], ["AAMk-new"],
            id => id == "AAMk-six-months-old" ? DateTimeOffset.UtcNow.AddMonths(-6) : DateTimeOffset.UtcNow.AddMinutes(-3));

        var result = await h.Get<MailboxCatchUp>().RunAsync("test", Ct);

        Assert.Equal((1, 1, false), (result.Enqueued, result.Skipped, result.Initial));
        Assert.Equal(["AAMk-new"], (await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).Select(m => m.MessageRef));
        var sync = (await h.SyncStateAsync())!;
        Assert.Equal((next, floor), (sync.DeltaLink, sync.ReceivedFloor));
    }

    [Fact]
    public async Task Catch_up_reads_the_inbox_even_when_no_subscription_could_be_created()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-1"], ["AAMk-2"]);

        var result = await h.Get<MailboxCatchUp>().RunAsync("timer", Ct);

        Assert.Equal((2, 2, true), (result.Enqueued, result.Pages, result.Initial));
        Assert.Empty(await h.SubscriptionsAsync());
        Assert.Equal(2, (await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).Count);
    }

    [Fact]
    public async Task A_long_first_round_cut_off_midway_resumes_from_its_stored_page_link()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        string Link(string query) => h.BaseUrl + $"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta?{query}";
        var paths = GraphStubs.Paths($"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta")
            .Concat(GraphStubs.Paths($"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta()")).ToArray();
        var template = GraphSamples.Load("message/message-delta__02__response.json")["value"]![0]!;
        // 25 pages of one message each: page n links to page n + 1, the last gives the delta link.
        for (var n = 1; n <= 25; n++)
        {
            var page = new JsonObject { ["value"] = GraphStubs.Items(template, [$"AAMk-p{n}"]) };
            page[n < 25 ? "@odata.nextLink" : "@odata.deltaLink"] = n < 25 ? Link($"$skiptoken=p{n + 1}") : Link("$deltatoken=done");
            var request = Request.Create().UsingGet().WithPath(paths);
            h.Server.Given(n == 1 ? request : request.WithParam("$skiptoken", $"p{n}")).AtPriority(n == 1 ? 5 : 1).RespondWith(GraphStubs.Json(page));
        }
        // Page 23 fails the first time: Graph asks to wait ten minutes, longer than one run waits, so the run ends there.
        h.Server.Given(Request.Create().UsingGet().WithPath(paths).WithParam("$skiptoken", "p23")).AtPriority(0).InScenario("p23")
            .WillSetStateTo("failed once").RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "600").WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"Try again later.\"}}"));

        await Assert.ThrowsAsync<SocialLearning.Mail.MailboxThrottledException>(() => h.Get<MailboxCatchUp>().RunAsync("first", Ct));
        var cut = (await h.SyncStateAsync())!;
        Assert.Equal((Link("$skiptoken=p21"), true), (cut.DeltaLink, cut.RoundInProgress));
        Assert.Equal(22, (await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).Count);

        var before = h.Server.LogEntries.Count();
        var result = await h.Get<MailboxCatchUp>().RunAsync("second", Ct);

        Assert.Equal((5, 5, false), (result.Enqueued, result.Pages, result.Initial)); // pages 21 to 25, not all 25 again
        Assert.Equal("p21", h.Server.LogEntries.Skip(before).First().RequestMessage.Query!["$skiptoken"].ToString());
        var done = (await h.SyncStateAsync())!;
        Assert.Equal((Link("$deltatoken=done"), false), (done.DeltaLink, done.RoundInProgress));
    }

    [Fact]
    public async Task A_failed_recreate_leaves_the_old_row_expired_so_the_next_hourly_run_creates_one()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(OldId, Secret, DateTimeOffset.UtcNow.AddDays(5));
        h.Server.Given(Request.Create().UsingPost().WithPath("/v1.0/subscriptions")).AtPriority(0).InScenario("create").WillSetStateTo("failed once")
            .RespondWith(GraphStubs.Json(JsonNode.Parse("{\"error\":{\"code\":\"InvalidRequest\",\"message\":\"Subscription validation request failed.\"}}")!, 400));
        StubCreate(h.Server);
        GraphStubs.Delta(h.Server, h.BaseUrl, [], []);

        await Assert.ThrowsAnyAsync<Exception>(() => h.Get<MailLifecycleHandler>().HandleAsync(new MailLifecycleMessage(OldId, "subscriptionRemoved"), Ct));
        Assert.True(Assert.Single(await h.SubscriptionsAsync()).ExpiresAt <= DateTimeOffset.UtcNow);

        var row = await h.Get<MailSubscriptionKeeper>().EnsureAsync(Ct);

        Assert.Equal(NewId, row.SubscriptionId);
        Assert.Equal(NewId, Assert.Single(await h.SubscriptionsAsync()).SubscriptionId);
    }

    [Fact]
    public async Task An_expired_page_link_of_an_unfinished_first_round_starts_again_from_the_stored_floor()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var page = h.BaseUrl + $"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta?$skiptoken=stale-page";
        var floor = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(-3).UtcDateTime.Date, TimeSpan.Zero);
        await h.Storage.Table(TableNames.Subscriptions).UpsertEntityAsync(new MailboxSyncEntity
        {
            PartitionKey = MailboxSyncEntity.PartitionFor(GraphHarness.Mailbox), RowKey = MailboxSyncEntity.InboxRowKey, DeltaLink = page, RoundInProgress = true,
            ReceivedFloor = floor,
        }, cancellationToken: Ct);
        var fresh = GraphStubs.Delta(h.Server, h.BaseUrl, ["AAMk-a"], []);
        h.Server.Given(Request.Create().UsingGet().WithPath(GraphStubs.Paths($"/users/{GraphHarness.Mailbox}/mailFolders/inbox/messages/delta")).WithParam("$skiptoken", "stale-page"))
            .AtPriority(0).RespondWith(GraphStubs.Json(JsonNode.Parse("{\"error\":{\"code\":\"InvalidSkipToken\",\"message\":\"The skip token is no longer valid.\"}}")!, 400));

        var result = await h.Get<MailboxCatchUp>().RunAsync("test", Ct);

        Assert.True(result.Initial);
        var restart = h.Server.LogEntries.Single(e => e.RequestMessage.Query?.ContainsKey("$filter") == true);
        Assert.Equal("receivedDateTime ge " + floor.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), restart.RequestMessage.Query!["$filter"].ToString());
        Assert.Equal((fresh, false), ((await h.SyncStateAsync())!.DeltaLink, (await h.SyncStateAsync())!.RoundInProgress));
    }
}
