using System.Collections.Frozen;
using SocialLearning.Matching;

namespace SocialLearning.Routing;

/// <summary>
/// Whether a stored question says enough to be routed. A mail such as Subject "Quick question" with no body is a
/// question nobody can answer, not a knowledge gap: ranking it would only measure how close "quick question" is to
/// someone's evidence, and L&amp;D would count it among the gaps.
/// <para>The rule: the <b>content words</b> of a question are the distinct tokens of its subject + "\n" + text (the text
/// the router's BM25 sees, <see cref="QuestionRouter.LexicalText"/>) after <see cref="Bm25Tokenizer.Tokenize"/> (stop
/// words, one-letter tokens dropped; plurals folded), minus <see cref="MailWords"/> (greetings, thanks, "question",
/// "help", "urgent", forwarding prefixes: words about the mail, not its topic) and minus the tokens of the asker's own
/// name and address (a signature such as "Thanks, Pieter" left in the body). A question with fewer than
/// <see cref="MinContentWords"/> content words has too little text to route. In scripts written without spaces (Chinese,
/// Japanese, Thai, …) the tokenizer's units are character bigrams, so a two-character word is one content word and
/// anything longer is enough.</para>
/// <para>Examples: "Quick question" → none; "Help please!" → none; "Expenses?" → 1 (expense): too little.
/// "Parental leave" → 2; "How do I reset my VPN token?" → 3 (reset, vpn, token): routed.</para>
/// </summary>
public static class RoutableText
{
    /// <summary>
    /// Fewest content words a question needs to be routed: 2. One word ("VPN?", "Expenses") names a subject but no
    /// question an expert could answer; two already do ("parental leave", "guest wifi"), and every question of the
    /// built-in sample has at least 2 in its subject alone.
    /// </summary>
    public const int MinContentWords = 2;

    /// <summary>
    /// Words that say something about the mail rather than its topic, as <see cref="Bm25Tokenizer.Tokenize"/> writes them
    /// (plurals folded): greetings and sign-offs (hi, hello, hey, dear, thanks, thx, cheers, regards, best, kind),
    /// requests (please, pls, help, question, query, quick, urgent, asap, fyi) and reply / forward prefixes (re, fw, fwd).
    /// </summary>
    public static readonly FrozenSet<string> MailWords = Bm25Tokenizer.Tokenize(
            "hi hello hey dear thanks thank thx cheers regards best kind please pls help question query quick urgent asap fyi re fw fwd")
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The content words of a question (see the type's rule), in order of first appearance, without repeats.
    /// </summary>
    /// <param name="subject">The mail's subject (may be empty).</param>
    /// <param name="text">The extracted question text (may be empty).</param>
    /// <param name="askerName">The asker's display name, or null/empty.</param>
    /// <param name="askerEmail">The asker's address, or null/empty (its local part and domain are tokenised).</param>
    /// <returns>Distinct content words; empty when there are none.</returns>
    public static IReadOnlyList<string> ContentWords(string? subject, string? text, string? askerName = null, string? askerEmail = null)
    {
        var own = new HashSet<string>(Bm25Tokenizer.Tokenize((askerName ?? "") + " " + (askerEmail ?? "")), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (var t in Bm25Tokenizer.Tokenize(QuestionRouter.LexicalText(subject ?? "", text ?? "")))
        {
            if (MailWords.Contains(t) || own.Contains(t) || !seen.Add(t)) continue;
            words.Add(t);
        }
        return words;
    }

    /// <summary>
    /// Null when the question can be routed; otherwise the reason stored as <c>UnroutedReason</c>, starting with
    /// "too little text to route", e.g. <c>too little text to route: 0 content words in subject and body (at least 2
    /// needed)</c> or <c>too little text to route: 1 content word in subject and body (expense; at least 2 needed)</c>.
    /// </summary>
    /// <param name="subject">The mail's subject.</param>
    /// <param name="text">The extracted question text.</param>
    /// <param name="askerName">The asker's display name, or null.</param>
    /// <param name="askerEmail">The asker's address, or null.</param>
    public static string? TooLittleReason(string? subject, string? text, string? askerName = null, string? askerEmail = null)
    {
        var words = ContentWords(subject, text, askerName, askerEmail);
        var count = words.Count;
        if (count >= MinContentWords) return null;
        var list = words.Count == 0 ? "" : string.Join(", ", words) + "; ";
        // Words the tokenizer drops for their length (hashes, codes, pasted data) are named by count, so a mail of 100,000
        // characters without a space does not read as an empty one.
        var tooLong = Bm25Tokenizer.Words(QuestionRouter.LexicalText(subject ?? "", text ?? ""), joinApostrophes: false)
            .Count(w => w.Length > Bm25Tokenizer.MaxTokenLength && !Bm25Tokenizer.IsUnspacedScript(w[0]));
        var dropped = tooLong == 0 ? "" : $"{tooLong} word{(tooLong == 1 ? "" : "s")} longer than {Bm25Tokenizer.MaxTokenLength} characters not counted; ";
        return $"{TooLittlePrefix}: {count} content word{(count == 1 ? "" : "s")} in subject and body ({list}{dropped}at least {MinContentWords} needed)";
    }

    /// <summary>The start of every <c>UnroutedReason</c> this rule writes: "too little text to route".</summary>
    public const string TooLittlePrefix = "too little text to route";
}
