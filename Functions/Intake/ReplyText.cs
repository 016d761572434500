using System.Text.RegularExpressions;

namespace SocialLearning.Intake;

/// <summary>
/// Extracts the part of a plain-text mail the sender actually wrote: the visible reply, without quoted
/// replies, forwarded or original-message blocks, signatures and mobile-client footers.
/// </summary>
/// <remarks>
/// <para>The scan is line based and linear in the input length. Regular expressions only ever see one
/// line (or up to three joined lines of a wrapped quote header), lines longer than a few hundred
/// characters are never matched against a pattern, and every pattern runs with
/// <see cref="RegexOptions.NonBacktracking"/>, so pathological input (for example a 766 KB message with
/// 700 KB lines of <c>&gt;</c>) cannot cause catastrophic backtracking.</para>
/// <para>Rules, in the order they are tried on each unquoted line:</para>
/// <list type="number">
/// <item>Lines starting with <c>&gt;</c> are quoted and dropped, together with the blank lines that follow
/// the quoted block and short unquoted lines wrapped inside it (a long quoted line, then up to three
/// unquoted lines, then a quoted line again). Unquoted text after a quoted block stays visible, so
/// bottom-posted and inline replies keep their answers.</item>
/// <item>A signature delimiter (<c>--</c> or <c>-- </c> alone on a line, RFC 3676 §4.3), a rule of two or
/// more underscores (mailing-list footers, Outlook's reply separator) or of two or more em dashes,
/// a mobile-client footer ("Sent from my iPhone", "Get Outlook for Android", "Envoyé de mon iPhone",
/// "Gesendet von Outlook für Android", …) or an original/forwarded-message marker
/// ("-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:",
/// "-------- Oprindelig besked --------", …) ends the visible text.</item>
/// <item>An Outlook-style header block ends the visible text: a line starting with a localized "From:" key
/// (From, De, Von, Van, Da, Od, Från, Fra, От, 发件人, …; optionally bold as <c>*From:*</c>) that is either
/// followed within six lines by another header key (Sent, Date, To, Subject, Envoyé, Gesendet, Verzonden,
/// Inviato, …) or carries a mail address.</item>
/// <item>A quote header ("On … wrote:", "Le … a écrit :", "Am … schrieb …:", "El … escribió:",
/// "Il … ha scritto:", "Op … schreef …:", "Em … escreveu:", "W dniu … napisał:", "Den … skrev …:",
/// "… kirjoitti:", "… написал:", "在 … 写道：", "… 작성:", "… のメッセージ:", or a date plus a bracketed address
/// ending in a colon), possibly wrapped over up to three lines. When quoted lines follow it, the header
/// and the quote are dropped and scanning continues; otherwise (top posting without <c>&gt;</c>) the
/// visible text ends there.</item>
/// </list>
/// <para>Trailing blank lines, separator rules and orphaned header lines in front of a cut are removed,
/// trailing whitespace is removed from every line, and the result is trimmed. Text is never decoded or
/// re-encoded (HTML entities in a plain-text body stay as they are).</para>
/// <para>Ideas, not code, come from the fixture suites of github/email_reply_parser,
/// zapier/email-reply-parser, willdurand/EmailReplyParser and crisp-oss/email-reply-parser.</para>
/// </remarks>
public static class ReplyText
{
    private const RegexOptions Options =
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>Longest line (in UTF-16 code units) that is ever tested against a pattern.</summary>
    private const int MaxPatternLineLength = 400;

    /// <summary>How many physical lines a wrapped quote header may span.</summary>
    private const int MaxHeaderLines = 3;

    /// <summary>Quoted lines at least this long are treated as wrapped by the sender's client.</summary>
    private const int WrappedQuoteLength = 60;

