using System.Collections.Concurrent;

namespace SocialLearning.Graph;

/// <summary>
/// Caps the Graph requests in flight per mailbox: Outlook allows 4 concurrent requests per app and mailbox and answers
/// more with 429 (source: "Microsoft Graph service-specific throttling limits", Outlook service limits). The mailbox is
/// the path segment after <c>users/</c> (<c>/v1.0/users/ask@contoso.example/messages/…</c>), compared case-insensitively;
/// requests not under <c>users/</c> (for example <c>subscriptions</c>) are not limited. Sits innermost in the Graph
/// pipeline, so a request waiting for a <c>Retry-After</c> holds no slot.
/// </summary>
public sealed class MailboxConcurrencyHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _limit;

    /// <summary>Creates the handler with at most <paramref name="limitPerMailbox"/> requests in flight per mailbox.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limitPerMailbox"/> is less than 1.</exception>
    public MailboxConcurrencyHandler(int limitPerMailbox)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limitPerMailbox, 1);
        _limit = limitPerMailbox;
    }

    /// <summary>The mailbox a request addresses (the segment after <c>users/</c>, unescaped), or null.</summary>
    public static string? MailboxOf(Uri? uri)
    {
        if (uri is null) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = Uri.UnescapeDataString(segments[i]);
            // users('ask@contoso.example')/… addresses the same mailbox as users/ask@contoso.example/…
            if (segment.StartsWith("users('", StringComparison.OrdinalIgnoreCase) && segment.EndsWith("')", StringComparison.Ordinal))
                return segment[7..^2].ToLowerInvariant();
            if (i + 1 < segments.Length && segment.Equals("users", StringComparison.OrdinalIgnoreCase))
            {
                return Uri.UnescapeDataString(segments[i + 1]).ToLowerInvariant();
            }
        }
        return null;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var mailbox = MailboxOf(request.RequestUri);
        if (mailbox is null) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var gate = _gates.GetOrAdd(mailbox, _ => new SemaphoreSlim(_limit, _limit));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
