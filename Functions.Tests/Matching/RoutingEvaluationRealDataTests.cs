using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using SocialLearning.Commands;
using SocialLearning.Experts.StackExchange;
using SocialLearning.Matching;
using SocialLearning.Matching.Evaluation;
using SocialLearning.Tests.Experts;

namespace SocialLearning.Tests.Matching;

/// <summary>
/// The evaluation on the real quantum-computing dump: its test set is the reference <c>routing_test.jsonl</c> (the split
/// itself is checked against it in <see cref="StackExchangeRealDumpTests"/>), its validation folds hold nothing from the
/// test period, and the whole run works end to end (with a stand-in embedding model, so it costs seconds).
/// </summary>
public class RoutingEvaluationRealDataTests(QuantumDumpFixture fixture) : IClassFixture<QuantumDumpFixture>
{
    [Fact]
    public void Test_set_is_routing_test_jsonl_with_the_asker_left_out_of_gold_and_accepted()
    {
        var d = fixture.Require();
        var set = RoutingEvaluationSet.FromSplit("test", d.Site, d.Split);
        var reference = File.ReadLines(Path.Combine(d.SiteFolder, "derived", "routing_test.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!).ToList();

        var expected = new List<(int Id, HashSet<string> Gold, string? Accepted, string? Asker)>();
        foreach (var r in reference)
        {
            var asker = r["asker_user_id"]?.GetValue<int>() is int a && d.Split.IsCandidate(a) ? ExpertProfileBuilder.ExpertId(a) : null;
            var gold = r["gold_answerer_ids"]!.AsArray().Select(g => ExpertProfileBuilder.ExpertId(g!.GetValue<int>())).Where(g => g != asker).ToHashSet();
            var accepted = r["accepted_answerer_id"]?.GetValue<int>() is int acc ? ExpertProfileBuilder.ExpertId(acc) : null;
            if (gold.Count > 0) expected.Add((r["question_id"]!.GetValue<int>(), gold, accepted == asker ? null : accepted, asker));
        }

        Assert.Equal(94, reference.Count);
        Assert.Equal(92, set.Questions.Count);
        Assert.Equal(2, set.SkippedAskerOnly);
        Assert.Equal(53, set.Candidates);
        Assert.Equal(expected.Select(e => e.Id), set.Questions.Select(q => q.QuestionId));
        foreach (var (e, q) in expected.Zip(set.Questions))
        {
            Assert.True(e.Gold.SetEquals(q.Gold), $"gold of {q.QuestionId}");
            Assert.Equal(e.Accepted, q.AcceptedAnswerer);
            Assert.Equal(e.Asker, q.AskerExpertId);
        }
        // 53 reference items name a candidate as accepted answerer; in 2 of them that is the asker (one is an asker-only item).
        Assert.Equal(51, set.Questions.Count(q => q.AcceptedAnswerer is not null));
        Assert.True(set.Questions.Zip(set.Questions.Skip(1)).All(p => p.First.Created <= p.Second.Created));
    }

    [Fact]
    public void Validation_folds_lie_inside_the_profile_period_span_the_test_horizon_and_build_profiles_only_from_before_their_own_cutoff()
    {
        var d = fixture.Require();
        var folds = RoutingEvaluationSet.ValidationFolds(d.Site, d.Split, RoutingEvaluator.FoldPercents, RoutingEvaluator.FoldHorizonPercent);
        var profileQuestions = d.Site.Questions.Where(q => d.Split.IsProfileQuestion(q.Id)).OrderBy(q => q.Created).ThenBy(q => q.Id).ToList();

        Assert.Equal(["validation 45–70%", "validation 55–80%", "validation 65–90%", "validation 75–100%"], folds.Select(f => f.Name));
        var profileAnswers = d.Site.Answers.Where(d.Split.IsProfileAnswer).ToList();
        for (var i = 0; i < folds.Count; i++)
        {
            var f = folds[i];
            var p = RoutingEvaluator.FoldPercents[i];
            Assert.NotEmpty(f.Questions);
            // The fold's cutoff is the p% question of the profile period; its questions end at the (p + 25)% question.
            Assert.Equal(profileQuestions[p * profileQuestions.Count / 100].Created, f.Cutoff);
            var end = p + RoutingEvaluator.FoldHorizonPercent < 100 ? profileQuestions[(p + RoutingEvaluator.FoldHorizonPercent) * profileQuestions.Count / 100].Created : d.Split.Cutoff;
            Assert.All(f.Questions, q => Assert.True(q.Created >= f.Cutoff && q.Created < end && q.Created < d.Split.Cutoff));
            Assert.All(f.Profiles.SelectMany(e => e.Evidence).Where(e => e.When is not null), e => Assert.True(e.When < f.Cutoff));
            // Gold answers are profile-period answers only (created before the test cutoff).
            Assert.All(f.Questions, q => Assert.All(q.Gold, g =>
                Assert.Contains(profileAnswers, a => a.ParentId == q.QuestionId && a.OwnerUserId is int u && ExpertProfileBuilder.ExpertId(u) == g)));
        }
        // Overlapping windows of 25% each: 345 question evaluations (the test has 92).
        Assert.Equal(345, folds.Sum(f => f.Questions.Count));
    }

    [Fact]
    public async Task Evaluation_runs_end_to_end_and_writes_the_report_shape()
    {
        var d = fixture.Require();
        var cacheFolder = Path.Combine(Path.GetTempPath(), "sl-eval-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var generator = new HashingEmbeddingGenerator();
            var cache = EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model);
            var testTexts = RoutingEvaluationSet.FromSplit("test", d.Site, d.Split).Questions.Select(q => q.EmbeddingText).ToHashSet(StringComparer.Ordinal);
            var testSeenByCalibration = false;
            var calibrationPasses = 0;
            var report = await RoutingEvaluator.RunAsync("quantum", d.Site, generator, cache, HybridWeights.Default, tune: false, line =>
            {
                // The weights are settled before the first test question is embedded.
                if (!line.StartsWith("calibration pass", StringComparison.Ordinal)) return;
                calibrationPasses++;
                testSeenByCalibration |= generator.Seen.Any(testTexts.Contains);
            }, TestContext.Current.CancellationToken);
            Assert.True(calibrationPasses > 0);
            Assert.False(testSeenByCalibration);
            Assert.Equal(92, generator.Seen.Count(testTexts.Contains));

            Assert.Equal(92, report.Questions);
            Assert.Equal(53, report.Candidates);
            Assert.Equal(["random", "most-active", "recently-active", "bm25-profile", "embedding-centroid", "hybrid"], report.Methods.Select(m => m.Name));
            Assert.Equal(92, report.RouteMs.Count);
            Assert.Equal(345, report.ValidationQuestions);
            // Test questions from 2018-07-13 02:59 to 2018-08-31 18:43 UTC: a 49.7-day horizon, so recency is measured
            // with max(7, 0.2 × 49.7) = 9.9 days there.
            Assert.Equal(49.66, report.HorizonDays, 2);
            // (The weights are calibrated on the folds first; the half-life they chose is stretched the same way.)
            Assert.Equal(Math.Max(report.Weights.RecencyHalfLifeDays, 9.93), report.RecencyHalfLifeDays, 2);
            // Most-active does not depend on embeddings: 45 of 92 first-ranked, 65 of 92 in the top 3.
            var mostActive = report.Methods.Single(m => m.Name == "most-active").Uncapped;
            Assert.Equal(45.0 / 92, mostActive.PAt1, 12);
            Assert.Equal(65.0 / 92, mostActive.HitAt3, 12);
            Assert.True(report.Methods.Single(m => m.Name == "random").Uncapped.Mrr < 0.2);

            var json = JsonNode.Parse(EvaluateCommand.ToJson(report))!.AsObject();
            Assert.Equal(["site", "questions", "candidates", "methods", "methods_capped", "product", "top10pct_share", "route_ms_p50", "route_ms_p95", "product_weights"],
                json.Select(p => p.Key));
            // The weights the product ranked with, as the report holds them.
            var weights = json["product_weights"]!.AsObject();
            Assert.Equal(report.Weights.Lexical, weights["bm25"]!.GetValue<double>());
            Assert.Equal(report.Weights.LoadFade, weights["load_fade"]!.GetValue<double>());
            Assert.Equal(report.Calibration!.KeptDefaults, !weights["calibrated"]!.GetValue<bool>());
            Assert.Equal(Math.Round(report.Calibration.Defaults.Objective, 4), weights["default_validation_objective"]!.GetValue<double>());
            // "settings" are the app settings that make the live service rank with exactly these weights, and they pass its validation.
            var settings = weights["settings"]!.AsObject().ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal),
                p => (string?)p.Value!.GetValue<double>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            var options = new SocialLearning.Routing.RoutingOptions();
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Routing").Bind(options);
            Assert.Equal(report.Weights, options.Weights.ToHybridWeights());
            Assert.Empty(options.Weights.Validate());
            Assert.Equal("hybrid", json["product"]!.GetValue<string>());
            Assert.Equal(["p_at_1", "hit_at_3", "hit_at_5", "mrr", "ndcg_at_5", "accepted_hit_at_3"], json["methods_capped"]!["hybrid"]!.AsObject().Select(p => p.Key));
            var csv = EvaluateCommand.ToCsv(report).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(13, csv.Length);

            // A second run embeds nothing but the test questions, which are always embedded live (timed).
            var again = await RoutingEvaluator.RunAsync("quantum", d.Site, generator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, TestContext.Current.CancellationToken);
            Assert.Equal(0, again.EmbeddedTexts);
            Assert.Equal(report.Methods.Single(m => m.Name == "hybrid").Uncapped, again.Methods.Single(m => m.Name == "hybrid").Uncapped);
        }
        finally
        {
            if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
        }
    }

