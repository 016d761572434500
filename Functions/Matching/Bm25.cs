using System.Collections.Frozen;
using System.Text;

namespace SocialLearning.Matching;

/// <summary>
/// The tokenizer shared by every BM25 index of this project (documents and queries go through the same steps):
/// <list type="number">
/// <item>text is split into maximal runs of letters and digits (Unicode categories L and N); a run directly followed by
/// <c>#</c> or <c>+</c> keeps them (<c>c#</c>, <c>q#</c>, <c>c++</c>), every other character separates tokens, so
/// <c>quantum-gate</c> gives <c>quantum</c> and <c>gate</c>;</item>
/// <item>tokens are lower-cased (invariant culture);</item>
/// <item>tokens of one character (other than a digit) and English stop words (<see cref="StopWords"/>) are dropped;</item>
/// <item>the "S" stemmer folds plurals (Harman, "How effective is suffixing?", JASIS 42(1), 1991): <c>-ies</c> →
/// <c>-y</c> unless <c>-eies</c>/<c>-aies</c>; <c>-es</c> → <c>-e</c> unless <c>-aes</c>/<c>-ees</c>/<c>-oes</c>;
/// <c>-s</c> → "" unless <c>-us</c>/<c>-ss</c>; only tokens longer than 3 characters are stemmed (<c>gas</c>, <c>bus</c>
/// stay);</item>
/// <item>tokens longer than <see cref="MaxTokenLength"/> characters (hashes, base64) are dropped;</item>
/// <item>a run of a script written without spaces (<see cref="IsUnspacedScript"/>: Chinese, Japanese, Thai, …) becomes
/// its overlapping character bigrams ("报销系统" → 报销, 销系, 系统; the bigram indexing of Lucene's CJK analyzer), a
/// single such character stays a token; these are never dropped for length, stop-listed or stemmed.</item>
/// </list>
/// The S stemmer is deliberately light: it never merges words of different meaning (Porter's "universe"/"university"),
/// and technical vocabulary (qubit/qubits, gate/gates, matrix/matrices is not folded) is mostly plural-only variation.
/// </summary>
public static class Bm25Tokenizer
{
    /// <summary>Longest token kept, in characters: 40.</summary>
    public const int MaxTokenLength = 40;

