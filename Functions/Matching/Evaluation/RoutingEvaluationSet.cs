using SocialLearning.Experts;
using SocialLearning.Experts.StackExchange;

namespace SocialLearning.Matching.Evaluation;

/// <summary>One question of an evaluation, scored against the candidates who really answered it.</summary>
/// <param name="QuestionId">Question post id.</param>
/// <param name="Created">Question time, UTC (the routing time in the capacity simulation).</param>
/// <param name="Subject">Title.</param>
/// <param name="Text">Body as plain text, then a <c>Tags:</c> line (as the demo mails it).</param>
/// <param name="AskerExpertId">The asker's expert id when the asker is a candidate (then never ranked), else null.</param>
/// <param name="Gold">Expert ids of the candidates who answered, the asker left out; never empty.</param>
/// <param name="AcceptedAnswerer">Expert id of the accepted answer's author when a candidate other than the asker, else null.</param>
public sealed record EvaluationQuestion(
    int QuestionId,
    DateTimeOffset Created,
    string Subject,
    string Text,
    string? AskerExpertId,
    IReadOnlySet<string> Gold,
    string? AcceptedAnswerer)
{
    /// <summary>The text BM25 reads: <see cref="Routing.QuestionRouter.LexicalText"/> (subject, newline, body with its tags line), as the live router does.</summary>
    public string LexicalText => Routing.QuestionRouter.LexicalText(Subject, Text);

    /// <summary>The text that is embedded: <see cref="Routing.QuestionRouter.QueryText"/> of subject and body (as the live router does).</summary>
    public string EmbeddingText => Routing.QuestionRouter.QueryText(Subject, Text);
}

/// <summary>
/// One evaluation of the protocol (DESIGN.md, "Evaluation protocol"): expert profiles built from the data before a
/// cutoff, and the later questions, in time order, with their gold answerers. Made either from a site's test split
/// (<see cref="FromSplit"/>) or from time-ordered validation folds inside the profile period
/// (<see cref="ValidationFolds"/>), which is where the product's weights are chosen.
/// </summary>
/// <param name="Name">"test" or "validation 60%" …</param>
/// <param name="Cutoff">Profiles hold nothing at or after this time.</param>
/// <param name="Profiles">Candidate experts' profiles, ascending user id.</param>
/// <param name="Questions">Questions, oldest first (ties by id).</param>
/// <param name="SkippedAskerOnly">Items dropped because the only candidate who answered was the asker (who is never ranked).</param>
public sealed record RoutingEvaluationSet(
    string Name,
    DateTimeOffset Cutoff,
    IReadOnlyList<ExpertProfile> Profiles,
    IReadOnlyList<EvaluationQuestion> Questions,
    int SkippedAskerOnly)
{
    /// <summary>Number of candidate experts.</summary>
    public int Candidates => Profiles.Count;

    /// <summary>
    /// The test evaluation of <paramref name="split"/>: its profiles (<see cref="ExpertProfileBuilder.Build"/>) and its
    /// <see cref="DumpSplit.TestItems"/> (the same items as <c>routing_test.jsonl</c>). The asker is removed from each gold
    /// set and accepted answerer; items whose gold set becomes empty are dropped (counted in <see cref="SkippedAskerOnly"/>).
    /// </summary>
    /// <param name="name">Name shown in reports.</param>
    /// <param name="site">The site.</param>
    /// <param name="split">Its split.</param>
    /// <param name="questionsBefore">Only items created before this time (validation folds); null = all.</param>
    public static RoutingEvaluationSet FromSplit(string name, DumpSite site, DumpSplit split, DateTimeOffset? questionsBefore = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(split);
        var profiles = ExpertProfileBuilder.Build(site, split);
        var questions = new List<EvaluationQuestion>();
        var skipped = 0;
        foreach (var item in split.TestItems)
        {
            if (questionsBefore is { } end && item.Created >= end) continue;
            string? asker = item.AskerUserId is int a && split.IsCandidate(a) ? ExpertProfileBuilder.ExpertId(a) : null;
            var gold = item.GoldAnswererIds.Select(ExpertProfileBuilder.ExpertId).Where(g => g != asker).ToHashSet(StringComparer.Ordinal);
            if (gold.Count == 0)
            {
                skipped++;
                continue;
            }
            var accepted = item.AcceptedAnswererId is int acc ? ExpertProfileBuilder.ExpertId(acc) : null;
            if (accepted == asker) accepted = null;
            var text = item.BodyText + (item.Tags.Count > 0 ? "\n\nTags: " + string.Join(", ", item.Tags) : "");
            questions.Add(new EvaluationQuestion(item.QuestionId, item.Created, item.Title, text, asker, gold, accepted));
        }
        return new RoutingEvaluationSet(name, split.Cutoff, profiles, questions, skipped);
    }

    /// <summary>
    /// Time-ordered validation folds inside the profile period of <paramref name="split"/>, for choosing weights without
    /// ever seeing a test question. The profile period is taken as a site of its own: its questions, and only the answers
    /// created before <see cref="DumpSplit.Cutoff"/> (so gold sets hold no test-period data either). For each percentage p
    /// of <paramref name="percents"/>, profiles are built from the first p% of those questions (candidates: ≥ 3 answers
    /// before that inner cutoff) and the fold's questions are the profile-period items from there up to p +
    /// <paramref name="horizonPercent"/>% (or the test cutoff). With a horizon of 25% of the profile period — the test
    /// period's 20% of all questions — each fold asks what the test asks: how well profiles frozen at a cutoff route the
    /// questions of the same stretch of time after it (priors such as recent activity age over that stretch). Folds may
    /// overlap.
    /// </summary>
    /// <param name="site">The site.</param>
    /// <param name="split">Its protocol split (80/20).</param>
    /// <param name="percents">Inner cutoffs, percent of the profile period, each 1–99 (evaluate uses <see cref="RoutingEvaluator.FoldPercents"/>).</param>
    /// <param name="horizonPercent">Length of each fold's question window, percent of the profile period, ≥ 1 (evaluate uses <see cref="RoutingEvaluator.FoldHorizonPercent"/>).</param>
    /// <returns>One set per percentage (folds without questions are kept, empty).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizonPercent"/> is below 1.</exception>
    public static IReadOnlyList<RoutingEvaluationSet> ValidationFolds(DumpSite site, DumpSplit split, IReadOnlyList<int> percents, int horizonPercent)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(percents);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizonPercent, 1);
        var profileSite = ProfilePeriodSite(site, split);
        var folds = new List<RoutingEvaluationSet>(percents.Count);
        foreach (var p in percents)
        {
            var inner = DumpSplit.Create(profileSite, p, split.MinProfileAnswers);
            DateTimeOffset? end = p + horizonPercent < 100 ? DumpSplit.Create(profileSite, p + horizonPercent, split.MinProfileAnswers).Cutoff : null;
            folds.Add(FromSplit($"validation {p}–{Math.Min(100, p + horizonPercent)}%", profileSite, inner, end));
        }
        return folds;
    }

    /// <summary>The profile period of <paramref name="split"/> as a site: its questions, the answers created before the cutoff to them, all users.</summary>
    /// <param name="site">The site.</param>
    /// <param name="split">Its split.</param>
    public static DumpSite ProfilePeriodSite(DumpSite site, DumpSplit split)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(split);
        return new DumpSite(
            site.Questions.Where(q => split.IsProfileQuestion(q.Id)),
            site.Answers.Where(split.IsProfileAnswer),
            site.Users.Values);
    }
}
