using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>
/// Top-k over N centroid-only experts (N rows of d floats, unit length, fixed seed): the product's
/// <see cref="ExpertIndex.Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/> against a naive LINQ scan
/// and a plain <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> loop over the same
/// contiguous array (the index's own centroid array), all in one run. The plain Dot scan is the baseline (ratio 1).
/// </summary>
[MemoryDiagnoser]
public class TopKBenchmarks
{
    private ExpertIndex _index = null!;
    private ExpertIndex _int8Index = null!;
    private ExpertIndex _float32Index = null!;
    private ExpertIndexEntry[] _entries = null!;
    private float[] _rows = null!;
    private string[] _ids = null!;
    private float[] _query = null!;
    private VectorModel _model = null!;

    /// <summary>Number of experts (rows).</summary>
    [Params(1_000, 10_000, 100_000)]
    public int N { get; set; }

    /// <summary>Vector length: 384 (all-MiniLM-L6-v2) or 1536 (text-embedding-3-small).</summary>
    [Params(384, 1536)]
    public int D { get; set; }

    /// <summary>Experts wanted.</summary>
    [Params(10)]
    public int K { get; set; }

    /// <summary>Builds the index (float32 and int8) from seeded unit vectors and takes a view of its centroid array.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = new VectorModel("bench", D);
        var rows = VectorData.UnitRows(seed: 1234 + D, N, D);
        _index = new ExpertIndex(_model, VectorData.CentroidEntries(rows, D));
        _int8Index = new ExpertIndex(_model, _index.Entries, ExpertIndex.DefaultEvidenceWeight, VectorPrecision.Int8);
        _float32Index = new ExpertIndex(_model, _index.Entries, ExpertIndex.DefaultEvidenceWeight, VectorPrecision.Float32);

        // The baselines scan the very array the index searches: its entries are views of it.
        _entries = [.. _index.Entries];
        if (!MemoryMarshal.TryGetArray(_entries[0].Centroid, out var segment) || segment.Array is null || segment.Offset != 0)
        {
            throw new InvalidOperationException("The index's entries are expected to be views of one contiguous array.");
        }

        _rows = segment.Array;
        _ids = [.. _index.ExpertIds];
        _query = VectorData.UnitVector(new Random(99), D);
    }

    /// <summary>The product as shipped: <see cref="ExpertIndex.Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/>
    /// with the default <see cref="VectorPrecision.Auto"/> (float32 below <see cref="ExpertIndex.AutoInt8Rows"/> rows, int8
    /// with float32 rescoring from there: N = 100k here).</summary>
    /// <returns>Best id (keeps the result alive).</returns>
    [Benchmark]
    public string Product() => _index.Search(_query, _model, K)[0].ExpertId;

    /// <summary>The product forced to exact float32 throughout (<see cref="VectorPrecision.Float32"/>).</summary>
    /// <returns>Best id.</returns>
    [Benchmark]
    public string ProductFloat32() => _float32Index.Search(_query, _model, K)[0].ExpertId;

    /// <summary>The product with int8 vectors (<see cref="VectorPrecision.Int8"/>; float32 rescoring of the best candidates).</summary>
    /// <returns>Best id.</returns>
    [Benchmark]
    public string ProductInt8() => _int8Index.Search(_query, _model, K)[0].ExpertId;

    /// <summary>Baseline: one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per row of the contiguous array, simple top-k (insertion into a sorted buffer of k).</summary>
    /// <returns>Best id.</returns>
    [Benchmark(Baseline = true)]
    public string PlainDotScan() => _ids[PlainDotTopK(_rows, _query, K)];

    /// <summary>Naive: LINQ over the entries, a scalar dot loop per entry, full sort, take k.</summary>
    /// <returns>Best id.</returns>
    [Benchmark]
    public string NaiveLinq() =>
        _entries
            .Select(e => (e.ExpertId, Score: ScalarDot(e.Centroid.Span, _query)))
            .OrderByDescending(x => x.Score)
            .Take(K)
            .ToList()[0].ExpertId;

    /// <summary>Naive, textbook LINQ: the dot product itself as <c>Zip(…).Sum()</c> over enumerables, full sort, take k.</summary>
    /// <returns>Best id.</returns>
    [Benchmark]
    public string NaiveLinqZip() =>
        _entries
            .Select(e => (e.ExpertId, Score: MemoryMarshal.ToEnumerable(e.Centroid).Zip(_query, (a, b) => a * b).Sum()))
            .OrderByDescending(x => x.Score)
            .Take(K)
            .ToList()[0].ExpertId;

    /// <summary>The plain Dot scan as a reusable function (also used by the interleaved <c>topk</c> command).</summary>
    /// <param name="rows">Row-major matrix.</param>
    /// <param name="query">Query.</param>
    /// <param name="k">Experts wanted.</param>
    /// <returns>Row of the best match.</returns>
    public static int PlainDotTopK(ReadOnlySpan<float> rows, ReadOnlySpan<float> query, int k)
    {
        var d = query.Length;
        var n = rows.Length / d;
        k = Math.Min(k, n);
        Span<float> scores = stackalloc float[k];
        Span<int> top = stackalloc int[k];
        scores.Fill(float.NegativeInfinity);
        for (var i = 0; i < n; i++)
        {
            var s = TensorPrimitives.Dot(rows.Slice(i * d, d), query);
            if (s <= scores[k - 1])
            {
                continue;
            }

            var j = k - 1;
            while (j > 0 && scores[j - 1] < s)
            {
                scores[j] = scores[j - 1];
                top[j] = top[j - 1];
                j--;
            }

            scores[j] = s;
            top[j] = i;
        }

        return top[0];
    }

    private static float ScalarDot(ReadOnlySpan<float> a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
