using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SocialLearning.Intake;

/// <summary>
/// Question ids: <c>Q-</c> plus 6 characters of Crockford base32 (no I, L, O, U) derived from the mail's dedupe key,
/// so the same mail always gets the same id. Shown in subjects as the token <c>[Q-XXXXXX]</c>.
/// </summary>
public static partial class QuestionIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>The id for a mail with dedupe key <paramref name="messageKey"/>; <paramref name="attempt"/> &gt; 0 derives another id after a collision.</summary>
    public static string From(string messageKey, int attempt = 0)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(attempt == 0 ? messageKey : $"{messageKey}#{attempt}"));
        var bits = ((ulong)hash[0] << 32) | ((ulong)hash[1] << 24) | ((ulong)hash[2] << 16) | ((ulong)hash[3] << 8) | hash[4];
        Span<char> chars = stackalloc char[6];
        for (var i = 5; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
        return "Q-" + new string(chars);
    }

    /// <summary>The question id in a subject's <c>[Q-XXXXXX]</c> token, or null.</summary>
    public static string? FindToken(string? subject)
    {
        if (subject is null) return null;
        var m = Token().Match(subject);
        return m.Success ? m.Groups[1].Value.ToUpperInvariant() : null;
    }

    /// <summary>
    /// The question a mail belongs to: the subject's <c>[Q-XXXXXX]</c> token, or else the question id in the Message-ID of
    /// one of the service's own mails that the mail answers (<c>In-Reply-To</c>, then <c>References</c>, RFC 5322 §3.6.4:
    /// ids of the form <c>Q-XXXXXX.…@sociallearning.local</c>) — a reply whose subject lost the token (some clients rewrite
    /// subjects) still reaches its question. Null when neither names one.
    /// </summary>
    /// <param name="subject">Subject line.</param>
    /// <param name="inReplyTo">In-Reply-To message id, or null.</param>
    /// <param name="references">References message ids, oldest first.</param>
    public static string? FindInThread(string? subject, string? inReplyTo, IEnumerable<string>? references)
    {
        if (FindToken(subject) is { } token) return token;
        foreach (var id in (references ?? []).Reverse().Prepend(inReplyTo))
        {
            if (string.IsNullOrEmpty(id)) continue;
            var m = OwnMessageId().Match(id);
            if (m.Success) return m.Groups[1].Value.ToUpperInvariant();
        }
        return null;
    }

    [GeneratedRegex(@"\[(Q-[0-9A-HJKMNP-TV-Z]{6})\]", RegexOptions.IgnoreCase)]
    private static partial Regex Token();

    /// <summary>
    /// <paramref name="subject"/> without any <c>[Q-XXXXXX]</c> token and without the reply and forward prefixes before
    /// it ("Re:", "Fwd:", "AW:", …): the subject a new question's request carries when its mail named a stale token
    /// ("Re: [Q-ZZZZZZ] Printer jams" → "Printer jams"). Other subjects are returned trimmed.
    /// </summary>
    /// <param name="subject">A mail subject.</param>
    public static string WithoutTokens(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (!Token().IsMatch(subject)) return subject.Trim();
        var rest = Token().Replace(subject, " ");
        return Whitespace().Replace(ReplyPrefixes().Replace(rest, ""), " ").Trim();
    }

    [GeneratedRegex(@"^(?:\s*(?:re|fwd?|aw|sv|vs|antw|wg)\s*:)+", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefixes();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^<?(Q-[0-9A-HJKMNP-TV-Z]{6})\.[^@<>\s]*@sociallearning\.local>?$", RegexOptions.IgnoreCase)]
    private static partial Regex OwnMessageId();
}
