using System.Diagnostics;
using System.Globalization;

namespace SocialLearning.Benchmarks;

/// <summary>
/// <c>topk</c>: the <see cref="TopKBenchmarks"/> methods timed call by call in interleaved rounds (random order within a
/// round), so that load from other processes on a shared machine hits every method alike. Prints the median time of each
/// its 10th percentile (the least disturbed calls), and the median and 90th percentile of the per-round ratios to the plain Dot scan — the robust form of the
/// "within 1.2× of a plain Dot scan" and "≥ 50× a naive LINQ scan" checks.
/// </summary>
public static class TopKInterleaved
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="args"><c>[--n N] [--d D] [--k K] [--rounds R]</c>; defaults 100,000, 384, 10, 100.</param>
    /// <returns>Exit code 0.</returns>
    public static int Run(string[] args)
    {
        var bench = new TopKBenchmarks
        {
            N = RouteTiming.IntOption(args, "--n", 100_000),
            D = RouteTiming.IntOption(args, "--d", 384),
            K = RouteTiming.IntOption(args, "--k", 10),
        };
        var rounds = RouteTiming.IntOption(args, "--rounds", 100);
        bench.Setup();
        var methods = new (string Name, Func<string> Run, int Every)[]
        {
            ("PlainDotScan", bench.PlainDotScan, 1),
            ("Product", bench.Product, 1),
            ("ProductFloat32", bench.ProductFloat32, 1),
            ("ProductInt8", bench.ProductInt8, 1),
            ("NaiveLinq", bench.NaiveLinq, 1),
            ("NaiveLinqZip", bench.NaiveLinqZip, 10),
        };

        // Same answer from every method, then warm (tiered JIT) before timing.
        var answers = methods.Select(m => m.Run()).Distinct().ToArray();
        if (answers.Length != 1)
        {
            throw new InvalidOperationException($"The methods disagree on the best expert: {string.Join(", ", answers)}");
        }

        for (var i = 0; i < 40; i++)
        {
            foreach (var m in methods.Where(m => m.Every == 1))
            {
                m.Run();
            }
        }

        var times = methods.ToDictionary(m => m.Name, _ => new List<double>());
        var ratios = methods.ToDictionary(m => m.Name, _ => new List<double>());
        var random = new Random(1);
        for (var r = 0; r < rounds; r++)
        {
            var round = new Dictionary<string, double>();
            foreach (var m in methods.Where(m => r % m.Every == 0).OrderBy(_ => random.Next()))
            {
                var sw = Stopwatch.StartNew();
                m.Run();
                round[m.Name] = sw.Elapsed.TotalMilliseconds;
            }

            foreach (var (name, ms) in round)
            {
                times[name].Add(ms);
                ratios[name].Add(ms / round["PlainDotScan"]);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Top-k interleaved: N = {bench.N:N0}, d = {bench.D}, k = {bench.K}, {rounds} rounds (Zip naive every 10th), {Environment.ProcessorCount} logical cores"));
        Console.WriteLine();
        Console.WriteLine("| method | median ms | p10 ms | per-round ratio to plain Dot: median | p90 | naive LINQ (loop) ÷ this, medians | naive LINQ (Zip) ÷ this |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var naive = RouteTiming.Percentile(times["NaiveLinq"], 0.5);
        var naiveZip = RouteTiming.Percentile(times["NaiveLinqZip"], 0.5);
        foreach (var m in methods)
        {
            var median = RouteTiming.Percentile(times[m.Name], 0.5);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {median:0.000} | {RouteTiming.Percentile(times[m.Name], 0.1):0.000} | {RouteTiming.Percentile(ratios[m.Name], 0.5):0.000} | {RouteTiming.Percentile(ratios[m.Name], 0.9):0.000} | {naive / median:0.0}× | {naiveZip / median:0.0}× |"));
        }

        return 0;
    }
}
