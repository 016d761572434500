using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Experts;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Experts;

/// <summary>
/// <see cref="GraphExpertAvailability"/> against a loopback Graph: what it asks (path, headers), how it reads
/// automaticRepliesSetting (disabled / alwaysEnabled / scheduled in Windows and IANA zones), its cache, and that Graph
/// failures never make an expert unavailable.
/// </summary>
public sealed class GraphExpertAvailabilityTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Ann = "ann.berg@contoso.example";
    private static readonly string AnnPath = $"/users/{Ann}/mailboxSettings/automaticRepliesSetting";

    private readonly GraphStub _graph = new();
    private readonly ListLogger<GraphExpertAvailability> _log = new();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _graph.Dispose();

    private GraphExpertAvailability Availability(int cacheMinutes = 5) =>
        new(_graph.Client, Options.Create(new GraphExpertsOptions { AvailabilityCacheMinutes = cacheMinutes }), _clock, _log);

    private static string Scheduled(string start, string end, string zone) => $$"""
        {
          "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ann.berg%40contoso.example')/mailboxSettings/automaticRepliesSetting",
          "status": "scheduled",
          "externalAudience": "all",
          "scheduledStartDateTime": { "dateTime": "{{start}}", "timeZone": "{{zone}}" },
          "scheduledEndDateTime": { "dateTime": "{{end}}", "timeZone": "{{zone}}" },
          "internalReplyMessage": "<p>Back on Friday.</p>",
          "externalReplyMessage": ""
        }
        """;

    [Fact]
    public async Task Disabled_automatic_replies_mean_available_and_the_request_reads_only_that_setting()
    {
        _graph.Get(AnnPath, """{ "status": "disabled", "externalAudience": "none" }""");

        var result = await Availability().CheckAsync(Ann, _clock.Now, Ct);

        Assert.Equal(new ExpertAvailabilityResult(true, ""), result);
        var request = Assert.Single(_graph.Requests).RequestMessage;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1.0/users/ann.berg@contoso.example/mailboxSettings/automaticRepliesSetting", Uri.UnescapeDataString(request.Path));
        Assert.Contains("application/json", request.Headers!["Accept"].Single());
    }

    [Fact]
    public async Task Always_enabled_automatic_replies_from_the_documented_response_mean_unavailable_with_the_reason()
    {
        // The documentation's example response of GET /me/mailboxSettings/automaticRepliesSetting (status alwaysEnabled).
        _graph.Get(AnnPath, SharedData.RequireGraphExample("mailboxsettings/user-get-mailboxsettings__04__response.json"));

        var result = await Availability().CheckAsync(Ann, _clock.Now, Ct);

        Assert.False(result.Available);
        Assert.Equal("out of office (automatic replies on, no end date)", result.Reason);
    }

    [Fact]
    public async Task Documented_scheduled_window_in_UTC_is_honoured_inside_and_outside()
    {
        // The automaticRepliesSetting of the documented GET /me/mailboxSettings response: "Scheduled" (capitalised there),
        // 2016-03-14T07:00 to 2016-03-28T07:00 UTC.
        var settings = JsonNode.Parse(SharedData.RequireGraphExample("mailboxsettings/user-get-mailboxsettings__02__response.json"))!;
        _graph.Get(AnnPath, settings["automaticRepliesSetting"]!.ToJsonString());
        var availability = Availability();

        var inside = await availability.CheckAsync(Ann, new DateTimeOffset(2016, 3, 20, 12, 0, 0, TimeSpan.Zero), Ct);
        var justBefore = await availability.CheckAsync(Ann, new DateTimeOffset(2016, 3, 14, 6, 59, 0, TimeSpan.Zero), Ct);
        var atEnd = await availability.CheckAsync(Ann, new DateTimeOffset(2016, 3, 28, 7, 0, 0, TimeSpan.Zero), Ct);

        Assert.Equal(ExpertAvailabilityResult.No("out of office until 2016-03-28 07:00 UTC (automatic replies scheduled)"), inside);
        Assert.True(justBefore.Available);
        Assert.True(atEnd.Available);
    }

    [Fact]
    public async Task Scheduled_window_in_a_Windows_time_zone_is_converted_before_comparing()
    {
        // Pacific Standard Time in December is UTC−8: the window ends 2026-12-05T01:00Z, not 2026-12-04T17:00Z.
        _graph.Get(AnnPath, Scheduled("2026-12-01T09:00:00.0000000", "2026-12-04T17:00:00.0000000", "Pacific Standard Time"));
        var availability = Availability();

        var lateEvening = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 12, 5, 0, 30, 0, TimeSpan.Zero), Ct);
        var afterEnd = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 12, 5, 1, 30, 0, TimeSpan.Zero), Ct);
        var beforeStart = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 12, 1, 16, 30, 0, TimeSpan.Zero), Ct);
        var afterStart = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 12, 1, 17, 30, 0, TimeSpan.Zero), Ct);

        Assert.Equal(ExpertAvailabilityResult.No("out of office until 2026-12-04 17:00 Pacific Standard Time (automatic replies scheduled)"), lateEvening);
        Assert.Equal(ExpertAvailabilityResult.Yes, afterEnd);
        Assert.Equal(ExpertAvailabilityResult.Yes, beforeStart);
        Assert.False(afterStart.Available);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Scheduled_window_in_an_IANA_time_zone_is_converted_before_comparing()
    {
        // Europe/Berlin in July is UTC+2: the window starts 2026-07-01T06:00Z.
        _graph.Get(AnnPath, Scheduled("2026-07-01T08:00:00", "2026-07-10T18:00:00", "Europe/Berlin"));
        var availability = Availability();

        var started = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 7, 1, 7, 30, 0, TimeSpan.Zero), Ct);
        var notYet = await availability.CheckAsync(Ann, new DateTimeOffset(2026, 7, 1, 9, 30, 0, TimeSpan.FromHours(4)), Ct); // 05:30Z

        Assert.Equal(ExpertAvailabilityResult.No("out of office until 2026-07-10 18:00 Europe/Berlin (automatic replies scheduled)"), started);
        Assert.True(notYet.Available);
    }

    [Fact]
    public async Task Unknown_time_zone_name_is_read_as_UTC_with_a_logged_warning()
    {
        _graph.Get(AnnPath, Scheduled("2026-12-01T09:00:00", "2026-12-04T17:00:00", "Olympus Mons Standard Time"));

        var result = await Availability().CheckAsync(Ann, new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), Ct);

        Assert.False(result.Available);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Olympus Mons Standard Time"));
    }

    [Theory]
    [InlineData("Pacific Standard Time", -8)]
    [InlineData("W. Europe Standard Time", 1)]
    [InlineData("India Standard Time", 5.5)]
    [InlineData("Tokyo Standard Time", 9)]
    [InlineData("America/New_York", -5)]
    [InlineData("UTC", 0)]
    public void Windows_and_IANA_zone_names_resolve_under_invariant_globalization(string name, double januaryOffsetHours)
    {
        // The app runs with InvariantGlobalization (no ICU), where TimeZoneInfo cannot convert Windows ids by itself.
        var zone = GraphTimeZones.Find(name);
        Assert.NotNull(zone);
        Assert.Equal(TimeSpan.FromHours(januaryOffsetHours), zone.GetUtcOffset(new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Unspecified)));
    }

    [Theory]
    [InlineData(404, "ErrorItemNotFound")]
    [InlineData(500, "generalException")]
    public async Task Graph_failure_counts_as_available_with_a_logged_warning(int status, string code)
    {
        _graph.Get(AnnPath, $$"""{ "error": { "code": "{{code}}", "message": "The stand-in failed on purpose." } }""", status);

        var result = await Availability().CheckAsync(Ann, _clock.Now, Ct);

        Assert.True(result.Available);
        Assert.Contains($"Graph {status}", result.Reason);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(Ann, warning.Message);
        Assert.Contains(code, warning.Message);
    }

    [Fact]
    public async Task Setting_is_cached_per_expert_for_the_configured_minutes()
    {
        _graph.Get(AnnPath, """{ "status": "alwaysEnabled" }""");
        _graph.Get("/users/bo.lund@contoso.example/mailboxSettings/automaticRepliesSetting", """{ "status": "disabled" }""");
        var availability = Availability(cacheMinutes: 5);

        Assert.False((await availability.CheckAsync(Ann, _clock.Now, Ct)).Available);
        _clock.Now += TimeSpan.FromMinutes(4);
        Assert.False((await availability.CheckAsync("ANN.BERG@contoso.example", _clock.Now, Ct)).Available);
        Assert.True((await availability.CheckAsync("bo.lund@contoso.example", _clock.Now, Ct)).Available);
        Assert.Equal(2, _graph.Requests.Count);

        _clock.Now += TimeSpan.FromMinutes(2); // Ann's entry is now 6 minutes old
        _graph.Server.ResetMappings();
        _graph.Get(AnnPath, """{ "status": "disabled" }""");
        Assert.True((await availability.CheckAsync(Ann, _clock.Now, Ct)).Available);
        Assert.Equal(3, _graph.Requests.Count);
        Assert.Equal(3, availability.Lookups);
    }

    [Fact]
    public async Task Maildir_transport_registers_AlwaysAvailable_without_any_Graph_setting()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Mail:SharedAddress"] = "ask@contoso.example",
            ["Mail:MaildirRoot"] = Path.GetTempPath(),
        }).Build());
        services.AddLogging();
        services.AddSocialLearning();
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var availability = provider.GetRequiredService<IExpertAvailability>();

        Assert.IsType<AlwaysAvailable>(availability);
        Assert.Equal(ExpertAvailabilityResult.Yes, await availability.CheckAsync(Ann, DateTimeOffset.UtcNow, Ct));
        Assert.Equal("https://graph.microsoft.com/v1.0", provider.GetRequiredService<IOptions<SocialLearning.Graph.GraphOptions>>().Value.BaseUrl);
    }

    [Fact]
    public async Task Graph_transport_registers_GraphExpertAvailability_on_a_client_for_Graph_BaseUrl()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Mail:SharedAddress"] = "ask@contoso.example",
            ["Mail:Transport"] = "Graph",
            ["Graph:BaseUrl"] = _graph.BaseUrl,
            ["Graph:NotificationUrl"] = "https://sociallearning.contoso.example/api/ReceiveGraphNotification",
            ["Graph:LifecycleNotificationUrl"] = "https://sociallearning.contoso.example/api/ReceiveLifecycleNotification",
        }).Build());
        services.AddLogging();
        services.AddSocialLearning();
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate(); // Mail:Transport Graph with its settings is valid
        _graph.Get(AnnPath, """{ "status": "alwaysEnabled" }""");

        var availability = provider.GetRequiredService<IExpertAvailability>();
        var result = await availability.CheckAsync(Ann, DateTimeOffset.UtcNow, Ct);

        Assert.IsType<GraphExpertAvailability>(availability);
        Assert.Equal(_graph.BaseUrl, provider.GetRequiredService<Microsoft.Graph.GraphServiceClient>().RequestAdapter.BaseUrl);
        Assert.False(result.Available);
        var request = Assert.Single(_graph.Requests).RequestMessage;
        Assert.False(request.Headers!.ContainsKey("Authorization")); // tokens go only to Graph's own hosts, never to a stand-in
    }

    [Theory]
    [InlineData("Graph", true)]
    [InlineData("graph", true)]
    [InlineData("Maildir", false)]
    [InlineData(null, false)]
    public void Graph_transport_selects_the_Graph_availability(string? transport, bool graph) =>
        Assert.Equal(graph, new SocialLearning.Mail.MailOptions { Transport = transport! }.IsGraph);

    [Fact]
    public void Graph_base_url_that_is_not_an_http_url_fails_validation_naming_the_setting()
    {
        var results = new SocialLearning.Graph.GraphOptionsValidator(Options.Create(new SocialLearning.Mail.MailOptions()))
            .Validate(null, new SocialLearning.Graph.GraphOptions { BaseUrl = "graph.microsoft.com" }).Failures!;
        Assert.Contains("Graph:BaseUrl", Assert.Single(results));
    }
}
