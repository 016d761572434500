using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SocialLearning.Matching;
using SocialLearning.Storage;

namespace SocialLearning.Experts;

/// <summary>Counts of one re-embed run.</summary>
/// <param name="Experts">Expert rows found (active or not).</param>
/// <param name="Reembedded">Experts whose evidence and centroid were embedded again.</param>
/// <param name="Skipped">Experts already entirely in <paramref name="Model"/>'s space (nothing written).</param>
/// <param name="EvidenceItems">Evidence rows written.</param>
/// <param name="Moved">Experts moved from the pre-sharding layout to their shard.</param>
/// <param name="Unembeddable">Experts without any text to embed; their centroid was cleared, so they are not indexed.</param>
/// <param name="Model">The configured generator's model and vector length, now carried by every stored vector.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ReembedResult(int Experts, int Reembedded, int Skipped, int EvidenceItems, int Moved, int Unembeddable, VectorModel Model, TimeSpan Elapsed);

/// <summary>Progress of a re-embed run: experts looked at so far, of all, and how many of them were re-embedded.</summary>
/// <param name="Done">Experts handled.</param>
/// <param name="Total">Experts in the directory.</param>
/// <param name="Reembedded">Of <paramref name="Done"/>, experts re-embedded.</param>
public sealed record ReembedProgress(int Done, int Total, int Reembedded);

