using AngleSharp.Dom;
using MimeKit;

namespace SocialLearning.Intake;

/// <summary>Picks the text of an inbound mail that the question router works with.</summary>
public static partial class MailText
{
    /// <summary>
    /// CSS selectors of HTML reply containers that hold only quoted text: Gmail's <c>gmail_quote</c>
    /// (attribution line plus quote), Apple Mail and Thunderbird <c>blockquote type="cite"</c>, Thunderbird's
    /// <c>moz-cite-prefix</c> attribution and Yahoo's <c>yahoo_quoted</c>. Outlook's reply header
    /// (<c>divRplyFwdMsg</c>) is left in place: its "From:/Sent:" lines are what lets
    /// <see cref="ReplyText.ExtractVisible"/> cut the unquoted original below it.
    /// </summary>
    private const string QuotedHtmlSelectors =
        "div.gmail_quote, div.gmail_quote_container, blockquote[type=cite], div.moz-cite-prefix, div.yahoo_quoted";

    /// <summary>Returns the visible question text of <paramref name="message"/>.</summary>
    /// <param name="message">A parsed MIME message (RFC 5322 / RFC 2045), for example from the Maildir inbox or
    /// a Graph message's MIME content.</param>
    /// <returns>The sender's own text: <see cref="MimeMessage.TextBody"/> when it has any non-white-space
    /// content, else <see cref="MimeMessage.HtmlBody"/> with quoted reply containers removed, other blockquotes marked
    /// as quoted lines ("> "), and converted by
    /// <see cref="HtmlText.ToText(string?)"/>; then reduced to the visible reply by
    /// <see cref="ReplyText.ExtractVisible"/>. <c>""</c> when the message has no text at all. The subject is
    /// not included.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static string QuestionText(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string? text = message.TextBody;
        if (string.IsNullOrWhiteSpace(text))
        {
            string? html = message.HtmlBody;
            text = string.IsNullOrWhiteSpace(html) ? string.Empty : HtmlToText(html);
        }

