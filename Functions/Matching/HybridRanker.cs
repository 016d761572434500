using System.Collections.Frozen;
using System.Globalization;

namespace SocialLearning.Matching;

/// <summary>
/// Weights of the <see cref="HybridRanker"/>: z-score (or reciprocal-rank) fusion of seven signals of the experts plus
/// two load terms (penalty and prior fade) (see <see cref="HybridRanker"/> for the formula).
/// </summary>
/// <param name="Evidence">Weight of the ranking by best-matching evidence cosine (dense, document model).</param>
/// <param name="Centroid">Weight of the ranking by profile-centroid cosine (dense, candidate model).</param>
/// <param name="Lexical">Weight of the ranking by BM25 of the best-matching evidence document.</param>
/// <param name="Activity">Weight of the ranking by profile-period answer count.</param>
/// <param name="Recency">Weight of the ranking by recent activity (answers decayed with a 30-day half-life).</param>
/// <param name="RrfK">The RRF constant k (Cormack, Clarke and Büttcher 2009 use 60); smaller k lets the top ranks weigh more.</param>
/// <param name="LoadPenalty">λ of the load term (see <see cref="HybridRanker"/>): per request the expert received in the last 7 days,
/// the RRF score is divided by 1 + λ, the z-score sum loses λ standard deviations.</param>
/// <param name="Fusion">How the five signals are fused.</param>
/// <param name="RecencyHalfLifeDays">Half-life of the recent-activity signal, days.</param>
/// <param name="Responsiveness">Weight of responsiveness: the expert's median time from question to answer (shorter is better).</param>
/// <param name="Topic">Weight of the topic record: the expert's answers on the topics the question names (<see cref="TopicIndex"/>).</param>
/// <param name="LoadFade">Prior fade φ (see <see cref="HybridRanker"/>): per request the expert holds in the load window, a
/// positive prior part of the score (activity, recency, responsiveness) shrinks by the share φ of itself (to nothing at
/// 1/φ requests); the content part is untouched. 0 = off.</param>
/// <param name="PriorFloor">z-score fusion: the most, in standard deviations, that the prior part of the score (activity,
/// recency, responsiveness together) may take away, ≥ 0; <see cref="double.PositiveInfinity"/> = no floor. Inactivity is weak
/// evidence in a company directory, where many experts answer rarely: without the floor an expert whose one earlier answer
/// is the question's near-twin (cosine 0.67, five shared terms, the named skill) ranked fifth behind colleagues with recent
/// answers on other subjects (the built-in sample's iPad date-picker question).</param>
public sealed record HybridWeights(double Evidence, double Centroid, double Lexical, double Activity, double Recency, int RrfK, double LoadPenalty,
    HybridFusion Fusion = HybridFusion.ReciprocalRank, double RecencyHalfLifeDays = 30, double Responsiveness = 0, double Topic = 0, double LoadFade = 0,
    double PriorFloor = double.PositiveInfinity)
{
    /// <summary>
    /// The live service's weights (<c>evaluate</c> starts its per-site calibration from them,
    /// <see cref="Evaluation.WeightCalibrator"/>): z-score fusion, evidence 0.25, centroid 0.5, BM25 0.25, topic 0.25, activity 0, recency 1
    /// with a 7-day half-life, responsiveness 0.25, prior floor 1 σ; load λ 0.1 with prior fade φ 0.5. Chosen on the profile period only,
    /// never on test questions, by <c>evaluate --tune</c> (<c>RoutingEvaluator.Tune</c>) on
    /// quantumcomputing.stackexchange.com, the only site at hand: four validation folds inside the first 80% of the
    /// questions, each with profiles from the questions before 45/55/65/75% of that period and questions from the next 25%
    /// (the test horizon; 345 question evaluations, gold answers only from before the test cutoff); objective the mean of
    /// MRR and Hit@3 in the static and the capped table. The grid keeps every signal the router is built on (evidence,
    /// BM25, recency, responsiveness ≥ 0.25) and the chosen setting weighs content at least as much as the priors (experts
    /// known only from their profile must stay reachable), and the current setting is kept while it is within 0.005 of the
    /// best: objective 0.428 against the best 0.431. Then the load terms, which act only on routing state (the capped
    /// table): λ × φ, the current λ and φ kept within 0.005 of the best (0.449 against 0.452). Prior floor 1 σ (a product
    /// rule, not tuned: −0.0008 on validation). Validation (MiniLM inputs cut to the model's 256-word-piece window): MRR
    /// 0.600 / 0.227 capped, Hit@3 0.701 / 0.267 (bm25-profile 0.209 / 0.243,
    /// recently-active 0.155 / 0.186 capped).
    /// </summary>
    public static HybridWeights Default { get; } = new(Evidence: 0.25, Centroid: 0.5, Lexical: 0.25, Activity: 0, Recency: 1, RrfK: 60, LoadPenalty: 0.1,
        Fusion: HybridFusion.ZScore, RecencyHalfLifeDays: 7, Responsiveness: 0.25, Topic: 0.25, LoadFade: 0.5, PriorFloor: 1);

    /// <summary>
    /// Share of a prediction horizon the recency half-life stretches to: 0.2. When profiles frozen at a cutoff must route
    /// the questions of the next H days (an evaluation; H = cutoff to last question), recent activity is measured with
    /// <see cref="RecencyHalfLifeFor"/>(H) = max(<see cref="RecencyHalfLifeDays"/>, 0.2 · H). The half-life is a time
    /// scale: 7 days was chosen on validation folds spanning 29–46 days (mean 35; 7 / 35 = 0.2), and a site whose test
    /// questions span two years is not predicted by who answered in the last fortnight before the cutoff. The live
    /// service re-measures recency at every directory load (horizon ≈ 0) and uses <see cref="RecencyHalfLifeDays"/>.
    /// </summary>
    public const double RecencyHorizonShare = 0.2;

    /// <summary>The recency half-life, days, for profiles frozen for <paramref name="horizonDays"/> (see <see cref="RecencyHorizonShare"/>).</summary>
    /// <param name="horizonDays">Days from the profiles' cutoff to the last question they route; ≤ 0 gives <see cref="RecencyHalfLifeDays"/>.</param>
    public double RecencyHalfLifeFor(double horizonDays) => Math.Max(RecencyHalfLifeDays, RecencyHorizonShare * horizonDays);

    /// <summary>One line for logs and the evaluation printout, e.g. <c>evidence 1, centroid 0.5, …, k 20, load λ 0.1</c>.</summary>
    public string Describe() => Fusion == HybridFusion.ReciprocalRank
        ? string.Create(CultureInfo.InvariantCulture,
            $"RRF: evidence {Evidence:0.###}, centroid {Centroid:0.###}, BM25 {Lexical:0.###}, topic {Topic:0.###}, activity {Activity:0.###}, recency {Recency:0.###} (half-life {RecencyHalfLifeDays:0.#} d), responsiveness {Responsiveness:0.###}, k {RrfK}, load λ {LoadPenalty:0.###}")
        : string.Create(CultureInfo.InvariantCulture,
            $"z-score: evidence {Evidence:0.###}, centroid {Centroid:0.###}, BM25 {Lexical:0.###}, topic {Topic:0.###}, activity {Activity:0.###}, recency {Recency:0.###} (half-life {RecencyHalfLifeDays:0.#} d), responsiveness {Responsiveness:0.###}{(double.IsFinite(PriorFloor) ? $", prior floor −{PriorFloor:0.###}" : "")}, load λ {LoadPenalty:0.###}{(LoadFade > 0 ? $", fade {LoadFade:0.###}" : "")}");
}

/// <summary>The fusion method of the <see cref="HybridRanker"/>.</summary>
public enum HybridFusion
{
    /// <summary>Weighted reciprocal-rank fusion, Σ w_c / (k + rank_c) (Cormack, Clarke and Büttcher, SIGIR 2009).</summary>
    ReciprocalRank,

    /// <summary>
    /// Weighted CombSUM of per-question z-scores (Fox and Shaw, "Combination of multiple searches", TREC-2 1994; z-score
    /// normalisation: Montague and Aslam, "Relevance score normalization for metasearch", CIKM 2001): each signal is
    /// standardised over the eligible experts of the question, then Σ w_c · z_c. Priors enter as log(1 + count).
    /// </summary>
    ZScore,
}

/// <summary>One expert ranked by the <see cref="HybridRanker"/>.</summary>
/// <param name="ExpertId">Expert id.</param>
/// <param name="Score">Fused score with the load terms (z-score fusion: a sum of weighted standard scores, typically −3 to 5; RRF: roughly 0–0.3); higher is better.</param>
/// <param name="BestEvidenceScore">Cosine of the question and the expert's best-matching evidence, −1–1 (the centroid cosine when the expert has no evidence).</param>
/// <param name="CentroidScore">Cosine of the question and the expert's centroid, −1–1.</param>
/// <param name="BestEvidenceSourceId">Source id of that evidence, or null.</param>
/// <param name="BestEvidenceTitle">Title of that evidence — the closest earlier answer — or null.</param>
/// <param name="LexicalScore">BM25 score of the expert's best-matching evidence document (0 when no query term occurs in their evidence).</param>
/// <param name="MatchedTerms">The query terms that contributed most to that BM25 score, largest first (at most 5).</param>
/// <param name="LexicalEvidenceTitle">Title of the best BM25 document, or null.</param>
/// <param name="AnswerCount">Answers in the profile period.</param>
/// <param name="RecentActivity">Exp-decayed answer count (30-day half-life) at the index's reference time.</param>
/// <param name="Load">Requests the expert received in the load window (as the caller reported it).</param>
/// <param name="BestEvidenceIsProfile">True when the best-matching evidence is profile text (about me, declared skills), not an earlier answer.</param>
/// <param name="MatchedTopics">The question's topics the expert has (answered questions tagged with them, or declared), largest
/// contribution to the topic signal first (at most 5); empty when none.</param>
public sealed record HybridMatch(
    string ExpertId,
    double Score,
    double BestEvidenceScore,
    double CentroidScore,
    string? BestEvidenceSourceId,
    string? BestEvidenceTitle,
    double LexicalScore,
    IReadOnlyList<string> MatchedTerms,
    string? LexicalEvidenceTitle,
    double AnswerCount,
    double RecentActivity,
    int Load,
    IReadOnlyList<TopicMatch>? MatchedTopics = null,
    bool BestEvidenceIsProfile = false);

/// <summary>
/// The per-question, weight-independent part of a hybrid ranking: every eligible expert's signals and their rank in each
/// of the five component rankings. <see cref="HybridRanker.Fuse"/> turns it into a ranking for given weights, so an
/// evaluation can try many weights on one computation.
/// </summary>
public sealed class HybridSignals
{
    private readonly double[][] _values;
    private int[][]? _ranks;

    internal HybridSignals(HybridIndex index, IReadOnlyList<string> queryTerms, IReadOnlyList<string> queryTopics, int[] positions, ExpertMatch[] dense,
        double[] lexical, int[] lexicalDoc, double[][] values, double[][] z)
    {
        QueryTopics = queryTopics;
        Z = z;
        Index = index;
        QueryTerms = queryTerms;
        Positions = positions;
        Dense = dense;
        Lexical = lexical;
        LexicalDocument = lexicalDoc;
        _values = values;
    }

    /// <summary>The index the signals came from.</summary>
    public HybridIndex Index { get; }

    /// <summary>Distinct BM25 query terms.</summary>
    public IReadOnlyList<string> QueryTerms { get; }

    /// <summary>The directory topics the question names (<see cref="TopicIndex.QueryTopics"/>).</summary>
    public IReadOnlyList<string> QueryTopics { get; }

    /// <summary>Number of eligible experts.</summary>
    public int Count => Positions.Length;

    internal int[] Positions { get; }
    internal ExpertMatch[] Dense { get; }
    internal double[] Lexical { get; }
    internal int[] LexicalDocument { get; }

    /// <summary>[component][expert] 1-based competition rank (ties share the best rank); 0 = no contribution.
    /// Components: 0 evidence, 1 centroid, 2 lexical, 3 activity, 4 recency, 5 responsiveness, 6 topic. Computed on first use
    /// (only reciprocal-rank fusion reads ranks; the z-score fusion does not pay for six sorts).</summary>
    internal int[][] Ranks => _ranks ??=
    [
        HybridRanker.CompetitionRanks(_values[0], requirePositive: false),
        HybridRanker.CompetitionRanks(_values[1], requirePositive: false),
        HybridRanker.CompetitionRanks(_values[2], requirePositive: true),
        HybridRanker.CompetitionRanks(_values[3], requirePositive: true),
        HybridRanker.CompetitionRanks(_values[4], requirePositive: true),
        HybridRanker.CompetitionRanks(_values[5], requirePositive: false),
        HybridRanker.CompetitionRanks(_values[6], requirePositive: true),
    ];

    /// <summary>[component][expert] z-score of the signal over the eligible experts (0 when all are equal); priors as log(1 + value).</summary>
    internal double[][] Z { get; }
}

/// <summary>
/// The product's ranker: hybrid retrieval over each expert's evidence plus the priors real routing needs, used by the
/// live <c>QuestionRouter</c> and by <c>evaluate</c> alike.
/// </summary>
/// <remarks>
/// <para><b>Signals.</b> For a question (embedding q, text Q) and each eligible expert e: (1) the best-matching evidence
/// cosine max_j q·v_ej and (2) the centroid cosine q·c_e (<see cref="ExpertIndex"/>); (3) the BM25 score (Okapi, k1 1.2,
/// b 0.75, <see cref="Bm25Index"/>) of e's best-matching evidence document; (4) e's answer count; (5) e's recent activity
/// (answers decayed with a half-life); (6) e's responsiveness, −log(1 + median hours from question to e's answer) (experts
/// without known response times get the mean of the others); (7) e's topic record on the topics Q names
/// (<see cref="TopicIndex"/>).</para>
/// <para><b>Fusion.</b> The product uses z-score CombSUM (<see cref="HybridFusion.ZScore"/>): each signal standardised
/// over the eligible experts of the question (priors as log(1 + x)), then Σ_c w_c · z_c; standardising per question keeps
/// the weights independent of a site's or a model's score scales. Weighted reciprocal-rank fusion (Cormack, Clarke and
/// Büttcher, SIGIR 2009), <c>rrf(e) = Σ_c w_c / (k + rank_c(e))</c> over competition ranks (an expert with a zero BM25 or
/// topic score or no answers gets no rank in that list), is the alternative; it lost on validation.</para>
/// <para><b>Prior floor.</b> In z-score fusion the prior part (signals 4–6, weighted) is never below −<see cref="HybridWeights.PriorFloor"/>
/// (1 standard deviation in the product): recent activity can lift an expert, but inactivity cannot sink a close content
/// match (on the validation folds the floor changed the objective by −0.0008).</para>
/// <para><b>Prior spread floor.</b> The priors (signals 4–6, on their log scales) are standardised with a standard deviation
/// of at least <see cref="MinPriorSd"/> (ln 2 / 2, half the step from no answer to one). A directory where almost nobody
/// answered lately (one imported from profiles, or whose history is weeks old) otherwise has a near-zero spread, and one
/// answer learned today turns into four standard deviations of recent activity, enough to route a salesperson's
/// accruals question to them.</para>
/// <para><b>Load / fairness.</b> load = requests e received in the last 7 days. The score splits into content (signals 1–3,
/// 7) and priors (4–6); a positive prior part shrinks to max(0, 1 − φ · load(e)) of itself — the prior fade: being active
/// says an expert is likely to answer <i>something</i>, and an expert already holding requests this week is asked again
/// for what they know, not for being active — and the z-score sum then loses λ · load(e) (RRF: divided by
/// (1 + λ)^load). So the same few people are not asked every time; the hard cap of 3 per 7 days is applied by routing
/// on top. Without load (an expert with no requests, or the static evaluation table) the score is the plain sum.</para>
/// <para><b>Cost.</b> One dense pass over all vectors, BM25 over the query terms' postings, topic postings of the named
/// topics; above <see cref="TwoStageThreshold"/> experts, candidates from each source first. Well under a millisecond for
/// a few hundred experts, a few milliseconds at 10,000.</para>
/// </remarks>
public sealed class HybridRanker
{
    /// <summary>Most matched terms reported per expert: 5.</summary>
    public const int MaxMatchedTerms = 5;

    /// <summary>Least standard deviation a prior (log answer count, log recent activity, responsiveness) is standardised with:
    /// ln 2 / 2 ≈ 0.347, half the step from no answer to one (see the remarks).</summary>
    public static readonly double MinPriorSd = Math.Log(2) / 2;

    /// <summary>Directory size up to which every eligible expert is scored and standardised: 1,000 experts.</summary>
    public const int TwoStageThreshold = 1_000;

    /// <summary>Candidates each source proposes in the first stage of a larger directory: 100 (dense, BM25, topic, recent
    /// activity, answer count; their union, at most 500 experts, is ranked).</summary>
    public const int CandidatesPerSource = 100;

    /// <summary>Creates a ranker with <paramref name="weights"/> (default <see cref="HybridWeights.Default"/>).</summary>
    /// <param name="weights">The fusion weights.</param>
    public HybridRanker(HybridWeights? weights = null) => Weights = weights ?? HybridWeights.Default;

    /// <summary>The fusion weights.</summary>
    public HybridWeights Weights { get; }

    /// <summary>Signals and fusion in one step: the top <paramref name="k"/> experts, best first.</summary>
    /// <param name="index">The directory.</param>
    /// <param name="query">Question embedding of <c>index.Vectors.Model</c>; non-zero.</param>
    /// <param name="queryModel">Model of <paramref name="query"/>.</param>
    /// <param name="queryText">Question text for BM25 (subject and body).</param>
    /// <param name="k">Experts wanted, ≥ 1.</param>
    /// <param name="exclude">True for expert ids that must not be ranked (asker, unavailable); null excludes nobody.</param>
    /// <param name="load">Requests each expert received in the load window; null = nobody has any.</param>
    /// <returns>At most <paramref name="k"/> matches, best first.</returns>
    /// <exception cref="EmbeddingMismatchException">The query's model or length differs from the index's.</exception>
    /// <exception cref="ArgumentException">The query vector is zero or not finite.</exception>
    public IReadOnlyList<HybridMatch> Rank(HybridIndex index, ReadOnlySpan<float> query, VectorModel queryModel, string queryText, int k,
        Func<string, bool>? exclude = null, Func<string, int>? load = null) =>
        Fuse(Signals(index, query, queryModel, queryText, exclude), Weights, k, load);

    /// <summary>Computes the weight-independent signals and component ranks for one question (see the class remarks).</summary>
    /// <param name="index">The directory.</param>
    /// <param name="query">Question embedding; non-zero.</param>
    /// <param name="queryModel">Model of <paramref name="query"/>.</param>
    /// <param name="queryText">Question text for BM25.</param>
    /// <param name="exclude">True for expert ids that must not be ranked; null excludes nobody.</param>
    /// <returns>The signals of every eligible expert.</returns>
    /// <exception cref="EmbeddingMismatchException">The query's model or length differs from the index's.</exception>
    public static HybridSignals Signals(HybridIndex index, ReadOnlySpan<float> query, VectorModel queryModel, string queryText, Func<string, bool>? exclude = null) =>
        ComputeSignals(index, query, queryModel, queryText, exclude, TwoStageThreshold);

    /// <summary><see cref="Signals(HybridIndex, ReadOnlySpan{float}, VectorModel, string, Func{string, bool}?)"/> with the
    /// two-stage threshold given (tests compare both paths on one directory).</summary>
    internal static HybridSignals ComputeSignals(HybridIndex index, ReadOnlySpan<float> query, VectorModel queryModel, string queryText, Func<string, bool>? exclude,
        int twoStageThreshold)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(queryModel);
        var terms = index.Lexical.QueryTerms(queryText);
        var topics = index.Topics.QueryTopics(queryText);
        if (index.Count == 0) return new HybridSignals(index, terms, topics, [], [], [], [], [[], [], [], [], [], [], []], [[], [], [], [], [], [], []]);
        var topicScores = new double[index.Count];
        index.Topics.Score(topics, topicScores);

        // Lexical first (postings of the query terms only): the best BM25 document of every expert position.
        var owners = index.OwnerArray;
        var bestLexical = new double[index.Count];
        var bestDocument = new int[index.Count];
        Array.Fill(bestDocument, -1);
        if (terms.Count > 0 && index.Lexical.Count > 0)
        {
            var rented = System.Buffers.ArrayPool<double>.Shared.Rent(index.Lexical.Count);
            try
            {
                var docScores = rented.AsSpan(0, index.Lexical.Count);
                index.Lexical.Score(terms, docScores);
                for (var d = 0; d < docScores.Length; d++)
                {
                    var s = docScores[d];
                    if (!(s > 0)) continue;
                    var p = owners[d];
                    if (s > bestLexical[p])
                    {
                        bestLexical[p] = s;
                        bestDocument[p] = d;
                    }
                }
            }
            finally
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        }

        ExpertMatch[] dense;
        if (index.Count <= twoStageThreshold)
        {
            // Every eligible expert is scored and standardised.
            dense = [.. index.Vectors.Search(query, queryModel, index.Count, exclude)];
        }
        else
        {
            // Two stages: candidates from each source, then every signal over their union (see the class remarks).
            var denseTop = index.Vectors.Search(query, queryModel, CandidatesPerSource, exclude);
            var taken = new bool[index.Count];
            foreach (var m in denseTop) taken[index.PositionOf(m.ExpertId)] = true;
            var extra = new List<int>(2 * CandidatesPerSource);
            void Propose(IEnumerable<int> positionsBestFirst)
            {
                var n = 0;
                foreach (var p in positionsBestFirst)
                {
                    if (n >= CandidatesPerSource) break;
                    if (exclude is not null && exclude(index.ExpertIds[p])) continue;
                    n++;
                    if (taken[p]) continue;
                    taken[p] = true;
                    extra.Add(p);
                }
            }
            Propose(TopPositions(bestLexical, CandidatesPerSource + 64));
            Propose(TopPositions(topicScores, CandidatesPerSource + 64));
            Propose(index.RecencyOrder);
            Propose(index.ActivityOrder);
            dense = [.. denseTop, .. index.Vectors.ScoreAt(query, queryModel, extra.ToArray())];
        }

        var n = dense.Length;
        var positions = new int[n];
        var lexical = new double[n];
        var lexicalDoc = new int[n];
        var evidence = new double[n];
        var centroid = new double[n];
        var activity = new double[n];
        var recency = new double[n];
        var hours = new double[n];
        var topic = new double[n];
        var knownSum = 0.0;
        var known = 0;
        for (var i = 0; i < n; i++)
        {
            var p = positions[i] = index.PositionOf(dense[i].ExpertId);
            lexical[i] = bestLexical[p];
            lexicalDoc[i] = bestDocument[p];
            evidence[i] = dense[i].BestEvidenceScore;
            centroid[i] = dense[i].CentroidScore;
            activity[i] = index.AnswerCounts[p];
            recency[i] = index.Recency[p];
            hours[i] = index.ResponseHours[p];
            topic[i] = topicScores[p];
            if (!double.IsNaN(hours[i]))
            {
                knownSum += hours[i];
                known++;
            }
        }
        var twoStage = index.Count > twoStageThreshold;
        var neutral = twoStage ? index.PopulationStats.NeutralSpeed : known > 0 ? -Math.Log(1 + (knownSum / known)) : 0;
        var speed = new double[n];
        var logActivity = new double[n];
        var logRecency = new double[n];
        for (var i = 0; i < n; i++)
        {
            speed[i] = double.IsNaN(hours[i]) ? neutral : -Math.Log(1 + hours[i]);
            logActivity[i] = Math.Log(1 + activity[i]);
            logRecency[i] = Math.Log(1 + recency[i]);
        }
        double[][] z;
        if (!twoStage)
        {
            z = [ZScores(evidence), ZScores(centroid), ZScores(lexical), PriorZScores(logActivity), PriorZScores(logRecency), PriorZScores(speed), ZScores(topic)];
        }
        else
        {
            // Standardise the union with the whole directory's statistics, so a candidate's z-scores are what scoring every
            // expert would give: priors and BM25 exactly (over all experts), the dense cosines from a fixed sample.
            var pop = index.PopulationStats;
            var sample = index.Vectors.ScoreAt(query, queryModel, pop.SamplePositions);
            var (eMean, eSd) = MeanSd(sample.Select(m => (double)m.BestEvidenceScore).ToArray());
            var (cMean, cSd) = MeanSd(sample.Select(m => (double)m.CentroidScore).ToArray());
            var (lMean, lSd) = MeanSd(bestLexical);
            var (tMean, tSd) = MeanSd(topicScores);
            z = [ZScores(evidence, eMean, eSd), ZScores(centroid, cMean, cSd), ZScores(lexical, lMean, lSd), ZScores(logActivity, pop.LogActivity.Mean, Math.Max(pop.LogActivity.Sd, MinPriorSd)),
                ZScores(logRecency, pop.LogRecency.Mean, Math.Max(pop.LogRecency.Sd, MinPriorSd)), ZScores(speed, pop.Speed.Mean, Math.Max(pop.Speed.Sd, MinPriorSd)), ZScores(topic, tMean, tSd)];
        }
        return new HybridSignals(index, terms, topics, positions, dense, lexical, lexicalDoc, [evidence, centroid, lexical, activity, recency, speed, topic], z);
    }

    /// <summary>Mean and (population) standard deviation, two passes; (0, 0) for no values.</summary>
    internal static (double Mean, double Sd) MeanSd(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) return (0, 0);
        var sum = 0.0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        var variance = 0.0;
        foreach (var v in values) variance += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(variance / values.Length));
    }

    /// <summary>(x − <paramref name="mean"/>) / <paramref name="sd"/>; all zeros when the deviation is 0.</summary>
    internal static double[] ZScores(double[] values, double mean, double sd)
    {
        var z = new double[values.Length];
        if (!(sd > 1e-12)) return z;
        for (var i = 0; i < values.Length; i++) z[i] = (values[i] - mean) / sd;
        return z;
    }

    /// <summary>Positions of the (at most) <paramref name="count"/> largest positive values, largest first.</summary>
    private static IEnumerable<int> TopPositions(double[] values, int count)
    {
        var heap = new PriorityQueue<int, double>(count + 1);
        for (var p = 0; p < values.Length; p++)
        {
            var v = values[p];
            if (!(v > 0)) continue;
            if (heap.Count < count) heap.Enqueue(p, v);
            else if (heap.TryPeek(out _, out var smallest) && v > smallest) heap.EnqueueDequeue(p, v);
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }

    /// <summary>
    /// Fuses <paramref name="signals"/> with <paramref name="weights"/> and the load term; ties by best-evidence cosine,
    /// then expert id (ordinal).
    /// </summary>
    /// <param name="signals">From <see cref="Signals"/>.</param>
    /// <param name="weights">Fusion weights.</param>
    /// <param name="k">Experts wanted, ≥ 1.</param>
    /// <param name="load">Requests each expert received in the load window; null = none.</param>
    /// <returns>At most <paramref name="k"/> matches, best first, with reasons' material (matched terms, closest answer).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> &lt; 1.</exception>
    public static IReadOnlyList<HybridMatch> Fuse(HybridSignals signals, HybridWeights weights, int k, Func<string, int>? load = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var order = FusedOrder(signals, weights, load, out var scores, out var loads);
        var take = Math.Min(k, order.Length);
        var index = signals.Index;
        var result = new HybridMatch[take];
        for (var r = 0; r < take; r++)
        {
            var i = order[r];
            var m = signals.Dense[i];
            var doc = signals.LexicalDocument[i];
            IReadOnlyList<string> matched = doc >= 0
                ? index.Lexical.Explain(signals.QueryTerms, doc, MaxMatchedTerms + 5).Select(t => t.Term).Where(ShownInReasons).Take(MaxMatchedTerms).ToList()
                : [];
            var p = signals.Positions[i];
            result[r] = new HybridMatch(m.ExpertId, scores[i], m.BestEvidenceScore, m.CentroidScore, m.BestEvidenceSourceId, m.BestEvidenceTitle,
                signals.Lexical[i], matched, doc >= 0 ? index.DocumentTitles[doc] : null, index.AnswerCounts[p], index.Recency[p], loads[i],
                index.Topics.Explain(signals.QueryTopics, p, MaxMatchedTerms), index.IsProfileText(p, m.BestEvidenceSourceId));
        }
        return result;
    }

    /// <summary>
    /// Whether a matched BM25 term is worth naming in a reason (a Chinese or Japanese bigram such as "报销" always is): not a
    /// fragment of a contraction — two letters ("ve" of
    /// "I've", "re", "ll") or the stem of a negation ("don" of "don't", "isn", "doesn"; <see cref="NegationStems"/>) — and
    /// not "tag" (every Stack Exchange text carries a <c>Tags:</c> line), and not LaTeX layout markup ("frac", "langle",
    /// "left"; <see cref="LatexMarkup"/>, also with the '+' or '#' the tokenizer keeps: "rangle+"), which formula-heavy
    /// questions share with every formula-heavy answer. Display only: scoring is unchanged.
    /// </summary>
    internal static bool ShownInReasons(string term) =>
        term != "tag" && !NegationStems.Contains(term) && !LatexMarkup.Contains(term.TrimEnd('+', '#')) &&
        (term.Length > 2 || term.Any(char.IsDigit) || Bm25Tokenizer.IsUnspacedScript(term[0]));

    /// <summary>Names of LaTeX commands that lay a formula out rather than say what it is about and are hardly ever English
    /// content words (the symbols' names — psi, theta, otimes, dagger — stay, and so do words such as "matrix" or "text").</summary>
    private static readonly FrozenSet<string> LatexMarkup = new[]
    {
        "frac", "dfrac", "tfrac", "sqrt", "left", "right", "langle", "rangle", "lvert", "rvert", "vert", "mathrm", "mathbf",
        "mathcal", "mathbb", "mathit", "textrm", "textbf", "operatorname", "cdot", "cdots", "ldots", "quad", "qquad",
        "pmatrix", "bmatrix", "displaystyle", "hline", "bigg", "leq", "geq", "neq",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>What the tokenizer leaves of English n't-contractions ("doesn't" → "doesn"): never named in a reason.</summary>
    private static readonly FrozenSet<string> NegationStems = new[]
    {
        "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "hasn", "haven", "hadn", "couldn", "shouldn", "wouldn",
        "mustn", "needn", "shan", "mightn", "ain",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Only the ranked expert ids (all eligible experts, best first) — the cheap path an evaluation grid needs.</summary>
    /// <param name="signals">From <see cref="Signals"/>.</param>
    /// <param name="weights">Fusion weights.</param>
    /// <param name="load">Requests each expert received in the load window; null = none.</param>
    public static IReadOnlyList<string> RankIds(HybridSignals signals, HybridWeights weights, Func<string, int>? load = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(weights);
        var order = FusedOrder(signals, weights, load, out _, out _);
        var ids = new string[order.Length];
        for (var r = 0; r < order.Length; r++) ids[r] = signals.Dense[order[r]].ExpertId;
        return ids;
    }

    private static int[] FusedOrder(HybridSignals s, HybridWeights w, Func<string, int>? load, out double[] scores, out int[] loads)
    {
        var n = s.Count;
        scores = new double[n];
        loads = new int[n];
        ReadOnlySpan<double> cw = [w.Evidence, w.Centroid, w.Lexical, w.Activity, w.Recency, w.Responsiveness, w.Topic];
        var k = Math.Max(0, w.RrfK);
        var rrf = w.Fusion == HybridFusion.ReciprocalRank;
        for (var i = 0; i < n; i++)
        {
            var score = 0.0;
            var prior = 0.0;
            for (var c = 0; c < cw.Length; c++)
            {
                if (cw[c] == 0) continue;
                var part = 0.0;
                if (!rrf) part = cw[c] * s.Z[c][i];
                else if (s.Ranks[c][i] is var rank and > 0) part = cw[c] / (k + rank);
                if (c is 3 or 4 or 5) prior += part;
                else score += part;
            }
            if (load is not null && (w.LoadPenalty > 0 || w.LoadFade > 0))
            {
                loads[i] = Math.Max(0, load(s.Dense[i].ExpertId));
                if (prior > 0) prior *= Math.Max(0, 1 - (w.LoadFade * loads[i]));
            }
            if (!rrf && prior < -w.PriorFloor) prior = -w.PriorFloor;
            score += prior;
            if (loads[i] > 0) score = rrf ? score / Math.Pow(1 + w.LoadPenalty, loads[i]) : score - (w.LoadPenalty * loads[i]);
            scores[i] = score;
        }
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var sc = scores;
        Array.Sort(order, (a, b) =>
        {
            var c = sc[b].CompareTo(sc[a]);
            if (c != 0) return c;
            c = s.Dense[b].BestEvidenceScore.CompareTo(s.Dense[a].BestEvidenceScore);
            return c != 0 ? c : string.CompareOrdinal(s.Dense[a].ExpertId, s.Dense[b].ExpertId);
        });
        return order;
    }

    /// <summary>(x − mean) / max(standard deviation, <see cref="MinPriorSd"/>) over <paramref name="values"/>: a prior's z-scores.</summary>
    internal static double[] PriorZScores(double[] values)
    {
        var (mean, sd) = MeanSd(values);
        return ZScores(values, mean, Math.Max(sd, MinPriorSd));
    }

    /// <summary>(x − mean) / standard deviation over <paramref name="values"/>; all zeros when the deviation is 0.</summary>
    internal static double[] ZScores(double[] values)
    {
        var (mean, sd) = MeanSd(values);
        return ZScores(values, mean, sd);
    }

    /// <summary>1-based competition ranks by descending value ("1224": ties share the best rank); with
    /// <paramref name="requirePositive"/>, values ≤ 0 get rank 0 (no contribution).</summary>
    internal static int[] CompetitionRanks(double[] values, bool requirePositive) => CompetitionRanks(values.AsSpan(), requirePositive);

    /// <summary>1-based competition ranks (span overload).</summary>
    internal static int[] CompetitionRanks(ReadOnlySpan<double> values, bool requirePositive)
    {
        var n = values.Length;
        var order = new int[n];
        var copy = values.ToArray();
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) => copy[b].CompareTo(copy[a]));
        var ranks = new int[n];
        for (var r = 0; r < n; r++)
        {
            var i = order[r];
            if (requirePositive && !(copy[i] > 0)) continue;
            ranks[i] = r > 0 && copy[order[r - 1]] == copy[i] ? ranks[order[r - 1]] : r + 1;
        }
        return ranks;
    }
}
