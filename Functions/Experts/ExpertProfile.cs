namespace SocialLearning.Experts;

/// <summary>
/// One colleague who can be asked: identity, contact, declared profile and the evidence that makes up
/// what they know. Built by an importer (Stack Exchange dump, built-in sample, later Graph) and stored in
/// the <c>Experts</c> table (profile) and the <c>Evidence</c> table (one row per <see cref="EvidenceItem"/>).
/// </summary>
/// <param name="Id">Stable expert id, unique in the directory (for a Stack Exchange import: <c>se-{UserId}</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Mail address routed requests go to.</param>
/// <param name="Department">Department or team, used for silo-bridging figures; empty when unknown.</param>
/// <param name="JobTitle">Job title; empty when unknown.</param>
/// <param name="AboutMe">Free "about me" text, plain text (HTML already converted).</param>
/// <param name="Skills">Declared skills or top tags, most important first.</param>
/// <param name="Evidence">Answered questions and declared skills that show what the expert knows.</param>
/// <param name="AnswerCount">Number of answers in the profile period (activity prior).</param>
/// <param name="LastActive">Time of the latest answer in the profile period, or null.</param>
public sealed record ExpertProfile(
    string Id,
    string Name,
    string Email,
    string Department,
    string JobTitle,
    string AboutMe,
    IReadOnlyList<string> Skills,
    IReadOnlyList<EvidenceItem> Evidence,
    int AnswerCount,
    DateTimeOffset? LastActive);

/// <summary>One piece of evidence of what an expert knows.</summary>
/// <param name="SourceId">Id of the source, unique per expert (for an answer: <c>a-{PostId}</c>).</param>
/// <param name="Kind">"answer", "skill" or "about".</param>
/// <param name="Title">Short human-readable title (the answered question's title), used in routing reasons.</param>
/// <param name="Text">Plain text used for matching (question title + tags + the starts of the question body and of the answer).</param>
/// <param name="When">When the evidence was created, or null.</param>
/// <param name="Asked">For an answer: when the answered question was asked (with <paramref name="When"/> it gives the expert's
/// response time, the responsiveness prior of routing); null when unknown.</param>
public sealed record EvidenceItem(string SourceId, string Kind, string Title, string Text, DateTimeOffset? When, DateTimeOffset? Asked = null);
