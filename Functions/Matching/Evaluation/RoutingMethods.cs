using System.Diagnostics;
using SocialLearning.Experts;

namespace SocialLearning.Matching.Evaluation;

/// <summary>
/// An <see cref="RoutingEvaluationSet"/> made ready for ranking: every profile's evidence embedded and indexed
/// (<see cref="HybridIndex"/>, recent activity measured at the set's cutoff) and every question embedded.
/// </summary>
public sealed class PreparedEvaluation
{
    /// <summary>Builds the indexes.</summary>
    /// <param name="set">The evaluation.</param>
    /// <param name="model">Model of all vectors.</param>
    /// <param name="evidenceVectors">Vector of every evidence text (<see cref="EvidenceTexts"/>), by text.</param>
    /// <param name="queryVectors">One vector per question of <paramref name="set"/>, in order.</param>
    /// <param name="recencyHalfLife">Half-life of the product index's recent-activity signal (the recently-active baseline always uses 30 days).</param>
    /// <exception cref="ArgumentException">A vector is missing or the counts differ.</exception>
    public PreparedEvaluation(RoutingEvaluationSet set, VectorModel model, IReadOnlyDictionary<string, float[]> evidenceVectors, IReadOnlyList<float[]> queryVectors,
        TimeSpan recencyHalfLife)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(evidenceVectors);
        ArgumentNullException.ThrowIfNull(queryVectors);
        if (queryVectors.Count != set.Questions.Count)
            throw new ArgumentException($"{queryVectors.Count} query vectors for {set.Questions.Count} questions.", nameof(queryVectors));
        Set = set;
        Model = model;
        QueryVectors = queryVectors;
        var experts = new List<HybridExpert>(set.Profiles.Count);
        var profileDocuments = new List<string>(set.Profiles.Count);
        foreach (var p in set.Profiles)
        {
            var items = ExpertImporter.EvidenceOf(p);
            var evidence = items.Select(i => new HybridEvidence(i.SourceId, i.Title, i.Text, i.When, i.Kind == "answer",
                evidenceVectors.TryGetValue(i.Text, out var v) ? v : throw new ArgumentException($"No vector for evidence {i.SourceId} of {p.Id}.", nameof(evidenceVectors)), i.Asked))
                .ToList();
            var centroid = ExpertIndexEntry.CentroidOf(evidence.Select(e => e.Vector));
            experts.Add(new HybridExpert(p.Id, p.AnswerCount, centroid, evidence, p.Skills));
            profileDocuments.Add(string.Join("\n", items.Select(i => i.Text)));
        }
        Index = new HybridIndex(model, experts, set.Cutoff, recencyHalfLife);
        BaselineRecency = set.Profiles.ToDictionary(p => p.Id, p => HybridIndex.DecayedCount(
            p.Evidence.Where(v => v.Kind == "answer" && v.When is not null).Select(v => v.When!.Value), set.Cutoff, HybridIndex.DefaultRecencyHalfLife), StringComparer.Ordinal);
        ProfileIds = set.Profiles.Select(p => p.Id).ToArray();
        ProfileBm25 = new Bm25Index(profileDocuments);
        CentroidIndex = new ExpertIndex(model, Index.Vectors.Entries, evidenceWeight: 0f);
    }

    /// <summary>The evaluation.</summary>
    public RoutingEvaluationSet Set { get; }

    /// <summary>Recent activity per expert id for the recently-active baseline: answers decayed with a 30-day half-life to the cutoff.</summary>
    public IReadOnlyDictionary<string, double> BaselineRecency { get; }

    /// <summary>Model of all vectors.</summary>
    public VectorModel Model { get; }

    /// <summary>The product's index (evidence vectors, centroids, BM25 per evidence item, activity priors).</summary>
    public HybridIndex Index { get; }

    /// <summary>BM25 with one document per expert (all their evidence texts joined): the "BM25 profile" baseline.</summary>
    public Bm25Index ProfileBm25 { get; }

    /// <summary>Expert ids in profile order (document i of <see cref="ProfileBm25"/> is expert <c>ProfileIds[i]</c>).</summary>
    public IReadOnlyList<string> ProfileIds { get; }

    /// <summary>Centroid-only dense index (the "embedding centroid" baseline).</summary>
    public ExpertIndex CentroidIndex { get; }

    /// <summary>Question vectors, aligned with <see cref="RoutingEvaluationSet.Questions"/>.</summary>
    public IReadOnlyList<float[]> QueryVectors { get; }

    /// <summary>Every evidence text the profiles of <paramref name="set"/> embed (<c>ExpertImporter.EvidenceOf</c>), distinct.</summary>
    /// <param name="set">An evaluation.</param>
    public static IEnumerable<string> EvidenceTexts(RoutingEvaluationSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Profiles.SelectMany(ExpertImporter.EvidenceOf).Select(i => i.Text).Distinct(StringComparer.Ordinal);
    }
}

/// <summary>A ranking method under evaluation: ranks every candidate but the asker for one question.</summary>
public interface IRoutingMethod
{
    /// <summary>Short name used in tables and in the JSON report.</summary>
    string Name { get; }

