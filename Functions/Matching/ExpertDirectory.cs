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
/// <param name="Available">Active and not opted out.</param>
public sealed record DirectoryExpert(string Id, string Name, string Email, string Department, IReadOnlyList<string> Skills, int AnswerCount, bool Available);

/// <summary>An immutable snapshot of the directory: the hybrid index (vectors, BM25 statistics, priors) plus expert details by id.</summary>
/// <param name="Hybrid">The <see cref="HybridIndex"/> over available experts: evidence vectors and centroids, BM25 over the
/// evidence texts, recent activity measured at <paramref name="LoadedAt"/>, responsiveness.</param>
/// <param name="Experts">Expert details by id.</param>
/// <param name="MaxAnswerCount">Highest answer count in the directory.</param>
/// <param name="LoadedAt">When the snapshot was read.</param>
public sealed record DirectorySnapshot(HybridIndex Hybrid, IReadOnlyDictionary<string, DirectoryExpert> Experts, int MaxAnswerCount, DateTimeOffset LoadedAt)
{
    /// <summary>The vector index inside <see cref="Hybrid"/>.</summary>
    public ExpertIndex Index => Hybrid.Vectors;
}

/// <summary>
/// Keeps the in-memory expert index. The first routing call reads the <c>Experts</c> and <c>Evidence</c> tables once and
/// builds the <see cref="HybridIndex"/> (vectors, BM25 term statistics over the evidence texts, activity priors);
/// later calls use the snapshot (no table reads per question) until <see cref="RoutingOptions.IndexRefreshSeconds"/>
/// pass or <see cref="Invalidate"/> is called (after an import).
/// </summary>
public sealed class ExpertDirectory(StorageClients storage, IOptions<RoutingOptions> options, TimeProvider time, ILogger<ExpertDirectory> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile DirectorySnapshot? _snapshot;

    /// <summary>Drops the snapshot so the next call reloads it.</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>The current snapshot, loading it when absent or older than the refresh interval.</summary>
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

    private async Task<DirectorySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var expertsTask = storage.Table(TableNames.Experts).ReadAllAsync<ExpertEntity>(ExpertEntity.Partition, cancellationToken);
        var evidenceTask = storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(null, cancellationToken);
        await Task.WhenAll(expertsTask, evidenceTask).ConfigureAwait(false);
        var experts = expertsTask.Result;
        var evidenceByExpert = evidenceTask.Result.GroupBy(e => e.PartitionKey).ToDictionary(g => g.Key, g => g.ToList());

        var details = new Dictionary<string, DirectoryExpert>(StringComparer.Ordinal);
        var entries = new List<HybridExpert>();
        VectorModel? model = null;
        foreach (var e in experts)
        {
            var available = e.Active && !e.OptedOut && (e.PausedUntil is null || e.PausedUntil <= time.GetUtcNow());
            details[e.ExpertId] = new DirectoryExpert(e.ExpertId, e.Name, e.Email, e.Department,
                e.Skills.Split("; ", StringSplitOptions.RemoveEmptyEntries), e.AnswerCount, available);
            if (!available || e.Vector is null) continue;
            var m = new VectorModel(e.VectorModel, e.VectorDimensions);
            if (model is null) model = m;
            else if (model != m)
                throw new EmbeddingMismatchException(model, m); // the directory holds vectors of two models: re-embed
            var evidence = evidenceByExpert.TryGetValue(e.RowKey, out var list)
                ? list.Where(v => v.Vector is not null && v.VectorModel == m.ModelId)
                      .Select(v => new HybridEvidence(KeyEncoding.Decode(v.RowKey), v.Title, v.Text, v.When, v.Kind == "answer",
                          VectorCodec.Decode(v.Vector!), v.AskedAt))
                      .ToList()
                : [];
            entries.Add(new HybridExpert(e.ExpertId, e.AnswerCount, VectorCodec.Decode(e.Vector), evidence));
        }
        var now = time.GetUtcNow();
        var halfLife = TimeSpan.FromDays(HybridWeights.Default.RecencyHalfLifeDays);
        // Recent activity is measured now, or at the directory's latest answer when that is older (an imported archive such
        // as a Stack Exchange dump): measured years later every decayed count would round to 0 and the prior would vanish.
        var latest = entries.SelectMany(e => e.Evidence).Where(v => v.IsAnswer && v.When is not null).Select(v => v.When!.Value)
            .DefaultIfEmpty(now).Max();
        var reference = latest < now ? latest : now;
        var index = model is null ? HybridIndex.Empty(VectorModel.MiniLm) : new HybridIndex(model, entries, reference, halfLife);
        var maxAnswers = details.Count == 0 ? 0 : details.Values.Max(d => d.AnswerCount);
        logger.LogInformation("Loaded expert index: {ExpertCount} experts, {EvidenceCount} evidence vectors, {TermCount} BM25 terms in {ElapsedMs:0} ms",
            entries.Count, entries.Sum(e => e.Evidence.Count), index.Lexical.TermCount, time.GetElapsedTime(started).TotalMilliseconds);
        return new DirectorySnapshot(index, details, maxAnswers, now);
    }
}
