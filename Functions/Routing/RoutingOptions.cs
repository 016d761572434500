using System.ComponentModel.DataAnnotations;

namespace SocialLearning.Routing;

/// <summary>Routing settings (configuration section <c>Routing</c>).</summary>
public sealed class RoutingOptions : IValidatableObject
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CandidatePoolSize < ExpertsPerQuestion)
            yield return new ValidationResult(
                $"Routing:CandidatePoolSize ({CandidatePoolSize}) must be at least Routing:ExpertsPerQuestion ({ExpertsPerQuestion}).",
                [nameof(CandidatePoolSize)]);
        if (Weights is null)
            yield return new ValidationResult("Routing:Weights must not be empty.", [nameof(Weights)]);
        else
            foreach (var error in Weights.Validate())
                yield return new ValidationResult(error, [nameof(Weights)]);
    }

    /// <summary>Configuration section name.</summary>
    public const string Section = "Routing";

    /// <summary>How many experts get a request per question (top-k). Default 3.</summary>
    [Range(1, 20, ErrorMessage = "Routing:ExpertsPerQuestion must be between 1 and 20.")]
    public int ExpertsPerQuestion { get; set; } = 3;

    /// <summary>How many ranked candidates are kept with the question (for escalation and evaluation). Default 10.</summary>
    [Range(1, 200, ErrorMessage = "Routing:CandidatePoolSize must be between 1 and 200.")]
    public int CandidatePoolSize { get; set; } = 10;

    /// <summary>
    /// Lowest cosine similarity between the question and an expert's best-matching evidence for that expert to be asked,
    /// 0–1 (half of it when the question names one of the expert's declared skills). When no candidate qualifies, nobody
    /// is asked and the question is recorded as a knowledge gap. Default 0.35:
    /// on the built-in sample, questions the directory can answer reach 0.5–0.8 and questions nobody can answer stay
    /// below 0.31 (all-MiniLM-L6-v2).
    /// </summary>
    [Range(0.0, 1.0, ErrorMessage = "Routing:MinSimilarity must be between 0 and 1.")]
    public double MinSimilarity { get; set; } = 0.35;

    /// <summary>
    /// Hard capacity cap: an expert who already received this many requests for questions from the last
    /// <see cref="CapacityWindowDays"/> days is skipped (the skip is recorded). 0 turns the cap off. Default 3 (the
    /// evaluation's capacity rule).
    /// </summary>
    [Range(0, 1000, ErrorMessage = "Routing:MaxRequestsPerExpert must be between 0 (no cap) and 1000.")]
    public int MaxRequestsPerExpert { get; set; } = 3;

    /// <summary>Length of the capacity window, days. Default 7.</summary>
    [Range(1, 365, ErrorMessage = "Routing:CapacityWindowDays must be between 1 and 365.")]
    public int CapacityWindowDays { get; set; } = 7;

    /// <summary>How often, at most, the in-memory expert index checks the directory for changes, in seconds. Default 300.</summary>
    [Range(1, 86400, ErrorMessage = "Routing:IndexRefreshSeconds must be between 1 and 86400.")]
    public int IndexRefreshSeconds { get; set; } = 300;

    /// <summary>
    /// Whether a relayed answer by a listed expert becomes evidence on their profile (<see cref="Experts.LearnedEvidence"/>),
    /// so routing learns who knows what from the answers it brings. Default true.
    /// </summary>
    public bool LearnFromAnswers { get; set; } = true;

    /// <summary>
    /// The ranker's weights (configuration section <c>Routing:Weights</c>); default <see cref="Matching.HybridWeights.Default"/>.
    /// <c>evaluate</c> calibrates them on a site's own history and prints the settings that route with the result.
    /// </summary>
    public RankerWeightOptions Weights { get; set; } = new();
}

/// <summary>
/// The <see cref="Matching.HybridRanker"/>'s weights as settings (section <c>Routing:Weights</c>, e.g. the environment
/// variable <c>Routing__Weights__Bm25</c>). Every default is <see cref="Matching.HybridWeights.Default"/>'s; the fusion
/// is always z-score. Validated at start-up (<see cref="Validate"/>): finite, in range, and within the product's rules —
/// evidence, BM25, recency and responsiveness keep a weight, and the content weights (evidence + centroid + BM25 + topic)
/// are at least the priors (activity + recency + responsiveness), so an expert known only from their profile stays reachable.
/// </summary>
public sealed class RankerWeightOptions
{
    private static readonly Matching.HybridWeights D = Matching.HybridWeights.Default;

