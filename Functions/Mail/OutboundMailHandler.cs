using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Mail;

/// <summary>
/// Handles <c>outbound-mail</c>: composes the mail from stored state and sends it through the <see cref="IMailbox"/>:
/// routed requests to experts and experts' answers relayed to the asker. What was sent already (the route has
/// <see cref="RouteEntity.RequestSentAt"/> or <see cref="RouteEntity.RelayedAt"/>) is not sent again.
/// </summary>
public sealed class OutboundMailHandler(IMailbox mailbox, StorageClients storage, Outcomes.OutcomeLog outcomes, Intake.ThreadIndex threads, IOptions<MailOptions> mail, TimeProvider time, ILogger<OutboundMailHandler> logger)
{
    /// <summary>
    /// Sends one mail. Throws <see cref="InvalidOperationException"/> for an unknown kind or missing state. When the mailbox
    /// throttles, the message is re-queued with the requested delay; when it refuses (permission), the error is logged
    /// once and the message parked in <c>outbound-mail-poison</c> (<see cref="MailboxFailures"/>).
    /// </summary>
    public async Task HandleAsync(OutboundMailMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MailboxFailures.Handles(ex))
        {
            await MailboxFailures.TryHandleAsync(ex, storage, QueueNames.OutboundMail, message, logger, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(OutboundMailMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind is not ("request" or "relay" or "followup" or "asker" or "notice" or "standing" or "resumed") || (message.ExpertId is null && message.Kind != "notice"))
            throw new InvalidOperationException($"Unknown outbound mail kind '{message.Kind}'.");
        if (message.Kind == "resumed")
        {
            // An expert's "resume" written as a new mail: no question, no thread.
            var expert = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(message.ExpertId!), KeyEncoding.Encode(message.ExpertId!), cancellationToken).ConfigureAwait(false);
            if (expert is null || expert.OptedOut || expert.PausedUntil > time.GetUtcNow() || expert.StandingConfirmed == $"resumed:{expert.StandingRef}") return;
            await mailbox.SendAsync(RoutedRequestComposer.ComposeResumed(expert.Name, expert.Email, mail.Value, time.GetUtcNow()), $"standing:{expert.ExpertId}:resumed:{expert.StandingRef}", cancellationToken).ConfigureAwait(false);
            await MarkConfirmedAsync(expert, $"resumed:{expert.StandingRef}", cancellationToken).ConfigureAwait(false);
            return;
        }
        var question = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(message.QuestionId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"Question {message.QuestionId} does not exist.");
        if (message.Kind == "notice")
        {
            // Only while the question is still unrouted: the asker may have added text and it was routed meanwhile.
            if (question.State != QuestionStates.Unrouted || question.UnroutedReason.Length == 0)
            {
                logger.LogInformation("Question {QuestionId} is {State}; no notice to its asker", question.QuestionId, question.State);
                return;
            }
            var notice = RoutedRequestComposer.ComposeUnroutedNotice(question, mail.Value, time.GetUtcNow());
            // One notice per reason: a retry sends nothing twice; after added text that still finds nobody, the new reason is told.
            await mailbox.SendAsync(notice, $"notice:{question.QuestionId}:{KeyEncoding.Hash(question.UnroutedReason)[..12]}", cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Told the asker of {QuestionId} why it was not routed", question.QuestionId);
            return;
        }
        ArgumentNullException.ThrowIfNull(message.ExpertId);
        var routes = storage.Table(TableNames.Routes);
        var route = await routes.GetOrNullAsync<RouteEntity>(message.QuestionId, KeyEncoding.Encode(message.ExpertId), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Route {message.QuestionId} → {message.ExpertId} does not exist.");
        if (message.Kind == "relay")
        {
            await RelayAsync(question, route, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (message.Kind == "asker")
        {
            await RelayAskerRepliesAsync(question, route, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (message.Kind == "standing")
        {
            await ConfirmStandingAsync(question, route, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (message.Kind == "followup")
        {
            await RelayFollowUpAsync(question, route, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (route.RequestSentAt is not null)
        {
            logger.LogInformation("Request {QuestionId} to {ExpertId} was sent before; not sending again", message.QuestionId, message.ExpertId);
            return;
        }
        if (question.ResolvedByAskerAt is not null)
        {
            // The asker wrote "never mind" while this request was still waiting to go out: it is not sent.
            logger.LogInformation("Request {QuestionId} to {ExpertId} not sent: the asker no longer needs an answer", message.QuestionId, message.ExpertId);
            return;
        }
        var mime = RoutedRequestComposer.Compose(question, route, mail.Value);
        await mailbox.SendAsync(mime, $"request:{question.QuestionId}:{route.ExpertId}", cancellationToken).ConfigureAwait(false);
        var sentAt = time.GetUtcNow();
        var carried = AskerReplies.Read(question.AskerRepliesJson).Count; // the request carries them
        await UpdateRouteAsync(route, r => { r.RequestSentAt ??= sentAt; r.AskerRepliesRelayed = Math.Max(r.AskerRepliesRelayed, carried); }, cancellationToken).ConfigureAwait(false);
        // The expert's "Re:" that loses the token and the thread headers still finds the question by its subject.
        await threads.RecordSubjectAsync(route.ExpertEmail, mime.Subject, question.QuestionId, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sent request {QuestionId} to {ExpertEmail}", message.QuestionId, route.ExpertEmail);
    }

    /// <summary>
    /// Relays the follow-ups of <paramref name="route"/> not yet relayed (all of them in one mail when several arrived
    /// before this ran); nothing when none is pending. The mailbox key names the newest follow-up, so a retry after a
    /// send does not send it twice.
    /// </summary>
    private async Task RelayFollowUpAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        if (route.FollowUpsRelayed >= route.FollowUps || string.IsNullOrWhiteSpace(route.FollowUpText))
        {
            logger.LogInformation("No follow-up of {ExpertId} on {QuestionId} is waiting; not relaying", route.ExpertId, question.QuestionId);
            return;
        }
        var mime = RoutedRequestComposer.ComposeFollowUp(question, route, mail.Value, time.GetUtcNow());
        await mailbox.SendAsync(mime, $"followup:{question.QuestionId}:{route.ExpertId}:{route.FollowUps}", cancellationToken).ConfigureAwait(false);
        var relayed = route.FollowUps;
        await UpdateRouteAsync(route, r =>
        {
            // Another follow-up came in meanwhile: the retry relays what is waiting then (the mailbox key counts them).
            if (r.FollowUps != relayed)
                throw new InvalidOperationException($"A further follow-up of {route.ExpertId} on {question.QuestionId} came in while one was relayed; retrying.");
            r.FollowUpsRelayed = relayed;
            r.FollowUpText = "";
        }, cancellationToken).ConfigureAwait(false);
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = Outcomes.OutcomeKinds.Relayed, QuestionId = question.QuestionId, ExpertId = route.ExpertId, At = time.GetUtcNow(),
            AskerEmail = question.AskerEmail, Department = route.ExpertDepartment,
            Detail = route.AnsweredAt is null ? $"question by {route.ExpertName} relayed to the asker" : $"follow-up {relayed} by {route.ExpertName} relayed to the asker",
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Relayed follow-up {Count} of {ExpertId} on {QuestionId} to {Asker}", relayed, route.ExpertId, question.QuestionId, question.AskerEmail);
    }

    /// <summary>
    /// Sends the asker's replies that <paramref name="route"/>'s expert has not had yet (all of them in one mail when several
    /// arrived before this ran); nothing when none is waiting. The mailbox key names the newest reply, so a retry after a
    /// send does not send it twice.
    /// </summary>
    private async Task RelayAskerRepliesAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        var replies = AskerReplies.Read(question.AskerRepliesJson);
        // A reply written to another expert's relayed answer is theirs alone.
        var waiting = replies.Skip(route.AskerRepliesRelayed).Where(r => AskerReplies.IsFor(r, route.ExpertId)).ToList();
        if (waiting.Count == 0)
        {
            if (route.AskerRepliesRelayed < replies.Count)
                await UpdateRouteAsync(route, r => r.AskerRepliesRelayed = Math.Max(r.AskerRepliesRelayed, replies.Count), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("No reply of the asker of {QuestionId} is waiting for {ExpertId}", question.QuestionId, route.ExpertId);
            return;
        }
        var mime = RoutedRequestComposer.ComposeAskerReplies(question, route, waiting, mail.Value, time.GetUtcNow());
        await mailbox.SendAsync(mime, $"asker:{question.QuestionId}:{route.ExpertId}:{replies.Count}", cancellationToken).ConfigureAwait(false);
        await UpdateRouteAsync(route, r => r.AskerRepliesRelayed = Math.Max(r.AskerRepliesRelayed, replies.Count), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Relayed {Count} reply(ies) of the asker of {QuestionId} to {ExpertId}", replies.Count, question.QuestionId, route.ExpertId);
    }

    /// <summary>
    /// The files of an answer, read again from the mail that brought it (<see cref="RouteEntity.AnswerMessageRef"/>): all of
    /// them when together at most <see cref="RelayAttachments.MaxTotalBytes"/>, else none and a note naming them, their
    /// size and whom to ask — as when the mail is no longer in the mailbox or cannot be read.
    /// </summary>
    private async Task<(IReadOnlyList<MimeKit.MimePart> Files, string? Note)> AnswerFilesAsync(RouteEntity route, CancellationToken cancellationToken)
    {
        var names = route.AnswerAttachments.Split("; ");
        var them = names.Length == 1 ? "it" : "them";
        var ask = $"Ask {route.ExpertName} ({route.ExpertEmail}) for {them}.";
        byte[]? raw = null;
        try
        {
            if (route.AnswerMessageRef.Length > 0) raw = await mailbox.ReadAsync(route.AnswerMessageRef, cancellationToken).ConfigureAwait(false);
        }
        catch (MailSkippedException ex)
        {
            logger.LogWarning("The answer mail {MessageRef} of {ExpertId} could not be read again for its files: {Reason}", route.AnswerMessageRef, route.ExpertId, ex.Reason);
        }
        MimeKit.MimeMessage? answer = null;
        if (raw is not null)
        {
            try
            {
                using var stream = new MemoryStream(raw, writable: false);
                answer = MimeKit.MimeMessage.Load(stream, cancellationToken);
            }
            catch (FormatException ex)
            {
                logger.LogWarning(ex, "The answer mail {MessageRef} could not be parsed again for its files", route.AnswerMessageRef);
            }
        }
        if (answer is null)
            return ([], $"[The answer came with {string.Join(", ", names)}; the mail is no longer in the shared mailbox, so the service could not pass {them} on. {ask}]");
        // In the mail's order, each file that still fits under the limit goes along; the others are named with their size.
        var files = RelayAttachments.Files(answer);
        var sent = new List<MimeKit.MimePart>();
        var left = new List<(MimeKit.MimePart Part, long Bytes)>();
        long total = 0;
        foreach (var f in files)
        {
            if (total + f.Bytes <= RelayAttachments.MaxTotalBytes) { sent.Add(f.Part); total += f.Bytes; }
            else left.Add(f);
        }
        if (left.Count == 0) return (sent, null);
        var leftThem = left.Count == 1 ? "it" : "them";
        return (sent, $"[The answer {(sent.Count > 0 ? "also " : "")}came with {string.Join(", ", left.Select(f => $"{RelayAttachments.Name(f.Part)} ({RelayAttachments.DescribeSize(f.Bytes)})"))}: " +
                      $"more than the {RelayAttachments.DescribeSize(RelayAttachments.MaxTotalBytes)} the service passes on in all. Ask {route.ExpertName} ({route.ExpertEmail}) for {leftThem}.]");
    }

    /// <summary>Confirms an expert's "pause", "stop" or "resume" as stored now — once per mail that set it
    /// (<see cref="ExpertEntity.StandingRef"/>): a retry sends nothing twice, a new mail gets its own confirmation.</summary>
    private async Task ConfirmStandingAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        var expert = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(route.ExpertId), KeyEncoding.Encode(route.ExpertId), cancellationToken).ConfigureAwait(false);
        if (expert is null)
        {
            logger.LogInformation("Expert {ExpertId} is no longer listed; no confirmation sent", route.ExpertId);
            return;
        }
        var now = time.GetUtcNow();
        DateTimeOffset? until = expert.OptedOut || !(expert.PausedUntil > now) ? null : expert.PausedUntil;
        var standing = expert.OptedOut ? "stop" : until is { } u ? u.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) : "resumed";
        var key = $"{standing}:{expert.StandingRef}";
        if (expert.StandingConfirmed == key)
        {
            logger.LogInformation("Expert {ExpertId} was told of this standing ({Standing}) before; not sending again", route.ExpertId, key);
            return;
        }
        var confirmation = RoutedRequestComposer.ComposeStanding(question, route, expert.OptedOut, until, expert.PauseUnread, mail.Value, now);
        await mailbox.SendAsync(confirmation, $"standing:{route.ExpertId}:{key}", cancellationToken).ConfigureAwait(false);
        await MarkConfirmedAsync(expert, key, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Confirmed to {ExpertId}: {Standing}", route.ExpertId, standing);
    }

    /// <summary>Stores <paramref name="key"/> as the standing confirmed to <paramref name="expert"/> (<see cref="ExpertEntity.StandingConfirmed"/>).</summary>
    private async Task MarkConfirmedAsync(ExpertEntity expert, string key, CancellationToken cancellationToken)
    {
        expert.StandingConfirmed = key;
        try
        {
            await storage.Table(TableNames.Experts).UpdateEntityAsync(expert, expert.ETag, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 412)
        {
            // The row changed meanwhile (another reply, an import): the mark is lost at worst, and one more mail may follow.
            logger.LogInformation("Expert {ExpertId} changed while the standing was confirmed; the mark was not stored", expert.ExpertId);
        }
    }

    private async Task RelayAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        if (route.RelayedAt is not null || route.AnsweredAt is null)
        {
            logger.LogInformation("Answer {QuestionId} by {ExpertId} was relayed before (or never given); not relaying", question.QuestionId, route.ExpertId);
            return;
        }
        var (files, note) = route.AnswerAttachments.Length > 0 ? await AnswerFilesAsync(route, cancellationToken).ConfigureAwait(false) : ([], null);
        var mime = RoutedRequestComposer.ComposeRelay(question, route, mail.Value, files, note);
        await mailbox.SendAsync(mime, $"relay:{question.QuestionId}:{route.ExpertId}", cancellationToken).ConfigureAwait(false);
        var relayedAt = time.GetUtcNow();
        route = await UpdateRouteAsync(route, r => r.RelayedAt ??= relayedAt, cancellationToken).ConfigureAwait(false);
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = Outcomes.OutcomeKinds.Relayed, QuestionId = question.QuestionId, ExpertId = route.ExpertId, At = route.RelayedAt!.Value,
            AskerEmail = question.AskerEmail, Department = route.ExpertDepartment, Detail = $"answer by {route.ExpertName} relayed to the asker",
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Relayed the answer of {ExpertId} on {QuestionId} to {Asker}", route.ExpertId, question.QuestionId, question.AskerEmail);
    }

    /// <summary>Records on the route what a sent mail changed (<see cref="TableExtensions.UpdateWithRetryAsync"/>: an answer,
    /// a follow-up or the asker's reply recorded at the same time does not fail the message).</summary>
    private Task<RouteEntity> UpdateRouteAsync(RouteEntity route, Action<RouteEntity> apply, CancellationToken cancellationToken) =>
        storage.Table(TableNames.Routes).UpdateWithRetryAsync(route, r => { apply(r); return true; }, $"a sent mail to {route.ExpertId}", cancellationToken);
}
