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

    /// <summary>The key of a Message-ID: SHA-256 (hex) of it without angle brackets, trimmed, lower case; null when empty.</summary>
    private static string? Key(string? messageId)
    {
        var id = messageId?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(id) ? null : KeyEncoding.Hash("mid:" + id.ToLowerInvariant());
    }
}
