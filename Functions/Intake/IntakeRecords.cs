using System.Globalization;
using System.Text;
using SocialLearning.Outcomes;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>
/// Reads what intake recorded about mails that did not become questions (auto-replies, bounces, bulk mail, own mail,
/// empty and malformed mail, replies in a routed thread, mail gone before it could be read): the <c>NonQuestion</c> rows
/// of the <c>Messages</c> table, which the outcome log does not hold. Used by the <c>intake</c> command.
/// </summary>
public static class IntakeRecords
{
    /// <summary>The header row of <see cref="WriteCsv"/>.</summary>
    public static readonly string[] Columns = ["processed_at_utc", "kind", "from", "subject", "reason", "message_id", "mailbox_ref"];

    /// <summary>
    /// Every mail intake recorded as not a question, oldest first by <see cref="MessageEntity.ProcessedAt"/> (UTC, when
    /// intake finished with it). One table query filtered on <c>State eq 'NonQuestion'</c>.
    /// </summary>
    /// <exception cref="Azure.RequestFailedException">The table could not be read.</exception>
    public static async Task<List<MessageEntity>> ReadNonQuestionsAsync(StorageClients storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var list = new List<MessageEntity>();
        await foreach (var m in storage.Table(TableNames.Messages)
                           .QueryAsync<MessageEntity>(m => m.State == "NonQuestion", maxPerPage: 1000, cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
            list.Add(m);
        return list.OrderBy(m => m.ProcessedAt).ThenBy(m => m.RowKey, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// CSV text (RFC 4180: comma separated, CRLF line ends, fields quoted when needed, spreadsheet formulas neutralised)
    /// with the header row <see cref="Columns"/>; times are ISO 8601 UTC, <c>kind</c> is a <see cref="MailKind"/> name
    /// (or Malformed, Reply, Gone, NotInInbox), <c>message_id</c> the Internet Message-ID when the mail had one, <c>mailbox_ref</c>
    /// the mail's reference in its mailbox (the Maildir file name as taken in, <c>…:2,</c>; the file under <c>inbox/cur/</c> gains the <c>S</c> flag once
    /// processed; the Graph message id), which finds a mail that has neither sender nor subject nor Message-ID.
    /// </summary>
    public static string WriteCsv(IEnumerable<MessageEntity> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append("\r\n");
        foreach (var r in records)
        {
            string[] fields = [r.ProcessedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), r.Kind, r.From, r.Subject, r.Reason, r.InternetMessageId, r.MessageRef];
            sb.AppendJoin(',', fields.Select(OutcomeCsv.Quote)).Append("\r\n");
        }
        return sb.ToString();
    }
}