    /// <summary>
    /// English stop words dropped from documents and queries: the 33 words of Lucene's <c>EnglishAnalyzer</c> default
    /// set plus common question words and auxiliaries that carry no topic (what, how, does, can, would, …).
    /// </summary>
    public static readonly FrozenSet<string> StopWords = new[]
    {
        // Lucene EnglishAnalyzer.ENGLISH_STOP_WORDS_SET
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
        // question words, pronouns and auxiliaries
        "what", "which", "who", "whom", "why", "how", "when", "where", "does", "do", "did", "can", "could", "would",
        "should", "may", "might", "must", "have", "has", "had", "been", "being", "were", "am", "i", "me", "my", "we",
        "our", "you", "your", "he", "she", "his", "her", "its", "them", "than", "so", "any", "some", "all", "also",
        "about", "from", "here", "just", "only", "very", "more", "most", "other", "each", "same", "get", "use", "using",
        "used", "one", "like", "way", "know", "there's", "it's", "i'm", "don't", "doesn't", "e.g", "i.e",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Tokens of <paramref name="text"/> in order, with repeats (see the type's remarks). Null or empty gives none.</summary>
    /// <param name="text">Any plain text.</param>
    /// <returns>The tokens; empty when nothing remains.</returns>
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        foreach (var token in Words(text, joinApostrophes: false))
        {
            if (IsUnspacedScript(token[0]))
            {
                // A run of Chinese, Japanese or Thai text is a phrase or a whole sentence, not one word: overlapping
                // bigrams (as Lucene's CJKBigramFilter), a lone character as itself. Never dropped for its length.
                if (token.Length == 1) tokens.Add(token);
                for (var c = 0; c + 1 < token.Length; c++) tokens.Add(token.Substring(c, 2));
                continue;
            }

            if (token.Length > MaxTokenLength) continue;
            if (token.Length == 1 && !char.IsDigit(token[0])) continue;
            if (StopWords.Contains(token)) continue;
            tokens.Add(Stem(token));
        }
        return tokens;
    }

    /// <summary>
    /// The raw lower-case words of <paramref name="text"/>, in order: runs of letters and digits (split where a script
    /// written without spaces meets another, <see cref="IsUnspacedScript"/>), with a trailing '#' or '+' kept ("c#",
    /// "c++"); nothing dropped or stemmed. With <paramref name="joinApostrophes"/>, an apostrophe between
    /// a letter run and a letter is dropped and the word goes on ("Grover's" → "grovers"); without, it splits the word.
    /// </summary>
    /// <param name="text">Any plain text; null or empty gives none.</param>
    /// <param name="joinApostrophes">Join words across inner apostrophes (' or ’).</param>
    public static IEnumerable<string> Words(string? text, bool joinApostrophes) => CasedWords(text, joinApostrophes, keepCase: false);

    /// <summary>
    /// <see cref="Words"/> with the letters as written, case and inner apostrophes kept ("Teams" stays "Teams", "Team's"
    /// stays "Team's"): the same words at the same places, for a reader that must tell a name from an ordinary word.
    /// </summary>
    /// <param name="text">Any plain text; null or empty gives none.</param>
    /// <param name="joinApostrophes">Join words across inner apostrophes (' or ’).</param>
    public static IEnumerable<string> WordsAsWritten(string? text, bool joinApostrophes) => CasedWords(text, joinApostrophes, keepCase: true);

    private static IEnumerable<string> CasedWords(string? text, bool joinApostrophes, bool keepCase)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var sb = new StringBuilder(32);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            sb.Clear();
            var unspaced = i < text.Length && IsUnspacedScript(text[i]);
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) ||
                                       (joinApostrophes && text[i] is '\'' or '\u2019' && i + 1 < text.Length && char.IsLetter(text[i + 1]))) &&
                   (IsUnspacedScript(text[i]) == unspaced || text[i] is '\'' or '\u2019'))
            {
                if (keepCase) sb.Append(text[i]); // as written, apostrophes too ("Team's" is not "Teams")
                else if (text[i] is not ('\'' or '\u2019')) sb.Append(char.ToLowerInvariant(text[i]));
                i++;
            }
            while (i < text.Length && text[i] is '#' or '+' && sb.Length > 0)
            {
                sb.Append(text[i]);
                i++;
            }
            if (sb.Length > 0) yield return sb.ToString();
        }
    }

    /// <summary>
    /// True for characters of scripts written without spaces between words — Chinese (CJK ideographs), Japanese kana
    /// (full and half width), Thai, Lao, Khmer, Myanmar. A word run ends where such a script meets Latin, digits or
    /// another spaced script, so "我的VPN令牌" holds the word "vpn", as a Chinese writer's question does without spaces
    /// around it.
    /// </summary>
    /// <param name="c">A character.</param>
    public static bool IsUnspacedScript(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u3040' and <= '\u30FF') or (>= '\u31F0' and <= '\u31FF')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uFF66' and <= '\uFF9F') or (>= '\u0E00' and <= '\u0EFF') or (>= '\u1780' and <= '\u17FF')
            or (>= '\u1000' and <= '\u109F');

    /// <summary>The S-stemmer step (Harman 1991) for one lower-case token; tokens of 3 characters or fewer are returned as they are.</summary>
    /// <param name="token">A lower-case token.</param>
    /// <returns>The stemmed token.</returns>
    public static string Stem(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length <= 3 || token[^1] != 's') return token;
        if (token.EndsWith("ies", StringComparison.Ordinal) && !token.EndsWith("eies", StringComparison.Ordinal) && !token.EndsWith("aies", StringComparison.Ordinal))
            return token[..^3] + "y";
        if (token.EndsWith("es", StringComparison.Ordinal) && !token.EndsWith("aes", StringComparison.Ordinal) && !token.EndsWith("ees", StringComparison.Ordinal) && !token.EndsWith("oes", StringComparison.Ordinal))
            return token[..^1];
        if (token.EndsWith("us", StringComparison.Ordinal) || token.EndsWith("ss", StringComparison.Ordinal)) return token;
        return token[..^1];
    }
}

/// <summary>One query term's part in a document's BM25 score.</summary>
/// <param name="Term">The term (tokenized form, see <see cref="Bm25Tokenizer"/>).</param>
/// <param name="Contribution">Its addend to the document's score (≥ 0).</param>
public readonly record struct Bm25TermContribution(string Term, double Contribution);

