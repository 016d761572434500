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
/// word, in German, French, Spanish, Italian and Dutch ("Pause bitte", "pass, merci"). Whole-line refusals, stop and pause
/// requests in those languages count too ("Da muss ich leider passen", "Désolé, je passe", "Paso", "Bitte keine Anfragen
/// mehr schicken", "Mettez-moi en pause"); only alone or with polite words, since "Paso 1: …" is step 1 of an answer.</para>
/// <para>A refusal may be followed by pointers to someone else ("Not my area, sorry. Try Finance.", "Olga in Accounts
/// Payable would know."), an away note by what such notes say besides the absence ("… with no access to email. For urgent
/// matters contact the service desk."), each up to <see cref="MaxDetailChars"/> characters, on the same line or the next
/// ones; anything else after them (a question, advice) makes the reply an answer. Pause and stop asked for as a question
/// ("Could you pause requests for me? I'm on leave.") are commands.</para>
/// <para>An acknowledgement alone ("Thanks!", "On it", "Let me check and get back to you tomorrow") is
/// <see cref="Acknowledged"/>: not the answer yet.</para>
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
    /// The command of a reply: <see cref="Pass"/>, <see cref="Pause"/>, <see cref="Stop"/> or <see cref="Acknowledged"/>, or
    /// null when the reply is an answer (see the class remarks for the rules).
    /// </summary>
    /// <param name="visibleText">The reply's visible text: new text only, quotes and "-- " signature removed; lines separated by '\n'.</param>
    /// <returns>"pass", "pause", "stop" or "ack", or null.</returns>
    public static string? Classify(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        // Emoji and pictographs ("On it 👍", "Pass 🙏") carry no words.
        var lines = Pictographs().Replace(visibleText.Replace('\u2019', '\''), "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        // A greeting on its own line ("Hi,", "Hello Sam,", "Hi team,") comes before what the reply says.
        if (lines.Count > 1 && Greeting().IsMatch(lines[0])) lines.RemoveAt(0);
        if (lines.Count == 0) return null;
        var first = lines[0];
        // A legal disclaimer under the signature is boilerplate, whatever its length: what follows it is not read.
        var rest = lines.Skip(1).TakeWhile(l => !Disclaimer().IsMatch(l)).ToList();
        if (ResumeLine().IsMatch(first)) return IsSignOff(rest) ? Resume : null;
        if (CommandLine().Match(first) is { Success: true } word)
        {
            var command = word.Groups["word"].Value.ToLowerInvariant() is "pausing" ? Pause : word.Groups["word"].Value.ToLowerInvariant();
            // "Pause, then unplug it.", "Stop. Check with the deal desk first", "Stop! Don't order yet": an instruction after
            // "pause" or "stop" makes the reply an answer; a reason, an end or thanks does not ("pause please, I'm away").
            if (command is Pause or Stop && !IsCommandRemark(first[(word.Groups["word"].Index + word.Groups["word"].Length)..])) return null;
            // "stop" ends the expert's participation: only a short sign-off may follow it, not a few lines of anything.
            return (command == Stop ? IsSignOff(rest) : IsSignature(rest)) ? command : null;
        }
        if (TrailingCommandLine().Match(first) is { Success: true } trailing)
            return IsSignature(rest) ? trailing.Groups["word"].Value.ToLowerInvariant() : null;
        if (StopRequestLine().IsMatch(first) || ForeignStopLine().IsMatch(first)) return IsSignOff(rest) ? Stop : null;
        if (ForeignPauseLine().Match(first) is { Success: true } foreign)
        {
            // "Pausa hasta que termine la sincronización" pauses a sync, not the requests: the end must be a date, and a reason
            // before "bitte pausieren" must be an absence.
            if (foreign.Groups["end"].Success && !IsDate(foreign.Groups["end"].Value)) return null;
            if (foreign.Groups["reason"].Success && !IsAway(foreign.Groups["reason"].Value.Trim())) return null;
            return IsSignature(rest) ? Pause : null;
        }
        if (DeclineLine().IsMatch(first) || ForeignDeclineLine().IsMatch(first)) return IsSignOff(WithoutReferrals(rest)) ? Pass : null;
        if (IsAway(first)) return IsSignOff(WithoutAwayDetails(rest)) ? Pass : null;
        // A typed away note under a label, as out-of-office texts begin: "Out of office: I'm away until 14 December."
        if (AwayLabel().Match(first) is { Success: true } label && first.Length > label.Length)
        {
            var note = Clauses(first[label.Length..].Trim());
            if (note.Count > 0 && (IsAway(note[0]) || AwayDetail().IsMatch(note[0])) && note.Skip(1).All(IsAwayDetail))
                return IsSignOff(WithoutAwayDetails(rest)) ? Pass : null;
        }
        if (AcknowledgementLine().IsMatch(first)) return IsSignOff(rest) ? Acknowledged : null;
        // "+1", "Same question here", "Following": agreement or interest, not an answer.
        if (MeTooLine().IsMatch(first)) return rest.Count <= MaxSignatureLines && rest.All(IsNameLike) ? Acknowledged : null;
        if (RequestedCommand(first) is { } request)
            return (request == Stop ? IsSignOff(rest) : IsSignature(rest)) ? request : null;

        // The first line in clauses (sentences, and parts set off by a spaced dash): a refusal, an away note or a polite
        // request first, then what commonly follows it on the same line ("Not my area, sorry. Try Finance.", "I'm not the
        // right person for this - Fatima in Finance is.", "Could you pause requests for me? I'm on leave.", "I'm out of
        // the office until 4 January with no access to email. For urgent matters contact the service desk (ext. 4400).").
        var clauses = Clauses(first);
        if (clauses.Count >= 2)
        {
            var (head, tail) = (clauses[0], clauses.Skip(1).ToList());
            if (RequestedCommand(head) is { } asked)
            {
                var reasonOk = tail.All(t => t.Length <= 80 && !t.EndsWith('?')) && tail.Sum(t => t.Length) <= 120;
                return reasonOk && (asked == Stop ? IsSignOff(rest) : IsSignature(rest)) ? asked : null;
            }
            if (DeclineLine().IsMatch(head) || ForeignDeclineLine().IsMatch(head) || BetterAskLine().IsMatch(head))
                return tail.All(t => ReferralLine().IsMatch(t)) && IsSignOff(WithoutReferrals(rest)) ? Pass : null;
            if (IsAway(head))
                return tail.All(IsAwayDetail) && IsSignOff(WithoutAwayDetails(rest)) ? Pass : null;
        }
        // A first line of acknowledgements only: "Good question! I'll find out and get back to you.", "Thanks Grace, Anna
        // has this one.", "On it, will get back to you tomorrow.", "Looking into it now, give me an hour."
        var parts = Parts(first);
        if (IsAcknowledgement(parts))
            return IsSignOff(rest) ? Acknowledged : null;
        // A refusal in several short parts: "Not sure why I got this one, badges are not my thing.", "Wrong person, sorry,
        // try Facilities."
        var declined = parts.TakeWhile(c => IsDecline(c) || Interjection().IsMatch(c) || IsSorry(c)).ToList();
        if (declined.Any(IsDecline))
            return parts.Skip(declined.Count).All(c => ReferralLine().IsMatch(c)) && IsSignOff(WithoutReferrals(rest)) ? Pass : null;
        // "Not sure" is a refusal only with a pointer to someone named after it ("Not sure, sorry - maybe ask Facilities?"):
        // "Not sure, try restarting the router" and "Not sure.\nI think it's 500 EUR" are answers.
        var unsure = parts.TakeWhile(c => NotSurePart().IsMatch(c) || IsSorry(c)).ToList();
        var pointers = parts.Skip(unsure.Count).ToList();
        return unsure.Any(c => NotSurePart().IsMatch(c)) && pointers.Count > 0 && pointers.All(c => PointerPart().IsMatch(c)) && rest.All(IsNameLike) && rest.Count <= MaxSignatureLines
            ? Pass : null;
    }

    /// <summary>
    /// Whether an answer says its subject is not the expert's: "Pass - not really my area. But as far as I know …", "Not my
    /// field, but …", "I'm no expert on this", "For pricing, pass - ask Sales". Such an answer is relayed like any other,
    /// but it is no evidence of what the expert knows, so it is not learned into their profile.
    /// </summary>
    /// <param name="answer">The answer's visible text.</param>
    public static bool DisclaimsExpertise(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return ExpertiseDisclaimer().IsMatch(answer.Replace('\u2019', '\''));
    }

    [GeneratedRegex(@"^\W*pass\s*(?:[-\u2013\u2014:,;.!]|$)|\bpass\s*[-\u2013\u2014:,;]\s*(?:ask|try|check\s+with)\b|\b(?:not|isn't|is\s+not|outside)\s+(?:really\s+|quite\s+|exactly\s+)?(?:my|of\s+my)\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject)\b|\bi'?m\s+(?:not\s+an?|no)\s+expert\b|\bi\s+am\s+(?:not\s+an?|no)\s+expert\b|\bnicht\s+(?:wirklich\s+)?mein\s+(?:thema|gebiet|bereich)\b|\bpas\s+(?:vraiment\s+)?mon\s+domaine\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex ExpertiseDisclaimer();

    /// <summary>Whether a reply (a pass) says the expert is away — "I'm on vacation until January 4th", "Out of office: back on
    /// Monday", "Ich bin bis zum 4. Januar nicht im Büro" — rather than that the question is not theirs.</summary>
    /// <param name="visibleText">The reply's visible text.</param>
    public static bool IsAwayNote(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var lines = visibleText.Replace('\u2019', '\'').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count > 1 && Greeting().IsMatch(lines[0])) lines.RemoveAt(0);
        if (lines.Count == 0) return false;
        var first = lines[0];
        if (AwayLabel().Match(first) is { Success: true } label && first.Length > label.Length) first = first[label.Length..].Trim();
        return IsAway(first) || Clauses(first) is [var head, ..] && (IsAway(head) || AwayDetail().IsMatch(head) && first != lines[0]);
    }

    /// <summary>Longest pause a reply can ask for: 365 days. A date further out, or one already past, gives the default.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromDays(365);

    /// <summary>
    /// When a "pause" (or an away note) says it ends, in the first three lines of <paramref name="visibleText"/>: a date
    /// after "until", "till", "through", "back on", "returning on" or "bis (zum)", "jusqu'au", "tot", "hasta (el)", "fino
    /// al" — "15 January", "Jan 15th", "the 20th of December", "2027-01-15", "15.01.2027", "15/01/2027" (day first unless
    /// that cannot be), "15. Januar", "20 janvier", "1 februari", "Monday", "next Monday", "tomorrow", "next week", "the
    /// 3rd", "mid-January", "end of January" — or a length: "for two weeks", "pause 3 weeks", "for the next month", "10
    /// days". Whichever the text names first counts. A date is the start of that day in <paramref name="now"/>'s offset (the
    /// sender's, from their mail's Date: "until Monday" from Sydney is Sydney's Monday); a date without a year is its next
    /// occurrence; a length counts from <paramref name="now"/> (a month is 30 days). Null when no end is named or readable,
    /// or it is not after <paramref name="now"/>, or more than <see cref="MaxPause"/> away: the caller's default applies
    /// (<see cref="NamesPauseEnd"/> tells a reply that named an end the service could not read).
    /// </summary>
    /// <param name="visibleText">The reply's visible text, as for <see cref="Classify"/>.</param>
    /// <param name="now">The time the pause starts, in the sender's offset when known.</param>
    public static DateTimeOffset? PauseEnd(string visibleText, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var head = Head(visibleText);
        var today = new DateTimeOffset(now.Date, now.Offset);
        var candidates = new List<(int At, DateTimeOffset? End)>();
        if (PauseLengthPhrase().Match(head) is { Success: true } length)
        {
            var n = length.Groups["n"].Success ? Count(length.Groups["n"].Value) : 1; // "for the next month"
            var unit = length.Groups["unit"].Value.ToLowerInvariant();
            candidates.Add((length.Index, now + TimeSpan.FromDays(n * (unit.StartsWith("month", StringComparison.Ordinal) ? 30 : unit.StartsWith("week", StringComparison.Ordinal) ? 7 : 1))));
        }
        // Every "until …" in turn, overlapping ("through a reorg until 15 January": the second one is the date).
        for (var date = PauseDatePhrase().Match(head); date.Success; date = PauseDatePhrase().Match(head, date.Index + 1))
        {
            if (DateIn(date.Groups["date"].Value, today) is { } d)
            {
                // "through 15 January", "tot en met 15 januari": that day included.
                var kw = date.Groups["kw"].Value.ToLowerInvariant();
                candidates.Add((date.Index, kw is "through" || kw.StartsWith("tot", StringComparison.Ordinal) && kw.Contains("met", StringComparison.Ordinal) ? d.AddDays(1) : d));
                break;
            }
        }
        var end = candidates.OrderBy(c => c.At).Select(c => c.End).FirstOrDefault();
        if (end is not { } e || !(e > now) || e - now > MaxPause) return null;
        // A date is the sender's calendar day, kept as that day's midnight UTC, so the confirmation shows the day they wrote
        // (midnight in Berlin is 23:00 UTC the day before); a length is an instant.
        return e.TimeOfDay == TimeSpan.Zero && e.Offset != TimeSpan.Zero ? new DateTimeOffset(e.Year, e.Month, e.Day, 0, 0, 0, TimeSpan.Zero) : e.ToUniversalTime();
    }

    /// <summary>Whether the reply names an end for its pause ("until …", "for … weeks", "bis …"), readable or not: a reply
    /// that does and gets no <see cref="PauseEnd"/> is told its date was not understood.</summary>
    /// <param name="visibleText">The reply's visible text.</param>
    public static bool NamesPauseEnd(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var head = Head(visibleText);
        return PauseLengthPhrase().IsMatch(head) || PauseDatePhrase().IsMatch(head);
    }

    /// <summary>Whether what follows "pause" or "stop" on its line may stand beside the command: nothing, polite words, an end
    /// or a length, or a reason for the absence ("I'm away", "on leave", "too busy", "back on …") — not an instruction
    /// ("then …", "Check with …", "Don't order yet").</summary>
    private static bool IsCommandRemark(string after)
    {
        var remark = after.Trim().TrimStart('.', '!', ',', ';', ':', '-', '\u2013', '\u2014').Trim();
        if (remark.Length == 0 || !InstructionWord().IsMatch(remark) && CommandRemark().IsMatch(remark)) return true;
        return false;
    }

    [GeneratedRegex(@"\bthen\b|\bdon'?t\b|\bdo\s+not\b|\bfirst\b|\bmistake\b|\binstead\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InstructionWord();

    [GeneratedRegex(@"^(?:[.!]+$|(?:please|thanks|thank\s+you|sorry|cheers|bitte|danke|merci|svp|graag|gracias|grazie|por\s+favor|per\s+favore|me|my\s+requests|requests|on\s+(?:this|that)|for\s+now|for\s+a\s+while|for\b|until\b|till\b|through\b|(?:the\s+)?next\b|\d|a\s|an\s|one\b|two\b|three\b|four\b|five\b|six\b|i'?m\b|i\s+am\b|i'?ll\s+be\b|i\s+will\s+be\b|i'?ve\b|i\s+have\b|on\s+(?:leave|holiday|holidays|vacation|parental|sick|a\s+business\s+trip|sabbatical)|away\b|back\b|out\b|off\b|ooo\b|too\s+(?:busy|much)|busy\b|swamped\b|no\s+time\b|not\s+(?:my|for\s+me)\b|leaving\b|moving\b|going\b|travel|parental|maternity|paternity|sick\b|sabbatical\b|vacation\b|holiday|ich\b|je\b|ik\b|estoy\b|sono\b))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommandRemark();

    /// <summary>Whether the reply is the bare word "resume" or "unpause" (with punctuation, polite words or a signature),
    /// which is the command only for an expert who is paused or stopped.</summary>
    /// <param name="visibleText">The reply's visible text.</param>
    public static bool IsBareResume(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var lines = visibleText.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count > 0 && BareResume().IsMatch(lines[0]) && IsSignOff(lines.Skip(1).ToList());
    }

    [GeneratedRegex(@"^(?:(?:please|ok|okay)[\s,]+)?(?:resume|unpause|reprendre|hervatten|fortsetzen)(?:[\s,]+(?:please|thanks|thank\s+you|bitte|merci|graag))?[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BareResume();

    /// <summary>Whether a "stop" names its length or end right after the word ("Stop for two weeks please", "Stop 3 weeks",
    /// "stop until January"), so it is a pause to then; "Stop please, I'm only here until Friday" is a stop.</summary>
    /// <param name="visibleText">The reply's visible text.</param>
    public static bool StopNamesLength(string visibleText) => StopWithEnd().IsMatch(Head(visibleText ?? ""));

    [GeneratedRegex(@"^(?:(?:please|ok|okay)[\s,]+)?stop(?:\s+me)?\s+(?:for\b|until\b|till\b|through\b|(?:the\s+)?next\b|\d|a\s|an\s|one\b|two\b|three\b|four\b|five\b|six\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StopWithEnd();

    private static string Head(string visibleText) =>
        string.Join(" ", visibleText.Replace('\u2019', '\'').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(3));

    private static int Count(string word) => word.ToLowerInvariant() switch
    {
        "a" or "an" or "one" => 1, "two" => 2, "three" => 3, "four" => 4, "five" => 5, "six" => 6,
        var digits => int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The month a word names in English, German, French, Dutch, Spanish or Italian ("Jan", "Januar", "janvier",
    /// "januari", "enero", "gennaio", "März", "mars", "maart" …), or 0.</summary>
    internal static int MonthOf(string word)
    {
        var w = new string(word.Normalize(System.Text.NormalizationForm.FormD).Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark).ToArray())
            .ToLowerInvariant().TrimEnd('.');
        if (w.Length < 3) return 0;
        string[][] names =
        [
            ["jan", "january", "januar", "janvier", "januari", "enero", "gennaio"],
            ["feb", "february", "februar", "fevrier", "februari", "febrero", "febbraio"],
            ["mar", "march", "marz", "maerz", "mars", "maart", "marzo"],
            ["apr", "april", "avril", "abril", "aprile"],
            ["may", "mai", "mei", "mayo", "maggio"],
            ["jun", "june", "juni", "juin", "junio", "giugno"],
            ["jul", "july", "juli", "juillet", "julio", "luglio"],
            ["aug", "august", "aout", "augustus", "agosto"],
            ["sep", "sept", "september", "septembre", "septiembre", "settembre"],
            ["oct", "october", "okt", "oktober", "octobre", "octubre", "ottobre"],
            ["nov", "november", "novembre", "noviembre"],
            ["dec", "december", "dez", "dezember", "decembre", "diciembre", "dicembre"],
        ];
        for (var m = 0; m < names.Length; m++)
            if (names[m].Contains(w, StringComparer.Ordinal)) return m + 1;
        return 0;
    }

    /// <summary>The day <paramref name="text"/> begins with (see <see cref="PauseEnd"/> for the forms), or null.</summary>
    private static DateTimeOffset? DateIn(string text, DateTimeOffset today)
    {
        var t = text.Trim().TrimEnd(',', '!').ToLowerInvariant();
        if (t.StartsWith("the ", StringComparison.Ordinal)) t = t[4..];
        if (t.StartsWith("le ", StringComparison.Ordinal)) t = t[3..];
        if (t.StartsWith("el ", StringComparison.Ordinal)) t = t[3..];
        static int Int(Group g) => int.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture);
        if (IsoDate().Match(t) is { Success: true } iso)
            return Day(Int(iso.Groups[1]), Int(iso.Groups[2]), Int(iso.Groups[3]), today);
        if (NumericDate().Match(t) is { Success: true } numeric)
        {
            var (a, b) = (Int(numeric.Groups["a"]), Int(numeric.Groups["b"]));
            int? year = numeric.Groups["year"].Success ? Int(numeric.Groups["year"]) : null;
            if (year < 100) year += 2000;
            // Day first (15.01., 15/01), as most of the world writes it, unless that is no date (01/15).
            var (day, month) = numeric.Groups["sep"].Value == "/" && a <= 12 && b > 12 ? (b, a) : (a, b);
            return Day(year, month, day, today);
        }
        if (NamedDate().Match(t) is { Success: true } named && MonthOf(named.Groups["month"].Value) is > 0 and var month1)
        {
            int? year = named.Groups["year"].Success ? Int(named.Groups["year"]) : null;
            return Day(year, month1, Int(named.Groups["day"]), today);
        }
        if (EdgeOfMonth().Match(t) is { Success: true } edge && MonthOf(edge.Groups["month"].Value) is > 0 and var month2)
        {
            // "mid-January": the 15th; "end of January": the 1st of the next month (paused through the 31st).
            if (edge.Groups["edge"].Value.StartsWith("mid", StringComparison.Ordinal)) return Day(null, month2, 15, today);
            var year = month2 >= today.Month ? today.Year : today.Year + 1;
            return new DateTimeOffset(year, month2, 1, 0, 0, 0, today.Offset).AddMonths(1);
        }
        if (DayOfMonth().Match(t) is { Success: true } nth)
        {
            // "the 3rd": the next 3rd of a month.
            var dayOfMonth = Int(nth.Groups["day"]);
            for (var ahead = 0; ahead < 3; ahead++)
            {
                var first = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, today.Offset).AddMonths(ahead);
                if (dayOfMonth <= DateTime.DaysInMonth(first.Year, first.Month) && first.AddDays(dayOfMonth - 1) > today) return first.AddDays(dayOfMonth - 1);
            }
            return null;
        }
        if (t.StartsWith("tomorrow", StringComparison.Ordinal)) return today.AddDays(1);
        if (t.StartsWith("next week", StringComparison.Ordinal)) return today.AddDays(((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7 is 0 ? 7 : ((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7);
        if (t.StartsWith("next ", StringComparison.Ordinal)) t = t[5..];
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            if (!t.StartsWith(day.ToString().ToLowerInvariant(), StringComparison.Ordinal)) continue;
            var ahead = ((int)day - (int)today.DayOfWeek + 7) % 7;
            return today.AddDays(ahead == 0 ? 7 : ahead);
        }
        return null;
    }

    /// <summary>The start of year-month-day in <paramref name="today"/>'s offset; without a year, its next occurrence after
    /// <paramref name="today"/>. Null for no such day or a year outside 2000–2999.</summary>
    private static DateTimeOffset? Day(int? year, int month, int day, DateTimeOffset today)
    {
        if (month is < 1 or > 12 || day < 1 || year is < 2000 or > 2999) return null;
        var y = year ?? today.Year;
        if (day > DateTime.DaysInMonth(y, month)) return null;
        var d = new DateTimeOffset(y, month, day, 0, 0, 0, today.Offset);
        if (year is null && d <= today) d = day <= DateTime.DaysInMonth(y + 1, month) ? d.AddYears(1) : d;
        return d;
    }

    /// <summary>"for two weeks", "pause 3 weeks", "pause me for a month", "for the next 2 weeks", "pausing for 10 days".</summary>
    [GeneratedRegex(@"\b(?:for|paus(?:e|ing)(?:\s+me)?|stop(?:\s+me)?)\s+(?:(?:the\s+)?next\s+(?:(?<n>a|an|one|two|three|four|five|six|\d{1,3})\s+)?|(?<n>a|an|one|two|three|four|five|six|\d{1,3})\s+)(?<unit>days?|weeks?|months?)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PauseLengthPhrase();

    /// <summary>"until …", "till …", "through …", "back on …", "returning on …" and the same in German, French, Dutch,
    /// Spanish and Italian ("bis zum …", "jusqu'au …", "tot …", "hasta el …", "fino al …").</summary>
    [GeneratedRegex(@"(?<![\p{L}])(?<kw>until|till|til|through|back(?:\s+on)?|return(?:ing)?(?:\s+on)?|bis(?:\s+(?:zum|zur|am))?|jusqu'(?:au|à|a)|tot(?:\s+en\s+met)?|hasta(?:\s+el)?|fino\s+al)\s+(?<date>[^,;!?()]{2,30})",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PauseDatePhrase();

    [GeneratedRegex(@"^(\d{4})-(\d{1,2})-(\d{1,2})\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^(?<a>\d{1,2})(?<sep>[./])(?<b>\d{1,2})(?:\k<sep>(?<year>\d{4}|\d{2}))?(?!\d)(?!\s*[\p{L}])")]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"^(?:(?<day>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?(?<month>\p{L}{3,})\.?(?:,?\s+(?:de\s+)?(?<year>\d{4}))?|(?<month>\p{L}{3,})\.?\s+(?<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?<year>\d{4}))?)(?![\p{L}\d])")]
    private static partial Regex NamedDate();

    [GeneratedRegex(@"^(?<edge>mid|middle\s+of|end\s+of|the\s+end\s+of)[\s-]+(?<month>\p{L}{3,})")]
    private static partial Regex EdgeOfMonth();

    [GeneratedRegex(@"^(?<day>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?\p{L}{3,})")]
    private static partial Regex DayOfMonth();

    /// <summary>Parts that only acknowledge, thank or praise, at least one of them an acknowledgement or a thanks: "On it,
    /// will reply tomorrow", "Thanks Pete, great!".</summary>
    private static bool IsAcknowledgement(List<string> parts) =>
        parts.Count > 0 &&
        parts.All(c => IsHolding(c) || Interjection().IsMatch(c) || ThanksPart().IsMatch(c) || PraisePart().IsMatch(c)) &&
        parts.Any(c => IsHolding(c) || ThanksPart().IsMatch(c));

    /// <summary>"Sorry" alone, as a part of a refusal ("Wrong person, sorry, try Facilities").</summary>
    private static bool IsSorry(string part) => part.TrimEnd('.', '!').Equals("sorry", StringComparison.OrdinalIgnoreCase);

    /// <summary>A line's <see cref="Clauses"/> split once more at commas: the parts of "On it, will reply tomorrow".</summary>
    private static List<string> Parts(string line) =>
        Clauses(line).SelectMany(c => c.Split(',')).Select(x => x.Trim()).Where(x => x.Length > 0).ToList();

    private static bool IsDecline(string part) =>
        DeclineLine().IsMatch(part) || ForeignDeclineLine().IsMatch(part) || WrongPersonPart().IsMatch(part);

    private static bool IsHolding(string part) => AcknowledgementLine().IsMatch(part) || HoldingPart().IsMatch(part);

    /// <summary>Where a sentence ends for <see cref="IsClarifyingQuestion"/>: after '.', '!', '?' or ';' and white space.</summary>
    [GeneratedRegex(@"(?<=[.!?;])\s+")]
    private static partial Regex AnySentenceEnd();

    /// <summary>Advice asked as a question — "Have you tried restarting the VPN client?", "Could you try flushing DNS?", "What
    /// about the TCP profile?", "…, does that help?", "…, right?" — which is an answer, not a question back.</summary>
    [GeneratedRegex(@"^(?:(?:hi|hello|hey|ok|okay|so)[\s,]+)*(?:(?:have|did)\s+you\s+(?:already\s+)?(?:tried|try|checked|check|restarted|restart|rebooted|reboot|cleared|clear|updated|update|installed|install|reinstalled|looked|asked|used|use|switched|enabled|disabled)|(?:could|can|would)\s+you\s+(?:please\s+)?(?:try|check|restart|reboot|clear|update|install|reinstall|run|switch|use)|(?:what|how)\s+about|why\s+not|is\s+it\s+not\s+simply)\b|(?:does\s+(?:that|this)\s+help|right|ok|okay|no)\s*\?+$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SuggestionQuestion();

    /// <summary>"Not sure", "I'm not sure about this one".</summary>
    [GeneratedRegex(@"^(?:(?:i'm|i\s+am)\s+)?not\s+(?:really\s+)?sure(?:\s+(?:about|on|with)\s+(?:this|that)(?:\s+one)?)?[.!]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotSurePart();

    /// <summary>A pointer to someone named: "maybe ask Facilities?", "try Marcus in Finance", "check with the Service Desk" (the
    /// object starts with a capital letter, after an optional "the"), not advice such as "try restarting the router".</summary>
    [GeneratedRegex(@"^(?:(?:maybe|perhaps|probably|better|best\s+to|please|i'?d)[\s,]+)*(?:try|ask|check\s+with|contact|talk\s+to|speak\s+to|reach\s+out\s+to|email|e-mail|mail|ping)\s+(?:the\s+)?(?-i:\p{Lu})[\p{L}'.&-]*(?:\s+(?:in|from|at|of|and|or|the|(?-i:\p{Lu})[\p{L}'.&-]*)){0,5}\s*[.!?]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PointerPart();

    /// <summary>A signature line: a name, title, company or phone — at most 6 words, each starting with a capital letter, a digit
    /// or a symbol ("Anna", "IT Service Desk", "Northwind Traders | +31 10 555 0123"), or a closing ("Thanks,", "Best regards").</summary>
    private static bool IsNameLike(string line) =>
        line.Length <= MaxSignatureChars && (Closing().IsMatch(line) || ThanksPart().IsMatch(line.TrimEnd(',')) ||
        (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 and <= 6 } words &&
         words.All(w => !char.IsLetter(w[0]) || char.IsUpper(w[0]) || w is "of" or "and" or "&" or "de" or "van" or "von")));

    /// <summary>Thanks, to someone by name or not: "Thanks Pete", "Many thanks again", "Thank you so much", "Cheers".</summary>
    [GeneratedRegex(@"^(?:many\s+|big\s+)?(?:thanks|thank\s+you|thx|cheers|ta|danke|merci|gracias|grazie|bedankt)(?:\s+(?:so\s+much|a\s+lot|again|very\s+much))*(?:\s+(?:to\s+)?(?-i:\p{Lu})\p{L}+(?:\s+(?-i:\p{Lu})\p{L}+)?)?(?:\s+(?:so\s+much|a\s+lot|again))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ThanksPart();

    /// <summary>Praise beside a thanks, with nothing else in it: "great!", "perfect", "much appreciated", "that helps".</summary>
    [GeneratedRegex(@"^(?:(?:that's|that\s+is|this\s+is|that\s+was|very|really|so)\s+)*(?:great|perfect|awesome|excellent|brilliant|wonderful|nice|cool|super|fantastic|amazing|helpful|(?:very|super|really)\s+helpful|much\s+appreciated|appreciated|that\s+helps|good\s+to\s+know|spot\s+on|nice\s+one|great\s+one|you're\s+a\s+star|lifesaver)(?:\s+(?:answer|stuff|work|job|help|news))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PraisePart();

    /// <summary>When a promised answer will come: "tomorrow", "later today", "in an hour", "by end of day".</summary>
    private const string When =
        @"(?>\s+(?:today|tonight|tomorrow(?:\s+(?:morning|afternoon))?|later(?:\s+today|\s+on(?!\s+\p{L}))?|soon|shortly|asap|right\s+away|this\s+(?:week|afternoon|morning|evening)|next\s+week|on\s+\p{L}+|in\s+(?:an?|a\s+few|a\s+couple\s+of|\d+)\s+(?:hours?|minutes?|mins?|days?)(?:\s+or\s+(?:so|two))?|by\s+(?:tomorrow|tonight|eod|cob|end\s+of\s+(?:the\s+)?(?:day|week)|\p{L}+)))*";

    /// <summary>
    /// A part of a holding reply beyond <see cref="AcknowledgementLine"/>: a promise to answer later ("will reply tomorrow",
    /// "I'll check with accounts payable and let you know tomorrow", "I'll find out"), work in progress ("looking into it
    /// now", "checking") or a request for time ("give me an hour").
    /// </summary>
    [GeneratedRegex(@"^(?:(?:ok|okay|sure|hi|thanks|thank\s+you)[\s,.!]+)*(?:(?:(?:i'll|i\s+will|let\s+me|i'm\s+going\s+to|i\s+am\s+going\s+to|will|going\s+to)\s+(?:(?:check|ask|look|find\s+out|dig|verify|confirm)(?:\s+(?:with|into|at|on|in|around)\s+[^?:;]{1,50}?)?\s+and\s+)?(?:let\s+you\s+know|get\s+back\s+to\s+you|come\s+back\s+to\s+you|revert(?:\s+to\s+you)?|reply|answer|respond|write\s+back|follow\s+up)(?:\s+(?:properly|in\s+detail|in\s+full|with\s+(?:details|an\s+answer)))?" + When + @")|(?:(?:i'll|i\s+will|let\s+me|will)\s+(?:find\s+out|ask\s+around|dig\s+into\s+(?:it|this)|check(?:\s+(?:with|in)\s+[^?:;]{1,50}?)?)" + When + @")|(?:(?:i'm|i\s+am)\s+)?(?:looking\s+(?:into|at)\s+(?:it|this)|checking(?:\s+(?:it|this))?|on\s+(?:it|this)|working\s+on\s+(?:it|this))(?:\s+(?:now|right\s+now|already))?" + When + @"|give\s+me\s+(?:an?\s+|a\s+few\s+|a\s+couple\s+(?:of\s+)?|some\s+|\d+\s+)?(?:hours?|minutes?|mins?|days?|moment|sec(?:ond)?s?|bit|time)(?:\s+or\s+(?:so|two))?)\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HoldingPart();

    /// <summary>A part of a refusal beyond <see cref="DeclineLine"/>: "badges are not my thing", "not sure why I got this one",
    /// "wrong person", "you've got the wrong person", "no idea why I was asked".</summary>
    [GeneratedRegex(@"^(?:(?:sorry|hi|hello|hey|unfortunately|honestly)[\s,.!]+)*(?:[\p{L}'&/ -]{1,40}\s+(?:is|are)(?:n't|\s+not)\s+(?:really\s+|exactly\s+)?(?:my|our)\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject|team|job|domain|cup\s+of\s+tea)|(?:i'm\s+|i\s+am\s+)?not\s+sure\s+why\s+(?:i|you)\s+(?:got|get|was\s+(?:sent|asked|picked)|were\s+sent|received|sent\s+me|asked\s+me|picked\s+me)(?:\s+(?:this|that|it))?(?:\s+one)?|no\s+idea\s+why\s+(?:i\s+(?:got|was\s+(?:sent|asked))|you\s+(?:asked|picked)\s+me)(?:\s+(?:this|that|it))?(?:\s+one)?|(?:(?:you've|you\s+have)\s+(?:got\s+)?)?(?:the\s+)?wrong\s+(?:person|guy|team|contact)(?:\s+(?:for\s+(?:this|that)(?:\s+one)?|to\s+ask|here))?|(?:i\s+)?know\s+nothing\s+about\s+[^?]{1,40}|(?:i\s+)?(?:don't|do\s+not|never)\s+(?:work|deal)\s+with\s+[^?]{1,40})[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WrongPersonPart();

    /// <summary>A line's clauses: sentences (a sentence ends at '.', '!', '?' or ';' before a capital letter, not after a
    /// digit, so "4. Januar" and "(ext. 4400)" stay whole) and parts set off by a spaced dash.</summary>
    private static List<string> Clauses(string line) =>
        SentenceEnd().Split(line).SelectMany(x => ClauseDash().Split(x)).Select(x => x.Trim()).Where(x => x.Length > 0).ToList();

    private static bool IsAway(string line) => AwayLine().IsMatch(line) || ForeignAwayLine().IsMatch(line);

    /// <summary>"pause" or "stop" asked for as a question ("Could you pause requests for me?", "Pouvez-vous mettre mes demandes
    /// en pause ?"), or null.</summary>
    private static string? RequestedCommand(string line) =>
        PoliteRequestLine().Match(line) is { Success: true } m ? m.Groups["word"].Value.ToLowerInvariant()
        : ForeignPauseRequestLine().Match(line) is { Success: true } f && (!f.Groups["end"].Success || IsDate(f.Groups["end"].Value)) ? Pause
        : null;

    /// <summary>Whether <paramref name="text"/> begins with a day <see cref="PauseEnd"/> can read.</summary>
    private static bool IsDate(string text) => DateIn(text, new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero)) is not null;

    [GeneratedRegex(@"[\p{Cs}\p{So}\uFE0F\u200D]")]
    private static partial Regex Pictographs();

    [GeneratedRegex(@"\s+[-\u2013\u2014]\s+")]
    private static partial Regex ClauseDash();

    /// <summary>A short interjection that may stand beside an acknowledgement: "Good question!", "Hi Sam", "OK", "Thanks".</summary>
    [GeneratedRegex(@"^(?:(?:good|great|interesting)\s+question|hi|hello|hey|ok|okay|sure|thanks|thank\s+you|danke|merci|gracias|grazie|bedankt|noted)(?:\s+(?-i:\p{Lu})\p{L}+)?\s*[.!,]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Interjection();

    /// <summary>A refusal by pointing elsewhere: "Better ask Payroll", "Best to ask Olga".</summary>
    [GeneratedRegex(@"^(?:sorry[\s,]+)?(?:better|best)\s+(?:to\s+)?ask\s+[^?]{1,60}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BetterAskLine();

    /// <summary>An away note in German, French, Spanish, Italian or Dutch as the whole line: "Ich bin bis zum 4. Januar nicht
    /// im Büro und habe keinen Zugriff auf meine E-Mails.", "Sono fuori ufficio fino al 4 gennaio.", "Je suis en congé
    /// jusqu'au 15.", "Estoy de vacaciones hasta el lunes.", "Ik ben afwezig tot maandag." What follows the absence may not
    /// turn to the matter ("aber", "mais", "pero", "ma", "maar") or ask anything.</summary>
    [GeneratedRegex(@"^(?:(?:hallo|hi|bonjour|hola|ciao|hoi)[\s,.!]+)*(?:(?:ich\s+bin|je\s+suis|estoy|sono|ik\s+ben)\s+)?(?:(?:bis|jusqu'au|hasta|fino\s+al|tot)\s+(?:zum\s+|el\s+)?[^?!:]{1,30}?\s+)?(?:nicht\s+im\s+b(?:ü|ue)ro|im\s+urlaub|abwesend|au(?:ß|ss)er\s+haus|in\s+elternzeit|absente?|en\s+cong[ée]s?|en\s+vacances|fuera\s+de\s+la\s+oficina|de\s+vacaciones|ausente|fuori\s+(?:ufficio|sede)|in\s+ferie|in\s+vacanza|assente|afwezig|met\s+vakantie|op\s+vakantie|niet\s+op\s+kantoor)\b(?!.*\b(?:aber|mais|pero|ma|maar)\b)[^?:]{0,100}$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignAwayLine();

    /// <summary>A pause asked for as a question in French, Dutch, German, Spanish or Italian: "Pouvez-vous mettre mes
    /// demandes en pause ?", "Kunnen jullie mijn verzoeken even pauzeren?", "Können Sie meine Anfragen pausieren?"</summary>
    [GeneratedRegex(@"^(?:¿\s*)?(?:(?:pouvez|pourriez)-vous|peux-tu|pourrais-tu|kunnen\s+(?:jullie|u)|kun\s+je|k(?:ö|oe)nn(?:en|ten)\s+sie|k(?:ö|oe)nnt\s+ihr|(?:pueden|podéis|podeis|podrían|podrian|puedes)|(?:potete|puoi|potreste))\s+(?:(?:s'il\s+vous\s+pla[iî]t|bitte|even|alstublieft|por\s+favor|per\s+favore)\s+)?(?:mettre\s+(?:mes|les)\s+(?:demandes|questions)\s+en\s+pause|(?:mijn\s+)?(?:verzoeken|vragen)\s+(?:even\s+)?pauzeren|(?:meine\s+)?(?:anfragen|fragen)\s+(?:bitte\s+)?(?:pausieren|anhalten)|pausar\s+(?:mis\s+)?(?:solicitudes|preguntas)|(?:mettere\s+in\s+pausa|sospendere)\s+(?:le\s+mie\s+)?(?:richieste|domande))(?:\s+(?:bis(?:\s+(?:zum|zur|am))?|jusqu'(?:au|à|a)|tot(?:\s+en\s+met)?|hasta(?:\s+el)?|fino\s+al)\s+(?<end>[^?!,]{1,30}?))?(?:\s+(?:bitte|s'il\s+vous\s+pla[iî]t|svp|por\s+favor|per\s+favore|alstublieft))?\s*[?.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignPauseRequestLine();

    /// <summary>"resume": the expert wants requests again after a "pause" or "stop" ("Please resume my requests", "I'm back,
    /// you can send me questions again", "unpause").</summary>
    public const string Resume = "resume";

    /// <summary>"ack": the expert acknowledges the request and has not answered yet ("Thanks!", "On it", "Let me check and
    /// get back to you") — not an answer, nothing relayed.</summary>
    public const string Acknowledged = "ack";

    /// <summary>Longest line (characters) of an away note's details ("For urgent matters contact …") or of a pointer to
    /// someone else ("Try Marcus in Finance, he signs off refunds") read as part of a refusal: 160.</summary>
    public const int MaxDetailChars = 160;

    /// <summary>The lines after a refusal without the leading pointers to someone else ("Try Finance.", "Ask Marcus Johnson,
    /// he handles refunds").</summary>
    private static List<string> WithoutReferrals(List<string> rest) =>
        rest.SkipWhile(l => l.Length <= MaxDetailChars && Clauses(l).All(x => ReferralLine().IsMatch(x))).ToList();

    /// <summary>The lines after an away note without its leading details ("I have no access to email.", "For urgent IT
    /// matters please contact the service desk at +31 10 555 0100.").</summary>
    private static List<string> WithoutAwayDetails(List<string> rest) =>
        rest.SkipWhile(l => l.Length <= MaxDetailChars && Clauses(l).All(IsAwayDetail)).ToList();

    private static bool IsAwayDetail(string sentence) =>
        sentence.Length <= MaxDetailChars && !sentence.EndsWith('?') && (AwayDetail().IsMatch(sentence) || ReferralLine().IsMatch(sentence));

    [GeneratedRegex(@"(?:(?<=(?<!\d)\.)|(?<=[!?;]))\s+(?=[\p{Lu}¿¡""'(])")]
    private static partial Regex SentenceEnd();

    /// <summary>A pointer to someone else, as a sentence: "Try Finance.", "Maybe ask Marcus Johnson, he signs off refunds.",
    /// "Check with the service desk", "Olga in AP would know.", "Marcus is the right person for this."</summary>
    [GeneratedRegex(@"^(?:(?:maybe|perhaps|probably|you\s+(?:could|can|might|should)(?:\s+want\s+to)?|better|best\s+to|please|i'?d|i\s+would|i\s+suggest\s+you)[\s,]+)*(?:try|ask|check\s+with|contact|talk\s+to|speak\s+to|reach\s+out\s+to|email|e-mail|mail|ping)\s+[^?]{1,120}?[.!?]*$|^[\p{L}.' -]{2,60}\s+(?:(?:would|might|should|will|may)\s+know|knows)(?:\s+(?:better|more|this|that|it))?[.!]*$|^[\p{L}.' -]{2,60}\s+(?:is|does)[.!]*$|^[\p{L}.' -]{2,60}\s+(?:is|are)\s+(?:the\s+)?(?:right|better|best)\s+(?:person|people|team|contact)(?:\s+(?:for\s+(?:this|that)(?:\s+one)?|to\s+ask))?[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReferralLine();

    /// <summary>What an away note says besides the absence: no or limited access to mail, when the expert is back, whom to
    /// contact in urgent cases.</summary>
    [GeneratedRegex(@"\b(?:urgent|in\s+my\s+absence|(?:no|limited)\s+access|back\s+(?:on|in|from|after)|return(?:ing)?\s+on|reply\s+when|respond\s+when|get\s+back\s+to\s+you|contact|reach|dringend|vertretung|keinen\s+zugriff|wenden\s+sie\s+sich|urgence|urgente|urgenza|contacte[rz]?|contatta(?:re)?|p[óo]ngase|neem\s+contact|spoed)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwayDetail();

    /// <summary>A request to pause or stop put as a question: "Could you pause requests for me?", "Can you please stop
    /// sending me these?", "Would you pause my requests until January?"</summary>
    [GeneratedRegex(@"^(?:(?:hi|hello|sorry|hey)[\s,.!]+)*(?:could|can|would|will)\s+you\s+(?:please\s+)?(?<word>pause|stop)\s+(?:sending\s+(?:me\s+)?)?(?:the\s+|my\s+|these\s+|all\s+)?(?:requests|questions|mails|e-?mails|these|them|it|(?<=pause\s+)me)(?:\s+(?:for|to)\s+me)?(?:\s+(?:for\s+now|for\s+a\s+while|for\s+(?:a|an|one|two|three|four|five|six|\d+)\s+(?:days?|weeks?|months?)|until\s+[^?]{1,40}))?(?:[\s,]+please)?\s*[?.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PoliteRequestLine();

    /// <summary>A refusal in German, French, Spanish, Italian or Dutch as the whole line: "Da muss ich leider passen",
    /// "Désolé, je passe", "Paso", "Lo siento, no es mi área", "Non lo so", "Geen idee". Only alone or with polite words:
    /// "Paso 1: abre la configuración" (step 1) is an answer.</summary>
    [GeneratedRegex(@"^(?:(?:tut\s+mir\s+leid|sorry|leider|entschuldigung|d[ée]sol[ée]e?|pardon|lo\s+siento|perd[oó]n|scusa(?:te)?|mi\s+dispiace|helaas)[\s,.!]+)*(?:ich\s+passe|da\s+muss\s+ich\s+(?:leider\s+)?passen|ich\s+muss\s+(?:hier\s+)?(?:leider\s+)?passen|(?:das\s+ist\s+)?(?:leider\s+)?nicht\s+mein\s+(?:gebiet|bereich|thema|fachgebiet)|(?:da\s+)?kann\s+ich\s+(?:dir\s+|ihnen\s+)?(?:leider\s+)?nicht\s+helfen|ich\s+kann\s+(?:da\s+|hier\s+)?(?:leider\s+)?nicht\s+helfen|je\s+ne\s+peux\s+pas\s+(?:vous\s+|t')?aider|no\s+puedo\s+ayudar(?:te|le)?|non\s+posso\s+aiutar(?:ti|la|vi)?|(?:daar|hier)\s+kan\s+ik\s+(?:je\s+|u\s+)?(?:helaas\s+)?niet\s+(?:mee\s+)?helpen|ik\s+kan\s+(?:je\s+|u\s+)?(?:hier\s+|daar\s+)?(?:helaas\s+)?niet\s+(?:mee\s+)?helpen|keine\s+ahnung|(?:das\s+)?wei(?:ß|ss)\s+ich\s+(?:leider\s+)?nicht|je\s+passe(?:\s+mon\s+tour)?|je\s+ne\s+sais\s+pas|(?:ce\s+n'est\s+)?pas\s+mon\s+domaine|aucune\s+id[ée]e|(?:yo\s+)?paso|no\s+es\s+mi\s+(?:[áa]rea|campo|tema)|no\s+(?:lo\s+)?s[ée]|ni\s+idea|passo|non\s+[èe]\s+il\s+mio\s+campo|non\s+lo\s+so|ik\s+pas|niet\s+mijn\s+(?:vakgebied|terrein|gebied)|geen\s+idee|ik\s+weet\s+het\s+niet)(?:[\s,.!]+(?:sorry|leider|d[ée]sol[ée]e?|merci|danke|gracias|grazie|bedankt|dank\s+je|lo\s+siento|scusa|helaas))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignDeclineLine();

    /// <summary>A stop request in German, French or Spanish as the whole line: "Bitte keine Anfragen mehr schicken", "Merci de
    /// ne plus m'envoyer de demandes", "Por favor, no me envíen más solicitudes".</summary>
    [GeneratedRegex(@"^(?:bitte[\s,]+)?(?:keine\s+(?:anfragen|fragen|mails|e-?mails|nachrichten)\s+mehr(?:\s+(?:schicken|senden))?|(?:schicken|senden)\s+sie\s+mir\s+(?:bitte\s+)?keine\s+(?:anfragen|fragen|mails|e-?mails)\s+mehr|merci\s+de\s+ne\s+plus\s+m'(?:envoyer|écrire)(?:\s+de\s+(?:demandes|questions|mails|courriels))?|ne\s+plus\s+m'envoyer\s+de\s+(?:demandes|questions)|d[ée]sinscri(?:vez|s)[- ]moi|(?:por\s+favor[\s,]+)?no\s+me\s+(?:env[íi]e[ns]?|mande[ns]?)\s+m[áa]s\s+(?:solicitudes|preguntas|correos))(?:[\s,]+(?:bitte|danke|merci|s'il\s+vous\s+pla[iî]t|svp|gracias|por\s+favor))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignStopLine();

    /// <summary>A pause in German, French, Dutch, Spanish or Italian as the whole line, or after a short reason, with an end
    /// date if any: "Bitte pausieren", "Mettez-moi en pause jusqu'au 20 janvier, merci", "Graag pauzeren tot 1 februari",
    /// "Pauzeer mijn verzoeken tot 1 februari alstublieft", "Ich bin bis zum 15. Januar nicht im Büro, bitte pausieren",
    /// "Pausa, por favor".</summary>
    [GeneratedRegex(@"^(?:(?:(?<reason>[^\n?]{1,100}?)[,.;:!\u2013\u2014-]\s*)?(?:bitte\s+pausieren|pausieren\s+bitte|graag\s+pauzeren|pauzeer\s+(?:mij|me|mijn\s+(?:verzoeken|vragen))|(?:mettez|mets)[- ]moi\s+en\s+pause)|(?:(?:bitte\s+)?pausieren|(?:graag\s+)?pauzeren|pauzeer\s+(?:mij|me|mijn\s+(?:verzoeken|vragen))|(?:mettez|mets)[- ]moi\s+en\s+pause|pausa))(?:\s+(?:bis(?:\s+(?:zum|zur|am))?|jusqu'(?:au|à|a)|tot(?:\s+en\s+met)?|hasta(?:\s+el)?|fino\s+al)\s+(?<end>[^?!,]{1,30}?))?(?:,?\s+(?:bitte|danke|svp|merci|s'il\s+vous\s+pla[iî]t|por\s+favor|gracias|per\s+favore|grazie|graag|alsjeblieft|alstublieft|dank\s+je|bedankt))*\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignPauseLine();

    /// <summary>An acknowledgement that is not an answer yet, as the whole line: "Thanks!", "Thank you", "On it", "Looking
    /// into it", "Let me check and get back to you", "Will do", "I'll have a look tomorrow".</summary>
    [GeneratedRegex(@"^(?:(?:ok|okay|sure|hi|thanks|thank\s+you|no\s+problem|no\s+worries)(?:\s+(?-i:\p{Lu})\p{L}+)?[\s,.!]+)*(?:(?:i'll|i\s+will|let\s+me|i'm\s+going\s+to|i\s+am\s+going\s+to|will)\s+(?:[\p{L}' ]{1,50}?\s+)?(?:and\s+)?(?:get|come)\s+back\s+to\s+you(?:\s+(?:today|tomorrow|later|soon|shortly|this\s+week|on\s+\p{L}+))?|(?-i:\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)\s+(?:has\s+(?:this|it)(?:\s+one)?|is\s+on\s+(?:it|this)(?:\s+one)?|will\s+(?:answer|reply|take\s+(?:it|this)(?:\s+one)?))|ich\s+k(?:ü|ue)mmere\s+mich\s+(?:darum|drum)(?:\s+und\s+melde\s+mich(?:\s+(?:morgen|heute|bald|später))?)?|ich\s+melde\s+mich(?:\s+(?:morgen|heute|bald|später))?|je\s+(?:regarde|m'en\s+occupe|reviens\s+vers\s+(?:toi|vous))(?:\s+(?:et\s+je\s+reviens\s+vers\s+(?:toi|vous)|demain))?|(?:lo\s+miro|me\s+encargo)(?:\s+y\s+te\s+digo(?:\s+algo)?)?|ti\s+faccio\s+sapere|ci\s+penso\s+io|ik\s+(?:zoek\s+het\s+uit|kom\s+erop\s+terug|kijk\s+ernaar)|thanks|thank\s+you|many\s+thanks|thx|you(?:'|’)?re\s+(?:very\s+|most\s+)?welcome|you\s+are\s+(?:very\s+|most\s+)?welcome|no\s+(?:problem|worries)|happy\s+to\s+help|my\s+pleasure|any\s*time|glad\s+(?:it|that|this|I\s+could)\s+(?:worked|helped|help)(?:\s+out)?|gern(?:e)?\s+geschehen|de\s+rien|de\s+nada|graag\s+gedaan|prego|noted|received|got\s+it|on\s+it|will\s+do|(?:i'm\s+|i\s+am\s+)?looking\s+into\s+it|(?:i'll|i\s+will)\s+(?:have\s+a\s+look|take\s+a\s+look|look\s+into\s+(?:it|this)|check|get\s+back\s+to\s+you)(?:\s+(?:and\s+get\s+back\s+to\s+you|today|tomorrow|later|this\s+week|on\s+\p{L}+))*|let\s+me\s+(?:check|look\s+into\s+(?:it|this)|have\s+a\s+look)(?:\s+and\s+(?:get|come)\s+back\s+to\s+you)?(?:\s+(?:today|tomorrow|later|this\s+week))?)(?:[\s,]+(?:thanks|thank\s+you))?\s*[.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AcknowledgementLine();

    /// <summary>Agreement or interest as the whole line, not an answer: "+1", "+1, I'd like to know too", "Same question here",
    /// "Me too", "Following", "Interested in the answer too".</summary>
    [GeneratedRegex(@"^(?:\+1|me\s+too|same\s+(?:here|question(?:\s+here)?|for\s+me)|following(?:\s+(?:this|along))?|watching\s+this|(?:i'?m\s+)?interested\s+(?:in\s+the\s+answer|too)(?:\s+too)?)(?:[\s,.!;:–—-]+(?:i'?d\s+(?:like|love)\s+to\s+know\s+(?:that\s+|this\s+)?too|(?:me|us)\s+too|(?:same|interested)\s+here|please\s+(?:share|let\s+me\s+know)(?:\s+the\s+answer)?))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MeTooLine();

    /// <summary>A name, title and phone under the command word: at most <see cref="MaxSignatureLines"/> short lines, no question among them.</summary>
    /// <summary>
    /// Whether a reply is only a pleasantry under a signature — "You're welcome!", "Glad I could help :)", "You're welcome,
    /// let me know if you need anything else." — with a signature block of up to a few short lines (name, title, phone)
    /// under it. Looser than <see cref="Classify"/>'s acknowledgement, for an expert who has answered already: after an
    /// answer such a reply is not a follow-up.
    /// </summary>
    /// <param name="visibleText">The reply's own text (quotes removed).</param>
    public static bool IsPleasantry(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var lines = Pictographs().Replace(visibleText.Replace('\u2019', '\''), "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count > 1 && Greeting().IsMatch(lines[0])) lines.RemoveAt(0);
        if (lines.Count == 0) return false;
        var first = AnythingElse().Replace(Emoticon().Replace(lines[0], " "), "").Trim().TrimEnd(',', ';', ' ');
        var rest = lines.Skip(1).TakeWhile(l => !Disclaimer().IsMatch(l)).ToList();
        return first.Length > 0 && (AcknowledgementLine().IsMatch(first) || IsAcknowledgement(Parts(first))) && IsSignature(rest);
    }

    /// <summary>Longest text (characters, greeting and signature left out) read as a question back to the asker: 400.</summary>
    public const int MaxClarifyingChars = 400;

    /// <summary>
    /// Whether an expert's reply only asks the asker something before answering — "Which laptop model is it?", "Hi Pieter,
    /// quick check: is it the UDP or the TCP profile? Thanks, Anna" — rather than answering: every sentence of its text ends
    /// in '?' or is a greeting, thanks or acknowledgement ("Good question!"), at least one is a question, the text (without
    /// a greeting line and a signature of a few short lines) is at most <see cref="MaxClarifyingChars"/> characters. "Use the
    /// TCP profile. Does that help?" is an answer.
    /// </summary>
    /// <param name="visibleText">The reply's own text (quotes and "-- " signature removed).</param>
    public static bool IsClarifyingQuestion(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var lines = Pictographs().Replace(visibleText.Replace('\u2019', '\''), "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count > 1 && Greeting().IsMatch(lines[0])) lines.RemoveAt(0);
        var last = lines.FindLastIndex(l => l.Contains('?'));
        if (last < 0) return false;
        var body = lines.Take(last + 1).ToList();
        var rest = lines.Skip(last + 1).TakeWhile(l => !Disclaimer().IsMatch(l)).ToList();
        // Under the question only a closing and a signature ("Thanks,", "Anna", "IT Service Desk"), so "Which model? If it is
        // the X1, update the dock." and "Are you on Windows?\nOn Windows it's under Settings" stay answers.
        if (body.Sum(l => l.Length) > MaxClarifyingChars || rest.Count > MaxSignatureLines || !rest.All(IsNameLike)) return false;
        // Sentences end at '.', '!', '?' or ';' whatever follows ("use the TCP profile. does that help?" is two).
        var sentences = body.SelectMany(l => AnySentenceEnd().Split(l)).Select(x => x.Trim()).Where(x => x.Length > 0).ToList();
        return sentences.Any(c => c.EndsWith('?')) &&
               sentences.All(c => c.EndsWith('?')
                   ? !SuggestionQuestion().IsMatch(c) && Parts(c).SkipLast(1).All(p => Greeting().IsMatch(p) || Interjection().IsMatch(p) || IsAcknowledgement([p]))
                   : Greeting().IsMatch(c) || IsAcknowledgement(Parts(c)) || Interjection().IsMatch(c));
    }

    /// <summary>Longest text (characters, greeting and signature left out) read as the asker withdrawing their question: 300.</summary>
    public const int MaxResolvedChars = 300;

    /// <summary>
    /// Whether the asker's reply says the question needs no answer any more — "Never mind, found it - it's in the wiki.",
    /// "Sorted it out myself, thanks!", "Please ignore my question, the printer works again.", "Hat sich erledigt, danke" —
    /// rather than adding to it. Read narrowly, since a yes tells the experts asked to stop: the first sentence opens with
    /// the withdrawal, which ends its clause ("Never mind the printer." and "I don't need it for Excel" do not); each further
    /// sentence is thanks, an apology or where the answer was ("It's in the HR portal.", "Turns out it was the proxy.");
    /// no question mark, no word of contrast or trouble (but, only, still, error, fails, doesn't …); at most
    /// <see cref="MaxResolvedChars"/> characters without the greeting and a signature. Meant for replies written before any
    /// answer: after one, "Solved it, thanks" is the asker's word on the answer.
    /// </summary>
    /// <param name="visibleText">The reply's own text (quotes and "-- " signature removed).</param>
    public static bool IsResolvedByAsker(string visibleText)
    {
        ArgumentNullException.ThrowIfNull(visibleText);
        var raw = Emoticon().Replace(Pictographs().Replace(visibleText.Replace('\u2019', '\'').Replace("\u00A1", "", StringComparison.Ordinal), ""), " ").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        // A signature: short name-like lines ("Noah", "Thanks,", "Platform team") at the end, or right above a PS.
        if (raw.Count > 1 && Greeting().IsMatch(raw[0])) raw.RemoveAt(0);
        // (At most 4 words a line: "Thanks, please send me the form anyway" is not a signature.)
        bool Signature(string l) => IsNameLike(l) && !PostScript().IsMatch(l) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 4;
        var signature = new bool[raw.Count];
        for (var i = raw.Count - 1; i > 0 && Signature(raw[i]); i--) signature[i] = true;
        for (var i = 1; i < raw.Count; i++)
            if (PostScript().IsMatch(raw[i]))
                for (var j = i - 1; j > 0 && Signature(raw[j]); j--) signature[j] = true;
        var lines = raw.Select(l => PostScript().Replace(l, "").Trim()).ToList();
        if (lines.Count == 0 || lines.Any(l => l.Contains('?'))) return false;
        var opening = ResolvedOpening().Match(lines[0]);
        if (!opening.Success) return false;
        // What follows the withdrawal — a signature included — must not speak of trouble ("PS: Teams still crashes").
        // (A clause that is itself a withdrawal — ", we don't need it anymore" — is not trouble.)
        if (ClauseSplit().Split(string.Join(' ', lines.Skip(1).Prepend(lines[0][opening.Length..]))).Select(c => c.Trim().TrimStart('-', '\u2013', '\u2014', ' '))
            .Any(c => c.Length > 0 && !IsWholeWithdrawal(c) && ResolvedSpoiler().IsMatch(c))) return false;
        lines = lines.Where((_, i) => !signature[i]).ToList();
        var text = string.Join(' ', lines);
        if (text.Length > MaxResolvedChars) return false;
        // The rest only thanks, apologises or says where the answer was.
        var rest = text[opening.Length..].TrimStart(',', ';', ':', '.', '!', '-', '\u2013', '\u2014', ' ');
        return AnySentenceEnd().Split(rest).Select(x => x.Trim()).Where(x => x.Trim('.', '!', ' ').Length > 0).All(IsResolvedAside);
    }

    /// <summary>"PS:", "P.S." at the start of a line.</summary>
    [GeneratedRegex(@"^p\.?\s?s\.?\s*:?\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PostScript();

    /// <summary>Whether a clause is a withdrawal and nothing else ("we don't need it anymore", "found it").</summary>
    private static bool IsWholeWithdrawal(string clause) =>
        ResolvedOpening().Match(clause) is { Success: true } m && clause[m.Length..].Trim('.', '!', ',', ';', ' ').Length == 0;

    /// <summary>Where a clause ends for <see cref="IsResolvedByAsker"/>: a comma, semicolon, full stop or exclamation mark.</summary>
    [GeneratedRegex(@"[,;.!]")]
    private static partial Regex ClauseSplit();

    private static bool IsResolvedAside(string x) =>
        ResolvedAside().IsMatch(x) || IsAcknowledgement(Parts(x)) || IsSorry(x) || NoiseApology().IsMatch(x)
        || x.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).All(p => ResolvedAside().IsMatch(p) || IsAcknowledgement([p]) || IsSorry(p) || NoiseApology().IsMatch(p) || ResolvedOpening().IsMatch(p));

    /// <summary>The opening of an asker withdrawing their question (see <see cref="IsResolvedByAsker"/>), after optional "oh",
    /// "ok", "hi all", "sorry", "thanks", "update:", "actually" or "good news"; each withdrawal ends its clause (punctuation or
    /// the end), except "found the answer" and "fixed it" before a pointer ("in the wiki", "by reinstalling").</summary>
    [GeneratedRegex(@"^(?:(?:oh|ok|okay|(?:hi|hello|hey)(?:\s+(?:all|team|everyone))?|sorry|thanks|thank\s+you|update|actually|good\s+news|fyi|no\s+worries|scratch\s+that)[\s,.:;!\u2013\u2014-]+)*(?:(?:never\s*mind|nvm)(?:\s+(?:it|that|this|me))?(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:(?:i|we)(?:'ve|\s+have)?\s+)?(?:found|figured|figured\s+out|sorted|sorted\s+out|solved|fixed|resolved|worked|worked\s+out)\s+(?:the\s+(?:answer|solution|fix)(?=\s*(?:[,.!;\u2013\u2014-]|$)|\s+(?:in|on|at|under|myself|ourselves)\b)|(?:it|this|that|the\s+(?:issue|problem))\b(?:\s+(?:out|myself|ourselves|already|now|after\s+all|in\s+the\s+end|meanwhile))*(?=\s*(?:[,.!;\u2013\u2014-]|$)|\s+(?:by|with|using|via|through)\b))|(?:all\s+)?(?:solved|sorted|resolved|fixed)(?:\s+(?:now|already))?(?=\s*(?:[,.!;\u2013\u2014-]|$))|all\s+good(?:\s+now)?(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:(?:it|this|that|everything)(?:'s|\s+is|\s+has\s+been|'s\s+been)|all)\s+(?:sorted|solved|resolved|fixed|working(?:\s+again)?)(?:\s+(?:out|now|already|meanwhile))*(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:it|this|that|everything)\s+works(?:\s+(?:now|again|fine))+(?=\s*(?:[,.!;\u2013\u2014-]|$))|got\s+it\s+(?:working|sorted|fixed)(?:\s+(?:now|again))?(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:i|we)\s+got\s+it\s+(?:sorted|working)(?=\s*(?:[,.!;\u2013\u2014-]|$))|c'est\s+bon(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:ya\s+)?lo\s+resolv[íi](?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:(?:please|you\s+can|feel\s+free\s+to)\s+)?(?:ignore|disregard|close|cancel)\s+(?:this(?:\s+one)?|it|my\s+(?:question|request)|my\s+(?:previous\s+|last\s+|earlier\s+)?(?:mail|e-?mail|message)|the\s+(?:question|request))(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:i|we)\s+(?:no\s+longer|don't|do\s+not)\s+need\s+(?:an\s+answer|help|this|it)(?:\s+any\s*more)?(?=\s*(?:[,.!;\u2013\u2014-]|$))|no\s+(?:longer|more)\s+needed(?=\s*(?:[,.!;\u2013\u2014-]|$))|no\s+need(?:\s+(?:for\s+an\s+answer|to\s+answer))?\s+any\s*more(?=\s*(?:[,.!;\u2013\u2014-]|$))|not\s+needed\s+any\s*more(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:my\s+)?(?:question|issue|problem)\s+(?:is\s+|has\s+been\s+)?(?:solved|resolved|sorted|answered)(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:das\s+)?hat\s+sich\s+erledigt(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:ist\s+)?erledigt(?=\s*(?:[,.!;\u2013\u2014-]|$))|vergiss\s+es(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:ich\s+)?hab(?:e)?\s+es\s+(?:selbst\s+)?gefunden(?=\s*(?:[,.!;\u2013\u2014-]|$))|laisse[zr]?\s+tomber(?=\s*(?:[,.!;\u2013\u2014-]|$))|c'est\s+r[ée]gl[ée](?=\s*(?:[,.!;\u2013\u2014-]|$))|j'ai\s+trouv[ée](?:\s+la\s+(?:solution|r[ée]ponse))?(?=\s*(?:[,.!;\u2013\u2014-]|$))|laat\s+maar(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:is\s+)?(?:al\s+)?opgelost(?=\s*(?:[,.!;\u2013\u2014-]|$))|ya\s+no\s+hace\s+falta(?=\s*(?:[,.!;\u2013\u2014-]|$))|(?:ya\s+)?lo\s+encontr[ée](?=\s*(?:[,.!;\u2013\u2014-]|$))|ya\s+est[áa]\s+resuelto(?=\s*(?:[,.!;\u2013\u2014-]|$)))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ResolvedOpening();

    /// <summary>Words of contrast or trouble after the withdrawal that make it more than one: but, only, still, except,
    /// however, error, fails, crashes, hangs, won't, doesn't, can't, not working, need, back, slow, wrong (and German, French,
    /// Dutch and Spanish ones).</summary>
    [GeneratedRegex(@"\b(?:but|only|still|except|however|although|though|yet|also|too|instead|unless|whereas|error|errors|fail|fails|failed|failing|crash|crashes|crashed|crashing|hang|hangs|hanging|broken|slow|back|won't|wont|doesn't|does\s+not|didn't|did\s+not|don't|isn't|is\s+not|can't|cannot|can\s+not|not\s+working|need|needs|needed|wrong|correct|part|aber|nur|noch|nicht|jetzt|fehler|mais|seulement|encore|pas|toujours|erreur|maar|niet|nog|pero|sigue|todav[íi]a|error)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ResolvedSpoiler();

    /// <summary>Where the answer was, or what it was, after a withdrawal: "It's in the engineering wiki under Deploy previews.",
    /// "Turns out it was the proxy setting.", "The returns policy on the intranet covers it.", "The answer is on the HR
    /// portal."</summary>
    [GeneratedRegex(@"^(?:-\s*)?(?:(?:(?:(?:it'?s|it\s+is|the\s+(?:answer|solution|fix|info|information)\s+(?:is|was))\s+)?(?:in|on|under|at)\b|(?:by|with|using|via|through)\b|(?:turns\s+out\s+|it\s+turned\s+out\s+)?(?:it\s+was|that\s+was)\s+(?:the|a|an|my|our|just)\b|turns\s+out\b|(?:(?:i|we)\s+)?found\s+(?:it|them|the\s+(?!same\b)[\p{L}\s-]{1,40}?)\s+(?:in|on|at|under)\b)(?:(?!\s-\s)[^.!;,:\u2013\u2014]){0,100}[.!]*$|(?:the\s+[\p{L}\s-]{1,40}\s+(?:covers|covered|explains|explained|fixed|solved|sorted)\s+it|(?:it|the\s+[\p{L}\s-]{1,40})\s+(?:works|is\s+working)\s+(?:again|now|fine)|(?:thanks|thank\s+you)\s+(?:for\s+(?:the|your)\s+(?:help|time|patience|quick\s+(?:reply|response|service))|anyway|all|everyone|again)(?:\s+and\s+(?:sorry|apologies)\s+for\s+the\s+(?:noise|bother|trouble))?|(?:i|we)\s+(?:got\s+it\s+(?:sorted|working|fixed)|sorted\s+it|fixed\s+it)(?:\s+(?:myself|now))?(?:\s+with\s+\p{L}+(?:\s+directly)?)?|(?:my|our)\s+[\p{L}\s-]{1,30}?\s+(?:already\s+)?(?:answered(?:\s+it)?|sorted\s+it|fixed\s+it)|(?-i:\p{Lu})\p{L}+\s+(?:already\s+)?(?:showed|told)\s+(?:me|us)\s+(?:where|how)\b(?:(?!\s-\s)[^.!;,:\u2013\u2014]){0,60}[.!]*$))[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ResolvedAside();

    /// <summary>"Sorry for the noise", "Sorry to bother you", "Apologies for the spam".</summary>
    [GeneratedRegex(@"^(?:sorry|apologies)\s+(?:for\s+the\s+(?:noise|spam|trouble|bother|confusion)|to\s+(?:bother|trouble)\s+you)(?:[\s,]+(?:all|everyone|team))?[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoiseApology();

    /// <summary>ASCII emoticons: ":)", ";-)", ":D", "=)", "^^", "&lt;3".</summary>
    [GeneratedRegex(@"(?:[:;=]-?[)(DPp]|\^\^|<3)+")]
    private static partial Regex Emoticon();

    /// <summary>A closing offer after a pleasantry: ", let me know if you need anything else."</summary>
    [GeneratedRegex(@"[\s,.;!]*(?:just\s+)?(?:let\s+me\s+know|shout|ping\s+me)\s+if\s+(?:you\s+need\s+anything(?:\s+else)?|you\s+have\s+(?:any\s+)?(?:more|other|further)\s+questions|there(?:'s|\s+is)\s+anything\s+else)[\s.!]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnythingElse();

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
    [GeneratedRegex(@"^(?:(?:sorry|please|ok|okay|hi|hello)[\s,.!]+)*(?:(?<word>pass|pause|stop)(?:[\s,.!]+\k<word>)*(?:(?<=pause)(?:\s+me)?\s+(?:until|till|through)\s.{0,80}|(?<=pause|stop)(?:\s+me)?(?:\s+(?:for\s+)?(?:(?:the\s+)?next\s+(?:(?:a|an|one|two|three|four|five|six|\d{1,2})\s+)?|(?:a|an|one|two|three|four|five|six|\d{1,2})\s+)(?:days?|weeks?|months?)(?:\s+(?:please|thanks|thank\s+you))?(?:\s*[.!,;:?\u2013\u2014-]\s*(?!\s*(?:and\s+)?then\b|\s*after\s+that\b|\s*before\b).{0,80}|\s*$))|(?<=pause)\s+me\s*[.!]*$|\s*[.!,;:\u2013\u2014].{0,80}|\s+-.{0,80}|-\s.{0,80}|\s+(?:on\s+(?:this|that)(?:\s+one)?|please|for now|for a while|my requests|requests|thanks|thank you|bitte|danke|merci|svp|s'il vous pla[iî]t|por favor|gracias|per favore|grazie|graag|alsjeblieft|alstublieft|dank je|bedankt)\b.{0,80})?|(?<word>pausing)(?:\s+me)?(?:\s+(?:until|till|through)\s.{0,80}|\s+(?:for\s+)?(?:(?:the\s+)?next\s+(?:(?:a|an|one|two|three|four|five|six|\d{1,2})\s+)?|(?:a|an|one|two|three|four|five|six|\d{1,2})\s+)(?:days?|weeks?|months?)(?:\s*[.!,;:\u2013\u2014-]\s*(?!\s*(?:and\s+)?then\b|\s*is\b|\s*are\b).{0,80}|\s*$)|\s*[-\u2013\u2014,.:;]\s*(?:back|returning|away|out|off|on\s+leave|until|till|for|i'?m|i\s+am)\b.{0,80}|\s*[.!]*$))$",
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
    [GeneratedRegex(@"^(?:(?:sorry|ok|okay|hi|hello|hey|unfortunately|i'm\s+afraid|i\s+am\s+afraid)[\s,.!\u2013\u2014-]+)*(?:i'?ll\s+(?:have\s+to\s+)?pass|i\s+(?:will|must|have\s+to|need\s+to)\s+pass|(?:i'm\s+)?passing|not\s+(?:me|my\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject))|not\s+something\s+i\s+(?:know|can\s+help\s+with)|(?:this|that|it)\s+(?:isn't|is\s+not)\s+(?:really\s+)?my\s+(?:area|field|topic|thing|expertise|department|specialty|speciality|subject)|(?:i\s+)?(?:can't|cannot|can\s+not|couldn't)\s+help(?:\s+(?:here|with\s+(?:this|that)(?:\s+one)?|on\s+(?:this|that)(?:\s+one)?|you))?|(?:i\s+)?(?:don't|do\s+not)\s+know(?:\s+(?:this|that)(?:\s+one)?)?|(?:i\s+have\s+)?no\s+(?:idea|clue)|(?:i'm|i\s+am)\s+not\s+(?:the\s+right\s+person|able\s+to\s+help|sure)(?:\s+(?:for|on)\s+(?:this|that)(?:\s+one)?)?|ask\s+someone\s+else)(?:\s+(?:on|about|with|for)\s+(?:this|that)(?:\s+one)?)?(?:[\s,.!;:\u2013\u2014-]+(?:sorry|thanks|thank\s+you|please\s+ask\s+someone\s+else|ask\s+someone\s+else|pass))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeclineLine();

    /// <summary>An away note as the whole line: "I'm on vacation until January 4th.", "I am out of the office this week",
    /// "Away until Monday, sorry".</summary>
    [GeneratedRegex(@"^(?:(?:sorry|hi|hello)[\s,.!]+)*(?:(?:i'm|i\s+am|i'll\s+be|i\s+will\s+be)\s+(?:currently\s+)?)?(?:on\s+(?:vacation|holiday|holidays|leave|annual\s+leave|parental\s+leave|sick\s+leave|a\s+business\s+trip|sabbatical)|away|out\s+of\s+(?:the\s+)?office|ooo|off\s+sick)(?:\s+(?:until|till|til|through|from|for|this|next)\b(?:[^?.!;]|\.(?!\s)){0,60})?(?:[\s,.!;\u2013\u2014-]+(?:sorry|thanks|thank\s+you))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwayLine();

    /// <summary>A request to be asked again: "Please resume my requests", "Hi, I'm back - please resume my requests.", "I'm
    /// back earlier than planned - please resume my requests. Thanks!", "unpause me", "You can send me requests again",
    /// "Bitte wieder Anfragen schicken", "Vous pouvez reprendre mes demandes".</summary>
    [GeneratedRegex(@"^(?:(?:hi|hello|hey|hallo|bonjour|hoi)[\s,.!]+(?:\p{L}+[\s,.!]+)?)?(?:(?:i'?m|i\s+am)\s+back(?:\s+(?:early|earlier(?:\s+than\s+(?:planned|expected))?|now|from\s+(?:leave|holiday|vacation)))?[\s,.!;:\u2013\u2014-]+)?(?:(?:please|ok|so)[\s,]+)?(?:resume\s+(?:me|my\s+(?:requests|questions)|the\s+requests|sending(?:\s+me)?(?:\s+(?:requests|questions))?)|unpause(?:\s+me)?|(?:you\s+can\s+|please\s+)?(?:send|start\s+sending)\s+me\s+(?:requests|questions)\s+again|(?:bitte\s+)?wieder\s+anfragen\s+(?:schicken|senden)|(?:je\s+suis\s+de\s+retour[\s,.;:!-]+)?(?:vous\s+pouvez\s+)?reprendre\s+(?:mes|les)\s+demandes|(?:ich\s+bin\s+(?:wieder\s+)?zur(?:ü|ue)ck[\s,.;:!-]+)?(?:bitte\s+)?wieder\s+anfragen\s+(?:schicken|senden)|(?:graag\s+)?(?:weer\s+)?hervatten)(?:\s+(?:again|please|now|bitte|merci|graag))*(?:[\s,.!;:\u2013\u2014-]+(?:please|thanks|thank\s+you|cheers|danke|merci|bedankt))*[\s.!]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ResumeLine();

    /// <summary>The label an away note typed by hand often opens with: "Out of office:", "OOO -", "Automatic reply:",
    /// "Abwesenheitsnotiz:", "Absent :".</summary>
    [GeneratedRegex(@"^(?:out\s+of\s+(?:the\s+)?office|ooo|away|automatic\s+reply|auto[- ]?reply|abwesenheitsnotiz|abwesend|absence|absent|afwezig)\s*[:\u2013\u2014-]\s*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwayLabel();

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
