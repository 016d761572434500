namespace SocialLearning.Matching.Evaluation;

/// <summary>Validation folds prepared for one recency half-life, with each question's signals computed once.</summary>
/// <param name="Folds">The prepared folds, in fold order.</param>
/// <param name="Signals">Per fold, one <see cref="HybridSignals"/> per question, in question order.</param>
public sealed record FoldSignals(IReadOnlyList<PreparedEvaluation> Folds, IReadOnlyList<IReadOnlyList<HybridSignals>> Signals)
{
    /// <summary>Signal entries held: Σ over questions of the candidates scored (about 190 bytes each).</summary>
    public long Entries => Signals.Sum(f => f.Sum(q => (long)q.Count));
}

/// <summary>
/// What <see cref="WeightCalibrator.Calibrate"/> found on one site's validation folds.
/// </summary>
/// <param name="Chosen">The weights the product ranks this site's test questions with, and their validation figures: the
/// defaults unless the search beat them by at least <paramref name="Margin"/>.</param>
/// <param name="Defaults">The weights the search started from (in <c>evaluate</c> the live service's <see cref="HybridWeights.Default"/>) on the same folds.</param>
/// <param name="Best">The best setting the search reached.</param>
/// <param name="Settings">Distinct settings measured on the folds.</param>
/// <param name="Margin">Objective the search had to gain over the defaults to replace them (<see cref="WeightCalibrator.MarginFor"/>).</param>
public sealed record WeightCalibration(ValidationResult Chosen, ValidationResult Defaults, ValidationResult Best, int Settings, double Margin)
{
    /// <summary>Whether the defaults were kept (the search gained less than <see cref="Margin"/>).</summary>
    public bool KeptDefaults => Chosen.Weights == Defaults.Weights;
}

/// <summary>
/// Calibrates the product's weights on a site's own profile period, before any test question is ranked: coordinate ascent
/// on the validation folds (<see cref="RoutingEvaluator.FoldPercents"/>) from the live service's defaults, under the
/// product's rules (<see cref="RoutingEvaluator.MeetsProductRules"/>: every signal the router is built on keeps a weight,
/// content weighs at least as much as the priors). How much who is active matters against what they know differs from
/// site to site and from company to company — on a site whose earlier questions resemble the later ones BM25 alone can
/// beat fixed weights chosen elsewhere — and the protocol allows every weight to be fixed from the profile period, so
/// <c>evaluate</c> ranks each site with weights chosen on that site's own history.
/// <para>
/// The search varies one weight at a time over its steps — BM25 <see cref="LexicalSteps"/>, evidence
/// <see cref="EvidenceSteps"/>, centroid and topic <see cref="ContentSteps"/>, lifetime activity <see cref="ActivitySteps"/>,
/// responsiveness <see cref="ResponsivenessSteps"/>, the recency half-life <see cref="RoutingEvaluator.HalfLives"/>, recency
/// <see cref="RecencySteps"/>, load λ <see cref="RoutingEvaluator.LoadPenalties"/> and prior fade φ
/// <see cref="RoutingEvaluator.LoadFades"/> — and takes the best value, pass after pass, until a pass changes nothing (at most
/// <see cref="MaxPasses"/>). A step that would give the priors more weight than the content scales the content weights up
/// together to meet them (<see cref="ContentAtLeastPriors"/>). The objective is <see cref="ValidationResult.Objective"/>
/// (MRR and Hit@3, static and capped); ties go to the higher pooled Hit@3, then to the value held, then to the earlier step. The search starts at
/// the defaults, so it ends at least as high; because a search over a hundred settings finds some that win on the folds by
/// chance, the defaults are kept unless the result beats them by <see cref="MarginFor"/>(validation questions) or more —
/// <see cref="Tolerance"/>, or more on a small site, where one question moves the objective further.
/// </para>
/// The cost is about a hundred fold evaluations (one signal computation per question and half-life, then only fusion and
/// the capacity simulation per setting), against thousands for the full grid of <c>--tune</c>.
/// </summary>
public static class WeightCalibrator
{
    /// <summary>Objective the calibrated setting must gain over the defaults to replace them: 0.005 (the folds' noise; see <see cref="RoutingEvaluator.LoadTolerance"/>).</summary>
    public const double Tolerance = RoutingEvaluator.LoadTolerance;

    /// <summary>Passes of the search at most: 4.</summary>
    public const int MaxPasses = 4;

    /// <summary>
    /// Objective gain that replaces the defaults on folds of <paramref name="validationQuestions"/> question evaluations:
    /// max(<see cref="Tolerance"/>, 1.75 / n). One question moving into or out of the top 3 in both tables moves the
    /// objective by 0.5 / n, so the gain must be worth about 3.5 such questions (on quantumcomputing.stackexchange.com,
    /// 345 evaluations, that is 0.0051); on a site with 40 it is 0.044.
    /// </summary>
    /// <param name="validationQuestions">Question evaluations pooled over the folds (≤ 0: no gain is enough).</param>
    public static double MarginFor(int validationQuestions) =>
        validationQuestions <= 0 ? double.PositiveInfinity : Math.Max(Tolerance, 1.75 / validationQuestions);

