using Microsoft.Extensions.Logging;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>Queue message of <c>mail-lifecycle</c>: one verified lifecycle notification to act on.</summary>
/// <param name="SubscriptionId">The subscription concerned.</param>
/// <param name="LifecycleEvent"><c>reauthorizationRequired</c>, <c>subscriptionRemoved</c> or <c>missed</c>.</param>
public sealed record MailLifecycleMessage(string SubscriptionId, string LifecycleEvent);

/// <summary>
/// Handles a Graph lifecycle-notification POST (<c>ReceiveLifecycleNotification</c>): the body is a collection of
/// <c>{subscriptionId, clientState, lifecycleEvent, …}</c> (source: "Reduce missing subscriptions and change notifications",
/// learn.microsoft.com/graph/change-notifications-lifecycle-events). Each item's clientState is checked like a change
/// notification's; good items are enqueued to <c>mail-lifecycle</c> (the reauthorize / recreate / catch-up work may take
/// longer than Graph waits for the answer) and answered 202; forged ones are logged and dropped.
/// </summary>
public sealed class GraphLifecycleHandler(ClientStateStore states, StorageClients storage, ILogger<GraphLifecycleHandler> logger)
{
    /// <summary>The lifecycle events the service acts on.</summary>
    public static readonly string[] KnownEvents = [MailLifecycleHandler.ReauthorizationRequired, MailLifecycleHandler.SubscriptionRemoved, MailLifecycleHandler.Missed];

    /// <summary>Handles one POST body.</summary>
    public async Task<WebhookResult> HandleAsync(Stream body, CancellationToken cancellationToken)
    {
        var (items, error) = await NotificationBody.ReadAsync(body, cancellationToken).ConfigureAwait(false);
        if (items is null)
        {
            logger.LogWarning("Rejected a lifecycle-notification POST: {Reason}", error);
            return WebhookResult.BadRequest(error!);
        }
        var accepted = new List<MailLifecycleMessage>();
        var rejected = 0;
        foreach (var item in items)
        {
            var subscriptionId = NotificationBody.String(item, "subscriptionId");
            var lifecycleEvent = NotificationBody.String(item, "lifecycleEvent");
            var check = await states.VerifyAsync(subscriptionId, NotificationBody.String(item, "clientState"), cancellationToken).ConfigureAwait(false);
            if (!check.Valid)
            {
                rejected++;
                logger.LogWarning("Dropped a lifecycle notification ({LifecycleEvent}) for subscription {SubscriptionId}: {Reason}", lifecycleEvent, subscriptionId, check.Reason);
                continue;
            }
            if (lifecycleEvent is null || !KnownEvents.Contains(lifecycleEvent, StringComparer.OrdinalIgnoreCase))
            {
                rejected++;
                logger.LogWarning("Ignored lifecycle event {LifecycleEvent} for subscription {SubscriptionId}: not one the service acts on", lifecycleEvent, subscriptionId);
                continue;
            }
            accepted.Add(new MailLifecycleMessage(subscriptionId!, lifecycleEvent));
        }
        var queue = storage.Queue(QueueNames.MailLifecycle);
        await Task.WhenAll(accepted.Select(m => queue.SendJsonAsync(m, cancellationToken))).ConfigureAwait(false);
        foreach (var m in accepted)
            logger.LogInformation("Lifecycle notification {LifecycleEvent} for subscription {SubscriptionId} enqueued", m.LifecycleEvent, m.SubscriptionId);
        return new WebhookResult(202, null, accepted.Count, rejected);
    }
}

/// <summary>
/// Handles <c>mail-lifecycle</c>: <c>reauthorizationRequired</c> → reauthorize the subscription (a 404 recreates it);
/// <c>subscriptionRemoved</c> → create a new subscription and catch up; <c>missed</c> → catch up. Every action is safe to
/// repeat. Throttling re-queues the message; a permission error is logged once and parked (<c>MailboxFailures</c>).
/// </summary>
public sealed class MailLifecycleHandler(MailSubscriptionKeeper keeper, MailboxCatchUp catchUp, StorageClients storage, ILogger<MailLifecycleHandler> logger)
{
    /// <summary>Graph asks for the subscription to be reauthorized (or renewed) before it expires.</summary>
    public const string ReauthorizationRequired = "reauthorizationRequired";
    /// <summary>Graph removed the subscription: create a new one and catch up.</summary>
    public const string SubscriptionRemoved = "subscriptionRemoved";
    /// <summary>Graph could not deliver some change notifications: catch up with the delta link.</summary>
    public const string Missed = "missed";

    /// <summary>Acts on one lifecycle event.</summary>
    public async Task HandleAsync(MailLifecycleMessage message, CancellationToken cancellationToken)
    {
        try
        {
            switch (message.LifecycleEvent)
            {
                case var e when e.Equals(ReauthorizationRequired, StringComparison.OrdinalIgnoreCase):
                    await keeper.ReauthorizeAsync(message.SubscriptionId, cancellationToken).ConfigureAwait(false);
                    break;
                case var e when e.Equals(SubscriptionRemoved, StringComparison.OrdinalIgnoreCase):
                    await keeper.RecreateAsync(message.SubscriptionId, "Graph removed it (lifecycle event subscriptionRemoved)", cancellationToken).ConfigureAwait(false);
                    break;
                case var e when e.Equals(Missed, StringComparison.OrdinalIgnoreCase):
                    await catchUp.RunAsync("lifecycle event missed", cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    logger.LogWarning("Ignored lifecycle event {LifecycleEvent} for subscription {SubscriptionId}", message.LifecycleEvent, message.SubscriptionId);
                    break;
            }
        }
        catch (Exception ex) when (Mail.MailboxFailures.Handles(ex))
        {
            await Mail.MailboxFailures.TryHandleAsync(ex, storage, QueueNames.MailLifecycle, message, logger, cancellationToken).ConfigureAwait(false);
        }
    }
}