    // "From" keys of Outlook / webmail reply headers in the languages we see.
    private const string FromKeys =
        "from|de|von|van|da|od|från|fra|frå|lähettäjä|feladó|kimden|от|від|від кого|από|afzender|remitente|" +
        "mittente|nadawca|odesílatel|expéditeur|absender|发件人|發件人|寄件者|差出人|보낸 사람";

    // Other keys of the same header blocks.
    private const string OtherKeys =
        "sent|date|to|subject|cc|bcc|reply-to|importance|envoyé|envoyé le|envoye|à|a|objet|sujet|copie à|cci|" +
        "gesendet|datum|an|betreff|kopie|verzonden|aan|onderwerp|inviato|data|oggetto|enviado|enviada|" +
        "enviado el|fecha|para|asunto|assunto|wysłano|wysłane|do|temat|dw|skickat|till|ämne|kopia|sendt|dato|" +
        "til|emne|kopi|lähetetty|vastaanottaja|aihe|päivämäärä|отправлено|дата|кому|тема|копия|надіслано|" +
        "发送时间|时间|收件人|主题|日期|抄送|寄件日期|收件者|主旨|送信日時|宛先|件名|보낸 날짜|받는 사람|제목|" +
        "küldve|címzett|tárgy|tarih|kime|konu|odesláno|komu|předmět|message du";

    // Verbs that end a quote header ("… wrote:").
    private const string Verbs =
        "wrote|writes|has written|a écrit|a ecrit|à écrit|schrieb|hat geschrieben|geschrieben|escribió|" +
        "escribio|ha escrito|ha escrit|va escriure|ha scritto|scrisse|schreef|heeft geschreven|escreveu|" +
        "escreve|napisał|napisała|napisał\\(a\\)|napisal|napisala|pisze|skrev|skriver|kirjoitti|написал|" +
        "написала|написал\\(а\\)|пишет|написав|пише|írta|yazdı|napsal|napsala|napsal\\(a\\)|napísal|έγραψε|" +
        "a scris|写道|寫道|작성|のメッセージ|は書きました";

    private static readonly Regex FromKeyLine = new($"^\\**\\s*(?:{FromKeys})\\s*\\**\\s*[:：]", Options);

    private static readonly Regex OtherKeyLine = new($"^\\**\\s*(?:{OtherKeys})\\s*\\**\\s*[:：]", Options);

    private static readonly Regex MailAddress = new(@"[^\s<>\[\]()""':;,]+@[^\s<>\[\]()""':;,]+\.[a-z]{2,}|mailto:", Options);

    private static readonly Regex BracketedAddress = new(@"[<\[(]\s*(?:mailto:)?[^\s<>\[\]()]+@[^\s<>\[\]()]+\s*[>\])]", Options);

    private static readonly Regex VerbAtEnd = new($"(?:^|[^\\p{{L}}])(?:{Verbs})\\s*[:：]?$", Options);

    private static readonly Regex VerbAnywhere = new($"(?:^|[^\\p{{L}}])(?:{Verbs})(?:[^\\p{{L}}]|$)", Options);

