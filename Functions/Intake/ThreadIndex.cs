using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>
/// Which question a mail the service took in belongs to, by its Internet Message-ID (table <c>Threads</c>). A mail that
/// answers one of them — a colleague replying to an expert's forward of a request, from a phone that dropped the
/// <c>[Q-XXXXXX]</c> token and whose In-Reply-To names the forward, not the service's own request — is matched to its
/// question through it, instead of being taken for a new question.
/// </summary>
public sealed class ThreadIndex(StorageClients storage)
{
    /// <summary>Most Message-IDs of a mail's <c>References</c> looked up (the newest ones): 10.</summary>
    public const int MaxReferencesLookedUp = 10;

    /// <summary>Records that the mail with <paramref name="messageId"/> belongs to <paramref name="questionId"/>; nothing
    /// for a mail without a Message-ID. Recording it again changes nothing.</summary>
    /// <param name="messageId">The mail's Message-ID (angle brackets optional), or null.</param>
    /// <param name="questionId">The question id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task RecordAsync(string? messageId, string questionId, CancellationToken cancellationToken)
    {
        if (Key(messageId) is not { } key) return;
        await storage.Table(TableNames.Threads).UpsertEntityAsync(new ThreadEntity { PartitionKey = key[..2], RowKey = key, QuestionId = questionId },
            Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The question of the first recorded mail among <paramref name="inReplyTo"/> and the newest
    /// <see cref="MaxReferencesLookedUp"/> of <paramref name="references"/>; null when none is recorded.</summary>
    /// <param name="inReplyTo">The mail's In-Reply-To, or null.</param>
    /// <param name="references">The mail's References, oldest first.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<string?> FindAsync(string? inReplyTo, IEnumerable<string>? references, CancellationToken cancellationToken)
    {
        var ids = (references ?? []).Reverse().Take(MaxReferencesLookedUp).Prepend(inReplyTo).Select(Key).OfType<string>().Distinct(StringComparer.Ordinal);
        var table = storage.Table(TableNames.Threads);
        foreach (var key in ids)
        {
            if (await table.GetOrNullAsync<ThreadEntity>(key[..2], key, cancellationToken).ConfigureAwait(false) is { } row) return row.QuestionId;
        }
        return null;
    }

    /// <summary>
    /// Records that <paramref name="participant"/> (the asker, or an expert sent the request) has a thread about
    /// <paramref name="questionId"/> under <paramref name="subject"/> (<see cref="QuestionIds.ThreadSubject"/>), so their
    /// reply that lost both the token and the mail headers that name the thread ("Re: Badge not working after
    /// sabbatical", typed fresh or from a client that drops In-Reply-To) still lands in it. The newest question under a
    /// subject wins. Nothing for an empty subject.
    /// </summary>
    /// <param name="participant">The participant's mail address.</param>
    /// <param name="subject">The subject of the mail they got or sent.</param>
    /// <param name="questionId">The question id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task RecordSubjectAsync(string participant, string? subject, string questionId, CancellationToken cancellationToken)
    {
        if (SubjectKey(participant, subject) is not { } key) return;
        await storage.Table(TableNames.Threads).UpsertEntityAsync(new ThreadEntity { PartitionKey = key[..2], RowKey = key, QuestionId = questionId },
            Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The question <paramref name="participant"/> has a thread about under <paramref name="subject"/>
    /// (<see cref="RecordSubjectAsync"/>), or null.</summary>
    /// <param name="participant">The sender's mail address.</param>
    /// <param name="subject">The mail's subject.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<string?> FindBySubjectAsync(string participant, string? subject, CancellationToken cancellationToken) =>
        SubjectKey(participant, subject) is { } key
            ? (await storage.Table(TableNames.Threads).GetOrNullAsync<ThreadEntity>(key[..2], key, cancellationToken).ConfigureAwait(false))?.QuestionId
            : null;

    private static string? SubjectKey(string participant, string? subject)
    {
        var thread = QuestionIds.ThreadSubject(subject);
        return thread.Length == 0 || string.IsNullOrWhiteSpace(participant) ? null : KeyEncoding.Hash($"subject:{participant.Trim().ToLowerInvariant()}:{thread}");
    }

    /// <summary>The key of a Message-ID: SHA-256 (hex) of it without angle brackets, trimmed, lower case; null when empty.</summary>
    private static string? Key(string? messageId)
    {
        var id = messageId?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(id) ? null : KeyEncoding.Hash("mid:" + id.ToLowerInvariant());
    }
}
