using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Graph;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>
/// Keeps one Graph subscription on the shared mailbox's inbox messages
/// (<c>users/{mailbox}/mailFolders('Inbox')/messages</c>, changeType <c>created</c>, with a lifecycle notification URL)
/// alive (<c>RenewMailSubscription</c>, hourly). Source: "Create subscription" and "Update subscription",
/// learn.microsoft.com/graph/api/subscription-post-subscriptions, …/subscription-update.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>No subscription stored, or the stored one expired → create one (new random clientState) and catch up.</item>
/// <item>Less than <see cref="GraphOptions.RenewWindow"/> left → renew (PATCH expirationDateTime to now + lifetime).</item>
/// <item>Renew or reauthorize answered 404 (Graph no longer knows it), or a <c>subscriptionRemoved</c> lifecycle
/// notification → create a new one and catch up from the mailbox's stored delta link (<see cref="MailboxCatchUp"/>), so
/// nothing that arrived in between is lost. The old row is marked expired before the new one is created: if creating
/// fails, the next hourly run tries again instead of trusting the old expiry.</item>
/// </list>
/// The lifetime asked for is <see cref="GraphOptions.EffectiveLifetime"/> (clamped to the configured maximum, less a
/// margin for clock skew). Rows live in
/// the <c>Subscriptions</c> table (<see cref="SubscriptionEntity"/>); replaced rows are deleted.
/// </remarks>
public sealed class MailSubscriptionKeeper(
    GraphServiceClient graph,
    StorageClients storage,
    ClientStateStore states,
    MailboxCatchUp catchUp,
    IOptions<MailOptions> mail,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<MailSubscriptionKeeper> logger)
{
    private string Mailbox => mail.Value.SharedAddress;

    /// <summary>The subscribed resource: the shared mailbox's inbox messages.</summary>
    public string Resource => $"users/{Mailbox}/mailFolders('Inbox')/messages";

    /// <summary>
    /// Creates or renews the subscription as needed (see the class remarks) and returns the current row.
    /// </summary>
    /// <exception cref="MailboxAccessDeniedException">The app may not subscribe to the mailbox (Mail.Read).</exception>
    /// <exception cref="MailboxThrottledException">Graph asked to wait longer than one run waits.</exception>
    public async Task<SubscriptionEntity> EnsureAsync(CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var current = rows.MaxBy(r => r.ExpiresAt);
        SubscriptionEntity result;
        if (current is null)
            result = await ReplaceAsync(null, "there is none yet", cancellationToken).ConfigureAwait(false);
        else if (current.ExpiresAt <= now)
            result = await ReplaceAsync(current, $"the stored one expired at {current.ExpiresAt:u}", cancellationToken).ConfigureAwait(false);
        else if (current.ExpiresAt - now <= graphOptions.Value.RenewWindow)
            result = await RenewAsync(current, cancellationToken).ConfigureAwait(false);
        else
        {
            logger.LogInformation("Subscription {SubscriptionId} on {Mailbox} is good until {ExpiresAt:u}; nothing to do", current.SubscriptionId, Mailbox, current.ExpiresAt);
            result = current;
        }
        foreach (var stale in rows.Where(r => r.RowKey != result.RowKey && r.ExpiresAt <= now))
            await DeleteRowAsync(stale, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Renews <paramref name="row"/> to now + lifetime. A 404 creates a new subscription and
    /// runs a catch-up. Safe to repeat.
    /// </summary>
    public async Task<SubscriptionEntity> RenewAsync(SubscriptionEntity row, CancellationToken cancellationToken)
    {
        var expires = time.GetUtcNow() + graphOptions.Value.EffectiveLifetime;
        try
        {
            var updated = await graph.Subscriptions[row.SubscriptionId].PatchAsync(new Subscription { ExpirationDateTime = expires }, cancellationToken: cancellationToken).ConfigureAwait(false);
            row.ExpiresAt = updated?.ExpirationDateTime ?? expires;
            row.RenewedAt = time.GetUtcNow();
            await storage.Table(TableNames.Subscriptions).UpsertEntityAsync(row, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Renewed subscription {SubscriptionId} on {Mailbox} until {ExpiresAt:u}", row.SubscriptionId, Mailbox, row.ExpiresAt);
            return row;
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return await ReplaceAsync(row, $"renewing it answered 404 (Graph no longer knows subscription {row.SubscriptionId})", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, $"renew subscription {row.SubscriptionId}", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Answers a <c>reauthorizationRequired</c> lifecycle event: <c>POST subscriptions/{id}/reauthorize</c>, then a renewal
    /// if the subscription is inside the renewal window. A 404 creates a new subscription and catches up; an unknown id
    /// falls back to <see cref="EnsureAsync"/>. Safe to repeat.
    /// </summary>
    public async Task<SubscriptionEntity> ReauthorizeAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var row = (await RowsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.SubscriptionId == subscriptionId);
        if (row is null)
        {
            logger.LogWarning("Reauthorization asked for subscription {SubscriptionId}, which is not stored for {Mailbox}; ensuring the current one instead", subscriptionId, Mailbox);
            return await EnsureAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await graph.Subscriptions[subscriptionId].Reauthorize.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            row.RenewedAt = time.GetUtcNow();
            logger.LogInformation("Reauthorized subscription {SubscriptionId} on {Mailbox}", subscriptionId, Mailbox);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return await ReplaceAsync(row, $"reauthorizing it answered 404 (Graph no longer knows subscription {subscriptionId})", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, $"reauthorize subscription {subscriptionId}", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
        return row.ExpiresAt - time.GetUtcNow() <= graphOptions.Value.RenewWindow
            ? await RenewAsync(row, cancellationToken).ConfigureAwait(false)
            : row;
    }

    /// <summary>
    /// Replaces subscription <paramref name="subscriptionId"/> (Graph removed it) with a new one and catches up. When the id
    /// is no longer the current one (a repeated event), nothing new is created.
    /// </summary>
    public async Task<SubscriptionEntity> RecreateAsync(string subscriptionId, string reason, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(cancellationToken).ConfigureAwait(false);
        var row = rows.FirstOrDefault(r => r.SubscriptionId == subscriptionId);
        var current = rows.MaxBy(r => r.ExpiresAt);
        if (row is null && current is not null && current.ExpiresAt > time.GetUtcNow())
        {
            logger.LogInformation("Subscription {SubscriptionId} was already replaced by {CurrentId}; catching up only", subscriptionId, current.SubscriptionId);
            await catchUp.RunAsync(reason, cancellationToken).ConfigureAwait(false);
            return current;
        }
        return await ReplaceAsync(row ?? current, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks <paramref name="old"/> expired, creates a new subscription, deletes <paramref name="old"/>, catches up.</summary>
    private async Task<SubscriptionEntity> ReplaceAsync(SubscriptionEntity? old, string reason, CancellationToken cancellationToken)
    {
        if (old is not null && old.ExpiresAt > time.GetUtcNow())
        {
            // Marked expired first: if creating fails, the next hourly run replaces it instead of trusting an expiry days away.
            old.ExpiresAt = time.GetUtcNow();
            await storage.Table(TableNames.Subscriptions).UpsertEntityAsync(old, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        var created = await CreateAsync(cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Created subscription {SubscriptionId} on {Mailbox} until {ExpiresAt:u} because {Reason}; catching up",
            created.SubscriptionId, Mailbox, created.ExpiresAt, reason);
        if (old is not null)
        {
            await DeleteRowAsync(old, cancellationToken).ConfigureAwait(false);
            states.Forget(old.SubscriptionId);
        }
        await catchUp.RunAsync("subscription (re)created: " + reason, cancellationToken).ConfigureAwait(false);
        return created;
    }

    private async Task<SubscriptionEntity> CreateAsync(CancellationToken cancellationToken)
    {
        var options = graphOptions.Value;
        var clientState = ClientStateStore.NewClientState();
        var expires = time.GetUtcNow() + options.EffectiveLifetime;
        Subscription? created;
        try
        {
            created = await graph.Subscriptions.PostAsync(new Subscription
            {
                ChangeType = "created",
                NotificationUrl = options.NotificationUrl,
                LifecycleNotificationUrl = options.LifecycleNotificationUrl,
                Resource = Resource,
                ExpirationDateTime = expires,
                ClientState = clientState,
                LatestSupportedTlsVersion = "v1_2",
            }, r => r.Headers.Add("Prefer", GraphMailbox.PreferImmutableId), cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, "create the inbox subscription", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
        if (created?.Id is not { Length: > 0 } id)
            throw new InvalidOperationException($"Graph created a subscription on {Resource} but returned no id.");
        var row = new SubscriptionEntity
        {
            PartitionKey = SubscriptionEntity.PartitionFor(Mailbox), RowKey = KeyEncoding.Encode(id), Mailbox = Mailbox, SubscriptionId = id,
            ClientState = clientState, Resource = Resource, ExpiresAt = created.ExpirationDateTime ?? expires, CreatedAt = time.GetUtcNow(),
        };
        await storage.Table(TableNames.Subscriptions).UpsertEntityAsync(row, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        states.Remember(row);
        return row;
    }

    /// <summary>Every stored subscription row of the shared mailbox.</summary>
    public async Task<List<SubscriptionEntity>> RowsAsync(CancellationToken cancellationToken)
    {
        var table = storage.Table(TableNames.Subscriptions);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        return await table.ReadAllAsync<SubscriptionEntity>(SubscriptionEntity.PartitionFor(Mailbox), cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteRowAsync(SubscriptionEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Table(TableNames.Subscriptions).DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
