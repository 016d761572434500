using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocialLearning.Intake;
using Xunit;

namespace SocialLearning.Tests.Intake;

/// <summary>How one expectation is compared with <see cref="ReplyText.ExtractVisible"/>'s output.</summary>
internal enum CheckMode
{
    Equal,
    Contains,
    NotContains,
    StartsWith,
    Matches,
    Completes,
}

/// <summary>One assertion about the visible text: <paramref name="Kind"/> names the upstream key it came from.</summary>
internal sealed record VisibleCheck(string Kind, CheckMode Mode, string Expected, RegexOptions RegexOptions = RegexOptions.None)
{
    public string? Failure(string actual, TimeSpan elapsed, double? maxSeconds) => Mode switch
    {
        CheckMode.Equal when actual != Expected => $"{Kind}: expected\n{Show(Expected)}\nbut got\n{Show(actual)}",
        CheckMode.Contains when !actual.Contains(Expected, StringComparison.Ordinal) => $"{Kind}: missing {Show(Expected)} in\n{Show(actual)}",
        CheckMode.NotContains when actual.Contains(Expected, StringComparison.Ordinal) => $"{Kind}: must not contain {Show(Expected)} but got\n{Show(actual)}",
        CheckMode.StartsWith when !actual.StartsWith(Expected, StringComparison.Ordinal) => $"{Kind}: expected to start with\n{Show(Expected)}\nbut got\n{Show(actual)}",
        CheckMode.Matches when !Regex.IsMatch(actual, Expected, RegexOptions, TimeSpan.FromSeconds(2)) => $"{Kind}: /{Expected}/ does not match\n{Show(actual)}",
        CheckMode.Completes when elapsed > EmailFixtures.LooseBound(maxSeconds) => $"{Kind}: took {elapsed.TotalMilliseconds:F0} ms, loose sanity bound {EmailFixtures.LooseBound(maxSeconds).TotalSeconds:F0} s (upstream budget {maxSeconds} s)",
        _ => null,
    };

    private static string Show(string s) => s.Length > 600 ? $"«{s[..600]}…» ({s.Length} chars)" : $"«{s}»";
}

/// <summary>A fixture case that asserts something about the visible reply text.</summary>
internal sealed record VisibleCase(string Id, string FixturePath, string Test, string Input, IReadOnlyList<VisibleCheck> Checks, double? MaxSeconds)
{
    /// <summary>Checks that are not in <see cref="EmailFixtures.Exclusions"/>.</summary>
    public IEnumerable<VisibleCheck> ActiveChecks => Checks.Where(c => !EmailFixtures.Exclusions.ContainsKey(EmailFixtures.ExclusionKey(Id, c.Kind)));

    public VisibleResult Run()
    {
        var clock = Stopwatch.StartNew();
        string actual = ReplyText.ExtractVisible(Input);
        clock.Stop();
        var failures = ActiveChecks.Select(c => c.Failure(actual, clock.Elapsed, MaxSeconds)).OfType<string>().ToList();
        return new VisibleResult(this, actual, clock.Elapsed, failures);
    }
}

internal sealed record VisibleResult(VisibleCase Case, string Actual, TimeSpan Elapsed, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;

    public string Describe() =>
        $"{Case.Id} ({Case.Test}; {Case.FixturePath}):\n" + string.Join("\n", Failures);
}

/// <summary>A MimeKit fixture case (<c>jstedfast_MimeKit/expected.json</c>).</summary>
internal sealed record MimeCase(string Id, string FixturePath, JsonElement Expect);

/// <summary>
/// Loads the upstream reply-parser and MimeKit fixtures from <c>../shared/data/email</c> (see its README.md) and turns
/// every expectation about the visible reply into <see cref="VisibleCase"/>s.
/// </summary>
internal static class EmailFixtures
{
    private static readonly Lazy<string?> RootDirectory = new(Locate);
    private static readonly Lazy<IReadOnlyDictionary<string, VisibleCase>> Visible = new(LoadVisibleCases);
    private static readonly Lazy<IReadOnlyDictionary<string, MimeCase>> Mime = new(LoadMimeCases);

