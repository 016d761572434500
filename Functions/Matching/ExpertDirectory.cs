using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Routing;
using SocialLearning.Storage;

namespace SocialLearning.Matching;

/// <summary>An expert as the router sees it: profile fields without vectors.</summary>
/// <param name="Id">Expert id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Address.</param>
/// <param name="Department">Department.</param>
/// <param name="Skills">Declared skills or top tags.</param>
/// <param name="AnswerCount">Answers in the profile period.</param>
/// <param name="Available">Takes part: active and not opted out ("stop"). Only such experts are in the index.</param>
/// <param name="PausedUntil">End of a "pause" (UTC), or null. A paused expert stays in the index and is ranked, and routing
/// passes them over with the reason until then (<see cref="Routing.ExpertSelection"/>), so a question only they could
/// answer is a bottleneck, not a knowledge gap.</param>
public sealed record DirectoryExpert(string Id, string Name, string Email, string Department, IReadOnlyList<string> Skills, int AnswerCount, bool Available,
    DateTimeOffset? PausedUntil = null)
{
    /// <summary>Whether a pause holds at <paramref name="at"/>.</summary>
    /// <param name="at">The time a request would be sent.</param>
    public bool IsPausedAt(DateTimeOffset at) => PausedUntil is { } until && until > at;
}

/// <summary>An immutable snapshot of the directory: the hybrid index (vectors, BM25 statistics, priors) plus expert details by id.</summary>
/// <param name="Hybrid">The <see cref="HybridIndex"/> over available experts: evidence vectors and centroids, BM25 over the
/// evidence texts, recent activity measured at <paramref name="LoadedAt"/>, responsiveness.</param>
/// <param name="Experts">Expert details by id.</param>
/// <param name="MaxAnswerCount">Highest answer count in the directory.</param>
/// <param name="LoadedAt">When the snapshot was read.</param>
public sealed record DirectorySnapshot(HybridIndex Hybrid, IReadOnlyDictionary<string, DirectoryExpert> Experts, int MaxAnswerCount, DateTimeOffset LoadedAt)
{
    private ILookup<string, DirectoryExpert>? _byEmail;

    /// <summary>The vector index inside <see cref="Hybrid"/>.</summary>
    public ExpertIndex Index => Hybrid.Vectors;

    /// <summary>Every listing with <paramref name="email"/> (compared ignoring case), in any order; empty for "" or an unknown
    /// address. One person can be listed more than once (synced from Entra and imported, two accounts sharing a mailbox);
    /// routing asks an address once per question and caps it as one person. Grouped once per snapshot, on first use.</summary>
    /// <param name="email">A mail address.</param>
    public IEnumerable<DirectoryExpert> ListingsOf(string email) =>
        string.IsNullOrEmpty(email) ? [] :
        (_byEmail ??= Experts.Values.Where(e => !string.IsNullOrEmpty(e.Email)).ToLookup(e => e.Email, StringComparer.OrdinalIgnoreCase))[email];

    /// <summary>The department of the listing(s) with <paramref name="email"/> (the first one that has one), or null when the
    /// address is not listed or no listing names a department.</summary>
    /// <param name="email">A mail address.</param>
    public string? DepartmentOf(string email) => ListingsOf(email).Select(e => e.Department).FirstOrDefault(d => !string.IsNullOrEmpty(d));
}

