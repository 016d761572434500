namespace SocialLearning.Experts.StackExchange;

/// <summary>
/// One routing test question with its ground truth: the candidate experts who really answered it.
/// Same content as a line of <c>shared/data/cqa/&lt;site&gt;/derived/routing_test.jsonl</c>.
/// </summary>
/// <param name="QuestionId">Question post id.</param>
/// <param name="Created">Question creation time, UTC (at or after <see cref="DumpSplit.Cutoff"/>).</param>
/// <param name="Title">Question title.</param>
/// <param name="BodyText">Question body as plain text.</param>
/// <param name="Tags">Question tags.</param>
/// <param name="AskerUserId">Asker's user id, or null for a deleted user.</param>
/// <param name="GoldAnswererIds">
/// Distinct candidate experts (user ids) who answered, in answer order (creation time, then post id); never empty.
/// It can contain the asker (a candidate answering their own question: 4 of 94 items on quantumcomputing, and in 2 of
/// them the asker is the only gold answerer), as <c>routing_test.jsonl</c> does: an evaluation that leaves the asker out
/// of the ranking must decide how to score those items (drop the asker from the gold set; an item left without gold can
/// only be a miss or be skipped).
/// </param>
/// <param name="AcceptedAnswererId">User id of the accepted answer's author when that author is a candidate expert, else
/// null. Can be the asker (1 item on quantumcomputing).</param>
public sealed record RoutingTestItem(
    int QuestionId,
    DateTimeOffset Created,
    string Title,
    string BodyText,
    IReadOnlyList<string> Tags,
    int? AskerUserId,
    IReadOnlyList<int> GoldAnswererIds,
    int? AcceptedAnswererId);

/// <summary>
/// The temporal train/test split of the evaluation protocol (<c>DESIGN.md</c>, "Evaluation protocol"), reproducing
/// <c>derived/split.json</c> and <c>derived/routing_test.jsonl</c>:
/// <list type="number">
/// <item>questions are sorted by creation time, ties by post id; the first <c>floor(n × ProfilePercent / 100)</c>
/// are the profile (train) period, the rest the test period;</item>
/// <item><see cref="Cutoff"/> is the creation time of the first test question;</item>
/// <item>a profile-period answer is an answer created before <see cref="Cutoff"/> (it then necessarily answers a
/// profile-period question). Answers posted later to profile-period questions belong to the test period: they are
/// not counted and not used for profiles, so nothing from after the cutoff leaks into an expert profile;</item>
/// <item>candidate experts are users (id &gt; 0, so not the Community bot) with at least <see cref="MinProfileAnswers"/>
/// profile-period answers;</item>
/// <item>test items are test questions with at least one answer (any time) by a candidate.</item>
/// </list>
/// </summary>
public sealed class DumpSplit
{
    private readonly HashSet<int> _profileQuestions;
    private readonly HashSet<int> _candidates;

    private DumpSplit(DateTimeOffset cutoff, int profilePercent, int minProfileAnswers, IReadOnlyList<int> profileQuestionIds,
        IReadOnlyList<int> testQuestionIds, IReadOnlyList<int> candidateIds, IReadOnlyList<RoutingTestItem> testItems, int profileAnswerCount)
    {
        Cutoff = cutoff;
        ProfilePercent = profilePercent;
        MinProfileAnswers = minProfileAnswers;
        ProfileQuestionIds = profileQuestionIds;
        TestQuestionIds = testQuestionIds;
        CandidateIds = candidateIds;
        TestItems = testItems;
        ProfileAnswerCount = profileAnswerCount;
        _profileQuestions = [.. profileQuestionIds];
        _candidates = [.. candidateIds];
    }

    /// <summary>Creation time (UTC) of the first test question; everything strictly before it is profile-period data.</summary>
    public DateTimeOffset Cutoff { get; }

    /// <summary>Share of questions, in percent, that form the profile period (protocol: 80).</summary>
    public int ProfilePercent { get; }

    /// <summary>Profile-period answers a user needs to be a candidate expert (protocol: 3).</summary>
    public int MinProfileAnswers { get; }

    /// <summary>Profile-period question ids, oldest first.</summary>
    public IReadOnlyList<int> ProfileQuestionIds { get; }

    /// <summary>Test-period question ids, oldest first.</summary>
    public IReadOnlyList<int> TestQuestionIds { get; }