    /// <summary>Short names of the source folders, used as case id prefixes.</summary>
    private static readonly (string Folder, string Name)[] Sources =
    [
        ("github_email_reply_parser", "github"),
        ("zapier_email-reply-parser", "zapier"),
        ("willdurand_EmailReplyParser", "willdurand"),
        ("crisp-oss_email-reply-parser", "crisp"),
    ];

    /// <summary>
    /// Expectations we consider wrong (or contradicted by another source) and therefore do not assert, keyed by
    /// <c>"caseId|check kind"</c>. The summary test prints every entry with its reason.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Exclusions = new Dictionary<string, string>
    {
        [ExclusionKey("github/email_1_1.txt", "visible_text_derived")] =
            "Contradicts crisp/email_1.txt parse_reply on the same mail (identical apart from a trailing space and the footer " +
            "rule's length), which keeps the '-Abhishek Kona' sign-off. github treats any line starting with '-' and a letter " +
            "as a signature; we keep such lines, because that rule also eats list items and 'ls -l' output ('-rw-------').",
    };

    /// <summary>
    /// Stricter expectations than upstream asserts, for fixtures whose name or upstream note states the ideal but whose
    /// upstream test only checks a fragment (or documents a known false positive of that library).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string? Expected, string Reason)> Ideals = new Dictionary<string, (string?, string)>
    {
        ["crisp/email_tricky_4_from_in_body.txt"] = (null,
            "Upstream note: 'from: john@example.com' inside body text is a known false positive of that library; ideally nothing is removed."),
        ["crisp/email_tricky_16_unicode_signatures.txt"] = ("Thanks for the update!\n\nCheers 🎉\nSarah",
            "Upstream note: the em-dash rule '—————' is a signature delimiter that library may miss; ideally the signature block below it goes."),
        ["crisp/email_tricky_2_url_with_wrote.txt"] = (null, "A URL containing 'wrote' is not a quote header: the whole mail is visible."),
        ["crisp/email_tricky_3_code_block.txt"] = (null, "Signature-like text inside a code block is not a signature: the whole mail is visible."),
        ["crisp/email_tricky_6_regards_in_sentence.txt"] = (null, "'regards' inside sentences is not a sign-off: the whole mail is visible."),
        ["crisp/email_tricky_7_multiple_dashes.txt"] = (null, "Markdown '----' and '====' rules are content: the whole mail is visible."),
        ["crisp/email_tricky_8_sent_from_in_content.txt"] = (null, "'sent from my iPhone app' inside sentences is not a mobile footer: the whole mail is visible."),
        ["crisp/email_tricky_9_nested_quotes.txt"] = ("I agree with the points below.", "Everything below the first quote header is quoted."),
        ["crisp/email_tricky_11_double_signature.txt"] = ("Thanks for your help!\n\nBest regards,\nJohn", "'--' starts the signature (RFC 3676 §4.3)."),
        ["crisp/email_tricky_17_forward_header.txt"] = ("See the forwarded message below.", "The forwarded message is quoted text."),
        ["crisp/email_tricky_18_inline_reply.txt"] = ("I think option A is great.\n\nOption B has some drawbacks.\n\nOption C is not suitable for our use case.",
            "Inline answers between quoted lines are the visible reply."),
        ["crisp/email_tricky_19_quote_without_header.txt"] = ("I wanted to respond to your points:\n\nMy response to the quoted text above.\n\nAnd my final thoughts.",
            "Lines starting with '>' are quoted even without a header; the rest is the reply."),
        ["crisp/email_tricky_20_html_entities.txt"] = ("The data should be &gt; 100 and &lt; 200.\n\nWe need to ensure that &amp; symbols are handled correctly.",
            "A plain-text body is not HTML-decoded; the entity-escaped quote header still starts the quote."),
    };

