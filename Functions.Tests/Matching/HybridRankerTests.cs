using SocialLearning.Matching;
using SocialLearning.Routing;

namespace SocialLearning.Tests.Matching;

public class HybridRankerTests
{
    private static readonly VectorModel Model = new("test-model", 3);
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static HybridEvidence Answer(string id, string title, string text, float[] v, double daysAgo, double responseHours = 2) =>
        new(id, title, text, Now.AddDays(-daysAgo), true, v, Now.AddDays(-daysAgo).AddHours(-responseHours));

    // alice: Grover / search specialist, answered recently; bob: error correction, very active long ago; carol: photonics.
    private static HybridIndex Index() => new(Model,
    [
        new HybridExpert("alice", 2, new float[] { 1, 0, 0 },
            [Answer("a-1", "How does Grover's search scale?", "Grover search oracle amplitude amplification", [1, 0, 0], 3)]),
        new HybridExpert("bob", 40, new float[] { 0, 1, 0 },
            [Answer("a-2", "Surface code thresholds", "surface code error correction threshold syndrome", [0, 1, 0], 200, 48),
             Answer("a-3", "Stabilizer measurements", "stabilizer syndrome measurement", [0, 1, 0.2f], 210, 48)]),
        new HybridExpert("carol", 5, new float[] { 0, 0, 1 },
            [Answer("a-4", "Photonic qubits", "photonic qubit loss", [0, 0, 1], 20, 10)]),
    ], Now, TimeSpan.FromDays(14));

    [Fact]
    public void Index_measures_recent_activity_and_median_response_time()
    {
        var index = Index();
        var alice = index.PositionOf("alice");
        var bob = index.PositionOf("bob");
        Assert.Equal(Math.Pow(2, -3.0 / 14), index.Recency[alice], 12);
        Assert.Equal(2, index.ResponseHours[alice], 9);
        Assert.Equal(48, index.ResponseHours[bob], 9);
        Assert.Equal(40, index.AnswerCounts[bob]);
        Assert.Equal(4, index.Lexical.Count);
    }

    [Fact]
    public void The_expert_matching_in_meaning_words_and_recency_wins_and_the_match_carries_its_reasons()
    {
        var ranker = new HybridRanker();
        var matches = ranker.Rank(Index(), [0.9f, 0.1f, 0], Model, "How many oracle calls does Grover search need?", 3);

        Assert.Equal("alice", matches[0].ExpertId);
        Assert.Equal("How does Grover's search scale?", matches[0].BestEvidenceTitle);
        Assert.Equal(["grover", "oracle", "search"], matches[0].MatchedTerms.Order());
        Assert.True(matches[0].BestEvidenceScore > 0.99);
        var reason = QuestionRouter.Explain(matches[0], TimeSpan.FromDays(14));
        Assert.StartsWith("closest earlier answer: \u201cHow does Grover's search scale?\u201d (similarity 0.99)", reason);
        Assert.Contains("matched terms: ", reason);
        Assert.Contains("2 earlier answers", reason);
    }

    [Fact]
    public void A_reason_from_profile_text_says_profile_not_earlier_answer()
    {
        var index = new HybridIndex(Model,
        [
            new HybridExpert("dana", 0, new float[] { 1, 0, 0 },
                [new HybridEvidence("about", "profile: Payroll Specialist", "Payroll Specialist. Payroll, income tax", null, false, new float[] { 1, 0, 0 })]),
            new HybridExpert("eli", 1, new float[] { 0, 1, 0 }, [Answer("a-9", "Printer jams", "printer jam tray", [0, 1, 0], 2)]),
        ], Now);

        var matches = new HybridRanker().Rank(index, [1, 0, 0], Model, "Who knows payroll income tax?", 2);

        Assert.Equal("dana", matches[0].ExpertId);
        Assert.True(matches[0].BestEvidenceIsProfile);
        Assert.False(matches[1].BestEvidenceIsProfile);
        Assert.StartsWith("closest profile text: \u201cprofile: Payroll Specialist\u201d (similarity 1.00)", QuestionRouter.Explain(matches[0], TimeSpan.FromDays(7)));
        Assert.StartsWith("closest earlier answer: \u201cPrinter jams\u201d", QuestionRouter.Explain(matches[1], TimeSpan.FromDays(7)));
    }

