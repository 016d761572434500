using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SocialLearning.Matching;
using SocialLearning.Storage;

namespace SocialLearning.Experts;

/// <summary>Counts of one import.</summary>
/// <param name="Experts">Profiles written.</param>
/// <param name="Embedded">Profiles (re-)embedded; unchanged profiles keep their vectors.</param>
/// <param name="EvidenceItems">Evidence rows written.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Deactivated">Experts deactivated because the import replaced their source and they were not in it.</param>
public sealed record ImportResult(int Experts, int Embedded, int EvidenceItems, TimeSpan Elapsed, int Deactivated = 0);

/// <summary>
/// Writes expert profiles into the <c>Experts</c> and <c>Evidence</c> tables with their vectors. Each evidence item is
/// embedded (batched); the expert's centroid is the normalised mean of its evidence vectors, stored in the expert's
/// shard (<see cref="ExpertEntity.PartitionFor"/>, <see cref="EvidenceEntity.PartitionFor"/>). Profiles whose text and
/// vector model are unchanged since the last import are not re-embedded (a deactivated one is reactivated as it is);
/// profiles still in the pre-sharding layout are re-embedded and moved.
/// </summary>
public sealed class ExpertImporter(
    StorageClients storage,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ExpertDirectory directory,
    ILogger<ExpertImporter> logger)
{
    /// <summary>Imports profiles into the directory.</summary>
    /// <param name="profiles">The profiles to write.</param>
    /// <param name="source">Where they come from ("sample", "stackexchange", …), stored with each expert.</param>
    /// <param name="replaceDirectory">When true, experts of the same <paramref name="source"/> that are not in
    /// <paramref name="profiles"/> are deactivated (never deleted); experts from other sources (a Microsoft Entra sync, another
    /// import) are left alone unless <paramref name="allSources"/>.</param>
    /// <param name="progress">Receives the number of profiles done.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <param name="allSources">With <paramref name="replaceDirectory"/>: deactivate every expert not in <paramref name="profiles"/>,
    /// whatever their source — a demo scenario brings its whole directory.</param>
    /// <returns>Counts and time; <see cref="ImportResult.Deactivated"/> says how many were deactivated.</returns>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<ExpertProfile> profiles, string source, bool replaceDirectory, IProgress<int>? progress, CancellationToken cancellationToken,
        bool allSources = false)
    {
        var started = DateTimeOffset.UtcNow;
        var experts = storage.Table(TableNames.Experts);
        var evidenceTable = storage.Table(TableNames.Evidence);
        var existing = (await ExpertTables.ReadExpertsAsync(storage, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.ExpertId, StringComparer.Ordinal);
        var model = await VectorModel.OfGeneratorAsync(embeddings, cancellationToken).ConfigureAwait(false);

        int embedded = 0, evidenceCount = 0, done = 0;
        foreach (var chunk in profiles.Chunk(16))
        {
            var work = new List<(ExpertProfile Profile, string Hash, List<EvidenceItem> Items)>();
            foreach (var p in chunk)
            {
                var items = EvidenceOf(p);
                if (items.Count == 0)
                {
                    logger.LogWarning("Expert {ExpertId} has no evidence or profile text; not indexed", p.Id);
                    done++;
                    continue;
                }
                var hash = ProfileHash(p, items);
                if (existing.TryGetValue(p.Id, out var old) && old.ProfileHash == hash && old.Vector is not null &&
                    old.VectorModel == model.ModelId && old.VectorDimensions == model.Dimensions && old.PartitionKey == ExpertEntity.PartitionFor(p.Id))
                {
                    if (!old.Active)
                    {
                        // Back in the directory with the same profile: reactivate, keep the vectors (evidence rows are never deleted).
                        old.Active = true;
                        old.DeactivatedAt = null;
                        old.DeactivatedReason = "";
                        old.Source = source;
                        await experts.UpdateEntityAsync(old, old.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    }
                    done++;
                    continue;
                }
                work.Add((p, hash, items));
            }
            if (work.Count > 0)
            {
                var texts = work.SelectMany(w => w.Items.Select(i => i.Text)).ToList();
                var vectors = await embeddings.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
                var at = 0;
                foreach (var (p, hash, items) in work)
                {
                    var modelId = VectorModel.Of(vectors[at]).ModelId;
                    var dims = vectors[at].Vector.Length;
                    var centroid = new float[dims];
                    var rows = new List<EvidenceEntity>(items.Count);
                    // Evidence learned from relayed answers stays with the profile: in the centroid and in the answer count.
                    var current = await evidenceTable.ReadAllAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(p.Id), cancellationToken).ConfigureAwait(false);
                    var learned = current.Where(r => LearnedEvidence.IsLearned(r.RowKey)).ToList();
                    foreach (var r in learned.Where(r => r.Vector is not null && r.VectorModel == modelId && r.VectorDimensions == dims))
                        System.Numerics.Tensors.TensorPrimitives.Add(centroid, VectorCodec.Decode(r.Vector!), centroid);
                    foreach (var item in items)
                    {
                        var v = vectors[at++].Vector;
                        System.Numerics.Tensors.TensorPrimitives.Add(centroid, v.Span, centroid);
                        rows.Add(new EvidenceEntity
                        {
                            PartitionKey = EvidenceEntity.PartitionFor(p.Id), RowKey = KeyEncoding.Encode(item.SourceId),
                            Kind = item.Kind, Title = Truncate(item.Title, 300), Text = Truncate(item.Text, 4000), When = item.When, AskedAt = item.Asked,
                            Vector = VectorCodec.Encode(v.Span), VectorModel = modelId, VectorDimensions = dims,
                        });
                    }
                    var norm = System.Numerics.Tensors.TensorPrimitives.Norm(centroid);
                    if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(centroid, norm, centroid);
                    await WriteEvidenceAsync(evidenceTable, EvidenceEntity.PartitionFor(p.Id), rows, cancellationToken, current).ConfigureAwait(false);
                    await experts.UpsertEntityAsync(new ExpertEntity
                    {
                        PartitionKey = ExpertEntity.PartitionFor(p.Id), RowKey = KeyEncoding.Encode(p.Id), ExpertId = p.Id,
                        Name = Truncate(p.Name, 300), Email = p.Email, Department = Truncate(p.Department, 300), JobTitle = Truncate(p.JobTitle, 300),
                        AboutMe = Truncate(p.AboutMe, 8000), Skills = StoredSkills(p, logger), AnswerCount = p.AnswerCount + learned.Count,
                        LastActive = learned.Select(r => r.When).Append(p.LastActive).Max(), Active = true, OptedOut = existing.TryGetValue(p.Id, out var prev) && prev.OptedOut,
                        PausedUntil = prev?.PausedUntil, StandingConfirmed = prev?.StandingConfirmed ?? "",
                        Source = source, ProfileHash = hash, Vector = VectorCodec.Encode(centroid), VectorModel = modelId, VectorDimensions = dims,
                    }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    if (existing.TryGetValue(p.Id, out var moved) && moved.PartitionKey == ExpertEntity.LegacyPartition)
                        await DeleteLegacyAsync(storage, moved, cancellationToken).ConfigureAwait(false);
                    embedded++;
                    evidenceCount += rows.Count;
                    done++;
                }
            }
            progress?.Report(done);
        }
        var deactivated = 0;
        if (replaceDirectory)
        {
            var ids = profiles.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in existing.Values.Where(e => e.Active && !ids.Contains(e.ExpertId) && (allSources || string.Equals(e.Source, source, StringComparison.Ordinal))))
            {
                deactivated++;
                gone.Active = false;
                gone.DeactivatedAt = DateTimeOffset.UtcNow;
                gone.DeactivatedReason = $"not in the latest import ({source})";
                await experts.UpdateEntityAsync(gone, gone.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
        }
        directory.Invalidate();
        var elapsed = DateTimeOffset.UtcNow - started;
        logger.LogInformation("Imported {ExpertCount} experts from {Source} ({Embedded} embedded, {EvidenceCount} evidence) in {ElapsedMs:0} ms",
            profiles.Count, source, embedded, evidenceCount, elapsed.TotalMilliseconds);
        return new ImportResult(profiles.Count, embedded, evidenceCount, elapsed, deactivated);
    }

    /// <summary>Most skills stored with an expert: 200 (Table Storage caps a text property at 32,768 characters; a profile
    /// with thousands of skills made a whole sync fail with "PropertyValueTooLarge").</summary>
    public const int MaxStoredSkills = 200;

    /// <summary>Longest skill stored, in characters: 100.</summary>
    public const int MaxSkillLength = 100;

    /// <summary>The skills as stored ("a; b; c"): trimmed, blank and repeated ones (ignoring case) left out, each at most
    /// <see cref="MaxSkillLength"/> characters, at most <see cref="MaxStoredSkills"/> of them (the first ones, in the
    /// profile's order); a warning names the expert when some were left out.</summary>
    internal static string StoredSkills(ExpertProfile p, ILogger? logger = null)
    {
        var kept = p.Skills.Select(k => Truncate(k.Trim(), MaxSkillLength)).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (kept.Count > MaxStoredSkills)
        {
            logger?.LogWarning("Expert {ExpertId} lists {Count} skills; the first {Kept} are kept", p.Id, kept.Count, MaxStoredSkills);
            kept = kept.Take(MaxStoredSkills).ToList();
        }
        return string.Join("; ", kept);
    }

    /// <summary>The evidence embedded for a profile: its evidence items, plus one "about" item from about-me and skills when present.</summary>
    internal static List<EvidenceItem> EvidenceOf(ExpertProfile p)
    {
        var items = p.Evidence.Where(e => !string.IsNullOrWhiteSpace(e.Text)).ToList();
        if (!items.Any(i => i.Kind == "about"))
        {
            var about = string.Join(". ", new[] { p.JobTitle, p.Department, string.Join(", ", p.Skills), p.AboutMe }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (about.Length > 0) items.Add(new EvidenceItem("about", "about", p.JobTitle.Length > 0 ? $"profile: {p.JobTitle}" : "profile", Truncate(about, 1000), null));
        }
        return items;
    }

    /// <summary>
    /// Replaces the evidence partition <paramref name="pk"/> with <paramref name="rows"/>: rows no longer part of the
    /// profile are deleted — not those learned from relayed answers (<see cref="LearnedEvidence.IsLearned"/>), which no
    /// import brings — the others upserted, in transactions of at most 100 rows (one partition each).
    /// </summary>
    /// <param name="table">The Evidence table.</param>
    /// <param name="pk">The expert's evidence partition.</param>
    /// <param name="rows">The profile's evidence rows.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <param name="current">The partition's rows as read just before, or null to read them here.</param>
    internal static async Task WriteEvidenceAsync(TableClient table, string pk, List<EvidenceEntity> rows, CancellationToken cancellationToken,
        List<EvidenceEntity>? current = null)
    {
        var keep = rows.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
        var stale = current ?? await table.ReadAllAsync<EvidenceEntity>(pk, cancellationToken).ConfigureAwait(false);
        var actions = stale.Where(s => !keep.Contains(s.RowKey) && !LearnedEvidence.IsLearned(s.RowKey)).Select(s => new TableTransactionAction(TableTransactionActionType.Delete, s, Azure.ETag.All))
            .Concat(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        foreach (var batch in actions.Chunk(100))
            await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes an expert's pre-sharding rows (the <see cref="ExpertEntity.LegacyPartition"/> row and its evidence
    /// partition) after the expert was written to its shard. Missing rows are fine, so a repeated move changes nothing.
    /// </summary>
    internal static async Task DeleteLegacyAsync(StorageClients storage, ExpertEntity legacy, CancellationToken cancellationToken)
    {
        var evidence = storage.Table(TableNames.Evidence);
        var old = await evidence.ReadAllAsync<EvidenceEntity>(EvidenceEntity.LegacyPartitionFor(legacy.ExpertId), cancellationToken).ConfigureAwait(false);
        foreach (var batch in old.Chunk(100))
            await evidence.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, Azure.ETag.All)), cancellationToken).ConfigureAwait(false);
        await storage.Table(TableNames.Experts).DeleteEntityAsync(ExpertEntity.LegacyPartition, legacy.RowKey, Azure.ETag.All, cancellationToken).ConfigureAwait(false);
    }

    private static string ProfileHash(ExpertProfile p, List<EvidenceItem> items)
    {
        var sb = new StringBuilder().Append(p.Name).Append('\n').Append(p.Email).Append('\n').Append(p.Department).Append('\n')
            .Append(p.JobTitle).Append('\n').Append(p.AboutMe).Append('\n').AppendJoin(';', p.Skills).Append('\n').Append(p.AnswerCount);
        foreach (var i in items)
        {
            sb.Append('\n').Append(i.SourceId).Append('|').Append(i.Title).Append('|').Append(i.Text);
            if (i.Asked is { } asked) sb.Append('|').Append(asked.UtcTicks);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