    /// <summary>
    /// Signal entries of one half-life (<see cref="FoldSignals.Entries"/>) up to which the signals of every half-life tried
    /// are kept through the search: 2,000,000, about 0.4 GB each (quantum computing: 345 questions × 53 candidates, 18,000).
    /// Above it only two half-lives are held at a time (a synthetic site of 9,746 validation questions × 984 candidates
    /// needs about 1.8 GB per half-life).
    /// </summary>
    public const long KeepAllSignalsUpTo = 2_000_000;

    /// <summary>BM25 weights tried: 0.25–8.</summary>
    public static readonly IReadOnlyList<double> LexicalSteps = [0.25, 0.5, 1, 2, 4, 8];

    /// <summary>Best-matching evidence weights tried: 0.25–4.</summary>
    public static readonly IReadOnlyList<double> EvidenceSteps = [0.25, 0.5, 1, 2, 4];

    /// <summary>Centroid and topic weights tried: 0–4.</summary>
    public static readonly IReadOnlyList<double> ContentSteps = [0, 0.25, 0.5, 1, 2, 4];

    /// <summary>Lifetime activity weights tried: 0–2.</summary>
    public static readonly IReadOnlyList<double> ActivitySteps = [0, 0.5, 1, 2];

    /// <summary>Recent-activity weights tried: 0.25–2.</summary>
    public static readonly IReadOnlyList<double> RecencySteps = [0.25, 0.5, 1, 2];

    /// <summary>Responsiveness weights tried: 0.25–1.</summary>
    public static readonly IReadOnlyList<double> ResponsivenessSteps = [0.25, 0.5, 1];

