using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace SocialLearning.Matching;

/// <summary>
/// Immutable in-memory vector index of experts: answers "which k experts are closest to this question vector"
/// without touching storage. Build a new one (or use <see cref="Upsert(IEnumerable{ExpertIndexEntry})"/> /
/// <see cref="Remove(IEnumerable{string})"/>, which return new snapshots) and swap it in with
/// <see cref="ExpertIndexHolder.Replace"/>. Safe for any number of concurrent readers.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> All N centroids live in one contiguous row-major <c>float[N·d]</c>; all M evidence vectors in
/// a second <c>float[M·d]</c>, grouped by expert, with a row-offset array <c>int[N+1]</c> (CSR style: expert i owns
/// rows <c>offsets[i] .. offsets[i+1]−1</c>). Experts are ordered by id (ordinal). Every stored vector is
/// L2-normalised when the index is built, so a dot product is a cosine similarity.</para>
/// <para><b>Score.</b> For a unit query q, expert i with centroid c_i and evidence vectors e_ij:
/// <c>score_i = w · max_j(q·e_ij) + (1 − w) · (q·c_i)</c>, w = <see cref="EvidenceWeight"/> (default 0.5); an
/// expert without evidence scores <c>q·c_i</c>. The two terms are the two classic expert-finding views (Balog,
/// Azzopardi and de Rijke, "Formal models for expert finding in enterprise corpora", SIGIR 2006): the centroid is
/// the candidate (profile) model — breadth: how much of the expert's work lies in the question's area — and the
/// best evidence the document model — specificity: the expert once answered a question like this one. The maximum
/// alone rewards one lucky near-duplicate and favours prolific experts (more draws); the centroid alone dilutes
/// specialists who also work elsewhere. An even mix is the neutral prior until the evaluation tunes w on the
/// profile period.</para>
/// <para><b>Cost.</b> One <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per stored vector
/// (N + M dots of d components) in two sequential sweeps (centroids into a pooled buffer of N floats, then evidence),
/// a bounded min-heap of k candidates, no allocation per candidate; the exclusion callback runs only for candidates
/// that would enter the current top k; when no expert has evidence, the two sweeps are one fused sweep (a bare Dot loop
/// with a top-k check per row). Measured on 2 shared cores, N = 10,000, d = 384, k = 10: about 0.4 ms with
/// centroids only, about 9–10 ms with 10 evidence vectors per expert (M = 100,000), within 1.1× of a bare
/// <c>TensorPrimitives.Dot</c> loop over the same rows; <c>Functions.Benchmarks</c> measures it (README, "Performance").</para>
/// <para><b>Precision.</b> With <see cref="VectorPrecision.Int8"/> the sweeps read int8 copies of the rows (a quarter of the
/// bytes) and only the best <c>max(4k, 64)</c> candidates are scored in float32; see <see cref="VectorPrecision"/>.</para>
/// </remarks>
public sealed partial class ExpertIndex
{
    /// <summary>Default weight of the best-evidence term: 0.5.</summary>
    public const float DefaultEvidenceWeight = 0.5f;

    private readonly int _dimensions;
    private readonly string[] _expertIds;            // N, ordinal order
    private readonly float[] _centroids;             // N × d, row-major, unit rows
    private readonly int[] _evidenceOffsets;         // N + 1
    private readonly float[] _evidence;              // M × d, row-major, unit rows
    private readonly string[] _evidenceSourceIds;    // M
    private readonly string[] _evidenceTitles;       // M

    /// <summary>
    /// Builds an index from <paramref name="entries"/>, copying and L2-normalising every vector into the contiguous
    /// arrays (the entries' memories are not kept).
    /// </summary>
    /// <param name="model">Model the vectors came from; queries must come from the same model.</param>
    /// <param name="entries">Experts; ids unique (ordinal). Order does not matter.</param>
    /// <param name="evidenceWeight">w in the score formula, 0 (centroid only) to 1 (best evidence only); default 0.5.</param>
    /// <param name="precision">How searches scan the vectors; default <see cref="VectorPrecision.Auto"/> (int8 with float32
    /// rescoring from <see cref="AutoInt8Rows"/> vectors, float32 below). <see cref="VectorPrecision.Float32"/> is exact
    /// throughout; <see cref="VectorPrecision.Int8"/> also keeps an int8 copy and rescores its best candidates in float32.</param>
    /// <exception cref="ArgumentException">Duplicate or empty expert id, an empty evidence source id, or a zero / non-finite vector
    /// (the message names the expert and source).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="evidenceWeight"/> is outside [0, 1].</exception>
    /// <exception cref="EmbeddingMismatchException">A vector's length is not <c>model.Dimensions</c>.</exception>
    public ExpertIndex(
        VectorModel model,
        IEnumerable<ExpertIndexEntry> entries,
        float evidenceWeight = DefaultEvidenceWeight,
        VectorPrecision precision = VectorPrecision.Auto)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        if (!(evidenceWeight >= 0f && evidenceWeight <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(evidenceWeight), evidenceWeight, "The evidence weight is between 0 and 1.");
        }

