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
}
