using System.Globalization;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using SocialLearning.Experts.StackExchange;

namespace SocialLearning.Matching.Evaluation;

/// <summary>One method's figures in both tables.</summary>
/// <param name="Name">Method name.</param>
/// <param name="Uncapped">Without the capacity cap.</param>
/// <param name="Capped">With the cap (3 requests per expert per 7 days).</param>
/// <param name="UncappedTop10Share">Share of requests to the top 10% of experts, uncapped.</param>
/// <param name="CappedTop10Share">Same, capped.</param>
public sealed record MethodResult(string Name, MetricSummary Uncapped, MetricSummary Capped, double UncappedTop10Share, double CappedTop10Share);

/// <summary>A weight setting tried on the validation folds and its pooled figures.</summary>
/// <param name="Weights">The weights.</param>
/// <param name="Uncapped">Pooled (question-weighted) metrics over the folds, uncapped.</param>
/// <param name="Capped">Same, capped.</param>
public sealed record ValidationResult(HybridWeights Weights, MetricSummary Uncapped, MetricSummary Capped)
{
    /// <summary>The tuning objective: mean of MRR and Hit@3, uncapped and capped (the two figures the product must lead on).</summary>
    public double Objective => (Uncapped.Mrr + Capped.Mrr + Uncapped.HitAt3 + Capped.HitAt3) / 4;
}

