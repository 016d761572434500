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
    /// The question a mail belongs to: the first of <see cref="ThreadCandidates"/>, or null when nothing names one.
    /// </summary>
    /// <param name="subject">Subject line.</param>
    /// <param name="inReplyTo">In-Reply-To message id, or null.</param>
    /// <param name="references">References message ids, oldest first.</param>
    public static string? FindInThread(string? subject, string? inReplyTo, IEnumerable<string>? references) =>
        ThreadCandidates(subject, inReplyTo, references).FirstOrDefault();

    /// <summary>
    /// Every question id a mail names, most specific first, each once: the id in the Message-ID of the service's own mail
    /// it answers (<c>In-Reply-To</c>, RFC 5322 §3.6.4: ids of the form <c>Q-XXXXXX.…@sociallearning.local</c>), then each
    /// <c>[Q-XXXXXX]</c> token of the subject in order, then the ids in <c>References</c>, newest first. A reply whose
    /// subject lost the token still reaches its question, and a subject that carries a stale token beside the right one
    /// ("Re: [Q-ABCDEF] VPN token reset [Q-X3WY1A]") is resolved by trying each in turn.
    /// </summary>
    /// <param name="subject">Subject line.</param>
    /// <param name="inReplyTo">In-Reply-To message id, or null.</param>
    /// <param name="references">References message ids, oldest first.</param>
    public static IEnumerable<string> ThreadCandidates(string? subject, string? inReplyTo, IEnumerable<string>? references)
    {
        var fromIds = (references ?? []).Reverse().Select(OwnId).OfType<string>();
        var tokens = subject is null ? [] : Token().Matches(subject).Select(m => m.Groups[1].Value.ToUpperInvariant());
        return new[] { OwnId(inReplyTo) }.OfType<string>().Concat(tokens).Concat(fromIds).Distinct(StringComparer.Ordinal);
    }

    private static string? OwnId(string? messageId)
    {
        if (string.IsNullOrEmpty(messageId)) return null;
        var m = OwnMessageId().Match(messageId);
        return m.Success ? m.Groups[1].Value.ToUpperInvariant() : null;
    }

    /// <summary>
    /// The subject a reply keeps of its thread: without reply and forward prefixes ("Re:", "AW: Fwd:", …), without
    /// <c>[Q-XXXXXX]</c> tokens, whitespace collapsed, lower case; "" when nothing is left.
    /// </summary>
    /// <param name="subject">A mail subject, or null.</param>
    public static string ThreadSubject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject)) return "";
        var rest = Token().Replace(subject, " ");
        return Whitespace().Replace(ReplyPrefixes().Replace(rest.Trim(), ""), " ").Trim().ToLowerInvariant();
    }

    /// <summary>Whether <paramref name="subject"/> starts as a reply ("Re:", "AW:", "SV:", "Antw:", "VS:"), not a forward.</summary>
    /// <param name="subject">A mail subject, or null.</param>
    public static bool IsReplySubject(string? subject) => subject is not null && ReplyPrefix().IsMatch(subject);

    [GeneratedRegex(@"^\s*(?:re|aw|sv|vs|antw)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();

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