/// <summary>
/// Re-embeds the stored directory with the configured <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>: every
/// evidence row's stored text is embedded again (batched: <see cref="ExpertsPerCall"/> experts' evidence per generator
/// call, which batches further by <c>Embeddings:BatchSize</c>), each expert's centroid becomes the normalised mean of the
/// new evidence vectors (<see cref="ExpertIndexEntry.CentroidOf"/>), and every row gets the new model id and dimensions.
/// The fix for an <see cref="EmbeddingMismatchException"/> after the embedding provider, deployment or size changed.
/// </summary>
/// <remarks>
/// <para>Idempotent: an expert whose centroid and evidence all carry the configured model and size is skipped (unless
/// forced), so a second run writes nothing and a run that stopped half-way resumes where it stopped.</para>
/// <para>Only vector fields of expert rows are written (a merge), so opt-outs or caps changed meanwhile are kept. An expert
/// without evidence rows is embedded from its profile fields (job title, department, skills, about-me) as one "about"
/// evidence item, as the import does. Rows still in the pre-sharding layout are moved to their shard.</para>
/// <para>The text embedded is the stored evidence text (at most 4,000 characters, as the import stores it); evidence rows
/// without text cannot be embedded and are dropped.</para>
/// </remarks>
public sealed class ExpertReembedder(
    StorageClients storage,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ExpertDirectory directory,
    ILogger<ExpertReembedder> logger)
{
    /// <summary>Experts whose evidence goes to the generator in one call: 32.</summary>
    public const int ExpertsPerCall = 32;

    /// <summary>Re-embeds the directory and invalidates the in-memory index.</summary>
    /// <param name="force">Re-embed every expert, even those already in the configured model's space.</param>
    /// <param name="progress">Receives progress after the start and after every <see cref="ExpertsPerCall"/> experts.</param>
    /// <param name="cancellationToken">Cancels the run; experts written so far keep their new vectors.</param>
    /// <returns>The counts and the model now stored.</returns>
    /// <exception cref="System.ClientModel.ClientResultException">The embedding service failed after its retries (e.g. still throttled).</exception>
    public async Task<ReembedResult> ReembedAsync(bool force, IProgress<ReembedProgress>? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var model = await VectorModel.OfGeneratorAsync(embeddings, cancellationToken).ConfigureAwait(false);
        var experts = await ExpertTables.ReadExpertsAsync(storage, cancellationToken).ConfigureAwait(false);
        int done = 0, reembedded = 0, evidenceCount = 0, moved = 0, unembeddable = 0;
        progress?.Report(new ReembedProgress(0, experts.Count, 0));

        foreach (var chunk in experts.Chunk(ExpertsPerCall))
        {
            var loaded = await Task.WhenAll(chunk.Select(async e => (Expert: e, Rows: await ExpertTables.ReadEvidenceOfAsync(
                storage, e.ExpertId, includeLegacy: e.PartitionKey == ExpertEntity.LegacyPartition, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
            var work = new List<(ExpertEntity Expert, List<EvidenceEntity> Rows)>();
            foreach (var (e, rows) in loaded)
            {
                if (!force && IsCurrent(e, rows, model)) continue;
                var embeddable = rows.Where(r => !string.IsNullOrWhiteSpace(r.Text)).ToList();
                if (embeddable.Count == 0 && About(e) is { } about) embeddable.Add(about);
                if (embeddable.Count == 0)
                {
                    logger.LogWarning("Expert {ExpertId} has no evidence text and no profile text; its vector is cleared and it is not indexed", e.ExpertId);
                    await ClearVectorAsync(e, cancellationToken).ConfigureAwait(false);
                    unembeddable++;
                    continue;
                }

                work.Add((e, embeddable));
            }

            if (work.Count > 0)
            {
                var texts = work.SelectMany(w => w.Rows.Select(r => r.Text)).ToList();
                var vectors = await embeddings.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
                var offsets = new int[work.Count];
                for (int i = 1; i < work.Count; i++) offsets[i] = offsets[i - 1] + work[i - 1].Rows.Count;
                await Parallel.ForEachAsync(Enumerable.Range(0, work.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    var (expert, rows) = work[i];
                    var mine = Enumerable.Range(offsets[i], rows.Count).Select(j => vectors[j]).ToList();
                    var wasLegacy = await WriteAsync(expert, rows, mine, ct).ConfigureAwait(false);
                    if (wasLegacy) Interlocked.Increment(ref moved);
                    Interlocked.Add(ref evidenceCount, rows.Count);
                }).ConfigureAwait(false);
                reembedded += work.Count;
            }

            done += chunk.Length;
            progress?.Report(new ReembedProgress(done, experts.Count, reembedded));
        }

        directory.Invalidate();
        var elapsed = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Re-embedded {Reembedded} of {ExpertCount} experts ({EvidenceCount} evidence) with {Model} in {ElapsedMs:0} ms",
            reembedded, experts.Count, evidenceCount, model, elapsed.TotalMilliseconds);
        return new ReembedResult(experts.Count, reembedded, experts.Count - reembedded - unembeddable, evidenceCount, moved, unembeddable, model, elapsed);
    }

    /// <summary>True when the expert's centroid and every evidence vector already carry <paramref name="model"/>, in the sharded layout.</summary>
    private static bool IsCurrent(ExpertEntity e, List<EvidenceEntity> rows, VectorModel model) =>
        e.PartitionKey != ExpertEntity.LegacyPartition &&
        e.Vector is not null && e.VectorModel == model.ModelId && e.VectorDimensions == model.Dimensions && e.Vector.Length == model.Dimensions * sizeof(float) &&
        rows.All(r => r.PartitionKey == EvidenceEntity.PartitionFor(e.ExpertId) && r.Vector is not null &&
                      r.VectorModel == model.ModelId && r.VectorDimensions == model.Dimensions);

    private static EvidenceEntity? About(ExpertEntity e)
    {
        var items = ExpertImporter.EvidenceOf(new ExpertProfile(e.ExpertId, e.Name, e.Email, e.Department, e.JobTitle, e.AboutMe,
            e.Skills.Split("; ", StringSplitOptions.RemoveEmptyEntries), [], e.AnswerCount, e.LastActive));
        return items.Count == 0 ? null : new EvidenceEntity { RowKey = KeyEncoding.Encode(items[0].SourceId), Kind = items[0].Kind, Title = items[0].Title, Text = items[0].Text };
    }

    /// <summary>Writes the new vectors of one expert; returns true when the expert was moved out of the pre-sharding layout.</summary>
    private async Task<bool> WriteAsync(ExpertEntity expert, List<EvidenceEntity> rows, List<Embedding<float>> vectors, CancellationToken cancellationToken)
    {
        var model = VectorModel.Of(vectors[0]);
        var pk = EvidenceEntity.PartitionFor(expert.ExpertId);
        var newRows = new List<EvidenceEntity>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var v = vectors[i].Vector;
            if (v.Length != model.Dimensions) throw new EmbeddingMismatchException(model, VectorModel.Of(vectors[i]));
            newRows.Add(new EvidenceEntity
            {
                PartitionKey = pk, RowKey = r.RowKey, Kind = r.Kind, Title = r.Title, Text = r.Text, When = r.When, AskedAt = r.AskedAt,
                Vector = VectorCodec.Encode(v.Span), VectorModel = VectorModel.Of(vectors[i]).ModelId, VectorDimensions = v.Length,
            });
        }

        await ExpertImporter.WriteEvidenceAsync(storage.Table(TableNames.Evidence), pk, newRows, cancellationToken).ConfigureAwait(false);
        var centroid = ExpertIndexEntry.CentroidOf(vectors.Select(v => v.Vector));
        var experts = storage.Table(TableNames.Experts);
        if (expert.PartitionKey == ExpertEntity.LegacyPartition)
        {
            expert.PartitionKey = ExpertEntity.PartitionFor(expert.ExpertId);
            expert.Vector = VectorCodec.Encode(centroid);
            expert.VectorModel = model.ModelId;
            expert.VectorDimensions = centroid.Length;
            await experts.UpsertEntityAsync(expert, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            await ExpertImporter.DeleteLegacyAsync(storage, expert, cancellationToken).ConfigureAwait(false);
            return true;
        }

        await experts.UpdateEntityAsync(VectorFields(expert, VectorCodec.Encode(centroid), model.ModelId, centroid.Length), ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        return false;
    }

    private Task ClearVectorAsync(ExpertEntity e, CancellationToken cancellationToken)
    {
        // A merge cannot remove a property, so the whole row is replaced without its vector.
        e.Vector = null;
        e.VectorModel = "";
        e.VectorDimensions = 0;
        return storage.Table(TableNames.Experts).UpdateEntityAsync(e, ETag.All, TableUpdateMode.Replace, cancellationToken);
    }

    private static TableEntity VectorFields(ExpertEntity e, byte[] vector, string modelId, int dimensions) => new(e.PartitionKey, e.RowKey)
    {
        [nameof(ExpertEntity.Vector)] = vector,
        [nameof(ExpertEntity.VectorModel)] = modelId,
        [nameof(ExpertEntity.VectorDimensions)] = dimensions,
    };
}
