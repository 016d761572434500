using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>
/// The hard capacity cap of routing, durable across processes: every request sent is recorded in the
/// <c>ExpertRequests</c> table (PartitionKey encoded expert id, RowKey question id), and an expert who already holds
/// <see cref="RoutingOptions.MaxRequestsPerExpert"/> requests for questions received from
/// <see cref="RoutingOptions.CapacityWindowDays"/> before a question's time on is skipped for it. One partition query per
/// candidate looked at (normally 3–4 per question, a few milliseconds against Table Storage).
/// </summary>
/// <remarks>
/// <para>The window is measured on question time, so a replay of dated mail (the sample's morning, a dump's test period)
/// caps the way the service would have at the time. It has no upper end: requests for questions received after this one
/// count too. When questions are routed as they arrive there are none; when a question is routed later (an escalation
/// after a pass, a question routed again once its asker added text) the requests sent meanwhile are real load.</para>
/// <para>The soft load term of the ranker (<see cref="ExpertLoad"/>, in memory) spreads requests before the cap bites; this
/// cap is the rule that holds when workers restart or scale out, and when several questions are routed at once
/// (<see cref="TryReserveAsync"/>: write, then count the earlier writes).</para>
/// </remarks>
public sealed class ExpertCapacity(StorageClients storage, IOptions<RoutingOptions> options)
{
    /// <summary>The cap (0 = none).</summary>
    public int Cap => options.Value.MaxRequestsPerExpert;

    /// <summary>The window the cap counts over.</summary>
    public TimeSpan Window => TimeSpan.FromDays(options.Value.CapacityWindowDays);

    /// <summary>
    /// Requests <paramref name="expertId"/> holds for questions received after <paramref name="asOf"/> − window (later
    /// questions included: see the remarks), not counting <paramref name="exceptQuestionId"/> (a retried routing of the
    /// same question).
    /// </summary>
    /// <param name="expertId">Expert id (unencoded).</param>
    /// <param name="asOf">The question's received time.</param>
    /// <param name="exceptQuestionId">The question being routed, or null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<int> CountAsync(string expertId, DateTimeOffset asOf, string? exceptQuestionId, CancellationToken cancellationToken)
    {
        var rows = await WindowAsync(expertId, asOf, cancellationToken).ConfigureAwait(false);
        return rows.Count(e => !string.Equals(e.QuestionId, exceptQuestionId, StringComparison.Ordinal));
    }

    /// <summary>The requests of <paramref name="expertId"/> for questions received after <paramref name="asOf"/> − window: one partition query.</summary>
    private async Task<List<ExpertRequestEntity>> WindowAsync(string expertId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expertId);
        var pk = KeyEncoding.Encode(expertId);
        var since = asOf - Window;
        var filter = TableClient.CreateQueryFilter<ExpertRequestEntity>(e => e.PartitionKey == pk && e.QuestionReceivedAt > since);
        var rows = new List<ExpertRequestEntity>();
        await foreach (var e in storage.Table(TableNames.ExpertRequests).QueryAsync<ExpertRequestEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            rows.Add(e);
        return rows;
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

    /// <summary>
    /// Reserves a request to <paramref name="expertId"/> for <paramref name="questionId"/> under the cap, safely against
    /// concurrent routers: the request row is written first, then the expert's rows in the window are read, and the
    /// reservation holds only if fewer than <see cref="Cap"/> of them were written before it (ordered by the server's
    /// insert time, then question id). Otherwise the row is deleted again. Two routers racing for the last place
    /// therefore agree on who got it — the earlier insert — so the cap is never exceeded. Idempotent for a retried
    /// question (its own row is found and kept).
    /// </summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="questionId">The question being routed.</param>
    /// <param name="questionReceivedAt">The question's received time (the window starts one window length before it).</param>
    /// <param name="askedAt">When the route is decided.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Whether the request may be sent, and how many requests held earlier places in the window.</returns>
    public async Task<(bool Reserved, int Earlier)> TryReserveAsync(string expertId, string questionId, DateTimeOffset questionReceivedAt, DateTimeOffset askedAt,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expertId);
        ArgumentException.ThrowIfNullOrEmpty(questionId);
        await RecordAsync(expertId, questionId, questionReceivedAt, askedAt, cancellationToken).ConfigureAwait(false);
        if (Cap <= 0) return (true, 0);
        var rows = await WindowAsync(expertId, questionReceivedAt, cancellationToken).ConfigureAwait(false);
        var mine = rows.FirstOrDefault(r => string.Equals(r.QuestionId, questionId, StringComparison.Ordinal));
        if (mine is null) return (true, 0); // our row lies outside its own window only if the clock data is odd; do not block
        var earlier = rows.Count(r => !ReferenceEquals(r, mine) &&
                                      (r.Timestamp < mine.Timestamp || (r.Timestamp == mine.Timestamp && string.CompareOrdinal(r.QuestionId, questionId) < 0)));
        if (earlier < Cap) return (true, earlier);
        await storage.Table(TableNames.ExpertRequests).DeleteEntityAsync(mine.PartitionKey, mine.RowKey, mine.ETag, cancellationToken).ConfigureAwait(false);
        return (false, earlier);
    }

    /// <summary>Gives back the place a request held under the cap (the asker no longer needs an answer, so the request is
    /// void); idempotent: nothing happens when there is none.</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="questionId">Question id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <exception cref="Azure.RequestFailedException">The table could not be written (other than the row being gone).</exception>
    public async Task ReleaseAsync(string expertId, string questionId, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Table(TableNames.ExpertRequests).DeleteEntityAsync(KeyEncoding.Encode(expertId), KeyEncoding.Encode(questionId), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // released before (a retry), or never reserved
        }
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
