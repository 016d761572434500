using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SocialLearning.Matching;

/// <summary>How an <see cref="ExpertIndex"/> scans its vectors.</summary>
public enum VectorPrecision
{
    /// <summary>float32 throughout: exact cosines.</summary>
    Float32 = 0,

    /// <summary>
    /// The scan reads int8 copies of the vectors (one scale per row, symmetric, round to nearest) — a quarter of the
    /// memory traffic — and the best <c>max(4k, 64)</c> candidates of that approximate ranking are rescored exactly in
    /// float32. Returned scores are exact float32 cosines; only which experts reach the rescoring can differ from
    /// <see cref="Float32"/>. Memory: the float32 rows stay (for rescoring and <see cref="ExpertIndex.Entries"/>) plus
    /// one byte per component and one float per row.
    /// </summary>
    Int8 = 1,

    /// <summary>
    /// The default: <see cref="Int8"/> once the index holds at least <see cref="ExpertIndex.AutoInt8Rows"/> vectors
    /// (experts + evidence), where a float32 scan is bound by memory bandwidth and int8 pays (3.9–5.1× at 10k–100k rows,
    /// recall@5 1.000 with the rescoring); <see cref="Float32"/> below it, where the vectors sit in cache and the
    /// quantisation would only add work. <see cref="ExpertIndex.Precision"/> reports the resolved choice.
    /// </summary>
    Auto = 2,
}

/// <summary>The int8 scan of <see cref="VectorPrecision.Int8"/> (see the enum for the scheme).</summary>
public sealed partial class ExpertIndex
{
    private readonly Int8Rows? _int8Centroids;
    private readonly Int8Rows? _int8Evidence;

    /// <summary>Vectors (experts + evidence rows) from which <see cref="VectorPrecision.Auto"/> scans in int8: 20,000.</summary>
    public const int AutoInt8Rows = 20_000;

    /// <summary>Number of approximate candidates rescored in float32 for a top-<paramref name="k"/> int8 search: <c>max(4k, 64)</c>.</summary>
    /// <param name="k">Experts wanted.</param>
    /// <returns>The candidate pool size (before capping at N).</returns>
    internal static int DefaultRescoreCandidates(int k) => Math.Max(4 * k, 64);

    /// <summary>
    /// <see cref="Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/> with an explicit int8 candidate pool:
    /// for measuring recall against the pool size (benchmarks, tests). On a float32 index the pool is ignored.
    /// </summary>
    internal IReadOnlyList<ExpertMatch> Search(ReadOnlySpan<float> query, VectorModel queryModel, int k, Func<string, bool>? exclude, int rescoreCandidates)
    {
        var queryNorm = Validate(query, queryModel, k);
        if (_expertIds.Length == 0)
        {
            return [];
        }

        return _int8Centroids is null
            ? SearchFloat32(query, queryNorm, k, exclude)
            : SearchInt8(query, queryNorm, k, exclude, Math.Max(rescoreCandidates, k));
    }

