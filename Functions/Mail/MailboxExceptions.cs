namespace SocialLearning.Mail;

/// <summary>
/// The mailbox's service asked to wait (Graph: HTTP 429, 503 or 504 with <c>Retry-After</c>). Not a failure: the caller
/// re-queues its work with <see cref="RetryAfter"/> as the delay.
/// </summary>
public sealed class MailboxThrottledException(string mailbox, string operation, int status, TimeSpan retryAfter, Exception? inner = null)
    : Exception($"The mail service answered {status} to '{operation}' on mailbox {mailbox}: retry after {retryAfter.TotalSeconds:0} s.", inner)
{
    /// <summary>The mailbox addressed.</summary>
    public string Mailbox { get; } = mailbox;

    /// <summary>HTTP status (429, 503 or 504).</summary>
    public int Status { get; } = status;

    /// <summary>How long to wait before trying again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The app is not allowed to do this on the mailbox (Graph: HTTP 403). Permanent until an administrator grants the
/// permission: the caller logs it once, parks the work where it can be replayed, and does not retry.
/// </summary>
public sealed class MailboxAccessDeniedException(string mailbox, string operation, string permission, int status, Exception? inner = null)
    : Exception($"Microsoft Graph refused '{operation}' on mailbox {mailbox} ({status}): the app needs the {permission} application " +
                $"permission (admin consent) and the mailbox must be in scope of its Exchange RBAC for Applications assignment or " +
                $"application access policy. Grant it, then replay the parked queue message.", inner)
{
    /// <summary>The mailbox addressed.</summary>
    public string Mailbox { get; } = mailbox;

    /// <summary>The application permission the operation needs, e.g. <c>Mail.Send</c>.</summary>
    public string Permission { get; } = permission;

    /// <summary>HTTP status (403).</summary>
    public int Status { get; } = status;
}

/// <summary>
/// The mail exists but intake must not treat it as inbound mail (Graph: it is outside the inbox, or it was sent by the
/// shared mailbox itself). Recorded with <see cref="Kind"/> and <see cref="Reason"/>, never retried.
/// </summary>
public sealed class MailSkippedException(string kind, string reason) : Exception(reason)
{
    /// <summary>Short state name, e.g. <c>NotInInbox</c> or <c>OwnMail</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>Why the mail is skipped, for the log and the Messages table.</summary>
    public string Reason { get; } = reason;
}
