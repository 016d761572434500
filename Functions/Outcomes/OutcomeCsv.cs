using System.Globalization;
using System.Text;
using SocialLearning.Storage;

namespace SocialLearning.Outcomes;

/// <summary>CSV export of the outcome log (RFC 4180: comma separated, CRLF line ends, fields quoted when needed).</summary>
public static class OutcomeCsv
{
    /// <summary>
    /// The encoding CSV files for people are written in (outcomes, intake): UTF-8 with a byte-order mark. Excel opens a
    /// UTF-8 CSV without one in the system's ANSI code page, so "Zoë" or "报销" would arrive garbled in the spreadsheet
    /// L&amp;D reviews; tools that read UTF-8 (pandas, R, Power Query) skip the mark.
    /// </summary>
    public static readonly Encoding FileEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>The header row's columns. <c>minutes_since_received</c> is a number for spreadsheets and scripts: minutes
    /// (one decimal, invariant culture) from the question's <c>received</c> event in the same export to this event — for
    /// an <c>answered</c> event the time to that answer, the first of them the time to first answer; empty when the
    /// export holds no <c>received</c> event for the question. <c>first_answer</c> is <c>1</c> on the earliest
    /// <c>answered</c> event of each question (so an average time to first answer does not count a second answer), else
    /// empty. <c>asker_department</c> is the department the expert directory gives the asker's address (empty when the
    /// asker is not listed): with <c>department</c>, the expert's, it shows knowledge flowing between departments.</summary>
    public static readonly string[] Columns = ["at_utc", "event", "question_id", "expert_id", "department", "asker", "detail", "minutes_since_received", "first_answer", "asker_department"];

    /// <summary>Writes <paramref name="events"/> as CSV text with a header row (<see cref="Columns"/>); times are ISO 8601 UTC.</summary>
    /// <param name="events">Outcome events, in the order they are to appear (the log's order: oldest first).</param>
    /// <param name="askerDepartment">The department of an asker's address, or null when unknown; null = none known.</param>
    /// <returns>The CSV text, CRLF line ends.</returns>
    public static string Write(IEnumerable<OutcomeEntity> events, Func<string, string?>? askerDepartment = null)
    {
        var list = events as IReadOnlyList<OutcomeEntity> ?? events.ToList();
        var received = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var first = new Dictionary<string, OutcomeEntity>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (e.Kind == OutcomeKinds.Received && e.QuestionId.Length > 0) received.TryAdd(e.QuestionId, e.At);
            if (e.Kind == OutcomeKinds.Answered && e.QuestionId.Length > 0 && (!first.TryGetValue(e.QuestionId, out var f) || e.At < f.At)) first[e.QuestionId] = e;
        }
        var departments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append("\r\n");
        foreach (var e in list)
        {
            var minutes = received.TryGetValue(e.QuestionId, out var start)
                ? (e.At - start).TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)
                : "";
            var isFirst = e.Kind == OutcomeKinds.Answered && first.TryGetValue(e.QuestionId, out var f) && ReferenceEquals(f, e) ? "1" : "";
            if (!departments.TryGetValue(e.AskerEmail, out var askerDept))
                departments[e.AskerEmail] = askerDept = e.AskerEmail.Length > 0 ? askerDepartment?.Invoke(e.AskerEmail) ?? "" : "";
            string[] fields = [e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.Kind, e.QuestionId, e.ExpertId, e.Department, e.AskerEmail, e.Detail, minutes, isFirst, askerDept];
            sb.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>The expert directory for <c>asker_department</c>, or null when it cannot be read (vectors of two models
    /// before a <c>reembed</c>): the export then leaves the column empty rather than failing.</summary>
    /// <param name="directory">The directory service.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<Matching.DirectorySnapshot?> DirectoryOrNullAsync(Matching.ExpertDirectory directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        try
        {
            return await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Matching.EmbeddingMismatchException)
        {
            return null;
        }
    }

    /// <summary>One RFC 4180 field: quoted when it holds a comma, quote or line break; a leading <c>= + - @</c> is
    /// prefixed with <c>'</c> so a spreadsheet does not run it as a formula. Shared with the intake export.</summary>
    internal static string Quote(string f)
    {
        // Also neutralise spreadsheet formula injection (a field starting with = + - @ is prefixed with ').
        if (f.Length > 0 && f[0] is '=' or '+' or '-' or '@') f = "'" + f;
        return f.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f;
    }
}
