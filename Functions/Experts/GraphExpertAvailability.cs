using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace SocialLearning.Experts;

/// <summary>
/// Availability from the expert's Exchange Online automatic replies ("out of office"):
/// <c>GET /users/{mail}/mailboxSettings/automaticRepliesSetting</c> (permission MailboxSettings.Read, application; see
/// https://learn.microsoft.com/graph/api/user-get-mailboxsettings and
/// https://learn.microsoft.com/graph/api/resources/automaticrepliessetting).
/// </summary>
/// <remarks>
/// <para><c>status</c> <c>disabled</c> → available; <c>alwaysEnabled</c> → unavailable; <c>scheduled</c> → unavailable
/// from <c>scheduledStartDateTime</c> (inclusive) to <c>scheduledEndDateTime</c> (exclusive), each a wall-clock time in
/// its own <c>timeZone</c> (Windows or IANA name, converted by <see cref="GraphTimeZones"/>).</para>
/// <para>The setting is cached per address for <see cref="GraphExpertsOptions.AvailabilityCacheMinutes"/> (the result
/// is computed from it for each time asked). Any Graph failure (404 for a mailbox that does not exist, 403 without the
/// permission, 5xx, a network error) is logged as a warning and the expert counts as available: availability never
/// blocks routing. Failures are not cached.</para>
/// </remarks>
public sealed class GraphExpertAvailability(
    GraphServiceClient graph,
    IOptions<GraphExpertsOptions> options,
    TimeProvider time,
    ILogger<GraphExpertAvailability> logger) : IExpertAvailability
{
    private readonly ConcurrentDictionary<string, (AutomaticRepliesSetting Setting, DateTimeOffset FetchedAt)> _cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Graph requests made so far (cache misses), for tests and telemetry.</summary>
    public int Lookups => _lookups;
    private int _lookups;

    /// <inheritdoc />
    public async Task<ExpertAvailabilityResult> CheckAsync(string expertEmail, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(expertEmail)) return ExpertAvailabilityResult.Yes;
        var key = expertEmail.Trim();
        var now = time.GetUtcNow();
        var maxAge = TimeSpan.FromMinutes(options.Value.AvailabilityCacheMinutes);
        AutomaticRepliesSetting setting;
        if (maxAge > TimeSpan.Zero && _cache.TryGetValue(key, out var hit) && now - hit.FetchedAt < maxAge)
        {
            setting = hit.Setting;
        }
        else
        {
            try
            {
                Interlocked.Increment(ref _lookups);
                setting = await FetchAsync(key, cancellationToken).ConfigureAwait(false) ?? new AutomaticRepliesSetting();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is ApiException or HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or Azure.Identity.AuthenticationFailedException)
            {
                var status = ex is ApiException api ? api.ResponseStatusCode.ToString(CultureInfo.InvariantCulture) : ex.GetType().Name;
                var detail = ex is ODataError odata ? odata.Error?.Code ?? odata.Message : ex.Message;
                logger.LogWarning("Could not read the automatic replies of {ExpertEmail} ({Status}: {Detail}); treating the expert as available",
                    key, status, detail);
                return new ExpertAvailabilityResult(true, $"automatic replies could not be read (Graph {status}); treated as available");
            }

            if (maxAge > TimeSpan.Zero) _cache[key] = (setting, now);
        }

        var result = Evaluate(setting, at, out var unknownZone);
        if (unknownZone is not null)
            logger.LogWarning("Automatic replies of {ExpertEmail} use the unknown time zone {TimeZone}; read as UTC", key, unknownZone);
        return result;
    }

    /// <summary>Drops every cached setting (e.g. after an expert said they are back).</summary>
    public void Invalidate() => _cache.Clear();

    /// <summary>
    /// Availability at <paramref name="at"/> under <paramref name="setting"/>: disabled (or no status) → available;
    /// alwaysEnabled → unavailable; scheduled → unavailable when start ≤ at &lt; end (a missing end means open-ended; a
    /// schedule whose times cannot be read counts as available).
    /// </summary>
    /// <param name="setting">The expert's automatic-replies setting.</param>
    /// <param name="at">The time asked about.</param>
    /// <param name="unknownZone">Set to a time-zone name that was not recognised (read as UTC), else null.</param>
    public static ExpertAvailabilityResult Evaluate(AutomaticRepliesSetting setting, DateTimeOffset at, out string? unknownZone)
    {
        ArgumentNullException.ThrowIfNull(setting);
        unknownZone = null;
        switch (setting.Status)
        {
            case AutomaticRepliesStatus.AlwaysEnabled:
                return ExpertAvailabilityResult.No("out of office (automatic replies on, no end date)");
            case AutomaticRepliesStatus.Scheduled:
                var start = GraphTimeZones.ToInstant(setting.ScheduledStartDateTime, out var z1);
                var end = GraphTimeZones.ToInstant(setting.ScheduledEndDateTime, out var z2);
                unknownZone = z1 ?? z2;
                if (start is null && end is null)
                    return new ExpertAvailabilityResult(true, "automatic replies scheduled without readable times; treated as available");
                if (start is { } s && at < s) return ExpertAvailabilityResult.Yes;
                if (end is { } e && at >= e) return ExpertAvailabilityResult.Yes;
                return ExpertAvailabilityResult.No(end is null
                    ? "out of office (automatic replies scheduled, no end)"
                    : $"out of office until {WallClock(setting.ScheduledEndDateTime!)} (automatic replies scheduled)");
            default:
                return ExpertAvailabilityResult.Yes;
        }
    }

    /// <summary>The wall-clock end as the expert set it, e.g. <c>2026-12-04 17:00 Pacific Standard Time</c>.</summary>
    private static string WallClock(DateTimeTimeZone value)
    {
        var text = DateTime.TryParse(value.DateTime, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var wall)
            ? wall.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : value.DateTime ?? "";
        return string.IsNullOrWhiteSpace(value.TimeZone) ? text + " UTC" : text + " " + value.TimeZone.Trim();
    }

    /// <summary><c>GET {BaseUrl}/users/{mail}/mailboxSettings/automaticRepliesSetting</c>; the SDK has no builder for the
    /// sub-resource, so the request is built from its URI template and sent through the client's request adapter (auth,
    /// retry and redirect handlers included).</summary>
    private Task<AutomaticRepliesSetting?> FetchAsync(string email, CancellationToken cancellationToken)
    {
        var request = new RequestInformation(Method.GET, "{+baseurl}/users/{user%2Did}/mailboxSettings/automaticRepliesSetting",
            new Dictionary<string, object> { ["user%2Did"] = email });
        request.Headers.TryAdd("Accept", "application/json");
        var errors = new Dictionary<string, ParsableFactory<IParsable>> { ["XXX"] = ODataError.CreateFromDiscriminatorValue };
        return graph.RequestAdapter.SendAsync(request, AutomaticRepliesSetting.CreateFromDiscriminatorValue, errors, cancellationToken);
    }
}