    [Fact]
    public async Task Validation_only_run_never_embeds_or_ranks_a_test_question_and_measures_the_folds_as_a_full_run_does()
    {
        var d = fixture.Require();
        var cacheFolder = Path.Combine(Path.GetTempPath(), "sl-eval-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var generator = new HashingEmbeddingGenerator();
            var ct = TestContext.Current.CancellationToken;
            var validationOnly = await RoutingEvaluator.RunAsync("quantum", d.Site, generator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, ct, validationOnly: true);

            var testTexts = RoutingEvaluationSet.FromSplit("test", d.Site, DumpSplit.Create(d.Site)).Questions.Select(q => q.EmbeddingText).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(92, testTexts.Count);
            // Profiles (evidence) come from before the cutoff, so no test question's text is ever embedded.
            Assert.DoesNotContain(generator.Seen, testTexts.Contains);
            Assert.Empty(validationOnly.Methods);
            Assert.Empty(validationOnly.RouteMs);
            Assert.Equal(92, validationOnly.Questions);
            Assert.Equal(345, validationOnly.ValidationQuestions);

            using var fullGenerator = new HashingEmbeddingGenerator();
            var full = await RoutingEvaluator.RunAsync("quantum", d.Site, fullGenerator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, ct);
            Assert.Equal(92, fullGenerator.Seen.Count(testTexts.Contains));
            Assert.Equal(full.Validation.Uncapped, validationOnly.Validation.Uncapped);
            Assert.Equal(full.Validation.Capped, validationOnly.Validation.Capped);
        }
        finally
        {
            if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
        }
    }

