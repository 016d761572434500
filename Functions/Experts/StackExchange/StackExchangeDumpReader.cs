using System.Globalization;
using System.Xml;

namespace SocialLearning.Experts.StackExchange;

/// <summary>
/// Streaming reader of the official Stack Exchange data-dump files (<c>Posts.xml</c>, <c>Users.xml</c>;
/// schema as published at archive.org/details/stackexchange and summarised in <c>shared/data/cqa/README.md</c>).
/// Uses a forward-only <see cref="XmlReader"/>: one row is materialised at a time, so memory does not grow with
/// the file, and the stream need not be seekable.
/// </summary>
/// <remarks>
/// Robustness: rows whose <c>Id</c> is missing or not an integer are skipped; any other missing or unparseable
/// attribute becomes null (see <see cref="DumpPostRow"/>). Character checking is off, because real dumps contain
/// character references such as <c>&amp;#x1;</c> that XML 1.0 forbids. DTDs are prohibited.
/// Errors: malformed XML throws <see cref="XmlException"/> at the point the reader reaches it.
/// </remarks>
public static class StackExchangeDumpReader
{
    private const int FileBufferBytes = 64 * 1024;

    /// <summary>Reads the question and answer rows of a <c>Posts.xml</c> file; other post types are skipped.</summary>
    /// <param name="path">Path of <c>Posts.xml</c>. The file is opened when enumeration starts and closed when it ends.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown on first enumeration).</exception>
    public static IEnumerable<DumpPostRow> ReadPosts(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadPostsFromFile(path, cancellationToken);
    }

    /// <summary>Reads the question and answer rows of a <c>Posts.xml</c> stream; other post types are skipped.</summary>
    /// <param name="stream">UTF-8 (or self-declared encoding) XML; read forward only, left open.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    public static IEnumerable<DumpPostRow> ReadPosts(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadPostRows(stream, cancellationToken);
    }

    /// <summary>Reads the rows of a <c>Users.xml</c> file.</summary>
    /// <param name="path">Path of <c>Users.xml</c>. The file is opened when enumeration starts and closed when it ends.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown on first enumeration).</exception>
    public static IEnumerable<DumpUserRow> ReadUsers(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadUsersFromFile(path, cancellationToken);
    }

    /// <summary>Reads the rows of a <c>Users.xml</c> stream.</summary>
    /// <param name="stream">UTF-8 (or self-declared encoding) XML; read forward only, left open.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    public static IEnumerable<DumpUserRow> ReadUsers(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadUserRows(stream, cancellationToken);
    }

    /// <summary>
    /// Splits a dump <c>Tags</c> attribute into tags, in order, without duplicates or empty entries.
    /// Accepts the classic form <c>&lt;a&gt;&lt;b&gt;</c> and the newer <c>|a|b|</c> (tag names never contain
    /// <c>&lt;</c>, <c>&gt;</c> or <c>|</c>); a value with none of them is split on white space.
    /// </summary>
    /// <param name="value">The attribute value (already XML-decoded), or null.</param>
    /// <returns>The tags; empty for null or blank input.</returns>
    public static IReadOnlyList<string> ParseTags(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return [];
        char[] separators = value.AsSpan().IndexOfAny("<>|") >= 0 ? ['<', '>', '|'] : [' ', '\t', '\r', '\n'];
        var tags = new List<string>();
        foreach (var part in value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!tags.Contains(part, StringComparer.Ordinal)) tags.Add(part);
        }
        return tags;
    }

    /// <summary>
    /// Parses a dump date (<c>2018-03-12T17:00:45.567</c>: ISO 8601 without zone, which Stack Exchange writes in UTC).
    /// A value that carries a zone is converted to UTC.
    /// </summary>
    /// <param name="value">The attribute value, or null.</param>
    /// <returns>The instant with offset zero, or null when absent or unparseable.</returns>
    public static DateTimeOffset? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return DateTime.TryParse(value, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc)
            ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero)
            : null;
    }

    private static IEnumerable<DumpPostRow> ReadPostsFromFile(string path, CancellationToken ct)
    {
        using var stream = OpenSequential(path);
        foreach (var row in ReadPostRows(stream, ct)) yield return row;
    }

    private static IEnumerable<DumpUserRow> ReadUsersFromFile(string path, CancellationToken ct)
    {
        using var stream = OpenSequential(path);
        foreach (var row in ReadUserRows(stream, ct)) yield return row;
    }

    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferBytes, FileOptions.SequentialScan);

    private static IEnumerable<DumpPostRow> ReadPostRows(Stream stream, CancellationToken ct)
    {
        using var xml = XmlReader.Create(stream, Settings());
        while (NextRow(xml, ct))
        {
            string? id = null, type = null, parent = null, accepted = null, owner = null, ownerName = null,
                created = null, score = null, title = null, body = null, tags = null;
            while (xml.MoveToNextAttribute())
            {
                switch (xml.LocalName)
                {
                    case "Id": id = xml.Value; break;
                    case "PostTypeId": type = xml.Value; break;
                    case "ParentId": parent = xml.Value; break;
                    case "AcceptedAnswerId": accepted = xml.Value; break;
                    case "OwnerUserId": owner = xml.Value; break;
                    case "OwnerDisplayName": ownerName = xml.Value; break;
                    case "CreationDate": created = xml.Value; break;
                    case "Score": score = xml.Value; break;
                    case "Title": title = xml.Value; break;
                    case "Body": body = xml.Value; break;
                    case "Tags": tags = xml.Value; break;
                }
            }
            if (ParseInt(id) is not int postId) continue;
            var kind = ParseInt(type) switch
            {
                1 => DumpPostKind.Question,
                2 => DumpPostKind.Answer,
                _ => (DumpPostKind?)null,
            };
            if (kind is null) continue;
            var isQuestion = kind == DumpPostKind.Question;
            yield return new DumpPostRow(
                postId,
                kind.Value,
                isQuestion ? null : ParseInt(parent),
                isQuestion ? ParseInt(accepted) : null,
                ParseInt(owner),
                string.IsNullOrWhiteSpace(ownerName) ? null : ownerName,
                ParseDate(created),
                ParseInt(score) ?? 0,
                isQuestion ? title : null,
                body,
                isQuestion ? ParseTags(tags) : []);
        }
    }

    private static IEnumerable<DumpUserRow> ReadUserRows(Stream stream, CancellationToken ct)
    {
        using var xml = XmlReader.Create(stream, Settings());
        while (NextRow(xml, ct))
        {
            string? id = null, name = null, about = null, reputation = null, created = null;
            while (xml.MoveToNextAttribute())
            {
                switch (xml.LocalName)
                {
                    case "Id": id = xml.Value; break;
                    case "DisplayName": name = xml.Value; break;
                    case "AboutMe": about = xml.Value; break;
                    case "Reputation": reputation = xml.Value; break;
                    case "CreationDate": created = xml.Value; break;
                }
            }
            if (ParseInt(id) is not int userId) continue;
            yield return new DumpUserRow(userId, name, about, ParseInt(reputation) ?? 0, ParseDate(created));
        }
    }

    /// <summary>Advances to the next <c>&lt;row&gt;</c> element at any depth; false at the end of the document.</summary>
    private static bool NextRow(XmlReader xml, CancellationToken ct)
    {
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "row")
            {
                ct.ThrowIfCancellationRequested();
                return true;
            }
        }
        return false;
    }

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
            CultureInfo.InvariantCulture, out var n) ? n : null;

    private static XmlReaderSettings Settings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CheckCharacters = false,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };
}
