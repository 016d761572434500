using System.Diagnostics;
using System.Globalization;
using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>
/// <c>recall</c>: recall@5 of the <see cref="VectorPrecision.Int8"/> index against the exact float32 index on the
/// benchmark's seeded data (random unit vectors: the hard case, since their cosines crowd around 0), with the default
/// float32 rescoring pool and without rescoring (pool = k), plus the mean search time of each.
/// </summary>
public static class Int8Recall
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="args"><c>[--queries N]</c>; default 200.</param>
    /// <returns>0 when every configuration keeps recall@5 ≥ 0.99 with rescoring, else 1.</returns>
    public static int Run(string[] args)
    {
        const int k = 5;
        var queries = RouteTiming.IntOption(args, "--queries", 200);
        Console.WriteLine($"Int8 recall@{k} against exact float32, {queries} random unit queries per row; pool = candidates rescored in float32");
        Console.WriteLine();
        Console.WriteLine($"| data | recall@5, pool {ExpertIndex.DefaultRescoreCandidates(k)} (shipped) | recall@5, no rescoring | float32 ms | int8 ms | speed-up |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var ok = true;
        var configurations = new List<(string Label, Func<int, ExpertIndexEntry[]> Entries, int D)>();
        foreach (var d in new[] { 384, 1536 })
        {
            foreach (var n in new[] { 1_000, 10_000, 100_000 })
            {
                configurations.Add(($"N = {n:N0}, d = {d}, centroids", dd => VectorData.CentroidEntries(VectorData.UnitRows(1234 + dd, n, dd), dd), d));
            }
        }

        configurations.Add(("N = 10,000 + 10 evidence each, d = 384", dd => VectorData.EvidenceEntries(7, 10_000, dd, 10), 384));
        foreach (var (label, makeEntries, d) in configurations)
        {
            var model = new VectorModel("bench", d);
            var exact = new ExpertIndex(model, makeEntries(d));
            var int8 = new ExpertIndex(model, exact.Entries, precision: VectorPrecision.Int8);
            var random = new Random(4242);
            double hitsPool = 0, hitsBare = 0, exactMs = 0, int8Ms = 0;
            for (var q = 0; q < queries; q++)
            {
                var query = VectorData.UnitVector(random, d);
                var sw = Stopwatch.StartNew();
                var truth = exact.Search(query, model, k).Select(m => m.ExpertId).ToHashSet(StringComparer.Ordinal);
                exactMs += sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var approx = int8.Search(query, model, k);
                int8Ms += sw.Elapsed.TotalMilliseconds;
                var bare = int8.Search(query, model, k, exclude: null, rescoreCandidates: k);
                hitsPool += approx.Count(m => truth.Contains(m.ExpertId));
                hitsBare += bare.Count(m => truth.Contains(m.ExpertId));
            }

            var recall = hitsPool / (queries * k);
            ok &= recall >= 0.99;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {recall:0.000} | {hitsBare / (queries * k):0.000} | {exactMs / queries:0.000} | {int8Ms / queries:0.000} | {exactMs / int8Ms:0.00}× |"));
        }

        return ok ? 0 : 1;
    }
}