    /// <summary>Candidate experts' user ids, ascending.</summary>
    public IReadOnlyList<int> CandidateIds { get; }

    /// <summary>Routing test items in question order (oldest first).</summary>
    public IReadOnlyList<RoutingTestItem> TestItems { get; }

    /// <summary>Number of profile-period answers in the site (by any author, including deleted users).</summary>
    public int ProfileAnswerCount { get; }

    /// <summary>True when <paramref name="questionId"/> is a profile-period question.</summary>
    /// <param name="questionId">Question post id.</param>
    public bool IsProfileQuestion(int questionId) => _profileQuestions.Contains(questionId);

    /// <summary>True when <paramref name="answer"/> is profile-period data: created before <see cref="Cutoff"/> and answering a profile-period question.</summary>
    /// <param name="answer">An answer of the split site.</param>
    public bool IsProfileAnswer(DumpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Created < Cutoff && _profileQuestions.Contains(answer.ParentId);
    }

    /// <summary>True when <paramref name="userId"/> is a candidate expert.</summary>
    /// <param name="userId">User id.</param>
    public bool IsCandidate(int userId) => _candidates.Contains(userId);

    /// <summary>Splits <paramref name="site"/> per the protocol (see the type's remarks).</summary>
    /// <param name="site">The loaded site.</param>
    /// <param name="profilePercent">Percent of questions in the profile period, 1–99 (protocol: 80).</param>
    /// <param name="minProfileAnswers">Profile-period answers needed to be a candidate, ≥ 1 (protocol: 3).</param>
    /// <returns>The split.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    /// <exception cref="InvalidOperationException">The site has too few questions for both periods to be non-empty.</exception>
    public static DumpSplit Create(DumpSite site, int profilePercent = 80, int minProfileAnswers = 3)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentOutOfRangeException.ThrowIfLessThan(profilePercent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(profilePercent, 99);
        ArgumentOutOfRangeException.ThrowIfLessThan(minProfileAnswers, 1);

        var ordered = site.Questions
            .OrderBy(q => q.Created)
            .ThenBy(q => q.Id)
            .ToList();
        var profileCount = (int)((long)ordered.Count * profilePercent / 100);
        if (profileCount == 0 || profileCount == ordered.Count)
        {
            throw new InvalidOperationException(
                $"A split needs questions in both periods; the site has {ordered.Count} question(s), {profilePercent}% of which is {profileCount}.");
        }
        var cutoff = ordered[profileCount].Created;
        var profileIds = ordered.Take(profileCount).Select(q => q.Id).ToList();
        var profileSet = profileIds.ToHashSet();

        var profileAnswers = 0;
        var answersPerUser = new Dictionary<int, int>();
        foreach (var a in site.Answers)
        {
            if (a.Created >= cutoff || !profileSet.Contains(a.ParentId)) continue;
            profileAnswers++;
            if (a.OwnerUserId is int owner and > 0)
                answersPerUser[owner] = answersPerUser.GetValueOrDefault(owner) + 1;
        }
        var candidates = answersPerUser.Where(kv => kv.Value >= minProfileAnswers).Select(kv => kv.Key).Order().ToList();
        var candidateSet = candidates.ToHashSet();

        var testQuestions = ordered.Skip(profileCount).ToList();
        var items = new List<RoutingTestItem>();
        foreach (var q in testQuestions)
        {
            var gold = new List<int>();
            foreach (var a in site.AnswersTo(q.Id))
            {
                if (a.OwnerUserId is int owner && candidateSet.Contains(owner) && !gold.Contains(owner)) gold.Add(owner);
            }
            if (gold.Count == 0) continue;
            int? accepted = q.AcceptedAnswerId is int acceptedId
                            && site.FindAnswer(acceptedId) is { ParentId: var parent, OwnerUserId: int author }
                            && parent == q.Id && candidateSet.Contains(author)
                ? author
                : null;
            items.Add(new RoutingTestItem(q.Id, q.Created, q.Title, q.BodyText, q.Tags, q.OwnerUserId, gold, accepted));
        }

        return new DumpSplit(cutoff, profilePercent, minProfileAnswers, profileIds, testQuestions.Select(q => q.Id).ToList(),
            candidates, items, profileAnswers);
    }
}