    /// <summary>Weight of the cosine to the expert's best-matching evidence, z-scored; &gt; 0. Default 0.25.</summary>
    public double Evidence { get; set; } = D.Evidence;

    /// <summary>Weight of the cosine to the expert's centroid, z-scored; ≥ 0. Default 0.5.</summary>
    public double Centroid { get; set; } = D.Centroid;

    /// <summary>Weight of the best BM25 score over the expert's evidence, z-scored; &gt; 0. Default 0.25.</summary>
    public double Bm25 { get; set; } = D.Lexical;

    /// <summary>Weight of the directory topics (declared skills, tags) the question names; ≥ 0. Default 0.25.</summary>
    public double Topic { get; set; } = D.Topic;

    /// <summary>Weight of lifetime activity, log(1 + answers), z-scored; ≥ 0. Default 0.</summary>
    public double Activity { get; set; } = D.Activity;

    /// <summary>Weight of recent activity (answers decayed with <see cref="RecencyHalfLifeDays"/>), z-scored; &gt; 0. Default 1.</summary>
    public double Recency { get; set; } = D.Recency;

    /// <summary>Half-life of recent activity, days, 1–3,650. Default 7.</summary>
    public double RecencyHalfLifeDays { get; set; } = D.RecencyHalfLifeDays;

    /// <summary>Weight of responsiveness, −log(1 + the expert's median hours from question to answer), z-scored; &gt; 0. Default 0.25.</summary>
    public double Responsiveness { get; set; } = D.Responsiveness;

    /// <summary>Most the priors together may take away, standard deviations, 0–10. Default 1. (The ranker can also run without
    /// a floor, <see cref="Matching.HybridWeights.PriorFloor"/> = ∞; the live service always keeps one.)</summary>
    public double PriorFloor { get; set; } = D.PriorFloor;

    /// <summary>Load penalty λ: standard deviations taken per request an expert received in the last 7 days
    /// (<see cref="ExpertLoad.Window"/>), 0–5. Default 0.1.</summary>
    public double LoadPenalty { get; set; } = D.LoadPenalty;

    /// <summary>Prior fade φ: share of the positive prior lost per request held, 0–1. Default 0.5.</summary>
    public double LoadFade { get; set; } = D.LoadFade;

    /// <summary>The weights for the ranker: <see cref="Matching.HybridWeights.Default"/> with these values.</summary>
    public Matching.HybridWeights ToHybridWeights() => D with
    {
        Evidence = Evidence, Centroid = Centroid, Lexical = Bm25, Topic = Topic, Activity = Activity, Recency = Recency,
        RecencyHalfLifeDays = RecencyHalfLifeDays, Responsiveness = Responsiveness, PriorFloor = PriorFloor, LoadPenalty = LoadPenalty, LoadFade = LoadFade,
    };

    /// <summary>The settings that give <paramref name="weights"/>, by configuration key (<c>Routing:Weights:Bm25</c>), in the
    /// order of this class's properties; only the fusion and RRF k, which are not settings, are left out.</summary>
    /// <param name="weights">Z-score weights (e.g. <c>evaluate</c>'s calibration).</param>
    public static IReadOnlyList<KeyValuePair<string, double>> SettingsFor(Matching.HybridWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        const string p = RoutingOptions.Section + ":" + nameof(RoutingOptions.Weights) + ":";
        return
        [
            new(p + nameof(Evidence), weights.Evidence), new(p + nameof(Centroid), weights.Centroid), new(p + nameof(Bm25), weights.Lexical),
            new(p + nameof(Topic), weights.Topic), new(p + nameof(Activity), weights.Activity), new(p + nameof(Recency), weights.Recency),
            new(p + nameof(RecencyHalfLifeDays), weights.RecencyHalfLifeDays), new(p + nameof(Responsiveness), weights.Responsiveness),
            new(p + nameof(PriorFloor), weights.PriorFloor), new(p + nameof(LoadPenalty), weights.LoadPenalty), new(p + nameof(LoadFade), weights.LoadFade),
        ];
    }

