using Azure;
using Azure.Data.Tables;

namespace SocialLearning.Storage;

/// <summary>Small helpers over <see cref="TableClient"/> that the repositories share.</summary>
public static class TableExtensions
{
    /// <summary>Point read; null when the row does not exist (404), other failures propagate.</summary>
    public static async Task<T?> GetOrNullAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Inserts the row; returns false when a row with the same keys already exists (409), leaving it unchanged.</summary>
    public static async Task<bool> TryAddAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the row if its ETag still matches; returns false on a concurrent change (412).</summary>
    public static async Task<bool> TryReplaceAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            entity.ETag = response.Headers.ETag ?? entity.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Reads every row of the table (or of one partition) page by page.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this TableClient table, string? partitionKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var filter = partitionKey is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        var list = new List<T>();
        await foreach (var e in table.QueryAsync<T>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            list.Add(e);
        return list;
    }

    /// <summary>
    /// Optimistic update: applies <paramref name="apply"/> to <paramref name="entity"/> and replaces the row if its ETag
    /// still matches; on a concurrent change (412) reads the row again and applies the change to that, up to 10 times.
    /// <paramref name="apply"/> returns false when there is nothing to write (the change is there already, or no longer
    /// wanted); it may throw to give up. Returns the row as last read or written. Throws
    /// <see cref="InvalidOperationException"/> naming <paramref name="what"/> when the row keeps changing or disappears,
    /// so a queue message is retried.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="entity">The row as read.</param>
    /// <param name="apply">Changes the row; false for nothing to write.</param>
    /// <param name="what">What the update records, for the error ("the asker's reply on Q-7K2M9P").</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public static async Task<T> UpdateWithRetryAsync<T>(this TableClient table, T entity, Func<T, bool> apply, string what, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!apply(entity) || await table.TryReplaceAsync(entity, cancellationToken).ConfigureAwait(false)) return entity;
            if (attempt >= 10)
                throw new InvalidOperationException($"{table.Name} row {entity.PartitionKey}/{entity.RowKey} kept changing while {what} was recorded; the message will be retried.");
            entity = await table.GetOrNullAsync<T>(entity.PartitionKey, entity.RowKey, cancellationToken).ConfigureAwait(false)
                     ?? throw new InvalidOperationException($"{table.Name} row {entity.PartitionKey}/{entity.RowKey} disappeared while {what} was recorded.");
        }
    }
}
