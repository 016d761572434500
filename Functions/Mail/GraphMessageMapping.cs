using Microsoft.Graph.Models;
using MimeKit;

namespace SocialLearning.Mail;

/// <summary>
/// Converts a composed <see cref="MimeMessage"/> into the Graph <see cref="Message"/> that <c>sendMail</c> accepts
/// (source: "user: sendMail", learn.microsoft.com/graph/api/user-sendmail): subject, To / Cc / Bcc, Reply-To, one body
/// (HTML when the mail has one, else plain text), its attachments as <c>fileAttachment</c>s (name, content type, bytes)
/// and <c>internetMessageHeaders</c>.
/// </summary>
/// <remarks>
/// Graph accepts only custom headers whose names start with <c>X-</c> in <c>internetMessageHeaders</c> and rejects the
/// whole request for any other, so every other header of the composed mail (<c>Auto-Submitted</c>, <c>In-Reply-To</c>,
/// <c>References</c>, <c>Message-ID</c>, <c>From</c>) is left out: Exchange sets From to the shared mailbox and its own
/// Message-ID. <c>X-Auto-Response-Suppress: All</c> is always present, so out-of-office replies are not sent back to the
/// shared mailbox.
/// </remarks>
public static class GraphMessageMapping
{
    /// <summary>The header that asks Exchange and Outlook not to send automatic replies to this mail.</summary>
    public const string AutoResponseSuppress = "X-Auto-Response-Suppress";

    /// <summary>Builds the Graph message for <paramref name="mime"/>.</summary>
    /// <exception cref="ArgumentException">The mail has no recipient.</exception>
    public static Message ToGraphMessage(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        if (!mime.To.Mailboxes.Any() && !mime.Cc.Mailboxes.Any() && !mime.Bcc.Mailboxes.Any())
            throw new ArgumentException("The mail has no recipient (To, Cc or Bcc).", nameof(mime));
        var html = mime.HtmlBody;
        var message = new Message
        {
            Subject = mime.Subject ?? "",
            Body = html is not null
                ? new ItemBody { ContentType = BodyType.Html, Content = html }
                : new ItemBody { ContentType = BodyType.Text, Content = mime.TextBody ?? "" },
            ToRecipients = Recipients(mime.To),
            CcRecipients = Recipients(mime.Cc),
            BccRecipients = Recipients(mime.Bcc),
            ReplyTo = Recipients(mime.ReplyTo),
            InternetMessageHeaders = CustomHeaders(mime),
        };
        var files = mime.Attachments.OfType<MimePart>().ToList();
        if (files.Count > 0) message.Attachments = files.Select(ToFileAttachment).ToList<Attachment>();
        return message;
    }

    /// <summary>
    /// The <c>X-</c> headers of <paramref name="mime"/> in order (the first of repeated names), with
    /// <c>X-Auto-Response-Suppress: All</c> added when absent. Values are unfolded.
    /// </summary>
    public static List<InternetMessageHeader> CustomHeaders(MimeMessage mime)
    {
        var headers = new List<InternetMessageHeader>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in mime.Headers)
        {
            if (!h.Field.StartsWith("X-", StringComparison.OrdinalIgnoreCase) || !seen.Add(h.Field)) continue;
            headers.Add(new InternetMessageHeader { Name = h.Field, Value = h.Value.Replace("\r", "").Replace("\n", "").Trim() });
        }
        if (!seen.Contains(AutoResponseSuppress))
            headers.Add(new InternetMessageHeader { Name = AutoResponseSuppress, Value = "All" });
        return headers;
    }

    /// <summary>A file of the mail as a Graph <c>fileAttachment</c> (name, content type, decoded bytes).</summary>
    private static FileAttachment ToFileAttachment(MimePart part)
    {
        using var bytes = new MemoryStream();
        part.Content?.DecodeTo(bytes);
        return new FileAttachment
        {
            OdataType = "#microsoft.graph.fileAttachment",
            Name = part.FileName ?? part.ContentType.Name ?? "unnamed",
            ContentType = part.ContentType.MimeType,
            ContentBytes = bytes.ToArray(),
        };
    }

    private static List<Recipient> Recipients(InternetAddressList list) =>
        list.Mailboxes.Select(m =>
        {
            var address = new EmailAddress { Address = m.Address };
            if (!string.IsNullOrEmpty(m.Name)) address.Name = m.Name;
            return new Recipient { EmailAddress = address };
        }).ToList();
}
