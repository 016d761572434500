using System.Globalization;
using System.Text;

namespace SocialLearning.Experts.StackExchange;

/// <summary>
/// Turns the candidate experts of a <see cref="DumpSplit"/> into <see cref="ExpertProfile"/>s built only from
/// profile-period data (answers created before <see cref="DumpSplit.Cutoff"/> to profile-period questions, and the
/// user's "about me"), so routing can be evaluated on the test period without leakage.
/// </summary>
/// <remarks>
/// Evidence texts are deliberately short (at most <see cref="MaxEvidenceChars"/> characters): the default local
/// embedding model (all-MiniLM-L6-v2) costs about 56 ms per 600-character text on this project's machines and reads at
/// most 256 word pieces anyway, so long bodies would make an import of a few thousand answers take minutes while adding
/// text the model never sees. The question's title and tags carry most of the topic; the starts of the question body
/// and of the answer add the specifics.
/// </remarks>
public static class ExpertProfileBuilder
{
    /// <summary>Invented mail domain for imported experts (RFC 2606 reserves <c>.example</c>), so no real address is ever mailed.</summary>
    public const string EmailDomain = "stackexchange.example";

    /// <summary>Most tags kept in <see cref="ExpertProfile.Skills"/>.</summary>
    public const int MaxSkills = 10;

    /// <summary>Characters of the question body (plain text, white space collapsed) in an answer's evidence text.</summary>
    public const int QuestionBodyChars = 400;

    /// <summary>Characters of the answer body (plain text, white space collapsed) in an answer's evidence text.</summary>
    public const int AnswerBodyChars = 300;

    /// <summary>Characters of the "about me" text in the "about" evidence item.</summary>
    public const int AboutChars = 500;

    /// <summary>Upper bound of any evidence text, in characters.</summary>
    public const int MaxEvidenceChars = 900;

    /// <summary>The expert id of a Stack Exchange user: <c>se-{userId}</c>.</summary>
    /// <param name="userId">Stack Exchange user id.</param>
    public static string ExpertId(int userId) => "se-" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the user id back from an expert id made by <see cref="ExpertId"/>.</summary>
    /// <param name="expertId">An expert id such as <c>se-13</c>.</param>
    /// <param name="userId">The user id, or 0 when the id is not of that form.</param>
    /// <returns>True when <paramref name="expertId"/> is <c>se-</c> followed by an integer.</returns>
    public static bool TryParseUserId(string? expertId, out int userId)
    {
        userId = 0;
        return expertId is not null && expertId.StartsWith("se-", StringComparison.Ordinal)
            && int.TryParse(expertId.AsSpan(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out userId);
    }

    /// <summary>
    /// Builds one profile per candidate expert of <paramref name="split"/>, in ascending user id order:
    /// <list type="bullet">
    /// <item><c>Id</c> <c>se-{userId}</c>; <c>Name</c> the display name (for a user missing from <c>Users.xml</c>: the
    /// name kept on their posts, else <c>user {id}</c>); <c>Email</c> <c>{slug}.{userId}@stackexchange.example</c>;</item>
    /// <item><c>Skills</c> the tags of the questions they answered, most answers first (ties: the tag they used first),
    /// at most <see cref="MaxSkills"/>; <c>Department</c> the top tag ("" when none), so silo figures have a meaning;
    /// <c>JobTitle</c> "";</item>
    /// <item><c>Evidence</c> one <c>answer</c> item per profile-period answer, oldest first (SourceId <c>a-{answerId}</c>,
    /// Title the question title, Text see <see cref="EvidenceText"/>, When the answer's time, Asked the question's time), then one <c>about</c>
    /// item (SourceId <c>about</c>) when the "about me" text is not empty;</item>
    /// <item><c>AnswerCount</c> profile-period answers; <c>LastActive</c> the latest of them.</item>
    /// </list>
    /// </summary>
    /// <param name="site">The loaded site.</param>
    /// <param name="split">A split of <paramref name="site"/>.</param>
    /// <returns>The profiles.</returns>
    public static IReadOnlyList<ExpertProfile> Build(DumpSite site, DumpSplit split)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(split);

        var answersByUser = new Dictionary<int, List<DumpAnswer>>();
        foreach (var a in site.Answers)
        {
            if (a.OwnerUserId is not int owner || !split.IsCandidate(owner) || !split.IsProfileAnswer(a)
                || site.FindQuestion(a.ParentId) is null) continue;
            if (!answersByUser.TryGetValue(owner, out var list)) answersByUser[owner] = list = [];
            list.Add(a);
        }

        var profiles = new List<ExpertProfile>(split.CandidateIds.Count);
        foreach (var userId in split.CandidateIds)
        {
            var answers = answersByUser.GetValueOrDefault(userId) ?? [];
            answers.Sort(DumpSite.ByTime);
            var user = site.FindUser(userId);
            var name = !string.IsNullOrWhiteSpace(user?.DisplayName) ? user.DisplayName
                : answers.Select(a => a.OwnerDisplayName).LastOrDefault(n => !string.IsNullOrWhiteSpace(n)) ?? $"user {userId}";
            var aboutMe = user?.AboutMeText ?? "";

            var tagCounts = new Dictionary<string, (int Count, int FirstUse)>(StringComparer.Ordinal);
            var evidence = new List<EvidenceItem>(answers.Count + 1);
            foreach (var a in answers)
            {
                var q = site.FindQuestion(a.ParentId)!; // checked above
                foreach (var tag in q.Tags)
                {
                    tagCounts[tag] = tagCounts.TryGetValue(tag, out var c) ? (c.Count + 1, c.FirstUse) : (1, tagCounts.Count);
                }
                evidence.Add(new EvidenceItem("a-" + a.Id.ToString(CultureInfo.InvariantCulture), "answer", q.Title,
                    EvidenceText(q, a), a.Created, q.Created));
            }
            if (!string.IsNullOrWhiteSpace(aboutMe))
                evidence.Add(new EvidenceItem("about", "about", "About me", Clip(aboutMe, AboutChars), null));

            var skills = tagCounts
                .OrderByDescending(kv => kv.Value.Count)
                .ThenBy(kv => kv.Value.FirstUse)
                .Take(MaxSkills)
                .Select(kv => kv.Key)
                .ToList();

            profiles.Add(new ExpertProfile(
                ExpertId(userId),
                name,
                $"{Slug(name)}.{userId.ToString(CultureInfo.InvariantCulture)}@{EmailDomain}",
                skills.Count > 0 ? skills[0] : "",
                "",
                aboutMe,
                skills,
                evidence,
                answers.Count,
                answers.Count > 0 ? answers[^1].Created : null));
        }
        return profiles;
    }

