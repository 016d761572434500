using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SocialLearning.Mail;

namespace SocialLearning.Graph;

/// <summary>
/// Microsoft Graph settings (configuration section <c>Graph</c>). Used when <c>Mail:Transport</c> is <c>Graph</c>; the shared
/// mailbox is <see cref="MailOptions.SharedAddress"/>. There is no secret here: the app authenticates with its managed
/// identity through <c>DefaultAzureCredential</c> (source: "Choose a Microsoft Graph authentication provider",
/// learn.microsoft.com/graph/sdks/choose-authentication-providers).
/// </summary>
public sealed class GraphOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Graph";

    /// <summary>Graph's own limit for Outlook message subscriptions with basic change notifications, minutes (7 days).</summary>
    public const int OutlookMessageMaxMinutes = 10_080;

    /// <summary>
    /// Service root of Graph, absolute, without a trailing slash; default <c>https://graph.microsoft.com/v1.0</c>. Tests
    /// point it at a loopback server. The app's access token is attached only for Microsoft Graph's own hosts.
    /// </summary>
    public string BaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";

    /// <summary>
    /// Public HTTPS address of the <c>ReceiveGraphNotification</c> function, e.g.
    /// <c>https://sociallearning-func.azurewebsites.net/api/ReceiveGraphNotification</c>. Required for Transport = Graph.
    /// </summary>
    public string? NotificationUrl { get; set; }

    /// <summary>Public HTTPS address of the <c>ReceiveLifecycleNotification</c> function. Required for Transport = Graph.</summary>
    public string? LifecycleNotificationUrl { get; set; }

    /// <summary>
    /// Requested lifetime of the mail subscription, minutes; clamped to <see cref="MaxSubscriptionLifetimeMinutes"/>.
    /// Default 10,080 (7 days).
    /// </summary>
    [Range(10, 1_000_000, ErrorMessage = "Graph:SubscriptionLifetimeMinutes must be between 10 and 1000000.")]
    public int SubscriptionLifetimeMinutes { get; set; } = OutlookMessageMaxMinutes;

    /// <summary>
    /// The longest subscription Graph accepts for the resource, minutes: 10,080 for Outlook messages with basic change
    /// notifications, 1,440 with resource data (source: "subscription resource type", maximum length of subscription per
    /// resource type, learn.microsoft.com/graph/api/resources/subscription). Requests above it are clamped.
    /// </summary>
    [Range(10, 1_000_000, ErrorMessage = "Graph:MaxSubscriptionLifetimeMinutes must be between 10 and 1000000.")]
    public int MaxSubscriptionLifetimeMinutes { get; set; } = OutlookMessageMaxMinutes;

    /// <summary>
    /// Renew the subscription when less than this many minutes remain (default 2,880, two days; at most half the
    /// lifetime is used, so a renewal always happens well before expiry). <c>RenewMailSubscription</c> runs hourly.
    /// </summary>
    [Range(5, 1_000_000, ErrorMessage = "Graph:RenewBeforeMinutes must be between 5 and 1000000.")]
    public int RenewBeforeMinutes { get; set; } = 2_880;

    /// <summary>
    /// Concurrent Graph requests per mailbox, at most (default 4: Outlook allows 4 concurrent requests per app and mailbox;
    /// source: "Microsoft Graph service-specific throttling limits", Outlook service limits).
    /// </summary>
    [Range(1, 4, ErrorMessage = "Graph:MaxConcurrentRequestsPerMailbox must be between 1 and 4 (Outlook's limit per app and mailbox).")]
    public int MaxConcurrentRequestsPerMailbox { get; set; } = 4;

    /// <summary>
    /// Longest <c>Retry-After</c> (HTTP 429 / 503 / 504) waited for inside one function run, seconds (default 30). A longer
    /// one ends the call; the queue message is re-queued with that delay instead (not counted as a failure).
    /// </summary>
    [Range(0, 240, ErrorMessage = "Graph:MaxRetryAfterWaitSeconds must be between 0 and 240 (below the function timeout).")]
    public int MaxRetryAfterWaitSeconds { get; set; } = 30;

    /// <summary>Throttled (429 / 503 / 504) retries of one request inside one run (default 3).</summary>
    [Range(0, 10, ErrorMessage = "Graph:MaxThrottleRetries must be between 0 and 10.")]
    public int MaxThrottleRetries { get; set; } = 3;

    /// <summary>
    /// When a catch-up starts without a stored delta link (first run), only messages received within this many hours are
    /// enqueued (default 24); older inbox mail is never treated as new questions.
    /// </summary>
    [Range(0, 24 * 90, ErrorMessage = "Graph:InitialCatchUpHours must be between 0 and 2160.")]
    public int InitialCatchUpHours { get; set; } = 24;

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Minutes a requested expiry stays short of <see cref="MaxSubscriptionLifetimeMinutes"/>: 5. Graph measures the
    /// limit on its own clock, and a request for exactly the maximum from a host whose clock runs ahead is refused (400).</summary>
    public const int ClockSkewMarginMinutes = 5;

    /// <summary>
    /// The subscription lifetime actually requested: <see cref="SubscriptionLifetimeMinutes"/>, at most
    /// <see cref="MaxSubscriptionLifetimeMinutes"/> less <see cref="ClockSkewMarginMinutes"/> (10,075 minutes for Outlook messages).
    /// </summary>
    public TimeSpan EffectiveLifetime => TimeSpan.FromMinutes(Math.Min(SubscriptionLifetimeMinutes, MaxSubscriptionLifetimeMinutes - ClockSkewMarginMinutes));

    /// <summary>Remaining lifetime below which the subscription is renewed: <see cref="RenewBeforeMinutes"/>, at most half the lifetime.</summary>
    public TimeSpan RenewWindow => TimeSpan.FromMinutes(Math.Min(RenewBeforeMinutes, EffectiveLifetime.TotalMinutes / 2));
}

/// <summary>
/// Validates <see cref="GraphOptions"/> against the transport in force: with <c>Mail:Transport</c> = Graph the notification
/// URLs and the base URL must be absolute HTTPS URLs; with Maildir the Graph settings are not used and not required.
/// </summary>
public sealed class GraphOptionsValidator(IOptions<MailOptions> mail) : IValidateOptions<GraphOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GraphOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && !baseUri.IsLoopback))
            errors.Add($"Graph:BaseUrl '{options.BaseUrl}' must be an absolute https URL (http only on loopback, for tests).");
        if (IsGraph())
        {
            CheckHttps(options.NotificationUrl, "Graph:NotificationUrl", errors);
            CheckHttps(options.LifecycleNotificationUrl, "Graph:LifecycleNotificationUrl", errors);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Whether Transport is Graph; false when the Mail settings are themselves invalid (their own validation reports
    /// that, once, instead of this validator failing with it a second time).
    /// </summary>
    private bool IsGraph()
    {
        try
        {
            return mail.Value.IsGraph;
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }

    private static void CheckHttps(string? value, string setting, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add($"{setting} is required when Mail:Transport is Graph (the public https address of the function Graph calls).");
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            errors.Add($"{setting} '{value}' must be an absolute https URL: Graph delivers notifications over HTTPS only.");
    }
}
