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
