using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>What a webhook answered.</summary>
/// <param name="StatusCode">HTTP status: 200 (validation), 202 (accepted), 400 (not a notification collection).</param>
/// <param name="Text">The plain-text body: the validation token, or the reason for a 400; null for 202.</param>
/// <param name="Accepted">Notifications whose clientState matched and whose work was enqueued.</param>
/// <param name="Rejected">Notifications dropped (forged or unknown clientState, missing fields).</param>
public sealed record WebhookResult(int StatusCode, string? Text, int Accepted = 0, int Rejected = 0)
{
    /// <summary>A 400 with <paramref name="reason"/>.</summary>
    public static WebhookResult BadRequest(string reason) => new(400, reason);
}

/// <summary>
/// Handles a Graph change-notification POST (<c>ReceiveGraphNotification</c>): the body is a change notification
/// collection <c>{"value": [ {subscriptionId, clientState, changeType, resource, resourceData: {id, …}}, … ]}</c>
/// (source: "changeNotificationCollection resource type", learn.microsoft.com/graph/api/resources/changenotificationcollection).
/// Each item's clientState is checked (<see cref="ClientStateStore"/>); good <c>created</c> items are enqueued to
/// <c>inbound-mail</c> as <see cref="InboundMailMessage"/> with Source "graph" and the message id; forged or incomplete
/// items are logged and dropped. The answer is 202 at once (Graph allows 3 s; the work is the queue's). A body that is
/// not such a collection gets 400 with the reason and nothing is enqueued. Duplicate notifications are harmless: intake
/// dedupes by Internet Message-ID.
/// </summary>
public sealed class GraphNotificationHandler(ClientStateStore states, StorageClients storage, ILogger<GraphNotificationHandler> logger)
{
    /// <summary>Largest body read, bytes (Graph batches are far smaller).</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Distinct subscription ids one POST may name that are not this service's before the rest of its items are
    /// dropped without a table read: 3 (Graph's own batches name one or two subscriptions; a forged POST may name
    /// thousands).</summary>
    public const int MaxUnknownSubscriptionsPerPost = 3;

    /// <summary>Handles one POST body.</summary>
    public async Task<WebhookResult> HandleAsync(Stream body, CancellationToken cancellationToken)
    {
        var (items, error) = await NotificationBody.ReadAsync(body, cancellationToken).ConfigureAwait(false);
        if (items is null)
        {
            logger.LogWarning("Rejected a change-notification POST: {Reason}", error);
            return WebhookResult.BadRequest(error!);
        }

        var accepted = new List<InboundMailMessage>();
        var rejected = 0;
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        var flooded = 0;
        foreach (var item in items)
        {
            var subscriptionId = NotificationBody.String(item, "subscriptionId");
            if (subscriptionId is not null && unknown.Contains(subscriptionId))
            {
                rejected++; // looked up once in this POST already
                continue;
            }
            if (unknown.Count >= MaxUnknownSubscriptionsPerPost && subscriptionId is not null && !unknown.Contains(subscriptionId) &&
                !states.IsKnown(subscriptionId))
            {
                // A POST naming many foreign subscriptions is forged: its remaining unknown ids are not looked up.
                rejected++;
                flooded++;
                continue;
            }
            var check = await states.VerifyAsync(subscriptionId, NotificationBody.String(item, "clientState"), cancellationToken).ConfigureAwait(false);
            if (!check.Valid)
            {
                rejected++;
                if (check.UnknownSubscription && subscriptionId is not null) unknown.Add(subscriptionId);
                logger.LogWarning("Dropped a change notification for subscription {SubscriptionId}: {Reason}", subscriptionId, check.Reason);
                continue;
            }
            var changeType = NotificationBody.String(item, "changeType");
            var messageId = MessageId(item);
            if (!string.Equals(changeType, "created", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(messageId))
            {
                rejected++;
                logger.LogWarning("Dropped a change notification for subscription {SubscriptionId}: changeType {ChangeType}, message id {MessageId} (only created messages are intake's)",
                    subscriptionId, changeType, messageId);
                continue;
            }
            accepted.Add(new InboundMailMessage(messageId, InboundMailMessage.GraphSource));
        }

        var queue = storage.Queue(QueueNames.InboundMail);
        await Task.WhenAll(accepted.Select(m => queue.SendJsonAsync(m, cancellationToken))).ConfigureAwait(false);
        if (flooded > 0)
            logger.LogWarning("Dropped {Count} more change notifications of one POST unread: it named more than {Max} subscriptions that are not this service's",
                flooded, MaxUnknownSubscriptionsPerPost);
        if (accepted.Count > 0 || rejected > 0)
            logger.LogInformation("Change notifications: {Accepted} enqueued to {Queue}, {Rejected} dropped", accepted.Count, QueueNames.InboundMail, rejected);
        return new WebhookResult(202, null, accepted.Count, rejected);
    }

    /// <summary>
    /// The message id of a change notification: <c>resourceData.id</c>, else the last segment of <c>resource</c>
    /// (<c>Users/{user}/Messages/{id}</c>).
    /// </summary>
    public static string? MessageId(JsonElement item)
    {
        if (item.TryGetProperty("resourceData", out var data) && data.ValueKind == JsonValueKind.Object &&
            NotificationBody.String(data, "id") is { Length: > 0 } id)
            return id;
        var resource = NotificationBody.String(item, "resource");
        if (string.IsNullOrEmpty(resource)) return null;
        var at = resource.LastIndexOf("/messages/", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? null : resource[(at + "/messages/".Length)..];
    }
}

/// <summary>Reads the <c>value</c> array of a Graph notification POST.</summary>
internal static class NotificationBody
{
    /// <summary>The items of the collection, or null and the reason the body is not one.</summary>
    public static async Task<(IReadOnlyList<JsonElement>? Items, string? Error)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > GraphNotificationHandler.MaxBodyBytes)
                return (null, $"The body is larger than {GraphNotificationHandler.MaxBodyBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return (null, "The body is empty: expected a notification collection {\"value\": [...]}.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not JSON: {ex.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
                return (null, "The body is not a notification collection: expected a JSON object with a \"value\" array.");
            var items = new List<JsonElement>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    return (null, $"The body is not a notification collection: an item of \"value\" is a {item.ValueKind}, not an object.");
                items.Add(item.Clone());
            }
            return (items, null);
        }
    }

    /// <summary>A string property, or null.</summary>
    public static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