        if (precision is not (VectorPrecision.Float32 or VectorPrecision.Int8 or VectorPrecision.Auto))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown vector precision.");
        }

        Model = model;
        EvidenceWeight = evidenceWeight;
        RequestedPrecision = precision;
        var d = _dimensions = model.Dimensions;

        var sorted = entries.ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i] is null || string.IsNullOrEmpty(sorted[i].ExpertId))
            {
                throw new ArgumentException($"Entry {i} is null or has no expert id.", nameof(entries));
            }
        }

        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.ExpertId, b.ExpertId));
        var n = sorted.Length;
        long evidenceRows = 0;
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && string.Equals(sorted[i - 1].ExpertId, sorted[i].ExpertId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expert '{sorted[i].ExpertId}' appears more than once.", nameof(entries));
            }

            evidenceRows += sorted[i].Evidence?.Count ?? 0;
        }

        if ((long)n * d > Array.MaxLength || evidenceRows * d > Array.MaxLength)
        {
            throw new ArgumentException($"{n} experts with {evidenceRows} evidence vectors of {d} components do not fit one array.", nameof(entries));
        }

        _expertIds = new string[n];
        _centroids = new float[n * d];
        _evidenceOffsets = new int[n + 1];
        _evidence = new float[evidenceRows * d];
        _evidenceSourceIds = new string[evidenceRows];
        _evidenceTitles = new string[evidenceRows];

        var row = 0;
        for (var i = 0; i < n; i++)
        {
            var entry = sorted[i];
            _expertIds[i] = entry.ExpertId;
            CopyNormalised(entry.Centroid.Span, _centroids.AsSpan(i * d, d), entry.ExpertId, sourceId: null);
            _evidenceOffsets[i] = row;
            if (entry.Evidence is { } evidence)
            {
                foreach (var (sourceId, title, vector) in evidence)
                {
                    if (string.IsNullOrEmpty(sourceId))
                    {
                        throw new ArgumentException($"Expert '{entry.ExpertId}' has evidence without a source id.", nameof(entries));
                    }

                    CopyNormalised(vector.Span, _evidence.AsSpan(row * d, d), entry.ExpertId, sourceId);
                    _evidenceSourceIds[row] = sourceId;
                    _evidenceTitles[row] = title ?? string.Empty;
                    row++;
                }
            }
        }

        _evidenceOffsets[n] = row;
        Precision = precision != VectorPrecision.Auto ? precision
            : n + evidenceRows >= AutoInt8Rows ? VectorPrecision.Int8 : VectorPrecision.Float32;
        if (Precision == VectorPrecision.Int8)
        {
            _int8Centroids = new Int8Rows(_centroids, d);
            _int8Evidence = new Int8Rows(_evidence, d);
        }
    }

    /// <summary>Model of the stored vectors.</summary>
    public VectorModel Model { get; }

    /// <summary>w in the score formula: weight of the best-evidence cosine; the centroid cosine gets 1 − w.</summary>
    public float EvidenceWeight { get; }

    /// <summary>How searches scan the vectors: <see cref="VectorPrecision.Float32"/> or <see cref="VectorPrecision.Int8"/>
    /// (<see cref="VectorPrecision.Auto"/> resolved by the index's size).</summary>
    public VectorPrecision Precision { get; }

    /// <summary>The precision asked for at construction (possibly <see cref="VectorPrecision.Auto"/>); snapshots derived by
    /// <see cref="Upsert(IEnumerable{ExpertIndexEntry})"/> and <see cref="Remove(IEnumerable{string})"/> ask for the same
    /// and resolve it for their own size.</summary>
    public VectorPrecision RequestedPrecision { get; }

    /// <summary>Number of experts (N).</summary>
    public int Count => _expertIds.Length;

    /// <summary>Number of evidence vectors over all experts (M).</summary>
    public int EvidenceCount => _evidenceSourceIds.Length;

    /// <summary>Expert ids in index order (ordinal).</summary>
    public IReadOnlyList<string> ExpertIds => _expertIds;

    /// <summary>
    /// The stored experts as entries whose vectors are read-only views of this index's (normalised) arrays — no copy.
    /// Used to derive a new snapshot.
    /// </summary>
    public IEnumerable<ExpertIndexEntry> Entries
    {
        get
        {
            for (var i = 0; i < _expertIds.Length; i++)
            {
                yield return EntryAt(i);
            }
        }
    }

    /// <summary>An empty index of <paramref name="model"/>: every search returns no match.</summary>
    /// <param name="model">Model of the (future) vectors.</param>
    /// <param name="evidenceWeight">w, see <see cref="EvidenceWeight"/>.</param>
    /// <param name="precision">See <see cref="Precision"/>.</param>
    public static ExpertIndex Empty(VectorModel model, float evidenceWeight = DefaultEvidenceWeight, VectorPrecision precision = VectorPrecision.Float32) =>
        new(model, [], evidenceWeight, precision);

    /// <summary>True if the index holds <paramref name="expertId"/> (ordinal).</summary>
    /// <param name="expertId">Expert id.</param>
    public bool Contains(string expertId) => IndexOf(expertId) >= 0;

    /// <summary>The stored entry of <paramref name="expertId"/> (views of the normalised vectors), or null.</summary>
    /// <param name="expertId">Expert id.</param>
    public ExpertIndexEntry? Find(string expertId)
    {
        var i = IndexOf(expertId);
        return i < 0 ? null : EntryAt(i);
    }

    /// <summary>A new snapshot with <paramref name="entries"/> added, replacing stored experts of the same id.</summary>
    /// <param name="entries">Experts to add or replace; vectors of <see cref="Model"/>.</param>
    /// <returns>A new index; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">As for the constructor, including an id twice in <paramref name="entries"/>.</exception>
    /// <exception cref="EmbeddingMismatchException">A vector's length is not <see cref="VectorModel.Dimensions"/>.</exception>
    public ExpertIndex Upsert(IEnumerable<ExpertIndexEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var added = entries.ToArray();
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in added)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            replaced.Add(entry.ExpertId);
        }

        return new ExpertIndex(Model, Entries.Where(e => !replaced.Contains(e.ExpertId)).Concat(added), EvidenceWeight, RequestedPrecision);
    }

    /// <summary>A new snapshot with <paramref name="entry"/> added or replaced.</summary>
    /// <param name="entry">The expert.</param>
    /// <returns>A new index; this one is unchanged.</returns>
    public ExpertIndex Upsert(ExpertIndexEntry entry) => Upsert([entry]);

    /// <summary>A new snapshot without the given experts; unknown ids are ignored.</summary>
    /// <param name="expertIds">Ids to remove (ordinal).</param>
    /// <returns>A new index; this one is unchanged.</returns>
    public ExpertIndex Remove(IEnumerable<string> expertIds)
    {
        ArgumentNullException.ThrowIfNull(expertIds);
        var removed = new HashSet<string>(expertIds, StringComparer.Ordinal);
        return new ExpertIndex(Model, Entries.Where(e => !removed.Contains(e.ExpertId)), EvidenceWeight, RequestedPrecision);
    }

    /// <summary>A new snapshot without <paramref name="expertId"/>.</summary>
    /// <param name="expertId">Id to remove.</param>
    /// <returns>A new index; this one is unchanged.</returns>
    public ExpertIndex Remove(string expertId) => Remove([expertId]);

    /// <summary>
    /// Top-k experts for a generated query embedding; see
    /// <see cref="Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/>.
    /// </summary>
    /// <param name="query">The question's embedding; its <see cref="Embedding.ModelId"/> and length must match <see cref="Model"/>.</param>
    /// <param name="k">Number of experts wanted, at least 1.</param>
    /// <param name="exclude">Returns true for expert ids that must not be returned (asker, paused, at cap…); null excludes nobody.</param>
    /// <returns>At most k matches, best first.</returns>
    /// <exception cref="ArgumentException">The embedding has no model id, or is zero / not finite.</exception>
    /// <exception cref="EmbeddingMismatchException">The embedding's model or length differs from <see cref="Model"/>: run <c>reembed</c>.</exception>
    public IReadOnlyList<ExpertMatch> Search(Embedding<float> query, int k, Func<string, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Search(query.Vector.Span, VectorModel.Of(query), k, exclude);
    }

    /// <summary>
    /// Top-k experts by <c>score = w·max_j(q·e_j) + (1−w)·(q·c)</c> (see the class remarks), best first; ties broken by
    /// expert id (ordinal). Scores are cosines: a query that is not unit length is treated as normalised.
    /// </summary>
    /// <param name="query">Query vector, <see cref="VectorModel.Dimensions"/> components, non-zero and finite; unit length expected.</param>
    /// <param name="queryModel">Model that produced <paramref name="query"/>; must equal <see cref="Model"/>.</param>
    /// <param name="k">Number of experts wanted, at least 1; fewer come back when fewer experts qualify.</param>
    /// <param name="exclude">Returns true for expert ids that must not be returned; called only for experts that would
    /// otherwise enter the top k (with <see cref="VectorPrecision.Int8"/>: the approximate candidate pool), at most once each.
    /// Null excludes nobody.</param>
    /// <returns>At most k matches, best first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is zero or not finite.</exception>
    /// <exception cref="EmbeddingMismatchException"><paramref name="queryModel"/> or the query length differs from <see cref="Model"/>: run <c>reembed</c>.</exception>
    public IReadOnlyList<ExpertMatch> Search(ReadOnlySpan<float> query, VectorModel queryModel, int k, Func<string, bool>? exclude = null)
    {
        var queryNorm = Validate(query, queryModel, k);
        if (_expertIds.Length == 0)
        {
            return [];
        }

        return _int8Centroids is null
            ? SearchFloat32(query, queryNorm, k, exclude)
            : SearchInt8(query, queryNorm, k, exclude, DefaultRescoreCandidates(k));
    }

    /// <summary>Checks the arguments of a search; returns the query's L2 norm.</summary>
    private float Validate(ReadOnlySpan<float> query, VectorModel queryModel, int k)
    {
        ArgumentNullException.ThrowIfNull(queryModel);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Model.EnsureSameAs(queryModel);
        var d = _dimensions;
        if (query.Length != d)
        {
            throw new EmbeddingMismatchException(Model, new VectorModel(queryModel.ModelId, Math.Max(query.Length, 1)));
        }

        var queryNorm = TensorPrimitives.Norm(query);
        if (!(queryNorm > 0f) || !float.IsFinite(queryNorm))
        {
            throw new ArgumentException($"The query vector is zero or not finite (norm {queryNorm}).", nameof(query));
        }

        return queryNorm;
    }

    private IReadOnlyList<ExpertMatch> SearchFloat32(ReadOnlySpan<float> query, float queryNorm, int k, Func<string, bool>? exclude)
    {
        var d = _dimensions;
        var n = _expertIds.Length;
        var capacity = Math.Min(k, n);
        var heap = new Candidate[capacity];
        var count = 0;
        var w = EvidenceWeight;
        var centroidWeight = 1f - w;
        ReadOnlySpan<float> centroids = _centroids;
        ReadOnlySpan<float> evidence = _evidence;
        ReadOnlySpan<int> offsets = _evidenceOffsets;

        if (evidence.IsEmpty)
        {
            // No evidence anywhere (centroid-only directory): score = centroid cosine, so one fused sweep with the
            // top-k check per row — the same work as a bare Dot loop with a top-k buffer, and no score buffer.
            for (var i = 0; i < n; i++)
            {
                var score = TensorPrimitives.Dot(centroids.Slice(i * d, d), query);
                if (count == capacity && !Better(score, i, heap[0].Score, heap[0].Expert))
                {
                    continue;
                }

                if (exclude is not null && exclude(_expertIds[i]))
                {
                    continue;
                }

                Offer(heap, ref count, new Candidate(score, score, score, i, -1));
            }

            return ToMatches(heap, count, queryNorm);
        }

        // Pass 1: all centroid cosines, one sequential sweep of the centroid matrix. Pass 2: one sequential sweep of
        // the evidence matrix. Two sweeps measured ~3% slower than a bare Dot loop over the same rows; interleaving the
        // two matrices per expert measured ~11% slower (hardware prefetch follows one stream better than two).
        var centroidScores = ArrayPool<float>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                centroidScores[i] = TensorPrimitives.Dot(centroids.Slice(i * d, d), query);
            }

            var row = 0;
            for (var i = 0; i < n; i++)
            {
                var centroidScore = centroidScores[i];
                var end = offsets[i + 1];
                var best = centroidScore;
                var bestRow = -1;
                if (row < end)
                {
                    best = float.NegativeInfinity;
                    for (; row < end; row++)
                    {
                        var s = TensorPrimitives.Dot(evidence.Slice(row * d, d), query);
                        if (s > best)
                        {
                            best = s;
                            bestRow = row;
                        }
                    }
                }

                var score = (w * best) + (centroidWeight * centroidScore);
                if (count == capacity && !Better(score, i, heap[0].Score, heap[0].Expert))
                {
                    continue;
                }

                if (exclude is not null && exclude(_expertIds[i]))
                {
                    continue;
                }

                var candidate = new Candidate(score, centroidScore, best, i, bestRow);
                if (count < capacity)
                {
                    heap[count] = candidate;
                    SiftUp(heap, count);
                    count++;
                }
                else
                {
                    heap[0] = candidate;
                    SiftDown(heap, 0, count);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(centroidScores);
        }

        return ToMatches(heap, count, queryNorm);
    }

    /// <summary>
    /// Exact float32 scores of the experts at <paramref name="positions"/> (positions in <see cref="ExpertIds"/> order) for
    /// <paramref name="query"/>, as <see cref="Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/> would
    /// report them: the reranking stage of a two-stage search reads these for candidates another signal proposed.
    /// </summary>
    /// <param name="query">The question's embedding of <see cref="Model"/>; non-zero.</param>
    /// <param name="queryModel">Model of <paramref name="query"/>.</param>
    /// <param name="positions">Expert positions, each in [0, <see cref="Count"/>).</param>
    /// <returns>One match per position, in the given order.</returns>
    /// <exception cref="EmbeddingMismatchException">The query's model or length differs from <see cref="Model"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside the index.</exception>
    public ExpertMatch[] ScoreAt(ReadOnlySpan<float> query, VectorModel queryModel, ReadOnlySpan<int> positions)
    {
        var queryNorm = Validate(query, queryModel, 1);
        var d = _dimensions;
        var w = EvidenceWeight;
        var scale = 1f / queryNorm;
        var result = new ExpertMatch[positions.Length];
        for (var j = 0; j < positions.Length; j++)
        {
            var i = positions[j];
            ArgumentOutOfRangeException.ThrowIfNegative(i, nameof(positions));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, _expertIds.Length, nameof(positions));
            var centroidScore = TensorPrimitives.Dot(_centroids.AsSpan(i * d, d), query);
            var best = centroidScore;
            var bestRow = -1;
            var end = _evidenceOffsets[i + 1];
            if (_evidenceOffsets[i] < end)
            {
                best = float.NegativeInfinity;
                for (var row = _evidenceOffsets[i]; row < end; row++)
                {
                    var s = TensorPrimitives.Dot(_evidence.AsSpan(row * d, d), query);
                    if (s > best)
                    {
                        best = s;
                        bestRow = row;
                    }
                }
            }

            result[j] = new ExpertMatch(_expertIds[i], ((w * best) + ((1f - w) * centroidScore)) * scale, centroidScore * scale, best * scale,
                bestRow >= 0 ? _evidenceSourceIds[bestRow] : null, bestRow >= 0 ? _evidenceTitles[bestRow] : null);
        }

        return result;
    }

    /// <summary>Sorts the kept candidates best first and turns them into matches (scores scaled to cosines).</summary>
    private ExpertMatch[] ToMatches(Candidate[] heap, int count, float queryNorm)
    {
        // Heap sort in place: repeatedly move the worst to the end, leaving best-first order.
        for (var last = count - 1; last > 0; last--)
        {
            (heap[0], heap[last]) = (heap[last], heap[0]);
            SiftDown(heap, 0, last);
        }

        var scale = 1f / queryNorm;
        var matches = new ExpertMatch[count];
        for (var j = 0; j < count; j++)
        {
            var c = heap[j];
            matches[j] = new ExpertMatch(
                _expertIds[c.Expert],
                c.Score * scale,
                c.CentroidScore * scale,
                c.BestEvidenceScore * scale,
                c.BestRow >= 0 ? _evidenceSourceIds[c.BestRow] : null,
                c.BestRow >= 0 ? _evidenceTitles[c.BestRow] : null);
        }

        return matches;
    }

    private int IndexOf(string expertId)
    {
        ArgumentNullException.ThrowIfNull(expertId);
        int lo = 0, hi = _expertIds.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = string.CompareOrdinal(_expertIds[mid], expertId);
            if (cmp == 0)
            {
                return mid;
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private ExpertIndexEntry EntryAt(int i)
    {
        var d = _dimensions;
        var start = _evidenceOffsets[i];
        var end = _evidenceOffsets[i + 1];
        var evidence = new (string SourceId, string Title, ReadOnlyMemory<float> Vector)[end - start];
        for (var r = start; r < end; r++)
        {
            evidence[r - start] = (_evidenceSourceIds[r], _evidenceTitles[r], new ReadOnlyMemory<float>(_evidence, r * d, d));
        }

        return new ExpertIndexEntry(_expertIds[i], new ReadOnlyMemory<float>(_centroids, i * d, d), evidence);
    }

    private void CopyNormalised(ReadOnlySpan<float> source, Span<float> destination, string expertId, string? sourceId)
    {
        if (source.Length != destination.Length)
        {
            throw new EmbeddingMismatchException(Model, new VectorModel(Model.ModelId, Math.Max(source.Length, 1)));
        }

        var norm = TensorPrimitives.Norm(source);
        if (!(norm > 0f) || !float.IsFinite(norm))
        {
            var what = sourceId is null ? "centroid" : $"evidence '{sourceId}'";
            throw new ArgumentException($"Expert '{expertId}': {what} vector is zero or not finite (norm {norm}).", "entries");
        }

        // Already unit length (e.g. an entry taken from another snapshot): copy as is, so rebuilding a snapshot
        // reproduces the stored vectors bit for bit.
        if (MathF.Abs(norm - 1f) <= 1e-6f)
        {
            source.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.Divide(source, norm, destination);
        }
    }

    // Ranking order: higher score first; on equal scores the lower expert position (ordinal id) first.
    private static bool Better(float score, int expert, float otherScore, int otherExpert) =>
        score > otherScore || (score == otherScore && expert < otherExpert);

    // Min-heap on ranking order: heap[0] is the worst of the kept candidates.
    private static void SiftUp(Candidate[] heap, int index)
    {
        var item = heap[index];
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (!Better(heap[parent].Score, heap[parent].Expert, item.Score, item.Expert))
            {
                break;
            }

            heap[index] = heap[parent];
            index = parent;
        }

        heap[index] = item;
    }

    private static void SiftDown(Candidate[] heap, int index, int count)
    {
        var item = heap[index];
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= count)
            {
                break;
            }

            var right = child + 1;
            if (right < count && Better(heap[child].Score, heap[child].Expert, heap[right].Score, heap[right].Expert))
            {
                child = right; // the worse of the two children
            }

            if (!Better(item.Score, item.Expert, heap[child].Score, heap[child].Expert))
            {
                break;
            }

            heap[index] = heap[child];
            index = child;
        }

        heap[index] = item;
    }

    private readonly record struct Candidate(float Score, float CentroidScore, float BestEvidenceScore, int Expert, int BestRow);
}

