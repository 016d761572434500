using System.Text;
using SocialLearning.Intake;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Graph;

[Collection("Azurite")]
public sealed class GraphNotificationTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string SubscriptionId = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
    private const string Secret = "k3Jd9-secret-client-state-of-this-subscription";

    private static Stream Body(string json) => new MemoryStream(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task Batch_with_one_good_and_one_forged_clientState_enqueues_one()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(SubscriptionId, Secret, DateTimeOffset.UtcNow.AddDays(3));
        var body = GraphStubs.Notifications((SubscriptionId, Secret, "AAMk-good-1"), (SubscriptionId, Secret + "x", "AAMk-forged-2"));

        var result = await h.Get<GraphNotificationHandler>().HandleAsync(Body(body.ToJsonString()), Ct);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(1, result.Accepted);
        Assert.Equal(1, result.Rejected);
        var queued = Assert.Single(await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail));
        Assert.Equal(new InboundMailMessage("AAMk-good-1", "graph"), queued);
        Assert.Contains(h.Logs.At(Microsoft.Extensions.Logging.LogLevel.Warning), l => l.Contains("clientState does not match") && l.Contains(SubscriptionId));
    }

    [Fact]
    public async Task Notification_for_an_unknown_subscription_is_dropped()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        var body = GraphStubs.Notifications(("0fc0d6db-0073-42e5-a186-853da75fb308", Secret, "AAMk-1"));

        var result = await h.Get<GraphNotificationHandler>().HandleAsync(Body(body.ToJsonString()), Ct);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(0, result.Accepted);
        Assert.Equal(0, await h.CountAsync(QueueNames.InboundMail));
    }

    [Fact]
    public async Task A_post_naming_hundreds_of_foreign_subscriptions_is_dropped_after_three_lookups_and_a_good_item_still_counts()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(SubscriptionId, Secret, DateTimeOffset.UtcNow.AddDays(3));
        var forged = Enumerable.Range(0, 200).Select(i => (new Guid(i, 0, 0, new byte[8]).ToString(), "guess", $"AAMk-forged-{i}"));
        var body = GraphStubs.Notifications([(SubscriptionId, Secret, "AAMk-good-1"), .. forged]);

        var result = await h.Get<GraphNotificationHandler>().HandleAsync(Body(body.ToJsonString()), Ct);

        Assert.Equal((202, 1, 200), (result.StatusCode, result.Accepted, result.Rejected));
        Assert.Equal(new InboundMailMessage("AAMk-good-1", "graph"), Assert.Single(await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)));
        var warnings = h.Logs.At(Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        // Three ids looked up and named in the log, the other 197 dropped unread with one line.
        Assert.Equal(3, warnings.Count(l => l.Contains("is not one of this service's subscriptions")));
        Assert.Single(warnings, l => l.Contains("Dropped 197 more change notifications of one POST unread"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "not JSON")]
    [InlineData("[1,2]", "\"value\" array")]
    [InlineData("{\"value\": {}}", "\"value\" array")]
    [InlineData("{\"value\": [\"x\"]}", "not an object")]
    public async Task Body_that_is_not_a_notification_collection_is_400_with_a_reason_and_enqueues_nothing(string body, string reason)
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(SubscriptionId, Secret, DateTimeOffset.UtcNow.AddDays(3));

        var result = await h.Get<GraphNotificationHandler>().HandleAsync(Body(body), Ct);

        Assert.Equal(400, result.StatusCode);
        Assert.Contains(reason, result.Text);
        Assert.Equal(0, await h.CountAsync(QueueNames.InboundMail));
    }

    [Fact]
    public async Task Same_notification_twice_becomes_one_question()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(SubscriptionId, Secret, DateTimeOffset.UtcNow.AddDays(3));
        GraphStubs.Message(h.Server, "AAMk-vpn-1", GraphStubs.Question("<vpn-1@mail.contoso.example>", "VPN keeps dropping at home",
            "My VPN disconnects every ten minutes when I work from home. What can I check?"));
        var body = GraphStubs.Notifications((SubscriptionId, Secret, "AAMk-vpn-1")).ToJsonString();

        await h.Get<GraphNotificationHandler>().HandleAsync(Body(body), Ct);
        await h.Get<GraphNotificationHandler>().HandleAsync(Body(body), Ct);
        var results = await h.RunIntakeAsync();

        Assert.Equal(["Question", "Duplicate"], results.Select(r => r.State));
        Assert.Equal(results[0].QuestionId, results[1].QuestionId);
        var q = Assert.Single(await h.Storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Equal("pieter.devries@contoso.example", q.AskerEmail);
        Assert.Equal("VPN keeps dropping at home", q.Subject);
        Assert.Equal("<vpn-1@mail.contoso.example>".Trim('<', '>'), q.InternetMessageId);
        Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "received");
        // Every read asked for immutable ids and the metadata $select.
        var metadata = h.Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith("AAMk-vpn-1", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, metadata.Count);
        Assert.All(metadata, e =>
        {
            Assert.Contains("IdType=\"ImmutableId\"", string.Join(",", e.RequestMessage.Headers!["Prefer"]));
            var select = e.RequestMessage.Query!["$select"].ToString()!;
            foreach (var field in new[] { "body", "uniqueBody", "from", "sender", "toRecipients", "ccRecipients", "subject", "internetMessageId",
                         "conversationId", "internetMessageHeaders", "receivedDateTime", "parentFolderId" })
                Assert.Contains(field, select.Split(',', StringSplitOptions.TrimEntries));
        });
    }

    [Fact]
    public async Task Function_adapter_answers_202_for_a_verified_notification_and_400_with_the_reason_for_junk()
    {
        await using var h = await GraphHarness.StartAsync(azurite);
        await h.StoreSubscriptionAsync(SubscriptionId, Secret, DateTimeOffset.UtcNow.AddDays(3));
        var functions = new GraphMailFunctions(h.Services);

        var accepted = await functions.ReceiveGraphNotification(Request(GraphStubs.Notifications((SubscriptionId, Secret, "AAMk-1")).ToJsonString()), Ct);
        var junk = await functions.ReceiveGraphNotification(Request("{\"hello\": 1}"), Ct);

        Assert.Equal(202, Assert.IsType<Microsoft.AspNetCore.Mvc.StatusCodeResult>(accepted).StatusCode);
        var bad = Assert.IsType<Microsoft.AspNetCore.Mvc.ContentResult>(junk);
        Assert.Equal(400, bad.StatusCode);
        Assert.Contains("\"value\" array", bad.Content);
        Assert.Equal("AAMk-1", Assert.Single(await h.DrainAsync<InboundMailMessage>(QueueNames.InboundMail)).MessageRef);
    }

    private static Microsoft.AspNetCore.Http.HttpRequest Request(string body)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = Body(body);
        return context.Request;
    }
}
