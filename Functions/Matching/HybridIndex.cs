namespace SocialLearning.Matching;

/// <summary>One piece of an expert's evidence as the <see cref="HybridIndex"/> takes it.</summary>
/// <param name="SourceId">Source id, unique per expert (e.g. <c>a-123</c> for an answer, <c>about</c>).</param>
/// <param name="Title">Human-readable title (the answered question's title), used in routing reasons.</param>
/// <param name="Text">Plain text indexed by BM25 (the same text that was embedded).</param>
/// <param name="When">When the evidence was created (for an answer: the answer's time), or null.</param>
/// <param name="IsAnswer">True for an answer (counts towards recent activity).</param>
/// <param name="Vector">Its embedding, d components; need not be unit length.</param>
/// <param name="Asked">For an answer: when the question was asked (response time = <paramref name="When"/> − this), or null.</param>
public sealed record HybridEvidence(string SourceId, string Title, string Text, DateTimeOffset? When, bool IsAnswer, ReadOnlyMemory<float> Vector,
    DateTimeOffset? Asked = null);

/// <summary>One expert as the <see cref="HybridIndex"/> takes it.</summary>
/// <param name="ExpertId">Expert id, unique (ordinal).</param>
/// <param name="AnswerCount">Answers in the profile period (the activity prior).</param>
/// <param name="Centroid">Profile vector, d components (e.g. <see cref="ExpertIndexEntry.CentroidOf"/> of the evidence vectors).</param>
/// <param name="Evidence">Evidence items; may be empty.</param>
/// <param name="Skills">Declared skills (any spelling; <see cref="TopicIndex.Normalize"/> folds them), or null for none.</param>
public sealed record HybridExpert(string ExpertId, int AnswerCount, ReadOnlyMemory<float> Centroid, IReadOnlyList<HybridEvidence> Evidence,
    IReadOnlyList<string>? Skills = null);

/// <summary>
/// Everything the <see cref="HybridRanker"/> needs about the directory, in memory: the dense <see cref="ExpertIndex"/>
/// (evidence vectors and centroids), a <see cref="Bm25Index"/> over the same evidence texts (one BM25 document per
/// evidence item, so the lexical view, like the dense one, can point at the best-matching earlier answer), and the
/// per-expert activity priors. Built once per directory snapshot (<see cref="ExpertDirectory"/>) or evaluation split;
/// immutable and safe for concurrent readers; answering a question reads no table.
/// </summary>
/// <remarks>
/// Recent activity is Σ over the expert's answers of 2^(−age / <see cref="RecencyHalfLife"/>), with age measured at
/// <see cref="ReferenceTime"/> (answers after it count as age 0), once per snapshot rather than per question. Moving the
/// reference by Δ multiplies every expert's value by the same 2^(−Δ/half-life): the order is unchanged (so RRF is
/// unaffected), but the z-score fusion reads log(1 + value), which is not scale-free, so the reference must be close to
/// the questions' time: the evaluation uses its cutoff, the live directory now (or its latest answer, for an archive).
/// </remarks>
public sealed class HybridIndex
{
    /// <summary>Default half-life of recent activity: 30 days (the recently-active baseline of the evaluation uses it).</summary>
    public static readonly TimeSpan DefaultRecencyHalfLife = TimeSpan.FromDays(30);

    private readonly Dictionary<string, int> _positions;
    private readonly HashSet<(int Position, string SourceId)> _profileTexts = [];

    /// <summary>True when evidence <paramref name="sourceId"/> of expert position <paramref name="position"/> is profile
    /// text (about me, declared skills) rather than an earlier answer.</summary>
    /// <param name="position">Expert position.</param>
    /// <param name="sourceId">Evidence source id.</param>
    public bool IsProfileText(int position, string? sourceId) => sourceId is not null && _profileTexts.Contains((position, sourceId));

