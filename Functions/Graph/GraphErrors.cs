using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Mail;

namespace SocialLearning.Graph;

/// <summary>
/// Turns Graph errors (<see cref="ApiException"/>, of which the SDK's <c>ODataError</c> is one) into the mailbox's own
/// exceptions, so handlers react without knowing Graph: 429 / 503 / 504 → <see cref="MailboxThrottledException"/> (wait,
/// not a failure); 403 → <see cref="MailboxAccessDeniedException"/> (permanent, names the mailbox and the
/// permission). Other errors stay as they are — 401 among them: a token Graph did not accept (expired, or refused while
/// the clock or the identity endpoint hiccups) is worth the queue's normal retries, and a lasting one still ends in the
/// poison queue with Graph's message.
/// </summary>
public static class GraphErrors
{
    /// <summary>Delay used when a throttled response carries no <c>Retry-After</c>.</summary>
    public static TimeSpan DefaultRetryAfter { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The HTTP status of a Graph error, or 0 when the exception is not one.</summary>
    public static int Status(Exception ex) => ex is ApiException api ? api.ResponseStatusCode : 0;

    /// <summary>
    /// The mailbox exception for <paramref name="ex"/>, or null when it is no throttling or permission error.
    /// </summary>
    /// <param name="ex">What the SDK threw.</param>
    /// <param name="mailbox">The mailbox the call addressed, e.g. <c>ask@contoso.example</c>.</param>
    /// <param name="operation">What was attempted, e.g. "read message AAMk…".</param>
    /// <param name="permission">The application permission the operation needs, e.g. <c>Mail.Read</c>.</param>
    /// <param name="time">Clock for HTTP-date <c>Retry-After</c> values.</param>
    public static Exception? Translate(Exception ex, string mailbox, string operation, string permission, TimeProvider time)
    {
        if (ex is not ApiException api) return null;
        switch (api.ResponseStatusCode)
        {
            case 429 or 503 or 504:
                return new MailboxThrottledException(mailbox, operation, api.ResponseStatusCode, RetryAfter(api, time) ?? DefaultRetryAfter, ex);
            case 403:
                return new MailboxAccessDeniedException(mailbox, operation, permission, api.ResponseStatusCode, ex);
            default:
                return null;
        }
    }

    /// <summary>The <c>Retry-After</c> of a Graph error response, or null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfter(ApiException ex, TimeProvider time)
    {
        foreach (var (name, values) in ex.ResponseHeaders)
        {
            if (!name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            var value = values.FirstOrDefault();
            if (value is null) return null;
            if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return Max(at - time.GetUtcNow(), TimeSpan.Zero);
            return null;
        }
        return null;
    }

    /// <summary>The delay a <c>Retry-After</c> header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP date), or null.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date) return Max(date - time.GetUtcNow(), TimeSpan.Zero);
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