    // Words that open a quote header in common clients. Case-sensitive on purpose: "a écrit" must not
    // look like the Portuguese/Italian opener and lower-case sentence starts are rare in headers.
    private static readonly Regex HeaderOpener = new(
        "^(?:On|Le|Am|El|Il|Il giorno|In data|Op|Em|Às|W dniu|Dnia|Den|På|Dne|Στις|В|У|Quoting|Zitat von|Citando|在)\\s",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    // "tir. 18. apr.", "ср, 30 апр.", "pe 20. lokakuuta": an abbreviated weekday, then a number.
    private static readonly Regex WeekdayThenNumber = new(@"^\p{L}{1,4}[.,]?\s+\d", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static readonly Regex WeekdayPunctThenNumber = new(@"^\p{L}{1,4}[.,]\s*\d", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    // Footers added by mobile and desktop mail apps. The device part is a few words without commas, so a
    // sentence such as "Sent from my desk, is much easier…" is not a footer.
    private static readonly Regex MobileFooter = new(
        "^(?:sent (?:from|via|using|with|on)|envoyé (?:de|depuis|à partir de|avec|via|du)|envoye de|" +
        "gesendet (?:von|mit|über|vom|aus)|enviado (?:desde|do|de|pelo|a partir do|com|con|via)|" +
        "inviato (?:da|dal|con|tramite)|(?:verzonden|verstuurd) (?:vanaf|met|via|van)|wysłane (?:z|ze|przez)|" +
        "skickat (?:från|med)|sendt (?:fra|med)|lähetetty|отправлено (?:с|из|через)|надіслано (?:з|із)|" +
        "get outlook for|get the outlook app|obtenir outlook pour|télécharger outlook pour|" +
        "holen sie sich outlook für|outlook für|scarica outlook per|descargar outlook para|baixe o outlook para)" +
        "\\s+(?:[\\p{L}\\p{N}®™&'’.()/+\\-]+\\s*){1,8}(?:<[^<>]{0,300}>|\\[[^\\[\\]]{0,300}\\])?\\s*$",
        Options);

    private static readonly Regex MobileFooterSuffix = new(
        "^(?:von meinem [\\p{L}\\p{N} ]{1,40} gesendet|[\\p{L}\\p{N} ]{1,30}から送信|发自我的[\\p{L}\\p{N} ]{1,30}|" +
        "從我的 ?[\\p{L}\\p{N} ]{1,30} ?傳送|inviato da iphone|enviado do meu [\\p{L}\\p{N} ]{1,30})\\.?$",
        Options);

    // Markers of an original or forwarded message, compared after stripping dash/underscore/equals rules
    // around them, a trailing colon and case.
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal)
    {
        "original message", "original", "forwarded message", "begin forwarded message", "message d'origine",
        "message d’origine", "message original", "message transféré", "début du message réexpédié",
        "début du message transféré", "ursprüngliche nachricht", "originalnachricht", "original-nachricht",
        "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht", "oorspronkelijk bericht",
        "origineel bericht", "doorgestuurd bericht", "messaggio originale", "messaggio inoltrato",
        "inizio messaggio inoltrato", "mensaje original", "mensaje reenviado", "mensagem original",
        "mensagem encaminhada", "wiadomość oryginalna", "oryginalna wiadomość", "wiadomość przekazana dalej",
        "ursprungligt meddelande", "originalmeddelande", "vidarebefordrat meddelande", "opprinnelig melding",
        "videresendt melding", "oprindelig besked", "oprindelig meddelelse", "videresendt besked",
        "alkuperäinen viesti", "välitetty viesti", "исходное сообщение", "пересылаемое сообщение",
        "пересланное сообщение", "původní zpráva", "přeposlaná zpráva", "eredeti üzenet", "orijinal mesaj",
        "原始邮件", "原始郵件", "转发的邮件", "元のメッセージ", "転送されたメッセージ", "원본 메시지", "전달된 메시지",
    };

    private static readonly char[] RuleChars = ['-', '_', '=', '*', '~', '–', '—', ' ', '\t'];

    /// <summary>Returns the visible reply of a plain-text mail body.</summary>
    /// <param name="text">A plain-text body with any line endings (CRLF, LF or CR); HTML bodies must be
    /// converted first (see <see cref="HtmlText.ToText(string?)"/>).</param>
    /// <returns>The text the sender wrote, lines joined with <c>\n</c>, trailing whitespace removed from every
    /// line, the whole trimmed; <c>""</c> when nothing visible remains (for example a bare forward).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string ExtractVisible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var visible = new List<string>(Math.Min(lines.Count, 1024));
        int n = lines.Count;
        int i = 0;
        while (i < n)
        {
            string line = lines[i];
            if (IsQuoted(line))
            {
                i = SkipQuoteBlock(lines, i);
                continue;
            }

            if (line.Length == 0)
            {
                visible.Add(line);
                i++;
                continue;
            }

            if (IsCutLine(line))
            {
                break;
            }

            if (IsOutlookHeaderBlock(lines, i))
            {
                DropHeaderLinesBefore(visible);
                break;
            }

            if (TryQuoteHeader(lines, i, out int headerEnd))
            {
                int next = headerEnd + 1;
                while (next < n && lines[next].Length == 0) next++;
                if (next < n && IsQuoted(lines[next]))
                {
                    i = SkipQuoteBlock(lines, next);
                    continue;
                }

                break;
            }

            visible.Add(line);
            i++;
        }

        DropTrailingNoise(visible);
        return string.Join('\n', visible).Trim();
    }

    /// <summary>Splits on CRLF, LF and CR and removes trailing whitespace from each line.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') start = 1;
        for (int p = start; p < text.Length; p++)
        {
            char c = text[p];
            if (c != '\n' && c != '\r') continue;
            lines.Add(text.AsSpan(start, p - start).TrimEnd().ToString());
            if (c == '\r' && p + 1 < text.Length && text[p + 1] == '\n') p++;
            start = p + 1;
        }

        lines.Add(text.AsSpan(start).TrimEnd().ToString());
        return lines;
    }