/// <summary>
/// Okapi BM25 over an in-memory collection of short documents (Robertson, Walker, Jones, Hancock-Beaulieu and Gatford,
/// "Okapi at TREC-3", 1994; Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", FnTIR 3(4), 2009):
/// <code>
/// score(D, Q) = Σ_{t ∈ Q, distinct} IDF(t) · tf(t, D) · (k1 + 1) / (tf(t, D) + k1 · (1 − b + b · |D| / avgdl))
/// IDF(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
/// </code>
/// N documents, n(t) documents containing t, |D| document length in tokens, avgdl the mean length. The IDF is Lucene's
/// non-negative variant (the classic Robertson–Spärck Jones form goes negative for terms in more than half the documents,
/// which in a small expert collection are exactly the site's topic words). Each distinct query term counts once
/// (k3 = 0): questions repeat their key word, and repetition would let one word dominate. Terms are produced by
/// <see cref="Bm25Tokenizer"/>.
/// </summary>
/// <remarks>
/// Parameters: k1 = <see cref="DefaultK1"/> and b = <see cref="DefaultB"/>, the values Robertson and Zaragoza (2009)
/// report as robust defaults (k1 ∈ [1.2, 2.0], b = 0.75); they were not tuned. Storage: an inverted index of postings
/// (document, tf) per term; scoring touches only the postings of the query's terms, so a query costs
/// O(Σ postings of its terms), independent of the documents that share none of its words. Immutable after
/// construction and safe for concurrent readers.
/// </remarks>
public sealed class Bm25Index
{
    /// <summary>Term-frequency saturation k1: 1.2.</summary>
    public const double DefaultK1 = 1.2;

    /// <summary>Length normalisation b: 0.75.</summary>
    public const double DefaultB = 0.75;

    private readonly Dictionary<string, (int Doc, int Tf)[]> _postings;
    private readonly int[] _lengths;

    /// <summary>Indexes <paramref name="documents"/>; document i keeps id i.</summary>
    /// <param name="documents">Plain texts; null or empty documents are allowed (they never score).</param>
    /// <param name="k1">Term-frequency saturation, ≥ 0.</param>
    /// <param name="b">Length normalisation, 0–1.</param>
    /// <exception cref="ArgumentOutOfRangeException">k1 or b out of range.</exception>
    public Bm25Index(IReadOnlyList<string?> documents, double k1 = DefaultK1, double b = DefaultB)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (!(k1 >= 0)) throw new ArgumentOutOfRangeException(nameof(k1), k1, "k1 must be 0 or more.");
        if (!(b is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(b), b, "b must be between 0 and 1.");
        K1 = k1;
        B = b;
        _lengths = new int[documents.Count];
        var building = new Dictionary<string, List<(int, int)>>(StringComparer.Ordinal);
        var tf = new Dictionary<string, int>(StringComparer.Ordinal);
        long total = 0;
        for (var d = 0; d < documents.Count; d++)
        {
            var tokens = Bm25Tokenizer.Tokenize(documents[d]);
            _lengths[d] = tokens.Count;
            total += tokens.Count;
            tf.Clear();
            foreach (var t in tokens) tf[t] = tf.GetValueOrDefault(t) + 1;
            foreach (var (term, count) in tf)
            {
                if (!building.TryGetValue(term, out var list)) building[term] = list = [];
                list.Add((d, count));
            }
        }
        _postings = building.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        AverageLength = documents.Count == 0 ? 0 : (double)total / documents.Count;
    }

    /// <summary>k1 of the score formula.</summary>
    public double K1 { get; }

    /// <summary>b of the score formula.</summary>
    public double B { get; }

    /// <summary>Number of documents, N.</summary>
    public int Count => _lengths.Length;

    /// <summary>Mean document length in tokens (avgdl); 0 for an empty collection.</summary>
    public double AverageLength { get; }

    /// <summary>Distinct terms in the collection.</summary>
    public int TermCount => _postings.Count;

    /// <summary>Documents containing <paramref name="term"/> (already tokenized), n(t).</summary>
    /// <param name="term">A term as <see cref="Bm25Tokenizer"/> produces it.</param>
    public int DocumentFrequency(string term) => _postings.TryGetValue(term, out var p) ? p.Length : 0;

