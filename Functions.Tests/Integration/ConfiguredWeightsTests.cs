using SocialLearning.Experts;
using SocialLearning.Matching;
using SocialLearning.Routing;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary><c>Routing:Weights</c> reach the live router: the directory's recency half-life and the ranker's weights.</summary>
[Collection("Azurite")]
public sealed class ConfiguredWeightsTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Subject = "VPN drops every few minutes";
    private const string Text = "My VPN connection from home disconnects every ten minutes although the internet itself stays up. What can I check?";

    private static async Task<(IReadOnlyList<RankedCandidate> Routed, IReadOnlyList<HybridMatch> Expected, IReadOnlyList<HybridMatch> WithDefaults, TimeSpan HalfLife)>
        RankAsync(PipelineHarness h)
    {
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var routed = (await h.Get<QuestionRouter>().RankAsync(Subject, Text, "asker@northwind.example", 8, Ct)).Candidates;
        var snapshot = await h.Get<ExpertDirectory>().GetAsync(Ct);
        var vector = (await h.Get<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>()
            .GenerateAsync([QuestionRouter.QueryText(Subject, Text)], cancellationToken: Ct))[0];
        var configured = h.Get<Microsoft.Extensions.Options.IOptions<RoutingOptions>>().Value.Weights.ToHybridWeights();
        IReadOnlyList<HybridMatch> Rank(HybridWeights w) => new HybridRanker(w).Rank(snapshot.Hybrid, vector.Vector.Span, VectorModel.Of(vector),
            QuestionRouter.LexicalText(Subject, Text), 8, id => !snapshot.Experts[id].Available);
        return (routed, Rank(configured), Rank(HybridWeights.Default), snapshot.Hybrid.RecencyHalfLife);
    }

    [Fact]
    public async Task Without_settings_the_router_ranks_with_the_defaults()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var (routed, expected, withDefaults, halfLife) = await RankAsync(h);

        Assert.Equal(TimeSpan.FromDays(HybridWeights.Default.RecencyHalfLifeDays), halfLife);
        Assert.Equal(withDefaults.Select(m => m.ExpertId), routed.Select(c => c.ExpertId));
        Assert.Equal(expected.Select(m => Math.Round(m.Score, 4)), routed.Select(c => c.Score)); // the router keeps 4 decimals
    }

    [Fact]
    public async Task Configured_weights_and_half_life_change_the_ranking_the_router_gives()
    {
        // Calibrated-looking settings: BM25 dominant, no centroid, a 60-day recency half-life.
        await using var h = await PipelineHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Routing:Weights:Bm25"] = "4",
            ["Routing:Weights:Centroid"] = "0",
            ["Routing:Weights:Evidence"] = "0.5",
            ["Routing:Weights:RecencyHalfLifeDays"] = "60",
            ["Routing:Weights:LoadPenalty"] = "0",
        });
        var (routed, expected, withDefaults, halfLife) = await RankAsync(h);

        Assert.Equal(TimeSpan.FromDays(60), halfLife);
        Assert.Equal(expected.Select(m => m.ExpertId), routed.Select(c => c.ExpertId));
        Assert.Equal(expected.Select(m => Math.Round(m.Score, 4)), routed.Select(c => c.Score)); // the router keeps 4 decimals
        // The default weights over the same directory rank the experts in another order: the settings are what the router used.
        Assert.NotEqual(withDefaults.Select(m => m.ExpertId), routed.Select(c => c.ExpertId));
    }
}