    /// <summary>Builds the index.</summary>
    /// <param name="model">Model of every vector.</param>
    /// <param name="experts">The experts; ids unique.</param>
    /// <param name="referenceTime">Time recent activity is measured at (the snapshot's load time, or an evaluation's cutoff).</param>
    /// <param name="recencyHalfLife">Half-life of recent activity; default <see cref="DefaultRecencyHalfLife"/> (the product passes
    /// <see cref="HybridWeights.RecencyHalfLifeDays"/>).</param>
    /// <exception cref="ArgumentException">As for <see cref="ExpertIndex"/>: duplicate ids, zero vectors, empty source ids.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recencyHalfLife"/> is not positive.</exception>
    /// <exception cref="EmbeddingMismatchException">A vector's length is not <c>model.Dimensions</c>.</exception>
    public HybridIndex(VectorModel model, IEnumerable<HybridExpert> experts, DateTimeOffset referenceTime, TimeSpan? recencyHalfLife = null)
    {
        RecencyHalfLife = recencyHalfLife ?? DefaultRecencyHalfLife;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RecencyHalfLife, TimeSpan.Zero, nameof(recencyHalfLife));
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(experts);
        var list = experts.ToList();
        Vectors = new ExpertIndex(model, list.Select(e => new ExpertIndexEntry(e.ExpertId, e.Centroid,
            e.Evidence.Select(v => (v.SourceId, v.Title, v.Vector)).ToList())));
        ReferenceTime = referenceTime;
        var ids = Vectors.ExpertIds;
        _positions = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++) _positions[ids[i]] = i;

        var answerCounts = new double[ids.Count];
        var recencies = new double[ids.Count];
        var responseHours = new double[ids.Count];
        var texts = new List<string?>();
        var owners = new List<int>();
        var sources = new List<string>();
        var titles = new List<string>();
        foreach (var e in list)
        {
            var p = _positions[e.ExpertId];
            answerCounts[p] = Math.Max(0, e.AnswerCount);
            foreach (var v in e.Evidence)
            {
                if (!v.IsAnswer) _profileTexts.Add((p, v.SourceId));
                texts.Add(v.Text);
                owners.Add(p);
                sources.Add(v.SourceId);
                titles.Add(v.Title);
            }
            responseHours[p] = MedianResponseHours(e.Evidence);
            recencies[p] = DecayedCount(e.Evidence.Where(v => v.IsAnswer && v.When is not null).Select(v => v.When!.Value), referenceTime, RecencyHalfLife);
        }
        AnswerCounts = answerCounts;
        Recency = recencies;
        ResponseHours = responseHours;
        Lexical = new Bm25Index(texts);
        OwnerArray = [.. owners];
        DocumentOwners = OwnerArray;
        DocumentSourceIds = [.. sources];
        DocumentTitles = [.. titles];
        var topics = new (IEnumerable<string>, IEnumerable<IEnumerable<string>>)[ids.Count];
        for (var i = 0; i < topics.Length; i++) topics[i] = ([], []);
        foreach (var e in list)
            topics[_positions[e.ExpertId]] = (e.Skills ?? [], e.Evidence.Where(v => v.IsAnswer).Select(v => TopicIndex.TagsLine(v.Text)));
        Topics = new TopicIndex(topics);
    }

    /// <summary>Declared skills and the tags of answered questions per expert position (the topic signal of the <see cref="HybridRanker"/>).</summary>
    public TopicIndex Topics { get; }

    /// <summary>The dense index (evidence vectors and centroids); experts in ordinal id order.</summary>
    public ExpertIndex Vectors { get; }

    /// <summary>BM25 over the evidence texts; document j belongs to expert position <see cref="DocumentOwners"/>[j].</summary>
    public Bm25Index Lexical { get; }

    /// <summary>Expert position (in <see cref="ExpertIndex.ExpertIds"/> order) of each BM25 document.</summary>
    public IReadOnlyList<int> DocumentOwners { get; }

    /// <summary><see cref="DocumentOwners"/> as an array (the ranker's loop over every document reads it).</summary>
    internal int[] OwnerArray { get; }

    /// <summary>Evidence source id of each BM25 document.</summary>
    public IReadOnlyList<string> DocumentSourceIds { get; }

    /// <summary>Evidence title of each BM25 document.</summary>
    public IReadOnlyList<string> DocumentTitles { get; }

    /// <summary>Answer count per expert position.</summary>
    public IReadOnlyList<double> AnswerCounts { get; }

    /// <summary>Recent activity per expert position (exp-decayed answer count, see remarks).</summary>
    public IReadOnlyList<double> Recency { get; }

    /// <summary>
    /// Responsiveness per expert position: the median time, in hours, from a question being asked to the expert's answer,
    /// over the answers whose question time is known; NaN when none is.
    /// </summary>
    public IReadOnlyList<double> ResponseHours { get; }

    /// <summary>Expert positions by <see cref="Recency"/>, most recently active first (computed on first use; the
    /// <see cref="HybridRanker"/>'s candidate generation reads it).</summary>
    public IReadOnlyList<int> RecencyOrder => _recencyOrder ??= OrderBy(Recency);

    /// <summary>Expert positions by <see cref="AnswerCounts"/>, most answers first (computed on first use).</summary>
    public IReadOnlyList<int> ActivityOrder => _activityOrder ??= OrderBy(AnswerCounts);

    /// <summary>Whole-directory statistics the <see cref="HybridRanker"/>'s two-stage path standardises with (computed on first use).</summary>
    public HybridPopulationStats PopulationStats => _stats ??= HybridPopulationStats.Of(this);

    private HybridPopulationStats? _stats;
    private int[]? _recencyOrder;
    private int[]? _activityOrder;

    private static int[] OrderBy(IReadOnlyList<double> values)
    {
        var order = new int[values.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }

    /// <summary>Half-life of <see cref="Recency"/>.</summary>
    public TimeSpan RecencyHalfLife { get; }

    /// <summary>Time recent activity was measured at.</summary>
    public DateTimeOffset ReferenceTime { get; }

    /// <summary>Number of experts.</summary>
    public int Count => Vectors.Count;

    /// <summary>Expert ids in position order (ordinal).</summary>
    public IReadOnlyList<string> ExpertIds => Vectors.ExpertIds;

    /// <summary>An empty index of <paramref name="model"/>.</summary>
    /// <param name="model">Model of the (future) vectors.</param>
    public static HybridIndex Empty(VectorModel model) => new(model, [], DateTimeOffset.UnixEpoch);

    /// <summary>Median of (When − Asked) in hours over answer evidence with both times (negative gaps count as 0); NaN when none.</summary>
    /// <param name="evidence">Evidence items.</param>
    public static double MedianResponseHours(IEnumerable<HybridEvidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var hours = evidence.Where(v => v.IsAnswer && v.When is not null && v.Asked is not null)
            .Select(v => Math.Max(0, (v.When!.Value - v.Asked!.Value).TotalHours)).Order().ToArray();
        if (hours.Length == 0) return double.NaN;
        var mid = hours.Length / 2;
        return hours.Length % 2 == 1 ? hours[mid] : (hours[mid - 1] + hours[mid]) / 2;
    }

    /// <summary>Σ 2^(−age/halfLife) over answer times, age measured at <paramref name="reference"/> (later answers count as age 0).</summary>
    /// <param name="answerTimes">Answer times.</param>
    /// <param name="reference">Reference time.</param>
    /// <param name="halfLife">Half-life, positive.</param>
    public static double DecayedCount(IEnumerable<DateTimeOffset> answerTimes, DateTimeOffset reference, TimeSpan halfLife)
    {
        ArgumentNullException.ThrowIfNull(answerTimes);
        return answerTimes.Sum(t => Math.Pow(2, -Math.Max(0, (reference - t).TotalDays) / halfLife.TotalDays));
    }

    /// <summary>Position of <paramref name="expertId"/>, or −1.</summary>
    /// <param name="expertId">Expert id.</param>
    public int PositionOf(string expertId) => _positions.GetValueOrDefault(expertId, -1);
}

