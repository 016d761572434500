using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.MailFolders.Item.Messages.Delta;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Graph;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>What one catch-up did.</summary>
/// <param name="Enqueued">Message ids enqueued to <c>inbound-mail</c>.</param>
/// <param name="Pages">Delta pages read.</param>
/// <param name="Initial">True when it started a new round (no stored delta link, or Graph answered 410 to it).</param>
/// <param name="Skipped">Messages of the round received before <paramref name="Floor"/>, not enqueued (old mail whose read
/// state or flag changed).</param>
/// <param name="Floor">The received-date floor in force (UTC).</param>
public sealed record CatchUpResult(int Enqueued, int Pages, bool Initial, int Skipped, DateTimeOffset Floor);

/// <summary>
/// Catch-up (<c>CatchUpMailbox</c>, every 15 minutes, after a <c>missed</c> lifecycle event and after a subscription is
/// recreated): a delta query on the shared mailbox's inbox messages (source: "message: delta",
/// learn.microsoft.com/graph/api/message-delta; "Get incremental changes to messages in a folder",
/// learn.microsoft.com/graph/delta-query-messages) from the link stored in the mailbox's <see cref="MailboxSyncEntity"/>,
/// following every <c>@odata.nextLink</c> page and storing the final <c>@odata.deltaLink</c>. Every message id goes to
/// <c>inbound-mail</c> like a change notification; intake dedupes by Internet Message-ID, so overlap with notifications
/// is harmless.
/// <list type="bullet">
/// <item>The first round asks Graph for created messages only (<c>changeType=created</c>, which Graph carries into every
/// later link) received since the floor (<c>$filter=receivedDateTime ge …</c>): now minus
/// <see cref="GraphOptions.InitialCatchUpHours"/>. The floor is stored, and a message received before it is skipped in
/// every round: Graph also returns read-state changes of old messages, whatever the filter, and a mail that was in the
/// inbox before the service was is never a new question.</item>
/// <item>A large round stores its page link every <see cref="ProgressEveryPages"/> pages, so a run cut off by the
/// function's timeout resumes where it stopped instead of starting over.</item>
/// <item>A link Graph no longer accepts (410, or 400 on a stored page link of an unfinished round) starts a new round
/// from the later of the floor and an hour before the last completed round (the floor itself when none completed): days
/// of downtime lose no mail.</item>
/// <item>It runs whether or not a subscription exists, so mail still comes in while one cannot be created.</item>
/// </list>
/// </summary>
public sealed class MailboxCatchUp(
    GraphServiceClient graph,
    StorageClients storage,
    IOptions<MailOptions> mail,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<MailboxCatchUp> logger)
{
    /// <summary>Messages per delta page asked for (<c>Prefer: odata.maxpagesize</c>).</summary>
    public const int PageSize = 50;

    /// <summary>Pages after which a round's progress (its page link) is stored: 20 (1,000 messages).</summary>
    public const int ProgressEveryPages = 20;

    /// <summary>How far before the last completed round a restarted round (after 410) looks back: 1 hour.</summary>
    public static readonly TimeSpan RestartOverlap = TimeSpan.FromHours(1);

    private string Mailbox => mail.Value.SharedAddress;

    /// <summary>Runs one catch-up; <paramref name="reason"/> is logged.</summary>
    /// <exception cref="MailboxAccessDeniedException">The app may not read the mailbox (Mail.Read).</exception>
    /// <exception cref="MailboxThrottledException">Graph asked to wait longer than one run waits.</exception>
    public async Task<CatchUpResult> RunAsync(string reason, CancellationToken cancellationToken)
    {
        var table = storage.Table(TableNames.Subscriptions);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var state = await table.GetOrNullAsync<MailboxSyncEntity>(MailboxSyncEntity.PartitionFor(Mailbox), MailboxSyncEntity.InboxRowKey, cancellationToken).ConfigureAwait(false)
            ?? await NewStateAsync(table, cancellationToken).ConfigureAwait(false);

        CatchUpResult result;
        try
        {
            try
            {
                result = await RoundAsync(table, state, state.DeltaLink, state.ReceivedFloor, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException ex) when (state.DeltaLink.Length > 0 && (ex.ResponseStatusCode == 410 || (ex.ResponseStatusCode == 400 && state.RoundInProgress)))
            {
                // 410: the sync state is gone. 400 on a stored page link of an unfinished round: its skip token expired.
                var from = RestartFloor(state);
                logger.LogWarning("The stored delta link of {Mailbox} is no longer valid ({Status}); starting a new delta round from mail received since {From:u}", Mailbox, ex.ResponseStatusCode, from);
                result = await RoundAsync(table, state, "", from, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, "delta query on the inbox", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
        logger.LogInformation("Catch-up of {Mailbox} ({Reason}): {Count} messages enqueued from {Pages} delta pages", Mailbox, reason, result.Enqueued, result.Pages);
        return result;
    }

    /// <summary>Where a round restarted after 410 begins: the later of the stored floor and an hour before the last
    /// completed round; with no completed round (a first round cut off), the floor itself.</summary>
    private static DateTimeOffset RestartFloor(MailboxSyncEntity state) =>
        state.CaughtUpAt is { } caughtUp && caughtUp - RestartOverlap > state.ReceivedFloor ? caughtUp - RestartOverlap : state.ReceivedFloor;

    /// <summary>The first state of a mailbox: the floor now minus <see cref="GraphOptions.InitialCatchUpHours"/>; a delta link
    /// stored on a subscription row by an earlier version is carried over.</summary>
    private async Task<MailboxSyncEntity> NewStateAsync(TableClient table, CancellationToken cancellationToken)
    {
        var legacy = (await table.ReadAllAsync<SubscriptionEntity>(SubscriptionEntity.PartitionFor(Mailbox), cancellationToken).ConfigureAwait(false))
            .Where(r => r.DeltaLink.Length > 0).MaxBy(r => r.CaughtUpAt ?? r.CreatedAt);
        var now = time.GetUtcNow();
        var floor = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero) - TimeSpan.FromHours(graphOptions.Value.InitialCatchUpHours);
        if (legacy is not null && (legacy.CaughtUpAt ?? legacy.CreatedAt) - TimeSpan.FromHours(graphOptions.Value.InitialCatchUpHours) is var oldFloor && oldFloor < floor)
            floor = oldFloor;
        return new MailboxSyncEntity
        {
            PartitionKey = MailboxSyncEntity.PartitionFor(Mailbox), RowKey = MailboxSyncEntity.InboxRowKey,
            DeltaLink = legacy?.DeltaLink ?? "", CaughtUpAt = legacy?.CaughtUpAt, ReceivedFloor = floor,
        };
    }

    /// <summary>One delta round from <paramref name="link"/> (empty: a new round of messages received since
    /// <paramref name="from"/>), storing its progress and its final delta link in <paramref name="state"/>.</summary>
    private async Task<CatchUpResult> RoundAsync(TableClient table, MailboxSyncEntity state, string link, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var initial = link.Length == 0;
        var builder = graph.Users[Mailbox].MailFolders["inbox"].Messages.Delta;
        var page = initial
            ? await builder.GetAsDeltaGetResponseAsync(r =>
            {
                r.QueryParameters.ChangeType = "created";
                r.QueryParameters.Filter = "receivedDateTime ge " + from.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                r.QueryParameters.Select = ["id", "receivedDateTime", "parentFolderId"];
                Prefer(r.Headers);
            }, cancellationToken).ConfigureAwait(false)
            : await builder.WithUrl(link).GetAsDeltaGetResponseAsync(r => Prefer(r.Headers), cancellationToken).ConfigureAwait(false);

        var queue = storage.Queue(QueueNames.InboundMail);
        var enqueued = 0;
        var pages = 0;
        var skipped = 0;
        while (true)
        {
            pages++;
            foreach (var message in page?.Value ?? [])
            {
                if (message.Id is not { Length: > 0 } id || IsRemoved(message)) continue;
                if (message.ReceivedDateTime is { } received && received < state.ReceivedFloor)
                {
                    skipped++;
                    continue;
                }
                await queue.SendJsonAsync(new InboundMailMessage(id, InboundMailMessage.GraphSource), cancellationToken).ConfigureAwait(false);
                enqueued++;
            }
            if (page?.OdataNextLink is { Length: > 0 } next)
            {
                if (pages % ProgressEveryPages == 0) await SaveAsync(table, state, next, inProgress: true, cancellationToken).ConfigureAwait(false);
                page = await builder.WithUrl(next).GetAsDeltaGetResponseAsync(r => Prefer(r.Headers), cancellationToken).ConfigureAwait(false);
                continue;
            }
            var deltaLink = page?.OdataDeltaLink;
            if (string.IsNullOrEmpty(deltaLink))
                throw new InvalidOperationException($"The delta query on the inbox of {Mailbox} ended without @odata.nextLink or @odata.deltaLink.");
            state.CaughtUpAt = time.GetUtcNow();
            await SaveAsync(table, state, deltaLink, inProgress: false, cancellationToken).ConfigureAwait(false);
            if (skipped > 0)
                logger.LogInformation("Catch-up of {Mailbox} skipped {Skipped} messages received before {Floor:u} (changed, not new)", Mailbox, skipped, state.ReceivedFloor);
            return new CatchUpResult(enqueued, pages, initial, skipped, state.ReceivedFloor);
        }
    }

    private static async Task SaveAsync(TableClient table, MailboxSyncEntity state, string link, bool inProgress, CancellationToken cancellationToken)
    {
        state.DeltaLink = link;
        state.RoundInProgress = inProgress;
        await table.UpsertEntityAsync(state, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private static void Prefer(RequestHeaders headers)
    {
        headers.Add("Prefer", GraphMailbox.PreferImmutableId);
        headers.Add("Prefer", $"odata.maxpagesize={PageSize}");
    }

    /// <summary>A delta item for a message that left the folder (<c>@removed</c>).</summary>
    private static bool IsRemoved(Message message) => message.AdditionalData?.ContainsKey("@removed") == true;
}
