using System.ClientModel.Primitives;
using System.Globalization;

namespace SocialLearning.Matching;

/// <summary>
/// Retry policy of the Azure OpenAI client pipeline (System.ClientModel): retries what the base policy deems retriable
/// (HTTP 408, 429, 500, 502, 503, 504 and network failures) at most <c>maxRetries</c> times, and before each retry waits
/// the longer of the server's requested delay (plus 50 ms of timer slack) and an exponential backoff, never longer than
/// <c>maxDelay</c> (plus that slack).
/// </summary>
/// <remarks>
/// <para>The server's delay is the largest of <c>retry-after-ms</c> and <c>x-ms-retry-after-ms</c> (milliseconds,
/// Azure OpenAI) and <c>Retry-After</c> (seconds or an HTTP-date, RFC 9110 §10.2.3). Waiting less than it asks only earns
/// another 429, so when it asks for more than <c>maxDelay</c> the request is not retried: the 429 surfaces at once as a
/// <see cref="System.ClientModel.ClientResultException"/> with <c>Status</c> 429.</para>
/// <para>Backoff without a server delay: <c>initialDelay · 2^(try − 1)</c>, ±20% jitter (defaults 0.8 s, as the Azure
/// SDKs use).</para>
/// </remarks>
internal sealed class RetryAfterPolicy : ClientRetryPolicy
{
    private readonly TimeSpan _maxDelay;
    private readonly TimeSpan _initialDelay;
    private readonly TimeProvider _time;

    /// <summary>Creates the policy.</summary>
    /// <param name="maxRetries">Retries after the first try, 0 or more.</param>
    /// <param name="maxDelay">Longest wait before one retry.</param>
    /// <param name="initialDelay">Backoff before the first retry when the server names no delay; default 0.8 s.</param>
    /// <param name="time">Clock for HTTP-date <c>Retry-After</c> values; default the system clock.</param>
    public RetryAfterPolicy(int maxRetries, TimeSpan maxDelay, TimeSpan? initialDelay = null, TimeProvider? time = null)
        : base(maxRetries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDelay, TimeSpan.Zero);
        _maxDelay = maxDelay;
        _initialDelay = initialDelay ?? TimeSpan.FromMilliseconds(800);
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !AsksTooLong(message);

    /// <inheritdoc />
    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && !AsksTooLong(message);

    /// <inheritdoc />
    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        var backoff = TimeSpan.FromMilliseconds(_initialDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, tryCount - 1)) *
                                                (0.8 + (0.4 * Random.Shared.NextDouble())));
        var server = ServerDelay(message.Response, _time.GetUtcNow()) ?? TimeSpan.Zero;
        var delay = server > backoff ? server : backoff;
        if (delay > _maxDelay) delay = _maxDelay;
        // Timers tick in whole milliseconds (15.6 ms on Windows) and may wake a little early: pad the server's delay so
        // the retry never arrives before the moment it named.
        return server > TimeSpan.Zero && delay < server + TimerSlack ? server + TimerSlack : delay;
    }

    /// <summary>Added to a server-requested delay so that timer granularity never makes a retry early: 50 ms.</summary>
    internal static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The delay the server asks for in <paramref name="response"/>, or null when it names none: the largest of
    /// <c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c> (milliseconds) and <c>Retry-After</c> (delta-seconds or
    /// HTTP-date, relative to <paramref name="now"/>). Unparseable values are ignored; negative ones count as zero.
    /// </summary>
    internal static TimeSpan? ServerDelay(PipelineResponse? response, DateTimeOffset now)
    {
        if (response is null) return null;
        TimeSpan? delay = null;
        foreach (var name in (ReadOnlySpan<string>)["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValue(name, out var value) &&
                double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms))
            {
                delay = Max(delay, TimeSpan.FromMilliseconds(Math.Max(0, ms)));
            }
        }

        if (response.Headers.TryGetValue("Retry-After", out var retryAfter) && retryAfter is not null)
        {
            if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
            {
                delay = Max(delay, TimeSpan.FromSeconds(Math.Max(0, seconds)));
            }
            else if (DateTimeOffset.TryParseExact(retryAfter.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                delay = Max(delay, at > now ? at - now : TimeSpan.Zero);
            }
        }

        return delay;
    }

    private bool AsksTooLong(PipelineMessage message) => ServerDelay(message.Response, _time.GetUtcNow()) > _maxDelay;

    private static TimeSpan Max(TimeSpan? a, TimeSpan b) => a is { } x && x > b ? x : b;
}