    /// <summary>What is wrong with these settings, one message per problem naming the setting; empty when they are valid.</summary>
    public IEnumerable<string> Validate()
    {
        const string p = "Routing:Weights:";
        (string Name, double Value, double Min, double Max, bool Positive)[] ranges =
        [
            (nameof(Evidence), Evidence, 0, 100, true), (nameof(Centroid), Centroid, 0, 100, false), (nameof(Bm25), Bm25, 0, 100, true),
            (nameof(Topic), Topic, 0, 100, false), (nameof(Activity), Activity, 0, 100, false), (nameof(Recency), Recency, 0, 100, true),
            (nameof(RecencyHalfLifeDays), RecencyHalfLifeDays, 1, 3650, false), (nameof(Responsiveness), Responsiveness, 0, 100, true),
            (nameof(PriorFloor), PriorFloor, 0, 10, false), (nameof(LoadPenalty), LoadPenalty, 0, 5, false), (nameof(LoadFade), LoadFade, 0, 1, false),
        ];
        var valid = true;
        foreach (var (name, value, min, max, positive) in ranges)
        {
            if (double.IsFinite(value) && value >= min && value <= max && (!positive || value > 0)) continue;
            valid = false;
            yield return FormattableString.Invariant(
                $"{p}{name} ({value}) must be {(positive ? "above" : "at least")} {min} and at most {max}{(positive ? ": the router is built on this signal" : "")}.");
        }

        // A hair of tolerance: 0.1 + 0.7 + 0.1 is 0.8999999999999999 in floating point, and a person typing it means 0.9.
        var content = Evidence + Centroid + Bm25 + Topic;
        var priors = Activity + Recency + Responsiveness;
        if (valid && content < priors - (1e-9 * Math.Max(1, priors)))
            yield return FormattableString.Invariant(
                $"{p}Evidence + Centroid + Bm25 + Topic ({content:0.######}) must be at least Activity + Recency + Responsiveness ({priors:0.######}): what an expert knows must weigh at least as much as how active they are, or experts known only from their profile are never asked.");
    }
}

/// <summary>
/// Start-up check that every key under <c>Routing:Weights</c> names a weight: the configuration binder ignores unknown
/// keys, so a typo (<c>Routing__Weights__RecencyHalfLife</c> for <c>…RecencyHalfLifeDays</c>) would otherwise leave the
/// weight at its default without a word.
/// </summary>
/// <param name="configuration">The service's configuration.</param>
public sealed class RankerWeightKeysValidator(Microsoft.Extensions.Configuration.IConfiguration configuration) : Microsoft.Extensions.Options.IValidateOptions<RoutingOptions>
{
    /// <summary>The names a key under <c>Routing:Weights</c> may have (case-insensitive).</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(RankerWeightOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToArray();

    /// <inheritdoc />
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var section = configuration.GetSection(RoutingOptions.Section).GetSection(nameof(RoutingOptions.Weights));
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(section.Value))
            failures.Add($"Routing:Weights has a value of its own ('{section.Value}'); set the weights one by one, e.g. Routing:Weights:Bm25.");
        foreach (var child in section.GetChildren())
        {
            if (!Names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Routing:Weights:{child.Key} is not a setting; the weights are {string.Join(", ", Names)}.");
                continue;
            }
            // A key below a weight (Routing__Weights__Evidence__X) is ignored by the binder just the same.
            foreach (var below in child.GetChildren())
                failures.Add($"Routing:Weights:{child.Key}:{below.Key} is not a setting; a weight is one number (Routing:Weights:{child.Key}).");
        }
        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Queue message of <c>route-question</c>.</summary>
/// <param name="QuestionId">The stored question to route.</param>
/// <param name="Escalate">False: route a newly received question. True: an asked expert passed (or paused / stopped), so
/// ask the next candidate from the question's stored pool in their place.</param>
public sealed record RouteQuestionMessage(string QuestionId, bool Escalate = false);

/// <summary>One ranked expert for a question, with the reason shown to the expert and stored with the route.</summary>
/// <param name="ExpertId">Expert id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Address.</param>
/// <param name="Department">Department.</param>
/// <param name="Score">Fused score of the <see cref="Matching.HybridRanker"/>, higher is better (a weighted sum of z-scores: roughly −2 to 4).</param>
/// <param name="Similarity">Cosine similarity of the question to the expert's best-matching evidence (−1–1).</param>
/// <param name="Reason">Human-readable reason: the closest earlier answer, the matched terms (BM25 terms that contributed most),
/// declared skills named in the question, activity; shown in the routed request and stored with the route.</param>
/// <param name="NamesSkill">True when the question names one of the expert's declared skills.</param>
public sealed record RankedCandidate(string ExpertId, string Name, string Email, string Department, double Score, double Similarity, string Reason, bool NamesSkill = false);
