namespace SocialLearning.Experts.StackExchange;

/// <summary>A question of a Stack Exchange site (<c>PostTypeId="1"</c>), body converted to plain text.</summary>
/// <param name="Id">Post id.</param>
/// <param name="Created">Creation time, UTC.</param>
/// <param name="Title">Title, plain text ("" when absent).</param>
/// <param name="BodyText">Body as plain text via <see cref="SocialLearning.Intake.HtmlText.ToText(string)"/> ("" when absent).</param>
/// <param name="Tags">Tags in the order the dump lists them.</param>
/// <param name="OwnerUserId">Asker's user id; null for a deleted user.</param>
/// <param name="OwnerDisplayName">Name kept on the post for deleted users, or null.</param>
/// <param name="AcceptedAnswerId">Post id of the accepted answer, or null.</param>
/// <param name="Score">Net votes.</param>
public sealed record DumpQuestion(
    int Id,
    DateTimeOffset Created,
    string Title,
    string BodyText,
    IReadOnlyList<string> Tags,
    int? OwnerUserId,
    string? OwnerDisplayName,
    int? AcceptedAnswerId,
    int Score);

/// <summary>An answer of a Stack Exchange site (<c>PostTypeId="2"</c>), body converted to plain text.</summary>
/// <param name="Id">Post id.</param>
/// <param name="ParentId">The answered question's post id.</param>
/// <param name="Created">Creation time, UTC.</param>
/// <param name="OwnerUserId">Author's user id; null for a deleted user.</param>
/// <param name="OwnerDisplayName">Name kept on the post for deleted users, or null.</param>
/// <param name="Score">Net votes.</param>
/// <param name="BodyText">Body as plain text via <see cref="SocialLearning.Intake.HtmlText.ToText(string)"/> ("" when absent).</param>
public sealed record DumpAnswer(
    int Id,
    int ParentId,
    DateTimeOffset Created,
    int? OwnerUserId,
    string? OwnerDisplayName,
    int Score,
    string BodyText);

/// <summary>A user of a Stack Exchange site (<c>Users.xml</c>).</summary>
/// <param name="Id">User id; -1 is the Community bot.</param>
/// <param name="DisplayName">Public name ("" when absent).</param>
/// <param name="AboutMeText">"About me" as plain text via <see cref="SocialLearning.Intake.HtmlText.ToText(string)"/> ("" when absent).</param>
/// <param name="Reputation">Reputation points at dump time.</param>
public sealed record DumpUser(int Id, string DisplayName, string AboutMeText, int Reputation);

/// <summary>
/// One Stack Exchange site loaded in memory by <see cref="StackExchangeDump"/>: questions, answers and users, with
/// lookups. Immutable after construction.
/// </summary>
public sealed class DumpSite
{
    private static readonly IReadOnlyList<DumpAnswer> NoAnswers = [];
    private readonly Dictionary<int, DumpQuestion> _questionsById;
    private readonly Dictionary<int, DumpAnswer> _answersById;
    private readonly Dictionary<int, DumpUser> _usersById;
    private readonly Dictionary<int, List<DumpAnswer>> _answersByQuestion;

    /// <summary>Builds the lookups. Later duplicates of a post or user id are ignored.</summary>
    /// <param name="questions">Questions, in dump order.</param>
    /// <param name="answers">Answers, in dump order; answers whose question is missing are kept but have no parent.</param>
    /// <param name="users">Users, in dump order.</param>
    /// <param name="skippedRows">Question/answer rows dropped for lack of a usable <c>CreationDate</c> or <c>ParentId</c>.</param>
    /// <param name="skippedRowIds">Post ids of the first dropped rows (at most <see cref="SkippedIdsKept"/>), for the message that reports them.</param>
    /// <param name="skippedWithoutParent">Of <paramref name="skippedRows"/>, the answers dropped for lack of a <c>ParentId</c> (the rest had no usable date).</param>
    public DumpSite(IEnumerable<DumpQuestion> questions, IEnumerable<DumpAnswer> answers, IEnumerable<DumpUser> users, int skippedRows = 0,
        IReadOnlyList<int>? skippedRowIds = null, int skippedWithoutParent = 0)
    {
        SkippedWithoutParent = skippedWithoutParent;
        SkippedRowIds = skippedRowIds ?? [];
        _questionsById = [];
        var qs = new List<DumpQuestion>();
        foreach (var q in questions)
        {
            if (_questionsById.TryAdd(q.Id, q)) qs.Add(q);
        }
        _answersById = [];
        _answersByQuestion = [];
        var answersList = new List<DumpAnswer>();
        foreach (var a in answers)
        {
            if (!_answersById.TryAdd(a.Id, a)) continue;
            answersList.Add(a);
            if (!_questionsById.ContainsKey(a.ParentId)) continue;
            if (!_answersByQuestion.TryGetValue(a.ParentId, out var list)) _answersByQuestion[a.ParentId] = list = [];
            list.Add(a);
        }
        foreach (var list in _answersByQuestion.Values) list.Sort(ByTime);
        _usersById = [];
        foreach (var u in users) _usersById.TryAdd(u.Id, u);
        Questions = qs;
        Answers = answersList;
        SkippedRows = skippedRows;
    }

