using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions.Authentication;
using MimeKit;
using SocialLearning.Graph;
using SocialLearning.Intake;
using SocialLearning.Mail;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace SocialLearning.Tests.Graph;

/// <summary>Graph pieces that need neither storage nor a mailbox: the validation handshake, options, mapping, middleware.</summary>
public sealed class GraphUnitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A service provider that fails the test if anything is resolved from it.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => throw new InvalidOperationException($"The validation path resolved {serviceType.Name}.");
    }

    private static HttpRequest Post(string rawQuery, string body = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.QueryString = new QueryString(rawQuery);
        context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        return context.Request;
    }

    [Fact]
    public async Task Validation_request_echoes_decoded_token_as_text_plain_without_any_service_or_io()
    {
        var functions = new GraphMailFunctions(new NoServices());
        const string raw = "?validationToken=Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+5f3a1c2e-7b1d-4a5e-9c1f-2d3e4f5a6b7c";

        var result = Assert.IsType<ContentResult>(await functions.ReceiveGraphNotification(Post(raw), Ct));
        var lifecycle = Assert.IsType<ContentResult>(await functions.ReceiveLifecycleNotification(Post(raw), Ct));

        Assert.Equal(200, result.StatusCode);
        Assert.StartsWith("text/plain", result.ContentType);
        Assert.Equal("Validation: Testing client application reachability for subscription Request-Id: 5f3a1c2e-7b1d-4a5e-9c1f-2d3e4f5a6b7c", result.Content);
        Assert.Equal(result.Content, lifecycle.Content);
        Assert.Equal(200, lifecycle.StatusCode);
    }

    [Theory]
    [InlineData("?validationToken=a%2525b", "a%25b")] // decoded once: %2525 → %25, never → %
    [InlineData("validationToken=x+y%2By", "x y+y")]
    [InlineData("?other=1&validationToken=%E2%9C%93", "✓")]
    public void Validation_token_is_decoded_exactly_once(string query, string expected) =>
        Assert.Equal(expected, GraphValidation.TokenFrom(query));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("?code=abc")]
    public void Requests_without_a_validation_token_are_not_validation_requests(string? query) =>
        Assert.Null(GraphValidation.TokenFrom(query));

    private static OptionsValidationException? Validate(Dictionary<string, string?> values) => StartupValidationTests.Validate(values);

    private static Dictionary<string, string?> GraphSettings() => new()
    {
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Mail:Transport"] = "Graph",
        ["Mail:SharedAddress"] = "ask@contoso.example",
        ["Embeddings:Provider"] = "Local",
        ["Graph:NotificationUrl"] = "https://sociallearning.contoso.example/api/ReceiveGraphNotification",
        ["Graph:LifecycleNotificationUrl"] = "https://sociallearning.contoso.example/api/ReceiveLifecycleNotification",
    };

    [Fact]
    public void Graph_transport_with_its_settings_passes_validation_without_a_maildir() => Assert.Null(Validate(GraphSettings()));

    [Fact]
    public void Graph_transport_without_notification_urls_fails_at_start_naming_the_settings()
    {
        var values = GraphSettings();
        values.Remove("Graph:NotificationUrl");
        values["Graph:LifecycleNotificationUrl"] = "http://sociallearning.contoso.example/api/ReceiveLifecycleNotification";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Graph:NotificationUrl is required when Mail:Transport is Graph", ex.Message);
        Assert.Contains("Graph:LifecycleNotificationUrl", ex.Message);
        Assert.Contains("https", ex.Message);
    }

    [Fact]
    public void Concurrency_above_Outlooks_limit_fails_at_start()
    {
        var values = GraphSettings();
        values["Graph:MaxConcurrentRequestsPerMailbox"] = "8";
        Assert.Contains("Graph:MaxConcurrentRequestsPerMailbox", Assert.IsType<OptionsValidationException>(Validate(values)).Message);
    }

    [Fact]
    public void Graph_transport_resolves_the_Graph_mailbox()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(GraphSettings()).Build());
        services.AddLogging();
        services.AddSocialLearning();
        services.AddSingleton<IAuthenticationProvider>(new AnonymousAuthenticationProvider());
        using var provider = services.BuildServiceProvider();
        Assert.IsType<GraphMailbox>(provider.GetRequiredService<IMailbox>());
    }

    [Theory]
    [InlineData(403, typeof(MailboxAccessDeniedException))]
    [InlineData(429, typeof(MailboxThrottledException))]
    [InlineData(504, typeof(MailboxThrottledException))]
    [InlineData(401, null)] // a token Graph refused: the queue's normal retries, not the poison queue at once
    [InlineData(500, null)]
    public void Graph_errors_become_mailbox_errors_only_where_waiting_or_an_administrator_helps(int status, Type? expected)
    {
        var error = new Microsoft.Kiota.Abstractions.ApiException("refused") { ResponseStatusCode = status };

        var translated = GraphErrors.Translate(error, "ask@contoso.example", "read message AAMk-1", "Mail.Read", TimeProvider.System);

        Assert.Equal(expected, translated?.GetType());
    }

    [Theory]
    [InlineData(20_000, 10_080, 10_075)]
    [InlineData(10_080, 10_080, 10_075)]
    [InlineData(4_000, 10_080, 4_000)]
    [InlineData(10_080, 1_440, 1_435)]
    public void Requested_lifetime_is_clamped_five_minutes_short_of_the_configured_maximum(int requested, int max, int expected)
    {
        var options = new GraphOptions { SubscriptionLifetimeMinutes = requested, MaxSubscriptionLifetimeMinutes = max };
        Assert.Equal(TimeSpan.FromMinutes(expected), options.EffectiveLifetime);
        Assert.True(options.RenewWindow <= options.EffectiveLifetime / 2);
    }

    private static MimeMessage Composed()
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress("SocialLearning", "ask@contoso.example"));
        m.To.Add(new MailboxAddress("Anna Lindqvist", "anna.lindqvist@contoso.example"));
        m.Cc.Add(MailboxAddress.Parse("lead@contoso.example"));
        m.ReplyTo.Add(new MailboxAddress("SocialLearning", "ask@contoso.example"));
        m.Subject = "[Q-7KX2PD] VPN keeps dropping at home";
        m.MessageId = "q-7kx2pd.anna@sociallearning.contoso.example";
        m.InReplyTo = "vpn-1@mail.contoso.example";
        m.Headers.Add("Auto-Submitted", "auto-generated");
        m.Headers.Add("X-SocialLearning-Question", "Q-7KX2PD");
        var body = new BodyBuilder { TextBody = "Could you help?\nWhy you: VPN evidence.", HtmlBody = "<p>Could you help?</p><p>Why you: VPN evidence.</p>" };
        m.Body = body.ToMessageBody();
        return m;
    }

    [Fact]
    public void Composed_mail_becomes_a_graph_message_with_only_X_headers_and_auto_response_suppression()
    {
        var g = GraphMessageMapping.ToGraphMessage(Composed());

        Assert.Equal("[Q-7KX2PD] VPN keeps dropping at home", g.Subject);
        Assert.Equal(Microsoft.Graph.Models.BodyType.Html, g.Body!.ContentType);
        Assert.Contains("Why you: VPN evidence.", g.Body.Content);
        Assert.Equal(("anna.lindqvist@contoso.example", "Anna Lindqvist"), (g.ToRecipients![0].EmailAddress!.Address, g.ToRecipients[0].EmailAddress!.Name));
        Assert.Equal("lead@contoso.example", Assert.Single(g.CcRecipients!).EmailAddress!.Address);
        Assert.Equal("ask@contoso.example", Assert.Single(g.ReplyTo!).EmailAddress!.Address);
        Assert.Equal([("X-SocialLearning-Question", "Q-7KX2PD"), ("X-Auto-Response-Suppress", "All")],
            g.InternetMessageHeaders!.Select(h => (h.Name, h.Value)));
    }

    [Fact]
    public async Task Send_posts_sendMail_as_the_shared_mailbox_with_the_converted_message()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().UsingPost().WithPath("/v1.0/users/ask@contoso.example/sendMail", "/v1.0/users/ask%40contoso.example/sendMail"))
            .RespondWith(Response.Create().WithStatusCode(202));
        var mailbox = new GraphMailbox(Client(server), Options.Create(new MailOptions { Transport = "Graph", SharedAddress = "ask@contoso.example" }),
            TimeProvider.System, NullLogger<GraphMailbox>.Instance);

        await mailbox.SendAsync(Composed(), "request:Q-7KX2PD:e-anna", Ct);

        var entry = Assert.Single(server.LogEntries).RequestMessage;
        var sent = JsonNode.Parse(entry.Body ?? System.Text.Encoding.UTF8.GetString(entry.BodyAsBytes ?? []))!;
        // The SDK writes the sendMail action's parameters as Graph's metadata names them: "Message", "SaveToSentItems".
        Assert.True(sent["SaveToSentItems"]!.GetValue<bool>());
        var message = sent["Message"]!;
        Assert.Equal("[Q-7KX2PD] VPN keeps dropping at home", message["subject"]!.GetValue<string>());
        Assert.Equal("html", message["body"]!["contentType"]!.GetValue<string>());
        Assert.Equal("anna.lindqvist@contoso.example", message["toRecipients"]![0]!["emailAddress"]!["address"]!.GetValue<string>());
        Assert.Equal("ask@contoso.example", message["replyTo"]![0]!["emailAddress"]!["address"]!.GetValue<string>());
        var headers = message["internetMessageHeaders"]!.AsArray().Select(h => h!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["X-SocialLearning-Question", "X-Auto-Response-Suppress", GraphMailbox.SendKeyHeader], headers);
        Assert.All(headers, h => Assert.StartsWith("X-", h));
        Assert.Null(message["from"]);
        Assert.Null(message["ccRecipients"]![0]!["emailAddress"]!["name"]);
    }

    [Fact]
    public async Task A_relay_with_a_file_is_sent_with_a_graph_fileAttachment_of_the_same_bytes()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        var mailbox = new GraphMailbox(Client(server), Options.Create(new MailOptions { Transport = "Graph", SharedAddress = "ask@contoso.example" }),
            TimeProvider.System, NullLogger<GraphMailbox>.Instance);
        var pdf = "%PDF-1.4 reconciliation"u8.ToArray();
        var m = Composed();
        var builder = new BodyBuilder { TextBody = "See the attached reconciliation." };
        builder.Attachments.Add("reconciliation.pdf", pdf, new ContentType("application", "pdf"));
        m.Body = builder.ToMessageBody();

        await mailbox.SendAsync(m, "relay:Q-7KX2PD:e-anna", Ct);

        var entry = Assert.Single(server.LogEntries).RequestMessage;
        var message = JsonNode.Parse(entry.Body ?? System.Text.Encoding.UTF8.GetString(entry.BodyAsBytes ?? []))!["Message"]!;
        Assert.Equal("text", message["body"]!["contentType"]!.GetValue<string>());
        var file = Assert.Single(message["attachments"]!.AsArray())!;
        Assert.Equal("#microsoft.graph.fileAttachment", file["@odata.type"]!.GetValue<string>());
        Assert.Equal(("reconciliation.pdf", "application/pdf"), (file["name"]!.GetValue<string>(), file["contentType"]!.GetValue<string>()));
        Assert.Equal(pdf, Convert.FromBase64String(file["contentBytes"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Send_refused_with_403_raises_an_access_error_naming_the_mailbox_and_Mail_Send()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "application/json")
            .WithBody("{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled.\"}}"));
        var mailbox = new GraphMailbox(Client(server), Options.Create(new MailOptions { Transport = "Graph", SharedAddress = "ask@contoso.example" }),
            TimeProvider.System, NullLogger<GraphMailbox>.Instance);

        var ex = await Assert.ThrowsAsync<MailboxAccessDeniedException>(() => mailbox.SendAsync(Composed(), "relay:Q-7KX2PD:e-anna", Ct));

        Assert.Equal(("ask@contoso.example", "Mail.Send", 403), (ex.Mailbox, ex.Permission, ex.Status));
        Assert.Contains("ask@contoso.example", ex.Message);
        Assert.Single(server.LogEntries);
    }

    private static Microsoft.Graph.GraphServiceClient Client(WireMockServer server) =>
        GraphClientBuilder.Create(new GraphOptions { BaseUrl = server.Url + "/v1.0" }, new AnonymousAuthenticationProvider(), NullLoggerFactory.Instance, TimeProvider.System);

    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0/users/ask%40contoso.example/messages/AAMk1", "ask@contoso.example")]
    [InlineData("https://graph.microsoft.com/v1.0/users('Ask@Contoso.example')/messages", "ask@contoso.example")]
    [InlineData("https://graph.microsoft.com/v1.0/subscriptions/7f10", null)]
    public void Mailbox_of_a_request_is_the_users_segment(string url, string? expected) =>
        Assert.Equal(expected, MailboxConcurrencyHandler.MailboxOf(new Uri(url)));

    /// <summary>Counts requests in flight per mailbox; each takes a little while so they overlap.</summary>
    private sealed class CountingHandler : HttpMessageHandler
    {
        private readonly Dictionary<string, int> _now = new();
        public Dictionary<string, int> Peak { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var key = MailboxConcurrencyHandler.MailboxOf(request.RequestUri) ?? "";
            lock (_now)
            {
                _now[key] = _now.GetValueOrDefault(key) + 1;
                Peak[key] = Math.Max(Peak.GetValueOrDefault(key), _now[key]);
            }
            await Task.Delay(200, cancellationToken);
            lock (_now) _now[key]--;
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task At_most_four_requests_per_mailbox_are_in_flight_while_other_mailboxes_proceed()
    {
        var counting = new CountingHandler();
        using var client = new HttpClient(new MailboxConcurrencyHandler(4) { InnerHandler = counting });
        var requests = Enumerable.Range(0, 12).Select(i => client.GetAsync($"https://graph.example/v1.0/users/ask@contoso.example/messages/{i}", Ct))
            .Concat(Enumerable.Range(0, 3).Select(i => client.GetAsync($"https://graph.example/v1.0/users/hr@contoso.example/messages/{i}", Ct)))
            .ToList();
        await Task.WhenAll(requests);

        Assert.Equal(4, counting.Peak["ask@contoso.example"]);
        Assert.Equal(3, counting.Peak["hr@contoso.example"]);
    }

    [Fact]
    public async Task Graph_timers_do_nothing_while_the_transport_is_Maildir()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(new MailOptions { Transport = "Maildir", SharedAddress = "ask@contoso.example" }));
        using var provider = services.BuildServiceProvider(); // no keeper, no catch-up, no Graph client: resolving one would throw
        var functions = new GraphMailFunctions(provider);

        await functions.RenewMailSubscription(new Microsoft.Azure.Functions.Worker.TimerInfo(), Ct);
        await functions.CatchUpMailbox(new Microsoft.Azure.Functions.Worker.TimerInfo(), Ct);
    }
}
