using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>
/// The hard capacity cap of routing, durable across processes: every request sent is recorded in the
/// <c>ExpertRequests</c> table (PartitionKey encoded expert id, RowKey question id), and an expert who already holds
/// <see cref="RoutingOptions.MaxRequestsPerExpert"/> requests for questions received in the
/// <see cref="RoutingOptions.CapacityWindowDays"/> before a question is skipped for it. One partition query per candidate
/// looked at (normally 3–4 per question, a few milliseconds against Table Storage).
/// </summary>
/// <remarks>
/// The soft load term of the ranker (<see cref="ExpertLoad"/>, in memory) spreads requests before the cap bites; this cap
/// is the rule that holds when workers restart or scale out. Two workers routing different questions to the same expert
/// in the same instant can each see a count below the cap, so the cap may be exceeded by the number of concurrent
/// workers; requests are never lost for it.
/// </remarks>
public sealed class ExpertCapacity(StorageClients storage, IOptions<RoutingOptions> options)
{
    /// <summary>The cap (0 = none).</summary>
    public int Cap => options.Value.MaxRequestsPerExpert;

    /// <summary>The window the cap counts over.</summary>
    public TimeSpan Window => TimeSpan.FromDays(options.Value.CapacityWindowDays);

    /// <summary>
    /// Requests <paramref name="expertId"/> received for questions received in (<paramref name="asOf"/> − window,
    /// <paramref name="asOf"/>], not counting <paramref name="exceptQuestionId"/> (a retried routing of the same question).
    /// </summary>
    /// <param name="expertId">Expert id (unencoded).</param>
    /// <param name="asOf">The question's received time.</param>
    /// <param name="exceptQuestionId">The question being routed, or null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<int> CountAsync(string expertId, DateTimeOffset asOf, string? exceptQuestionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expertId);
        var pk = KeyEncoding.Encode(expertId);
        var since = asOf - Window;
        var filter = TableClient.CreateQueryFilter<ExpertRequestEntity>(e => e.PartitionKey == pk && e.QuestionReceivedAt > since && e.QuestionReceivedAt <= asOf);
        var n = 0;
        await foreach (var e in storage.Table(TableNames.ExpertRequests)
                           .QueryAsync<ExpertRequestEntity>(filter, select: [nameof(ExpertRequestEntity.QuestionId)], cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            if (!string.Equals(e.QuestionId, exceptQuestionId, StringComparison.Ordinal)) n++;
        }
        return n;
    }

    /// <summary>Whether <paramref name="expertId"/> is at the cap for a question received at <paramref name="asOf"/>; with the count.</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="asOf">The question's received time.</param>
    /// <param name="questionId">The question being routed (not counted against itself).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<(bool AtCap, int Count)> CheckAsync(string expertId, DateTimeOffset asOf, string questionId, CancellationToken cancellationToken)
    {
        if (Cap <= 0) return (false, 0);
        var count = await CountAsync(expertId, asOf, questionId, cancellationToken).ConfigureAwait(false);
        return (count >= Cap, count);
    }

    /// <summary>Records one request (idempotent: the same expert and question twice leave one row).</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="questionId">Question id.</param>
    /// <param name="questionReceivedAt">The question's received time.</param>
    /// <param name="askedAt">When the route was decided.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task RecordAsync(string expertId, string questionId, DateTimeOffset questionReceivedAt, DateTimeOffset askedAt, CancellationToken cancellationToken) =>
        storage.Table(TableNames.ExpertRequests).TryAddAsync(new ExpertRequestEntity
        {
            PartitionKey = KeyEncoding.Encode(expertId), RowKey = KeyEncoding.Encode(questionId), ExpertId = expertId, QuestionId = questionId,
            QuestionReceivedAt = questionReceivedAt, AskedAt = askedAt,
        }, cancellationToken);
}
