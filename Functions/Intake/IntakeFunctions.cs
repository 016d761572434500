using Microsoft.Azure.Functions.Worker;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>Function adapters of intake: bind the trigger, call the handler.</summary>
public sealed class IntakeFunctions(InboundMailHandler handler, MailboxPoller poller)
{
    /// <summary><c>inbound-mail</c> queue trigger → <see cref="InboundMailHandler"/>.</summary>
    [Function("ProcessInboundMail")]
    public async Task ProcessInboundMail([QueueTrigger(QueueNames.InboundMail)] InboundMailMessage message, CancellationToken cancellationToken) =>
        await handler.HandleAsync(message, cancellationToken).ConfigureAwait(false);

    /// <summary>Every 30 s: picks up new mail from the local Maildir inbox (Transport = Maildir only).</summary>
    [Function("PollLocalInbox")]
    public async Task PollLocalInbox([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        await poller.PollAsync(cancellationToken).ConfigureAwait(false);
}