/// <summary>Everything <c>evaluate</c> measured in one run.</summary>
/// <param name="Site">Site name (folder name).</param>
/// <param name="Cutoff">Test cutoff.</param>
/// <param name="Questions">Test questions scored.</param>
/// <param name="Candidates">Candidate experts.</param>
/// <param name="SkippedAskerOnly">Test items dropped because only the asker answered.</param>
/// <param name="Methods">Per method, in table order; the product last.</param>
/// <param name="Product">The product's method name.</param>
/// <param name="Weights">The product's weights.</param>
/// <param name="Validation">The product's weights on the validation folds.</param>
/// <param name="ValidationQuestions">Questions in the validation folds.</param>
/// <param name="Tuning">Best settings of the weight grid, best first (empty unless tuning was asked for).</param>
/// <param name="RouteMs">Embed + rank per test question for the product, milliseconds, in question order.</param>
/// <param name="EmbeddedTexts">Texts embedded in this run (cache misses).</param>
/// <param name="ValidationBaselines">The baselines on the validation folds, pooled (empty unless tuning was asked for).</param>
/// <param name="RankMs">The ranking part alone (signals + fusion, no embedding) per test question, milliseconds.</param>
/// <param name="HorizonDays">Days from the cutoff to the last test question.</param>
/// <param name="RecencyHalfLifeDays">The product's recency half-life at that horizon (<see cref="HybridWeights.RecencyHalfLifeFor"/>).</param>
/// <param name="Calibration">How <see cref="Weights"/> were calibrated on the site's validation folds, or null when the given weights were used as they are.</param>
/// <param name="ValidationFolds">Validation folds with questions (at most <see cref="RoutingEvaluator.FoldPercents"/>' 4; fewer on a small site).</param>
public sealed record EvaluationReport(
    string Site,
    DateTimeOffset Cutoff,
    int Questions,
    int Candidates,
    int SkippedAskerOnly,
    IReadOnlyList<MethodResult> Methods,
    string Product,
    HybridWeights Weights,
    ValidationResult Validation,
    int ValidationQuestions,
    IReadOnlyList<ValidationResult> Tuning,
    IReadOnlyList<double> RouteMs,
    int EmbeddedTexts,
    IReadOnlyList<MethodResult> ValidationBaselines,
    IReadOnlyList<double> RankMs,
    double HorizonDays = 0,
    double RecencyHalfLifeDays = 0,
    WeightCalibration? Calibration = null,
    int ValidationFolds = 0)
{
    /// <summary>The product's result.</summary>
    public MethodResult ProductResult => Methods.Single(m => m.Name == Product);

    /// <summary>Median of <see cref="RouteMs"/>.</summary>
    public double RouteMsP50 => Percentile(RouteMs, 0.50);

    /// <summary>95th percentile of <see cref="RouteMs"/> (nearest rank).</summary>
    public double RouteMsP95 => Percentile(RouteMs, 0.95);

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    /// <param name="values">Values.</param>
    /// <param name="p">0–1.</param>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// The evaluation protocol end to end, in memory (DESIGN.md, "Evaluation protocol"): split, profiles, embeddings (through
/// an <see cref="EmbeddingCache"/>), validation folds, the baselines and the product's ranker without and with the
/// capacity cap.
/// </summary>
public static class RoutingEvaluator
{
    /// <summary>Inner cutoffs of the validation folds, percent of the profile period: 45, 55, 65, 75.</summary>
    public static readonly IReadOnlyList<int> FoldPercents = [45, 55, 65, 75];

    /// <summary>
    /// Question window of each validation fold, percent of the profile period: 25 — the test period's share of the site
    /// (20%) relative to the profile period (80%), so a fold's questions span as long a time after its cutoff as the test
    /// questions do after theirs.
    /// </summary>
    public const int FoldHorizonPercent = 25;

    /// <summary>Recency half-lives tried by <see cref="Tune"/>, days.</summary>
    public static readonly IReadOnlyList<double> HalfLives = [7, 14, 30, 60];

    /// <summary>Objective the load settings may cost against the best of the stage-2 grid and still be preferred for fairness: 0.005.</summary>
    public const double LoadTolerance = 0.005;

    /// <summary>Load penalties λ tried by <see cref="Tune"/> (z-score fusion; standard deviations per request held).</summary>
    public static readonly IReadOnlyList<double> LoadPenalties = [0, 0.05, 0.1, 0.2, 0.3, 0.5];

    /// <summary>Prior fades φ tried by <see cref="Tune"/> (<see cref="HybridWeights.LoadFade"/>; share of the positive prior lost per request held).</summary>
    public static readonly IReadOnlyList<double> LoadFades = [0, 0.25, 0.5, 0.75, 1];

    /// <summary>Seeds the random baseline is averaged over: 20.</summary>
    public const int RandomSeeds = 20;

    /// <summary>
    /// Runs the evaluation of one site.
    /// </summary>
    /// <param name="siteName">Name for the report.</param>
    /// <param name="site">The loaded site.</param>
    /// <param name="generator">Embedding generator (the local model in <c>evaluate</c>).</param>
    /// <param name="cache">Embedding cache of the generator's model.</param>
    /// <param name="weights">The product's weights (normally <see cref="HybridWeights.Default"/>).</param>
    /// <param name="tune">Also run the weight grid on the validation folds (<see cref="Tune"/>).</param>
    /// <param name="status">Receives progress lines.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    /// <param name="validationOnly">Stop after the validation folds (and the calibration): the test questions are neither
    /// embedded nor ranked, and the report's <see cref="EvaluationReport.Methods"/> and timings are empty — for working on
    /// the ranker without looking at the test table.</param>
    /// <param name="calibrate">Calibrate <paramref name="weights"/> on the site's validation folds first
    /// (<see cref="WeightCalibrator"/>; the default) and rank the test questions with the result; false ranks them with
    /// <paramref name="weights"/> as given.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidOperationException">The site has too few questions to split, fewer than two candidate experts, no test
    /// question a candidate answered (unless <paramref name="validationOnly"/>), or — with <paramref name="validationOnly"/> —
    /// no validation folds: the message says which.</exception>
    /// <exception cref="ArgumentException"><paramref name="calibrate"/> is set and <paramref name="weights"/> do not meet the product's rules (<see cref="MeetsProductRules"/>).</exception>
    public static async Task<EvaluationReport> RunAsync(string siteName, DumpSite site, IEmbeddingGenerator<string, Embedding<float>> generator,
        EmbeddingCache cache, HybridWeights weights, bool tune, Action<string>? status, CancellationToken cancellationToken, bool validationOnly = false,
        bool calibrate = true)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(weights);
        var split = DumpSplit.Create(site);
        var test = RoutingEvaluationSet.FromSplit("test", site, split);
        var folds = RoutingEvaluationSet.ValidationFolds(site, split, FoldPercents, FoldHorizonPercent).Where(f => f.Questions.Count > 0 && f.Candidates > 0).ToList();
        static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
        status?.Invoke($"{Count(test.Candidates, "candidate")}, {Count(test.Questions.Count, "test question")} (cutoff {split.Cutoff:yyyy-MM-dd}); " +
                       $"{Count(folds.Sum(f => f.Questions.Count), "validation question")} in {Count(folds.Count, "fold")}");
        if (test.Candidates < 2)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Nothing to rank: {(test.Candidates == 0 ? "no user has" : "only one user has")} {split.MinProfileAnswers} or more answers before the cutoff ({split.Cutoff:yyyy-MM-dd}; " +
                $"{site.Answers.Count(split.IsProfileAnswer)} of the site's {site.Answers.Count} answers are from before it), so the site has {(test.Candidates == 0 ? "no candidate experts" : "a single candidate expert")}; an evaluation needs at least two."));
        if (test.Questions.Count == 0 && !validationOnly)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Nothing to evaluate: no question after the cutoff ({split.Cutoff:yyyy-MM-dd}) was answered by one of the {test.Candidates} candidate experts other than its asker."));
        if (folds.Count == 0 && validationOnly)
            throw new InvalidOperationException("Nothing to validate on: the profile period has no question answered by a candidate of its validation folds; the site is too small.");

        // Evidence and validation questions through the cache; the model is created by the generator on first use.
        var evidenceTexts = new[] { test }.Concat(folds).SelectMany(PreparedEvaluation.EvidenceTexts).Distinct(StringComparer.Ordinal).ToList();
        var foldQueries = folds.SelectMany(f => f.Questions.Select(q => q.EmbeddingText)).Distinct(StringComparer.Ordinal).ToList();
        var all = evidenceTexts.Concat(foldQueries).ToList();
        var before = cache.Misses;
        var progress = new Progress<int>(n => status?.Invoke($"embedded {n} texts"));
        var vectors = await cache.GetOrEmbedAsync(generator, all, progress, 256, cancellationToken).ConfigureAwait(false);
        var byText = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < all.Count; i++) byText[all[i]] = vectors[i];
        var modelId = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? cache.ModelId;

        // The test questions are embedded only after the weights are settled (below).
        var dimensions = vectors.Length > 0 ? vectors[0].Length : 0;
        if (dimensions == 0 && !validationOnly)
            dimensions = (await generator.GenerateAsync(["warm-up"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length;
        var model = new VectorModel(modelId, Math.Max(1, dimensions));

        List<PreparedEvaluation> PrepareWith(Func<RoutingEvaluationSet, double> halfLifeDays) =>
            folds.Select(f => new PreparedEvaluation(f, model, byText, f.Questions.Select(q => byText[q.EmbeddingText]).ToList(), TimeSpan.FromDays(halfLifeDays(f)))).ToList();
        List<PreparedEvaluation> Prepare(double halfLifeDays) => PrepareWith(_ => halfLifeDays);
        // The product's figures: each fold with the half-life its horizon gives (HybridWeights.RecencyHalfLifeFor). Not
        // cached: on a large site each half-life's signals take gigabytes, so the calibration holds at most two at a time.
        FoldSignals FoldsFor(double baseHalfLife)
        {
            var prepared = PrepareWith(f => Math.Max(baseHalfLife, HybridWeights.RecencyHorizonShare * HorizonDays(f)));
            return new FoldSignals(prepared, prepared.Select(f => ParallelSignals(f, cancellationToken)).ToList());
        }
        WeightCalibration? calibration = null;
        if (calibrate && folds.Sum(f => f.Questions.Count) == 0)
            status?.Invoke("no validation questions in the profile period: the weights cannot be calibrated, the defaults are used");
        else if (calibrate)
        {
            status?.Invoke("calibrating the weights on the validation folds…");
            calibration = WeightCalibrator.Calibrate(FoldsFor, weights, status, cancellationToken);
            weights = calibration.Chosen.Weights;
        }
        // Without a calibration the given weights are measured on the folds here; with one, its figures stand.
        var validation = calibration?.Chosen ?? ValidateWith(FoldsFor(weights.RecencyHalfLifeDays), weights);
        IReadOnlyList<ValidationResult> tuning = [];
        var validationBaselines = new List<MethodResult>();
        if (tune && folds.Count == 0) status?.Invoke("no validation questions in the profile period: nothing to tune on");
        else if (tune)
        {
            status?.Invoke("tuning the weights on the validation folds…");
            tuning = Tune(HalfLives.ToDictionary(h => h, Prepare));
            // The baselines only need the folds' indexes (no product signals).
            var baselineFolds = PrepareWith(f => Math.Max(weights.RecencyHalfLifeDays, HybridWeights.RecencyHorizonShare * HorizonDays(f)));
            Func<PreparedEvaluation, IRoutingMethod>[] baselines = [RoutingMethods.MostActive, RoutingMethods.RecentlyActive, RoutingMethods.Bm25Profile, RoutingMethods.Centroid];
            foreach (var make in baselines)
            {
                var parts = baselineFolds.Select(f => Measure(f.Set, make(f))).ToList();
                validationBaselines.Add(new MethodResult(parts[0].Name, Pool(parts.Select(p => p.Uncapped).ToList()), Pool(parts.Select(p => p.Capped).ToList()),
                    parts.Average(p => p.UncappedTop10Share), parts.Average(p => p.CappedTop10Share)));
            }
        }

        if (validationOnly)
        {
            return new EvaluationReport(siteName, split.Cutoff, test.Questions.Count, test.Candidates, test.SkippedAskerOnly, [], RoutingMethods.ProductName, weights,
                validation, folds.Sum(f => f.Questions.Count), tuning, [], cache.Misses - before, validationBaselines, [], HorizonDays(test),
                weights.RecencyHalfLifeFor(HorizonDays(test)), calibration, folds.Count);
        }

        // Test questions: embedded one at a time, as the live router does, and timed (warm: one embedding first).
        await generator.GenerateAsync(["warm-up"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var testVectors = new List<float[]>(test.Questions.Count);
        var embedMs = new List<double>(test.Questions.Count);
        foreach (var q in test.Questions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var generated = await generator.GenerateAsync([q.EmbeddingText], cancellationToken: cancellationToken).ConfigureAwait(false);
            embedMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            testVectors.Add(generated[0].Vector.ToArray());
        }
        status?.Invoke("ranking the test questions…");
        var testHalfLife = weights.RecencyHalfLifeFor(HorizonDays(test));
        var prepared = new PreparedEvaluation(test, model, byText, testVectors, TimeSpan.FromDays(testHalfLife));
        var methods = new List<MethodResult>();
        var randomU = new List<SimulationResult>();
        var randomC = new List<SimulationResult>();
        for (var seed = 1; seed <= RandomSeeds; seed++)
        {
            randomU.Add(CapacitySimulation.Run(test, RoutingMethods.Random(prepared, seed), cap: null));
            randomC.Add(CapacitySimulation.Run(test, RoutingMethods.Random(prepared, seed), CapacitySimulation.Cap));
        }
        methods.Add(new MethodResult("random", CapacitySimulation.Average(randomU.Select(r => r.Metrics).ToList()),
            CapacitySimulation.Average(randomC.Select(r => r.Metrics).ToList()), randomU.Average(r => r.Top10PctShare), randomC.Average(r => r.Top10PctShare)));
        foreach (var method in new[] { RoutingMethods.MostActive(prepared), RoutingMethods.RecentlyActive(prepared), RoutingMethods.Bm25Profile(prepared), RoutingMethods.Centroid(prepared) })
            methods.Add(Measure(test, method));
        var rankMs = new List<(int Question, double Ms)>();
        var uncapped = CapacitySimulation.Run(test, RoutingMethods.Hybrid(prepared, weights, rankMs), cap: null);
        var capped = CapacitySimulation.Run(test, RoutingMethods.Hybrid(prepared, weights), CapacitySimulation.Cap);
        methods.Add(new MethodResult(RoutingMethods.ProductName, uncapped.Metrics, capped.Metrics, uncapped.Top10PctShare, capped.Top10PctShare));
        var routeMs = rankMs.Select(r => embedMs[r.Question] + r.Ms).ToList();

        return new EvaluationReport(siteName, split.Cutoff, test.Questions.Count, test.Candidates, test.SkippedAskerOnly, methods,
            RoutingMethods.ProductName, weights, validation, folds.Sum(f => f.Questions.Count), tuning, routeMs, cache.Misses - before, validationBaselines, rankMs.Select(r => r.Ms).ToList(),
            HorizonDays(test), testHalfLife, calibration, folds.Count);
    }

    /// <summary>Days from <paramref name="set"/>'s cutoff to its last question (0 without questions): how far ahead its frozen profiles must predict.</summary>
    /// <param name="set">An evaluation.</param>
    public static double HorizonDays(RoutingEvaluationSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Questions.Count == 0 ? 0 : Math.Max(0, (set.Questions.Max(q => q.Created) - set.Cutoff).TotalDays);
    }

    /// <summary>The product's figures with <paramref name="weights"/> on the validation folds, pooled over folds (question-weighted).</summary>
    /// <param name="folds">Prepared validation folds.</param>
    /// <param name="weights">Weights.</param>
    public static ValidationResult Validate(IReadOnlyList<PreparedEvaluation> folds, HybridWeights weights)
    {
        ArgumentNullException.ThrowIfNull(folds);
        var signals = folds.Select(Signals).ToList();
        return Validate(folds, signals, weights);
    }

    /// <summary>
    /// The weight grid on the validation folds (never on test questions). Stage 1, without load penalty: z-score fusion
    /// with recency 1 (the reference), evidence and responsiveness ∈ {0.25, 0.5, 1}, BM25 ∈ {0.25, 0.5, 1, 2}, centroid ∈
    /// {0, 0.25, 0.5, 1}, topic ∈ {0, 0.25, 0.5, 1, 2}, activity ∈ {0, 0.5, 1}, for each recency half-life of
    /// <see cref="HalfLives"/> — the signals the product is built on never drop to 0, and the chosen setting weighs content
    /// (evidence, centroid, BM25, topic) at least as much as the priors (recency, activity, responsiveness); and, for comparison, RRF with evidence
    /// {0, 0.5, 1, 2} × centroid {0, 0.5, 1} × BM25 {0, 0.5, 1, 2} × activity {0, 0.5, 1, 2} × recency {0, 0.5, 1, 2} × k
    /// {10, 60} (30-day half-life). Stage 2, on the best z-score setting: load penalty λ ∈ <see cref="LoadPenalties"/> ×
    /// prior fade φ ∈ <see cref="LoadFades"/>; among the settings within <see cref="LoadTolerance"/> of the best objective,
    /// the product's current λ and φ if they are among them, else the one with the largest λ, then the largest φ, is chosen
    /// (stage 1 likewise keeps the product's current setting while it is within <see cref="LoadTolerance"/> of the best;
    /// both act only in the capped table, where questions are
    /// routed in time order, so stage 2 cannot change the static one). Objective: <see cref="ValidationResult.Objective"/> (mean of MRR and Hit@3, uncapped and
    /// capped, pooled over folds); ties go to the higher pooled Hit@3.
    /// </summary>
    /// <param name="foldsByHalfLife">Prepared validation folds for each half-life of <see cref="HalfLives"/> (days).</param>
    /// <returns>The chosen setting first, then the other stage-2 settings (λ by φ), the 10 best z-score stage-1 settings and the 5 best RRF settings.</returns>
    public static IReadOnlyList<ValidationResult> Tune(IReadOnlyDictionary<double, List<PreparedEvaluation>> foldsByHalfLife)
    {
        ArgumentNullException.ThrowIfNull(foldsByHalfLife);
        var signalsByHalfLife = foldsByHalfLife.ToDictionary(kv => kv.Key, kv => kv.Value.Select(Signals).ToList());
        var stage1 = new List<ValidationResult>();
        if (foldsByHalfLife.TryGetValue(30, out var folds30))
        {
            double[] four = [0, 0.5, 1, 2];
            double[] three = [0, 0.5, 1];
            foreach (var ev in four)
            foreach (var ce in three)
            foreach (var lx in four)
            foreach (var ac in four)
            foreach (var re in four)
            {
                if (ev + ce + lx + ac + re == 0) continue;
                foreach (var k in new[] { 10, 60 })
                    stage1.Add(Validate(folds30, signalsByHalfLife[30], new HybridWeights(ev, ce, lx, ac, re, k, 0)));
            }
        }
        // The signals the product is built on — best-matching evidence, BM25, recent activity, responsiveness — each keep
        // at least the grid's smallest step; centroid, topic and lifetime activity may be switched off. Recency is the
        // reference weight (1), the others are relative to it.
        double[] required = [0.25, 0.5, 1];
        double[] optional = [0, 0.25, 0.5, 1];
        double[] lexical = [0.25, 0.5, 1, 2];
        double[] topics = [0, 0.25, 0.5, 1, 2];
        foreach (var (halfLife, folds) in foldsByHalfLife)
        foreach (var ev in required)
        foreach (var ce in optional)
        foreach (var lx in lexical)
        foreach (var tp in topics)
        foreach (var ac in new[] { 0, 0.5, 1.0 })
        foreach (var rs in required)
            stage1.Add(Validate(folds, signalsByHalfLife[halfLife], new HybridWeights(ev, ce, lx, ac, 1, 0, 0, HybridFusion.ZScore, halfLife, rs, tp,
                PriorFloor: HybridWeights.Default.PriorFloor)));
        var ordered = stage1.OrderByDescending(r => r.Objective).ThenByDescending(r => r.Uncapped.HitAt3 + r.Capped.HitAt3).ToList();
        // The product is a hybrid by design: the chosen setting is the best one that weighs every signal it is built on
        // (the RRF settings, listed for comparison, need not) and gives what the question is about at least as much weight
        // as who is active (content ≥ priors). In a company directory many experts are known only from their profile — no
        // answer history, so no activity, recency or response time — and a question must still reach the one whose
        // profile matches it rather than whoever answered something lately; Stack Exchange folds, where every candidate
        // has answers, cannot show that.
        var best = ChooseSetting(ordered, HybridWeights.Default);
        // Stage 2, the routing state (it acts in the capped table only, where questions are routed in time order): λ and the
        // prior fade φ on the best setting.
        var bestFolds = foldsByHalfLife[best.RecencyHalfLifeDays];
        var bestSignals = signalsByHalfLife[best.RecencyHalfLifeDays];
        var loadGrid = LoadPenalties.SelectMany(l => LoadFades.Select(f => Validate(bestFolds, bestSignals, best with { LoadPenalty = l, LoadFade = f }))).ToList();
        var chosen = ChooseLoad(loadGrid, HybridWeights.Default);
        var stage2 = loadGrid.Where(r => r != chosen).Prepend(chosen).ToList();
        var bestRrf = ordered.Where(r => r.Weights.Fusion == HybridFusion.ReciprocalRank).Take(5);
        return [.. stage2, .. ordered.Where(r => r.Weights.Fusion == HybridFusion.ZScore).Take(10), .. bestRrf];
    }

    /// <summary>
    /// Stage 1's choice: the best-scoring setting that <see cref="MeetsProductRules"/>, unless <paramref name="current"/>'s
    /// stage-1 form (no load terms) also meets them and scores within <see cref="LoadTolerance"/> of it — then the current
    /// one is kept. Differences that small are the folds' noise (rerun on MiniLM vectors cut to the model's window, the
    /// grid's top moved to topic 0.5 at 0.432 against the current 0.428, and after stage 2 reached 0.437 against the
    /// current setting's 0.450), and a change of weights re-routes real questions.
    /// </summary>
    /// <param name="ordered">Stage-1 results, best objective first (ties: higher pooled Hit@3).</param>
    /// <param name="current">The product's weights now (load terms ignored).</param>
    /// <returns>The stage-1 weights to build stage 2 on (no load terms).</returns>
    /// <exception cref="InvalidOperationException">No setting meets the rules.</exception>
    internal static HybridWeights ChooseSetting(IReadOnlyList<ValidationResult> ordered, HybridWeights current)
    {
        var best = ordered.First(r => MeetsProductRules(r.Weights));
        var form = current with { LoadPenalty = 0, LoadFade = 0, RrfK = current.Fusion == HybridFusion.ZScore ? 0 : current.RrfK };
        var kept = ordered.FirstOrDefault(r => r.Weights == form);
        return kept is not null && MeetsProductRules(kept.Weights) && kept.Objective >= best.Objective - LoadTolerance ? kept.Weights : best.Weights;
    }

    /// <summary>
    /// Stage 2's choice among the λ × φ grid on one setting: of the settings within <see cref="LoadTolerance"/> of the best
    /// objective, <paramref name="current"/>'s λ and φ if they are there (stability, as in <see cref="ChooseSetting"/>),
    /// otherwise the largest λ, then the largest φ (fairness first where it costs almost nothing).
    /// </summary>
    /// <param name="grid">The stage-2 results (one setting, every λ and φ).</param>
    /// <param name="current">The product's weights now.</param>
    /// <returns>The chosen result.</returns>
    internal static ValidationResult ChooseLoad(IReadOnlyList<ValidationResult> grid, HybridWeights current)
    {
        var top = grid.Max(r => r.Objective);
        return grid.Where(r => r.Objective >= top - LoadTolerance)
            .OrderByDescending(r => r.Weights.LoadPenalty == current.LoadPenalty && r.Weights.LoadFade == current.LoadFade)
            .ThenByDescending(r => r.Weights.LoadPenalty).ThenByDescending(r => r.Weights.LoadFade).First();
    }

    /// <summary>
    /// Whether a setting may be the product's (the rules of <see cref="Tune"/>): z-score fusion, every signal the router is
    /// built on weighted (evidence, BM25, recency, responsiveness &gt; 0), and content at least as heavy as the priors
    /// (evidence + centroid + BM25 + topic ≥ recency + activity + responsiveness).
    /// </summary>
    /// <param name="w">The weights.</param>
    public static bool MeetsProductRules(HybridWeights w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w is { Fusion: HybridFusion.ZScore, Evidence: > 0, Lexical: > 0, Recency: > 0, Responsiveness: > 0 } &&
               w.Evidence + w.Centroid + w.Lexical + w.Topic >= w.Recency + w.Activity + w.Responsiveness;
    }

    private static IReadOnlyList<HybridSignals> Signals(PreparedEvaluation e) =>
        e.Set.Questions.Select((q, i) => HybridRanker.Signals(e.Index, e.QueryVectors[i], e.Model, q.LexicalText, id => id == q.AskerExpertId)).ToList();

    private static ValidationResult ValidateWith(FoldSignals folds, HybridWeights weights) => Validate(folds.Folds, folds.Signals, weights);

    /// <summary><see cref="Signals(PreparedEvaluation)"/> with the questions spread over the cores (the index is only read).</summary>
    private static IReadOnlyList<HybridSignals> ParallelSignals(PreparedEvaluation e, CancellationToken cancellationToken)
    {
        var questions = e.Set.Questions;
        var signals = new HybridSignals[questions.Count];
        try
        {
            Parallel.For(0, questions.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                signals[i] = HybridRanker.Signals(e.Index, e.QueryVectors[i], e.Model, questions[i].LexicalText, id => id == questions[i].AskerExpertId));
        }
        catch (AggregateException ex)
        {
            // The first failure as itself, as the sequential computation threw it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
        return signals;
    }

    /// <summary>The product's figures with <paramref name="weights"/> on folds whose signals are already computed, pooled over folds.</summary>
    /// <param name="folds">Prepared validation folds.</param>
    /// <param name="signals">Per fold, the signals of each question, in question order.</param>
    /// <param name="weights">Weights (their half-life must be the one the signals were computed with).</param>
    internal static ValidationResult Validate(IReadOnlyList<PreparedEvaluation> folds, IReadOnlyList<IReadOnlyList<HybridSignals>> signals, HybridWeights weights)
    {
        var u = new List<MetricSummary>();
        var c = new List<MetricSummary>();
        for (var f = 0; f < folds.Count; f++)
        {
            var method = RoutingMethods.FromSignals(signals[f], weights);
            u.Add(CapacitySimulation.Run(folds[f].Set, method, cap: null).Metrics);
            c.Add(CapacitySimulation.Run(folds[f].Set, method, CapacitySimulation.Cap).Metrics);
        }
        return new ValidationResult(weights, Pool(u), Pool(c));
    }

    /// <summary>Question-weighted mean of summaries (accepted Hit@3 weighted by accepted questions).</summary>
    /// <param name="parts">Summaries of disjoint question sets.</param>
    public static MetricSummary Pool(IReadOnlyList<MetricSummary> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var n = parts.Sum(p => p.Questions);
        var na = parts.Sum(p => p.AcceptedQuestions);
        double W(Func<MetricSummary, double> f) => n == 0 ? double.NaN : parts.Where(p => p.Questions > 0).Sum(p => f(p) * p.Questions) / n;
        var acc = na == 0 ? double.NaN : parts.Where(p => p.AcceptedQuestions > 0).Sum(p => p.AcceptedHitAt3 * p.AcceptedQuestions) / na;
        return new MetricSummary(W(p => p.PAt1), W(p => p.HitAt3), W(p => p.HitAt5), W(p => p.Mrr), W(p => p.NdcgAt5), acc, n, na);
    }

    private static MethodResult Measure(RoutingEvaluationSet set, IRoutingMethod method)
    {
        var u = CapacitySimulation.Run(set, method, cap: null);
        var c = CapacitySimulation.Run(set, method, CapacitySimulation.Cap);
        return new MethodResult(method.Name, u.Metrics, c.Metrics, u.Top10PctShare, c.Top10PctShare);
    }
}
