namespace SocialLearning.Matching.Evaluation;

/// <summary>
/// Per-question ranking metrics with binary relevance: an expert id is relevant when it is in the gold set (the users
/// who really answered). Ids are compared ordinally. <c>ranked</c> is the system's ranking, best first, of distinct ids;
/// it may be shorter than k. Every metric is in [0, 1].
/// Definitions: Manning, Raghavan &amp; Schütze, <i>Introduction to Information Retrieval</i> (2008), ch. 8;
/// nDCG: Järvelin &amp; Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS 20(4), 2002.
/// </summary>
public static class RankingMetrics
{
    /// <summary>P@1: 1 when the top-ranked id is relevant, else 0 (also 0 for an empty ranking).</summary>
    /// <param name="ranked">Ranking, best first.</param>
    /// <param name="gold">Relevant ids; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="gold"/> is empty.</exception>
    public static double PrecisionAt1(IReadOnlyList<string> ranked, IReadOnlySet<string> gold)
    {
        Check(ranked, gold);
        return ranked.Count > 0 && gold.Contains(ranked[0]) ? 1 : 0;
    }

    /// <summary>Hit@k (success@k): 1 when any of the top <paramref name="k"/> ids is relevant, else 0.</summary>
    /// <param name="ranked">Ranking, best first.</param>
    /// <param name="gold">Relevant ids; at least one.</param>
    /// <param name="k">Cut-off, ≥ 1.</param>
    /// <exception cref="ArgumentException"><paramref name="gold"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> &lt; 1.</exception>
    public static double HitAt(IReadOnlyList<string> ranked, IReadOnlySet<string> gold, int k)
    {
        Check(ranked, gold);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var n = Math.Min(k, ranked.Count);
        for (var i = 0; i < n; i++)
        {
            if (gold.Contains(ranked[i])) return 1;
        }
        return 0;
    }

    /// <summary>Reciprocal rank: 1 / (1-based rank of the first relevant id), 0 when none is ranked. Its mean is MRR.</summary>
    /// <param name="ranked">Ranking, best first.</param>
    /// <param name="gold">Relevant ids; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="gold"/> is empty.</exception>
    public static double ReciprocalRank(IReadOnlyList<string> ranked, IReadOnlySet<string> gold)
    {
        Check(ranked, gold);
        for (var i = 0; i < ranked.Count; i++)
        {
            if (gold.Contains(ranked[i])) return 1.0 / (i + 1);
        }
        return 0;
    }

    /// <summary>
    /// nDCG@k with binary gains: DCG = Σ_{i=1..k} rel_i / log2(i + 1) over the ranking, divided by the ideal DCG, in which
    /// the first min(|gold|, k) positions are relevant.
    /// </summary>
    /// <param name="ranked">Ranking, best first, distinct ids.</param>
    /// <param name="gold">Relevant ids; at least one.</param>
    /// <param name="k">Cut-off, ≥ 1.</param>
    /// <exception cref="ArgumentException"><paramref name="gold"/> is empty, or a relevant id occurs twice in the top <paramref name="k"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> &lt; 1.</exception>
    public static double NdcgAt(IReadOnlyList<string> ranked, IReadOnlySet<string> gold, int k)
    {
        Check(ranked, gold);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var n = Math.Min(k, ranked.Count);
        var dcg = 0.0;
        HashSet<string>? seen = null;
        for (var i = 0; i < n; i++)
        {
            if (!gold.Contains(ranked[i])) continue;
            seen ??= new HashSet<string>(StringComparer.Ordinal);
            if (!seen.Add(ranked[i]))
                throw new ArgumentException($"Id '{ranked[i]}' occurs twice in the top {k} of the ranking.", nameof(ranked));
            dcg += Discount(i);
        }
        var ideal = 0.0;
        var relevant = Math.Min(gold.Count, k);
        for (var i = 0; i < relevant; i++) ideal += Discount(i);
        return dcg / ideal;
    }

    /// <summary>Accepted-answerer Hit@k: 1 when <paramref name="acceptedAnswerer"/> is among the top <paramref name="k"/> ids, else 0.</summary>
    /// <param name="ranked">Ranking, best first.</param>
    /// <param name="acceptedAnswerer">Id of the author of the accepted answer.</param>
    /// <param name="k">Cut-off, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> &lt; 1.</exception>
    public static double AcceptedHitAt(IReadOnlyList<string> ranked, string acceptedAnswerer, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(acceptedAnswerer);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var n = Math.Min(k, ranked.Count);
        for (var i = 0; i < n; i++)
        {
            if (string.Equals(ranked[i], acceptedAnswerer, StringComparison.Ordinal)) return 1;
        }
        return 0;
    }

    /// <summary>1 / log2(position + 1) for a 0-based index (position = index + 1).</summary>
    private static double Discount(int index) => 1.0 / Math.Log2(index + 2);

    private static void Check(IReadOnlyList<string> ranked, IReadOnlySet<string> gold)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(gold);
        if (gold.Count == 0) throw new ArgumentException("The gold set must hold at least one id.", nameof(gold));
    }
}