/// <summary>
/// Statistics of the whole directory for standardising a candidate subset (<see cref="HybridRanker"/>, two-stage path):
/// mean and standard deviation of log(1 + answers), log(1 + recent activity) and responsiveness (−log(1 + median
/// hours), experts without response times at the mean of the others: <see cref="NeutralSpeed"/>), and a fixed, evenly
/// strided sample of expert positions for the question-dependent cosines.
/// </summary>
/// <param name="LogActivity">Mean and SD of log(1 + answer count).</param>
/// <param name="LogRecency">Mean and SD of log(1 + recent activity).</param>
/// <param name="Speed">Mean and SD of responsiveness.</param>
/// <param name="NeutralSpeed">Responsiveness given to experts without known response times.</param>
/// <param name="SamplePositions">At most <see cref="SampleSize"/> expert positions, evenly spread.</param>
public sealed record HybridPopulationStats((double Mean, double Sd) LogActivity, (double Mean, double Sd) LogRecency, (double Mean, double Sd) Speed,
    double NeutralSpeed, int[] SamplePositions)
{
    /// <summary>Experts sampled for the cosine statistics: 512 (standard error of the mean ≈ SD / 23).</summary>
    public const int SampleSize = 512;

    /// <summary>Computes the statistics of <paramref name="index"/>.</summary>
    /// <param name="index">The directory.</param>
    public static HybridPopulationStats Of(HybridIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var n = index.Count;
        var known = Enumerable.Range(0, n).Select(p => index.ResponseHours[p]).Where(h => !double.IsNaN(h)).ToArray();
        var neutral = known.Length > 0 ? -Math.Log(1 + known.Average()) : 0;
        var speed = Enumerable.Range(0, n).Select(p => double.IsNaN(index.ResponseHours[p]) ? neutral : -Math.Log(1 + index.ResponseHours[p]));
        var take = Math.Min(n, SampleSize);
        var sample = new int[take];
        for (var i = 0; i < take; i++) sample[i] = (int)((long)i * n / take);
        return new HybridPopulationStats(
            HybridRanker.MeanSd(index.AnswerCounts.Select(v => Math.Log(1 + v)).ToArray()),
            HybridRanker.MeanSd(index.Recency.Select(v => Math.Log(1 + v)).ToArray()),
            HybridRanker.MeanSd(speed.ToArray()), neutral, sample);
    }
}