    /// <summary>All questions, in dump order.</summary>
    public IReadOnlyList<DumpQuestion> Questions { get; }

    /// <summary>All answers, in dump order (including any whose question is not in the dump).</summary>
    public IReadOnlyList<DumpAnswer> Answers { get; }

    /// <summary>All users of <c>Users.xml</c>, by id.</summary>
    public IReadOnlyDictionary<int, DumpUser> Users => _usersById;

    /// <summary>Question/answer rows dropped while loading (no usable <c>CreationDate</c>, or an answer without <c>ParentId</c>).</summary>
    public int SkippedRows { get; }

    /// <summary>Post ids of the first dropped rows (at most <see cref="SkippedIdsKept"/> of <see cref="SkippedRows"/>).</summary>
    public IReadOnlyList<int> SkippedRowIds { get; }

    /// <summary>Of <see cref="SkippedRows"/>, answers dropped for lack of a <c>ParentId</c>; the others had no usable <c>CreationDate</c>.</summary>
    public int SkippedWithoutParent { get; }

    /// <summary>How many dropped rows' ids are kept for messages: 10.</summary>
    public const int SkippedIdsKept = 10;

    /// <summary>
    /// What a reader of this site should be told before trusting figures built on it, one sentence each: rows of Posts.xml
    /// left out (with their first ids), no users in Users.xml. Empty when there is nothing to say. Shown by every command
    /// that reads a dump (<c>evaluate</c>, <c>import --dump</c>, <c>demo --dump</c>).
    /// </summary>
    public IReadOnlyList<string> Warnings()
    {
        var warnings = new List<string>();
        if (SkippedRows > 0)
        {
            var plural = SkippedRows == 1 ? "" : "s";
            var more = SkippedRows > SkippedRowIds.Count ? ", …" : "";
            var undated = SkippedRows - SkippedWithoutParent;
            var why = string.Join(", ", new[]
            {
                undated > 0 ? $"{undated} without a readable CreationDate" : null,
                SkippedWithoutParent > 0 ? $"{SkippedWithoutParent} answer{(SkippedWithoutParent == 1 ? "" : "s")} without ParentId" : null,
            }.Where(x => x is not null));
            warnings.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{SkippedRows} question or answer row{plural} of Posts.xml left out: {why} (post id{plural} {string.Join(", ", SkippedRowIds)}{more})."));
        }
        if (Users.Count == 0)
            warnings.Add("Users.xml lists no users: the profiles lack everyone's \"about me\" text, so they, and any figures built on them, differ from the full dump's.");
        return warnings;
    }

    /// <summary>The question with post id <paramref name="id"/>, or null.</summary>
    /// <param name="id">Post id.</param>
    public DumpQuestion? FindQuestion(int id) => _questionsById.GetValueOrDefault(id);

    /// <summary>The answer with post id <paramref name="id"/>, or null.</summary>
    /// <param name="id">Post id.</param>
    public DumpAnswer? FindAnswer(int id) => _answersById.GetValueOrDefault(id);

    /// <summary>The user with id <paramref name="id"/>, or null (deleted users are absent from <c>Users.xml</c>).</summary>
    /// <param name="id">User id.</param>
    public DumpUser? FindUser(int id) => _usersById.GetValueOrDefault(id);

    /// <summary>Answers to question <paramref name="questionId"/>, oldest first (ties by post id); empty when none.</summary>
    /// <param name="questionId">Question post id.</param>
    public IReadOnlyList<DumpAnswer> AnswersTo(int questionId) =>
        _answersByQuestion.TryGetValue(questionId, out var list) ? list : NoAnswers;

    /// <summary>Orders answers by creation time, then post id (the "answer order" of the evaluation protocol).</summary>
    internal static int ByTime(DumpAnswer x, DumpAnswer y)
    {
        var c = x.Created.CompareTo(y.Created);
        return c != 0 ? c : x.Id.CompareTo(y.Id);
    }
}
