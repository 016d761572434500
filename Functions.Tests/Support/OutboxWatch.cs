using MimeKit;
using SocialLearning.Mail;

namespace SocialLearning.Tests.Support;

/// <summary>
/// The mails a Maildir's outbox gained since the last look. The outbox lists files by their idempotency-key names, not by
/// time, so "new" is told by Message-ID: what was not there before.
/// </summary>
/// <param name="maildir">The harness's mailbox; what its outbox holds now counts as seen.</param>
internal sealed class OutboxWatch(MaildirMailbox maildir)
{
    private readonly HashSet<string?> _seen = maildir.ReadOutbox().Select(m => m.MessageId).ToHashSet();

    /// <summary>The mails written since the last call (or since this watch was made).</summary>
    public List<MimeMessage> New()
    {
        var fresh = maildir.ReadOutbox().Where(m => !_seen.Contains(m.MessageId)).ToList();
        _seen.UnionWith(fresh.Select(m => m.MessageId));
        return fresh;
    }
}
