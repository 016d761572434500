using System.Globalization;

namespace SocialLearning.Mail;

/// <summary>
/// The follow-ups of a route waiting to be relayed (<see cref="Storage.RouteEntity.FollowUpText"/>), kept in the order the
/// expert sent them even when two are taken in at once and recorded the other way round. Stored form: blocks separated by
/// U+001E, each the mail's time (round-trip format), U+001F, the text; both control characters are removed from texts.
/// </summary>
public static class FollowUpBuffer
{
    private const char BlockSeparator = '\u001E';
    private const char FieldSeparator = '\u001F';

    /// <summary>Longest text kept per follow-up, characters: 8,000 (cut at a word, with the marker), so a few fit in one table property.</summary>
    public const int MaxTextLength = 8000;

    /// <summary>Adds <paramref name="text"/> sent at <paramref name="at"/> to <paramref name="buffer"/>, in time order (equal times keep arrival order).</summary>
    /// <param name="buffer">The stored buffer; empty for none.</param>
    /// <param name="at">The follow-up's time (its mail's Date, clamped).</param>
    /// <param name="text">The visible text of the follow-up.</param>
    /// <returns>The new buffer.</returns>
    public static string Add(string? buffer, DateTimeOffset at, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = Clean(text);
        var blocks = Entries(buffer).Append((At: at.ToUniversalTime(), Text: clean)).OrderBy(b => b.At).ToList();
        return string.Join(BlockSeparator, blocks.Select(b => b.At.ToString("O", CultureInfo.InvariantCulture) + FieldSeparator + b.Text));
    }

    /// <summary>Whether <paramref name="buffer"/> holds a follow-up sent at <paramref name="at"/> with <paramref name="text"/>
    /// (as <see cref="Add"/> stores it): a retried handler finds its own.</summary>
    /// <param name="buffer">The stored buffer; empty for none.</param>
    /// <param name="at">The follow-up's time.</param>
    /// <param name="text">Its visible text.</param>
    public static bool Contains(string? buffer, DateTimeOffset at, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = Clean(text);
        return Entries(buffer).Any(e => e.At == at.ToUniversalTime() && e.Text == clean);
    }

    /// <summary><paramref name="text"/> as stored: without the separator characters, trimmed, cut at <see cref="MaxTextLength"/>.</summary>
    private static string Clean(string text) =>
        Intake.InboundMailHandler.CutText(text.Replace(BlockSeparator, ' ').Replace(FieldSeparator, ' ').Trim(), MaxTextLength);

    /// <summary>The waiting follow-ups' texts, oldest first.</summary>
    /// <param name="buffer">The stored buffer.</param>
    public static IReadOnlyList<string> Texts(string? buffer) => Entries(buffer).Select(e => e.Text).ToList();

    private static IEnumerable<(DateTimeOffset At, string Text)> Entries(string? buffer)
    {
        if (string.IsNullOrEmpty(buffer)) yield break;
        foreach (var block in buffer.Split(BlockSeparator))
        {
            var cut = block.IndexOf(FieldSeparator, StringComparison.Ordinal);
            // A buffer written before this format (plain text) is one follow-up of unknown time.
            if (cut < 0 || !DateTimeOffset.TryParse(block[..cut], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                yield return (DateTimeOffset.MinValue, block);
            else
                yield return (at, block[(cut + 1)..]);
        }
    }
}
