using Azure.Data.Tables;

namespace SocialLearning.Storage;

/// <summary>
/// Reads of the sharded expert directory (<c>Experts</c> and <c>Evidence</c> tables, see <see cref="ExpertShards"/>):
/// one query per shard, all shards in flight at once, each paging 1,000 rows at a time (the service's page limit).
/// </summary>
public static class ExpertTables
{
    /// <summary>
    /// Every row of the <c>Experts</c> table: the <see cref="ExpertShards.Count"/> shard partitions plus the
    /// pre-sharding <see cref="ExpertEntity.LegacyPartition"/>, queried in parallel. Order is by shard, then RowKey. An
    /// expert found in both its shard and the legacy partition is returned once, from its shard.
    /// </summary>
    /// <param name="storage">The service's storage clients.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <param name="select">Properties to read (a <c>$select</c> projection), or null for whole rows. Rows read with a
    /// projection must not be written back with <see cref="TableUpdateMode.Replace"/>: that would erase the rest.</param>
    /// <param name="parallelism">Partitions queried at once, 1 … 17; default all.</param>
    /// <returns>All expert rows, active or not.</returns>
    /// <exception cref="Azure.RequestFailedException">A query failed (e.g. the table does not exist).</exception>
    public static async Task<List<ExpertEntity>> ReadExpertsAsync(StorageClients storage, CancellationToken cancellationToken,
        IReadOnlyList<string>? select = null, int parallelism = ExpertShards.Count + 1)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var table = storage.Table(TableNames.Experts);
        var partitions = ExpertEntity.Partitions.Append(ExpertEntity.LegacyPartition);
        using var gate = new SemaphoreSlim(parallelism);
        var parts = await Task.WhenAll(partitions.Select(async p =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var list = new List<ExpertEntity>();
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {p}");
                await foreach (var e in table.QueryAsync<ExpertEntity>(filter, maxPerPage: 1000, select, cancellationToken).ConfigureAwait(false))
                {
                    list.Add(e);
                }

                return list;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        var all = Concat(parts);
        var legacy = parts[^1];
        if (legacy.Count > 0)
        {
            // A move to the shard that stopped between writing the new row and deleting the old one leaves both: the shard row wins.
            var sharded = all.Take(all.Count - legacy.Count).Select(e => e.ExpertId).ToHashSet(StringComparer.Ordinal);
            all.RemoveAll(e => e.PartitionKey == ExpertEntity.LegacyPartition && sharded.Contains(e.ExpertId));
        }

        return all;
    }

    /// <summary>
    /// Every evidence row in the sharded layout (PartitionKey <c>{shard}-{id}</c>): one PartitionKey range query per
    /// shard (<see cref="EvidenceEntity.ShardRange"/>), in parallel. Rows still in the pre-sharding layout are not
    /// included; read them per expert with <see cref="ReadEvidenceOfAsync"/>.
    /// </summary>
    /// <param name="storage">The service's storage clients.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <param name="select">Properties to read (a <c>$select</c> projection), or null for whole rows.</param>
    /// <returns>Evidence rows, grouped by PartitionKey in key order.</returns>
    public static async Task<List<EvidenceEntity>> ReadShardedEvidenceAsync(StorageClients storage, CancellationToken cancellationToken, IReadOnlyList<string>? select = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var table = storage.Table(TableNames.Evidence);
        var parts = await Task.WhenAll(Enumerable.Range(0, ExpertShards.Count).Select(async shard =>
        {
            var (from, to) = EvidenceEntity.ShardRange(shard);
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey lt {to}");
            var list = new List<EvidenceEntity>();
            await foreach (var e in table.QueryAsync<EvidenceEntity>(filter, maxPerPage: 1000, select, cancellationToken).ConfigureAwait(false))
            {
                list.Add(e);
            }

            return list;
        })).ConfigureAwait(false);
        return Concat(parts);
    }

    /// <summary>
    /// The evidence rows of one expert: its sharded partition and, when <paramref name="includeLegacy"/>, its
    /// pre-sharding partition (the encoded id).
    /// </summary>
    /// <param name="storage">The service's storage clients.</param>
    /// <param name="expertId">Expert id, unencoded.</param>
    /// <param name="includeLegacy">Also read the pre-sharding partition.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<List<EvidenceEntity>> ReadEvidenceOfAsync(StorageClients storage, string expertId, bool includeLegacy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var table = storage.Table(TableNames.Evidence);
        var rows = await table.ReadAllAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(expertId), cancellationToken).ConfigureAwait(false);
        if (includeLegacy)
        {
            rows.AddRange(await table.ReadAllAsync<EvidenceEntity>(EvidenceEntity.LegacyPartitionFor(expertId), cancellationToken).ConfigureAwait(false));
        }

        return rows;
    }

    private static List<T> Concat<T>(IReadOnlyList<List<T>> parts)
    {
        var all = new List<T>(parts.Sum(p => p.Count));
        foreach (var p in parts)
        {
            all.AddRange(p);
        }

        return all;
    }
}
