namespace SocialLearning.Intake;

/// <summary>What an inbound mail to the shared address is, as far as intake is concerned.</summary>
public enum MailKind
{
    /// <summary>A person's mail with text to route: a new question (or a reply the next intake step interprets).</summary>
    Question,

    /// <summary>Machine-generated mail that is neither a bounce nor bulk mail: out-of-office and other automatic replies
    /// (RFC 3834 <c>Auto-Submitted</c>, <c>X-Autoreply</c>, <c>Precedence: junk</c> or <c>auto_reply</c>), read receipts
    /// (MDN, RFC 8098) and abuse feedback reports (ARF, RFC 5965). Dropped, never answered.</summary>
    AutoReply,

    /// <summary>A delivery status notification (DSN, RFC 3464) or another non-delivery report. Dropped.</summary>
    Bounce,

    /// <summary>Mail sent by the shared mailbox itself (for example a copy of our own outbound mail). Dropped to avoid loops.</summary>
    OwnMail,

    /// <summary>No visible text and no subject: nothing to route.</summary>
    Empty,

    /// <summary>Bulk or mailing-list mail such as a newsletter: <c>Precedence: bulk</c> or <c>list</c>, a <c>List-Id</c>
    /// (RFC 2919) or a <c>List-Unsubscribe</c> header (RFC 2369). Dropped, never answered.</summary>
    Bulk,

    /// <summary>A meeting invitation, update, answer or cancellation: an iCalendar body part with an iTIP method
    /// (<c>text/calendar; method=REQUEST</c>, REPLY, CANCEL …; RFC 5545 and RFC 5546), as calendar clients send when the
    /// shared address is invited to a meeting. Dropped, never answered; an <c>.ics</c> file merely attached (no method)
    /// does not count.</summary>
    Calendar,
}

/// <summary>The verdict of <see cref="MailClassifier.Classify"/>.</summary>
/// <param name="Kind">The kind of mail.</param>
/// <param name="Reason">A short human-readable sentence naming the evidence, for logs and the outcome log,
/// for example <c>"Auto-Submitted: auto-replied"</c> or <c>"multipart/report; report-type=delivery-status"</c>.</param>
public sealed record MailClassification(MailKind Kind, string Reason);
