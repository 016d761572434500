using Microsoft.Extensions.Logging;
using SocialLearning.Intake;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>Counts of one local pipeline run.</summary>
/// <param name="MailsPickedUp">Mails claimed from the inbox.</param>
/// <param name="Duplicates">Mails intake had taken in before (the same Message-ID, or the same mail claimed again) and
/// ignored: nothing recorded for them a second time.</param>
/// <param name="MessagesProcessed">Queue messages handled (all queues).</param>
public sealed record PipelineRun(int MailsPickedUp, int MessagesProcessed, int Duplicates = 0);

/// <summary>
/// Drives the pipeline locally, off the same Azurite queues the Functions host would use: picks up new mail, then
/// drains <c>inbound-mail</c> → <c>route-question</c> → <c>outbound-mail</c> with <see cref="QueueWorker"/> (same retry and
/// poison semantics as host.json) until no message is left (messages waiting for a retry are waited for).
/// </summary>
public sealed class PipelineRunner(
    MailboxPoller poller,
    QueueWorker worker,
    InboundMailHandler intake,
    RouteQuestionHandler routing,
    OutboundMailHandler outbound,
    StorageClients storage,
    ILogger<PipelineRunner> logger)
{
    /// <summary>Sort key of a route-question message: the question's received time (round-trip format), then its id.</summary>
    private async Task<string> ReceivedOrderKeyAsync(string body, CancellationToken cancellationToken)
    {
        var id = QueueJson.Parse<RouteQuestionMessage>(body).QuestionId;
        var q = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(id, QuestionEntity.Row, cancellationToken).ConfigureAwait(false);
        return (q?.ReceivedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "") + " " + id;
    }

    /// <summary>Runs until every queue is empty; <paramref name="progress"/> receives the running count of handled messages.</summary>
    public async Task<PipelineRun> RunAsync(IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var picked = await poller.PollAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        var duplicates = 0;
        string[] queues = [QueueNames.InboundMail, QueueNames.RouteQuestion, QueueNames.OutboundMail];
        while (true)
        {
            var n = 0;
            // All waiting mail first, then routing of every question in the order received, one at a time (the capacity
            // cap depends on order), as if the mails had arrived one after another.
            int taken;
            do
            {
                taken = await worker.ProcessBatchAsync(QueueNames.InboundMail, async (body, ct) =>
                {
                    var result = await intake.HandleAsync(QueueJson.Parse<InboundMailMessage>(body), ct).ConfigureAwait(false);
                    if (result.State == "Duplicate") Interlocked.Increment(ref duplicates);
                }, cancellationToken).ConfigureAwait(false);
                n += taken;
            }
            while (taken > 0);
            n += await worker.ProcessAllInOrderAsync(QueueNames.RouteQuestion, ReceivedOrderKeyAsync,
                (body, ct) => routing.HandleAsync(QueueJson.Parse<RouteQuestionMessage>(body), ct), cancellationToken).ConfigureAwait(false);
            n += await worker.ProcessBatchAsync(QueueNames.OutboundMail,
                (body, ct) => outbound.HandleAsync(QueueJson.Parse<OutboundMailMessage>(body), ct), cancellationToken).ConfigureAwait(false);
            total += n;
            if (n > 0)
            {
                progress?.Report(total);
                continue;
            }
            var pending = 0;
            foreach (var q in queues) pending += await worker.PendingAsync(q, cancellationToken).ConfigureAwait(false);
            if (pending == 0) break;
            // Messages are waiting for their retry visibility: wait like the host's polling interval.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Pipeline run finished: {MailCount} mails picked up, {MessageCount} queue messages handled", picked, total);
        return new PipelineRun(picked, total, duplicates);
    }
}
