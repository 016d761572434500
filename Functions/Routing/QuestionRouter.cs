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
    /// question's vector does not fit the index even after a reload of the directory (the stored vectors are of another
    /// model or size than the configured generator's: run <c>reembed</c>), or when the stored vectors disagree among
    /// themselves.
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
        if (!snapshot.Index.Model.Equals(VectorModel.Of(generated[0])))
        {
            // The snapshot may predate a `reembed` run by another process: reload it (at most every 30 s) before calling
            // it a mismatch.
            snapshot = await directory.RefreshAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (snapshot.Index.Count == 0) return new RankingResult([], embedMs, 0);
            sw.Restart();
        }

        // Over-fetch so the activity prior can reorder beyond the pure semantic top-k. A query of another model or size
        // than the stored vectors throws EmbeddingMismatchException (its message says to run `reembed`).
        var matches = snapshot.Index.Search(generated[0], Math.Max(k * 4, 20),
            id => snapshot.Experts.TryGetValue(id, out var d) &&
                  (!d.Available || (asker is not null && string.Equals(d.Email, asker, StringComparison.OrdinalIgnoreCase))));

        var logMax = Math.Log(1 + Math.Max(1, snapshot.MaxAnswerCount));
        var w = o.ActivityWeight;
        var ranked = new List<RankedCandidate>(matches.Count);
        foreach (var m in matches)
        {
            var d = snapshot.Experts[m.ExpertId];
            var activity = Math.Log(1 + d.AnswerCount) / logMax;
            var score = (1 - w) * m.Score + w * activity;
            ranked.Add(new RankedCandidate(d.Id, d.Name, d.Email, d.Department, Math.Round(score, 4), Math.Round(m.BestEvidenceScore, 4), Explain(m, d, query)));
        }
        ranked.Sort((a, b) => b.Score.CompareTo(a.Score));
        if (ranked.Count > k) ranked.RemoveRange(k, ranked.Count - k);
        return new RankingResult(ranked, embedMs, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>The text embedded for a question: subject line, then body, cut to 1,000 characters.</summary>
    public static string QueryText(string subject, string text)
    {
        var q = string.IsNullOrWhiteSpace(subject) ? text : subject.Trim() + "\n" + text;
        return q.Length > 1000 ? q[..1000] : q;
    }

    private static string Explain(ExpertMatch m, DirectoryExpert d, string query)
    {
        var parts = new List<string>();
        if (m.BestEvidenceTitle is { Length: > 0 } title)
            parts.Add($"answered a similar question before: \u201c{title}\u201d (similarity {m.BestEvidenceScore:0.00})");
        var skills = d.Skills.Where(s => s.Length > 1 &&
                (query.Contains(s, StringComparison.OrdinalIgnoreCase) || query.Contains(s.Replace('-', ' '), StringComparison.OrdinalIgnoreCase)))
            .Take(3).ToList();
        if (skills.Count > 0) parts.Add("skills named in the question: " + string.Join(", ", skills));
        else if (d.Skills.Count > 0) parts.Add("profile: " + string.Join(", ", d.Skills.Take(3)));
        if (d.AnswerCount > 0) parts.Add($"{d.AnswerCount} earlier answers");
        return parts.Count == 0 ? $"profile similarity {m.CentroidScore:0.00}" : string.Join("; ", parts);
    }
}