/// <summary>
/// Keeps the in-memory expert index. The first routing call reads the <c>Experts</c> and <c>Evidence</c> tables once —
/// one query per shard (<see cref="ExpertShards"/>), all in parallel — and builds the <see cref="HybridIndex"/> (vectors,
/// BM25 term statistics over the evidence texts, activity priors); later calls use the snapshot (no table reads per
/// question) until <see cref="RoutingOptions.IndexRefreshSeconds"/> pass or <see cref="Invalidate"/> is called (after an
/// import or a re-embed).
/// </summary>
/// <remarks>
/// Loading throws <see cref="EmbeddingMismatchException"/> when the stored vectors are of more than one model or size
/// (a centroid against another centroid, or an expert's evidence against its centroid): the fix is the <c>reembed</c>
/// command. Rows still in the pre-sharding layout are read too (their evidence one expert at a time) with a warning.
/// </remarks>
public sealed class ExpertDirectory(StorageClients storage, IOptions<RoutingOptions> options, TimeProvider time, ILogger<ExpertDirectory> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile DirectorySnapshot? _snapshot;

    /// <summary>Drops the snapshot so the next call reloads it.</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>Figures of the latest load (rows, index size, read and build time); null before the first load.</summary>
    public DirectoryLoadStats? LastLoad { get; private set; }

    /// <summary>The current snapshot, loading it when absent or older than the refresh interval.</summary>
    /// <exception cref="EmbeddingMismatchException">The stored vectors are of more than one model or size: run <c>reembed</c>.</exception>
    public async Task<DirectorySnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var s = _snapshot;
        var maxAge = TimeSpan.FromSeconds(options.Value.IndexRefreshSeconds);
        if (s is not null && time.GetUtcNow() - s.LoadedAt < maxAge) return s;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            s = _snapshot;
            if (s is not null && time.GetUtcNow() - s.LoadedAt < maxAge) return s;
            s = await LoadAsync(cancellationToken).ConfigureAwait(false);
            _snapshot = s;
            return s;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reloads the snapshot unless the current one is younger than <paramref name="minAge"/> — for a caller that suspects
    /// the snapshot is stale (e.g. its vectors no longer match the generator's after a <c>reembed</c> elsewhere) without
    /// reloading on every question while the mismatch lasts.
    /// </summary>
    /// <param name="minAge">A snapshot younger than this is returned as it is.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="EmbeddingMismatchException">The stored vectors are of more than one model or size: run <c>reembed</c>.</exception>
    public async Task<DirectorySnapshot> RefreshAsync(TimeSpan minAge, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var s = _snapshot;
            if (s is not null && time.GetUtcNow() - s.LoadedAt < minAge) return s;
            s = await LoadAsync(cancellationToken).ConfigureAwait(false);
            _snapshot = s;
            return s;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The expert columns the index needs; about-me, job title, hashes and the rest stay in the table.</summary>
    internal static readonly string[] ExpertColumns =
    [
        nameof(ExpertEntity.PartitionKey), nameof(ExpertEntity.RowKey), nameof(ExpertEntity.ExpertId), nameof(ExpertEntity.Name),
        nameof(ExpertEntity.Email), nameof(ExpertEntity.Department), nameof(ExpertEntity.Skills), nameof(ExpertEntity.AnswerCount),
        nameof(ExpertEntity.Active), nameof(ExpertEntity.OptedOut), nameof(ExpertEntity.PausedUntil), nameof(ExpertEntity.Vector), nameof(ExpertEntity.VectorModel),
        nameof(ExpertEntity.VectorDimensions),
    ];

    /// <summary>The evidence columns the index needs (the text too: BM25 statistics are built from it).</summary>
    internal static readonly string[] EvidenceColumns =
    [
        nameof(EvidenceEntity.PartitionKey), nameof(EvidenceEntity.RowKey), nameof(EvidenceEntity.Title), nameof(EvidenceEntity.Text),
        nameof(EvidenceEntity.Kind), nameof(EvidenceEntity.When), nameof(EvidenceEntity.AskedAt),
        nameof(EvidenceEntity.Vector), nameof(EvidenceEntity.VectorModel), nameof(EvidenceEntity.VectorDimensions),
    ];

    private async Task<DirectorySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var expertsTask = ExpertTables.ReadExpertsAsync(storage, cancellationToken, ExpertColumns);
        var evidenceTask = ExpertTables.ReadShardedEvidenceAsync(storage, cancellationToken, EvidenceColumns);
        await Task.WhenAll(expertsTask, evidenceTask).ConfigureAwait(false);
        var experts = expertsTask.Result;
        var evidenceByPartition = new Dictionary<string, List<EvidenceEntity>>(StringComparer.Ordinal);
        foreach (var row in evidenceTask.Result)
        {
            if (!evidenceByPartition.TryGetValue(row.PartitionKey, out var list)) evidenceByPartition[row.PartitionKey] = list = [];
            list.Add(row);
        }

        var legacy = experts.Where(e => e.PartitionKey == ExpertEntity.LegacyPartition && e.Active && !e.OptedOut && e.Vector is not null).ToList();
        if (legacy.Count > 0)
        {
            logger.LogWarning("{LegacyCount} experts are stored in the pre-sharding layout (partition '{Partition}'); run `import` or `reembed` to move them to their shards",
                legacy.Count, ExpertEntity.LegacyPartition);
            await Parallel.ForEachAsync(legacy, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (e, ct) =>
            {
                var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {EvidenceEntity.LegacyPartitionFor(e.ExpertId)}");
                var rows = new List<EvidenceEntity>();
                await foreach (var row in storage.Table(TableNames.Evidence).QueryAsync<EvidenceEntity>(filter, 1000, EvidenceColumns, ct).ConfigureAwait(false))
                    rows.Add(row);
                lock (evidenceByPartition) evidenceByPartition[EvidenceEntity.PartitionFor(e.ExpertId)] = rows;
            }).ConfigureAwait(false);
        }

        var read = time.GetElapsedTime(started);
        var details = new Dictionary<string, DirectoryExpert>(experts.Count, StringComparer.Ordinal);
        var entries = new List<HybridExpert>(experts.Count);
        VectorModel? model = null;
        var maxAnswers = 0;
        foreach (var e in experts)
        {
            // Paused experts stay in the index (routing passes them over with the reason); opted-out and inactive ones do not.
            var available = e.Active && !e.OptedOut;
            details[e.ExpertId] = new DirectoryExpert(e.ExpertId, e.Name, e.Email, e.Department,
                e.Skills.Split("; ", StringSplitOptions.RemoveEmptyEntries), e.AnswerCount, available, e.PausedUntil);
            maxAnswers = Math.Max(maxAnswers, e.AnswerCount);
            if (!available || e.Vector is null) continue;
            var m = new VectorModel(e.VectorModel, e.VectorDimensions);
            if (model is null) model = m;
            else if (model != m)
                throw new EmbeddingMismatchException(model, m); // the directory holds vectors of two models: re-embed
            var evidence = new List<HybridEvidence>();
            if (evidenceByPartition.TryGetValue(EvidenceEntity.PartitionFor(e.ExpertId), out var rows))
            {
                foreach (var v in rows)
                {
                    if (v.Vector is null) continue;
                    if (v.VectorModel != m.ModelId || v.VectorDimensions != m.Dimensions)
                        throw new EmbeddingMismatchException(m, new VectorModel(string.IsNullOrWhiteSpace(v.VectorModel) ? "unknown" : v.VectorModel, Math.Max(1, v.VectorDimensions)));
                    evidence.Add(new HybridEvidence(KeyEncoding.Decode(v.RowKey), v.Title, v.Text, v.When, v.Kind == "answer",
                        VectorCodec.Decode(v.Vector), v.AskedAt));
                }
            }
            entries.Add(new HybridExpert(e.ExpertId, e.AnswerCount, VectorCodec.Decode(e.Vector), evidence, details[e.ExpertId].Skills));
        }
        var now = time.GetUtcNow();
        var halfLife = TimeSpan.FromDays(options.Value.Weights.RecencyHalfLifeDays);
        // Recent activity is measured now, or at the directory's latest answer when that is older (an imported archive such
        // as a Stack Exchange dump): measured years later every decayed count would round to 0 and the prior would vanish.
        var latest = entries.SelectMany(e => e.Evidence).Where(v => v.IsAnswer && v.When is not null).Select(v => v.When!.Value)
            .DefaultIfEmpty(now).Max();
        var reference = latest < now ? latest : now;
        var index = model is null ? HybridIndex.Empty(VectorModel.MiniLm) : new HybridIndex(model, entries, reference, halfLife);
        var total = time.GetElapsedTime(started);
        LastLoad = new DirectoryLoadStats(details.Count, entries.Count, entries.Sum(e => e.Evidence.Count), read, total - read);
        logger.LogInformation("Loaded expert index: {ExpertCount} experts, {EvidenceCount} evidence vectors, {TermCount} BM25 terms in {ElapsedMs:0} ms (read {ReadMs:0} ms)",
            entries.Count, LastLoad.EvidenceVectors, index.Lexical.TermCount, total.TotalMilliseconds, read.TotalMilliseconds);
        return new DirectorySnapshot(index, details, maxAnswers, now);
    }
}

/// <summary>Figures of the latest directory load.</summary>
/// <param name="Experts">Expert rows read (active or not).</param>
/// <param name="IndexedExperts">Experts in the index (active, not opted out, with a vector).</param>
/// <param name="EvidenceVectors">Evidence vectors in the index.</param>
/// <param name="Read">Wall time of the table reads (all shards in parallel).</param>
/// <param name="Build">Wall time of decoding the rows and building the index.</param>
public sealed record DirectoryLoadStats(int Experts, int IndexedExperts, int EvidenceVectors, TimeSpan Read, TimeSpan Build);
