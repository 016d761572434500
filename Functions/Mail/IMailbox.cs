using MimeKit;

namespace SocialLearning.Mail;

/// <summary>
/// The shared mailbox as the service sees it: new inbound mail to pick up, raw MIME of one mail, and sending.
/// Implementations: <see cref="MaildirMailbox"/> (local) and, later, a Graph mailbox. Message references are
/// opaque strings that only the implementation interprets (Maildir file name, Graph message id).
/// </summary>
public interface IMailbox
{
    /// <summary>
    /// Claims the mail that arrived since the last call and returns a reference for each. A claimed mail is not
    /// returned again (Maildir: moved from <c>new/</c> to <c>cur/</c>).
    /// </summary>
    Task<IReadOnlyList<string>> ClaimNewAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Marks a claimed mail as fully processed (Maildir: the "seen" flag <c>S</c>). A claimed mail that is never marked
    /// (its process died before intake finished) is claimed again by a later <see cref="ClaimNewAsync"/>.
    /// </summary>
    Task MarkProcessedAsync(string messageRef, CancellationToken cancellationToken);

    /// <summary>Raw RFC 5322 bytes of the mail, or null when it no longer exists.</summary>
    Task<byte[]?> ReadAsync(string messageRef, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> from the shared address. <paramref name="idempotencyKey"/> identifies the
    /// send: a second call with the same key does not send a second copy where the transport can tell.
    /// </summary>
    Task SendAsync(MimeMessage message, string idempotencyKey, CancellationToken cancellationToken);
}
