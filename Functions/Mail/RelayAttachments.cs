using MimeKit;

namespace SocialLearning.Mail;

/// <summary>
/// The files of an expert's answer that travel with its relay to the asker: attachments (Content-Disposition: attachment,
/// or a file name) and pictures placed in the text (inline images of at least <see cref="MinInlineImageBytes"/>, such as
/// a pasted screenshot; smaller ones are signature logos). Attached mails (<c>message/rfc822</c>) are not among them:
/// their text is relayed (<see cref="Intake.MailText.Forwarded"/>).
/// </summary>
public static class RelayAttachments
{
    /// <summary>Most bytes (decoded) of files one relay carries: 3 MiB. Graph's <c>sendMail</c> takes requests up to 4 MB,
    /// and base64 adds a third.</summary>
    public const long MaxTotalBytes = 3 * 1024 * 1024;

    /// <summary>Smallest inline image relayed: 16 KiB. Smaller inline pictures are logos and icons of signatures.</summary>
    public const long MinInlineImageBytes = 16 * 1024;

    /// <summary>The files of <paramref name="mime"/> to relay, in order, with their decoded size in bytes.</summary>
    /// <param name="mime">The expert's reply.</param>
    public static IReadOnlyList<(MimePart Part, long Bytes)> Files(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var files = new List<(MimePart, long)>();
        foreach (var part in mime.BodyParts.Concat(mime.Attachments).Distinct().OfType<MimePart>())
        {
            if (part is TextPart && !part.IsAttachment) continue; // the body itself
            var bytes = DecodedLength(part);
            var isPicture = !part.IsAttachment && part.ContentType.MediaType.Equals("image", StringComparison.OrdinalIgnoreCase);
            if (part.IsAttachment || (part.FileName is not null && !isPicture) || (isPicture && bytes >= MinInlineImageBytes))
                files.Add((part, bytes));
        }
        return files;
    }

    /// <summary>The name a file is shown by: its file name, else its content-type name, else "unnamed".</summary>
    public static string Name(MimePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return part.FileName ?? part.ContentType.Name ?? "unnamed";
    }

    /// <summary>A size as people read it: "840 bytes", "12 KB", "3.4 MB" (1 KB = 1,024 bytes).</summary>
    public static string DescribeSize(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0:0} KB"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
    };

    private static long DecodedLength(MimePart part)
    {
        if (part.Content is null) return 0;
        using var buffer = new MemoryStream();
        part.Content.DecodeTo(buffer);
        return buffer.Length;
    }
}
