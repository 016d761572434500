namespace SocialLearning.Matching.Evaluation;

/// <summary>
/// Mean routing metrics over a set of test questions (macro average: every question weighs the same). Values are
/// fractions in [0, 1]; <see cref="double.NaN"/> when no question was averaged.
/// </summary>
/// <param name="PAt1">Mean P@1.</param>
/// <param name="HitAt3">Mean Hit@3.</param>
/// <param name="HitAt5">Mean Hit@5.</param>
/// <param name="Mrr">Mean reciprocal rank (MRR), over the whole ranking.</param>
/// <param name="NdcgAt5">Mean nDCG@5.</param>
/// <param name="AcceptedHitAt3">Mean accepted-answerer Hit@3, over the <paramref name="AcceptedQuestions"/> questions that have an accepted answerer among the candidates only.</param>
/// <param name="Questions">Questions averaged.</param>
/// <param name="AcceptedQuestions">Questions with an accepted answerer (the denominator of <paramref name="AcceptedHitAt3"/>).</param>
public sealed record MetricSummary(
    double PAt1,
    double HitAt3,
    double HitAt5,
    double Mrr,
    double NdcgAt5,
    double AcceptedHitAt3,
    int Questions,
    int AcceptedQuestions);

/// <summary>
/// Adds up <see cref="RankingMetrics"/> question by question and averages them into a <see cref="MetricSummary"/>.
/// Not thread-safe: use one accumulator per evaluation run (or per thread, then combine the runs' counts yourself).
/// </summary>
public sealed class MetricAccumulator
{
    private double _pAt1, _hitAt3, _hitAt5, _rr, _ndcgAt5, _acceptedHitAt3;
    private int _questions, _acceptedQuestions;

    /// <summary>Questions added so far.</summary>
    public int Questions => _questions;

    /// <summary>Scores one question.</summary>
    /// <param name="ranked">The system's ranking of expert ids, best first, distinct (the asker already left out if the protocol says so).</param>
    /// <param name="gold">Ids of the experts who really answered; at least one. Duplicates are ignored.</param>
    /// <param name="acceptedAnswerer">Id of the accepted answer's author when that author is a candidate, else null (the question then does not count for <see cref="MetricSummary.AcceptedHitAt3"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="gold"/> is empty.</exception>
    public void Add(IReadOnlyList<string> ranked, IEnumerable<string> gold, string? acceptedAnswerer)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(gold);
        var goldSet = gold as IReadOnlySet<string> ?? new HashSet<string>(gold, StringComparer.Ordinal);
        _pAt1 += RankingMetrics.PrecisionAt1(ranked, goldSet);
        _hitAt3 += RankingMetrics.HitAt(ranked, goldSet, 3);
        _hitAt5 += RankingMetrics.HitAt(ranked, goldSet, 5);
        _rr += RankingMetrics.ReciprocalRank(ranked, goldSet);
        _ndcgAt5 += RankingMetrics.NdcgAt(ranked, goldSet, 5);
        _questions++;
        if (acceptedAnswerer is not null)
        {
            _acceptedHitAt3 += RankingMetrics.AcceptedHitAt(ranked, acceptedAnswerer, 3);
            _acceptedQuestions++;
        }
    }

    /// <summary>The means so far.</summary>
    public MetricSummary Summary() => new(
        Mean(_pAt1, _questions),
        Mean(_hitAt3, _questions),
        Mean(_hitAt5, _questions),
        Mean(_rr, _questions),
        Mean(_ndcgAt5, _questions),
        Mean(_acceptedHitAt3, _acceptedQuestions),
        _questions,
        _acceptedQuestions);

    private static double Mean(double sum, int n) => n == 0 ? double.NaN : sum / n;
}