    /// <summary>
    /// Calibrates <paramref name="defaults"/> on the validation folds.
    /// </summary>
    /// <param name="foldsFor">The folds for a base recency half-life in days (each fold measures recency with
    /// max(half-life, <see cref="HybridWeights.RecencyHorizonShare"/> × its horizon), as the product does); called again
    /// for a half-life whenever the search needs it unless the signals are small enough to keep (<see cref="KeepAllSignalsUpTo"/>);
    /// otherwise the result is held only while that half-life is the current setting's or the one being tried (so it
    /// must give the same signals every time).</param>
    /// <param name="defaults">The live service's weights: the start of the search and the setting kept unless beaten.</param>
    /// <param name="status">Receives one progress line per pass, or null.</param>
    /// <param name="cancellationToken">Cancels between and during the measurements.</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="ArgumentException"><paramref name="defaults"/> does not meet the product's rules.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <param name="keepAllSignalsUpTo">Signal entries per half-life up to which every half-life's signals are kept
    /// (<see cref="KeepAllSignalsUpTo"/>); lower it to hold at most two on a machine short of memory. The result is the
    /// same either way, only the time and memory differ.</param>
    public static WeightCalibration Calibrate(Func<double, FoldSignals> foldsFor, HybridWeights defaults, Action<string>? status = null,
        CancellationToken cancellationToken = default, long keepAllSignalsUpTo = KeepAllSignalsUpTo)
    {
        ArgumentNullException.ThrowIfNull(foldsFor);
        ArgumentNullException.ThrowIfNull(defaults);
        if (!RoutingEvaluator.MeetsProductRules(defaults))
            throw new ArgumentException($"The defaults ({defaults.Describe()}) do not meet the product's rules.", nameof(defaults));
        // On a large site each half-life's signals are gigabytes (every question's signals over every candidate): then only
        // the current setting's and the one being tried are held, and a half-life tried again is computed again. On a small
        // site all are kept (computing them again would only cost time).
        var kept = new Dictionary<double, FoldSignals>();
        FoldSignals Get(double halfLife)
        {
            if (kept.TryGetValue(halfLife, out var known)) return known;
            var computed = foldsFor(halfLife);
            if (computed.Entries <= keepAllSignalsUpTo) kept[halfLife] = computed;
            return computed;
        }
        var currentFolds = Get(defaults.RecencyHalfLifeDays);
        var measured = new Dictionary<HybridWeights, ValidationResult>();
        var defaultResult = measured[defaults] = RoutingEvaluator.Validate(currentFolds.Folds, currentFolds.Signals, defaults);
        var current = defaultResult;
        Func<HybridWeights, double, HybridWeights>[] moves =
        [
            (w, v) => w with { Lexical = v },
            (w, v) => w with { Evidence = v },
            (w, v) => w with { Centroid = v },
            (w, v) => w with { Topic = v },
            (w, v) => w with { Activity = v },
            (w, v) => w with { Responsiveness = v },
            (w, v) => w with { RecencyHalfLifeDays = v },
            (w, v) => w with { Recency = v },
            (w, v) => w with { LoadPenalty = v },
            (w, v) => w with { LoadFade = v },
        ];
        IReadOnlyList<double>[] steps = [LexicalSteps, EvidenceSteps, ContentSteps, ContentSteps, ActivitySteps, ResponsivenessSteps, RoutingEvaluator.HalfLives, RecencySteps, RoutingEvaluator.LoadPenalties, RoutingEvaluator.LoadFades];
        for (var pass = 1; pass <= MaxPasses; pass++)
        {
            var start = current;
            for (var d = 0; d < moves.Length; d++)
            {
                var tried = steps[d].Select(v => ContentAtLeastPriors(moves[d](current.Weights, v)))
                    .Where(w => w != current.Weights && RoutingEvaluator.MeetsProductRules(w)).Distinct().ToList();
                // Settings on the current half-life are measured in parallel (the signals are read-only); settings on another
                // half-life (the half-life step) one at a time, each on signals computed for it and dropped unless it wins.
                var fresh = tried.Where(w => !measured.ContainsKey(w) && w.RecencyHalfLifeDays == current.Weights.RecencyHalfLifeDays).ToList();
                MeasureAll(currentFolds, fresh, measured, cancellationToken);
                // Compared in step order, as they come.
                foreach (var w in tried)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!measured.TryGetValue(w, out var r))
                    {
                        var other = Get(w.RecencyHalfLifeDays);
                        r = measured[w] = RoutingEvaluator.Validate(other.Folds, other.Signals, w);
                        if (Better(r, current)) currentFolds = other;
                        // Unoptimised code keeps a local alive to the end of the method: let a losing half-life's signals go now.
                        other = null;
                    }
                    else if (Better(r, current) && r.Weights.RecencyHalfLifeDays != current.Weights.RecencyHalfLifeDays)
                    {
                        currentFolds = Get(r.Weights.RecencyHalfLifeDays);
                    }
                    if (Better(r, current)) current = r;
                }
            }
            status?.Invoke($"calibration pass {pass}: objective {current.Objective:0.0000} ({measured.Count} settings)");
            if (current == start) break;
        }

        var margin = MarginFor(defaultResult.Uncapped.Questions);
        var chosen = current.Objective >= defaultResult.Objective + margin ? current : defaultResult;
        return new WeightCalibration(chosen, defaultResult, current, measured.Count, margin);
    }

    /// <summary>Measures <paramref name="settings"/> on <paramref name="folds"/> in parallel (the signals are read-only) into
    /// <paramref name="measured"/>. A method of its own so that no lambda in <see cref="Calibrate"/> keeps a half-life's
    /// signals reachable after the search has moved on.</summary>
    private static void MeasureAll(FoldSignals folds, List<HybridWeights> settings, Dictionary<HybridWeights, ValidationResult> measured,
        CancellationToken cancellationToken)
    {
        var results = new ValidationResult[settings.Count];
        Parallel.For(0, settings.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            results[i] = RoutingEvaluator.Validate(folds.Folds, folds.Signals, settings[i]));
        for (var i = 0; i < settings.Count; i++) measured[settings[i]] = results[i];
    }

    /// <summary>
    /// <paramref name="w"/> with its content weights (evidence, centroid, BM25, topic) scaled up together, mix kept, until
    /// they weigh as much as the priors (recency, activity, responsiveness) where they weighed less: without it a search
    /// starting on that boundary could never give the priors more weight, one step at a time.
    /// </summary>
    internal static HybridWeights ContentAtLeastPriors(HybridWeights w)
    {
        var content = w.Evidence + w.Centroid + w.Lexical + w.Topic;
        var priors = w.Recency + w.Activity + w.Responsiveness;
        if (content >= priors || content <= 0) return w;
        var scale = priors / content;
        var scaled = w with { Evidence = w.Evidence * scale, Centroid = w.Centroid * scale, Lexical = w.Lexical * scale, Topic = w.Topic * scale };
        // Rounding may leave the sum a hair under the priors.
        return scaled.Evidence + scaled.Centroid + scaled.Lexical + scaled.Topic >= priors
            ? scaled
            : scaled with { Evidence = scaled.Evidence * (1 + 1e-12), Centroid = scaled.Centroid * (1 + 1e-12), Lexical = scaled.Lexical * (1 + 1e-12), Topic = scaled.Topic * (1 + 1e-12) };
    }

    private static bool Better(ValidationResult a, ValidationResult b) =>
        a.Objective > b.Objective + 1e-12 ||
        (a.Objective >= b.Objective && a.Uncapped.HitAt3 + a.Capped.HitAt3 > b.Uncapped.HitAt3 + b.Capped.HitAt3 + 1e-12);
}
