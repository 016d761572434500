using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialLearning.Experts;

/// <summary>A built-in sample question (Functions/Samples/questions.json), mailed by <c>demo</c>.</summary>
/// <param name="Id">Sample id, e.g. <c>sq-01</c>.</param>
/// <param name="From">RFC 5322 address of the asker.</param>
/// <param name="Subject">Subject line.</param>
/// <param name="Body">Plain-text body (may hold a quoted thread or a mobile signature).</param>
/// <param name="ExpectedExperts">Experts a sensible human router would pick, best first; empty for a knowledge gap.</param>
/// <param name="Category">Department the question belongs to, or "Gap".</param>
public sealed record SampleQuestion(string Id, string From, string Subject, string Body, IReadOnlyList<string> ExpectedExperts, string Category);

/// <summary>A built-in sample mail that must not become a question.</summary>
/// <param name="Id">Sample id.</param>
/// <param name="Kind">What it is (AutoReply, Bounce, Bulk).</param>
/// <param name="Mime">The whole RFC 5322 message.</param>
public sealed record SampleNonQuestion(string Id, string Kind, string Mime);

/// <summary>
/// The built-in sample of the invented company Northwind Traders (written by this team, embedded in the assembly):
/// about 20 experts, 30-odd questions with the experts a human would pick, and a few non-question mails.
/// </summary>
public static class SampleDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The sample experts as profiles.</summary>
    public static IReadOnlyList<ExpertProfile> Experts() =>
        Read<List<SampleExpert>>("experts.json").Select(e => new ExpertProfile(
            e.Id, e.Name, e.Email, e.Department, e.JobTitle, e.AboutMe, e.Skills,
            e.Evidence.Select(v => new EvidenceItem(v.Id, "answer", v.Title, v.Title + ". " + v.Text, e.LastActive)).ToList(),
            e.AnswerCount, e.LastActive)).ToList();

    /// <summary>The sample questions.</summary>
    public static IReadOnlyList<SampleQuestion> Questions() => Read<List<SampleQuestion>>("questions.json");

    /// <summary>The sample mails that are not questions.</summary>
    public static IReadOnlyList<SampleNonQuestion> NonQuestions() => Read<List<SampleNonQuestion>>("nonquestions.json");

    private static T Read<T>(string name)
    {
        var asm = Assembly.GetExecutingAssembly();
        using var stream = asm.GetManifestResourceStream("SocialLearning.Samples." + name)
                           ?? throw new InvalidOperationException($"Embedded sample {name} is missing from the build.");
        return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new InvalidOperationException($"Sample {name} is empty.");
    }

    private sealed record SampleExpert(
        string Id, string Name, string Email, string Department, string JobTitle, string AboutMe,
        List<string> Skills, List<SampleEvidence> Evidence, int AnswerCount, DateTimeOffset? LastActive);

    private sealed record SampleEvidence(string Id, string Title, string Text);
}