    private IReadOnlyList<ExpertMatch> SearchInt8(ReadOnlySpan<float> query, float queryNorm, int k, Func<string, bool>? exclude, int rescoreCandidates)
    {
        var d = _dimensions;
        var n = _expertIds.Length;
        var centroids8 = _int8Centroids!;
        var evidence8 = _int8Evidence!;
        var w = EvidenceWeight;
        var centroidWeight = 1f - w;
        ReadOnlySpan<int> offsets = _evidenceOffsets;

        // The query gets the same symmetric int8 grid (its scale is common to every score, so it is dropped), widened
        // to int16 once so that each row costs one widening load and one multiply-add of pairs per 16 or 32 components.
        var maxAbs = MathF.Abs(TensorPrimitives.MaxMagnitude(query));
        var queryBuffer = ArrayPool<short>.Shared.Rent(d);
        var centroidScores = ArrayPool<float>.Shared.Rent(n);
        var poolSize = Math.Min(rescoreCandidates, n);
        var pool = new Candidate[poolSize];
        var pooled = 0;
        try
        {
            var q = queryBuffer.AsSpan(0, d);
            var inverse = 127f / maxAbs;
            for (var j = 0; j < d; j++)
            {
                q[j] = (short)Math.Clamp(MathF.Round(query[j] * inverse), -127f, 127f);
            }

            // Pass 1 and 2 as in the float32 scan, on int8 rows: approximate combined scores, best poolSize kept.
            for (var i = 0; i < n; i++)
            {
                centroidScores[i] = DotInt8(centroids8.Row(i), q) * centroids8.Scales[i];
            }

            var row = 0;
            for (var i = 0; i < n; i++)
            {
                var centroidScore = centroidScores[i];
                var end = offsets[i + 1];
                var best = centroidScore;
                if (row < end)
                {
                    best = float.NegativeInfinity;
                    for (; row < end; row++)
                    {
                        var s = DotInt8(evidence8.Row(row), q) * evidence8.Scales[row];
                        if (s > best)
                        {
                            best = s;
                        }
                    }
                }

                var score = (w * best) + (centroidWeight * centroidScore);
                if (pooled == poolSize && !Better(score, i, pool[0].Score, pool[0].Expert))
                {
                    continue;
                }

                if (exclude is not null && exclude(_expertIds[i]))
                {
                    continue;
                }

                Offer(pool, ref pooled, new Candidate(score, 0f, 0f, i, -1));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(centroidScores);
            ArrayPool<short>.Shared.Return(queryBuffer);
        }

        // Rescore the pool exactly (float32, the same formula and tie order as the float32 scan) and keep the best k.
        var heap = new Candidate[Math.Min(k, pooled)];
        var count = 0;
        for (var p = 0; p < pooled; p++)
        {
            var exact = ScoreExact(pool[p].Expert, query);
            if (count == heap.Length && !Better(exact.Score, exact.Expert, heap[0].Score, heap[0].Expert))
            {
                continue;
            }

            Offer(heap, ref count, exact);
        }

        return ToMatches(heap, count, queryNorm);
    }

    private Candidate ScoreExact(int expert, ReadOnlySpan<float> query)
    {
        var d = _dimensions;
        var centroidScore = TensorPrimitives.Dot(new ReadOnlySpan<float>(_centroids, expert * d, d), query);
        var best = centroidScore;
        var bestRow = -1;
        var end = _evidenceOffsets[expert + 1];
        for (var row = _evidenceOffsets[expert]; row < end; row++)
        {
            var s = TensorPrimitives.Dot(new ReadOnlySpan<float>(_evidence, row * d, d), query);
            if (bestRow < 0 || s > best)
            {
                best = s;
                bestRow = row;
            }
        }

        var score = (EvidenceWeight * best) + ((1f - EvidenceWeight) * centroidScore);
        return new Candidate(score, centroidScore, best, expert, bestRow);
    }

    /// <summary>Adds <paramref name="candidate"/> to the bounded min-heap (replacing the worst when full; the caller checked it is better).</summary>
    private static void Offer(Candidate[] heap, ref int count, Candidate candidate)
    {
        if (count < heap.Length)
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

    /// <summary>Σ row[j]·query[j] of an int8 row and an int16-widened int8 query (|values| ≤ 127, so no overflow for any realistic d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DotInt8(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query)
    {
        var d = row.Length;
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var q = ref MemoryMarshal.GetReference(query);
        var i = 0;
        var sum = 0;
        if (Avx512BW.IsSupported && d >= 32)
        {
            var acc = Vector512<int>.Zero;
            for (; i <= d - 32; i += 32)
            {
                var rv = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref r, (nuint)i));
                acc = Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(rv, Vector512.LoadUnsafe(ref q, (nuint)i)));
            }

            sum = Vector512.Sum(acc);
        }
        else if (Avx2.IsSupported && d >= 16)
        {
            var acc = Vector256<int>.Zero;
            for (; i <= d - 16; i += 16)
            {
                var rv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(rv, Vector256.LoadUnsafe(ref q, (nuint)i)));
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < d; i++)
        {
            sum += Unsafe.Add(ref r, i) * Unsafe.Add(ref q, i);
        }

        return sum;
    }

    /// <summary>Row-major int8 copy of a float matrix: each row scaled by 127 / max|x|, rounded to nearest; x ≈ value · scale.</summary>
    private sealed class Int8Rows
    {
        private readonly sbyte[] _values;
        private readonly int _dimensions;

        public Int8Rows(float[] rows, int dimensions)
        {
            _dimensions = dimensions;
            var n = rows.Length / dimensions;
            _values = new sbyte[rows.Length];
            Scales = new float[n];
            for (var i = 0; i < n; i++)
            {
                var source = new ReadOnlySpan<float>(rows, i * dimensions, dimensions);
                var destination = _values.AsSpan(i * dimensions, dimensions);
                var maxAbs = MathF.Abs(TensorPrimitives.MaxMagnitude(source));
                if (!(maxAbs > 0f))
                {
                    Scales[i] = 0f; // cannot happen for a stored (unit) row; scores 0 if it ever does
                    continue;
                }

                var inverse = 127f / maxAbs;
                for (var j = 0; j < dimensions; j++)
                {
                    destination[j] = (sbyte)Math.Clamp(MathF.Round(source[j] * inverse), -127f, 127f);
                }

                Scales[i] = maxAbs / 127f;
            }
        }

        public float[] Scales { get; }

        public ReadOnlySpan<sbyte> Row(int i) => new(_values, i * _dimensions, _dimensions);
    }
}
