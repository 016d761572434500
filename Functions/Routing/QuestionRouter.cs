using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using SocialLearning.Matching;

namespace SocialLearning.Routing;

/// <summary>The result of ranking one question.</summary>
/// <param name="Candidates">Ranked experts, best first, asker excluded.</param>
/// <param name="EmbedMs">Time to embed the question, milliseconds.</param>
/// <param name="RankMs">Time to rank the directory, milliseconds.</param>
public sealed record RankingResult(IReadOnlyList<RankedCandidate> Candidates, double EmbedMs, double RankMs)
{
    /// <summary>Embed + rank, milliseconds (the routing decision budget in DESIGN.md).</summary>
    public double TotalMs => EmbedMs + RankMs;
}

/// <summary>
/// Ranks the directory for one question: embeds the question and ranks every available expert with the
/// <see cref="HybridRanker"/> (best-matching evidence, centroid and BM25 over the in-memory snapshot, recent activity,
/// responsiveness, and the load term from <see cref="ExpertLoad"/>) with the weights of <see cref="RoutingOptions.Weights"/> —
/// the same ranker <c>evaluate</c> measures — and
/// explains each choice. No table is read per question.
/// </summary>
public sealed class QuestionRouter(
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ExpertDirectory directory,
    ExpertLoad load,
    IOptions<RoutingOptions> options,
    TimeProvider time)
{
    /// <summary>The ranker with the configured weights (<see cref="RoutingOptions.Weights"/>, validated at start-up).</summary>
    private readonly HybridRanker _ranker = new(options.Value.Weights.ToHybridWeights());

    /// <summary>
    /// Ranks experts for <paramref name="subject"/> + <paramref name="text"/>, excluding the expert whose address is
    /// <paramref name="askerEmail"/> and unavailable experts. Returns at most <paramref name="poolSize"/> candidates
    /// (default <see cref="RoutingOptions.CandidatePoolSize"/>); each candidate's <see cref="RankedCandidate.Similarity"/>
    /// is its best-evidence cosine (the <see cref="RoutingOptions.MinSimilarity"/> gap rule reads it). Throws
    /// <see cref="EmbeddingMismatchException"/> when the question's vector does not fit the index even after a reload of
    /// the directory (the stored vectors are of another model or size than the configured generator's: run
    /// <c>reembed</c>), or when the stored vectors disagree among themselves.
    /// <paramref name="asOf"/> is the question's time (the load term counts requests in the 7 days before it); null = now.
    /// </summary>
    public async Task<RankingResult> RankAsync(string subject, string text, string? askerEmail, int? poolSize, CancellationToken cancellationToken,
        DateTimeOffset? asOf = null)
    {
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var k = poolSize ?? options.Value.CandidatePoolSize;
        var query = QueryText(subject, text);

        var sw = Stopwatch.StartNew();
        var generated = await embeddings.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var embedMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();

        var asker = askerEmail?.Trim();
        var when = asOf ?? time.GetUtcNow();
        if (snapshot.Hybrid.Count == 0) return new RankingResult([], embedMs, 0);
        if (!snapshot.Index.Model.Equals(VectorModel.Of(generated[0])))
        {
            // The snapshot may predate a `reembed` run by another process: reload it (at most every 30 s) before calling
            // it a mismatch (the search below throws EmbeddingMismatchException, whose message says to run `reembed`).
            snapshot = await directory.RefreshAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (snapshot.Hybrid.Count == 0) return new RankingResult([], embedMs, 0);
            sw.Restart();
        }
        var lexicalText = LexicalText(subject, text);
        var vector = generated[0];
        var matches = _ranker.Rank(snapshot.Hybrid, vector.Vector.Span, VectorModel.Of(vector), lexicalText, k,
            id => !snapshot.Experts.TryGetValue(id, out var d) || !d.Available ||
                  (asker is not null && string.Equals(d.Email, asker, StringComparison.OrdinalIgnoreCase)),
            id => load.Count(id, when));

        var words = Words(LexicalText(subject, text));
        var ranked = new List<RankedCandidate>(matches.Count);
        foreach (var m in matches)
        {
            var d = snapshot.Experts[m.ExpertId];
            var named = d.Skills.Where(skill => NamesSkill(words, skill)).Take(3).ToList();
            ranked.Add(new RankedCandidate(d.Id, d.Name, d.Email, d.Department, Math.Round(m.Score, 4), Math.Round(m.BestEvidenceScore, 4),
                Explain(m, snapshot.Hybrid.RecencyHalfLife, named), named.Count > 0));
        }
        return new RankingResult(ranked, embedMs, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>Whether <paramref name="c"/>'s fused score is at most 0, the average of the experts ranked for the question
    /// (z-score fusion): such an expert is asked only as a question's first (<see cref="ExpertSelection"/>).</summary>
    public static bool IsBelowAverage(RankedCandidate c) => c.Score <= 0;

    /// <summary>Whether <paramref name="c"/> may be asked under the similarity bar <paramref name="minSimilarity"/>.</summary>
    public static bool IsAskable(RankedCandidate c, double minSimilarity) =>
        c.Similarity >= minSimilarity || (c.NamesSkill && c.Similarity >= minSimilarity / 2);

    /// <summary>The text embedded for a question: subject line, then body (without the service's note naming its files), cut to
    /// 1,000 characters.</summary>
    public static string QueryText(string subject, string text)
    {
        text = Intake.MailText.WithoutAttachmentNote(text);
        var q = string.IsNullOrWhiteSpace(subject) ? text : subject.Trim() + "\n" + text;
        return q.Length > 1000 ? q[..1000] : q;
    }

    /// <summary>
    /// True when every word of <paramref name="skill"/> occurs in <paramref name="words"/> (lower case, letters and
    /// digits, a plural "s"/"es" folded: "Monitors" matches "monitor", "classes" matches "class").
    /// </summary>
    internal static bool NamesSkill(HashSet<string> words, string skill)
    {
        var parts = Words(skill);
        return parts.Count > 0 && parts.All(p => p.Length > 1 && words.Contains(p));
    }

    /// <summary>The folded words of <paramref name="text"/>.</summary>
    internal static HashSet<string> Words(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var sb = new System.Text.StringBuilder();
        var unspaced = false;
        foreach (var ch in text.Append(' '))
        {
            // A run also ends where a script written without spaces (Chinese, Japanese, Thai) meets another: "我的VPN令牌" names VPN.
            var letter = char.IsLetterOrDigit(ch);
            var script = letter && Matching.Bm25Tokenizer.IsUnspacedScript(ch);
            if (sb.Length > 0 && (!letter || script != unspaced))
            {
                set.Add(FoldPlural(sb.ToString()));
                sb.Clear();
            }
            if (!letter) continue;
            if (sb.Length == 0) unspaced = script;
            sb.Append(char.ToLowerInvariant(ch));
        }
        return set;
    }

    private static string FoldPlural(string w)
    {
        if (w.Length <= 3) return w;
        if (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("xes", StringComparison.Ordinal) ||
            w.EndsWith("ches", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal)) return w[..^2];
        return w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) ? w[..^1] : w;
    }

    /// <summary>The text BM25 reads for a question: subject line, then the whole body (lexical matching has no window to fill),
    /// without the service's note naming its files.</summary>
    public static string LexicalText(string subject, string text)
    {
        text = Intake.MailText.WithoutAttachmentNote(text);
        return string.IsNullOrWhiteSpace(subject) ? text : subject.Trim() + "\n" + text;
    }

    /// <summary>
    /// The reason shown to the expert and stored with the route: the closest earlier answer (best-evidence cosine), the
    /// matched terms (the BM25 terms that contributed most to the expert's best-matching evidence), and activity; e.g.
    /// <c>closest earlier answer: “How does Grover's search scale?” (similarity 0.71); matched terms: grover, oracle,
    /// amplitude; answered on the question's topics: grovers-algorithm (4), qiskit (2); 12 earlier answers (3.4
    /// recency-weighted, 7-day half-life)</c>.
    /// </summary>
    /// <param name="m">The ranked match.</param>
    /// <param name="halfLife">Half-life of the recent-activity figure.</param>
    /// <param name="namedSkills">Declared skills of the expert that the question names.</param>
    public static string Explain(HybridMatch m, TimeSpan halfLife, IReadOnlyList<string>? namedSkills = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        var parts = new List<string>(3);
        if (m.BestEvidenceTitle is { Length: > 0 } title)
        {
            var what = m.BestEvidenceIsProfile ? "closest profile text" : "closest earlier answer";
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: \u201c{title}\u201d (similarity {m.BestEvidenceScore:0.00})"));
        }
        if (m.MatchedTerms.Count > 0)
        {
            var sb = new StringBuilder("matched terms: ").AppendJoin(", ", m.MatchedTerms);
            if (m.LexicalEvidenceTitle is { Length: > 0 } lexTitle && lexTitle != m.BestEvidenceTitle)
                sb.Append(" (in \u201c").Append(lexTitle).Append("\u201d)");
            parts.Add(sb.ToString());
        }
        // A skill the expert has answered questions on is named once, with the answer count, among the topics.
        var answered = m.MatchedTopics?.Where(t => t.Answers > 0).ToList() ?? [];
        var answeredTopics = answered.Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var onlyNamed = (namedSkills ?? []).Where(k => TopicIndex.Normalize(k) is not { } n || !answeredTopics.Contains(n)).ToList();
        if (onlyNamed.Count > 0) parts.Add("skills named in the question: " + string.Join(", ", onlyNamed));
        if (answered.Count > 0)
            parts.Add("answered on the question's topics: " + string.Join(", ", answered.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Topic} ({t.Answers})"))));
        if (m.AnswerCount > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{m.AnswerCount:0} earlier answers ({m.RecentActivity:0.#} recency-weighted, {halfLife.TotalDays:0.#}-day half-life)"));
        }
        return parts.Count == 0 ? string.Create(CultureInfo.InvariantCulture, $"profile similarity {m.CentroidScore:0.00}") : string.Join("; ", parts);
    }
}