    [Fact]
    public void Reasons_leave_out_contraction_fragments_and_the_tags_label()
    {
        var index = new HybridIndex(Model,
        [
            new HybridExpert("fay", 3, new float[] { 1, 0, 0 },
                [Answer("a-7", "Oracle calls", "We've counted oracle calls.\n\nTags: grovers-algorithm", [1, 0, 0], 1)]),
        ], Now);

        var m = new HybridRanker().Rank(index, [1, 0, 0], Model, "I've a question on oracle calls\n\nTags: grovers-algorithm", 1).Single();

        Assert.Equal(["algorithm", "call", "grover", "oracle"], m.MatchedTerms.Order()); // scored on "ve" and "tag" too, but not named
    }

    [Fact]
    public void Reasons_leave_out_the_stems_of_negations()
    {
        var index = new HybridIndex(Model,
        [
            new HybridExpert("gus", 3, new float[] { 1, 0, 0 },
                [Answer("a-8", "Account owners", "Don't delete the account; the owner isn't changed by that.", [1, 0, 0], 1)]),
        ], Now);

        var m = new HybridRanker().Rank(index, [1, 0, 0], Model, "I don't want to delete the account, the owner isn't known", 1).Single();

        Assert.Equal(["account", "delete", "owner"], m.MatchedTerms.Order()); // "don" and "isn" match, but are not named
        Assert.False(HybridRanker.ShownInReasons("doesn"));
        Assert.True(HybridRanker.ShownInReasons("donor"));
        // LaTeX layout, also with the '+' the tokenizer keeps; symbol names and real words stay.
        Assert.False(HybridRanker.ShownInReasons("frac"));
        Assert.False(HybridRanker.ShownInReasons("langle"));
        Assert.False(HybridRanker.ShownInReasons("rangle+"));
        Assert.True(HybridRanker.ShownInReasons("psi"));
        Assert.True(HybridRanker.ShownInReasons("matrix"));
        Assert.True(HybridRanker.ShownInReasons("c++"));
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(35, 7)]
    [InlineData(50, 10)]
    [InlineData(730, 146)]
    public void The_recency_half_life_stretches_with_the_prediction_horizon_but_never_below_seven_days(double horizonDays, double halfLifeDays) =>
        Assert.Equal(halfLifeDays, HybridWeights.Default.RecencyHalfLifeFor(horizonDays), 9);

    [Fact]
    public void Excluded_experts_are_never_ranked()
    {
        var matches = new HybridRanker().Rank(Index(), [0.9f, 0.1f, 0], Model, "Grover oracle", 3, id => id == "alice");
        Assert.Equal(["bob", "carol"], matches.Select(m => m.ExpertId).Order());
    }

