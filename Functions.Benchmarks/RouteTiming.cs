using System.Diagnostics;
using System.Globalization;
using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>
/// <c>route</c>: the routing decision timed one question at a time, warm, local model, over the 33 sample questions, at
/// 10,000 experts (d = 384). First the product's path as <c>QuestionRouter.RankAsync</c> takes it — embed the question,
/// then <see cref="HybridRanker.Rank"/> (dense scores of every expert, BM25 over every evidence text, priors, load term,
/// fusion; two stages above <see cref="HybridRanker.TwoStageThreshold"/> experts) for the candidate pool of 10 with an
/// exclusion callback — over synthetic experts with 10 evidence items each
/// (random vectors, texts drawn from the sample questions' vocabulary). Then, for reference, embed +
/// <see cref="ExpertIndex.Search(Microsoft.Extensions.AI.Embedding{float}, int, Func{string, bool}?)"/> alone for 40 candidates.
/// Prints median and p95 of embed, rank and their sum.
/// </summary>
public static class RouteTiming
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="args"><c>[--experts N] [--evidence E] [--decisions N]</c>; defaults 10,000, 10 and 300.</param>
    /// <returns>Exit code 0.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        const int WarmDecisions = 40;
        var experts = IntOption(args, "--experts", 10_000);
        var evidencePerExpert = IntOption(args, "--evidence", 10);
        var decisions = IntOption(args, "--decisions", 300);
        var questions = SampleTexts.Questions();
        var model = VectorModel.MiniLm;
        using var generator = new MiniLmEmbeddingGenerator();
        for (var i = 0; i < 10; i++)
        {
            await generator.GenerateAsync([questions[i % questions.Length].Embedded]); // load the model, JIT
        }

        // As the router: unavailable experts and the asker are excluded by a lookup; a few experts carry load.
        var unavailable = new HashSet<string>(Enumerable.Range(0, experts).Where(i => i % 20 == 0).Select(VectorData.ExpertId), StringComparer.Ordinal);
        var loadOf = Enumerable.Range(0, experts).Where(i => i % 7 == 0).ToDictionary(VectorData.ExpertId, i => 1 + (i % 3), StringComparer.Ordinal);

        Console.WriteLine($"Route decision (embed + rank), warm, local model, {experts:N0} experts, d = {model.Dimensions}, {decisions} decisions over {questions.Length} sample questions");
        Console.WriteLine($"{Environment.ProcessorCount} logical cores, {RuntimeDescription()}");
        Console.WriteLine();
        Console.WriteLine("| path | embed p50 | embed p95 | rank p50 | rank p95 | total p50 | total p95 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");

        var now = DateTimeOffset.UtcNow;
        var hybrid = BuildHybrid(experts, evidencePerExpert, model, now);
        var ranker = new HybridRanker(HybridWeights.Default);
        await Measure(
            $"product: hybrid ranker, {experts:N0} experts × {evidencePerExpert} evidence (M = {hybrid.Vectors.EvidenceCount:N0}, BM25 over as many texts), pool 10",
            (vector, lexical, exclude) => ranker.Rank(hybrid, vector.Vector.Span, VectorModel.Of(vector), lexical, 10, exclude, id => loadOf.GetValueOrDefault(id)).Count);

        await Measure(
            $"reference: the same ranker scoring every expert in one stage (the path below {HybridRanker.TwoStageThreshold:N0} experts), pool 10",
            (vector, lexical, exclude) => HybridRanker.Fuse(
                HybridRanker.ComputeSignals(hybrid, vector.Vector.Span, VectorModel.Of(vector), lexical, exclude, int.MaxValue),
                HybridWeights.Default, 10, id => loadOf.GetValueOrDefault(id)).Count);
        await Measure(
            $"reference: HybridRanker.Signals alone (two stages: dense + BM25 + priors, no fusion)",
            (vector, lexical, exclude) => HybridRanker.Signals(hybrid, vector.Vector.Span, VectorModel.Of(vector), lexical, exclude).Count);

        foreach (var (evidence, precision) in new[] { (0, VectorPrecision.Float32), (evidencePerExpert, VectorPrecision.Float32), (evidencePerExpert, VectorPrecision.Int8) })
        {
            var index = new ExpertIndex(model, evidence == 0 ? VectorData.EvidenceEntries(7, experts, model.Dimensions, 0) : hybrid.Vectors.Entries, precision: precision);
            await Measure(
                $"reference: ExpertIndex.Search alone, k = 40, {(evidence == 0 ? "centroids only" : $"{evidence} evidence each")}, {precision}",
                (vector, _, exclude) => index.Search(vector, 40, exclude).Count);
        }

        return 0;

        async Task Measure(string label, Func<Microsoft.Extensions.AI.Embedding<float>, string, Func<string, bool>, int> rank)
        {
            var embed = new double[decisions];
            var ranking = new double[decisions];
            // Warm: the garbage of building the index (or of the previous path) collected first, and 40 untimed decisions,
            // past the runtime's 30 calls before a method is recompiled at tier 1 (as a worker is after its first questions).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            for (var i = -WarmDecisions; i < decisions; i++)
            {
                var (text, lexical) = questions[((i % questions.Length) + questions.Length) % questions.Length];
                var asker = VectorData.ExpertId(Math.Abs(i * 7919) % experts);
                var sw = Stopwatch.StartNew();
                var generated = await generator.GenerateAsync([text]);
                var embedMs = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var found = rank(generated[0], lexical, id => unavailable.Contains(id) || string.Equals(id, asker, StringComparison.Ordinal));
                var rankMs = sw.Elapsed.TotalMilliseconds;
                if (found == 0)
                {
                    throw new InvalidOperationException("No match.");
                }

                if (i >= 0)
                {
                    embed[i] = embedMs;
                    ranking[i] = rankMs;
                }
            }

            var total = embed.Zip(ranking, (a, b) => a + b).ToArray();
            Console.WriteLine($"| {label} | {Ms(embed, 0.5)} | {Ms(embed, 0.95)} | {Ms(ranking, 0.5)} | {Ms(ranking, 0.95)} | {Ms(total, 0.5)} | {Ms(total, 0.95)} |");
        }
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

    internal static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static HybridIndex BuildHybrid(int experts, int evidencePerExpert, VectorModel model, DateTimeOffset now)
    {
        var random = new Random(7);
        var texts = SampleTexts.EvidenceTexts(new Random(8), experts * evidencePerExpert, words: 60);
        var list = new List<HybridExpert>(experts);
        for (var i = 0; i < experts; i++)
        {
            var evidence = new HybridEvidence[evidencePerExpert];
            for (var j = 0; j < evidencePerExpert; j++)
            {
                var answered = now.AddDays(-random.Next(1, 400));
                evidence[j] = new HybridEvidence($"a-{i}-{j}", $"Question {j} answered by expert {i}", texts[(i * evidencePerExpert) + j], answered, IsAnswer: true,
                    VectorData.UnitVector(random, model.Dimensions), Asked: answered.AddHours(-random.Next(1, 72)));
            }

            var centroid = evidencePerExpert > 0 ? ExpertIndexEntry.CentroidOf(evidence.Select(e => e.Vector)) : VectorData.UnitVector(random, model.Dimensions);
            list.Add(new HybridExpert(VectorData.ExpertId(i), evidencePerExpert, centroid, evidence));
        }

        return new HybridIndex(model, list, now);
    }

    private static string Ms(double[] values, double p) => Percentile(values, p).ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string RuntimeDescription() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}"
#if DEBUG
        + ", DEBUG build (use -c Release)"
#endif
        ;
}
