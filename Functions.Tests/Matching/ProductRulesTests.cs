using SocialLearning.Matching;
using SocialLearning.Matching.Evaluation;

namespace SocialLearning.Tests.Matching;

public class ProductRulesTests
{
    [Fact]
    public void The_products_weights_meet_the_rules_they_were_chosen_under()
    {
        Assert.True(RoutingEvaluator.MeetsProductRules(HybridWeights.Default));
        // Content 0.25 + 0.5 + 0.25 + 0.25 = 1.25 against priors 1 + 0 + 0.25 = 1.25: equal is allowed.
        Assert.True(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { LoadPenalty = 0, LoadFade = 0 }));
    }

    [Fact]
    public void Priors_heavier_than_content_a_dropped_signal_or_rrf_break_the_rules()
    {
        // Centroid 0.25: content 1.0 against priors 1.25 (the 0.435 row of the validation grid).
        Assert.False(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { Centroid = 0.25 }));
        Assert.False(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { Lexical = 0, Centroid = 1 }));
        Assert.False(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { Responsiveness = 0 }));
        Assert.False(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { Fusion = HybridFusion.ReciprocalRank }));
    }
}

public class TuningChoiceTests
{
    private static readonly HybridWeights Current = HybridWeights.Default;
    private static readonly HybridWeights CurrentStage1 = Current with { LoadPenalty = 0, LoadFade = 0, RrfK = 0 };

    /// <summary>A result whose four objective terms all equal <paramref name="objective"/>.</summary>
    private static ValidationResult Result(HybridWeights w, double objective)
    {
        var m = new MetricSummary(0, objective, 0, objective, 0, 0, 345, 0);
        return new ValidationResult(w, m, m);
    }

    [Fact]
    public void Stage_one_keeps_the_current_setting_within_the_tolerance_and_leaves_it_beyond()
    {
        var moved = CurrentStage1 with { Topic = 0.5 };
        var priorsHeavy = CurrentStage1 with { Centroid = 0.25 }; // content 1.0 < priors 1.25: never the product's

        // The rerun of 2026-12-06: 0.432 against 0.428.
        Assert.Equal(CurrentStage1, RoutingEvaluator.ChooseSetting([Result(priorsHeavy, 0.433), Result(moved, 0.432), Result(CurrentStage1, 0.428)], Current));
        // 0.006 behind: the better setting wins.
        Assert.Equal(moved, RoutingEvaluator.ChooseSetting([Result(moved, 0.434), Result(CurrentStage1, 0.428)], Current));
        // The current setting not in the grid (another site's run, say): the best under the rules.
        Assert.Equal(moved, RoutingEvaluator.ChooseSetting([Result(priorsHeavy, 0.44), Result(moved, 0.432)], Current with { Topic = 2 }));
    }

    [Fact]
    public void Stage_two_keeps_the_current_load_terms_within_the_tolerance_else_prefers_the_largest_lambda_then_phi()
    {
        var grid = new List<ValidationResult>
        {
            Result(CurrentStage1 with { LoadPenalty = 0.05, LoadFade = 0.5 }, 0.452),
            Result(CurrentStage1 with { LoadPenalty = 0.1, LoadFade = 0.5 }, 0.450),
            Result(CurrentStage1 with { LoadPenalty = 0.3, LoadFade = 0.75 }, 0.448),
            Result(CurrentStage1 with { LoadPenalty = 0.5, LoadFade = 0.25 }, 0.445),
            Result(CurrentStage1 with { LoadPenalty = 0.5, LoadFade = 0 }, 0.435),
        };

        var kept = RoutingEvaluator.ChooseLoad(grid, Current);
        Assert.Equal((0.1, 0.5), (kept.Weights.LoadPenalty, kept.Weights.LoadFade));

        // With other current load terms: the largest λ within 0.005 of 0.452 (0.448 is in, 0.445 is not), then its φ.
        var fresh = RoutingEvaluator.ChooseLoad(grid, Current with { LoadPenalty = 0.2, LoadFade = 1 });
        Assert.Equal((0.3, 0.75), (fresh.Weights.LoadPenalty, fresh.Weights.LoadFade));
    }
}
