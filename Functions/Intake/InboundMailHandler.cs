using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SocialLearning.Mail;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>What intake made of one mail.</summary>
/// <param name="State">"Question", "NonQuestion", "Duplicate", "Deferred" (re-queued: throttled, not found yet, or answering a mail not taken in yet) or
/// "Failed" (permanent mailbox error; the message was parked in the poison queue).</param>
/// <param name="Kind">Mail kind (Question, AutoReply, Bounce, Bulk, OwnMail, Empty, Malformed, Reply, Gone, NotInInbox,
/// NotFound, Throttled, AccessDenied).</param>
/// <param name="Reason">Human-readable explanation.</param>
/// <param name="QuestionId">Question id when the mail is (or was already) a question.</param>
public sealed record IntakeResult(string State, string Kind, string Reason, string? QuestionId);

/// <summary>
/// Handles <c>inbound-mail</c>: reads the mail, dedupes it by Internet Message-ID (hashed; a hash of the raw bytes when
/// the mail has none), classifies it, stores a question once, appends the <c>received</c> event and enqueues
/// <c>route-question</c>. Every mail ends in a recorded state in the <c>Messages</c> table with a reason. Each step is
/// idempotent, so a retried message changes nothing the second time.
/// </summary>
public sealed class InboundMailHandler(
    IMailbox mailbox,
    StorageClients storage,
    OutcomeLog outcomes,
    IOptions<MailOptions> mailOptions,
    Matching.ExpertDirectory directory,
    Experts.LearnedEvidence learning,
    ThreadIndex threads,
    IOptions<RoutingOptions> routingOptions,
    ExpertCapacity capacity,
    TimeProvider time,
    ILogger<InboundMailHandler> logger)
{
    /// <summary>State of a Messages row claimed by a handler that has not finished with the mail yet: "Processing".</summary>
    public const string ProcessingState = "Processing";

    /// <summary>Processes one inbound mail.</summary>
    public async Task<IntakeResult> HandleAsync(InboundMailMessage message, CancellationToken cancellationToken)
    {
        byte[]? raw;
        try
        {
            raw = await mailbox.ReadAsync(message.MessageRef, cancellationToken).ConfigureAwait(false);
        }
        catch (MailSkippedException skipped)
        {
            await RecordByRefAsync(message, skipped.Kind, skipped.Reason, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Inbound mail {MessageRef} is skipped: {Kind} — {Reason}", message.MessageRef, skipped.Kind, skipped.Reason);
            return new IntakeResult("NonQuestion", skipped.Kind, skipped.Reason, null);
        }
        catch (Exception ex) when (MailboxFailures.Handles(ex))
        {
            await MailboxFailures.TryHandleAsync(ex, storage, QueueNames.InboundMail, message, logger, cancellationToken).ConfigureAwait(false);
            return ex is MailboxThrottledException t
                ? new IntakeResult("Deferred", "Throttled", $"The mailbox asked to wait {t.RetryAfter.TotalSeconds:0} s; re-queued.", null)
                : new IntakeResult("Failed", "AccessDenied", ex.Message, null);
        }
        if (raw is null)
        {
            if (message.Source == InboundMailMessage.GraphSource)
                return await NotFoundAsync(message, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Inbound mail {MessageRef} is no longer in the mailbox; nothing to do", message.MessageRef);
            return new IntakeResult("NonQuestion", "Gone", "The mail is no longer in the mailbox.", null);
        }

        MimeMessage? mime = null;
        string? parseError = null;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            mime = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            foreach (var change in MailCharsets.Repair(mime))
                logger.LogInformation("Inbound mail {MessageRef}: charset repaired ({Change})", message.MessageRef, change);
        }
        catch (FormatException ex)
        {
            parseError = ex.Message;
        }

        var messageId = mime?.MessageId;
        var key = DedupeKey(messageId, mime?.From.Mailboxes.FirstOrDefault()?.Address, raw);
        var messages = storage.Table(TableNames.Messages);
        var seen = await messages.GetOrNullAsync<MessageEntity>(key[..2], key, cancellationToken).ConfigureAwait(false);
        if (seen is null)
        {
            // Claim the Message-ID before acting on the mail: two copies of one reply taken in by the same batch (handled in
            // parallel) both found no row, and the second was recorded as a follow-up and relayed again. The claim is an
            // insert, so exactly one copy wins; the loser is a duplicate. A retry of this same queue message (same mailbox
            // reference, after a crash between claim and outcome) finds its own claim and carries on.
            var claim = new MessageEntity
            {
                PartitionKey = key[..2], RowKey = key, MessageRef = message.MessageRef, InternetMessageId = messageId ?? "",
                ProcessedAt = time.GetUtcNow(), State = ProcessingState,
            };
            if (!await messages.TryAddAsync(claim, cancellationToken).ConfigureAwait(false))
                seen = await messages.GetOrNullAsync<MessageEntity>(key[..2], key, cancellationToken).ConfigureAwait(false);
        }
        // Our own claim, from an earlier attempt of this message — unless a deferral marked it for another queue message of
        // the same mail (a repeated notification while the deferred one waits).
        if (seen is not null && seen.State == ProcessingState && seen.MessageRef == message.MessageRef
            && !(seen.Reason.StartsWith(DeferMark, StringComparison.Ordinal) && seen.Reason != DeferMark + message.DeferToken))
            seen = null;
        if (seen is not null)
        {
            logger.LogInformation("Inbound mail {MessageRef} was processed before as {State} ({Kind}); skipping the duplicate",
                message.MessageRef, seen.State, seen.Kind);
            if (seen.State == "Question" && seen.QuestionId.Length > 0)
                await EnsureRoutingQueuedAsync(seen.QuestionId, cancellationToken).ConfigureAwait(false);
            await mailbox.MarkProcessedAsync(message.MessageRef, cancellationToken).ConfigureAwait(false);
            return new IntakeResult("Duplicate", seen.Kind, seen.State == ProcessingState
                ? "Another copy of this mail (the same Message-ID) is being processed."
                : $"Already processed as {seen.State}: {seen.Reason}", seen.QuestionId.Length > 0 ? seen.QuestionId : null);
        }

        var record = new MessageEntity
        {
            PartitionKey = key[..2], RowKey = key, MessageRef = message.MessageRef,
            InternetMessageId = messageId ?? "", ProcessedAt = time.GetUtcNow(),
            From = mime?.From.Mailboxes.FirstOrDefault()?.Address ?? "", Subject = Truncate(mime?.Subject ?? "", 500),
        };

        var text = mime is null ? "" : MailText.QuestionText(mime);
        var (kind, reason) = Classify(mime, parseError, text);
        var thread = kind == "Reply" ? await ThreadQuestionAsync(mime!, cancellationToken).ConfigureAwait(false) : null;
        // Thread headers naming a mail not taken in yet (the question of a reply-all handled at this very moment) come before
        // the subject: while the mail can still be put back, its subject does not place it in an older thread.
        var headers = mime is not null && (mime.InReplyTo is not null || mime.References.Count > 0);
        var canWait = message.Deferrals < UnknownThreadDeferrals && headers;
        if ((kind is "Reply" or nameof(MailKind.Question)) && thread is null && await KnownThreadAsync(mime!, !canWait, cancellationToken).ConfigureAwait(false) is { } known)
        {
            // No token that names a stored question, but it answers a mail the service took in for one (the asker's own
            // question, an expert's forward of the request), or it is the asker's or an asked expert's "Re:" under the
            // thread's subject: a reply in that thread, not a new question.
            (kind, reason, thread) = ("Reply", known.Reason, known.Question);
        }
        if (canWait && kind is "Reply" or nameof(MailKind.Question) && thread is null)
        {
            // It answers a mail the service has not taken in (yet): a colleague's reply-all to a question taken in at this
            // very moment (both mails in one batch, handled in parallel) would otherwise become a question of its own.
            return await DeferAsync(message, key, "UnknownThread", "it answers a mail not taken in yet", cancellationToken).ConfigureAwait(false);
        }
        if (message.Deferrals < DeferralDelays.Count && kind == "Reply" && thread is { State: QuestionStates.Received } && mime!.From.Mailboxes.FirstOrDefault() is { } copiedSender
            && IsCopied(thread, copiedSender.Address))
        {
            // A colleague the asker copied answers before routing has decided whether the ranking would ask them (the question
            // and the reply-all taken in together): wait for the routing, which gives them a route if it would.
            return await DeferAsync(message, key, "NotRoutedYet", "a copied colleague's reply to a question not routed yet", cancellationToken).ConfigureAwait(false);
        }
        if (kind == "Reply" && thread is null)
        {
            // A [Q-…] token (or In-Reply-To) that names no stored question — typed by hand, copied from an old mail, or of
            // a question cleared since — is not a reply to anything: the mail is taken as a new question.
            var c = MailClassifier.Classify(mime!, mailOptions.Value.SharedAddress);
            (kind, reason) = (c.Kind.ToString(), c.Reason + " Its thread token names no known question, so it is taken as a new question.");
        }
        // A listed expert's "please resume my requests" written as a new mail to the shared address is a command, not a question.
        if (kind == nameof(MailKind.Question) && mime is not null && ReplyCommands.Classify(text) == ReplyCommands.Resume
            && await ResumeByMailAsync(mime, message.MessageRef, cancellationToken).ConfigureAwait(false) is { } resumed)
            (kind, reason) = ("Command", resumed);
        if (kind != MailKind.Question.ToString())
        {
            var attachments = kind == "Reply" ? AttachmentNames(mime!) : [];
            if (kind == "Reply" && string.IsNullOrWhiteSpace(text) && attachments.Count == 0 && MailText.Forwarded(mime!, MailText.StartsAsForward(mime!.Subject)).Count == 0)
            {
                // Only a quote of the request, a signature or a mobile footer: nothing to relay, and no answer to time.
                (kind, reason) = (MailKind.Empty.ToString(),
                    $"A reply in the thread of {thread!.QuestionId} with no text of its own (only quoted text, a signature or a mobile footer); not counted as an answer, not relayed.");
            }
            else if (kind == "Reply")
                reason = await RecordReplyAsync(thread!, mime!, message.MessageRef, text, attachments, cancellationToken).ConfigureAwait(false);
            else if (kind == nameof(MailKind.AutoReply) && mime is not null && await AutoReplyPassAsync(mime, cancellationToken).ConfigureAwait(false) is { } away)
                reason = reason.TrimEnd('.', ' ') + ". " + away;
            record.State = "NonQuestion";
            record.Kind = kind;
            record.Reason = reason;
            await messages.UpsertEntityAsync(record, cancellationToken: cancellationToken).ConfigureAwait(false);
            await mailbox.MarkProcessedAsync(message.MessageRef, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Inbound mail {MessageRef} is not a question: {Kind} — {Reason}", message.MessageRef, kind, reason);
            return new IntakeResult("NonQuestion", kind, reason, null);
        }

        var newText = MailText.NewQuestionText(mime!);
        if (await ResentOfAsync(mime!, key, newText, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            // The same question sent again (a new Message-ID: "did my mail arrive?"): routing it again would ask the same
            // experts twice and spend their capacity. Replies to this copy land in the earlier question's thread.
            await threads.RecordAsync(mime!.MessageId, earlier.QuestionId, cancellationToken).ConfigureAwait(false);
            record.State = "NonQuestion";
            record.Kind = "Resent";
            record.Reason = $"The same question as {earlier.QuestionId} (same sender, subject and text), sent again; not routed again.";
            record.QuestionId = earlier.QuestionId;
            await messages.UpsertEntityAsync(record, cancellationToken: cancellationToken).ConfigureAwait(false);
            await mailbox.MarkProcessedAsync(message.MessageRef, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Inbound mail {MessageRef} resends question {QuestionId}", message.MessageRef, earlier.QuestionId);
            return new IntakeResult("NonQuestion", "Resent", record.Reason, earlier.QuestionId);
        }
        var questionId = await StoreQuestionAsync(mime!, key, newText, cancellationToken).ConfigureAwait(false);
        record.State = "Question";
        record.Kind = kind;
        record.Reason = reason;
        record.QuestionId = questionId;
        await messages.UpsertEntityAsync(record, cancellationToken: cancellationToken).ConfigureAwait(false);
        await mailbox.MarkProcessedAsync(message.MessageRef, cancellationToken).ConfigureAwait(false);
        return new IntakeResult("Question", kind, reason, questionId);
    }

    /// <summary>How long a mail put back waits before it is taken in again, by how often it was put back: 10 s, 30 s, 1 min,
    /// 2 min, 5 min. A mail that answers a mail not taken in yet waits at most the first <see cref="UnknownThreadDeferrals"/>
    /// (40 s: more than intake takes for the mail it answers when both arrive together, also when that one was put back
    /// itself), then it is taken as it is; a copied colleague's reply waits for its question's routing up to all of them
    /// (about 9 minutes, for a routing backlog), then it is kept as a reply.</summary>
    public static IReadOnlyList<TimeSpan> DeferralDelays { get; } =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    /// <summary>How many of <see cref="DeferralDelays"/> a mail that answers a mail not taken in yet waits: 2 (40 s).</summary>
    public const int UnknownThreadDeferrals = 2;

    /// <summary>Prefix of a claim's Reason while its mail is put back (<see cref="InboundMailMessage.DeferToken"/> follows).</summary>
    private const string DeferMark = "deferred:";

    /// <summary>Puts the mail back for the next of <see cref="DeferralDelays"/>: a new token is written on its claim and
    /// carried by the re-queued message, so only that message takes the mail in later.</summary>
    private async Task<IntakeResult> DeferAsync(InboundMailMessage message, string key, string kind, string why, CancellationToken cancellationToken)
    {
        var delay = DeferralDelays[message.Deferrals];
        var token = Guid.NewGuid().ToString("N");
        var messages = storage.Table(TableNames.Messages);
        // The put-back message first, then the mark: a crash in between leaves an unmarked claim, so this message's retry is
        // taken in as before (the mail is never lost; at worst taken in by both, as before deferrals).
        await storage.Queue(QueueNames.InboundMail).SendJsonAsync(message with { Deferrals = message.Deferrals + 1, DeferToken = token }, cancellationToken, delay).ConfigureAwait(false);
        await messages.UpdateWithRetryAsync(await messages.GetOrNullAsync<MessageEntity>(key[..2], key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The claim of mail {message.MessageRef} is gone."), m =>
        {
            if (m.State != ProcessingState) return false;
            m.Reason = DeferMark + token;
            return true;
        }, $"the claim of {message.MessageRef}", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Inbound mail {MessageRef}: {Why}; trying again in {Delay}", message.MessageRef, why, delay);
        return new IntakeResult("Deferred", kind, $"Put back: {why}; trying again in {delay.TotalSeconds:0} s.", null);
    }

    /// <summary>How long after a question the same sender's mail with the same subject and text counts as sent again: 1 day.</summary>
    public static TimeSpan ResendWindow { get; } = TimeSpan.FromDays(1);

    /// <summary>The stored question <paramref name="mime"/> repeats — same sender, same subject (the sender's newest question
    /// under it) and the same text apart from white space and letter case, received within <see cref="ResendWindow"/> —
    /// or null.</summary>
    private async Task<QuestionEntity?> ResentOfAsync(MimeMessage mime, string key, string text, CancellationToken cancellationToken)
    {
        var from = mime.From.Mailboxes.First().Address;
        if (await threads.FindBySubjectAsync(from, mime.Subject, cancellationToken).ConfigureAwait(false) is not { } id) return null;
        var earlier = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(id, QuestionEntity.Row, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var received = MailTime(mime, now);
        // This very mail, stored by an earlier attempt of the same queue message that did not finish: not a resend (the store
        // below resumes it and queues its routing).
        if (earlier is null || earlier.MessageKey == key || !SameAddress(earlier.AskerEmail, from) || (received - earlier.ReceivedAt).Duration() > ResendWindow) return null;
        return Normalised(earlier.Text) == Normalised(CutText(text)) && Normalised(earlier.Subject) == Normalised(Truncate(mime.Subject ?? "", 500)) ? earlier : null;

        static string Normalised(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }

    /// <summary>How often a Graph message that answers 404 is tried again before it is recorded as gone.</summary>
    public const int NotFoundRetries = 3;

    /// <summary>Delay before the first retry of a message that answered 404; doubled for each further one (30 s, 60 s, 120 s).</summary>
    public static TimeSpan NotFoundRetryDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A Graph message announced by a notification or catch-up that Graph answers 404 for: it may not be readable yet (or
    /// was moved or deleted meanwhile). It is re-queued with a growing delay (queue visibility) up to
    /// <see cref="NotFoundRetries"/> times, then recorded in the Messages table as <c>Gone</c> with the reason.
    /// </summary>
    private async Task<IntakeResult> NotFoundAsync(InboundMailMessage message, CancellationToken cancellationToken)
    {
        if (message.Attempt < NotFoundRetries)
        {
            var delay = NotFoundRetryDelay * Math.Pow(2, message.Attempt);
            await storage.Queue(QueueNames.InboundMail).SendJsonAsync(message with { Attempt = message.Attempt + 1 }, cancellationToken, delay).ConfigureAwait(false);
            logger.LogWarning("Graph message {MessageRef} was not found (try {Attempt} of {Tries}); trying again in {Delay}",
                message.MessageRef, message.Attempt + 1, NotFoundRetries + 1, delay);
            return new IntakeResult("Deferred", "NotFound", $"Not found yet; trying again in {delay.TotalSeconds:0} s.", null);
        }
        var reason = $"Graph answered 404 for the message {NotFoundRetries + 1} times over several minutes: it was deleted or moved before intake could read it.";
        await RecordByRefAsync(message, "Gone", reason, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Inbound mail {MessageRef} is gone: {Reason}", message.MessageRef, reason);
        return new IntakeResult("NonQuestion", "Gone", reason, null);
    }

    /// <summary>
    /// Records a mail that could not be read as MIME (skipped or gone) in the Messages table, keyed by its mailbox
    /// reference (SHA-256 of <c>ref:{source}:{messageRef}</c>), since it has no Message-ID to key it by.
    /// </summary>
    private async Task RecordByRefAsync(InboundMailMessage message, string kind, string reason, CancellationToken cancellationToken)
    {
        var key = KeyEncoding.Hash("ref:" + message.Source + ":" + message.MessageRef);
        await storage.Table(TableNames.Messages).UpsertEntityAsync(new MessageEntity
        {
            PartitionKey = key[..2], RowKey = key, MessageRef = message.MessageRef, ProcessedAt = time.GetUtcNow(),
            State = "NonQuestion", Kind = kind, Reason = Truncate(reason, 1000),
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The dedupe key of a mail: SHA-256 (hex) of its Internet Message-ID (RFC 5322 §3.6.4) and sender address, or of
    /// its raw bytes when it has no Message-ID. The sender is part of the key so that another sender's mail that reuses
    /// a Message-ID (a broken or hostile client) is not mistaken for a duplicate. The first two characters are the
    /// <c>Messages</c> partition.
    /// </summary>
    public static string DedupeKey(string? messageId, string? from, byte[] raw) =>
        KeyEncoding.Hash(string.IsNullOrWhiteSpace(messageId)
            ? "raw:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw))
            : "mid:" + messageId.Trim() + "|from:" + (from ?? "").Trim().ToLowerInvariant());

    private (string Kind, string Reason) Classify(MimeMessage? mime, string? parseError, string text)
    {
        if (mime is null)
            return ("Malformed", $"The mail could not be parsed as MIME: {parseError}");
        var from = mime.From.Mailboxes.FirstOrDefault();
        if (from is null || string.IsNullOrWhiteSpace(from.Address) || !from.Address.Contains('@'))
            return ("Malformed", "The mail has no valid From address, so there is nobody to answer.");
        var c = MailClassifier.Classify(mime, mailOptions.Value.SharedAddress);
        if (c.Kind != MailKind.Question)
            return (c.Kind.ToString(), c.Reason);
        if (QuestionIds.FindInThread(mime.Subject, mime.InReplyTo, mime.References) is { } token)
            return ("Reply", $"A reply in the thread of {token}, not a new question.");
        if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(mime.Subject))
            return (MailKind.Empty.ToString(), "The mail has neither a subject nor any text of its own.");
        if (Undecodable(mime.Subject + "\n" + text) is { } garbled)
            return ("Malformed", garbled);
        return (c.Kind.ToString(), c.Reason);
    }

    /// <summary>Share of visible characters that may be U+FFFD (the replacement for bytes a charset could not decode) before a mail counts as undecodable: 5%.</summary>
    public const double MaxUndecodableShare = 0.05;

    /// <summary>
    /// A reason when <paramref name="text"/> is mostly undecodable — at least 3 replacement characters (U+FFFD) and more
    /// than <see cref="MaxUndecodableShare"/> of its non-white-space characters, as after a broken encoded-word, wrong
    /// charset or corrupt base64 — so garbage is recorded as Malformed instead of routed as a question; otherwise null.
    /// </summary>
    /// <param name="text">Subject and visible text.</param>
    internal static string? Undecodable(string text)
    {
        var bad = 0;
        var visible = 0;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch)) continue;
            visible++;
            if (ch == '\uFFFD') bad++;
        }
        return bad >= 3 && bad > MaxUndecodableShare * visible
            ? $"The mail's text could not be decoded: {bad} of {visible} characters are undecodable (broken encoding or charset)."
            : null;
    }

    private async Task<string> StoreQuestionAsync(MimeMessage mime, string key, string text, CancellationToken cancellationToken)
    {
        var questions = storage.Table(TableNames.Questions);
        var from = mime.From.Mailboxes.First();
        // The sender's Date header, unless missing or later than now (a sender's clock running ahead, by minutes or days,
        // must not place the question, its capacity window or its `received` event after the routing that follows): then
        // the time it was taken in.
        var now = time.GetUtcNow();
        var received = MailTime(mime, now);
        for (var attempt = 0; ; attempt++)
        {
            var id = QuestionIds.From(key, attempt);
            var entity = new QuestionEntity
            {
                PartitionKey = id, RowKey = QuestionEntity.Row, QuestionId = id, MessageKey = key,
                InternetMessageId = mime.MessageId ?? "", AskerEmail = from.Address, AskerName = from.Name ?? "",
                Subject = Truncate(mime.Subject ?? "", 500), Text = CutText(text),
                ReceivedAt = received, State = QuestionStates.Received,
                Copied = CopiedAddresses(mime, from.Address),
            };
            if (!await questions.TryAddAsync(entity, cancellationToken).ConfigureAwait(false))
            {
                var existing = await questions.GetOrNullAsync<QuestionEntity>(id, QuestionEntity.Row, cancellationToken).ConfigureAwait(false);
                if (existing is null || existing.MessageKey != key) continue; // id collision with another mail: derive the next id
                received = existing.ReceivedAt;
                logger.LogInformation("Question {QuestionId} was stored before; resuming", id);
            }
            else
            {
                logger.LogInformation("Stored question {QuestionId} from {Asker}", id, from.Address);
            }
            // The asker's replies to their own mail (adding detail before any answer) belong to this question.
            await threads.RecordAsync(mime.MessageId, id, cancellationToken).ConfigureAwait(false);
            await threads.RecordSubjectAsync(from.Address, mime.Subject, id, cancellationToken).ConfigureAwait(false);
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Received, QuestionId = id, At = received, AskerEmail = from.Address,
                // The subject as the experts see it: without a stale [Q-…] token the asker's client carried over.
                Detail = Truncate(QuestionIds.WithoutTokens(mime.Subject ?? "") is { Length: > 0 } shown ? shown : "(no subject)", 200),
            }, cancellationToken).ConfigureAwait(false);
            await EnsureRoutingQueuedAsync(id, cancellationToken).ConfigureAwait(false);
            return id;
        }
    }

    private async Task EnsureRoutingQueuedAsync(string questionId, CancellationToken cancellationToken)
    {
        var q = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(questionId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false);
        if (q is null || q.State != QuestionStates.Received) return;
        await storage.Queue(QueueNames.RouteQuestion).SendJsonAsync(new RouteQuestionMessage(questionId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The question of the mail's thread among those it names (<see cref="QuestionIds.ThreadCandidates"/>), or null when
    /// none is stored. The service's own Message-ID in In-Reply-To decides alone; otherwise, when several stored questions
    /// are named ("Re: [Q-22HVRW] [Q-R01D8H] Prospect wants to connect their ERP", an expert asked both), the one the
    /// sender takes part in (asker or asked) whose subject the mail's is wins, then any the sender takes part in, then
    /// the first named.
    /// </summary>
    private async Task<QuestionEntity?> ThreadQuestionAsync(MimeMessage mime, CancellationToken cancellationToken)
    {
        var questions = storage.Table(TableNames.Questions);
        var found = new List<QuestionEntity>();
        var answered = QuestionIds.ThreadCandidates(null, mime.InReplyTo, null).FirstOrDefault(); // our own mail it answers
        foreach (var token in QuestionIds.ThreadCandidates(mime.Subject, mime.InReplyTo, mime.References))
        {
            if (await questions.GetOrNullAsync<QuestionEntity>(token, QuestionEntity.Row, cancellationToken).ConfigureAwait(false) is not { } q) continue;
            if (found.Count == 0 && token == answered) return q;
            found.Add(q);
        }
        if (found.Count <= 1) return found.FirstOrDefault();
        var from = mime.From.Mailboxes.FirstOrDefault()?.Address ?? "";
        var subject = QuestionIds.ThreadSubject(mime.Subject);
        var best = found[0];
        var bestScore = -1;
        foreach (var q in found)
        {
            var takesPart = SameAddress(q.AskerEmail, from)
                            || (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, cancellationToken).ConfigureAwait(false))
                                .Any(r => SameAddress(r.ExpertEmail, from) || r.ReferredTo.Split("; ").Any(a => SameAddress(a, from)));
            var score = (takesPart ? 2 : 0) + (subject.Length > 0 && QuestionIds.ThreadSubject(q.Subject) == subject ? 1 : 0);
            if (score > bestScore) (best, bestScore) = (q, score);
        }
        return best;
    }

    /// <summary>
    /// The question of a mail without a usable token, from the thread index (<see cref="ThreadIndex"/>): a mail it answers
    /// (In-Reply-To, References) that the service took in for a question, or else — for a reply ("Re:") — the thread its
    /// sender has under that subject as the question's asker or an expert sent its request (only with
    /// <paramref name="withSubject"/>). Null when neither is known.
    /// </summary>
    private async Task<(QuestionEntity Question, string Reason)?> KnownThreadAsync(MimeMessage mime, bool withSubject, CancellationToken cancellationToken)
    {
        var questions = storage.Table(TableNames.Questions);
        if (await threads.FindAsync(mime.InReplyTo, mime.References, cancellationToken).ConfigureAwait(false) is { } byId
            && await questions.GetOrNullAsync<QuestionEntity>(byId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false) is { } q1)
            return (q1, $"A reply in the thread of {byId}: it answers a mail taken in for that question.");
        if (withSubject && QuestionIds.IsReplySubject(mime.Subject) && mime.From.Mailboxes.FirstOrDefault() is { } from
            && await threads.FindBySubjectAsync(from.Address, mime.Subject, cancellationToken).ConfigureAwait(false) is { } bySubject
            && await questions.GetOrNullAsync<QuestionEntity>(bySubject, QuestionEntity.Row, cancellationToken).ConfigureAwait(false) is { } q2)
            return (q2, $"A reply in the thread of {bySubject}: its sender's \"Re:\" under that question's subject (no token, no thread headers).");
        return null;
    }

    /// <summary>
    /// A reply in the thread of a routed request: from an asked expert, "pass" records a pass; anything else records the
    /// answer and enqueues its relay to the asker. Returns the reason recorded with the mail.
    /// </summary>
    private async Task<string> RecordReplyAsync(QuestionEntity question, MimeMessage mime, string messageRef, string text, IReadOnlyList<string> attachments, CancellationToken cancellationToken)
    {
        var token = question.QuestionId;
        var sender = mime.From.Mailboxes.First();
        // Replies to this mail belong to the question too, even when they lose the token.
        await threads.RecordAsync(mime.MessageId, token, cancellationToken).ConfigureAwait(false);
        var from = sender.Address;
        var table = storage.Table(TableNames.Routes);
        var received = time.GetUtcNow();
        // A date later than now (a sender's clock ahead) is the intake time, so an answer is never logged after its own relay.
        var at = MailTime(mime, received);
        // An answer dated before its question (the expert's clock behind the asker's) counts from the question.
        if (at < question.ReceivedAt) at = question.ReceivedAt;
        var command = ReplyCommands.Classify(text);
        // A reply written to the asker directly, the shared address in copy (reply-all to a question the expert was copied on):
        // it has reached them already, so an answer, follow-up or question in it is recorded and not relayed a second time.
        var direct = mime.To.Mailboxes.Concat(mime.Cc.Mailboxes).Any(m => SameAddress(m.Address, question.AskerEmail));
        // "Thanks!" with a file or a forwarded mail in it is the answer: the attachment or the forward is what it says.
        if (command == ReplyCommands.Acknowledged && (attachments.Count > 0 || MailText.Forwarded(mime, MailText.StartsAsForward(mime.Subject)).Count > 0)) command = null;
        // What the reply forwards. A colleague's mail forwarded to the shared address (the expert asked around and passes the
        // answer on) is part of the answer; the service's own request forwarded to colleagues, with the shared address in
        // copy, hands the question to them (see RecordHandoffAsync).
        var shared = mailOptions.Value.SharedAddress;
        var forwarded = MailText.Forwarded(mime, MailText.StartsAsForward(mime.Subject));
        var colleagues = forwarded.Where(f => f.FromAddress is not null && !SameAddress(f.FromAddress, shared) && !SameAddress(f.FromAddress, question.AskerEmail)).ToList();
        var handedTo = command is "pause" or "stop" || colleagues.Count > 0 || !(MailText.StartsAsForward(mime.Subject) || forwarded.Count > 0)
            ? [] : OtherRecipients(mime, shared, question.AskerEmail, from);
        if (command is null && colleagues.Count > 0)
            text = string.Join("\n\n", colleagues.Select(f => "Forwarded:\n" + f.Text).Prepend(text).Where(t => t.Length > 0));
        if (command is null && handedTo.Count == 0 && string.IsNullOrWhiteSpace(text) && attachments.Count == 0)
            return $"A forward in the thread of {token} from {from} with no text of its own, no colleague's mail in it and no colleague in copy; not counted as an answer, not relayed.";
        // An answer's files travel with its relay (read again from the mailbox then); a follow-up's are named, with whom to ask.
        var followUpText = text;
        if (attachments.Count > 0)
            followUpText = (text + "\n\n" + $"[This reply came with {(attachments.Count == 1 ? "an attachment" : $"{attachments.Count} attachments")} the service does not forward: " +
                    $"{string.Join(", ", attachments)}. Ask {(string.IsNullOrWhiteSpace(sender.Name) ? from : $"{sender.Name} ({from})")} for {(attachments.Count == 1 ? "it" : "them")}.]").Trim();
        RouteEntity route;
        bool passed;
        // Two replies of one expert taken in at once race for the route (optimistic concurrency): the loser re-reads it and
        // is applied again — as a follow-up when the other was the answer — never dropped.
        for (var attempt = 0; ; attempt++)
        {
            var routes = await table.ReadAllAsync<RouteEntity>(token, cancellationToken).ConfigureAwait(false);
            var found = routes.FirstOrDefault(r => string.Equals(r.ExpertEmail, from, StringComparison.OrdinalIgnoreCase));
            if (found is null)
            {
                if (SameAddress(from, question.AskerEmail))
                {
                    // A reply to the relay of an answer (or of a follow-up) was written after that answer, whatever the clocks say.
                    foreach (var r in routes)
                        if (r.AnsweredAt is { } answeredAt && answeredAt > at && RepliesToRelayOf(mime, r)) at = answeredAt;
                    return await RecordAskerReplyAsync(question, routes, messageRef, followUpText, command, at, routes.Where(r => AnswersRelayOf(mime, r)).Select(r => r.ExpertId).ToHashSet(StringComparer.Ordinal),
                        mime.To.Mailboxes.Concat(mime.Cc.Mailboxes).Select(m => m.Address.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);
                }
                // A colleague the asker copied whom the ranking would not have asked (or who is not in the directory): their
                // reply-all reached the asker; it is kept, not taken for the answer ("+1, I'd like to know too").
                if (IsCopied(question, from))
                    return $"A reply in the thread of {token} from {from}, whom the asker copied and the service did not ask; kept, not relayed.";
                // A colleague an asked expert brought in: named in the expert's handoff, or replying to a forward of the
                // expert's own request mail ("Re: Fwd: …", the request's Message-ID in References). A plain reply-all in an
                // expert's thread ("Thanks Anna, great") is not an answer to the asker.
                var referrer = routes.FirstOrDefault(r => r.ReferredTo.Split("; ").Any(a => SameAddress(a, from)))
                               ?? (MailText.IsForwardSubject(mime.Subject) ? routes.FirstOrDefault(r => AnswersRequestOf(mime, r)) : null);
                if (referrer is null)
                    return $"A reply in the thread of {token} from {from}, who was not asked; kept, not relayed.";
                if (command is "pass" or "pause" or "stop")
                    return await ReferralDeclinedAsync(referrer, question, sender, text, at, cancellationToken).ConfigureAwait(false);
                if (command is not null)
                    return $"{Display(sender)}, brought in by {referrer.ExpertName}, acknowledged {token} (\"{Truncate(OneLine(text), 80)}\"); not relayed.";
                await AddReferredRouteAsync(question, referrer, sender, routes.Count + 1, at, cancellationToken).ConfigureAwait(false);
                continue; // the route is there now (this reply's or a concurrent one's): record the answer on it
            }
            route = found;
            // A reply dated shortly before its request went out (the expert's clock behind) counts from the request, so the log
            // never shows an answer before the routing; one dated further back is replayed mail and keeps its date. Within the
            // request's second it keeps its date: Date headers have whole seconds, and moving it past the asker's replies of
            // that second would misorder them.
            if (route.AskedAt - at >= TimeSpan.FromSeconds(1) && route.AskedAt - at <= ReplyClockSkew) at = route.AskedAt;
            // "pause" and "stop" work in any thread, answered or not: the request mail promises it.
            // A bare "Resume." from an expert who is paused or stopped is the documented command; from anyone else it may be an
            // answer ("resume or restart the upload?").
            if (command is null && ReplyCommands.IsBareResume(text)
                && await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(route.ExpertId), KeyEncoding.Encode(route.ExpertId), cancellationToken).ConfigureAwait(false) is { } held
                && (held.OptedOut || held.PausedUntil > time.GetUtcNow()))
                command = ReplyCommands.Resume;
            if (command is ReplyCommands.Pause or ReplyCommands.Stop or ReplyCommands.Resume)
                return await PauseOrStopAsync(route, question, command, text, mime, messageRef, cancellationToken).ConfigureAwait(false);
            if (handedTo.Count > 0)
                return await RecordHandoffAsync(route, question, handedTo, text, at, cancellationToken).ConfigureAwait(false);
            if (command == ReplyCommands.Acknowledged)
            {
                if (route.AnsweredAt is not null || route.PassedAt is not null)
                    return $"{route.ExpertName} wrote \"{Truncate(OneLine(text), 80)}\" in the thread of {token} after {(route.AnsweredAt is not null ? "answering" : "passing")}; not relayed.";
                // The expert thanking a colleague they brought in, whose answer went to the asker: not an acknowledgement of the request.
                if (routes.FirstOrDefault(r => r.AnsweredAt is not null && string.Equals(r.ReferredBy, route.ExpertName, StringComparison.Ordinal)) is { } colleague)
                    return $"{route.ExpertName} wrote \"{Truncate(OneLine(text), 80)}\" in the thread of {token} after {colleague.ExpertName}, whom they brought in, answered; not relayed.";
                await outcomes.AppendAsync(new OutcomeEntity
                {
                    Kind = OutcomeKinds.Acknowledged, QuestionId = token, ExpertId = route.ExpertId, At = at, AskerEmail = question.AskerEmail,
                    Department = route.ExpertDepartment, Detail = $"{route.ExpertName}: \"{Truncate(OneLine(text), 120)}\"",
                }, cancellationToken).ConfigureAwait(false);
                return $"{route.ExpertName} acknowledged {token} (\"{Truncate(OneLine(text), 80)}\") without answering yet; not counted as an answer, not relayed.";
            }
            if (route.AnsweredAt is not null && command is null && ReplyCommands.IsPleasantry(text) && attachments.Count == 0)
                return $"{route.ExpertName} wrote \"{Truncate(OneLine(text), 80)}\" in the thread of {token} after answering; not relayed.";
            if (route.AnsweredAt is not null)
            {
                return command == "pass"
                    ? $"{route.ExpertName} replied \"pass\" to {token} after answering it; the answer stands."
                    // A follow-up dated before the answer it follows (clocks that differ) is logged at the answer's time.
                    : await RecordFollowUpAsync(route, question, followUpText, at < route.AnsweredAt ? route.AnsweredAt.Value : at, messageRef, direct, cancellationToken).ConfigureAwait(false);
            }
            if (route.PassedAt is not null && command == "pass")
                return $"{route.ExpertName} passed on {token} again; recorded once.";
            // A question back to the asker ("Which laptop model is it?") is relayed to them, and their reply comes back to the
            // experts still asked; it is not the answer (no time to first answer, nothing learned).
            if (command is null && route.PassedAt is null && attachments.Count == 0 && colleagues.Count == 0 && ReplyCommands.IsClarifyingQuestion(text))
                return await RecordFollowUpAsync(route, question, text, at, messageRef, direct, cancellationToken, clarification: true).ConfigureAwait(false);
            // An expert who passed and then answers after all: the answer is recorded and relayed like any other.
            passed = command == "pass";
            if (passed) (route.PassedAt, route.PassedAway) = (at, ReplyCommands.IsAwayNote(text));
            else
            {
                route.AnsweredAt = at;
                route.AnswerText = CutText(text, rest: $"ask {route.ExpertName} ({route.ExpertEmail}) for the rest");
                route.AnswerMessageRef = messageRef;
                route.AnswerMessageId = mime.MessageId ?? "";
                route.AnswerAttachments = string.Join("; ", attachments);
            }
            if (await table.TryReplaceAsync(route, cancellationToken).ConfigureAwait(false)) break;
            if (attempt >= 10)
                throw new InvalidOperationException($"The route {token} → {route.ExpertId} kept changing while a reply was recorded; the message will be retried.");
        }
        var minutes = " " + DescribeElapsed(at - question.ReceivedAt) + " after the question";
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = passed ? OutcomeKinds.Passed : OutcomeKinds.Answered, QuestionId = token, ExpertId = route.ExpertId, At = at,
            AskerEmail = question.AskerEmail, Department = route.ExpertDepartment,
            // A pass says in the expert's words why and whom to ask instead ("Not my area, sorry. Try Finance.").
            Detail = (passed ? $"{route.ExpertName} passed" + (OneLine(text).Trim('.', '!', ' ').Equals("pass", StringComparison.OrdinalIgnoreCase) ? "" : $" (\"{Truncate(OneLine(text), 160)}\")") : $"answer by {route.ExpertName}")
                     + (route.ReferredBy.Length > 0 ? $" (brought in by {route.ReferredBy}{(route.ExpertDepartment.Length == 0 ? "; not in the expert directory" : "")})" : "")
                     + (route.CopiedByAsker ? $" (copied on the question by the asker{(route.ExpertDepartment.Length == 0 ? "; not in the expert directory" : "")})" : "")
                     // Whose answer an expert passes on, so the knowledge flow reaches the log.
                     + (!passed && colleagues.Count > 0 ? $" (forwarding an answer by {string.Join(", ", colleagues.Select(f => f.FromAddress).Distinct(StringComparer.OrdinalIgnoreCase))})" : "")
                     + minutes,
        }, cancellationToken).ConfigureAwait(false);
        if (passed && route.CopiedByAsker)
        {
            await EscalateAsync(token, cancellationToken).ConfigureAwait(false); // asks someone only when the service asked nobody
            return $"{route.ExpertName}, copied on {token} by the asker, passed; someone is asked in their place only if the service had asked nobody else.";
        }
        if (passed)
        {
            await EscalateAsync(token, cancellationToken).ConfigureAwait(false);
            return question.ResolvedByAskerAt is not null
                ? $"{route.ExpertName} passed on {token}; nobody is asked in their place: the asker no longer needs an answer."
                : $"{route.ExpertName} passed on {token}; routing asks the next close candidate if one is left and the question has no answer by then (see the escalated event, if any).";
        }
        // One read of the question for two cases the answer changes:
        // - a "never mind" written after this answer but taken in before it (the same batch): the question had its answer;
        // - an answer after all, from an expert who had passed (back from leave), on a question that had ended with nobody
        //   to ask: it is routed and answered again, not a gap.
        static bool Reopen(QuestionEntity q, DateTimeOffset at)
        {
            var changed = false;
            if (q.ResolvedByAskerAt is { } r && r >= at)
                (q.ResolvedByAskerAt, q.ResolvedByAskerRef, changed) = (null, "", true);
            if (q.State == QuestionStates.Unrouted)
                (q.State, q.UnroutedReason, changed) = (QuestionStates.Routed, "", true);
            return changed;
        }
        if (await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(token, QuestionEntity.Row, cancellationToken).ConfigureAwait(false) is { } current
            && (current.ResolvedByAskerAt >= at || current.State == QuestionStates.Unrouted))
            await storage.Table(TableNames.Questions).UpdateWithRetryAsync(current, q => Reopen(q, at), $"the answer on {token}", cancellationToken).ConfigureAwait(false);
        if (!direct)
            await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("relay", token, route.ExpertId), cancellationToken).ConfigureAwait(false);
        var learned = routingOptions.Value.LearnFromAnswers ? await LearnAsync(question, route, cancellationToken).ConfigureAwait(false) : "learning is off";
        return $"Answer by {route.ExpertName} to {token}; {(direct ? "sent to the asker directly (in To or Cc), so not relayed again" : "relayed to the asker")}. Expert profile: {learned}.";
    }

    /// <summary>
    /// An asked expert's automatic reply (out of office, vacation) to their request: they will not see the question in
    /// time, so it counts as their pass on it — a <c>passed</c> event naming the auto-reply, and the next close colleague is
    /// asked in their place. Nothing happens when the mail is in no request's thread, comes from nobody asked, or the
    /// expert has answered or passed already. Returns what was done, for the message record, or null.
    /// </summary>
    private async Task<string?> AutoReplyPassAsync(MimeMessage mime, CancellationToken cancellationToken)
    {
        if (mime.From.Mailboxes.FirstOrDefault()?.Address is not { Length: > 0 } from) return null;
        if (await ThreadQuestionAsync(mime, cancellationToken).ConfigureAwait(false) is not { } question) return null;
        var table = storage.Table(TableNames.Routes);
        var route = (await table.ReadAllAsync<RouteEntity>(question.QuestionId, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(r => SameAddress(r.ExpertEmail, from) && r.RequestSentAt is not null);
        if (route is null || route.AnsweredAt is not null || route.PassedAt is not null) return null;
        // An out-of-office reply, not a read receipt or another machine's notice.
        if (!MailClassifier.IsOutOfOffice(mime)) return null;
        var at = time.GetUtcNow();
        var said = OneLine(MailText.QuestionText(mime));
        if (!await PassAwayAsync(route, question, at, $"{route.ExpertName} is away (automatic reply{(said.Length > 0 ? $": \"{Truncate(said, 120)}\"" : "")}) {DescribeElapsed(at - question.ReceivedAt)} after the question",
                cancellationToken).ConfigureAwait(false))
            return null; // the expert's own reply came in meanwhile
        logger.LogInformation("Expert {ExpertId} is away (automatic reply on {QuestionId}); counted as a pass", route.ExpertId, question.QuestionId);
        return $"It answers {route.ExpertName}'s request for {question.QuestionId}: counted as their pass (they are away), and the next close colleague is asked if one is left.";
    }

    /// <summary>
    /// The expert is away (an out-of-office reply, a pause or a stop) and has neither answered nor passed: their route is
    /// marked passed (<see cref="RouteEntity.PassedAway"/>), a <c>passed</c> event with <paramref name="detail"/> is logged
    /// and the next close colleague is asked. False, and nothing logged, when the route changed meanwhile (their own reply).
    /// </summary>
    private async Task<bool> PassAwayAsync(RouteEntity route, QuestionEntity question, DateTimeOffset at, string detail, CancellationToken cancellationToken)
    {
        (route.PassedAt, route.PassedAway) = (at, true);
        if (!await storage.Table(TableNames.Routes).TryReplaceAsync(route, cancellationToken).ConfigureAwait(false)) return false;
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.Passed, QuestionId = route.PartitionKey, ExpertId = route.ExpertId, At = at, AskerEmail = question.AskerEmail,
            Department = route.ExpertDepartment, Detail = detail,
        }, cancellationToken).ConfigureAwait(false);
        await EscalateAsync(route.PartitionKey, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Names of the mail's files (<see cref="RelayAttachments.Files"/>: attachments and pictures in the text, not
    /// signature logos), in order; unnamed ones as "unnamed". Attached mails (<c>message/rfc822</c>) are not among them:
    /// their text is read (<see cref="MailText.Forwarded"/>).</summary>
    internal static IReadOnlyList<string> AttachmentNames(MimeMessage mime) =>
        RelayAttachments.Files(mime).Select(f => RelayAttachments.Name(f.Part)).ToList();

    /// <summary>Adds the answer to the expert's evidence (<see cref="Experts.LearnedEvidence"/>). The answer is recorded and its
    /// relay queued by then, so a failure here is logged and does not fail the mail (a retry would take the same reply for a
    /// follow-up).</summary>
    private async Task<string> LearnAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        try
        {
            return await learning.LearnAsync(question, route, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not learn from the answer of {ExpertId} to {QuestionId}", route.ExpertId, question.QuestionId);
            return $"not learned ({ex.GetType().Name}: {ex.Message})";
        }
    }

    /// <summary>
    /// The asker writes in the thread ("It only happens on Wi-Fi", "That fixed it, thanks!"): the reply is kept on the
    /// question (<see cref="QuestionEntity.AskerRepliesJson"/>) and relayed to the experts who answered — or, while nobody
    /// has, to those asked who have not passed (a bare "Thanks!" then goes to nobody) — and an <c>asker-reply</c> event
    /// says to whom.
    /// </summary>
    private async Task<string> RecordAskerReplyAsync(QuestionEntity question, List<RouteEntity> routes, string messageRef, string text, string? command, DateTimeOffset at,
        IReadOnlySet<string> repliesTo, IReadOnlySet<string> sentTo, CancellationToken cancellationToken)
    {
        var token = question.QuestionId;
        var table = storage.Table(TableNames.Questions);
        routes = routes.OrderBy(r => r.Rank).ToList();
        // Who the reply is for depends on when it was written, not on when it is taken in: detail written before the first
        // answer goes to every expert still asked, also when the answer was taken in first (both in one run).
        var answered = routes.Where(r => r.AnsweredAt is { } a && a <= at).ToList();
        // "Never mind, found it" before any answer: the experts still asked are told it needs no answer any more.
        var resolves = answered.Count == 0 && command != ReplyCommands.Acknowledged && ReplyCommands.IsResolvedByAsker(text);
        // Nobody has the question (not routed, or every expert asked passed): what the asker adds routes it again.
        if (!resolves && question.State == QuestionStates.Unrouted && routes.All(r => r.AnsweredAt is null && (r.RequestSentAt is null || r.PassedAt is not null)) && command != ReplyCommands.Acknowledged)
            return await RerouteWithAddedTextAsync(question, text, at, messageRef, cancellationToken).ConfigureAwait(false);
        // A bare thanks before any answer ("Thanks!" to the service's receipt) is for nobody: logged, not kept for experts.
        var keep = answered.Count > 0 || command != ReplyCommands.Acknowledged;
        // A reply to one expert's relayed answer ("Thanks Mei - can the two blocks …") is for that expert, not for every
        // colleague who answered.
        var forOne = answered.Count > 1 && answered.Where(r => repliesTo.Contains(r.ExpertId)).ToList() is { Count: 1 } one ? one[0] : null;
        var full = false;
        var reopened = false;
        if (keep)
        {
            var rest = $"ask {(string.IsNullOrWhiteSpace(question.AskerName) ? question.AskerEmail : $"{question.AskerName} ({question.AskerEmail})")} for the rest";
            question = await table.UpdateWithRetryAsync(question, q =>
            {
                var stored = AskerReplies.Add(q.AskerRepliesJson, at, text, messageRef, rest, forOne?.ExpertId);
                full = stored is null;
                var changed = false;
                reopened = false;
                if (resolves && q.ResolvedByAskerAt is null)
                {
                    (q.ResolvedByAskerAt, q.ResolvedByAskerRef, changed) = (at, AskerReplies.Key(messageRef), true);
                }
                else if (!resolves && command != ReplyCommands.Acknowledged && q.ResolvedByAskerAt is { } resolvedAt && resolvedAt <= at)
                {
                    // Anything else the asker writes after a "never mind" (not a bare thanks) opens the question again ("Actually
                    // it's back …"); detail written before it, taken in after it, does not.
                    (q.ResolvedByAskerAt, q.ResolvedByAskerRef, changed, reopened) = (null, "", true, true);
                }
                if (stored is null || stored == q.AskerRepliesJson) return changed; // full, or a retry: stored already
                q.AskerRepliesJson = stored;
                return true;
            }, $"the asker's reply on {token}", cancellationToken).ConfigureAwait(false);
        }
        if (resolves)
        {
            // An answer written before this reply and taken in at the same moment (another mail of the same batch): the
            // question has its answer after all, and the reply is the asker's word after it.
            var fresh = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(token, cancellationToken).ConfigureAwait(false);
            if (fresh.Where(r => r.AnsweredAt is { } a && a <= at).ToList() is { Count: > 0 } late)
            {
                question = await table.UpdateWithRetryAsync(question, q =>
                {
                    if (q.ResolvedByAskerRef != AskerReplies.Key(messageRef)) return false;
                    (q.ResolvedByAskerAt, q.ResolvedByAskerRef) = (null, "");
                    return true;
                }, $"the asker's reply on {token}", cancellationToken).ConfigureAwait(false);
                (resolves, answered, routes) = (false, late, fresh.OrderBy(r => r.Rank).ToList());
            }
        }
        if (full && !resolves)
            return $"A reply by the asker in the thread of {token}; not relayed: {AskerReplies.MaxReplies} replies of the asker are relayed per question at most (the mail stays in the shared mailbox).";
        var targets = answered.Count > 0 ? (forOne is not null ? [forOne] : answered)
            : !keep ? []
            // (A "never mind" also reaches a colleague the asker copied, who has the question from the asker.)
            : await StillAskableAsync(routes.Where(r => r.PassedAt is null && (r.RequestSentAt is not null || (resolves && r.CopiedByAsker))), cancellationToken).ConfigureAwait(false);
        // An expert the asker wrote to directly (reply-all to an answer, a colleague they copied) has the reply already.
        var direct = targets.Where(r => sentTo.Contains(r.ExpertEmail.Trim())).ToList();
        targets = targets.Except(direct).ToList();
        foreach (var r in targets)
            await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("asker", token, r.ExpertId), cancellationToken).ConfigureAwait(false);
        var asker = string.IsNullOrWhiteSpace(question.AskerName) ? question.AskerEmail : question.AskerName;
        var toDirect = $"sent to {string.Join(", ", direct.Select(r => r.ExpertName))} directly (in To or Cc)";
        var to = targets.Count > 0
            ? $"relayed to {string.Join(", ", targets.Select(r => r.ExpertName))} ({(answered.Count > 0 ? "who answered" : routes.Any(r => r.AnsweredAt is not null) ? "asked; written before the first answer" : "asked, no answer yet")})"
              + (direct.Count > 0 ? $"; {toDirect}" : "")
            : direct.Count > 0 ? $"not relayed: {toDirect}"
            : !keep ? "not relayed (a thanks, and nobody has answered yet)"
            : routes.Any(r => r.RequestSentAt is not null) ? "nobody to relay to now (every expert asked passed, paused or stopped); kept on the question, so an expert asked later gets it in the request"
            : "kept for the experts about to be asked: their requests carry it";
        if (reopened)
        {
            to += "; the question is open again (the asker had written it needed no answer)";
            // The requests held back or made void while it was resolved: places under the cap again, unsent requests sent,
            // and passes of that time replaced.
            foreach (var r in routes.Where(r => !r.CopiedByAsker && r.AnsweredAt is null && r.PassedAt is null))
            {
                await capacity.RecordAsync(r.ExpertId, token, question.ReceivedAt, r.AskedAt, cancellationToken).ConfigureAwait(false);
                if (r.RequestSentAt is null)
                    await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("request", token, r.ExpertId), cancellationToken).ConfigureAwait(false);
            }
            await EscalateAsync(token, cancellationToken).ConfigureAwait(false);
        }
        if (resolves)
        {
            // The requests of those who have neither answered nor passed are void: their places under the cap are given back.
            foreach (var r in routes.Where(r => !r.CopiedByAsker && r.AnsweredAt is null && r.PassedAt is null))
                await capacity.ReleaseAsync(r.ExpertId, token, cancellationToken).ConfigureAwait(false);
            var told = targets.Count > 0 ? $"told {string.Join(", ", targets.Select(r => r.ExpertName))}, still asked, that no answer is needed"
                : direct.Count > 0 ? toDirect
                : routes.Any(r => r.RequestSentAt is not null) ? "nobody still asked to tell" : "nobody had been asked";
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Resolved, QuestionId = token, At = at, AskerEmail = question.AskerEmail,
                Detail = $"resolved by the asker before any answer: \"{Truncate(OneLine(text), 120)}\"; {told}",
            }, cancellationToken, messageRef).ConfigureAwait(false);
            return $"The asker of {token} needs no answer any more (\"{Truncate(OneLine(text), 80)}\"); {told}.";
        }
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.AskerReply, QuestionId = token, At = at, AskerEmail = question.AskerEmail,
            Detail = $"{asker}: \"{Truncate(OneLine(text), 120)}\"; {to}",
        }, cancellationToken, messageRef).ConfigureAwait(false);
        return $"A reply by the asker in the thread of {token}; {to}.";
    }

    /// <summary>The routes whose expert may still be written to for an answer: not stopped, not paused now (a reply "stop"
    /// or "pause" to another request counts too); a colleague brought in, who is not in the directory, may.</summary>
    private async Task<List<RouteEntity>> StillAskableAsync(IEnumerable<RouteEntity> routes, CancellationToken cancellationToken)
    {
        var experts = storage.Table(TableNames.Experts);
        var now = time.GetUtcNow();
        var kept = new List<RouteEntity>();
        foreach (var r in routes)
        {
            var e = await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(r.ExpertId), KeyEncoding.Encode(r.ExpertId), cancellationToken).ConfigureAwait(false);
            if (e is null || (!e.OptedOut && (e.PausedUntil is null || e.PausedUntil <= now))) kept.Add(r);
        }
        return kept;
    }

    /// <summary>
    /// The asker writes in the thread of a question nobody could be asked about — too little text to route, a knowledge
    /// gap, a bottleneck ("Sorry, forgot the text: how do I claim travel expenses …?"): the text is added to the question's
    /// own and the question is routed again with it (a new <c>routed</c>, <c>gap</c> or <c>overloaded</c> event follows).
    /// </summary>
    private async Task<string> RerouteWithAddedTextAsync(QuestionEntity question, string text, DateTimeOffset at, string messageRef, CancellationToken cancellationToken)
    {
        var token = question.QuestionId;
        var table = storage.Table(TableNames.Questions);
        var was = question.UnroutedReason;
        var added = text.Trim();
        question = await table.UpdateWithRetryAsync(question, q =>
        {
            if (q.State != QuestionStates.Unrouted || q.Text.Contains(added, StringComparison.Ordinal)) return false; // a retry, or routed meanwhile
            q.Text = CutText(string.IsNullOrWhiteSpace(q.Text) ? added : q.Text.TrimEnd() + "\n\n" + added);
            q.State = QuestionStates.Received;
            q.UnroutedReason = "";
            (q.ResolvedByAskerAt, q.ResolvedByAskerRef) = (null, ""); // written after a "never mind": the question is open again
            return true;
        }, $"the asker's added text on {token}", cancellationToken).ConfigureAwait(false);
        await EnsureRoutingQueuedAsync(token, cancellationToken).ConfigureAwait(false);
        var asker = string.IsNullOrWhiteSpace(question.AskerName) ? question.AskerEmail : question.AskerName;
        var to = $"added to the question, which nobody had been asked ({(was.Length > 0 ? was : "not routed")}); routed again with it";
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.AskerReply, QuestionId = token, At = at, AskerEmail = question.AskerEmail,
            Detail = $"{asker}: \"{Truncate(OneLine(text), 120)}\"; {to}",
        }, cancellationToken, messageRef).ConfigureAwait(false);
        return $"A reply by the asker in the thread of {token}; {to}.";
    }

    private static string Display(MailboxAddress m) => string.IsNullOrWhiteSpace(m.Name) ? m.Address : m.Name;

    /// <summary>
    /// A colleague an asked expert brought in declines ("Not my area, sorry."): the handoff failed, so it counts as the
    /// expert's pass — a <c>passed</c> event in the colleague's words, and the next candidate is asked — unless the question
    /// has an answer from that expert or the expert passed already. The colleague is not in the service's hands (nothing
    /// to pause or stop).
    /// </summary>
    private async Task<string> ReferralDeclinedAsync(RouteEntity referrer, QuestionEntity question, MailboxAddress colleague, string text, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var name = Display(colleague);
        if (referrer.AnsweredAt is not null || referrer.PassedAt is not null)
            return $"{name}, brought in by {referrer.ExpertName}, declined {question.QuestionId}; {referrer.ExpertName} has {(referrer.AnsweredAt is not null ? "answered" : "passed")} already, so nothing changes.";
        referrer.PassedAt = at;
        if (!await storage.Table(TableNames.Routes).TryReplaceAsync(referrer, cancellationToken).ConfigureAwait(false))
            throw new InvalidOperationException($"The route {question.QuestionId} → {referrer.ExpertId} changed while a declined handoff was recorded; the message will be retried.");
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.Passed, QuestionId = question.QuestionId, ExpertId = referrer.ExpertId, At = at, AskerEmail = question.AskerEmail,
            Department = referrer.ExpertDepartment,
            Detail = $"{referrer.ExpertName} handed the question to {name}, who declined (\"{Truncate(OneLine(text), 160)}\")",
        }, cancellationToken).ConfigureAwait(false);
        await EscalateAsync(question.QuestionId, cancellationToken).ConfigureAwait(false);
        return $"{name}, brought in by {referrer.ExpertName}, declined {question.QuestionId}: counted as {referrer.ExpertName}'s pass; routing asks the next close candidate if one is left.";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool SameAddress(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>At most this many colleagues copied on a question are kept (<see cref="QuestionEntity.Copied"/>).</summary>
    internal const int MaxCopied = 100;

    /// <summary>The colleagues an asker's mail also went to (<see cref="QuestionEntity.Copied"/>): To and Cc other than the
    /// shared address and the asker, lower case, joined by "; ", at most <see cref="MaxCopied"/>.</summary>
    private string CopiedAddresses(MimeMessage mime, string asker) =>
        string.Join("; ", OtherRecipients(mime, mailOptions.Value.SharedAddress, asker, asker).Take(MaxCopied).Select(m => m.Address.Trim().ToLowerInvariant()));

    /// <summary>The people in To and Cc other than the shared address, the sender and the asker, each once.</summary>
    internal static IReadOnlyList<MailboxAddress> OtherRecipients(MimeMessage mime, string shared, string asker, string sender) =>
        mime.To.Mailboxes.Concat(mime.Cc.Mailboxes)
            .Where(m => m.Address.Contains('@') && !SameAddress(m.Address, shared) && !SameAddress(m.Address, asker) && !SameAddress(m.Address, sender))
            .DistinctBy(m => m.Address.ToLowerInvariant()).ToList();

    /// <summary>Whether the mail answers (In-Reply-To or References) <paramref name="route"/>'s answer: its relay to the asker or
    /// a follow-up's (Message-IDs <c>{question}.relay.{expert hash}@…</c> and <c>{question}.followup{n}.{expert hash}@…</c>),
    /// or the expert's answer mail itself (<see cref="RouteEntity.AnswerMessageId"/>, when they wrote to the asker directly).</summary>
    private static bool RepliesToRelayOf(MimeMessage mime, RouteEntity route) => NamesRelayOf(mime.References.Append(mime.InReplyTo ?? ""), route);

    /// <summary>Whether the mail answers the relay of <paramref name="route"/>'s answer itself (its In-Reply-To), not only
    /// somewhere in the thread.</summary>
    private static bool AnswersRelayOf(MimeMessage mime, RouteEntity route) => mime.InReplyTo is { Length: > 0 } parent && NamesRelayOf([parent], route);

    private static bool NamesRelayOf(IEnumerable<string> ids, RouteEntity route)
    {
        var hash = KeyEncoding.Hash(route.ExpertId)[..12];
        string[] relays = [$"{route.PartitionKey}.relay.{hash}@sociallearning.local"];
        return ids.Any(id =>
            relays.Contains(id, StringComparer.OrdinalIgnoreCase)
            // The expert's own answer mail (written to the asker directly), or a follow-up's relay ("Q-….followup2.<hash>@…").
            || (route.AnswerMessageId.Length > 0 && string.Equals(id, route.AnswerMessageId, StringComparison.OrdinalIgnoreCase))
            || (id.StartsWith($"{route.PartitionKey}.followup", StringComparison.OrdinalIgnoreCase)
                && id.EndsWith($".{hash}@sociallearning.local", StringComparison.OrdinalIgnoreCase)
                && id.Length > $"{route.PartitionKey}.followup.{hash}@sociallearning.local".Length));
    }

    /// <summary>Whether the mail answers (In-Reply-To or References) the request mail sent for <paramref name="route"/>.</summary>
    private static bool AnswersRequestOf(MimeMessage mime, RouteEntity route)
    {
        var id = Mail.RoutedRequestComposer.RequestMessageId(route.PartitionKey, route.ExpertId);
        return SameAddress(mime.InReplyTo ?? "", id) || mime.References.Any(r => SameAddress(r, id));
    }

    /// <summary>
    /// An asked expert forwarded the request to colleagues with the shared address in copy ("Bob, can you take this
    /// one?"): the colleagues are kept on the expert's route (<see cref="RouteEntity.ReferredTo"/>), so a reply from one of
    /// them in the thread is relayed as an answer, and a <c>referred</c> event names them. The note is not an answer and
    /// is not relayed; nobody else is asked meanwhile.
    /// </summary>
    private async Task<string> RecordHandoffAsync(RouteEntity route, QuestionEntity question, IReadOnlyList<MailboxAddress> to, string note, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = storage.Table(TableNames.Routes);
        for (var attempt = 0; ; attempt++)
        {
            var known = route.ReferredTo.Split("; ", StringSplitOptions.RemoveEmptyEntries).ToList();
            var added = to.Select(m => m.Address.ToLowerInvariant()).Where(a => !known.Contains(a)).ToList();
            if (added.Count == 0) return $"{route.ExpertName} handed {question.QuestionId} to the same colleagues again; recorded once.";
            route.ReferredTo = string.Join("; ", known.Concat(added));
            if (await table.TryReplaceAsync(route, cancellationToken).ConfigureAwait(false)) break;
            if (attempt >= 10)
                throw new InvalidOperationException($"The route {question.QuestionId} → {route.ExpertId} kept changing while a handoff was recorded; the message will be retried.");
            route = await table.GetOrNullAsync<RouteEntity>(route.PartitionKey, route.RowKey, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The route {question.QuestionId} → {route.ExpertId} disappeared while a handoff was recorded.");
        }
        var names = string.Join(", ", to.Select(m => string.IsNullOrWhiteSpace(m.Name) ? m.Address : $"{m.Name} ({m.Address})"));
        var quoted = note.Trim().ReplaceLineEndings(" ");
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.Referred, QuestionId = question.QuestionId, ExpertId = route.ExpertId, At = at,
            AskerEmail = question.AskerEmail, Department = route.ExpertDepartment,
            Detail = $"{route.ExpertName} handed the question to {names}" + (quoted.Length > 0 ? $": \"{Truncate(quoted, 160)}\"" : ""),
        }, cancellationToken).ConfigureAwait(false);
        return $"{route.ExpertName} handed {question.QuestionId} to {names}; a reply from them in the thread is relayed to the asker as an answer." +
               (route.AnsweredAt is null ? " Nobody else is asked meanwhile." : "");
    }

    /// <summary>
    /// Adds the route of a colleague whom <paramref name="referrer"/> brought in and who now replies: their directory
    /// listing (id, name, department) when their address is listed, else their address as id and their mail's name, with
    /// <see cref="RouteEntity.ReferredBy"/> set. No request mail is sent for it. An existing route (a concurrent reply)
    /// is left as it is.
    /// </summary>
    private async Task AddReferredRouteAsync(QuestionEntity question, RouteEntity referrer, MailboxAddress sender, int rank, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var listing = snapshot.ListingsOf(sender.Address).OrderBy(e => e.Id, StringComparer.Ordinal).FirstOrDefault();
        var id = listing?.Id ?? sender.Address.ToLowerInvariant();
        var name = listing?.Name ?? (string.IsNullOrWhiteSpace(sender.Name) ? sender.Address : sender.Name);
        await storage.Table(TableNames.Routes).TryAddAsync(new RouteEntity
        {
            PartitionKey = question.QuestionId, RowKey = KeyEncoding.Encode(id), ExpertId = id, ExpertEmail = sender.Address, ExpertName = name,
            ExpertDepartment = listing?.Department ?? "", Rank = rank, AskedAt = at, ReferredBy = referrer.ExpertName,
            Reason = $"brought in by {referrer.ExpertName}, who was asked" + (listing is null ? "; not in the expert directory" : ""),
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Question {QuestionId}: {Address}, brought in by {Referrer}, replied", question.QuestionId, sender.Address, referrer.ExpertId);
    }

    /// <summary>Whether <paramref name="address"/> is among the colleagues the asker copied (<see cref="QuestionEntity.Copied"/>).</summary>
    private static bool IsCopied(QuestionEntity question, string address) =>
        QuestionEntity.Addresses(question.Copied).Any(a => SameAddress(a, address));

    /// <summary>
    /// A further reply by an expert who already answered: kept on the route (<see cref="RouteEntity.FollowUps"/>,
    /// <see cref="RouteEntity.FollowUpText"/>), logged as a <c>followup</c> event and relayed to the asker.
    /// </summary>
    private async Task<string> RecordFollowUpAsync(RouteEntity route, QuestionEntity question, string text, DateTimeOffset at, string messageRef, bool direct,
        CancellationToken cancellationToken, bool clarification = false)
    {
        var token = question.QuestionId;
        var table = storage.Table(TableNames.Routes);
        // Two follow-ups taken in at once race for the route: re-read and re-apply (optimistic concurrency), no retry by failure.
        // One sent to the asker directly is only logged: nothing waits to be relayed.
        for (var attempt = 0; !direct; attempt++)
        {
            // A retried queue message whose follow-up is stored and not relayed yet: not added a second time.
            if (FollowUpBuffer.Contains(route.FollowUpText, at, text)) break;
            route.FollowUps++;
            route.FollowUpText = FollowUpBuffer.Add(route.FollowUpText, at, text);
            if (await table.TryReplaceAsync(route, cancellationToken).ConfigureAwait(false)) break;
            if (attempt >= 10)
                throw new InvalidOperationException($"The route {token} → {route.ExpertId} kept changing while a follow-up was recorded; the message will be retried.");
            route = await table.GetOrNullAsync<RouteEntity>(route.PartitionKey, route.RowKey, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The route {token} → {route.ExpertId} disappeared while a follow-up was recorded.");
        }
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = clarification ? OutcomeKinds.Clarification : OutcomeKinds.FollowUp, QuestionId = token, ExpertId = route.ExpertId, At = at,
            AskerEmail = question.AskerEmail, Department = route.ExpertDepartment,
            Detail = (clarification ? $"{route.ExpertName} asked the asker: \"{Truncate(OneLine(text), 160)}\"" : direct ? $"follow-up by {route.ExpertName}" : $"follow-up {route.FollowUps} by {route.ExpertName}")
                     + (direct ? " (sent to the asker directly)" : ""),
        }, cancellationToken, messageRef).ConfigureAwait(false);
        if (!direct)
            await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("followup", token, route.ExpertId), cancellationToken).ConfigureAwait(false);
        var relayed = direct ? "sent to the asker directly (in To or Cc), so not relayed again" : "relayed to the asker";
        return clarification
            ? $"A question by {route.ExpertName} to the asker of {token} before answering; {relayed}, not counted as an answer."
            : $"A follow-up by {route.ExpertName} to {token}; {relayed}.";
    }

    /// <summary>Asks routing to put the next candidate in place of an expert who passed (see <see cref="Routing.RouteQuestionHandler"/>).</summary>
    private Task EscalateAsync(string questionId, CancellationToken cancellationToken) =>
        storage.Queue(QueueNames.RouteQuestion).SendJsonAsync(new Routing.RouteQuestionMessage(questionId, Escalate: true), cancellationToken);

    /// <summary>
    /// A listed expert writes "Please resume my requests" (or "I'm back, you can send me requests again") as a new mail:
    /// every listing of their address is resumed (pause and stop lifted) and they are told; null when the sender is not in
    /// the directory (then the mail is read as a question).
    /// </summary>
    private async Task<string?> ResumeByMailAsync(MimeMessage mime, string messageRef, CancellationToken cancellationToken)
    {
        if (mime.From.Mailboxes.FirstOrDefault() is not { } sender) return null;
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var ids = snapshot.ListingsOf(sender.Address).Select(e => e.Id).ToList();
        if (ids.Count == 0) return null;
        var experts = storage.Table(TableNames.Experts);
        var now = time.GetUtcNow();
        var wasHeld = false;
        foreach (var id in ids)
        {
            if (await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(id), KeyEncoding.Encode(id), cancellationToken).ConfigureAwait(false) is not { } listing) continue;
            wasHeld |= listing.OptedOut || listing.PausedUntil > now;
            (listing.OptedOut, listing.PausedUntil, listing.StandingRef, listing.PauseUnread) = (false, null, AskerReplies.Key(messageRef), "");
            await experts.UpdateEntityAsync(listing, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        directory.Invalidate();
        var name = string.IsNullOrWhiteSpace(sender.Name) ? sender.Address : sender.Name;
        if (!wasHeld) return $"{name} asked to be asked again (resume); they were neither paused nor stopped. Not a question.";
        await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("resumed", "", ids[0]), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Expert {ExpertId} asked to be asked again by mail", ids[0]);
        return $"{name} asked to be asked again (resume); their pause or stop is lifted and they are told. Not a question.";
    }

    /// <summary>How long "pause" stops requests to an expert when the reply names no end (<see cref="ReplyCommands.PauseEnd"/>).</summary>
    public static TimeSpan PauseLength { get; } = TimeSpan.FromDays(14);

    /// <summary>
    /// "pause", "stop" or "resume" from an asked expert, in any request's thread: every listing of their address is paused
    /// (until the end the reply names, read in the sender's time zone, else <see cref="PauseLength"/>; a date that cannot be
    /// read never shortens a pause already set), stopped ("stop" with an end is a pause to then) or resumed; the expert is
    /// told in the thread what was set; a pause or stop on a question they have neither answered nor passed is also their
    /// pass on it.
    /// </summary>
    private async Task<string> PauseOrStopAsync(RouteEntity route, QuestionEntity question, string command, string text, MimeMessage mime, string messageRef, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // The sender's clock: "until Monday" from Sydney is Sydney's Monday.
        var senderNow = mime.Date != DateTimeOffset.MinValue && Math.Abs(mime.Date.Offset.TotalHours) <= 14 ? now.ToOffset(mime.Date.Offset) : now;
        var end = command == ReplyCommands.Resume || (command == ReplyCommands.Stop && !ReplyCommands.StopNamesLength(text)) ? null : ReplyCommands.PauseEnd(text, senderNow);
        if (command == ReplyCommands.Stop && end is not null) command = ReplyCommands.Pause; // "stop for two weeks" is a pause
        var unread = command == ReplyCommands.Pause && end is null && ReplyCommands.NamesPauseEnd(text);
        var experts = storage.Table(TableNames.Experts);
        var expert = await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(route.ExpertId), KeyEncoding.Encode(route.ExpertId), cancellationToken).ConfigureAwait(false);
        if (expert is null)
            return route.ReferredBy.Length > 0
                ? $"{route.ExpertName} replied \"{command}\"; they are not in the expert directory (brought in by {route.ReferredBy}), so the service sends them no requests anyway."
                : $"{route.ExpertName} replied \"{command}\" but is no longer in the directory.";
        // An end the service could not read never shortens a pause already set ("pause until mid-Q1" after "pause for a month").
        var pausedUntil = end ?? (unread && expert.PausedUntil is { } held && held > now + PauseLength ? held : now + PauseLength);
        // The person, not one listing: every listing with the same mail address (the same person imported from two sources,
        // or two accounts sharing a mailbox) is paused, stopped or resumed with it.
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var ids = snapshot.ListingsOf(expert.Email).Select(e => e.Id).Append(route.ExpertId).Distinct(StringComparer.Ordinal).ToList();
        var wasHeld = expert.OptedOut || expert.PausedUntil > now;
        foreach (var id in ids)
        {
            var listing = id == route.ExpertId ? expert
                : await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(id), KeyEncoding.Encode(id), cancellationToken).ConfigureAwait(false);
            if (listing is null) continue;
            if (command == ReplyCommands.Stop) listing.OptedOut = true;
            else if (command == ReplyCommands.Pause) listing.PausedUntil = pausedUntil;
            else (listing.OptedOut, listing.PausedUntil) = (false, null);
            listing.StandingRef = AskerReplies.Key(messageRef);
            listing.PauseUnread = unread ? Truncate(OneLine(text), 120) : "";
            await experts.UpdateEntityAsync(listing, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        directory.Invalidate();
        // The expert is told what was set (until when), in the thread of the request they replied to.
        if (command != ReplyCommands.Resume || wasHeld)
            await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("standing", route.PartitionKey, route.ExpertId), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Expert {ExpertId} replied {Command}", route.ExpertId, command);
        var others = ids.Count > 1 ? $" So are their {ids.Count - 1} other listing(s) with the address {expert.Email}." : "";
        if (command == ReplyCommands.Resume)
            return (wasHeld ? $"{route.ExpertName} asked to be asked again (resume); their pause or stop is lifted." : $"{route.ExpertName} asked to be asked again (resume); they were neither paused nor stopped.") + others;
        // On a question the expert has not answered (or passed) yet, pause/stop is also a pass: the next candidate is asked.
        if (route.AnsweredAt is null && route.PassedAt is null)
            await PassAwayAsync(route, question, now, $"{route.ExpertName} replied \"{command}\" ({(command == ReplyCommands.Stop ? "no more requests" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no requests until {pausedUntil.UtcDateTime:yyyy-MM-dd}"))})",
                cancellationToken).ConfigureAwait(false);
        return (command == ReplyCommands.Stop
            ? $"{route.ExpertName} asked to receive no more requests (stop)."
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{route.ExpertName} paused requests until {pausedUntil.UtcDateTime:yyyy-MM-dd}") +
              (unread ? " (the end they named could not be read as a date; they are told)." : ".")) + others;
    }

    /// <summary>How far before its request a reply's Date may lie and still be read as the expert's clock running behind: 1 day.</summary>
    internal static readonly TimeSpan ReplyClockSkew = TimeSpan.FromDays(1);

    /// <summary>The time a mail counts from: its Date header, unless missing, later than <paramref name="now"/> (a sender's clock
    /// ahead) or more than <see cref="MailOptions.MaxDateAgeHours"/> before it; then <paramref name="now"/>, the intake time.</summary>
    private DateTimeOffset MailTime(MimeMessage mime, DateTimeOffset now) =>
        mime.Date == DateTimeOffset.MinValue || mime.Date.ToUniversalTime() > now || IsTooOld(mime.Date, now) ? now : mime.Date.ToUniversalTime();

    /// <summary>Whether a mail's Date header lies more than <see cref="MailOptions.MaxDateAgeHours"/> before <paramref name="now"/> (then the intake time is used).</summary>
    private bool IsTooOld(DateTimeOffset date, DateTimeOffset now) => date.ToUniversalTime() < now - TimeSpan.FromHours(mailOptions.Value.MaxDateAgeHours);

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>Longest question or answer text stored, in characters (UTF-16 code units), marker included: 16,000.</summary>
    public const int MaxStoredTextLength = 16000;

    /// <summary>
    /// <paramref name="text"/> as stored with a question (and an answer): unchanged when it has at most
    /// <paramref name="max"/> characters; otherwise cut at the last whitespace before the limit (a hard cut, never
    /// inside a surrogate pair, only when no whitespace lies within the last 200 characters before it — one giant
    /// token), trailing whitespace removed, and a visible marker appended on its own paragraph:
    /// <c>[… cut: the mail had N characters]</c>, N = the length of the whole extracted text, formatted with thousands
    /// separators (invariant culture), then "; " and <paramref name="rest"/> when given. The result, marker included, has
    /// at most <paramref name="max"/> characters, so the expert reading the request knows the rest is in the asker's
    /// original mail — and the asker reading a long answer, whom to ask for the rest.
    /// </summary>
    /// <param name="text">The extracted text of a mail (<see cref="MailText.QuestionText"/>).</param>
    /// <param name="max">Longest result, characters; default <see cref="MaxStoredTextLength"/>. Must leave room for the marker (at least 100 plus <paramref name="rest"/>).</param>
    /// <param name="rest">Where the rest is, for a reader who never got the mail ("ask Anna Lindqvist (anna@…) for the rest"); null for none.</param>
    /// <returns>The text to store.</returns>
    public static string CutText(string text, int max = MaxStoredTextLength, string? rest = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 100 + (rest?.Length ?? 0));
        if (text.Length <= max) return text;
        var marker = "\n\n[… cut: the mail had " + text.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " characters" +
                     (string.IsNullOrEmpty(rest) ? "" : "; " + rest) + "]";
        var limit = max - marker.Length;
        var cut = limit;
        // A word boundary: the text up to the last whitespace at or before the limit.
        var space = -1;
        for (var i = limit; i > 0 && i >= limit - 200; i--)
        {
            if (char.IsWhiteSpace(text[i])) { space = i; break; }
        }
        if (space > 0) cut = space;
        else if (char.IsLowSurrogate(text[cut])) cut--; // hard cut: keep a surrogate pair whole
        return text[..cut].TrimEnd() + marker;
    }

    /// <summary>
    /// A time to first answer as people read it: "42 minutes" under an hour, "3 h 05 min" under two days, "27 days 14 h"
    /// beyond (rounded to the minute or the hour; a negative span — a reply dated before its question — counts as 0).
    /// </summary>
    /// <param name="elapsed">From the question's received time to the reply.</param>
    /// <returns>The text, e.g. <c>"1 minute"</c>, <c>"2 h 00 min"</c>, <c>"3,047 days 2 h"</c>.</returns>
    internal static string DescribeElapsed(TimeSpan elapsed)
    {
        var minutes = (long)Math.Round(Math.Max(0, elapsed.TotalMinutes));
        if (minutes < 60) return minutes == 1 ? "1 minute" : $"{minutes} minutes";
        if (minutes < 48 * 60) return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{minutes / 60} h {minutes % 60:00} min");
        var hours = (long)Math.Round(minutes / 60.0);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{hours / 24:N0} days {hours % 24} h");
    }
}