    [Fact]
    public async Task Calibration_reads_only_the_profile_period_gives_the_same_result_twice_and_is_skipped_with_the_given_weights()
    {
        var d = fixture.Require();
        var cacheFolder = Path.Combine(Path.GetTempPath(), "sl-eval-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var generator = new HashingEmbeddingGenerator();
            var ct = TestContext.Current.CancellationToken;
            Task<EvaluationReport> Run(DumpSite site, bool calibrate = true) => RoutingEvaluator.RunAsync("quantum", site, generator,
                EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model), HybridWeights.Default, tune: false, null, ct, validationOnly: true, calibrate);
            var calibrated = await Run(d.Site);
            var c = calibrated.Calibration!;
            Assert.Equal(HybridWeights.Default, c.Defaults.Weights);
            Assert.True(c.Best.Objective >= c.Defaults.Objective - 1e-12);
            Assert.True(RoutingEvaluator.MeetsProductRules(c.Best.Weights));
            Assert.Equal(WeightCalibrator.MarginFor(345), c.Margin);
            Assert.Equal(c.Chosen.Weights, calibrated.Weights);
            Assert.Equal(c.Chosen, calibrated.Validation);

            // The same run again, and a run on the site with its test period rewritten — every test-period answer given to
            // another user, every test question's text reversed — give the identical calibration: it sees the profile period only.
            Assert.Equal(c, (await Run(d.Site)).Calibration);
            var cutoff = d.Split.Cutoff;
            var candidates = d.Site.Users.Keys.Where(d.Split.IsCandidate).Order().ToList();
            var rewritten = new DumpSite(
                d.Site.Questions.Select(q => q.Created >= cutoff ? q with { Title = new string(q.Title.Reverse().ToArray()), BodyText = new string(q.BodyText.Reverse().ToArray()) } : q),
                d.Site.Answers.Select(a => a.Created >= cutoff ? a with { OwnerUserId = candidates[(a.Id * 7) % candidates.Count] } : a),
                d.Site.Users.Values);
            Assert.NotEqual(RoutingEvaluationSet.FromSplit("test", d.Site, d.Split).Questions.Select(q => q.Gold.Count),
                RoutingEvaluationSet.FromSplit("test", rewritten, DumpSplit.Create(rewritten)).Questions.Select(q => q.Gold.Count));
            Assert.Equal(c, (await Run(rewritten)).Calibration);

            var fixedWeights = await Run(d.Site, calibrate: false);
            Assert.Null(fixedWeights.Calibration);
            Assert.Equal(HybridWeights.Default, fixedWeights.Weights);
            // The defaults' figures are the same whichever way they are reached.
            Assert.Equal(c.Defaults.Uncapped, fixedWeights.Validation.Uncapped);
            Assert.Equal(c.Defaults.Capped, fixedWeights.Validation.Capped);
        }
        finally
        {
            if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
        }
    }

    [Fact]
    public async Task On_a_site_whose_questions_come_back_calibration_raises_bm25_and_the_product_beats_bm25_on_mrr_in_both_tables()
    {
        // A site where what is asked returns: the real quantum site, then the same questions asked again half a year
        // later (new ids, "Asked again:" before the body) and answered by the same people. Its test questions' twins are
        // in the profiles, so BM25 over the profiles finds their answerers; fixed weights chosen on the original site
        // lean on recent activity and lose to it. Calibration on this site's own profile period must see that.
        var d = fixture.Require();
        var site = Recurring(d.Site, TimeSpan.FromDays(175));
        var cacheFolder = Path.Combine(Path.GetTempPath(), "sl-eval-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var generator = new HashingEmbeddingGenerator();
            var ct = TestContext.Current.CancellationToken;
            var calibrated = await RoutingEvaluator.RunAsync("recurring", site, generator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, ct);
            var fixedWeights = await RoutingEvaluator.RunAsync("recurring", site, generator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, ct, calibrate: false);

            var c = calibrated.Calibration!;
            Assert.False(c.KeptDefaults);
            Assert.True(c.Chosen.Objective >= c.Defaults.Objective + WeightCalibrator.Tolerance, $"{c.Chosen.Objective} against {c.Defaults.Objective}");
            // BM25 weighs more against the priors than the defaults give it (0.25 / 1.25) and than the same calibration gives it
            // on the original site, where questions do not come back.
            var original = await RoutingEvaluator.RunAsync("quantum", d.Site, generator, EmbeddingCache.Open(cacheFolder, HashingEmbeddingGenerator.Model),
                HybridWeights.Default, tune: false, null, ct, validationOnly: true);
            static double LexicalOverPriors(HybridWeights w) => w.Lexical / (w.Recency + w.Activity + w.Responsiveness);
            Assert.True(LexicalOverPriors(calibrated.Weights) >= 2 * LexicalOverPriors(HybridWeights.Default), calibrated.Weights.Describe());
            Assert.True(LexicalOverPriors(calibrated.Weights) > LexicalOverPriors(original.Weights),
                $"recurring {calibrated.Weights.Describe()}; original {original.Weights.Describe()}");
            MetricSummary Of(EvaluationReport r, string method, bool capped) =>
                capped ? r.Methods.Single(m => m.Name == method).Capped : r.Methods.Single(m => m.Name == method).Uncapped;
            foreach (var capped in new[] { false, true })
            {
                var bm25 = Of(calibrated, "bm25-profile", capped);
                Assert.Equal(bm25, Of(fixedWeights, "bm25-profile", capped));
                var product = Of(calibrated, "hybrid", capped);
                var defaults = Of(fixedWeights, "hybrid", capped);
                // Static: the defaults 0.730 against BM25's 0.954, calibrated 0.985 (capped 0.628, 0.591, 0.688).
                if (!capped) Assert.True(defaults.Mrr < bm25.Mrr, $"defaults MRR {defaults.Mrr:0.000}, bm25 {bm25.Mrr:0.000}");
                Assert.True(product.Mrr > bm25.Mrr, $"capped {capped}: calibrated MRR {product.Mrr:0.000}, bm25 {bm25.Mrr:0.000}");
                Assert.True(product.HitAt3 > defaults.HitAt3, $"capped {capped}: calibrated Hit@3 {product.HitAt3:0.000}, defaults {defaults.HitAt3:0.000}");
            }
        }
        finally
        {
            if (Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
        }
    }

    /// <summary><paramref name="site"/> followed by a copy of itself <paramref name="later"/> later: ids + 1,000,000, bodies prefixed "Asked again:".</summary>
    private static DumpSite Recurring(DumpSite site, TimeSpan later)
    {
        const int Offset = 1_000_000;
        var questions = site.Questions.Concat(site.Questions.Select(q => q with
        {
            Id = q.Id + Offset, Created = q.Created + later, BodyText = "Asked again: " + q.BodyText, AcceptedAnswerId = q.AcceptedAnswerId + Offset,
        }));
        var answers = site.Answers.Concat(site.Answers.Select(a => a with { Id = a.Id + Offset, ParentId = a.ParentId + Offset, Created = a.Created + later }));
        return new DumpSite(questions, answers, site.Users.Values);
    }

    [Fact]
    public async Task Calibration_holding_two_half_lives_at_a_time_finds_what_keeping_all_finds()
    {
        var d = fixture.Require();
        var ct = TestContext.Current.CancellationToken;
        using var generator = new HashingEmbeddingGenerator();
        var folds = RoutingEvaluationSet.ValidationFolds(d.Site, d.Split, RoutingEvaluator.FoldPercents, RoutingEvaluator.FoldHorizonPercent)
            .Where(f => f.Questions.Count > 0 && f.Candidates > 0).ToList();
        var texts = folds.SelectMany(PreparedEvaluation.EvidenceTexts).Concat(folds.SelectMany(f => f.Questions.Select(q => q.EmbeddingText)))
            .Distinct(StringComparer.Ordinal).ToList();
        var embedded = await generator.GenerateAsync(texts, cancellationToken: ct);
        var byText = texts.Select((t, i) => (t, v: embedded[i].Vector.ToArray())).ToDictionary(x => x.t, x => x.v, StringComparer.Ordinal);
        var model = new VectorModel(HashingEmbeddingGenerator.Model, 64);
        var computed = new List<double>();
        FoldSignals FoldsFor(double halfLife)
        {
            lock (computed) computed.Add(halfLife);
            var prepared = folds.Select(f => new PreparedEvaluation(f, model, byText, f.Questions.Select(q => byText[q.EmbeddingText]).ToList(),
                TimeSpan.FromDays(Math.Max(halfLife, HybridWeights.RecencyHorizonShare * RoutingEvaluator.HorizonDays(f))))).ToList();
            return new FoldSignals(prepared, prepared.Select(p => (IReadOnlyList<HybridSignals>)p.Set.Questions.Select((q, i) =>
                HybridRanker.Signals(p.Index, p.QueryVectors[i], p.Model, q.LexicalText, id => id == q.AskerExpertId)).ToList()).ToList());
        }

        var keepingAll = WeightCalibrator.Calibrate(FoldsFor, HybridWeights.Default, null, ct);
        var keptCount = computed.Count;
        computed.Clear();
        var holdingTwo = WeightCalibrator.Calibrate(FoldsFor, HybridWeights.Default, null, ct, keepAllSignalsUpTo: 0);

        Assert.Equal(keepingAll.Chosen, holdingTwo.Chosen);
        Assert.Equal(keepingAll.Best, holdingTwo.Best);
        Assert.Equal(keepingAll.Settings, holdingTwo.Settings);
        // Kept: each half-life computed once. Held two at a time: a half-life tried again in a later pass is computed again.
        Assert.Equal(keptCount, computed.Distinct().Count());
        Assert.True(keptCount <= RoutingEvaluator.HalfLives.Count, $"{keptCount} computations while keeping all");
        Assert.True(computed.Count > keptCount, $"{computed.Count} computations holding two, {keptCount} keeping all");
    }

    [Fact]
    public async Task Validation_only_with_out_is_refused_before_anything_is_read()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => EvaluateCommand.RunAsync("/nonexistent-dump", Path.Combine(Path.GetTempPath(), "eval.json"), tune: false,
            TestContext.Current.CancellationToken, validationOnly: true));
        Assert.Equal("--out writes the test tables, which --validation-only does not compute: leave one of them out.", ex.Message);
    }

    /// <summary>A cheap deterministic stand-in model: hashed bag of words into 64 dimensions, L2-normalised.</summary>
    private sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public const string Model = "hashing-64";

        /// <summary>Every text this generator embedded.</summary>
        public System.Collections.Concurrent.ConcurrentBag<string> Seen { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var text in values)
            {
                Seen.Add(text);
                var v = new float[64];
                foreach (var t in Bm25Tokenizer.Tokenize(text)) v[(int)((uint)StableHash(t) % 64)] += 1;
                v[0] += 0.01f;
                var norm = MathF.Sqrt(v.Sum(x => x * x));
                for (var i = 0; i < v.Length; i++) v[i] /= norm;
                result.Add(new Embedding<float>(v) { ModelId = Model });
            }
            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, Model, 64) : null;

        public void Dispose()
        {
        }

        private static int StableHash(string s)
        {
            var h = 17;
            foreach (var c in s) h = unchecked((h * 31) + c);
            return h;
        }
    }
}