    /// <summary>Ranks the candidates (asker excluded), best first, for question <paramref name="question"/> of the prepared set.</summary>
    /// <param name="question">Index into <see cref="RoutingEvaluationSet.Questions"/>.</param>
    /// <param name="load">Requests each expert received in the last 7 days of simulated routing (only load-aware methods use it).</param>
    IReadOnlyList<string> Rank(int question, Func<string, int> load);
}

/// <summary>The baselines of the protocol and the product's ranker, over one <see cref="PreparedEvaluation"/>.</summary>
public static class RoutingMethods
{
    /// <summary>Name of the product's ranker in reports: <c>hybrid</c>.</summary>
    public const string ProductName = "hybrid";

    /// <summary>Uniformly random order of the candidates; seeded per (seed, question), so a run is reproducible.</summary>
    /// <param name="e">The prepared evaluation.</param>
    /// <param name="seed">Seed.</param>
    public static IRoutingMethod Random(PreparedEvaluation e, int seed) => new Method("random", (q, _) =>
    {
        var ids = Candidates(e, q).ToArray();
        new Random(unchecked((seed * 1_000_003) + e.Set.Questions[q].QuestionId)).Shuffle(ids);
        return ids;
    });

    /// <summary>Most profile-period answers first (ties: expert id).</summary>
    /// <param name="e">The prepared evaluation.</param>
    public static IRoutingMethod MostActive(PreparedEvaluation e) => new Method("most-active", (q, _) =>
        Candidates(e, q).OrderByDescending(id => e.Index.AnswerCounts[e.Index.PositionOf(id)]).ThenBy(id => id, StringComparer.Ordinal).ToList());

    /// <summary>Highest recent activity first: answers weighted 2^(−age/30 days), age measured at the cutoff (ties: expert id).</summary>
    /// <param name="e">The prepared evaluation.</param>
    public static IRoutingMethod RecentlyActive(PreparedEvaluation e) => new Method("recently-active", (q, _) =>
        Candidates(e, q).OrderByDescending(id => e.BaselineRecency[id]).ThenBy(id => id, StringComparer.Ordinal).ToList());

    /// <summary>BM25 (k1 1.2, b 0.75) of the question against each expert's profile as one document (ties: expert id).</summary>
    /// <param name="e">The prepared evaluation.</param>
    public static IRoutingMethod Bm25Profile(PreparedEvaluation e) => new Method("bm25-profile", (q, _) =>
    {
        var scores = e.ProfileBm25.Score(e.Set.Questions[q].LexicalText);
        var asker = e.Set.Questions[q].AskerExpertId;
        return Enumerable.Range(0, scores.Length).Where(i => e.ProfileIds[i] != asker)
            .OrderByDescending(i => scores[i]).ThenBy(i => e.ProfileIds[i], StringComparer.Ordinal).Select(i => e.ProfileIds[i]).ToList();
    });

    /// <summary>Cosine of the question embedding and each expert's centroid (normalised mean of their evidence vectors).</summary>
    /// <param name="e">The prepared evaluation.</param>
    public static IRoutingMethod Centroid(PreparedEvaluation e) => new Method("embedding-centroid", (q, _) =>
    {
        var asker = e.Set.Questions[q].AskerExpertId;
        return e.CentroidIndex.Search(e.QueryVectors[q], e.Model, e.CentroidIndex.Count, id => id == asker).Select(m => m.ExpertId).ToList();
    });