    private static bool IsQuoted(string line)
    {
        foreach (char c in line)
        {
            if (c == '>') return true;
            if (c != ' ' && c != '\t') return false;
        }

        return false;
    }

    /// <summary>Skips a block of quoted lines starting at <paramref name="start"/> and the blank lines after it.</summary>
    private static int SkipQuoteBlock(List<string> lines, int start)
    {
        int n = lines.Count;
        int i = start;
        while (i < n)
        {
            if (IsQuoted(lines[i]))
            {
                i++;
                continue;
            }

            // A long quoted line wrapped by a client that did not re-quote the remainder:
            // "> … pharetra d" / "ignissim odio?" / ">".
            if (lines[i].Length > 0 && i > start && lines[i - 1].Length >= WrappedQuoteLength)
            {
                int j = i;
                while (j < n && j - i < 3 && lines[j].Length > 0 && !IsQuoted(lines[j])) j++;
                if (j < n && IsQuoted(lines[j]))
                {
                    i = j;
                    continue;
                }
            }

            break;
        }

        while (i < n && lines[i].Length == 0) i++;
        return i;
    }

    private static bool IsCutLine(string line)
    {
        var t = line.AsSpan().Trim();
        if (t is "--") return true;
        if (t.Length >= 2 && IsAll(t, '_')) return true;
        if (t.Length >= 2 && IsAll(t, '—')) return true;
        if (t.Length > MaxPatternLineLength) return false;
        string s = t.ToString();
        if (MobileFooter.IsMatch(s) || MobileFooterSuffix.IsMatch(s)) return true;
        return IsMarker(s);
    }

    private static bool IsAll(ReadOnlySpan<char> s, char c)
    {
        foreach (char x in s)
        {
            if (x != c) return false;
        }

        return true;
    }

    private static bool IsMarker(string line)
    {
        var core = line.AsSpan().Trim(RuleChars).TrimEnd(":：").Trim();
        if (core.Length == 0 || core.Length > 60) return false;
        return Markers.Contains(core.ToString().ToLowerInvariant());
    }

    private static bool IsOutlookHeaderBlock(List<string> lines, int i)
    {
        string line = lines[i];
        if (line.Length > MaxPatternLineLength) return false;
        string t = line.TrimStart();
        var m = FromKeyLine.Match(t);
        if (!m.Success) return false;

        int n = lines.Count;
        for (int j = i + 1; j < n && j <= i + 6; j++)
        {
            string next = lines[j];
            if (next.Length == 0) continue;
            if (IsQuoted(next)) break;
            if (next.Length <= MaxPatternLineLength && OtherKeyLine.IsMatch(next.TrimStart())) return true;
        }

        return MailAddress.IsMatch(t.AsSpan(m.Length));
    }

