using System.Collections.Frozen;
using System.Text;

namespace SocialLearning.Matching;

/// <summary>One topic an expert shares with a question, for routing reasons.</summary>
/// <param name="Topic">Normalised topic (lower case, words joined by '-', e.g. <c>guest-wi-fi</c>, <c>quantum-gate</c>).</param>
/// <param name="Answers">Answers of the expert on questions carrying the topic (0 when the topic is only declared).</param>
/// <param name="Declared">True when the expert lists the topic among their skills.</param>
public readonly record struct TopicMatch(string Topic, int Answers, bool Declared);

/// <summary>
/// The directory's topics: declared skills and the tags of the questions each expert answered (an evidence text's
/// <c>Tags:</c> line, as the Stack Exchange importer writes it), and the topics a question names — its own <c>Tags:</c>
/// line, or a topic of the directory written out in its subject or body ("guest Wi-Fi", "Grover's algorithm" for the tag
/// <c>grovers-algorithm</c>). Scores an expert's record on the question's topics:
/// <c>topic(e) = Σ_{t ∈ T(q)} idf(t) · ln(1 + n(e, t))</c>, with n(e, t) the expert's answers on questions tagged t plus 1
/// when t is a declared skill, and idf(t) = ln(1 + N / df(t)) over the N experts (df(t): experts with t). The logarithm
/// keeps a hundred answers on a topic from counting a hundred times one; the idf keeps broad topics from outweighing
/// specific ones. Immutable, safe for concurrent readers.
/// </summary>
public sealed class TopicIndex
{
    /// <summary>Longest topic kept, in words: 6 (longer "skills" are sentences, not topics).</summary>
    public const int MaxTopicWords = 6;

    private readonly Dictionary<string, (int Position, int Answers, bool Declared)[]> _postings;
    private readonly Dictionary<string, double> _idf;
    // First word of a topic's phrase → the topics starting with it (their word sequences), longest first.
    private readonly Dictionary<string, (string Topic, string[] Words)[]> _phrases;

    /// <summary>Builds the index.</summary>
    /// <param name="experts">Per expert position (0 … count − 1): its declared skills (any spelling) and the tags of each answered question (normalised or not).</param>
    public TopicIndex(IReadOnlyList<(IEnumerable<string> Declared, IEnumerable<IEnumerable<string>> AnswerTags)> experts)
    {
        ArgumentNullException.ThrowIfNull(experts);
        Count = experts.Count;
        var postings = new Dictionary<string, List<(int, int, bool)>>(StringComparer.Ordinal);
        for (var p = 0; p < experts.Count; p++)
        {
            var counts = new Dictionary<string, (int Answers, bool Declared)>(StringComparer.Ordinal);
            foreach (var tags in experts[p].AnswerTags)
            {
                foreach (var t in tags.Select(Normalize).OfType<string>().Distinct(StringComparer.Ordinal))
                    counts[t] = (counts.GetValueOrDefault(t).Answers + 1, counts.GetValueOrDefault(t).Declared);
            }
            foreach (var t in experts[p].Declared.Select(Normalize).OfType<string>())
                counts[t] = (counts.GetValueOrDefault(t).Answers, true);
            foreach (var (t, c) in counts)
            {
                if (!postings.TryGetValue(t, out var list)) postings[t] = list = [];
                list.Add((p, c.Answers, c.Declared));
            }
        }
        _postings = postings.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        _idf = _postings.ToDictionary(kv => kv.Key, kv => Math.Log(1 + ((double)Count / kv.Value.Length)), StringComparer.Ordinal);
        _phrases = _postings.Keys
            .Select(t => (Topic: t, Words: Words(t.Replace('-', ' ')).ToArray()))
            .Where(x => x.Words.Length is > 0 and <= MaxTopicWords)
            .GroupBy(x => x.Words[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(x => x.Words.Length).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Number of expert positions.</summary>
    public int Count { get; }

    /// <summary>Distinct topics in the directory.</summary>
    public int TopicCount => _postings.Count;

    /// <summary>
    /// The topic key: lower case; apostrophes dropped; every run of characters other than letters, digits, '#' and '+' one
    /// '-'; no leading or trailing '-'. Null when nothing is left or the topic has more than <see cref="MaxTopicWords"/> words.
    /// </summary>
    /// <param name="topic">A tag or skill as written (<c>Guest Wi-Fi</c>, <c>quantum-gate</c>, <c>C#</c>).</param>
    public static string? Normalize(string? topic)
    {
        if (string.IsNullOrWhiteSpace(topic)) return null;
        var sb = new StringBuilder(topic.Length);
        var words = 0;
        var dash = true;
        foreach (var ch in topic)
        {
            if (ch is '\'' or '’') continue;
            if (char.IsLetterOrDigit(ch) || ch is '#' or '+')
            {
                if (dash) words++;
                sb.Append(char.ToLowerInvariant(ch));
                dash = false;
            }
            else if (!dash)
            {
                sb.Append('-');
                dash = true;
            }
        }
        if (sb.Length > 0 && sb[^1] == '-') sb.Length--;
        return sb.Length == 0 || words > MaxTopicWords ? null : sb.ToString();
    }

    /// <summary>The topics of the <c>Tags:</c> lines of <paramref name="text"/> (comma or semicolon separated), normalised, distinct, in order.</summary>
    /// <param name="text">An evidence text or a question body.</param>
    public static IReadOnlyList<string> TagsLine(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains("Tags:", StringComparison.OrdinalIgnoreCase)) return [];
        var result = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("Tags:", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var t in line[5..].Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Normalize(t) is { } n && !result.Contains(n, StringComparer.Ordinal)) result.Add(n);
            }
        }
        return result;
    }

