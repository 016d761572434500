using Azure;
using Azure.Data.Tables;
using SocialLearning.Commands;
using SocialLearning.Experts;
using SocialLearning.Matching;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// The embedding-space guard end to end: vectors stored by another model are an explicit mismatch on the live path, and
/// <c>reembed</c> brings every stored vector into the configured model's space (moving pre-sharding rows on the way).
/// </summary>
[Collection("Azurite")]
public sealed class ReembedTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly float[] OldVector = [0.6f, 0.8f, 0f];

    [Fact]
    public async Task Reembed_rewrites_vectors_of_an_old_model_with_the_configured_model_and_the_index_loads()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var evidenceBefore = (await ExpertTables.ReadShardedEvidenceAsync(storage, Ct)).Count;
        await StoreAsOldModelAsync(storage);
        await MoveToLegacyLayoutAsync(storage, "e-anna-lindqvist");
        h.Get<ExpertDirectory>().Invalidate();

        // The stored space (old-model, 3 dims) is consistent, so it loads; a question embedded by MiniLM does not fit it.
        var stale = await h.Get<ExpertDirectory>().GetAsync(Ct);
        Assert.Equal(new VectorModel("old-model", 3), stale.Index.Model);
        var mismatch = await Assert.ThrowsAsync<EmbeddingMismatchException>(() =>
            h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN disconnects every ten minutes.", null, 5, Ct));
        Assert.Equal(new VectorModel("old-model", 3), mismatch.IndexModel);
        Assert.Equal(VectorModel.MiniLm, mismatch.QueryModel);
        Assert.Contains("reembed", mismatch.Message);

        var progress = new List<ReembedProgress>();
        var result = await h.Get<ExpertReembedder>().ReembedAsync(force: false, new SyncProgress(progress.Add), Ct);

        Assert.Equal(20, result.Experts);
        Assert.Equal(20, result.Reembedded);
        Assert.Equal(1, result.Moved);
        Assert.Equal(evidenceBefore, result.EvidenceItems);
        Assert.Equal(VectorModel.MiniLm, result.Model);
        Assert.Equal(new ReembedProgress(20, 20, 20), progress[^1]);
        var experts = await ExpertTables.ReadExpertsAsync(storage, Ct);
        Assert.Equal(20, experts.Count);
        Assert.All(experts, e =>
        {
            Assert.Equal(ExpertEntity.PartitionFor(e.ExpertId), e.PartitionKey);
            Assert.Equal("all-MiniLM-L6-v2", e.VectorModel);
            Assert.Equal(384, e.VectorDimensions);
            Assert.Equal(384 * 4, e.Vector!.Length);
        });
        var evidence = await ExpertTables.ReadShardedEvidenceAsync(storage, Ct);
        Assert.Equal(evidenceBefore, evidence.Count);
        Assert.All(evidence, v => Assert.Equal(("all-MiniLM-L6-v2", 384, 384 * 4), (v.VectorModel, v.VectorDimensions, v.Vector!.Length)));
        Assert.Empty(await storage.Table(TableNames.Experts).ReadAllAsync<ExpertEntity>(ExpertEntity.LegacyPartition, Ct));
        Assert.Empty(await storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(EvidenceEntity.LegacyPartitionFor("e-anna-lindqvist"), Ct));

        // The directory was invalidated: the next question loads the re-embedded index and routes as before.
        var snapshot = await h.Get<ExpertDirectory>().GetAsync(Ct);
        Assert.Equal(VectorModel.MiniLm, snapshot.Index.Model);
        Assert.Equal(20, snapshot.Index.Count);
        var ranking = await h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN disconnects every ten minutes when I work from home.", null, 5, Ct);
        Assert.Equal("e-anna-lindqvist", ranking.Candidates[0].ExpertId);

        // Idempotent: a second run finds nothing to do and writes nothing.
        var again = await h.Get<ExpertReembedder>().ReembedAsync(force: false, null, Ct);
        Assert.Equal((0, 20, 0), (again.Reembedded, again.Skipped, again.EvidenceItems));
    }

    [Fact]
    public async Task Directory_holding_vectors_of_two_models_refuses_to_load_and_names_both()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts().Take(3).ToList(), "sample", replaceDirectory: true, null, Ct);
        var one = (await ExpertTables.ReadExpertsAsync(storage, Ct))[0];
        await storage.Table(TableNames.Experts).UpdateEntityAsync(new TableEntity(one.PartitionKey, one.RowKey)
        {
            ["Vector"] = VectorCodec.Encode(OldVector), ["VectorModel"] = "old-model", ["VectorDimensions"] = 3,
        }, ETag.All, TableUpdateMode.Merge, Ct);

        var error = await Assert.ThrowsAsync<EmbeddingMismatchException>(() => h.Get<ExpertDirectory>().GetAsync(Ct));

        Assert.Contains("old-model (3 dims)", error.Message);
        Assert.Contains("all-MiniLM-L6-v2 (384 dims)", error.Message);
        Assert.Contains("reembed", error.Message);
    }

    [Fact]
    public async Task Expert_whose_evidence_is_of_another_model_than_its_centroid_is_a_mismatch_too()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts().Take(2).ToList(), "sample", replaceDirectory: true, null, Ct);
        var row = (await ExpertTables.ReadShardedEvidenceAsync(storage, Ct))[0];
        await storage.Table(TableNames.Evidence).UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey)
        {
            ["Vector"] = VectorCodec.Encode(OldVector), ["VectorModel"] = "old-model", ["VectorDimensions"] = 3,
        }, ETag.All, TableUpdateMode.Merge, Ct);

        var error = await Assert.ThrowsAsync<EmbeddingMismatchException>(() => h.Get<ExpertDirectory>().GetAsync(Ct));

        Assert.Equal(new VectorModel("old-model", 3), error.QueryModel);
    }

    [Fact]
    public async Task Import_moves_pre_sharding_rows_to_their_shard_and_the_directory_reads_both_layouts_meanwhile()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var storage = h.Get<StorageClients>();
        var sample = SampleDirectory.Experts();
        await h.Get<ExpertImporter>().ImportAsync(sample, "sample", replaceDirectory: true, null, Ct);
        await MoveToLegacyLayoutAsync(storage, "e-anna-lindqvist");
        var directory = h.Get<ExpertDirectory>();
        directory.Invalidate();

        var mixed = await directory.GetAsync(Ct);
        Assert.Equal(20, mixed.Index.Count);
        var ranking = await h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN disconnects every ten minutes when I work from home.", null, 5, Ct);
        Assert.Equal("e-anna-lindqvist", ranking.Candidates[0].ExpertId);
        Assert.Contains("closest earlier answer", ranking.Candidates[0].Reason); // her evidence was found in the old layout

        var result = await h.Get<ExpertImporter>().ImportAsync(sample, "sample", replaceDirectory: true, null, Ct);

        Assert.Equal(1, result.Embedded); // only the moved expert; the others are unchanged
        Assert.Empty(await storage.Table(TableNames.Experts).ReadAllAsync<ExpertEntity>(ExpertEntity.LegacyPartition, Ct));
        Assert.Empty(await storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(EvidenceEntity.LegacyPartitionFor("e-anna-lindqvist"), Ct));
        Assert.NotNull(await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor("e-anna-lindqvist"), "e-anna-lindqvist", Ct));
        Assert.Equal(20, (await directory.GetAsync(Ct)).Index.Count);
    }

    [Fact]
    public async Task Cli_reports_the_mismatch_without_a_stack_trace_and_reembed_fixes_it()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        await StoreAsOldModelAsync(h.Get<StorageClients>());
        var connection = await azurite.ConnectionStringAsync();

        var (askCode, askOut) = await RunCliAsync(connection, h.MailRoot, "ask", "My VPN keeps dropping at home");
        Assert.Equal(1, askCode);
        Assert.Contains("Embedding mismatch", askOut);
        Assert.Contains("old-model (3 dims)", askOut);
        Assert.Contains("reembed", askOut);
        Assert.DoesNotContain("   at ", askOut);
        Assert.DoesNotContain("Exception", askOut);

        var (reembedCode, reembedOut) = await RunCliAsync(connection, h.MailRoot, "reembed");
        Assert.Equal(0, reembedCode);
        Assert.Contains("Re-embedded 20 of 20 experts", reembedOut);
        Assert.Contains("all-MiniLM-L6-v2 (384 dims)", reembedOut);

        var (againCode, againOut) = await RunCliAsync(connection, h.MailRoot, "ask", "My VPN keeps dropping at home");
        Assert.Equal(0, againCode);
        Assert.Contains("Anna Lindqvist", againOut);
    }

    /// <summary>Runs a command verb through <see cref="Cli"/> (shared with the other command-line tests).</summary>
    private static Task<(int Code, string Output)> RunCliAsync(string connection, string mailRoot, params string[] args) =>
        Cli.RunAsync(connection, mailRoot, args);

    /// <summary>Overwrites every stored vector (centroids and evidence) with a 3-dimensional vector of "old-model".</summary>
    private static async Task StoreAsOldModelAsync(StorageClients storage)
    {
        foreach (var e in await ExpertTables.ReadExpertsAsync(storage, Ct))
        {
            e.Vector = VectorCodec.Encode(OldVector);
            e.VectorModel = "old-model";
            e.VectorDimensions = 3;
            await storage.Table(TableNames.Experts).UpdateEntityAsync(e, ETag.All, TableUpdateMode.Replace, Ct);
        }

        foreach (var v in await ExpertTables.ReadShardedEvidenceAsync(storage, Ct))
        {
            v.Vector = VectorCodec.Encode(OldVector);
            v.VectorModel = "old-model";
            v.VectorDimensions = 3;
            await storage.Table(TableNames.Evidence).UpdateEntityAsync(v, ETag.All, TableUpdateMode.Replace, Ct);
        }
    }

    /// <summary>Rewrites one expert as the directory stored it before sharding: partition "expert", evidence partition = encoded id.</summary>
    private static async Task MoveToLegacyLayoutAsync(StorageClients storage, string expertId)
    {
        var experts = storage.Table(TableNames.Experts);
        var evidence = storage.Table(TableNames.Evidence);
        var e = (await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(expertId), KeyEncoding.Encode(expertId), Ct))!;
        await experts.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, Ct);
        e.PartitionKey = ExpertEntity.LegacyPartition;
        await experts.AddEntityAsync(e, Ct);
        foreach (var v in await evidence.ReadAllAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(expertId), Ct))
        {
            await evidence.DeleteEntityAsync(v.PartitionKey, v.RowKey, ETag.All, Ct);
            v.PartitionKey = EvidenceEntity.LegacyPartitionFor(expertId);
            await evidence.AddEntityAsync(v, Ct);
        }
    }

    private sealed class SyncProgress(Action<ReembedProgress> report) : IProgress<ReembedProgress>
    {
        public void Report(ReembedProgress value) => report(value);
    }
}
