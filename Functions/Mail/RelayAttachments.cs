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
    /// <summary>Most bytes (decoded) of files one relay carries: 2,800,000 (2.67 MiB). Graph's <c>sendMail</c> takes requests
    /// up to 4 MB (4,000,000 bytes) and base64 adds a third: 3,733,336 bytes of attachments, the rest for the mail and the
    /// JSON around it (at 3 MiB the attachments alone came to 4,194,304 bytes, and Graph would refuse the relay).</summary>
    public const long MaxTotalBytes = 2_800_000;

    /// <summary>Smallest inline image relayed by size alone: 16 KiB. Smaller inline pictures are relayed when they are at least
    /// <see cref="MinPictureWidth"/> wide or <see cref="MinPictureHeight"/> high (a cropped screenshot); the rest are logos
    /// and icons of signatures.</summary>
    public const long MinInlineImageBytes = 16 * 1024;

    /// <summary>Width in pixels from which a small inline image is a picture, not a logo: 300.</summary>
    public const int MinPictureWidth = 300;

    /// <summary>Height in pixels from which a small inline image is a picture, not a logo: 150.</summary>
    public const int MinPictureHeight = 150;

    /// <summary>The files of <paramref name="mime"/> to relay, in order, with their decoded size in bytes.</summary>
    /// <param name="mime">The expert's reply.</param>
    public static IReadOnlyList<(MimePart Part, long Bytes)> Files(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var files = new List<(MimePart, long)>();
        foreach (var part in mime.BodyParts.Concat(mime.Attachments).Distinct().OfType<MimePart>())
        {
            if (part is TextPart && !part.IsAttachment) continue; // the body itself
            var content = Decoded(part);
            var isPicture = !part.IsAttachment && part.ContentType.MediaType.Equals("image", StringComparison.OrdinalIgnoreCase);
            if (part.IsAttachment || (part.FileName is not null && !isPicture) || (isPicture && IsPicture(content)))
                files.Add((part, content.Length));
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

    private static byte[] Decoded(MimePart part)
    {
        if (part.Content is null) return [];
        using var buffer = new MemoryStream();
        part.Content.DecodeTo(buffer);
        return buffer.ToArray();
    }

    private static bool IsPicture(byte[] image) =>
        image.Length >= MinInlineImageBytes || PixelSize(image) is { } size && (size.Width >= MinPictureWidth || size.Height >= MinPictureHeight);

    /// <summary>Width and height in pixels of a PNG, GIF or JPEG image, read from its header; null for other formats or a
    /// header that cannot be read.</summary>
    /// <param name="image">The image file's bytes.</param>
    public static (int Width, int Height)? PixelSize(ReadOnlySpan<byte> image)
    {
        // PNG: signature, then the IHDR chunk: width and height as big-endian 32-bit integers at offsets 16 and 20.
        if (image.Length >= 24 && image[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image[16..]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image[20..]));
        // GIF: "GIF87a"/"GIF89a", then the logical screen width and height, little-endian 16-bit.
        if (image.Length >= 10 && image[0] == 'G' && image[1] == 'I' && image[2] == 'F')
            return (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(image[6..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(image[8..]));
        // JPEG: SOI, then segments; a start-of-frame marker (SOF0–SOF15 but DHT, JPG, DAC) holds height and width.
        if (image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8)
        {
            var i = 2;
            while (i + 9 < image.Length)
            {
                if (image[i] != 0xFF) return null;
                var marker = image[i + 1];
                var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(image[(i + 2)..]);
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                    return (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(image[(i + 7)..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(image[(i + 5)..]));
                i += 2 + length;
            }
        }
        return null;
    }
}