    /// <summary>
    /// The directory's topics <paramref name="text"/> names: its <c>Tags:</c> line's topics that some expert has, and every
    /// topic whose words occur in a row in the text (lower case, apostrophes dropped, light plural folding as BM25's S
    /// stemmer; the longest topic wins where two overlap; a software name that is also a word, such as "Teams", only as
    /// <see cref="ProductNames"/> says). Distinct, in order of first mention.
    /// </summary>
    /// <param name="text">Question subject and body.</param>
    public IReadOnlyList<string> QueryTopics(string? text)
    {
        var result = new List<string>();
        foreach (var t in TagsLine(text))
        {
            if (_postings.ContainsKey(t)) result.Add(t);
        }
        var written = Bm25Tokenizer.WordsAsWritten(text, joinApostrophes: true).ToArray();
        var words = Array.ConvertAll(written, w => Bm25Tokenizer.Stem(w.Replace("'", "", StringComparison.Ordinal).Replace("\u2019", "", StringComparison.Ordinal).ToLowerInvariant()));
        for (var i = 0; i < words.Length; i++)
        {
            if (!_phrases.TryGetValue(words[i], out var candidates)) continue;
            foreach (var (topic, phrase) in candidates)
            {
                if (i + phrase.Length > words.Length) continue;
                var match = true;
                for (var j = 1; j < phrase.Length && match; j++) match = words[i + j] == phrase[j];
                if (match && phrase.Length == 1 && ProductNames.Contains(topic)) match = NamesProduct(written, i, topic);
                if (!match) continue;
                if (!result.Contains(topic, StringComparer.Ordinal)) result.Add(topic);
                i += phrase.Length - 1;
                break;
            }
        }
        return result;
    }

    /// <summary>
    /// One-word topics that are the names of workplace software and also ordinary English words: Microsoft 365's Teams,
    /// Word, Access, Outlook, Excel, Project, Edge, Forms, Lists, Planner, Stream, Bookings, Whiteboard, Loop, Windows;
    /// Google's Sheets, Slides, Docs, Drive; Zoom, Slack, Notion. A question names one only where it writes the name itself
    /// with a capital letter ("Teams keeps crashing", "an Excel macro"; not "Team's") or after "Microsoft", "MS", "Google" or
    /// "Office" in any form ("ms teams", "a Google Sheet"): "my team", "access to the drive", "the outlook for Q3" or "excel
    /// at" are not about the software (a capitalised first word of a sentence still counts: "Access to …"), and
    /// without the rule an IT expert who declared "Teams" got the topic signal of every question about someone's team.
    /// </summary>
    public static readonly FrozenSet<string> ProductNames = new[]
    {
        "teams", "word", "access", "outlook", "excel", "project", "edge", "forms", "lists", "planner", "stream", "bookings",
        "whiteboard", "loop", "windows", "sheets", "slides", "docs", "drive", "zoom", "slack", "notion",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="written"/>[<paramref name="i"/>] is the product <paramref name="name"/> (see <see cref="ProductNames"/>).</summary>
    private static bool NamesProduct(string[] written, int i, string name)
    {
        var word = written[i];
        // After "Microsoft", "MS", "Google" or "Office" any form names it ("ms teams", "a Google Sheet").
        if (i > 0 && written[i - 1].ToLowerInvariant() is "microsoft" or "ms" or "google" or "office") return true;
        // Otherwise the name itself, capitalised: "team", "Team's" and "teams" are not "Teams".
        return string.Equals(word, name, StringComparison.OrdinalIgnoreCase) && char.IsUpper(word[0]);
    }

    /// <summary>Adds every expert position's topic score for <paramref name="topics"/> to <paramref name="scores"/> (see the type's formula).</summary>
    /// <param name="topics">From <see cref="QueryTopics"/>.</param>
    /// <param name="scores">One slot per expert position (<see cref="Count"/>), usually zeros.</param>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is shorter than <see cref="Count"/>.</exception>
    public void Score(IReadOnlyList<string> topics, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (scores.Length < Count) throw new ArgumentException($"{scores.Length} slots for {Count} experts.", nameof(scores));
        foreach (var t in topics)
        {
            if (!_postings.TryGetValue(t, out var postings)) continue;
            var idf = _idf[t];
            foreach (var (p, answers, declared) in postings) scores[p] += idf * Math.Log(1 + answers + (declared ? 1 : 0));
        }
    }

    /// <summary>The topics of <paramref name="topics"/> expert <paramref name="position"/> has, largest contribution first, at most <paramref name="max"/>.</summary>
    /// <param name="topics">From <see cref="QueryTopics"/>.</param>
    /// <param name="position">Expert position.</param>
    /// <param name="max">Most topics returned.</param>
    public IReadOnlyList<TopicMatch> Explain(IReadOnlyList<string> topics, int position, int max)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var found = new List<(TopicMatch Match, double Contribution)>();
        foreach (var t in topics)
        {
            if (!_postings.TryGetValue(t, out var postings)) continue;
            foreach (var (p, answers, declared) in postings)
            {
                if (p != position) continue;
                found.Add((new TopicMatch(t, answers, declared), _idf[t] * Math.Log(1 + answers + (declared ? 1 : 0))));
                break;
            }
        }
        return found.OrderByDescending(f => f.Contribution).Take(max).Select(f => f.Match).ToList();
    }

    /// <summary>Lower-case words of <paramref name="text"/> for phrase matching: apostrophes dropped, S-stemmed, stop words kept.</summary>
    private static IEnumerable<string> Words(string? text) => Bm25Tokenizer.Words(text, joinApostrophes: true).Select(Bm25Tokenizer.Stem);
}