    /// <summary>Removes header lines ("Date: …", "Message du : …") directly above an Outlook "From:" line.</summary>
    private static void DropHeaderLinesBefore(List<string> visible)
    {
        for (int k = 0; k < 4 && visible.Count > 0; k++)
        {
            string last = visible[^1];
            if (last.Length == 0 || last.Length > MaxPatternLineLength || !OtherKeyLine.IsMatch(last.TrimStart())) break;
            visible.RemoveAt(visible.Count - 1);
        }
    }

    private static void DropTrailingNoise(List<string> visible)
    {
        while (visible.Count > 0)
        {
            var t = visible[^1].AsSpan().Trim();
            if (t.Length == 0 || t.Trim(RuleChars).Length == 0)
            {
                visible.RemoveAt(visible.Count - 1);
                continue;
            }

            break;
        }
    }

    /// <summary>
    /// Whether a quote header starts at line <paramref name="i"/>; <paramref name="end"/> is its last line.
    /// A header may wrap over up to <see cref="MaxHeaderLines"/> lines; the first line of a wrapped header
    /// must look like an opener and none of its lines may end a sentence, so the last line of a paragraph
    /// written straight above a header is never swallowed.
    /// </summary>
    private static bool TryQuoteHeader(List<string> lines, int i, out int end)
    {
        end = i;
        int n = lines.Count;
        string first = lines[i];
        if (first.Length > MaxPatternLineLength) return false;
        string joined = NormalizeHeader(first);
        if (IsQuoteHeader(joined)) return true;
        if (!LooksLikeOpener(joined) && !first.Contains('@')) return false;

        for (int k = 1; k < MaxHeaderLines && i + k < n; k++)
        {
            string previous = lines[i + k - 1].TrimEnd();
            string next = lines[i + k];
            if (next.Length == 0 || IsQuoted(next) || next.Length > MaxPatternLineLength) return false;
            if (previous.EndsWith('.') || previous.EndsWith('!') || previous.EndsWith('?')) return false;
            string nextTrimmed = next.Trim();
            if (StartsStrongly(nextTrimmed)) return false;
            joined = NormalizeHeader(joined + " " + nextTrimmed);
            if (IsQuoteHeader(joined))
            {
                end = i + k;
                return true;
            }
        }

        return false;
    }

    /// <summary>Trims whitespace, a leading "- " bullet and dash or asterisk rules ("---- On … wrote ----").</summary>
    private static string NormalizeHeader(string line)
    {
        var t = line.AsSpan().Trim().Trim("-*_=~–— \t");
        return t.ToString();
    }

    private static bool StartsStrongly(string s) =>
        s.Length > 0 && (char.IsDigit(s[0]) || HeaderOpener.IsMatch(s));

    private static bool LooksLikeOpener(string s) =>
        s.Length > 0 && (char.IsDigit(s[0]) || HeaderOpener.IsMatch(s) || WeekdayThenNumber.IsMatch(s));

    private static bool StartsLikeHeader(string s) =>
        s.Length > 0 && (char.IsDigit(s[0]) || HeaderOpener.IsMatch(s) || WeekdayPunctThenNumber.IsMatch(s));

    private static bool IsQuoteHeader(string s)
    {
        if (s.Length < 6 || s.Length > MaxPatternLineLength) return false;
        char last = s[^1];
        bool colon = last == ':' || last == '：';
        bool hasAt = s.Contains('@');
        bool hasDigit = s.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
        bool starts = StartsLikeHeader(s);

        if (VerbAtEnd.IsMatch(s))
        {
            if (colon && (hasAt || (starts && hasDigit))) return true;
            if (!colon && starts && (hasAt || hasDigit)) return true;
        }

        if (!colon || !hasDigit) return false;
        if (BracketedAddress.IsMatch(s)) return true;
        return starts && VerbAnywhere.IsMatch(s);
    }
}
