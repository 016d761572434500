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
/// <param name="UnknownSubscription">True when the subscription id is not one of this service's (no stored row).</param>
public sealed record ClientStateCheck(bool Valid, string Reason, bool UnknownSubscription = false);

/// <summary>
/// Checks the <c>clientState</c> of change and lifecycle notifications against the secret stored with each subscription
/// in the <c>Subscriptions</c> table (source: "Receive change notifications through webhooks", validating the
/// clientState, learn.microsoft.com/graph/change-notifications-delivery-webhooks). The comparison is constant-time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/> over SHA-256 digests, so lengths leak nothing either). Known
/// secrets are cached for <see cref="CacheFor"/>, so a notification batch costs no table read once warm. Unknown ids are
/// not remembered across requests: a new subscription's first notifications can reach another instance before its row is
/// stored, and must not be dropped for a minute (a POST naming many unknown ids is cut short by the handler instead).
/// </summary>
public sealed class ClientStateStore(StorageClients storage, IOptions<MailOptions> mail, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (byte[] Digest, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

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
            var row = await storage.Table(TableNames.Subscriptions).GetOrNullAsync<SubscriptionEntity>(
                SubscriptionEntity.PartitionFor(mail.Value.SharedAddress), KeyEncoding.Encode(subscriptionId), cancellationToken).ConfigureAwait(false);
            if (row is null || row.SubscriptionId.Length == 0) return NotOurs(subscriptionId);
            expected = Remember(row);
        }
        return CryptographicOperations.FixedTimeEquals(expected, Digest(clientState))
            ? new(true, "")
            : new(false, $"the clientState does not match the one stored for subscription {subscriptionId}");
    }

    /// <summary>True when the clientState of <paramref name="subscriptionId"/> is cached (a subscription of this service, seen lately).</summary>
    public bool IsKnown(string subscriptionId) => _cache.TryGetValue(subscriptionId, out var cached) && cached.Until > time.GetUtcNow();

    private static ClientStateCheck NotOurs(string subscriptionId) => new(false, $"subscription {subscriptionId} is not one of this service's subscriptions", UnknownSubscription: true);

    /// <summary>Caches the clientState of <paramref name="row"/> (called when a subscription is created or read).</summary>
    public byte[] Remember(SubscriptionEntity row)
    {
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
