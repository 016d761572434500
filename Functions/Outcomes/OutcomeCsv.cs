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
    /// export holds no <c>received</c> event for the question.</summary>
    public static readonly string[] Columns = ["at_utc", "event", "question_id", "expert_id", "department", "asker", "detail", "minutes_since_received"];

    /// <summary>Writes <paramref name="events"/> as CSV text with a header row (<see cref="Columns"/>); times are ISO 8601 UTC.</summary>
    /// <param name="events">Outcome events, in the order they are to appear (the log's order: oldest first).</param>
    /// <returns>The CSV text, CRLF line ends.</returns>
    public static string Write(IEnumerable<OutcomeEntity> events)
    {
        var list = events as IReadOnlyList<OutcomeEntity> ?? events.ToList();
        var received = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (e.Kind == OutcomeKinds.Received && e.QuestionId.Length > 0) received.TryAdd(e.QuestionId, e.At);
        }

        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append("\r\n");
        foreach (var e in list)
        {
            var minutes = received.TryGetValue(e.QuestionId, out var start)
                ? (e.At - start).TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)
                : "";
            string[] fields = [e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.Kind, e.QuestionId, e.ExpertId, e.Department, e.AskerEmail, e.Detail, minutes];
            sb.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }
        return sb.ToString();
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
