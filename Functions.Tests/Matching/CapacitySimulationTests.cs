using SocialLearning.Matching.Evaluation;

namespace SocialLearning.Tests.Matching;

public class CapacitySimulationTests
{
    private static readonly DateTimeOffset Day0 = new(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Experts = ["e1", "e2", "e3", "e4", "e5"];

    private static EvaluationQuestion Question(int id, double day, string gold) =>
        new(id, Day0.AddDays(day), "subject", "text", null, new HashSet<string>([gold]), null);

    // Questions on days 0, 1, 2, 3 and 9; e1 really answered each one.
    private static RoutingEvaluationSet Set() => new("test", Day0,
        Experts.Select(e => new SocialLearning.Experts.ExpertProfile(e, e, e + "@x.example", "", "", "", [], [], 3, null)).ToList(),
        [Question(1, 0, "e1"), Question(2, 1, "e1"), Question(3, 2, "e1"), Question(4, 3, "e1"), Question(5, 9, "e1")], 0);

    private sealed class Fixed(List<Func<string, int>> loads) : IRoutingMethod
    {
        public string Name => "fixed";

        public IReadOnlyList<string> Rank(int question, Func<string, int> load)
        {
            loads.Add(load);
            return Experts;
        }
    }

    [Fact]
    public void Without_a_cap_every_question_asks_the_top_three_and_scores_the_full_ranking()
    {
        var r = CapacitySimulation.Run(Set(), new Fixed([]), cap: null);

        Assert.Equal(1.0, r.Metrics.Mrr);
        Assert.Equal(15, r.Requests);
        Assert.Equal(5, r.RequestsByExpert["e1"]);
        Assert.False(r.RequestsByExpert.ContainsKey("e4"));
    }

    [Fact]
    public void An_expert_holding_three_requests_from_the_last_seven_days_is_skipped_until_the_oldest_ages_out()
    {
        var loads = new List<Func<string, int>>();
        var r = CapacitySimulation.Run(Set(), new Fixed(loads), CapacitySimulation.Cap);

        // Day 3: e1–e3 hold 3 requests each (days 0, 1, 2) → skipped, e4 and e5 asked, the gold answerer is missed.
        // Day 9: the window starts after day 2, so nothing counts and e1 is asked again.
        Assert.Equal([0, 1, 2, 3, 0], loads.Select(l => l("e1")));
        Assert.Equal(0.8, r.Metrics.Mrr, 12);
        Assert.Equal(0.8, r.Metrics.HitAt3, 12);
        Assert.Equal(4, r.RequestsByExpert["e1"]);
        Assert.Equal(1, r.RequestsByExpert["e4"]);
        Assert.Equal(1, r.RequestsByExpert["e5"]);
        Assert.Equal(14, r.Requests);
        // Top 10% of 5 candidates = 1 expert: 4 of 14 requests.
        Assert.Equal(4.0 / 14, r.Top10PctShare, 12);
    }

    [Fact]
    public void Top_ten_percent_share_rounds_the_expert_count_up_and_counts_experts_without_requests()
    {
        var counts = new Dictionary<string, int> { ["a"] = 6, ["b"] = 3, ["c"] = 1 };
        Assert.Equal(0.6, CapacitySimulation.Top10Share(counts, 10), 12);   // 1 expert
        Assert.Equal(0.9, CapacitySimulation.Top10Share(counts, 11), 12);   // 2 experts
        Assert.Equal(0, CapacitySimulation.Top10Share(new Dictionary<string, int>(), 10));
    }

    [Fact]
    public void Pooling_weights_each_fold_by_its_questions()
    {
        var pooled = RoutingEvaluator.Pool([
            new MetricSummary(1, 1, 1, 1, 1, 1, 1, 1),
            new MetricSummary(0, 0, 0, 0.25, 0, double.NaN, 3, 0),
        ]);

        Assert.Equal(0.25, pooled.PAt1, 12);
        Assert.Equal((1 + (3 * 0.25)) / 4, pooled.Mrr, 12);
        Assert.Equal(1, pooled.AcceptedHitAt3, 12);
        Assert.Equal(4, pooled.Questions);
    }
}
