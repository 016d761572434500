using System.Text;
using MimeKit;

namespace SocialLearning.Intake;

/// <summary>
/// Repairs the two charset mislabels mail clients and gateways commonly make, before the text is read: a text part
/// labelled UTF-8 (or US-ASCII, or unlabelled) whose bytes are not valid UTF-8 — Latin-1 or Windows-1252 bytes, which
/// would read as U+FFFD and could make a short question undecodable — is read as Windows-1252; a part labelled
/// single-byte charset (ISO-8859-1, Windows-1252, KOI8-R, windows-1251 …) whose bytes are valid UTF-8 with multi-byte
/// sequences in them — which would read as "Ã©" or "Ð¦" for "é" — is read as UTF-8; a part labelled ISO-8859-1 with bytes in 0x80–0x9F (no printable characters in
/// ISO-8859-1; €, dashes and curly quotes in Windows-1252, which Outlook and older clients send under that label) is read
/// as Windows-1252. Valid UTF-8 that is not ASCII is practically never meant as Latin-1 text, so the
/// second rule does not misfire on real Latin-1 mail. Only the in-memory message changes (its parts' charset
/// parameter); the mail in the mailbox is left as it is.
/// </summary>
public static class MailCharsets
{
    private static readonly string[] Latin = ["iso-8859-1", "iso-8859-15", "windows-1252", "cp1252", "latin1", "us-ascii"];

    /// <summary>Relabels the mislabelled text parts of <paramref name="message"/>; returns a description of each change
    /// ("text/plain: labelled utf-8, read as windows-1252"), empty when nothing was changed.</summary>
    /// <param name="message">A parsed mail.</param>
    public static IReadOnlyList<string> Repair(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var changes = new List<string>();
        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            if (part.Content is null) continue;
            var declared = part.ContentType.Charset?.Trim().ToLowerInvariant();
            byte[] bytes;
            using (var buffer = new MemoryStream())
            {
                part.Content.DecodeTo(buffer);
                bytes = buffer.ToArray();
            }
            if (bytes.All(b => b < 0x80)) continue; // ASCII reads the same in all of them
            var validUtf8 = System.Text.Unicode.Utf8.IsValid(bytes);
            string? read = null;
            if (declared is null or "utf-8" or "utf8" or "us-ascii" && !validUtf8) read = "windows-1252";
            else if (declared is not null && validUtf8 && (Latin.Contains(declared) || IsSingleByte(declared))) read = "utf-8";
            // ISO-8859-1 has no printable characters at 0x80–0x9F; Windows-1252 has €, dashes and curly quotes there, and
            // is what such bytes mean (as browsers read the label, WHATWG Encoding Standard).
            else if (declared is "iso-8859-1" or "latin1" && bytes.Any(b => b is >= 0x80 and <= 0x9F)) read = "windows-1252";
            if (read is null) continue;
            part.ContentType.Charset = read;
            changes.Add($"{part.ContentType.MimeType}: labelled {declared ?? "without a charset"}, read as {read}");
        }
        return changes;
    }

    /// <summary>Whether <paramref name="charset"/> names a single-byte charset .NET knows (KOI8-R, windows-1251, ISO-8859-5,
    /// …): valid UTF-8 with multi-byte sequences under such a label is UTF-8 mislabelled, since text in those charsets is
    /// practically never valid UTF-8 (two letters in a row above 0x7F are a lead byte without its continuation byte). Not
    /// for multi-byte charsets (Shift_JIS, GB2312, Big5), nor for names .NET does not know.</summary>
    private static bool IsSingleByte(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset).IsSingleByte;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
