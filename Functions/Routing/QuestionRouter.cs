using System.Diagnostics;
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
/// Ranks the directory for one question: embeds the question, takes the nearest experts from the in-memory index
/// (best-matching evidence and profile centroid), adds the activity prior and explains each choice.
/// </summary>
public sealed class QuestionRouter(
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ExpertDirectory directory,
    IOptions<RoutingOptions> options)
{
    /// <summary>
    /// Ranks experts for <paramref name="subject"/> + <paramref name="text"/>, excluding the expert whose address is
    /// <paramref name="askerEmail"/> and unavailable experts. Returns at most <paramref name="poolSize"/> candidates
    /// (default <see cref="RoutingOptions.CandidatePoolSize"/>). Throws <see cref="EmbeddingMismatchException"/> when the
    /// question's vector does not fit the index.
    /// </summary>
    public async Task<RankingResult> RankAsync(string subject, string text, string? askerEmail, int? poolSize, CancellationToken cancellationToken)
    {
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var o = options.Value;
        var k = poolSize ?? o.CandidatePoolSize;
        var query = QueryText(subject, text);

        var sw = Stopwatch.StartNew();
        var generated = await embeddings.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var embedMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();

        var asker = askerEmail?.Trim();
        if (snapshot.Index.Count == 0) return new RankingResult([], embedMs, 0);
        // Over-fetch so the activity prior can reorder beyond the pure semantic top-k.
        var matches = snapshot.Index.Search(generated[0], Math.Max(k * 4, 20),
            id => snapshot.Experts.TryGetValue(id, out var d) &&
                  (!d.Available || (asker is not null && string.Equals(d.Email, asker, StringComparison.OrdinalIgnoreCase))));

        var logMax = Math.Log(1 + Math.Max(1, snapshot.MaxAnswerCount));
        var w = o.ActivityWeight;
        var words = Words(query);
        var ranked = new List<RankedCandidate>(matches.Count);
        foreach (var m in matches)
        {
            var d = snapshot.Experts[m.ExpertId];
            var activity = Math.Log(1 + d.AnswerCount) / logMax;
            var score = (1 - w) * m.Score + w * activity;
            var named = d.Skills.Where(skill => NamesSkill(words, skill)).Take(3).ToList();
            ranked.Add(new RankedCandidate(d.Id, d.Name, d.Email, d.Department, Math.Round(score, 4), Math.Round(m.BestEvidenceScore, 4),
                Explain(m, d, named), named.Count > 0));
        }
        ranked.Sort((a, b) => b.Score.CompareTo(a.Score));
        if (ranked.Count > k) ranked.RemoveRange(k, ranked.Count - k);
        return new RankingResult(ranked, embedMs, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// The experts to ask, best first: at most <see cref="RoutingOptions.ExpertsPerQuestion"/> candidates whose best
    /// evidence reaches <see cref="RoutingOptions.MinSimilarity"/>, or half of it when the question names one of their
    /// declared skills. Empty when nobody qualifies: the question is then a knowledge gap.
    /// </summary>
    public IReadOnlyList<RankedCandidate> SelectExperts(IReadOnlyList<RankedCandidate> candidates)
    {
        var o = options.Value;
        return candidates.Where(c => IsAskable(c, o.MinSimilarity)).Take(o.ExpertsPerQuestion).ToList();
    }

    /// <summary>Whether <paramref name="c"/> may be asked under the similarity bar <paramref name="minSimilarity"/>.</summary>
    public static bool IsAskable(RankedCandidate c, double minSimilarity) =>
        c.Similarity >= minSimilarity || (c.NamesSkill && c.Similarity >= minSimilarity / 2);

    /// <summary>The text embedded for a question: subject line, then body, cut to 1,000 characters.</summary>
    public static string QueryText(string subject, string text)
    {
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
        foreach (var ch in text.Append(' '))
        {
            if (char.IsLetterOrDigit(ch))
            {
                sb.Append(char.ToLowerInvariant(ch));
                continue;
            }
            if (sb.Length == 0) continue;
            var w = sb.ToString();
            sb.Clear();
            set.Add(FoldPlural(w));
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

    private static string Explain(ExpertMatch m, DirectoryExpert d, IReadOnlyList<string> namedSkills)
    {
        var parts = new List<string>();
        if (m.BestEvidenceTitle is { Length: > 0 } title)
            parts.Add($"answered a similar question before: \u201c{title}\u201d (similarity {m.BestEvidenceScore:0.00})");
        if (namedSkills.Count > 0) parts.Add("skills named in the question: " + string.Join(", ", namedSkills));
        else if (d.Skills.Count > 0) parts.Add("profile: " + string.Join(", ", d.Skills.Take(3)));
        if (d.AnswerCount > 0) parts.Add($"{d.AnswerCount} earlier answers");
        return parts.Count == 0 ? $"profile similarity {m.CentroidScore:0.00}" : string.Join("; ", parts);
    }
}