    /// <summary>
    /// The product's ranker (<see cref="HybridRanker"/>) with <paramref name="weights"/>, load-aware. Each call's ranking
    /// time (signals + fusion, not the embedding) is added to <paramref name="rankMs"/> when given.
    /// </summary>
    /// <param name="e">The prepared evaluation.</param>
    /// <param name="weights">Fusion weights.</param>
    /// <param name="rankMs">Receives (question, milliseconds) per call; null = not timed.</param>
    public static IRoutingMethod Hybrid(PreparedEvaluation e, HybridWeights weights, List<(int Question, double Ms)>? rankMs = null) => new Method(ProductName, (q, load) =>
    {
        var started = Stopwatch.GetTimestamp();
        var asker = e.Set.Questions[q].AskerExpertId;
        var signals = HybridRanker.Signals(e.Index, e.QueryVectors[q], e.Model, e.Set.Questions[q].LexicalText, id => id == asker);
        var ids = HybridRanker.RankIds(signals, weights, load);
        rankMs?.Add((q, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        return ids;
    });

    /// <summary>A method from precomputed per-question signals (the weight grid of <c>evaluate --tune</c>).</summary>
    /// <param name="signals">Signals per question.</param>
    /// <param name="weights">Fusion weights.</param>
    public static IRoutingMethod FromSignals(IReadOnlyList<HybridSignals> signals, HybridWeights weights) =>
        new Method(ProductName, (q, load) => HybridRanker.RankIds(signals[q], weights, load));

    private static IEnumerable<string> Candidates(PreparedEvaluation e, int q)
    {
        var asker = e.Set.Questions[q].AskerExpertId;
        return e.Index.ExpertIds.Where(id => id != asker);
    }

    private sealed class Method(string name, Func<int, Func<string, int>, IReadOnlyList<string>> rank) : IRoutingMethod
    {
        public string Name => name;

        public IReadOnlyList<string> Rank(int question, Func<string, int> load) => rank(question, load);
    }
}

/// <summary>The outcome of one simulated routing run.</summary>
/// <param name="Metrics">Mean metrics over the questions (on the ranking after capped experts are skipped, when capped).</param>
/// <param name="RequestsByExpert">Requests each expert received (the top <see cref="CapacitySimulation.RequestsPerQuestion"/> of each ranking).</param>
/// <param name="Requests">All requests.</param>
/// <param name="Top10PctShare">Share of <paramref name="Requests"/> that went to the top 10% of candidates (the ⌈N/10⌉ experts with the most requests), 0–1.</param>
public sealed record SimulationResult(MetricSummary Metrics, IReadOnlyDictionary<string, int> RequestsByExpert, int Requests, double Top10PctShare);

/// <summary>
/// Routes an evaluation's questions in time order the way the service behaves: each question asks the top
/// <see cref="RequestsPerQuestion"/> of the method's ranking; with a cap, an expert already holding
/// <see cref="Cap"/> requests from the last <see cref="Window"/> (question time) is skipped — removed from the ranking
/// the metrics are computed on — for every method alike.
/// </summary>
public static class CapacitySimulation
{
    /// <summary>Experts asked per question: 3 (<c>Routing:ExpertsPerQuestion</c>).</summary>
    public const int RequestsPerQuestion = 3;

    /// <summary>Requests an expert may hold within <see cref="Window"/>: 3.</summary>
    public const int Cap = 3;

    /// <summary>The load window: 7 days.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>Runs one method over <paramref name="set"/>'s questions (already in time order).</summary>
    /// <param name="set">The evaluation.</param>
    /// <param name="method">The method.</param>
    /// <param name="cap">Cap per expert within <see cref="Window"/>; or null for the static table: no cap and no load (every
    /// method ranks each question as if nobody had been asked anything; the requests are still counted for the concentration figure).</param>
    /// <returns>Metrics and request counts.</returns>
    public static SimulationResult Run(RoutingEvaluationSet set, IRoutingMethod method, int? cap)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(method);
        var log = new List<(DateTimeOffset At, string Expert)>();
        var acc = new MetricAccumulator();
        var byExpert = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var q = 0; q < set.Questions.Count; q++)
        {
            var question = set.Questions[q];
            var since = question.Created - Window;
            var load = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (at, expert) in log)
            {
                if (at > since && at <= question.Created) load[expert] = load.GetValueOrDefault(expert) + 1;
            }
            // Uncapped is the protocol's static table: each question ranked on its own, no routing state (no load). Capped is
            // the service's behaviour: questions routed in time order, each method sees the load its own requests left.
            var ranking = cap is null ? method.Rank(q, _ => 0) : method.Rank(q, id => load.GetValueOrDefault(id));
            IReadOnlyList<string> effective = cap is int c ? ranking.Where(id => load.GetValueOrDefault(id) < c).ToList() : ranking;
            acc.Add(effective, question.Gold, question.AcceptedAnswerer);
            foreach (var id in effective.Take(RequestsPerQuestion))
            {
                log.Add((question.Created, id));
                byExpert[id] = byExpert.GetValueOrDefault(id) + 1;
            }
        }
        return new SimulationResult(acc.Summary(), byExpert, log.Count, Top10Share(byExpert, set.Candidates));
    }

    /// <summary>Share of all requests that went to the ⌈<paramref name="candidates"/>/10⌉ experts with the most requests; 0 when there are none.</summary>
    /// <param name="requestsByExpert">Requests per expert.</param>
    /// <param name="candidates">Number of candidate experts (those with no request count as 0).</param>
    public static double Top10Share(IReadOnlyDictionary<string, int> requestsByExpert, int candidates)
    {
        ArgumentNullException.ThrowIfNull(requestsByExpert);
        var total = requestsByExpert.Values.Sum();
        if (total == 0 || candidates <= 0) return 0;
        var top = (int)Math.Ceiling(candidates / 10.0);
        return (double)requestsByExpert.Values.OrderDescending().Take(top).Sum() / total;
    }

    /// <summary>The mean of several summaries field by field (the random baseline over seeds); question counts from the first.</summary>
    /// <param name="runs">At least one summary.</param>
    /// <exception cref="ArgumentException">No summaries.</exception>
    public static MetricSummary Average(IReadOnlyList<MetricSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("Nothing to average.", nameof(runs));
        return new MetricSummary(runs.Average(r => r.PAt1), runs.Average(r => r.HitAt3), runs.Average(r => r.HitAt5), runs.Average(r => r.Mrr),
            runs.Average(r => r.NdcgAt5), runs.Average(r => r.AcceptedHitAt3), runs[0].Questions, runs[0].AcceptedQuestions);
    }
}