    [Fact]
    public void Load_in_the_last_week_lowers_an_expert_by_lambda_standard_deviations_per_request()
    {
        var w = HybridWeights.Default with { LoadPenalty = 1, LoadFade = 0 };
        var signals = HybridRanker.Signals(Index(), [0.9f, 0.1f, 0], Model, "Grover oracle");
        var free = HybridRanker.Fuse(signals, w, 3);
        var busy = HybridRanker.Fuse(signals, w, 3, id => id == "alice" ? 5 : 0);

        Assert.Equal("alice", free[0].ExpertId);
        Assert.NotEqual("alice", busy[0].ExpertId);
        var aliceFree = free.Single(m => m.ExpertId == "alice");
        var aliceBusy = busy.Single(m => m.ExpertId == "alice");
        Assert.Equal(aliceFree.Score - 5, aliceBusy.Score, 9);
        Assert.Equal(5, aliceBusy.Load);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.0)]
    [InlineData(5, 0.0)]
    public void Prior_fade_shrinks_only_the_prior_part_of_a_busy_expert_by_phi_per_request(int load, double priorLeft)
    {
        var w = HybridWeights.Default with { LoadPenalty = 0, LoadFade = 0.5 };
        var signals = HybridRanker.Signals(Index(), [0.9f, 0.1f, 0], Model, "Grover oracle");
        var i = Enumerable.Range(0, signals.Count).Single(j => signals.Dense[j].ExpertId == "alice");
        // Activity, recency and responsiveness (components 3–5) are the priors; alice, the most active, has a positive sum.
        var prior = (w.Activity * signals.Z[3][i]) + (w.Recency * signals.Z[4][i]) + (w.Responsiveness * signals.Z[5][i]);
        Assert.True(prior > 0.5, $"prior part {prior}");

        var free = HybridRanker.Fuse(signals, w, 3).Single(m => m.ExpertId == "alice");
        var busy = HybridRanker.Fuse(signals, w, 3, id => id == "alice" ? load : 0).Single(m => m.ExpertId == "alice");
        Assert.Equal(free.Score - ((1 - priorLeft) * prior), busy.Score, 9);
        // Nobody else holds a request: their scores do not move.
        Assert.Equal(HybridRanker.Fuse(signals, w, 3).Where(m => m.ExpertId != "alice").Select(m => m.Score),
            HybridRanker.Fuse(signals, w, 3, id => id == "alice" ? load : 0).Where(m => m.ExpertId != "alice").Select(m => m.Score));
    }

    [Fact]
    public void The_prior_floor_bounds_what_inactivity_takes_away_and_leaves_other_scores_alone()
    {
        var signals = HybridRanker.Signals(Index(), [0.9f, 0.1f, 0], Model, "Grover oracle");
        var open = HybridWeights.Default with { PriorFloor = double.PositiveInfinity };
        var floored = HybridWeights.Default with { PriorFloor = 0.1 };
        double Prior(int i) => (open.Activity * signals.Z[3][i]) + (open.Recency * signals.Z[4][i]) + (open.Responsiveness * signals.Z[5][i]);
        var ids = Enumerable.Range(0, signals.Count).ToDictionary(i => signals.Dense[i].ExpertId, Prior);
        var lowest = ids.MinBy(kv => kv.Value);
        Assert.True(lowest.Value < -0.1, $"lowest prior part {lowest.Value}");

        var without = HybridRanker.Fuse(signals, open, 3).ToDictionary(m => m.ExpertId, m => m.Score);
        var with = HybridRanker.Fuse(signals, floored, 3).ToDictionary(m => m.ExpertId, m => m.Score);

        foreach (var (id, prior) in ids)
        {
            // Below the floor the prior part counts as −0.1; at or above it nothing changes.
            Assert.Equal(without[id] + Math.Max(0, -0.1 - prior), with[id], 9);
        }
        Assert.Equal(1, HybridWeights.Default.PriorFloor);
        Assert.Contains("prior floor −1", HybridWeights.Default.Describe());
        // Small settings stay visible: λ 0.004 is not "load λ 0" (load off), and a third is not the default 0.25 rounded.
        var described = (HybridWeights.Default with { LoadPenalty = 0.004, Evidence = 1.0 / 3, RecencyHalfLifeDays = 1.5 }).Describe();
        Assert.Contains("load λ 0.004", described);
        Assert.Contains("evidence 0.333,", described);
        Assert.Contains("(half-life 1.5 d)", described);
    }

    [Fact]
    public void Competition_ranks_share_the_best_rank_on_ties_and_skip_non_positive_values_when_asked()
    {
        Assert.Equal([1, 2, 2, 4], HybridRanker.CompetitionRanks([5, 3, 3, 1], requirePositive: false));
        Assert.Equal([0, 1, 2], HybridRanker.CompetitionRanks([0, 2, 1], requirePositive: true));
        Assert.Equal([-1, 1], HybridRanker.ZScores([1, 3]));
        Assert.Equal([0, 0], HybridRanker.ZScores([2, 2]));
    }

    [Fact]
    public void Reciprocal_rank_fusion_adds_weight_over_k_plus_rank()
    {
        var w = new HybridWeights(1, 0, 0, 0, 0, 60, 0);
        var signals = HybridRanker.Signals(Index(), [0.9f, 0.1f, 0], Model, "Grover");
        var top = HybridRanker.Fuse(signals, w, 1)[0];
        Assert.Equal("alice", top.ExpertId);
        Assert.Equal(1.0 / 61, top.Score, 12);
    }
}