/// <summary>
/// Holds the current <see cref="ExpertIndex"/> snapshot for the whole process (register as a singleton). Readers take
/// <see cref="Current"/> once per search and keep using that snapshot; writers swap in a new one atomically, so a
/// search never sees a half-built index and never blocks.
/// </summary>
public sealed class ExpertIndexHolder
{
    private readonly Lock _writeLock = new();
    private ExpertIndex _current;

    /// <summary>Creates the holder with its first snapshot.</summary>
    /// <param name="initial">E.g. <see cref="ExpertIndex.Empty"/> of the configured model until the first load.</param>
    public ExpertIndexHolder(ExpertIndex initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The current snapshot (a volatile read; lock-free).</summary>
    public ExpertIndex Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="next"/> the current snapshot atomically.</summary>
    /// <param name="next">The new snapshot; may be of another model (after <c>reembed</c>).</param>
    /// <returns>The snapshot it replaced.</returns>
    public ExpertIndex Replace(ExpertIndex next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_writeLock)
        {
            return Interlocked.Exchange(ref _current, next);
        }
    }

    /// <summary>
    /// Derives a new snapshot from the current one and installs it, writers serialised so that no update is lost
    /// (e.g. <c>holder.Update(i => i.Upsert(entry))</c>). Readers are never blocked.
    /// </summary>
    /// <param name="change">Pure function of the current snapshot; runs under the write lock.</param>
    /// <returns>The installed snapshot.</returns>
    public ExpertIndex Update(Func<ExpertIndex, ExpertIndex> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writeLock)
        {
            var next = change(_current) ?? throw new InvalidOperationException("The update returned no index.");
            Volatile.Write(ref _current, next);
            return next;
        }
    }
}
