using System.Text;
using MimeKit;
using SocialLearning.Storage;

namespace SocialLearning.Mail;

/// <summary>
/// Composes the mail that asks an expert a question (MimeKit): subject with the <c>[Q-XXXXXX]</c> token, Reply-To the
/// shared address, the question, why the expert was chosen, and how to answer, pass, pause or stop. Marked
/// <c>Auto-Submitted: auto-generated</c> (RFC 3834) and <c>X-Auto-Response-Suppress: All</c> so out-of-office replies
/// do not come back.
/// </summary>
public static partial class RoutedRequestComposer
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:re|aw|sv|antw)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ReplyPrefix();

    /// <summary>Builds the request for <paramref name="route"/> of <paramref name="question"/>.</summary>
    public static MimeMessage Compose(QuestionEntity question, RouteEntity route, MailOptions mail)
    {
        var subject = string.IsNullOrWhiteSpace(question.Subject) ? "" : Intake.QuestionIds.WithoutTokens(question.Subject);
        // Without a subject the mail's subject line says so; the quoted question is only what the asker wrote.
        var quoted = subject.Length == 0 ? question.Text : subject + "\n\n" + question.Text;
        if (subject.Length == 0) subject = "A colleague has a question";
        var message = NewServiceMail(mail, question.QuestionId, new MailboxAddress(route.ExpertName, route.ExpertEmail),
            $"[{question.QuestionId}] {subject}", RequestMessageId(question.QuestionId, route.ExpertId), route.AskedAt);

        var asker = string.IsNullOrWhiteSpace(question.AskerName) ? question.AskerEmail : question.AskerName;
        var first = route.ExpertName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? route.ExpertName;
        // When the question is not fresh (an escalation, a backlog), the expert sees when it was asked; after a pass, why
        // they are asked now.
        var when = route.AskedAt - question.ReceivedAt > TimeSpan.FromHours(12)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (asked on {question.ReceivedAt.UtcDateTime:d MMMM yyyy})")
            : "";
        var lead = route.Escalation
            ? $" has a question that you may be able to answer{when}. The colleague asked before you passed it on, so we are asking you:"
            : $" has a question that you may be able to answer{when}:";
        var body = new StringBuilder()
            .Append("Hello ").Append(first).AppendLine(",")
            .AppendLine()
            .Append(asker).AppendLine(lead)
            .AppendLine();
        foreach (var line in quoted.Split('\n'))
            body.Append("    ").AppendLine(line.TrimEnd('\r'));
        // What the asker added in the thread before this expert was asked (an escalation, a reserve).
        foreach (var added in AskerReplies.Read(question.AskerRepliesJson).Where(r => AskerReplies.IsFor(r, route.ExpertId)))
        {
            body.AppendLine().Append(asker).AppendLine(" added later:");
            foreach (var line in added.Text.Split('\n'))
                body.Append("    ").AppendLine(line.TrimEnd('\r'));
        }
        // Who has the question already: colleagues the asker copied (a reply-all reaches them too).
        var copied = QuestionEntity.Addresses(question.Copied);
        if (copied.Length > 0)
            body.AppendLine().Append(asker).Append(" also sent it to ").Append(string.Join(", ", copied.Take(5)))
                .Append(copied.Length > 5 ? $" and {copied.Length - 5} more" : "").AppendLine(".");
        body.AppendLine()
            .Append("Why you: ").AppendLine(route.Reason)
            .AppendLine()
            .AppendLine("To answer, just reply to this mail: your reply goes back to the asker in this thread.")
            .AppendLine("Not for you? Reply with \"pass\" and we will ask someone else.")
            .AppendLine("Reply \"pause\" to get no requests for two weeks (or \"pause until 15 January\", \"pause for a month\"), or \"stop\" to get none at all.")
            .AppendLine()
            .Append("Thank you for sharing what you know. — ").AppendLine(mail.DisplayName);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    /// <summary>The Message-ID of the request for question <paramref name="questionId"/> to expert <paramref name="expertId"/>:
    /// <c>Q-XXXXXX.&lt;12 hex of the expert id's hash&gt;@sociallearning.local</c>, without angle brackets.</summary>
    public static string RequestMessageId(string questionId, string expertId) => $"{questionId}.{KeyEncoding.Hash(expertId)[..12]}@sociallearning.local";

    /// <summary>
    /// Builds the mail that brings an expert's answer to the asker, in the thread of the asker's own mail (In-Reply-To and
    /// References: the question's Message-ID, RFC 5322 §3.6.4), with the question token in the subject.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="route">The answered route.</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="files">The answer's files to attach (<see cref="RelayAttachments.Files"/>); none by default.</param>
    /// <param name="filesNote">A line saying why the answer's files are not attached and whom to ask, or null.</param>
    public static MimeMessage ComposeRelay(QuestionEntity question, RouteEntity route, MailOptions mail, IReadOnlyList<MimePart>? files = null, string? filesNote = null)
    {
        ArgumentNullException.ThrowIfNull(route);
        var attached = files is { Count: > 0 } ? "Attached: " + string.Join(", ", files.Select(RelayAttachments.Name)) : null;
        var message = ComposeRelay(question, route, mail, route.AnswerText, "answered your question:", "relay", route.AnsweredAt ?? route.AskedAt,
            attached is not null && filesNote is not null ? attached + "\n" + filesNote : attached ?? filesNote);
        if (files is not { Count: > 0 }) return message;
        var mixed = new Multipart("mixed") { message.Body! };
        foreach (var file in files)
        {
            // A picture placed in the expert's text travels as an attachment: the relay is plain text.
            file.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = RelayAttachments.Name(file) };
            file.ContentId = null;
            mixed.Add(file);
        }
        message.Body = mixed;
        return message;
    }

    /// <summary>
    /// The mail relaying an expert's follow-up (<see cref="RouteEntity.FollowUpText"/>: corrections or additions after
    /// their answer) to the asker, in the same thread as the first relay; before the expert has answered, what is waiting
    /// is a question for the asker ("… asks you, before answering:"), with how to reply.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="route">The route with a pending follow-up.</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="date">The mail's Date (now).</param>
    public static MimeMessage ComposeFollowUp(QuestionEntity question, RouteEntity route, MailOptions mail, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(route);
        // Before an answer, what the expert wrote is a question for the asker (ReplyCommands.IsClarifyingQuestion).
        var asking = route.AnsweredAt is null;
        return ComposeRelay(question, route, mail, string.Join("\n\n", FollowUpBuffer.Texts(route.FollowUpText)),
            asking ? "asks you, before answering:" : "added to their answer:", $"followup{route.FollowUps}", date,
            asking ? $"To answer, reply to this mail: your reply goes to {route.ExpertName} in this thread." : null);
    }

    private static MimeMessage ComposeRelay(QuestionEntity question, RouteEntity route, MailOptions mail, string text, string lead, string idPart, DateTimeOffset date, string? note = null)
    {
        // Without any token the asker's subject carried (a stale one typed or copied in): the relay names its own only.
        var subject = string.IsNullOrWhiteSpace(question.Subject) ? "your question" : Intake.QuestionIds.WithoutTokens(question.Subject);
        if (subject.Length == 0) subject = "your question";
        var message = NewServiceMail(mail, question.QuestionId, new MailboxAddress(question.AskerName, question.AskerEmail),
            $"{(ReplyPrefix().IsMatch(subject) ? "" : "Re: ")}{subject} [{question.QuestionId}]", $"{question.QuestionId}.{idPart}.{KeyEncoding.Hash(route.ExpertId)[..12]}@sociallearning.local",
            date);
        if (!string.IsNullOrWhiteSpace(question.InternetMessageId))
        {
            message.InReplyTo = question.InternetMessageId;
            message.References.Add(question.InternetMessageId);
        }

        var expert = string.IsNullOrWhiteSpace(route.ExpertDepartment) ? route.ExpertName : $"{route.ExpertName} ({route.ExpertDepartment})";
        if (route.ReferredBy.Length > 0) expert += $", brought in by {route.ReferredBy},";
        else if (route.CopiedByAsker) expert += ", whom you copied,";
        var body = new StringBuilder()
            .Append(expert).Append(' ').AppendLine(lead)
            .AppendLine();
        foreach (var line in text.Split('\n'))
            body.Append("    ").AppendLine(line.TrimEnd('\r'));
        if (note is not null) body.AppendLine().AppendLine(note);
        body.AppendLine()
            .Append("You can write to ").Append(route.ExpertName).Append(" directly at ").Append(route.ExpertEmail).AppendLine(".")
            .AppendLine()
            .Append("— ").AppendLine(mail.DisplayName);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    /// <summary>
    /// The mail that brings the asker's replies in the thread to an expert asked: in the thread of the expert's request
    /// (In-Reply-To its Message-ID, the token in the subject), "… replied to your answer:" to an expert who answered, "…
    /// added to their question:" to one who has not, each reply quoted, and how to answer back.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="route">The expert's route.</param>
    /// <param name="replies">The replies the expert has not had yet, oldest first.</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="date">The mail's Date (now).</param>
    public static MimeMessage ComposeAskerReplies(QuestionEntity question, RouteEntity route, IReadOnlyList<AskerReplies.Reply> replies, MailOptions mail, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(replies);
        var subject = string.IsNullOrWhiteSpace(question.Subject) ? "A colleague has a question" : Intake.QuestionIds.WithoutTokens(question.Subject);
        var message = NewServiceMail(mail, question.QuestionId, new MailboxAddress(route.ExpertName, route.ExpertEmail),
            $"Re: [{question.QuestionId}] {subject}", $"{question.QuestionId}.asker{route.AskerRepliesRelayed + replies.Count}.{KeyEncoding.Hash(route.ExpertId)[..12]}@sociallearning.local", date);
        var request = RequestMessageId(question.QuestionId, route.ExpertId);
        message.InReplyTo = request;
        message.References.Add(request);
        var asker = string.IsNullOrWhiteSpace(question.AskerName) ? question.AskerEmail : question.AskerName;
        var first = route.ExpertName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? route.ExpertName;
        // The asker withdrew the question ("Never mind, found it") and this expert has not answered: nothing more to do.
        var withdrawn = question.ResolvedByAskerAt is not null && route.AnsweredAt is null && replies.Count > 0
                        && question.ResolvedByAskerRef.Length > 0 && replies[^1].Ref == question.ResolvedByAskerRef;
        var body = new StringBuilder()
            .Append("Hello ").Append(first).AppendLine(",")
            .AppendLine()
            // Worded by when each reply was written, not by when it is sent: a remark written before the answer is not
            // feedback on it.
            .Append(asker).AppendLine(withdrawn ? " no longer needs an answer to this question:"
                : route.AnsweredAt is not { } answered || replies.All(r => r.At < answered) ? " added to their question:"
                : replies.All(r => r.At >= answered) ? " replied to your answer:" : " wrote in the thread:")
            .AppendLine();
        foreach (var reply in replies)
        {
            foreach (var line in reply.Text.Split('\n'))
                body.Append("    ").AppendLine(line.TrimEnd('\r'));
            body.AppendLine();
        }
        body.AppendLine(withdrawn ? "Nothing more to do on this one. Thank you for your time. (A reply to this mail still reaches the asker.)"
                : route.AnsweredAt is not null ? "To write back, reply to this mail: it goes to the asker in the same thread."
                : "To answer, reply to this mail: your reply goes back to the asker in this thread. Not for you? Reply \"pass\".")
            .AppendLine()
            .Append("— ").AppendLine(mail.DisplayName);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    /// <summary>
    /// The mail that confirms an expert's "pause", "stop" or "resume" — in the thread of their request (In-Reply-To its
    /// Message-ID, the token in the subject), saying until when no requests come (the date as set, so an expert whose
    /// "until" was read differently sees it at once, and one whose date could not be read is told so) and how to change it:
    /// reply "pause until …" for another date, "resume" to be asked again.
    /// </summary>
    /// <param name="question">The question whose request the expert replied to.</param>
    /// <param name="route">The expert's route.</param>
    /// <param name="stopped">True for a stop.</param>
    /// <param name="pausedUntil">End of the pause (UTC), or null (stopped, or resumed when <paramref name="stopped"/> is false).</param>
    /// <param name="unread">The words of a pause end that could not be read as a date, or empty.</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="date">The mail's Date (now).</param>
    public static MimeMessage ComposeStanding(QuestionEntity question, RouteEntity route, bool stopped, DateTimeOffset? pausedUntil, string unread, MailOptions mail, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(route);
        var subject = string.IsNullOrWhiteSpace(question.Subject) ? "A colleague has a question" : Intake.QuestionIds.WithoutTokens(question.Subject);
        var key = stopped ? "stop" : pausedUntil is { } u ? u.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) : "resumed";
        var message = NewServiceMail(mail, question.QuestionId, new MailboxAddress(route.ExpertName, route.ExpertEmail),
            $"Re: [{question.QuestionId}] {subject}", $"{question.QuestionId}.standing.{key}.{date.UtcTicks:x}.{KeyEncoding.Hash(route.ExpertId)[..12]}@sociallearning.local", date);
        var request = RequestMessageId(question.QuestionId, route.ExpertId);
        message.InReplyTo = request;
        message.References.Add(request);
        var first = route.ExpertName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? route.ExpertName;
        var body = new StringBuilder()
            .Append("Hello ").Append(first).AppendLine(",")
            .AppendLine();
        if (stopped)
        {
            body.AppendLine("Done: you will get no more requests from us. Thank you for the answers you have shared.")
                .AppendLine()
                .AppendLine("To be asked again one day, reply \"resume\" to this mail.");
        }
        else if (pausedUntil is { } until)
        {
            if (unread.Length > 0)
                body.Append("We could not use the end in \"").Append(unread).Append("\" (no date we could read, or one already past or more than a year away), so ")
                    .AppendLine(until - date > TimeSpan.FromDays(14.5) ? "your pause stays as it was." : "we have paused your requests for two weeks.");
            body.Append(unread.Length > 0 ? "You will get no requests from us until " : "Done: you will get no requests from us until ")
                .Append(until.UtcDateTime.ToString("dddd d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)).AppendLine(".")
                .AppendLine()
                .AppendLine("For a different date, reply to this mail with \"pause until\" and the date (\"pause until 15 January\") or a length (\"pause for three weeks\").")
                .AppendLine("To be asked again sooner, reply \"resume\".");
        }
        else
        {
            body.AppendLine("Done: you will get requests from us again. Welcome back!");
        }
        body.AppendLine()
            .Append("— ").AppendLine(mail.DisplayName);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    /// <summary>The mail that confirms an expert's "resume" written as a new mail to the shared address: requests come again.</summary>
    /// <param name="name">The expert's name.</param>
    /// <param name="email">The expert's address.</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="date">The mail's Date (now).</param>
    public static MimeMessage ComposeResumed(string name, string email, MailOptions mail, DateTimeOffset date)
    {
        var message = NewServiceMail(mail, "", new MailboxAddress(name, email), "You will get requests again",
            $"resumed.{date.UtcTicks:x}.{KeyEncoding.Hash(email)[..12]}@sociallearning.local", date);
        message.Headers.Remove("X-SocialLearning-Question");
        var first = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? name;
        message.Body = new TextPart("plain")
        {
            Text = new StringBuilder().Append("Hello ").Append(first).AppendLine(",").AppendLine()
                .AppendLine("Done: you will get requests from us again. Welcome back!").AppendLine()
                .Append("— ").AppendLine(mail.DisplayName).ToString(),
        };
        return message;
    }

    /// <summary>
    /// The mail that tells the asker their question went to nobody, why, and how to go on — in the thread of their own mail
    /// (In-Reply-To its Message-ID, the token in the subject), so that their reply adds to the question and routes it again:
    /// too little text ("reply with what it is about"), a knowledge gap (nobody in the directory is close enough; logged for
    /// Learning &amp; Development), or a bottleneck (the colleagues who know are at their request cap or away).
    /// </summary>
    /// <param name="question">An unrouted question (<see cref="QuestionEntity.UnroutedReason"/> set).</param>
    /// <param name="mail">Mail settings.</param>
    /// <param name="date">The mail's Date (now).</param>
    public static MimeMessage ComposeUnroutedNotice(QuestionEntity question, MailOptions mail, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(question);
        var subject = string.IsNullOrWhiteSpace(question.Subject) ? "your question" : Intake.QuestionIds.WithoutTokens(question.Subject);
        if (subject.Length == 0) subject = "your question";
        var message = NewServiceMail(mail, question.QuestionId, new MailboxAddress(question.AskerName, question.AskerEmail),
            $"{(ReplyPrefix().IsMatch(subject) ? "" : "Re: ")}{subject} [{question.QuestionId}]",
            $"{question.QuestionId}.notice.{KeyEncoding.Hash(question.UnroutedReason)[..12]}@sociallearning.local", date);
        if (!string.IsNullOrWhiteSpace(question.InternetMessageId))
        {
            message.InReplyTo = question.InternetMessageId;
            message.References.Add(question.InternetMessageId);
        }
        var first = (string.IsNullOrWhiteSpace(question.AskerName) ? "" : question.AskerName.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        var reason = question.UnroutedReason;
        var why = reason.Contains(Routing.RouteQuestionHandler.EveryExpertPassed, StringComparison.Ordinal)
            ? (reason.Contains(Routing.RouteQuestionHandler.ExpertsAway, StringComparison.Ordinal)
                  ? "The colleagues we asked who know about this are away or have paused their requests, and nobody else close enough is free, so nobody else has been asked. We have noted it for Learning & Development: the knowledge sits with too few people."
                  : "The colleagues we asked passed on your question: it was not something they could answer. " +
                    (reason.StartsWith("knowledge bottleneck", StringComparison.Ordinal)
                        ? "The others who know about it are busy (each already has the most requests we send in a week) or away, so nobody else has been asked. We have noted it for Learning & Development."
                        : "Nobody else in our expert directory is a close enough match, so nobody else has been asked. We have noted it for Learning & Development as a knowledge gap."))
              + Environment.NewLine + Environment.NewLine
              + "If you reply to this mail with more detail (which system, process or team it is about), we will try again with colleagues not asked yet; in a few days, when this week's requests have cleared, a reply also tries again."
            : reason.StartsWith(Routing.RoutableText.TooLittlePrefix, StringComparison.Ordinal)
            ? "Your mail has too little text for us to tell who would know the answer, so nobody has been asked yet."
              + Environment.NewLine + Environment.NewLine
              + "Reply to this mail with what your question is about — a sentence or two — and we will ask the colleagues most likely to know."
            : reason.StartsWith("knowledge bottleneck", StringComparison.Ordinal)
                ? "The colleagues who know about this are all busy (each already has the most requests we send in a week) or away, so nobody has been asked. We have noted it for Learning & Development: the knowledge sits with too few people."
                  + Environment.NewLine + Environment.NewLine
                  + "Requests count over seven days: reply to this mail in a few days (with more detail, if you like) and we will try again."
                : "Nobody in our expert directory is a close enough match for your question, so nobody has been asked. We have noted it for Learning & Development as a knowledge gap."
                  + Environment.NewLine + Environment.NewLine
                  + "If you reply to this mail with more detail (which system, process or team it is about), we will try again with it.";
        var body = new StringBuilder()
            .Append("Hello").Append(first.Length > 0 ? " " + first : "").AppendLine(",")
            .AppendLine()
            .AppendLine(why)
            .AppendLine()
            .Append("— ").AppendLine(mail.DisplayName);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    /// <summary>
    /// A mail from the shared address (From and Reply-To), marked as machine-sent: <c>Auto-Submitted: auto-generated</c>
    /// (RFC 3834) and <c>X-Auto-Response-Suppress: All</c>, with the question id in <c>X-SocialLearning-Question</c>.
    /// </summary>
    private static MimeMessage NewServiceMail(MailOptions mail, string questionId, MailboxAddress to, string subject, string messageId, DateTimeOffset date)
    {
        var shared = new MailboxAddress(mail.DisplayName, mail.SharedAddress);
        var message = new MimeMessage();
        message.From.Add(shared);
        message.ReplyTo.Add(shared);
        message.To.Add(to);
        message.Subject = subject;
        message.MessageId = messageId;
        message.Date = date;
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        message.Headers.Add("X-SocialLearning-Question", questionId);
        return message;
    }
}
