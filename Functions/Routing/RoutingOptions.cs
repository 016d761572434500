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
