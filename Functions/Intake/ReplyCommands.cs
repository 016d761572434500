using System.Text.RegularExpressions;

namespace SocialLearning.Intake;

/// <summary>
/// Reads an asked expert's reply for the three commands a routed request documents — "pass" (not me: ask the next
/// candidate), "pause" (no requests for 14 days) and "stop" (no more requests) — in the words people really use, so that
/// a refusal is never relayed to the asker as the answer (which would also stop the question from moving on).
/// </summary>
/// <remarks>
/// <para>Only the first non-empty line of the visible reply (quotes and "-- " signatures already removed) is read as the
/// command; what follows must be a sign-off, or the reply is an answer:</para>
/// <list type="bullet">
/// <item>after the word "pass" or "pause" itself ("Pass", "pause please", "I'm away, please pause"): at most
/// <see cref="MaxSignatureLines"/> lines of at most <see cref="MaxSignatureChars"/> characters, none a question or ending
/// in ':' — a name, a job title, a phone number ("Pass / Grace Okafor / IT Service Desk | Northwind / +31 10 555
/// 0100");</item>
/// <item>after "stop" or a refusal or away note in other words ("Not my area", "I don't know, sorry", "I'm on holiday until
/// January 4th"): at most <see cref="MaxSignOffLines"/> lines of at most <see cref="MaxSignOffChars"/> characters ("Sam",
/// "Thanks, Sam"), or a signature block as above that opens with a closing ("Kind regards," …), since "Not my area"
/// followed by a few lines of advice is an answer, and "stop" ends the expert's participation.</item>
/// </list>
/// <para>A legal disclaimer under the signature ("This e-mail … is confidential …", "If you are not the intended
/// recipient …") ends what is read, whatever its length.</para>
/// <para>Typographic apostrophes (’) count as ASCII ones. Polite words are recognised in English and, around the command
/// word, in German, French, Spanish, Italian and Dutch ("Pause bitte", "pass, merci"); the command words themselves are
/// the English ones the request mail names.</para>
/// <para>An away note without the word ("I'm on vacation until January 4th") is a pass on this question, not a pause: the
/// expert did not ask to be paused, and out-of-office replies proper are recognised before this (auto-reply headers and
/// subjects).</para>
/// </remarks>
public static partial class ReplyCommands
{
    /// <summary>"pass": the expert declines this question; routing asks the next candidate.</summary>
    public const string Pass = "pass";

    /// <summary>"pause": no requests to the expert for 14 days (and a pass on this question).</summary>
    public const string Pause = "pause";

    /// <summary>"stop": no more requests to the expert (and a pass on this question).</summary>
    public const string Stop = "stop";

    /// <summary>Lines a sign-off under a refusal in other words may have: 2.</summary>
    public const int MaxSignOffLines = 2;

    /// <summary>Characters per sign-off line under a refusal in other words: 40.</summary>
    public const int MaxSignOffChars = 40;

    /// <summary>Lines a signature under the command word (or under a closing such as "Kind regards,") may have: 6.</summary>
    public const int MaxSignatureLines = 6;

    /// <summary>Characters per signature line: 60.</summary>
    public const int MaxSignatureChars = 60;

    /// <summary>
    /// The command of a reply: <see cref="Pass"/>, <see cref="Pause"/> or <see cref="Stop"/>, or null when the reply is an
    /// answer (see the class remarks for the rules).
    /// </summary>
    /// <param name="visibleText">The reply's visible text: new text only, quotes and "-- " signature removed; lines separated by '\n'.</param>
    /// <returns>The command word in lower case, or null.</returns>
    public static string? Classify(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var lines = visibleText.Replace('\u2019', '\'').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        // A greeting on its own line ("Hi,", "Hello Sam,", "Hi team,") comes before what the reply says.
        if (lines.Count > 1 && Greeting().IsMatch(lines[0])) lines.RemoveAt(0);
        if (lines.Count == 0) return null;
        var first = lines[0];
        // A legal disclaimer under the signature is boilerplate, whatever its length: what follows it is not read.
        var rest = lines.Skip(1).TakeWhile(l => !Disclaimer().IsMatch(l)).ToList();
        if (CommandLine().Match(first) is { Success: true } word)
        {
            var command = word.Groups["word"].Value.ToLowerInvariant();
            // "stop" ends the expert's participation: only a short sign-off may follow it, not a few lines of anything.
            return (command == Stop ? IsSignOff(rest) : IsSignature(rest)) ? command : null;
        }
        if (TrailingCommandLine().Match(first) is { Success: true } trailing)
            return IsSignature(rest) ? trailing.Groups["word"].Value.ToLowerInvariant() : null;
        if (StopRequestLine().IsMatch(first)) return IsSignOff(rest) ? Stop : null;
        if (DeclineLine().IsMatch(first) || AwayLine().IsMatch(first)) return IsSignOff(rest) ? Pass : null;
        return null;
    }

