using Microsoft.Extensions.Logging;
using SocialLearning.Storage;

namespace SocialLearning.Mail;

/// <summary>
/// What a queue handler does when the mailbox's service throttles or refuses, so neither becomes a retry storm or a
/// poison loop: throttling re-queues the same message with the requested delay (the current one completes, so it is not
/// counted as a failed try); a refusal is logged once as an error naming the mailbox and the permission, and the message
/// is parked unchanged in <c>&lt;queue&gt;-poison</c>, ready to be replayed once the permission is granted.
/// </summary>
public static class MailboxFailures
{
    /// <summary>Longest delay a throttled message is re-queued with (Storage Queues allow up to 7 days of invisibility).</summary>
    public static TimeSpan MaxRequeueDelay { get; } = TimeSpan.FromDays(6);

    /// <summary>True for the exceptions <see cref="TryHandleAsync"/> handles (for <c>catch … when</c>).</summary>
    public static bool Handles(Exception ex) => ex is MailboxThrottledException or MailboxAccessDeniedException;

    /// <summary>
    /// Handles <paramref name="ex"/> when it is a <see cref="MailboxThrottledException"/> or a
    /// <see cref="MailboxAccessDeniedException"/>; returns false (nothing done) for anything else.
    /// </summary>
    /// <param name="ex">What the mailbox threw.</param>
    /// <param name="storage">Queue clients.</param>
    /// <param name="queue">The queue <paramref name="message"/> came from (see <c>QueueNames</c>).</param>
    /// <param name="message">The queue message, re-sent unchanged.</param>
    /// <param name="logger">Where the decision is logged.</param>
    /// <param name="cancellationToken">Cancels the re-queue.</param>
    public static async Task<bool> TryHandleAsync<T>(Exception ex, StorageClients storage, string queue, T message, ILogger logger, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case MailboxThrottledException throttled:
                // Queue visibility allows 1 s … 7 days; Graph asks for seconds to minutes.
                var delay = TimeSpan.FromSeconds(Math.Clamp(throttled.RetryAfter.TotalSeconds, 1, MaxRequeueDelay.TotalSeconds));
                await storage.Queue(queue).SendJsonAsync(message, cancellationToken, delay).ConfigureAwait(false);
                logger.LogWarning("Mailbox {Mailbox} is throttled ({Status}); {Queue} message re-queued to run again in {Delay} (not a failure)",
                    throttled.Mailbox, throttled.Status, queue, delay);
                return true;
            case MailboxAccessDeniedException denied:
                var poison = storage.Queue(QueueNames.Poison(queue));
                await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await poison.SendJsonAsync(message, cancellationToken).ConfigureAwait(false);
                logger.LogError("Permanent error, not retried: {Reason} The message was parked in {PoisonQueue}. Mailbox {Mailbox}, missing permission {Permission}",
                    denied.Message, poison.Name, denied.Mailbox, denied.Permission);
                return true;
            default:
                return false;
        }
    }
}