        return ReplyText.ExtractVisible(text);
    }

    /// <summary>
    /// The text of a new question: <see cref="QuestionText"/> (what the sender wrote), then what the mail forwards — a
    /// message forwarded inline (<see cref="ReplyText.ForwardedMessage"/>) or attached as <c>message/rfc822</c> ("forward
    /// as attachment"), each under a "Forwarded:" line with its sender and subject — and the names of other attachments,
    /// which the service does not pass on. Without this a forward ("Can someone answer Carol's question below?") reached
    /// the experts without the question itself.
    /// </summary>
    /// <param name="message">A parsed MIME message.</param>
    /// <returns>The parts joined by blank lines; <c>""</c> when there is no text at all.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static string NewQuestionText(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parts = new List<string>();
        var own = QuestionText(message);
        if (own.Length > 0) parts.Add(own);

        parts.AddRange(Forwarded(message).Select(f => "Forwarded:\n" + f.Text));
        var others = message.BodyParts.Concat(message.Attachments).Distinct()
            .OfType<MimePart>().Where(p => p.IsAttachment).Select(p => p.FileName ?? p.ContentType.Name ?? "unnamed").ToList();
        if (others.Count > 0) parts.Add($"{AttachmentNotePrefix}{string.Join(", ", others)}]");
        return string.Join("\n\n", parts);
    }

    /// <summary>How the service's note naming a question's files begins (<see cref="NewQuestionText"/>); the note ends with "]".</summary>
    public const string AttachmentNotePrefix = "[Attached to the question, not passed on by the service (ask the asker): ";

    /// <summary><paramref name="text"/> without the service's own note naming the question's files: routing reads what the asker
    /// wrote, so "attached", "service" and "asker" are no match terms and a mail with only a file is too short to route.</summary>
    /// <param name="text">A stored question text.</param>
    public static string WithoutAttachmentNote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf(AttachmentNotePrefix, StringComparison.Ordinal);
        if (at < 0) return text;
        var end = text.IndexOf(']', at + AttachmentNotePrefix.Length);
        return (text[..at] + (end < 0 ? "" : text[(end + 1)..])).Trim();
    }

    /// <summary>
    /// The messages a mail forwards, in order: one forwarded inline (<see cref="ReplyText.ForwardedMessage"/>, on the body
    /// as the sender's client wrote it, quoted containers kept — Gmail puts the forwarded message in a gmail_quote block),
    /// then each attached as <c>message/rfc822</c> ("forward as attachment"). Empty when the mail forwards nothing.
    /// </summary>
    /// <param name="message">A parsed MIME message.</param>
    /// <param name="isForward">Whether the subject marks the mail as a forward, which lets an Outlook-style header block or
    /// an original-message marker start the forwarded part; null: <see cref="IsForwardSubject"/> of its subject. Replies
    /// pass <see cref="StartsAsForward"/>, so the quote in "Re: Fwd: …" is not taken for a forward.</param>
    /// <returns>Each forwarded message with its sender's address (null when its header names none) and its text:
    /// "From: …\nSubject: …\n\nbody", header lines present only when found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static IReadOnlyList<ForwardedMail> Forwarded(MimeMessage message, bool? isForward = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var found = new List<ForwardedMail>();
        var raw = message.TextBody;
        if (string.IsNullOrWhiteSpace(raw)) raw = string.IsNullOrWhiteSpace(message.HtmlBody) ? "" : HtmlText.ToText(message.HtmlBody);
        if (ReplyText.ForwardedMessage(raw, isForward ?? IsForwardSubject(message.Subject)) is { } inline)
        {
            var first = inline.Split('\n', 2)[0];
            // "From: Carol Diaz <carol@…>", "From: carol@…" or Outlook's "From: Carol Diaz [mailto:carol@…]".
            var address = first.StartsWith("From: ", StringComparison.Ordinal) ? AddressIn().Match(first) : null;
            var from = address is { Success: true } ? address.Value : null;
            found.Add(new ForwardedMail(from, inline));
        }
        foreach (var entity in message.BodyParts.Concat(message.Attachments).Distinct())
        {
            if (entity is not MessagePart { Message: { } inner }) continue;
            var sender = inner.From.Mailboxes.FirstOrDefault();
            var header = (sender is null ? "" : "From: " + sender + "\n") + (string.IsNullOrWhiteSpace(inner.Subject) ? "" : "Subject: " + inner.Subject.Trim() + "\n");
            var body = QuestionText(inner);
            if (header.Length + body.Length > 0) found.Add(new ForwardedMail(sender?.Address, (header + (body.Length > 0 ? "\n" + body : "")).TrimEnd()));
        }
        return found;
    }

    /// <summary>Whether a subject marks a forward: "Fwd:", "FW:", "WG:", "TR:", "RV:", "ENC:", "I:", "Doorst:", "VS:", "VB:",
    /// "VL:", "PD:", after any "Re:"/"AW:"/"SV:" prefixes.</summary>
    /// <param name="subject">The subject, or null.</param>
    public static bool IsForwardSubject(string? subject) => subject is not null && ForwardSubject().IsMatch(subject);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:(?:re|aw|sv|antw|r)\s*:\s*)*(?:fwd?|wg|tr|rv|enc|i|doorst|vs|vb|vl|pd)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ForwardSubject();

    /// <summary>Whether the subject's first prefix is a forward prefix (<see cref="IsForwardSubject"/>'s list): "FW: Re: …"
    /// was forwarded by its sender, "Re: FW: …" is a reply in a forwarded thread.</summary>
    /// <param name="subject">The subject, or null.</param>
    public static bool StartsAsForward(string? subject) => subject is not null && OuterForwardSubject().IsMatch(subject);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:fwd?|wg|tr|rv|enc|i|doorst|vs|vb|vl|pd)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex OuterForwardSubject();

    [System.Text.RegularExpressions.GeneratedRegex(@"[^\s<>\[\]:;,""]+@[^\s<>\[\]:;,""]+")]
    private static partial System.Text.RegularExpressions.Regex AddressIn();

    private static string HtmlToText(string html)
    {
        var document = HtmlText.Parse(html);
        foreach (var quoted in document.QuerySelectorAll(QuotedHtmlSelectors).ToList())
        {
            quoted.Remove();
        }

        // Any other blockquote is quoted text too, as '>' lines are in plain text: rendered with a "> " prefix so that
        // ReplyText treats it alike (an HTML-only reply quoting the request must not relay the request back).
        foreach (var quote in document.QuerySelectorAll("blockquote").Where(b => b.ParentElement?.Closest("blockquote") is null).ToList())
        {
            var inner = HtmlText.ToText(HtmlText.Parse(quote.InnerHtml));
            var pre = document.CreateElement("pre");
            pre.TextContent = string.Join("\n", inner.Split('\n').Select(l => "> " + l));
            quote.Replace(pre);
        }

        return HtmlText.ToText(document);
    }
}

/// <summary>A message forwarded in a mail (<see cref="MailText.Forwarded"/>).</summary>
/// <param name="FromAddress">The forwarded message's sender address, or null when its header names none.</param>
/// <param name="Text">"From: …\nSubject: …\n\nbody" (header lines only when found).</param>
public sealed record ForwardedMail(string? FromAddress, string Text);