    /// <summary>A name, title and phone under the command word: at most <see cref="MaxSignatureLines"/> short lines, no question among them.</summary>
    private static bool IsSignature(List<string> rest) =>
        rest.Count <= MaxSignatureLines && rest.All(l => l.Length <= MaxSignatureChars && !l.EndsWith('?') && !l.EndsWith(':'));

    /// <summary>Under a refusal in other words: a short sign-off, or a signature block that opens with a closing.</summary>
    private static bool IsSignOff(List<string> rest) =>
        (rest.Count <= MaxSignOffLines && rest.All(l => l.Length <= MaxSignOffChars)) ||
        (rest.Count > 0 && Closing().IsMatch(rest[0]) && IsSignature(rest));

    /// <summary>The command word first: alone, repeated ("pass pass"), after polite words ("Sorry, pass", "please pause"),
    /// or followed by punctuation and a short remark ("Pass, sorry", "pass — ask Maria") or by polite words ("pause please,
    /// I'm away until January", "Pause bitte, ich bin im Urlaub", "please pause my requests"). "Stop the VPN…" and "Pass
    /// the --tcp flag…" are answers, not commands.</summary>
    [GeneratedRegex(@"^(?:(?:sorry|please|ok|okay|hi|hello)[\s,.!]+)*(?<word>pass|pause|stop)(?:[\s,.!]+\k<word>)*(?:\s*[.!,;:\u2013\u2014].{0,80}|\s+-.{0,80}|-\s.{0,80}|(?<=pause)\s+(?:until|till)\s.{0,80}|\s+(?:on\s+(?:this|that)(?:\s+one)?|please|for now|for a while|my requests|requests|thanks|thank you|bitte|danke|merci|svp|s'il vous pla[iî]t|por favor|gracias|per favore|grazie|graag|alsjeblieft|alstublieft|dank je|bedankt)\b.{0,80})?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommandLine();

    /// <summary>A short reason, then "pass" or "pause" as the line's last words after punctuation: "I'm away, please pause",
    /// "Not my area — pass.", "On leave until March; pause please". At most 80 characters before the command, and the
    /// command must follow punctuation, so "Hit play, then pause" and "Press pause on the sync" stay answers. "stop" is not
    /// taken this way: it ends an expert's participation, so it needs the word first or a plain stop request.</summary>
    [GeneratedRegex(@"^[^\n]{1,80}?[,.;:!\u2013\u2014-]\s*(?:(?:so|sorry|please|ok|okay)[\s,]+)*(?<word>pass|pause)(?:\s+(?:please|for now|for a while|my requests|thanks|thank you))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingCommandLine();

    /// <summary>A request to receive no more requests in plain words, as the whole line: "Stop sending me these please.",
    /// "Please don't send me any more of these.", "Unsubscribe me please", "Please remove me from this list", "Opt me out".
    /// "Stop the VPN client first" is not one.</summary>
    [GeneratedRegex(@"^(?:please[\s,]+)?(?:stop\s+(?:sending|e-?mailing|asking|contacting)\s+me(?:\s+(?:these|this|them|questions|requests|mails|e-?mails))?(?:\s+about\s+(?:this|these|that|such)\b[^.?!]{0,40})?|take\s+me\s+off\s+(?:this|the|your)\s+(?:list|mailing\s+list|distribution(?:\s+list)?)|(?:don't|dont|do\s+not)\s+(?:send|e-?mail|ask|contact)\s+me\s+(?:any\s+)?(?:more|further|again|these|this|anything)(?:\s+(?:of\s+)?(?:these|this|them|questions|requests|mails|e-?mails))?(?:\s+again)?|remove\s+me(?:\s+from\s+(?:this|the|your)\s+(?:list|mailing\s+list|distribution(?:\s+list)?|service))?|unsubscribe(?:\s+me)?|opt\s+me\s+out|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+(?:unsubscribe|opt\s+out))(?:[\s,]+(?:please|thanks?(?:\s+you)?))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StopRequestLine();

    /// <summary>A refusal in other words, as the whole line (with "sorry", "thanks" or "ask someone else" around it): "I'll
    /// pass on this one, sorry.", "Not me, sorry.", "Not my area", "Can't help, sorry", "Sorry, I don't know", "No idea",
    /// "I'm not the right person for this".</summary>
    [GeneratedRegex(@"^(?:(?:sorry|ok|okay|hi|hello|hey|unfortunately|i'm\s+afraid|i\s+am\s+afraid)[\s,.!\u2013\u2014-]+)*(?:i'?ll\s+(?:have\s+to\s+)?pass|i\s+(?:will|must|have\s+to|need\s+to)\s+pass|(?:i'm\s+)?passing|not\s+(?:me|my\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject))|not\s+something\s+i\s+(?:know|can\s+help\s+with)|(?:this|that|it)\s+(?:isn't|is\s+not)\s+(?:really\s+)?my\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject)|(?:i\s+)?(?:can't|cannot|can\s+not|couldn't)\s+help(?:\s+(?:here|with\s+(?:this|that)(?:\s+one)?|on\s+(?:this|that)(?:\s+one)?|you))?|(?:i\s+)?(?:don't|do\s+not)\s+know(?:\s+(?:this|that)(?:\s+one)?)?|(?:i\s+have\s+)?no\s+(?:idea|clue)|(?:i'm|i\s+am)\s+not\s+(?:the\s+right\s+person|able\s+to\s+help|sure)(?:\s+(?:for|on)\s+(?:this|that)(?:\s+one)?)?|ask\s+someone\s+else)(?:\s+on\s+(?:this|that)(?:\s+one)?)?(?:[\s,.!;:\u2013\u2014-]+(?:sorry|thanks|thank\s+you|please\s+ask\s+someone\s+else|ask\s+someone\s+else|pass))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeclineLine();

    /// <summary>An away note as the whole line: "I'm on vacation until January 4th.", "I am out of the office this week",
    /// "Away until Monday, sorry".</summary>
    [GeneratedRegex(@"^(?:(?:sorry|hi|hello)[\s,.!]+)*(?:(?:i'm|i\s+am|i'll\s+be|i\s+will\s+be)\s+(?:currently\s+)?)?(?:on\s+(?:vacation|holiday|holidays|leave|annual\s+leave|parental\s+leave|sick\s+leave|a\s+business\s+trip|sabbatical)|away|out\s+of\s+(?:the\s+)?office|ooo|off\s+sick)(?:\s+(?:until|till|til|through|from|for|this|next)\b[^?]{0,60})?(?:[\s,.!;\u2013\u2014-]+(?:sorry|thanks|thank\s+you))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwayLine();

    /// <summary>The first line of a mail disclaimer: "This e-mail and any attachments are confidential …", "CONFIDENTIALITY
    /// NOTICE: …", "If you are not the intended recipient …", "Diese E-Mail enthält vertrauliche …".</summary>
    [GeneratedRegex(@"^(?:\W*(?:confidentiality\s+notice|disclaimer|legal\s+notice)\b|(?:this|the\s+information\s+in\s+this|the\s+content\s+of\s+this|diese|ce|dit|questa|este)\s+(?:e-?mail|message|communication|nachricht|courriel|bericht|e-?mailbericht|messaggio|mensaje|correo)\b.*\b(?:confidential|privileged|intended|vertraulich|confidentiel|vertrouwelijk|riservat|confidencial)|if\s+you\s+(?:are\s+not\s+the\s+intended\s+recipient|have\s+received\s+this\s+(?:e-?mail|message)\s+in\s+error))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Disclaimer();

    /// <summary>A greeting alone on a line: "Hi,", "Hello Sam,", "Hi team,", "Dear all,", "Hallo," (at most three words after it).</summary>
    [GeneratedRegex(@"^(?:hi|hello|hey|dear|hallo|bonjour|hola|ciao|hoi|good\s+(?:morning|afternoon|evening))(?:\s+[\p{L}.'-]+){0,3}\s*[,!:]?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Greeting();

    /// <summary>A closing that opens a signature block: "Kind regards,", "Best", "Thanks,", "Cheers", "Mit freundlichen Grüßen".</summary>
    [GeneratedRegex(@"^(?:(?:kind|best|warm|warmest|many)\s+regards|regards|best(?:\s+wishes)?|thanks|thank\s+you|many\s+thanks|cheers|sincerely|yours|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|viele\s+gr(?:ü|ue)(?:ß|ss)e|gr(?:ü|ue)(?:ß|ss)e|cordialement|bien\s+(?:à|a)\s+vous|saludos|un\s+saludo|cordiali\s+saluti|met\s+vriendelijke\s+groet(?:en)?|groeten)\b[^\n]{0,40}$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Closing();
}