    /// <summary>The <c>../shared/data/email</c> folder, or null when it is not reachable from the test binaries.</summary>
    public static string? Root => RootDirectory.Value;

    public static string MissingMessage =>
        $"../shared/data/email not found: no folder above {AppContext.BaseDirectory} has a sibling shared/data/email.";

    public static IReadOnlyDictionary<string, VisibleCase> VisibleCases => Visible.Value;

    public static IReadOnlyDictionary<string, MimeCase> MimeCases => Mime.Value;

    public static string ExclusionKey(string caseId, string kind) => $"{caseId}|{kind}";

    /// <summary>A loose sanity bound for performance fixtures: ten times the upstream budget (which is 1 s).</summary>
    public static TimeSpan LooseBound(double? maxSeconds) => TimeSpan.FromSeconds(10 * (maxSeconds ?? 1));

    /// <summary>Row ids for <c>MemberData</c>; a single placeholder row when the data is missing, so the test can skip.</summary>
    public static TheoryData<string> VisibleIds() => Ids(Root is null ? [] : VisibleCases.Keys);

    public static TheoryData<string> MimeIds(string key) =>
        Ids(Root is null ? [] : MimeCases.Where(c => c.Value.Expect.TryGetProperty(key, out _)).Select(c => c.Key));

    public const string MissingId = "(../shared/data/email missing)";

    private static TheoryData<string> Ids(IEnumerable<string> ids)
    {
        var data = new TheoryData<string>();
        foreach (string id in ids.DefaultIfEmpty(MissingId)) data.Add(id);
        return data;
    }

