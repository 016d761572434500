using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace SocialLearning.Storage;

/// <summary>
/// Queue retry and poison settings, read from the <c>extensions.queues</c> section of <c>host.json</c> so the local
/// commands behave as the Functions host does (source: "Azure Queue storage trigger", host.json settings).
/// </summary>
/// <param name="MaxDequeueCount">Tries before a message moves to <c>&lt;queue&gt;-poison</c>. Host default 5.</param>
/// <param name="VisibilityTimeout">Delay before a failed message becomes visible again. Host default 0.</param>
/// <param name="BatchSize">Messages fetched and processed in parallel. Host default 16.</param>
public sealed record QueueSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, int BatchSize)
{
    /// <summary>The Functions host's own defaults.</summary>
    public static QueueSettings HostDefaults { get; } = new(5, TimeSpan.Zero, 16);

    /// <summary>
    /// Reads <paramref name="hostJsonPath"/> (default: <c>host.json</c> beside the app). Missing file or keys give the
    /// host defaults; a malformed file throws <see cref="InvalidOperationException"/> naming the file.
    /// </summary>
    public static QueueSettings FromHostJson(string? hostJsonPath = null)
    {
        var path = hostJsonPath ?? Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(path)) return HostDefaults;
        try
        {
            var queues = JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"];
            if (queues is null) return HostDefaults;
            var d = HostDefaults;
            return new QueueSettings(
                queues["maxDequeueCount"]?.GetValue<int>() ?? d.MaxDequeueCount,
                queues["visibilityTimeout"] is { } v ? TimeSpan.Parse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : d.VisibilityTimeout,
                queues["batchSize"]?.GetValue<int>() ?? d.BatchSize);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{path} has an invalid extensions.queues section: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// Runs a handler over a Storage Queue the way the Functions queue trigger does: a message is deleted after the handler
/// succeeds; after a failure it becomes visible again after <see cref="QueueSettings.VisibilityTimeout"/>; once it has
/// been tried <see cref="QueueSettings.MaxDequeueCount"/> times it is copied unchanged to <c>&lt;queue&gt;-poison</c>
/// (so it can be replayed) and the failure reason is logged. Nothing is dropped.
/// </summary>
public sealed class QueueWorker(StorageClients storage, QueueSettings settings, ILogger<QueueWorker> logger)
{
    /// <summary>The settings in force.</summary>
    public QueueSettings Settings => settings;

    /// <summary>
    /// Fetches up to one batch of visible messages from <paramref name="queueName"/> and processes them in parallel.
    /// Returns how many messages were fetched (0 when none was visible).
    /// </summary>
    public async Task<int> ProcessBatchAsync(string queueName, Func<string, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        var queue = storage.Queue(queueName);
        // The lease: long enough for any handler; if this process dies, the message reappears after it.
        QueueMessage[] batch = await queue.ReceiveMessagesAsync(Math.Clamp(settings.BatchSize, 1, 32), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        if (batch.Length == 0) return 0;
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, batch.Length), CancellationToken = cancellationToken },
            async (m, ct) => await ProcessOneAsync(queue, m, handler, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return batch.Length;
    }

    /// <summary>
    /// Receives every visible message of the queue (up to <paramref name="max"/>, in batches of 32 under one lease each),
    /// then handles them one at a time in the order of <paramref name="orderKey"/> (e.g. the question's received time): for
    /// work whose outcome depends on order, such as routing under a capacity cap, when a local run should behave like mail
    /// arriving one after another.
    /// </summary>
    /// <param name="queueName">Queue to read.</param>
    /// <param name="orderKey">Sort key of a message body (ordinal string order).</param>
    /// <param name="handler">Handles one message body.</param>
    /// <param name="cancellationToken">Cancels between messages.</param>
    /// <param name="max">Most messages taken in one call: 1,000.</param>
    /// <returns>Messages received.</returns>
    public async Task<int> ProcessAllInOrderAsync(string queueName, Func<string, CancellationToken, Task<string>> orderKey,
        Func<string, CancellationToken, Task> handler, CancellationToken cancellationToken, int max = 1000)
    {
        var queue = storage.Queue(queueName);
        var keyed = new List<(string Key, QueueMessage Message)>();
        while (keyed.Count < max)
        {
            // The lease covers handling all of them one after another (a few seconds per hundred questions).
            QueueMessage[] batch = await queue.ReceiveMessagesAsync(Math.Clamp(settings.BatchSize, 1, 32), TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            if (batch.Length == 0) break;
            foreach (var m in batch)
            {
                string key;
                try { key = await orderKey(m.Body.ToString(), cancellationToken).ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OperationCanceledException) { key = ""; } // the handler reports the bad message
                keyed.Add((key, m));
            }
        }
        foreach (var (_, m) in keyed.OrderBy(k => k.Key, StringComparer.Ordinal).ThenBy(k => k.Message.InsertedOn))
            await ProcessOneAsync(queue, m, handler, cancellationToken).ConfigureAwait(false);
        return keyed.Count;
    }

    /// <summary>Approximate number of messages in the queue, visible or not.</summary>
    public async Task<int> PendingAsync(string queueName, CancellationToken cancellationToken)
    {
        var props = await storage.Queue(queueName).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        return props.Value.ApproximateMessagesCount;
    }

    private async Task ProcessOneAsync(QueueClient queue, QueueMessage message, Func<string, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        string body = message.Body.ToString();
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            await MoveToPoisonAsync(queue, message, body, "it was already dequeued more than maxDequeueCount times", cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await handler(body, cancellationToken).ConfigureAwait(false);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, message, body, $"{ex.GetType().Name}: {ex.Message}", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                logger.LogWarning(ex, "Message {MessageId} on {Queue} failed (try {DequeueCount} of {MaxDequeueCount}); retrying after {Delay}",
                    message.MessageId, queue.Name, message.DequeueCount, settings.MaxDequeueCount, settings.VisibilityTimeout);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueMessage message, string body, string reason, CancellationToken cancellationToken)
    {
        var poison = storage.Queue(QueueNames.Poison(queue.Name));
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        logger.LogError("Message {MessageId} on {Queue} moved to {PoisonQueue} after {DequeueCount} tries: {Reason}. Body: {Body}",
            message.MessageId, queue.Name, poison.Name, message.DequeueCount, reason, body.Length > 500 ? body[..500] : body);
    }
}
