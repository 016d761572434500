using System.Net;
using Microsoft.Extensions.Logging;

namespace SocialLearning.Graph;

/// <summary>
/// Honours Graph throttling in the request pipeline, in place of the SDK's default retry handler: a response 429, 503 or
/// 504 is retried after its <c>Retry-After</c> (seconds or an HTTP date; 2, 4, 8 … s when absent), up to
/// <see cref="GraphOptions.MaxThrottleRetries"/> times, as long as the wait is at most
/// <see cref="GraphOptions.MaxRetryAfterWaitSeconds"/>. A longer wait, or exhausted retries, returns the throttled response
/// to the caller, which re-queues its work with that delay (<see cref="GraphErrors.Translate"/>). Source: "Microsoft
/// Graph throttling guidance" (learn.microsoft.com/graph/throttling).
/// </summary>
public sealed class RetryAfterHandler(GraphOptions options, ILogger logger, TimeProvider time) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var cap = TimeSpan.FromSeconds(options.MaxRetryAfterWaitSeconds);
        // Keep an unsent copy: an HttpRequestMessage is sent once only, and the content stream may be consumed.
        var pending = options.MaxThrottleRetries > 0 ? await CloneAsync(request, cancellationToken).ConfigureAwait(false) : null;
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; attempt <= options.MaxThrottleRetries && IsThrottled(response.StatusCode); attempt++)
        {
            var delay = GraphErrors.RetryAfter(response.Headers.RetryAfter, time) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
            if (delay > cap)
            {
                logger.LogWarning("Graph answered {Status} to {Method} {Path} with Retry-After {Delay}, longer than the {Cap} waited in one run; handing it back to be re-queued",
                    (int)response.StatusCode, request.Method, request.RequestUri?.AbsolutePath, delay, cap);
                return response;
            }
            logger.LogInformation("Graph answered {Status} to {Method} {Path}; waiting {Delay} (Retry-After) before try {Attempt}",
                (int)response.StatusCode, request.Method, request.RequestUri?.AbsolutePath, delay, attempt + 1);
            response.Dispose();
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            var next = pending!;
            pending = attempt < options.MaxThrottleRetries ? await CloneAsync(next, cancellationToken).ConfigureAwait(false) : null;
            response = await base.SendAsync(next, cancellationToken).ConfigureAwait(false);
        }
        return response;
    }

    /// <summary>An unsent copy of <paramref name="request"/>: method, URI, version, headers, options and buffered content.</summary>
    public static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        foreach (var option in request.Options) ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        if (request.Content is not null)
        {
            var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            copy.Content = new ByteArrayContent(bytes);
            foreach (var header in request.Content.Headers) copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }

    /// <summary>429 Too Many Requests, 503 Service Unavailable and 504 Gateway Timeout: wait and retry, never a failure.</summary>
    public static bool IsThrottled(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}
