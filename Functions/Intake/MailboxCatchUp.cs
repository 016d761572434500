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
/// <param name="Initial">True when it started without a stored delta link.</param>
/// <param name="Note">Why nothing ran, when nothing did; otherwise empty.</param>
public sealed record CatchUpResult(int Enqueued, int Pages, bool Initial, string Note = "");

/// <summary>
/// Catch-up (<c>CatchUpMailbox</c>, every 15 minutes, after a <c>missed</c> lifecycle event and after a subscription is
/// recreated): a delta query on the shared mailbox's inbox messages (source: "message: delta",
/// learn.microsoft.com/graph/api/message-delta) from the delta link stored with the current subscription, following
/// every <c>@odata.nextLink</c> page and storing the final <c>@odata.deltaLink</c>. Every message id goes to
/// <c>inbound-mail</c> like a change notification; intake dedupes by Internet Message-ID, so overlap with notifications
/// is harmless. Without a stored delta link only messages received within <see cref="GraphOptions.InitialCatchUpHours"/>
/// are enqueued; a delta link Graph no longer accepts (410) starts over the same way.
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

    private string Mailbox => mail.Value.SharedAddress;

    /// <summary>Runs one catch-up; <paramref name="reason"/> is logged.</summary>
    /// <exception cref="MailboxAccessDeniedException">The app may not read the mailbox (Mail.Read).</exception>
    /// <exception cref="MailboxThrottledException">Graph asked to wait longer than one run waits.</exception>
    public async Task<CatchUpResult> RunAsync(string reason, CancellationToken cancellationToken)
    {
        var table = storage.Table(TableNames.Subscriptions);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.ReadAllAsync<SubscriptionEntity>(SubscriptionEntity.PartitionFor(Mailbox), cancellationToken).ConfigureAwait(false);
        var row = rows.MaxBy(r => r.ExpiresAt);
        if (row is null)
        {
            logger.LogWarning("Catch-up ({Reason}) skipped: no subscription is stored for {Mailbox} yet; RenewMailSubscription creates one and catches up", reason, Mailbox);
            return new CatchUpResult(0, 0, false, "no subscription stored yet");
        }

        CatchUpResult result;
        string deltaLink;
        try
        {
            (result, deltaLink) = await DeltaAsync(row.DeltaLink, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 410 && row.DeltaLink.Length > 0)
        {
            logger.LogWarning("The stored delta link of {Mailbox} is no longer valid (410); starting a new delta sync", Mailbox);
            (result, deltaLink) = await DeltaAsync("", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, "delta query on the inbox", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }

        // Merge only the catch-up columns: a concurrent renewal of the same row keeps its expiry.
        await table.UpsertEntityAsync(new TableEntity(row.PartitionKey, row.RowKey)
        {
            [nameof(SubscriptionEntity.DeltaLink)] = deltaLink,
            [nameof(SubscriptionEntity.CaughtUpAt)] = time.GetUtcNow(),
        }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Catch-up of {Mailbox} ({Reason}): {Count} messages enqueued from {Pages} delta pages", Mailbox, reason, result.Enqueued, result.Pages);
        return result;
    }

    private async Task<(CatchUpResult, string)> DeltaAsync(string storedLink, CancellationToken cancellationToken)
    {
        var initial = storedLink.Length == 0;
        var since = time.GetUtcNow() - TimeSpan.FromHours(graphOptions.Value.InitialCatchUpHours);
        var builder = graph.Users[Mailbox].MailFolders["inbox"].Messages.Delta;
        var page = initial
            ? await builder.GetAsDeltaGetResponseAsync(r =>
            {
                r.QueryParameters.Select = ["id", "receivedDateTime", "parentFolderId"];
                Prefer(r.Headers);
            }, cancellationToken).ConfigureAwait(false)
            : await builder.WithUrl(storedLink).GetAsDeltaGetResponseAsync(r => Prefer(r.Headers), cancellationToken).ConfigureAwait(false);

        var queue = storage.Queue(QueueNames.InboundMail);
        var enqueued = 0;
        var pages = 0;
        while (true)
        {
            pages++;
            foreach (var message in page?.Value ?? [])
            {
                if (message.Id is not { Length: > 0 } id || IsRemoved(message)) continue;
                if (initial && message.ReceivedDateTime is { } received && received < since) continue;
                await queue.SendJsonAsync(new InboundMailMessage(id, InboundMailMessage.GraphSource), cancellationToken).ConfigureAwait(false);
                enqueued++;
            }
            if (page?.OdataNextLink is { Length: > 0 } next)
            {
                page = await builder.WithUrl(next).GetAsDeltaGetResponseAsync(r => Prefer(r.Headers), cancellationToken).ConfigureAwait(false);
                continue;
            }
            var deltaLink = page?.OdataDeltaLink;
            if (string.IsNullOrEmpty(deltaLink))
                throw new InvalidOperationException($"The delta query on the inbox of {Mailbox} ended without @odata.nextLink or @odata.deltaLink.");
            return (new CatchUpResult(enqueued, pages, initial), deltaLink);
        }
    }

    private static void Prefer(RequestHeaders headers)
    {
        headers.Add("Prefer", GraphMailbox.PreferImmutableId);
        headers.Add("Prefer", $"odata.maxpagesize={PageSize}");
    }

    /// <summary>A delta item for a message that left the folder (<c>@removed</c>).</summary>
    private static bool IsRemoved(Message message) => message.AdditionalData?.ContainsKey("@removed") == true;
}