    /// <summary>Line endings to <c>\n</c>, trailing white space removed per line, trimmed: the shape ExtractVisible returns.</summary>
    public static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(l => l.TrimEnd())).Trim();

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string data = Path.Combine(dir.FullName, "..", "shared", "data");
            if (Directory.Exists(data))
            {
                string email = Path.GetFullPath(Path.Combine(data, "email"));
                return Directory.Exists(email) ? email : null;
            }
        }

        return null;
    }

    private static IReadOnlyDictionary<string, VisibleCase> LoadVisibleCases()
    {
        var cases = new Dictionary<string, VisibleCase>(StringComparer.Ordinal);
        if (Root is null) return cases;
        foreach (var (folder, name) in Sources)
        {
            string dir = Path.Combine(Root, folder);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
            var doc = json.RootElement;
            string? common = doc.TryGetProperty("COMMON_FIRST_FRAGMENT", out var c) ? c.GetString() : null;
            foreach (var item in doc.GetProperty("cases").EnumerateArray())
            {
                string fixture = item.GetProperty("fixture").GetString()!;
                string test = item.GetProperty("test").GetString()!;
                string path = Path.Combine(dir, fixture);
                string text = File.ReadAllText(path);
                string id = UniqueId(cases, $"{name}/{Path.GetFileName(fixture)}");
                var expect = item.GetProperty("expect");
                string relative = Path.Combine(folder, fixture);
                if (expect.TryGetProperty("template_placeholder", out var placeholder))
                {
                    AddTemplateCases(cases, id, relative, test, text, placeholder.GetString()!, expect);
                    continue;
                }

                var checks = ChecksFor(name, text, expect, common);
                if (Ideals.TryGetValue(id, out var ideal))
                {
                    checks.Add(new VisibleCheck("ideal (stricter than upstream)", CheckMode.Equal, ideal.Expected ?? Normalize(text)));
                }

                double? max = expect.TryGetProperty("max_seconds", out var m) ? m.GetDouble() : null;
                if (checks.Count > 0) cases[id] = new VisibleCase(id, relative, test, text, checks, max);
            }

            if (doc.TryGetProperty("inline_cases", out var inline))
            {
                foreach (var item in inline.EnumerateArray())
                {
                    string id = $"{name}/{item.GetProperty("id").GetString()}";
                    var checks = ChecksFor(name, item.GetProperty("input").GetString()!, item.GetProperty("expect"), common);
                    cases[id] = new VisibleCase(id, Path.Combine(folder, "expected.json"), item.GetProperty("test").GetString()!,
                        item.GetProperty("input").GetString()!, checks, null);
                }
            }
        }

        return cases;
    }

    private static string UniqueId(IReadOnlyDictionary<string, VisibleCase> cases, string id)
    {
        if (!cases.ContainsKey(id) && !cases.ContainsKey(id + "[0]")) return id;
        for (int k = 2; ; k++)
        {
            if (!cases.ContainsKey($"{id}#{k}")) return $"{id}#{k}";
        }
    }

    private static void AddTemplateCases(Dictionary<string, VisibleCase> cases, string id, string relative, string test, string text, string placeholder, JsonElement expect)
    {
        var values = expect.GetProperty("template_values").EnumerateArray().Select(v => v.GetString()!).ToList();
        for (int k = 0; k < values.Count; k++)
        {
            string input = text.Replace(placeholder, values[k], StringComparison.Ordinal);
            var checks = new List<VisibleCheck>();
            if (expect.TryGetProperty("visible_text", out var visible))
            {
                checks.Add(new VisibleCheck($"visible_text with {placeholder}={values[k]}", CheckMode.Equal, visible.GetString()!.Trim()));
            }

            if (expect.TryGetProperty("fragment_equals_template", out _))
            {
                // Fragment 1 is "{value}\n\nMy email is …": the quote starts at the placeholder, so the visible
                // reply is whatever precedes it.
                string before = Normalize(text[..text.IndexOf(placeholder, StringComparison.Ordinal)]);
                checks.Add(new VisibleCheck($"fragment_equals_template (quote starts at {placeholder}={values[k]})", CheckMode.Equal, before));
                checks.Add(new VisibleCheck("fragment_equals_template (quoted text hidden)", CheckMode.NotContains, "My email is"));
            }

            string rowId = $"{id}[{k}]";
            cases[rowId] = new VisibleCase(rowId, relative, $"{test} [{values[k]}]", input, checks, null);
        }
    }

    private static List<VisibleCheck> ChecksFor(string source, string text, JsonElement expect, string? common)
    {
        var checks = new List<VisibleCheck>();
        foreach (var property in expect.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "parse_reply":
                case "visible_text":
                case "visible_text_trimmed":
                case "visible_text_derived":
                case "reply_stripped":
                    // ExtractVisible trims by contract, so leading/trailing white space of the expectation is not significant.
                    checks.Add(new VisibleCheck(property.Name, CheckMode.Equal, value.GetString()!.Trim()));
                    break;
                case "first_fragment_trimmed":
                    checks.Add(new VisibleCheck(property.Name, CheckMode.Equal, value.GetString()!));
                    break;
                case "reply_contains":
                case "parse_reply_contains":
                    checks.AddRange(Strings(value).Select(s => new VisibleCheck(property.Name, CheckMode.Contains, s)));
                    break;
                case "parse_reply_not_contains":
                    checks.AddRange(Strings(value).Select(s => new VisibleCheck(property.Name, CheckMode.NotContains, s)));
                    break;
                case "parse_replied_contains":
                    // crisp parseReplied() is the quoted part: what it contains must not be visible.
                    checks.AddRange(Strings(value).Select(s => new VisibleCheck(property.Name + " (quoted, so not visible)", CheckMode.NotContains, s)));
                    break;
                case "parse_replied_not_contains":
                    checks.AddRange(Strings(value).Select(s => new VisibleCheck(property.Name + " (not quoted, so visible)", CheckMode.Contains, s)));
                    break;
                case "max_seconds":
                    checks.Add(new VisibleCheck(property.Name, CheckMode.Completes, value.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
            }
        }

        if (FirstFragmentIsVisible(expect))
        {
            AddFirstFragmentChecks(source, expect, checks);
            if (expect.TryGetProperty("fragment_count", out var count) && count.GetInt32() == 1 && !AnyTrue(expect, "signature") && !AnyTrue(expect, "quoted"))
            {
                checks.Add(new VisibleCheck("fragment_count=1 (whole mail visible)", CheckMode.Equal, Normalize(text)));
            }
        }

        return checks;
    }

    /// <summary>
    /// Fragment-level expectations about fragment 0 are expectations about the start of the visible text when that
    /// fragment is neither quoted, hidden nor a signature.
    /// </summary>
    private static void AddFirstFragmentChecks(string source, JsonElement expect, List<VisibleCheck> checks)
    {
        if (expect.TryGetProperty("fragment_contains", out var contains) && contains.TryGetProperty("0", out var c0))
        {
            checks.AddRange(Strings(c0).Select(s => new VisibleCheck("fragment_contains[0]", CheckMode.Contains, s)));
        }

        if (expect.TryGetProperty("fragment_not_contains", out var notContains) && notContains.TryGetProperty("0", out var n0))
        {
            checks.AddRange(Strings(n0).Select(s => new VisibleCheck("fragment_not_contains[0]", CheckMode.NotContains, s)));
        }

        if (expect.TryGetProperty("fragment_equals", out var equals) && equals.TryGetProperty("0", out var e0))
        {
            checks.Add(new VisibleCheck("fragment_equals[0] (visible text starts with it)", CheckMode.StartsWith, Normalize(e0.GetString()!)));
        }

        if (expect.TryGetProperty("fragment_regex", out var regex) && regex.TryGetProperty("0", out var r0))
        {
            // Ruby (github): '^' matches at every line start; PCRE/JS (willdurand, crisp) and Python re.match (zapier): string start.
            var options = source == "github" ? RegexOptions.Multiline : RegexOptions.None;
            checks.Add(new VisibleCheck("fragment_regex[0]", CheckMode.Matches, r0.GetString()!, options));
        }

        if (expect.TryGetProperty("fragment_trimmed_regex_multiline", out var multiline) && multiline.TryGetProperty("0", out var m0))
        {
            checks.Add(new VisibleCheck("fragment_trimmed_regex_multiline[0]", CheckMode.Matches, m0.GetString()!, RegexOptions.Multiline));
        }
    }

    private static bool FirstFragmentIsVisible(JsonElement expect) =>
        !FlagAt(expect, "quoted", 0) && !FlagAt(expect, "hidden", 0) && !FlagAt(expect, "signature", 0);

    private static bool FlagAt(JsonElement expect, string key, int index)
    {
        if (!expect.TryGetProperty(key, out var flags)) return false;
        if (flags.ValueKind == JsonValueKind.Array) return flags.GetArrayLength() > index && flags[index].GetBoolean();
        return flags.TryGetProperty(index.ToString(System.Globalization.CultureInfo.InvariantCulture), out var flag) && flag.GetBoolean();
    }

    private static bool AnyTrue(JsonElement expect, string key)
    {
        if (!expect.TryGetProperty(key, out var flags)) return false;
        return flags.ValueKind == JsonValueKind.Array
            ? flags.EnumerateArray().Any(f => f.GetBoolean())
            : flags.EnumerateObject().Any(f => f.Value.GetBoolean());
    }

    private static IEnumerable<string> Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!) : [value.GetString()!];

    private static IReadOnlyDictionary<string, MimeCase> LoadMimeCases()
    {
        var cases = new Dictionary<string, MimeCase>(StringComparer.Ordinal);
        if (Root is null) return cases;
        string dir = Path.Combine(Root, "jstedfast_MimeKit");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        foreach (var item in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            string fixture = item.GetProperty("fixture").GetString()!;
            string id = $"mimekit/{Path.GetFileName(fixture)}";
            cases[id] = new MimeCase(id, Path.Combine(dir, fixture), item.GetProperty("expect").Clone());
        }

        return cases;
    }

    /// <summary>Full path of a MimeKit fixture message by file name.</summary>
    public static string MimeMessagePath(string fileName) =>
        Path.Combine(Root ?? throw new InvalidOperationException(MissingMessage), "jstedfast_MimeKit", "fixtures", "messages", fileName);
}