    /// <summary>IDF(t) = ln(1 + (N − n + 0.5) / (n + 0.5)); for a term in no document this is ln(1 + (N + 0.5)/0.5).</summary>
    /// <param name="term">A term as <see cref="Bm25Tokenizer"/> produces it.</param>
    public double Idf(string term)
    {
        var n = DocumentFrequency(term);
        return Math.Log(1 + ((Count - n + 0.5) / (n + 0.5)));
    }

    /// <summary>The distinct query terms of <paramref name="query"/> that occur in the collection, in first-occurrence order.</summary>
    /// <param name="query">Query text.</param>
    public IReadOnlyList<string> QueryTerms(string? query)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var terms = new List<string>();
        foreach (var t in Bm25Tokenizer.Tokenize(query))
        {
            if (_postings.ContainsKey(t) && seen.Add(t)) terms.Add(t);
        }
        return terms;
    }

    /// <summary>
    /// BM25 score of every document for <paramref name="query"/>, written into <paramref name="scores"/> (length
    /// <see cref="Count"/>; documents sharing no term get 0).
    /// </summary>
    /// <param name="query">Query text.</param>
    /// <param name="scores">Receives one score per document; cleared first.</param>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is not <see cref="Count"/> long.</exception>
    public void Score(string? query, Span<double> scores) => Score(QueryTerms(query), scores);

    /// <summary>As <see cref="Score(string?, Span{double})"/> for terms already produced by <see cref="QueryTerms"/>.</summary>
    /// <param name="terms">Distinct tokenized terms.</param>
    /// <param name="scores">Receives one score per document; cleared first.</param>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is not <see cref="Count"/> long.</exception>
    public void Score(IReadOnlyList<string> terms, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (scores.Length != Count) throw new ArgumentException($"The score buffer holds {scores.Length} values; the index has {Count} documents.", nameof(scores));
        scores.Clear();
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var postings)) continue;
            var idf = Idf(term);
            foreach (var (doc, tf) in postings) scores[doc] += TermScore(idf, tf, _lengths[doc]);
        }
    }

    /// <summary>BM25 scores of every document as a new array (see <see cref="Score(string?, Span{double})"/>).</summary>
    /// <param name="query">Query text.</param>
    public double[] Score(string? query)
    {
        var scores = new double[Count];
        Score(query, scores);
        return scores;
    }

    /// <summary>
    /// The query terms that contribute to document <paramref name="document"/>'s score, largest contribution first
    /// (ties: query order), at most <paramref name="max"/>. Their contributions add up to the document's score when
    /// <paramref name="max"/> is large enough.
    /// </summary>
    /// <param name="terms">Distinct tokenized query terms (<see cref="QueryTerms"/>).</param>
    /// <param name="document">Document id, 0 ≤ id &lt; <see cref="Count"/>.</param>
    /// <param name="max">Most terms returned, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="document"/> or <paramref name="max"/> out of range.</exception>
    public IReadOnlyList<Bm25TermContribution> Explain(IReadOnlyList<string> terms, int document, int max)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentOutOfRangeException.ThrowIfNegative(document);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(document, Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var parts = new List<Bm25TermContribution>();
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var postings)) continue;
            var tf = TfIn(postings, document);
            if (tf > 0) parts.Add(new Bm25TermContribution(term, TermScore(Idf(term), tf, _lengths[document])));
        }
        // Stable: equal contributions keep query order.
        return parts.Select((p, i) => (p, i)).OrderByDescending(x => x.p.Contribution).ThenBy(x => x.i).Take(max).Select(x => x.p).ToList();
    }

    private double TermScore(double idf, int tf, int length)
    {
        var norm = AverageLength > 0 ? length / AverageLength : 0;
        return idf * (tf * (K1 + 1)) / (tf + (K1 * (1 - B + (B * norm))));
    }

    private static int TfIn((int Doc, int Tf)[] postings, int document)
    {
        // Postings are in ascending document order (built in one pass over the documents).
        int lo = 0, hi = postings.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var d = postings[mid].Doc;
            if (d == document) return postings[mid].Tf;
            if (d < document) lo = mid + 1;
            else hi = mid - 1;
        }
        return 0;
    }
}
