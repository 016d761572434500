using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using SocialLearning.Matching;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// Measurement harness, not part of the normal run: loads a directory of 100,000 centroid-only profiles (384 dims, no
/// evidence) from Azurite into the in-memory index and reports the time. Runs only when SOCIALLEARNING_SCALE=1
/// (SOCIALLEARNING_SCALE_EXPERTS changes the size):
/// <c>SOCIALLEARNING_SCALE=1 Functions.Tests/bin/Debug/net10.0/SocialLearning.Functions.Tests -class
/// SocialLearning.Tests.Integration.DirectoryScaleTests -showliveoutput</c> (the xunit runner prints the figures; under
/// <c>dotnet test</c> they stay in the test's output).
/// </summary>
[Collection("Azurite")]
public sealed class DirectoryScaleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Directory_of_100k_centroid_only_profiles_loads_from_Azurite_with_all_shards_in_parallel()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("SOCIALLEARNING_SCALE") == "1",
            "Measurement harness: set SOCIALLEARNING_SCALE=1 to load 100k profiles from Azurite.");
        var ct = TestContext.Current.CancellationToken;
        var n = int.TryParse(Environment.GetEnvironmentVariable("SOCIALLEARNING_SCALE_EXPERTS"), CultureInfo.InvariantCulture, out var size) ? size : 100_000;
        var output = TestContext.Current.TestOutputHelper!;
        await using var h = await PipelineHarness.StartAsync(azurite);
        var storage = h.Get<StorageClients>();
        var experts = storage.Table(TableNames.Experts);

        // Seed: n experts with random unit vectors, written as 100-row transactions, all 16 shards at once.
        var seed = Stopwatch.StartNew();
        var rows = Enumerable.Range(0, n).Select(i => Expert(i, new Random(i))).GroupBy(e => e.PartitionKey).ToList();
        await Task.WhenAll(rows.Select(async shard =>
        {
            foreach (var batch in shard.Chunk(100))
                await experts.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
        }));
        seed.Stop();
        output.WriteLine($"seeded {n} experts in {seed.Elapsed.TotalSeconds:0.0} s ({n / seed.Elapsed.TotalSeconds:0} rows/s)");

        // The product's load: every shard (and the evidence ranges) queried in parallel, then the index built.
        var directory = h.Get<ExpertDirectory>();
        var loads = new List<(TimeSpan Total, DirectoryLoadStats Stats)>();
        var process = Process.GetCurrentProcess();
        for (var run = 0; run < 3; run++)
        {
            directory.Invalidate();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var snapshot = await directory.GetAsync(ct);
            sw.Stop();
            process.Refresh();
            output.WriteLine($"  client CPU during load {run + 1}: {(process.TotalProcessorTime - cpu).TotalSeconds:0.00} s");
            Assert.Equal(n, snapshot.Index.Count);
            Assert.Equal(new VectorModel("all-MiniLM-L6-v2", 384), snapshot.Index.Model);
            loads.Add((sw.Elapsed, directory.LastLoad!));
            output.WriteLine($"parallel load {run + 1}: {sw.Elapsed.TotalSeconds:0.00} s (read {directory.LastLoad!.Read.TotalSeconds:0.00} s, build {directory.LastLoad.Build.TotalSeconds:0.00} s)");
        }

        // Baseline on the same rows and columns: the shards read one after another, as a single-partition directory is read.
        var sequential = Stopwatch.StartNew();
        var count = (await ExpertTables.ReadExpertsAsync(storage, ct, ExpertDirectory.ExpertColumns, parallelism: 1)).Count;
        sequential.Stop();
        Assert.Equal(n, count);
        output.WriteLine($"sequential read of the same rows (shard after shard): {sequential.Elapsed.TotalSeconds:0.00} s");

        var median = loads.OrderBy(l => l.Total).ElementAt(loads.Count / 2);
        output.WriteLine($"RESULT experts={n} dims=384 load_median_s={median.Total.TotalSeconds:0.00} read_s={median.Stats.Read.TotalSeconds:0.00} " +
                         $"build_s={median.Stats.Build.TotalSeconds:0.00} sequential_read_s={sequential.Elapsed.TotalSeconds:0.00} seed_s={seed.Elapsed.TotalSeconds:0.0}");
    }

    private static ExpertEntity Expert(int i, Random random)
    {
        var v = new float[384];
        for (var d = 0; d < v.Length; d++) v[d] = (float)(random.NextDouble() - 0.5);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm(v), v);
        var id = "se-" + i.ToString(CultureInfo.InvariantCulture);
        return new ExpertEntity
        {
            PartitionKey = ExpertEntity.PartitionFor(id), RowKey = id, ExpertId = id, Name = $"Expert {i}", Email = $"expert{i}@example.org",
            Department = "Dept " + (i % 40).ToString(CultureInfo.InvariantCulture), Skills = "qiskit; quantum-gate", AnswerCount = i % 50,
            Active = true, Source = "scale", ProfileHash = "", Vector = VectorCodec.Encode(v), VectorModel = "all-MiniLM-L6-v2", VectorDimensions = 384,
        };
    }
}
