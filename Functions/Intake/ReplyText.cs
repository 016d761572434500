using System.Text.RegularExpressions;

namespace SocialLearning.Intake;

/// <summary>
/// Extracts the part of a plain-text mail the sender actually wrote: the visible reply, without quoted
/// replies, forwarded or original-message blocks, signatures and mobile-client footers.
/// </summary>
/// <remarks>
/// <para>The scan is line based and linear in the input length. Vocabulary (header keys, quote verbs,
/// openers, footer prefixes, markers) is matched with hash sets and prefix/suffix comparisons; the few
/// regular expressions run with <see cref="RegexOptions.NonBacktracking"/>. Only one line (or up to three
/// joined lines of a wrapped quote header) is examined at a time and lines longer than 400 characters are
/// never matched, so pathological input (for example a 766 KB message with 700 KB lines of <c>&gt;</c>)
/// is processed in milliseconds.</para>
/// <para>Rules, in the order they are tried on each unquoted line:</para>
/// <list type="number">
/// <item>Lines starting with <c>&gt;</c> are quoted and dropped, together with the blank lines that follow
/// the quoted block and short unquoted lines wrapped inside it (a long quoted line, then up to three
/// unquoted lines, then a quoted line again). Unquoted text after a quoted block stays visible, so
/// bottom-posted and inline replies keep their answers.</item>
/// <item>A signature delimiter (<c>--</c> or <c>-- </c> alone on a line, RFC 3676 §4.3), a rule of two or
/// more underscores (mailing-list footers, Outlook's reply separator) or of two or more em dashes,
/// a mobile-client footer (a prefix such as "Sent from", "Get Outlook for", "Envoyé de", "Gesendet von",
/// "Enviado desde", "Inviato da", "Verzonden met", "Skickat från", "Отправлено с" followed by at most eight
/// words without commas and an optional link: "Sent from my iPhone", "Get Outlook for Android&lt;https://…&gt;",
/// but not "Sent from my desk, is much easier…") or an original/forwarded-message marker
/// ("-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:",
/// "-------- Oprindelig besked --------", …) ends the visible text.</item>
/// <item>An Outlook-style header block ends the visible text: a line starting with a localized "From:" key
/// (From, De, Von, Van, Da, Od, Från, Fra, От, 发件人, …; optionally bold as <c>*From:*</c>) that carries a
/// bracketed mail address (<c>&lt;x@y&gt;</c>, <c>[mailto:x@y]</c>), or is followed within six lines by a date, sent or subject key (Sent, Date, Subject, Envoyé,
/// Gesendet, Verzonden, Inviato, Betreff, …) or by two recipient keys (To, Cc, À, An, …), or has a date key
/// right above it. Header lines directly above the cut ("Date: …", "Message du : …") go too.</item>
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

    /// <summary>Longest header key ("Envoyé le", "Von", "发件人") looked up, in UTF-16 code units.</summary>
    private const int MaxKeyLength = 24;

    // Vocabulary is matched with hash sets and suffix/prefix comparisons rather than large regex alternations:
    // that keeps matching linear and the first call cheap (a NonBacktracking regex with a few hundred
    // case-insensitive alternatives costs ~0.1 s to construct).

    /// <summary>"From" keys of Outlook / webmail reply headers, lower case.</summary>
    private static readonly HashSet<string> FromKeys = new(StringComparer.Ordinal)
    {
        "from", "de", "von", "van", "da", "od", "från", "fra", "frå", "lähettäjä", "feladó", "kimden", "от", "від",
        "від кого", "από", "afzender", "remitente", "mittente", "nadawca", "odesílatel", "expéditeur", "absender",
        "发件人", "發件人", "寄件者", "差出人", "보낸 사람",
    };

    /// <summary>Other keys of the same header blocks, lower case.</summary>
    private static readonly HashSet<string> OtherKeys = new(StringComparer.Ordinal)
    {
        "sent", "date", "to", "subject", "cc", "bcc", "reply-to", "importance", "envoyé", "envoyé le", "envoye",
        "à", "a", "objet", "sujet", "copie à", "cci", "gesendet", "datum", "an", "betreff", "kopie", "verzonden",
        "aan", "onderwerp", "inviato", "data", "oggetto", "enviado", "enviada", "enviado el", "fecha", "para",
        "asunto", "assunto", "wysłano", "wysłane", "do", "temat", "dw", "skickat", "till", "ämne", "kopia", "sendt",
        "dato", "til", "emne", "kopi", "lähetetty", "vastaanottaja", "aihe", "päivämäärä", "отправлено", "дата",
        "кому", "тема", "копия", "надіслано", "发送时间", "时间", "收件人", "主题", "日期", "抄送", "寄件日期",
        "收件者", "主旨", "送信日時", "宛先", "件名", "보낸 날짜", "받는 사람", "제목", "küldve", "címzett", "tárgy",
        "tarih", "kime", "konu", "odesláno", "komu", "předmět", "message du",
    };

    /// <summary>
    /// Recipient keys of <see cref="OtherKeys"/>: "From: meters" + "To: feet" in a question is no header block, so a
    /// "From:" line needs a date, sent or subject key, two other keys, or a mail address.
    /// </summary>
    private static readonly HashSet<string> RecipientKeys = new(StringComparer.Ordinal)
    {
        "to", "cc", "bcc", "reply-to", "importance", "à", "a", "an", "aan", "para", "do", "dw", "till", "til", "kopia",
        "kopi", "kopie", "copie à", "cci", "vastaanottaja", "кому", "копия", "收件人", "抄送", "收件者", "宛先",
        "받는 사람", "címzett", "kime", "komu",
    };

    /// <summary>Verbs of quote headers ("… wrote:"), compared case-insensitively at word boundaries.</summary>
    private static readonly string[] Verbs =
    [
        "wrote", "writes", "has written", "a écrit", "a ecrit", "à écrit", "schrieb", "hat geschrieben", "geschrieben",
        "escribió", "escribio", "ha escrito", "ha escrit", "va escriure", "ha scritto", "scrisse", "schreef",
        "heeft geschreven", "escreveu", "escreve", "napisał", "napisała", "napisał(a)", "napisal", "napisala", "pisze",
        "skrev", "skriver", "kirjoitti", "написал", "написала", "написал(а)", "пишет", "написав", "пише", "írta",
        "yazdı", "napsal", "napsala", "napsal(a)", "napísal", "έγραψε", "a scris", "写道", "寫道", "작성",
        "のメッセージ", "は書きました",
    ];

    /// <summary>Words that open a quote header, compared case-sensitively ("a écrit" is no opener) and followed by white space.</summary>
    private static readonly string[] Openers =
    [
        "On", "Le", "Am", "El", "Il", "Il giorno", "In data", "Op", "Em", "Às", "W dniu", "Dnia", "Den", "På", "Dne",
        "Στις", "В", "У", "Quoting", "Zitat von", "Citando", "在",
    ];

    /// <summary>Footer prefixes added by mobile and desktop mail apps, followed by a short device or app name.</summary>
    private static readonly string[] FooterPrefixes =
    [
        "sent from", "sent via", "sent using", "sent with", "sent on", "envoyé de", "envoyé depuis", "envoyé à partir de",
        "envoyé avec", "envoyé via", "envoyé du", "envoye de", "gesendet von", "gesendet mit", "gesendet über",
        "gesendet vom", "gesendet aus", "enviado desde", "enviado do", "enviado de", "enviado pelo", "enviado a partir do",
        "enviado com", "enviado con", "enviado via", "inviato da", "inviato dal", "inviato con", "inviato tramite",
        "verzonden vanaf", "verzonden met", "verzonden via", "verzonden van", "verstuurd vanaf", "verstuurd met",
        "verstuurd via", "verstuurd van", "wysłane z", "wysłane ze", "wysłane przez", "skickat från", "skickat med",
        "sendt fra", "sendt med", "lähetetty", "отправлено с", "отправлено из", "отправлено через", "надіслано з",
        "надіслано із", "get outlook for", "get the outlook app", "obtenir outlook pour", "télécharger outlook pour",
        "holen sie sich outlook für", "outlook für", "scarica outlook per", "descargar outlook para", "baixe o outlook para",
    ];

    /// <summary>The device or app name after a footer prefix: up to eight words without commas, then an optional link.</summary>
    private static readonly Regex FooterDevice = new(
        @"^[\p{L}\p{N}®™&'’.()/+\-]+(?:\s+[\p{L}\p{N}®™&'’.()/+\-]+){0,7}\s*(?:<[^<>]{0,300}>|\[[^\[\]]{0,300}\])?$",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static readonly Regex BracketedMailAddress = new(@"[<\[]\s*(?:mailto:)?[^\s<>\[\]]+@[^\s<>\[\]]+\s*[>\]]|mailto:", Options);

    private static readonly Regex BracketedAddressThenColon = new(@"[<\[(]\s*(?:mailto:)?[^\s<>\[\]()]+@[^\s<>\[\]()]+\s*[>\])]\s*[:：]$", Options);

    // Markers of an original or forwarded message, compared after stripping dash/underscore/equals rules
    // around them, a trailing colon and case.
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal)
    {
        "original message", "forwarded message", "begin forwarded message", "message d'origine",
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

    /// <summary>
    /// The message a mail forwards inline, for a new question that is a forward ("Can someone answer Carol's question
    /// below?"): the text after the first forwarded-message marker ("---------- Forwarded message ---------", "Begin
    /// forwarded message:", "Weitergeleitete Nachricht", …) — or, when <paramref name="isForward"/> (the subject says
    /// Fwd:, FW:, WG: …), also after an original-message marker or an Outlook-style header block. Of the forwarded
    /// header lines only the sender ("From: Carol Diaz &lt;carol@…&gt;") and the subject are kept; the forwarded body is
    /// reduced to what its sender wrote by <see cref="ExtractVisible"/> (its own quotes and signature go).
    /// </summary>
    /// <param name="text">A plain-text body (see <see cref="ExtractVisible"/>).</param>
    /// <param name="isForward">Whether the mail's subject marks it as a forward.</param>
    /// <returns>"From: …\nSubject: …\n\nbody" (lines present only when found), or null when nothing is forwarded or the
    /// forwarded part is empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string? ForwardedMessage(string text, bool isForward)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        int start = -1;
        for (int i = 0; i < lines.Count && start < 0; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || IsQuoted(line) || line.Length > MaxPatternLineLength) continue;
            if (IsMarker(line)) start = isForward || IsForwardMarker(line) ? i + 1 : lines.Count;
            else if (isForward && IsOutlookHeaderBlock(lines, i)) start = i;
        }

        if (start < 0 || start >= lines.Count) return null;
        int b = start;
        while (b < lines.Count && lines[b].Length == 0) b++;
        string? from = null, subject = null;
        // The forwarded header block: "Key: value" lines up to the first blank line.
        for (; b < lines.Count && lines[b].Length > 0 && lines[b].Length <= MaxPatternLineLength; b++)
        {
            if (HeaderKey(lines[b], out int valueStart) is not { } key || !(FromKeys.Contains(key) || OtherKeys.Contains(key))) break;
            string value = lines[b][valueStart..].Trim().Trim('*').Trim();
            if (FromKeys.Contains(key)) from ??= value;
            else if (SubjectKeys.Contains(key)) subject ??= value;
        }

        string body = ExtractVisible(string.Join('\n', lines.Skip(b)));
        if (body.Length == 0 && subject is null) return null;
        var header = (from is null ? "" : "From: " + from + "\n") + (subject is null ? "" : "Subject: " + subject + "\n");
        return (header + (header.Length > 0 && body.Length > 0 ? "\n" : "") + body).Trim();
    }

    /// <summary>Header keys of a subject line in a forwarded header block.</summary>
    private static readonly HashSet<string> SubjectKeys = new(StringComparer.Ordinal)
    {
        "subject", "objet", "sujet", "betreff", "onderwerp", "oggetto", "asunto", "assunto", "temat", "ämne", "emne",
        "aihe", "тема", "主题", "主旨", "件名", "제목", "tárgy", "konu", "předmět",
    };

    /// <summary>Markers that say "forwarded" (not "original message", which replies use as well).</summary>
    private static readonly HashSet<string> ForwardMarkers = new(StringComparer.Ordinal)
    {
        "forwarded message", "begin forwarded message", "message transféré", "début du message réexpédié",
        "début du message transféré", "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
        "doorgestuurd bericht", "messaggio inoltrato", "inizio messaggio inoltrato", "mensaje reenviado",
        "mensagem encaminhada", "wiadomość przekazana dalej", "vidarebefordrat meddelande", "videresendt melding",
        "videresendt besked", "välitetty viesti", "пересылаемое сообщение", "пересланное сообщение", "přeposlaná zpráva",
        "转发的邮件", "転送されたメッセージ", "전달된 메시지",
    };

    private static bool IsForwardMarker(string line)
    {
        var core = line.AsSpan().Trim(RuleChars).TrimEnd(":：").Trim();
        return ForwardMarkers.Contains(core.ToString().ToLowerInvariant());
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
        return IsMobileFooter(s) || IsMarker(s);
    }

    private static bool IsMobileFooter(string s)
    {
        foreach (string prefix in FooterPrefixes)
        {
            if (s.Length > prefix.Length + 1 && s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && char.IsWhiteSpace(s[prefix.Length])
                && FooterDevice.IsMatch(s.AsSpan(prefix.Length).Trim()))
            {
                return true;
            }
        }

        // Footers with the device in the middle: "Von meinem iPhone gesendet", "iPhoneから送信", "发自我的iPhone", "從我的 iPhone 傳送".
        if (s.Length > 60) return false;
        return (s.StartsWith("von meinem ", StringComparison.OrdinalIgnoreCase) && s.EndsWith(" gesendet", StringComparison.OrdinalIgnoreCase))
            || s.EndsWith("から送信", StringComparison.Ordinal)
            || s.StartsWith("发自我的", StringComparison.Ordinal)
            || (s.StartsWith("從我的", StringComparison.Ordinal) && s.EndsWith("傳送", StringComparison.Ordinal));
    }

    /// <summary>
    /// The lower-case key of a "Key: value" header line ("*From:*", "Envoyé le :", "发件人："), or null; the
    /// key must come before the first colon within <see cref="MaxKeyLength"/> characters.
    /// </summary>
    private static string? HeaderKey(string line, out int valueStart)
    {
        valueStart = 0;
        var t = line.AsSpan();
        int lead = 0;
        while (lead < t.Length && (t[lead] == ' ' || t[lead] == '\t' || t[lead] == '*')) lead++;
        int limit = Math.Min(t.Length, lead + MaxKeyLength + 1);
        int colon = t[lead..limit].IndexOfAny(':', '：');
        if (colon <= 0) return null;
        var key = t.Slice(lead, colon).Trim().TrimEnd('*').TrimEnd();
        if (key.Length == 0) return null;
        valueStart = lead + colon + 1;
        while (valueStart < t.Length && t[valueStart] == '*') valueStart++;
        return key.ToString().ToLowerInvariant();
    }

    private static string? OtherKey(string line) =>
        line.Length <= MaxPatternLineLength && HeaderKey(line, out _) is { } key && OtherKeys.Contains(key) ? key : null;

    private static bool IsOtherKeyLine(string line) => OtherKey(line) is not null;

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
        if (HeaderKey(line, out int valueStart) is not { } key || !FromKeys.Contains(key)) return false;

        if (BracketedMailAddress.IsMatch(line.AsSpan(valueStart))) return true;

        int n = lines.Count;
        int keys = 0;
        for (int j = i + 1; j < n && j <= i + 6; j++)
        {
            string next = lines[j];
            if (next.Length == 0) continue;
            if (IsQuoted(next)) break;
            if (OtherKey(next) is not { } other) continue;
            if (!RecipientKeys.Contains(other) || ++keys >= 2) return true;
        }

        // "Date: …" / "Message du : …" directly above the From line (some clients put the date first).
        for (int j = i - 1; j >= 0 && j >= i - 3 && lines[j].Length > 0; j--)
        {
            if (OtherKey(lines[j]) is { } other && !RecipientKeys.Contains(other)) return true;
        }

        return false;
    }

    /// <summary>Removes header lines ("Date: …", "Message du : …") directly above an Outlook "From:" line.</summary>
    private static void DropHeaderLinesBefore(List<string> visible)
    {
        for (int k = 0; k < 4 && visible.Count > 0; k++)
        {
            string last = visible[^1];
            if (last.Length == 0 || !IsOtherKeyLine(last)) break;
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
            if (next.Length == 0 || next.Length > MaxPatternLineLength) return false;
            if (previous.EndsWith('.') || previous.EndsWith('!') || previous.EndsWith('?')) return false;
            string nextTrimmed = next.Trim();
            if (StartsStrongly(nextTrimmed)) return false;
            if (IsQuoted(next) && !IsWrappedAddressCloser(nextTrimmed)) return false;
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

    /// <summary>Gmail wraps "… skrev Test user &lt;test@example.com" / "&gt;:": the second line is no quote.</summary>
    private static bool IsWrappedAddressCloser(string trimmed) => trimmed is ">:" or ">：" or "> :";

    private static bool StartsStrongly(string s) => s.Length > 0 && (char.IsDigit(s[0]) || StartsWithOpener(s));

    private static bool LooksLikeOpener(string s) =>
        s.Length > 0 && (char.IsDigit(s[0]) || StartsWithOpener(s) || AbbreviationThenNumber(s, punctuationRequired: false));

    private static bool StartsLikeHeader(string s) =>
        s.Length > 0 && (char.IsDigit(s[0]) || StartsWithOpener(s) || AbbreviationThenNumber(s, punctuationRequired: true));

    private static bool StartsWithOpener(string s)
    {
        foreach (string opener in Openers)
        {
            if (s.Length > opener.Length && s.StartsWith(opener, StringComparison.Ordinal) && char.IsWhiteSpace(s[opener.Length])) return true;
        }

        return false;
    }

    /// <summary>
    /// An abbreviated weekday then a number: "tir. 18. apr.", "ср, 30 апр.", "pe 20. lokakuuta". With
    /// <paramref name="punctuationRequired"/> the abbreviation must end in '.' or ',' (so "at 10:18" does not count).
    /// </summary>
    private static bool AbbreviationThenNumber(string s, bool punctuationRequired)
    {
        int p = 0;
        while (p < s.Length && p < 5 && char.IsLetter(s[p])) p++;
        if (p == 0 || p > 4 || p >= s.Length) return false;
        bool punctuation = s[p] == '.' || s[p] == ',';
        if (punctuation) p++;
        else if (punctuationRequired) return false;
        int spaces = 0;
        while (p < s.Length && char.IsWhiteSpace(s[p])) { p++; spaces++; }
        if (!punctuation && spaces == 0) return false;
        return p < s.Length && char.IsDigit(s[p]);
    }

    /// <summary>Whether <paramref name="s"/> ends with a quote-header verb, optionally followed by a colon.</summary>
    /// <returns>The index where the verb starts, or -1.</returns>
    private static int EndsWithVerb(string s)
    {
        var t = s.AsSpan().TrimEnd().TrimEnd(":：").TrimEnd();
        foreach (string verb in Verbs)
        {
            if (t.EndsWith(verb, StringComparison.OrdinalIgnoreCase) && (t.Length == verb.Length || !char.IsLetter(t[t.Length - verb.Length - 1])))
            {
                return t.Length - verb.Length;
            }
        }

        return -1;
    }

    /// <summary>Whether a quote-header verb occurs as a whole word anywhere in <paramref name="s"/>.</summary>
    private static bool ContainsVerb(string s)
    {
        foreach (string verb in Verbs)
        {
            for (int at = s.IndexOf(verb, StringComparison.OrdinalIgnoreCase); at >= 0; at = s.IndexOf(verb, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                int after = at + verb.Length;
                if ((at == 0 || !char.IsLetter(s[at - 1])) && (after == s.Length || !char.IsLetter(s[after]))) return true;
            }
        }

        return false;
    }

    private static bool IsQuoteHeader(string s)
    {
        if (s.Length < 6 || s.Length > MaxPatternLineLength) return false;
        char last = s[^1];
        bool colon = last == ':' || last == '：';
        bool hasAt = s.Contains('@');
        bool hasDigit = s.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
        bool starts = StartsLikeHeader(s);

        int verb = EndsWithVerb(s);
        if (verb >= 0)
        {
            // "On 3 Mar 2025, Lena wrote:", "2013.02.08. 7:31 keltezéssel, "Eszter" írta:", "… <x@y> kirjoitti:".
            if (colon && hasDigit && (starts || hasAt)) return true;

            // "Test user <test@example.com> schrieb:": a bracketed address right before the verb.
            var before = s.AsSpan(0, verb).TrimEnd();
            if (colon && hasAt && (before.EndsWith(">") || before.EndsWith("]"))) return true;

            // "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" (no colon).
            if (!colon && starts && (hasAt || hasDigit)) return true;
        }

        if (!colon || !hasDigit) return false;

        // "2014-03-20 8:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:", "ср, 30 апр. 2025 г. в 15:19, John <j@x.y>:".
        if (BracketedAddressThenColon.IsMatch(s)) return true;

        // "Am 25.06.2015 um 10:55 schrieb Test user:".
        return starts && ContainsVerb(s);
    }
}
