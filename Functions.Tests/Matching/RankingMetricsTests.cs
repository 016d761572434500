using SocialLearning.Matching.Evaluation;
using Xunit;

namespace SocialLearning.Tests.Matching;

public class RankingMetricsTests
{
    private static HashSet<string> Gold(params string[] ids) => new(ids, StringComparer.Ordinal);

    private static readonly string[] Abcde = ["a", "b", "c", "d", "e"];

    [Fact]
    public void Relevant_at_ranks_2_and_4_gives_hand_computed_values()
    {
        var gold = Gold("b", "d");

        Assert.Equal(0, RankingMetrics.PrecisionAt1(Abcde, gold));
        Assert.Equal(0, RankingMetrics.HitAt(Abcde, gold, 1));
        Assert.Equal(1, RankingMetrics.HitAt(Abcde, gold, 2));
        Assert.Equal(1, RankingMetrics.HitAt(Abcde, gold, 3));
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(Abcde, gold));
        // DCG@5 = 1/log2(3) + 1/log2(5) = 1.0616063; IDCG (2 relevant) = 1 + 1/log2(3) = 1.6309298.
        Assert.Equal(0.6509209298071326, RankingMetrics.NdcgAt(Abcde, gold, 5), 12);
        // Only "b" is in the top 3: DCG@3 = 1/log2(3); IDCG@3 is still the 2-relevant ideal.
        Assert.Equal(0.6309297535714575 / 1.6309297535714575, RankingMetrics.NdcgAt(Abcde, gold, 3), 12);
    }

    [Fact]
    public void Perfect_ranking_scores_one_everywhere()
    {
        var gold = Gold("a", "b");

        Assert.Equal(1, RankingMetrics.PrecisionAt1(Abcde, gold));
        Assert.Equal(1, RankingMetrics.ReciprocalRank(Abcde, gold));
        Assert.Equal(1, RankingMetrics.NdcgAt(Abcde, gold, 5), 12);
        Assert.Equal(1, RankingMetrics.NdcgAt(Abcde, gold, 1), 12);
    }

    [Fact]
    public void Gold_missing_from_the_ranking_scores_zero()
    {
        var gold = Gold("z");

        Assert.Equal(0, RankingMetrics.PrecisionAt1(Abcde, gold));
        Assert.Equal(0, RankingMetrics.HitAt(Abcde, gold, 5));
        Assert.Equal(0, RankingMetrics.ReciprocalRank(Abcde, gold));
        Assert.Equal(0, RankingMetrics.NdcgAt(Abcde, gold, 5));
    }

    [Fact]
    public void Ideal_dcg_counts_at_most_k_relevant_when_gold_is_larger_than_k()
    {
        string[] ranked = ["a", "b", "x", "c"];
        var gold = Gold("a", "b", "c", "d", "e", "f");

        // DCG@5 = 1 + 1/log2(3) + 1/log2(5); IDCG@5 = sum over positions 1..5 (not 6).
        var dcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(5);
        var ideal = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4) + 1 / Math.Log2(5) + 1 / Math.Log2(6);
        Assert.Equal(dcg / ideal, RankingMetrics.NdcgAt(ranked, gold, 5), 12);
    }

    [Fact]
    public void Single_relevant_at_rank_5_gives_reciprocal_rank_one_fifth_and_ndcg_one_over_log2_6()
    {
        string[] ranked = ["v", "w", "x", "y", "g"];
        var gold = Gold("g");

        Assert.Equal(0.2, RankingMetrics.ReciprocalRank(ranked, gold), 12);
        Assert.Equal(0.38685280723454163, RankingMetrics.NdcgAt(ranked, gold, 5), 12);
        Assert.Equal(0, RankingMetrics.NdcgAt(ranked, gold, 4));
        Assert.Equal(0, RankingMetrics.HitAt(ranked, gold, 3));
        Assert.Equal(1, RankingMetrics.HitAt(ranked, gold, 5));
    }

    [Fact]
    public void Ranking_shorter_than_k_and_empty_ranking_are_scored_without_error()
    {
        var gold = Gold("b");

        Assert.Equal(1, RankingMetrics.HitAt(["a", "b"], gold, 5));
        Assert.Equal(1 / Math.Log2(3), RankingMetrics.NdcgAt(["a", "b"], gold, 5), 12);
        Assert.Equal(0, RankingMetrics.PrecisionAt1([], gold));
        Assert.Equal(0, RankingMetrics.ReciprocalRank([], gold));
        Assert.Equal(0, RankingMetrics.NdcgAt([], gold, 5));
    }

    [Fact]
    public void Accepted_answerer_hit_counts_only_the_top_k()
    {
        Assert.Equal(1, RankingMetrics.AcceptedHitAt(Abcde, "c", 3));
        Assert.Equal(0, RankingMetrics.AcceptedHitAt(Abcde, "d", 3));
        Assert.Equal(0, RankingMetrics.AcceptedHitAt(Abcde, "z", 5));
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.ReciprocalRank(Abcde, Gold()));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.HitAt(Abcde, Gold("a"), 0));
        Assert.Throws<ArgumentException>(() => RankingMetrics.NdcgAt(["a", "a"], Gold("a"), 5));
    }

    [Fact]
    public void Accumulator_averages_per_question_and_accepted_hit_over_questions_with_an_accepted_answerer()
    {
        var acc = new MetricAccumulator();
        acc.Add(Abcde, ["b", "d"], acceptedAnswerer: "d");   // P@1 0, Hit@3 1, Hit@5 1, RR 1/2, nDCG@5 0.6509209, acc@3 0
        acc.Add(Abcde, ["a"], acceptedAnswerer: "a");        // 1, 1, 1, 1, 1, acc@3 1
        acc.Add(Abcde, ["z"], acceptedAnswerer: null);       // 0, 0, 0, 0, 0, not counted for acc@3
        acc.Add(Abcde, ["e", "e"], acceptedAnswerer: null);  // 0, 0, 1, 1/5, 1/log2(6) = 0.3868528

        var s = acc.Summary();

        Assert.Equal(4, s.Questions);
        Assert.Equal(2, s.AcceptedQuestions);
        Assert.Equal(0.25, s.PAt1, 12);
        Assert.Equal(0.5, s.HitAt3, 12);
        Assert.Equal(0.75, s.HitAt5, 12);
        Assert.Equal((0.5 + 1 + 0 + 0.2) / 4, s.Mrr, 12);
        Assert.Equal((0.6509209298071326 + 1 + 0 + 0.38685280723454163) / 4, s.NdcgAt5, 12);
        Assert.Equal(0.5, s.AcceptedHitAt3, 12);
    }

    [Fact]
    public void Empty_accumulator_reports_not_a_number_rather_than_zero()
    {
        var s = new MetricAccumulator().Summary();

        Assert.Equal(0, s.Questions);
        Assert.True(double.IsNaN(s.Mrr));
        Assert.True(double.IsNaN(s.AcceptedHitAt3));
    }
}
