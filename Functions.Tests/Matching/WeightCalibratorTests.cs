using Microsoft.Extensions.AI;
using SocialLearning.Experts.StackExchange;
using SocialLearning.Matching;
using SocialLearning.Matching.Evaluation;

namespace SocialLearning.Tests.Matching;

/// <summary>
/// The calibration's parts that need no dump (the projection onto the product rules, the margin, the guards) and the
/// evaluation's refusals of sites it cannot evaluate. The calibration on real folds is in <see cref="RoutingEvaluationRealDataTests"/>.
/// </summary>
public class WeightCalibratorTests
{
    [Fact]
    public void A_step_that_puts_the_priors_above_the_content_scales_the_content_weights_up_to_meet_them_keeping_their_mix()
    {
        // Defaults: content 0.25 + 0.5 + 0.25 + 0.25 = 1.25 = priors 1 + 0 + 0.25. Activity 1 makes the priors 2.25.
        var w = WeightCalibrator.ContentAtLeastPriors(HybridWeights.Default with { Activity = 1 });

        Assert.Equal(0.25 * 1.8, w.Evidence, 9);
        Assert.Equal(0.5 * 1.8, w.Centroid, 9);
        Assert.Equal(0.25 * 1.8, w.Lexical, 9);
        Assert.Equal(0.25 * 1.8, w.Topic, 9);
        Assert.Equal((1.0, 1.0, 0.25), (w.Activity, w.Recency, w.Responsiveness));
        Assert.True(RoutingEvaluator.MeetsProductRules(w));
        Assert.False(RoutingEvaluator.MeetsProductRules(HybridWeights.Default with { Activity = 1 }));

        // Content already at least the priors: unchanged.
        var heavy = HybridWeights.Default with { Lexical = 4 };
        Assert.Same(heavy, WeightCalibrator.ContentAtLeastPriors(heavy));
        // Every step of every weight from the defaults lands inside the rules (ContentSteps may switch centroid and topic off).
        foreach (var activity in WeightCalibrator.ActivitySteps)
        foreach (var recency in WeightCalibrator.RecencySteps)
        foreach (var responsiveness in WeightCalibrator.ResponsivenessSteps)
            Assert.True(RoutingEvaluator.MeetsProductRules(WeightCalibrator.ContentAtLeastPriors(
                HybridWeights.Default with { Activity = activity, Recency = recency, Responsiveness = responsiveness, Centroid = 0, Topic = 0 })));
    }

    [Theory]
    [InlineData(345, 0.0050724637681)] // quantumcomputing.stackexchange.com: 1.75 / 345
    [InlineData(1000, 0.005)]
    [InlineData(40, 0.04375)]
    public void The_margin_that_replaces_the_defaults_grows_on_small_sites(int questions, double expected) =>
        Assert.Equal(expected, WeightCalibrator.MarginFor(questions), 9);

    [Fact]
    public void Without_validation_questions_the_defaults_stay_and_weights_outside_the_rules_are_refused()
    {
        var folds = 0;
        var c = WeightCalibrator.Calibrate(_ => { folds++; return new FoldSignals([], []); }, HybridWeights.Default, null, TestContext.Current.CancellationToken);

        Assert.True(c.KeptDefaults);
        Assert.Equal(HybridWeights.Default, c.Chosen.Weights);
        Assert.Equal(double.PositiveInfinity, c.Margin);
        // Folds are prepared once per half-life the search tries (7 for the defaults, then 14, 30, 60).
        Assert.Equal(RoutingEvaluator.HalfLives.Count, folds);

        var rrf = new HybridWeights(1, 0.5, 1, 0, 1, 60, 0);
        var ex = Assert.Throws<ArgumentException>(() => WeightCalibrator.Calibrate(_ => new FoldSignals([], []), rrf, null, TestContext.Current.CancellationToken));
        Assert.StartsWith("The defaults (RRF:", ex.Message);
    }

    [Fact]
    public async Task A_site_with_fewer_than_two_candidate_experts_is_refused_with_the_reason_before_anything_is_embedded()
    {
        // Ten questions a day apart, each answered once by a different user: nobody reaches 3 answers.
        var start = new DateTimeOffset(2021, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var questions = Enumerable.Range(1, 10).Select(i => new DumpQuestion(i, start.AddDays(i), $"Question {i}", "How do I do this?", ["x"], 100, null, null, 1));
        var answers = Enumerable.Range(1, 10).Select(i => new DumpAnswer(1000 + i, i, start.AddDays(i).AddHours(1), i, null, 1, "Like this."));
        var site = new DumpSite(questions, answers, Enumerable.Range(1, 10).Select(i => new DumpUser(i, $"User {i}", "", 1)));
        using var generator = new RefusingGenerator();
        var cacheFolder = Path.Combine(Path.GetTempPath(), "sl-cache-" + Guid.NewGuid().ToString("N"));
        var cache = EmbeddingCache.Open(cacheFolder, "none");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RoutingEvaluator.RunAsync("tiny", site, generator, cache, HybridWeights.Default, tune: true, null,
            TestContext.Current.CancellationToken));
        Assert.Equal("Nothing to rank: no user has 3 or more answers before the cutoff (2021-03-10; 8 of the site's 10 answers are from before it), " +
                     "so the site has no candidate experts; an evaluation needs at least two.", ex.Message);

        // The same questions all answered by user 1: one candidate, whom every method would rank first.
        var one = new DumpSite(site.Questions, site.Answers.Select(a => a with { OwnerUserId = 1 }), site.Users.Values);
        ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RoutingEvaluator.RunAsync("one", one, generator, cache, HybridWeights.Default, tune: false, null,
            TestContext.Current.CancellationToken, validationOnly: true));
        Assert.Equal("Nothing to rank: only one user has 3 or more answers before the cutoff (2021-03-10; 8 of the site's 10 answers are from before it), " +
                     "so the site has a single candidate expert; an evaluation needs at least two.", ex.Message);
        if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
    }

    [Fact]
    public void A_dump_file_that_is_empty_or_missing_is_named_in_the_error()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sl-dump-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "Users.xml"), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<users>\n</users>\n");
            var missing = Assert.Throws<FileNotFoundException>(() => StackExchangeDump.Load(folder, TestContext.Current.CancellationToken));
            Assert.Equal($"'{folder}' has Users.xml but no Posts.xml; a dump site needs both.", missing.Message);

            File.WriteAllText(Path.Combine(folder, "Posts.xml"), "");
            var empty = Assert.Throws<InvalidDataException>(() => StackExchangeDump.Load(folder, TestContext.Current.CancellationToken));
            Assert.StartsWith($"'{Path.Combine(folder, "Posts.xml")}' is not a readable Stack Exchange dump file (empty, cut off or not XML): Root element is missing", empty.Message);

            File.WriteAllText(Path.Combine(folder, "Posts.xml"), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2021-03-01T09:00:00.000\" Title=\"Cut");
            var cut = Assert.Throws<InvalidDataException>(() => StackExchangeDump.Load(folder, TestContext.Current.CancellationToken));
            Assert.Contains("Posts.xml' is not a readable Stack Exchange dump file", cut.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A generator that fails the test if anything is embedded.</summary>
    private sealed class RefusingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default) => throw new InvalidOperationException("nothing should be embedded");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
