using Microsoft.Extensions.Logging;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>
/// Picks up new mail from the local mailbox (Maildir transport) and enqueues one <c>inbound-mail</c> message per mail.
/// The Graph transport is driven by change notifications instead.
/// </summary>
public sealed class MailboxPoller(IMailbox mailbox, StorageClients storage, ILogger<MailboxPoller> logger)
{
    /// <summary>Claims new mail and enqueues it; returns how many mails were enqueued.</summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        var claimed = await mailbox.ClaimNewAsync(cancellationToken).ConfigureAwait(false);
        var queue = storage.Queue(QueueNames.InboundMail);
        foreach (var messageRef in claimed)
            await queue.SendJsonAsync(new InboundMailMessage(messageRef), cancellationToken).ConfigureAwait(false);
        if (claimed.Count > 0) logger.LogInformation("Picked up {MailCount} new mails from the local inbox", claimed.Count);
        return claimed.Count;
    }
}
