using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>The verdict on one notification's clientState.</summary>
/// <param name="Valid">True when the subscription is ours and the clientState matches the stored one.</param>
/// <param name="Reason">Why not, for the log; empty when valid.</param>
public sealed record ClientStateCheck(bool Valid, string Reason);

/// <summary>
/// Checks the <c>clientState</c> of change and lifecycle notifications against the secret stored with each subscription
/// in the <c>Subscriptions</c> table (source: "Receive change notifications through webhooks", validating the
/// clientState, learn.microsoft.com/graph/change-notifications-delivery-webhooks). The comparison is constant-time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/> over SHA-256 digests, so lengths leak nothing either). Known
/// secrets are cached for <see cref="CacheFor"/>, so a notification batch costs no table read once warm; a subscription id
/// that is not stored is remembered as unknown for <see cref="UnknownFor"/>, so a flood of forged notifications naming
/// one id costs one read (a new subscription's id cannot have been looked up before it existed).
/// </summary>
public sealed class ClientStateStore(StorageClients storage, IOptions<MailOptions> mail, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (byte[] Digest, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    /// <summary>How long a subscription id that is not stored is remembered as unknown: 1 minute.</summary>
    public static TimeSpan UnknownFor { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Most unknown ids remembered at once (10,000); beyond it, expired ones are dropped first and then all.</summary>
    private const int MaxUnknown = 10_000;

    /// <summary>How long a stored clientState is kept in memory.</summary>
    public static TimeSpan CacheFor { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks <paramref name="clientState"/> for <paramref name="subscriptionId"/> of the shared mailbox.</summary>
    public async Task<ClientStateCheck> VerifyAsync(string? subscriptionId, string? clientState, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(subscriptionId)) return new(false, "the notification has no subscriptionId");
        if (string.IsNullOrEmpty(clientState)) return new(false, "the notification has no clientState");
        byte[] expected;
        if (_cache.TryGetValue(subscriptionId, out var cached) && cached.Until > time.GetUtcNow())
        {
            expected = cached.Digest;
        }
        else
        {
            var now = time.GetUtcNow();
            if (_unknown.TryGetValue(subscriptionId, out var until) && until > now) return NotOurs(subscriptionId);
            var row = await storage.Table(TableNames.Subscriptions).GetOrNullAsync<SubscriptionEntity>(
                SubscriptionEntity.PartitionFor(mail.Value.SharedAddress), KeyEncoding.Encode(subscriptionId), cancellationToken).ConfigureAwait(false);
            if (row is null || row.SubscriptionId.Length == 0)
            {
                if (_unknown.Count >= MaxUnknown)
                {
                    foreach (var (id, at) in _unknown) if (at <= now) _unknown.TryRemove(id, out _);
                    if (_unknown.Count >= MaxUnknown) _unknown.Clear();
                }
                _unknown[subscriptionId] = now + UnknownFor;
                return NotOurs(subscriptionId);
            }
            expected = Remember(row);
        }
        return CryptographicOperations.FixedTimeEquals(expected, Digest(clientState))
            ? new(true, "")
            : new(false, $"the clientState does not match the one stored for subscription {subscriptionId}");
    }

    /// <summary>True when the clientState of <paramref name="subscriptionId"/> is cached (a subscription of this service, seen lately).</summary>
    public bool IsKnown(string subscriptionId) => _cache.TryGetValue(subscriptionId, out var cached) && cached.Until > time.GetUtcNow();

    /// <summary>True when <paramref name="subscriptionId"/> was looked up lately and is not stored (no table read needed to drop it).</summary>
    public bool IsKnownUnknown(string? subscriptionId) =>
        subscriptionId is not null && _unknown.TryGetValue(subscriptionId, out var until) && until > time.GetUtcNow();

    private static ClientStateCheck NotOurs(string subscriptionId) => new(false, $"subscription {subscriptionId} is not one of this service's subscriptions");

    /// <summary>Caches the clientState of <paramref name="row"/> (called when a subscription is created or read).</summary>
    public byte[] Remember(SubscriptionEntity row)
    {
        _unknown.TryRemove(row.SubscriptionId, out _);
        var digest = Digest(row.ClientState);
        _cache[row.SubscriptionId] = (digest, time.GetUtcNow() + CacheFor);
        return digest;
    }

    /// <summary>Drops a subscription from the cache (it was replaced).</summary>
    public void Forget(string subscriptionId) => _cache.TryRemove(subscriptionId, out _);

    /// <summary>A new random clientState: 32 bytes from the OS's CSPRNG, Base64url without padding (43 characters; Graph allows 128).</summary>
    public static string NewClientState() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