    /// <summary>
    /// The matching text of one answer: the question title, a <c>Tags:</c> line, the start of the question body
    /// (<see cref="QuestionBodyChars"/>) and the start of the answer (<see cref="AnswerBodyChars"/>), one per line,
    /// white space collapsed, cut at word boundaries; never longer than <see cref="MaxEvidenceChars"/>.
    /// </summary>
    /// <param name="question">The answered question.</param>
    /// <param name="answer">The answer.</param>
    public static string EvidenceText(DumpQuestion question, DumpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        var parts = new List<string>(4) { Clip(question.Title, 150) };
        if (question.Tags.Count > 0) parts.Add("Tags: " + string.Join(", ", question.Tags));
        parts.Add(Clip(question.BodyText, QuestionBodyChars));
        parts.Add(Clip(answer.BodyText, AnswerBodyChars));
        return Clip(string.Join('\n', parts.Where(p => p.Length > 0)), MaxEvidenceChars, collapse: false);
    }

    /// <summary>
    /// Makes the local part of an invented address from a display name: ASCII letters and digits, lower case, Latin-1
    /// and Latin Extended-A letters folded to their base letters (<c>Å</c> → <c>a</c>, <c>ß</c> → <c>ss</c>), other runs
    /// of characters as one <c>-</c>, at most 30 characters; <c>user</c> when nothing is left.
    /// </summary>
    /// <remarks>A fold table rather than <see cref="string.Normalize()"/>: the project runs with
    /// <c>InvariantGlobalization</c>, where normalisation leaves <c>Å</c> as it is.</remarks>
    /// <param name="displayName">Any name, or null.</param>
    public static string Slug(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName)) return "user";
        var sb = new StringBuilder(displayName.Length);
        foreach (var ch in displayName)
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (FoldLatin(ch) is { } folded) sb.Append(folded);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
            if (sb.Length >= 30) break;
        }
        var slug = sb.ToString(0, Math.Min(sb.Length, 30)).Trim('-');
        return slug.Length == 0 ? "user" : slug;
    }

    /// <summary>Base letters of U+00C0–U+017F: <c>*</c> = two letters (see <see cref="FoldLatin"/>), <c>-</c> = not a letter.</summary>
    private const string LatinFold =
        "aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y" +
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllll" +
        "nnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

    private static string? FoldLatin(char ch)
    {
        if (ch is < '\u00C0' or > '\u017F') return null;
        return LatinFold[ch - '\u00C0'] switch
        {
            '-' => null,
            '*' => ch switch
            {
                '\u00C6' or '\u00E6' => "ae",
                '\u00DE' or '\u00FE' => "th",
                '\u00DF' => "ss",
                '\u0132' or '\u0133' => "ij",
                _ => "oe", // U+0152, U+0153
            },
            var c => c.ToString(),
        };
    }

    /// <summary>Collapses white space (optionally) and cuts <paramref name="text"/> to at most <paramref name="max"/> characters, at a word boundary when one is near.</summary>
    internal static string Clip(string? text, int max, bool collapse = true)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var s = collapse ? CollapseWhiteSpace(text) : text.Trim();
        if (s.Length <= max) return s;
        var cut = max;
        var space = s.LastIndexOfAny([' ', '\n'], max);
        if (space >= max * 2 / 3) cut = space;
        else if (char.IsHighSurrogate(s[cut - 1])) cut--;
        return s[..cut].TrimEnd();
    }

    private static string CollapseWhiteSpace(string text)
    {
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(ch);
        }
        return sb.ToString();
    }
}
