using System.Diagnostics;
using System.Globalization;
using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>
/// <c>route</c>: the routing decision as <c>QuestionRouter.RankAsync</c> makes it — embed the question text with the local
/// model, then <see cref="ExpertIndex.Search(Microsoft.Extensions.AI.Embedding{float}, int, Func{string, bool}?)"/> for
/// max(4·pool, 20) = 40 candidates with an exclusion callback — timed one question at a time, warm, over the sample
/// questions, at 10,000 experts. Prints median and p95 of embed, rank and their sum for each index configuration.
/// </summary>
public static class RouteTiming
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="args"><c>[--experts N] [--decisions N]</c>; defaults 10,000 and 300.</param>
    /// <returns>Exit code 0.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var experts = IntOption(args, "--experts", 10_000);
        var decisions = IntOption(args, "--decisions", 300);
        var questions = SampleTexts.Questions();
        using var generator = new MiniLmEmbeddingGenerator();

        // Warm: load the model, JIT every path.
        for (var i = 0; i < 10; i++)
        {
            await generator.GenerateAsync([questions[i % questions.Length]]);
        }

        Console.WriteLine($"Route decision (embed + rank), warm, local model, {experts:N0} experts, d = 384, k = 40, {decisions} decisions over {questions.Length} sample questions");
        Console.WriteLine($"{Environment.ProcessorCount} logical cores, {RuntimeDescription()}");
        Console.WriteLine();
        Console.WriteLine("| index | embed p50 | embed p95 | rank p50 | rank p95 | total p50 | total p95 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (evidence, precision) in new[] { (0, VectorPrecision.Float32), (10, VectorPrecision.Float32), (10, VectorPrecision.Int8) })
        {
            var index = new ExpertIndex(VectorModel.MiniLm, VectorData.EvidenceEntries(seed: 7, experts, VectorModel.MiniLm.Dimensions, evidence), precision: precision);

            // As the router: unavailable experts and the asker are excluded through a lookup per would-be candidate.
            var unavailable = new HashSet<string>(Enumerable.Range(0, experts).Where(i => i % 20 == 0).Select(VectorData.ExpertId), StringComparer.Ordinal);
            var embed = new double[decisions];
            var rank = new double[decisions];
            for (var i = -10; i < decisions; i++)
            {
                var text = questions[((i % questions.Length) + questions.Length) % questions.Length];
                var asker = VectorData.ExpertId(Math.Abs(i * 7919) % experts);
                var sw = Stopwatch.StartNew();
                var generated = await generator.GenerateAsync([text]);
                var embedMs = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var matches = index.Search(generated[0], 40, id => unavailable.Contains(id) || string.Equals(id, asker, StringComparison.Ordinal));
                var rankMs = sw.Elapsed.TotalMilliseconds;
                if (matches.Count == 0)
                {
                    throw new InvalidOperationException("No match.");
                }

                if (i >= 0)
                {
                    embed[i] = embedMs;
                    rank[i] = rankMs;
                }
            }

            var total = embed.Zip(rank, (a, b) => a + b).ToArray();
            var label = $"{experts:N0} experts, {(evidence == 0 ? "centroids only" : $"+{evidence} evidence each (M = {index.EvidenceCount:N0})")}, {precision}";
            Console.WriteLine($"| {label} | {Ms(embed, 0.5)} | {Ms(embed, 0.95)} | {Ms(rank, 0.5)} | {Ms(rank, 0.95)} | {Ms(total, 0.5)} | {Ms(total, 0.95)} |");
        }

        return 0;
    }

    /// <summary>Nearest-rank percentile.</summary>
    /// <param name="values">Samples (not modified).</param>
    /// <param name="p">0 to 1.</param>
    /// <returns>The percentile.</returns>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static string Ms(double[] values, double p) => Percentile(values, p).ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string RuntimeDescription() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}"
#if DEBUG
        + ", DEBUG build (use -c Release)"
#endif
        ;

    internal static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
