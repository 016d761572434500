using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Experts;
using SocialLearning.Mail;
using SocialLearning.Outcomes;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>
/// Handles <c>route-question</c>: ranks the directory for a stored question, records the ranked candidate pool and one
/// route per asked expert, enqueues one <c>outbound-mail</c> request per route, moves the question to
/// <see cref="QuestionStates.Routed"/> (or <see cref="QuestionStates.Unrouted"/> when nobody can be asked) and appends the
/// <c>routed</c> events. Experts are taken in rank order among the candidates close enough (see
/// <see cref="QuestionRouter.IsAskable"/>, <see cref="ExpertSelection"/>); one at the hard capacity cap (<see cref="ExpertCapacity"/>) or out of office
/// (<see cref="IExpertAvailability"/>: automatic replies on, with Graph) is passed over and a <c>skipped</c> event says why. When nobody is close enough the question is a knowledge gap (<c>gap</c> event);
/// when experts were close enough but all were passed over it is a bottleneck (<c>overloaded</c> event). A question
/// that is no longer <see cref="QuestionStates.Received"/> is left alone, so a repeated message changes nothing. A
/// question with too little text to route (<see cref="RoutableText"/>: fewer than 2 content words in subject + body) is
/// not ranked: it is stored <see cref="QuestionStates.Unrouted"/> with that reason and a <c>too-short</c> event, not a gap.
/// Colleagues the asker copied (<see cref="QuestionEntity.Copied"/>) get no request; one close enough gets a route without
/// one (<see cref="RouteEntity.CopiedByAsker"/>) and a <c>copied</c> event, and takes no place of those routing fills.
/// </summary>
public sealed class RouteQuestionHandler(
    QuestionRouter router,
    Matching.ExpertDirectory directory,
    ExpertLoad load,
    ExpertSelection selection,
    StorageClients storage,
    OutcomeLog outcomes,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<RouteQuestionHandler> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Routes one question. Throws <see cref="InvalidOperationException"/> when the question does not exist.</summary>
    public async Task HandleAsync(RouteQuestionMessage message, CancellationToken cancellationToken)
    {
        var questions = storage.Table(TableNames.Questions);
        var q = await questions.GetOrNullAsync<QuestionEntity>(message.QuestionId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Question {message.QuestionId} does not exist.");
        if (message.Escalate)
        {
            await EscalateAsync(q, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (q.State != QuestionStates.Received)
        {
            logger.LogInformation("Question {QuestionId} is already {State}; nothing to route", q.QuestionId, q.State);
            return;
        }

        if (q.ResolvedByAskerAt is not null)
        {
            // "Never mind, found it" arrived before the question was routed: nobody is asked (the resolved event says so).
            q.State = QuestionStates.Unrouted;
            q.RoutedAt = time.GetUtcNow();
            q.UnroutedReason = "resolved by the asker before it was routed";
            if (await storage.Table(TableNames.Questions).TryReplaceAsync(q, cancellationToken).ConfigureAwait(false))
                logger.LogInformation("Question {QuestionId} was resolved by its asker before routing; nobody asked", q.QuestionId);
            return;
        }
        if (RoutableText.TooLittleReason(q.Subject, q.Text, q.AskerName, q.AskerEmail) is { } tooLittle)
        {
            await RecordTooLittleTextAsync(q, tooLittle, cancellationToken).ConfigureAwait(false);
            return;
        }

        var ranking = await router.RankAsync(q.Subject, q.Text, q.AskerEmail, null, cancellationToken, q.ReceivedAt).ConfigureAwait(false);
        var now = time.GetUtcNow();
        // Colleagues the asker copied have the question already: none gets a request. Those close enough to be asked get a
        // route without one (their reply-all is their answer to it) and do not take one of the places routing fills.
        var routes = storage.Table(TableNames.Routes);
        // Routed again after every expert asked passed (the asker added detail): those experts are not asked a second time.
        var before = await routes.ReadAllAsync<RouteEntity>(q.QuestionId, cancellationToken).ConfigureAwait(false);
        var candidates = ranking.Candidates.Where(c => !before.Any(r => r.ExpertId == c.ExpertId)).ToList();
        var (pool, copied) = SplitCopied(candidates, q.Copied, options.Value.MinSimilarity);
        var (asked, skipped) = await selection.SelectAsync(pool, options.Value.ExpertsPerQuestion, CapacityUse.Reserve, q.QuestionId, q.ReceivedAt,
            cancellationToken, before.Select(r => (r.ExpertEmail, r.ExpertName))).ConfigureAwait(false);
        var outbound = storage.Queue(QueueNames.OutboundMail);
        for (var i = 0; i < asked.Count; i++)
        {
            var c = asked[i];
            var route = new RouteEntity
            {
                PartitionKey = q.QuestionId, RowKey = KeyEncoding.Encode(c.ExpertId), ExpertId = c.ExpertId, ExpertEmail = c.Email,
                ExpertName = c.Name, ExpertDepartment = c.Department, Rank = before.Count + i + 1, Score = c.Score, Reason = c.Reason, AskedAt = now,
            };
            if (await routes.TryAddAsync(route, cancellationToken).ConfigureAwait(false)) load.Record(c.ExpertId, q.ReceivedAt);
            await outbound.SendJsonAsync(new OutboundMailMessage("request", q.QuestionId, c.ExpertId), cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < copied.Count; i++)
        {
            var c = copied[i];
            await routes.TryAddAsync(new RouteEntity
            {
                PartitionKey = q.QuestionId, RowKey = KeyEncoding.Encode(c.ExpertId), ExpertId = c.ExpertId, ExpertEmail = c.Email,
                ExpertName = c.Name, ExpertDepartment = c.Department, Rank = before.Count + asked.Count + i + 1, Score = c.Score, Reason = c.Reason,
                AskedAt = q.ReceivedAt, CopiedByAsker = true,
            }, cancellationToken).ConfigureAwait(false);
        }

        var withExperts = asked.Count + copied.Count > 0;
        q.State = withExperts ? QuestionStates.Routed : QuestionStates.Unrouted;
        q.RoutedAt = now;
        q.RouteMs = Math.Round(ranking.TotalMs, 2);
        q.CandidatesJson = JsonSerializer.Serialize(ranking.Candidates, Json);
        q.UnroutedReason = withExperts ? ""
            : skipped.Count > 0 ? "knowledge bottleneck: " + (skipped.Count == 1 ? "the one expert close enough was passed over" : $"all {skipped.Count} experts close enough were passed over") +
                                  $" ({Describe(skipped)})"
            : candidates.Count == 0 ? "knowledge gap: no available expert to ask" + (before.Count > 0 ? " who was not asked before" : "")
            : $"knowledge gap: no expert's evidence is close enough (best similarity {candidates.Max(c => c.Similarity):0.00} < {options.Value.MinSimilarity:0.00})";
        // Routed again after every expert asked passed: those passes are answered by this routing, not by escalations.
        if (before.Count > 0)
        {
            q.ReroutedPasses = PassesToReplace(before) - before.Count(r => r.Escalation);
        }
        if (!await questions.TryReplaceAsync(q, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Question {QuestionId} changed while routing (another worker); leaving its state to that worker", q.QuestionId);
            return;
        }

        foreach (var (c, why) in skipped)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Skipped, QuestionId = q.QuestionId, At = now, ExpertId = c.ExpertId, AskerEmail = q.AskerEmail,
                Department = c.Department, Detail = why,
            }, cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < copied.Count; i++)
        {
            var c = copied[i];
            await outcomes.AppendAsync(new OutcomeEntity
            {
                // At the question's time: the asker's mail reached them then, and their reply may be logged before this routing.
                Kind = OutcomeKinds.Copied, QuestionId = q.QuestionId, At = q.ReceivedAt, ExpertId = c.ExpertId, AskerEmail = q.AskerEmail, Rank = before.Count + asked.Count + i + 1,
                Department = c.Department, Detail = $"copied on the question by the asker, so no request sent; score {c.Score:0.000}: {c.Reason}",
            }, cancellationToken).ConfigureAwait(false);
        }
        if (!withExperts && skipped.Count > 0)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Overloaded, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail,
                Detail = (skipped.Count == 1 ? "the one expert close enough was passed over: " : $"all {skipped.Count} experts close enough were passed over: ") + string.Join("; ", skipped.Select(x => $"{x.Candidate.Name} ({x.Reason})")),
            }, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Question {QuestionId} could not be routed: all {SkippedCount} close-enough experts were passed over (capacity or availability); recorded as overloaded",
                q.QuestionId, skipped.Count);
            await outbound.SendJsonAsync(new OutboundMailMessage("notice", q.QuestionId, null), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!withExperts)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Gap, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail, Detail = candidates.Count == 0 ? "no available expert to ask" + (before.Count > 0 ? " who was not asked before" : "") : $"no expert's evidence is close enough (best similarity {candidates.Max(c => c.Similarity):0.00} < {options.Value.MinSimilarity:0.00})",
            }, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Question {QuestionId} could not be routed: no available expert close enough; recorded as a knowledge gap", q.QuestionId);
            await outbound.SendJsonAsync(new OutboundMailMessage("notice", q.QuestionId, null), cancellationToken).ConfigureAwait(false);
            return;
        }
        for (var i = 0; i < asked.Count; i++)
        {
            var c = asked[i];
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Routed, QuestionId = q.QuestionId, At = now, ExpertId = c.ExpertId, AskerEmail = q.AskerEmail, Rank = before.Count + i + 1,
                Department = c.Department, Detail = $"score {c.Score:0.000}: {c.Reason}",
            }, cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Routed {QuestionId} to {ExpertCount} experts in {RouteMs:0.0} ms ({CopiedCount} close enough were copied by the asker)",
            q.QuestionId, asked.Count, ranking.TotalMs, copied.Count);
    }

    /// <summary>
    /// Splits a ranked pool by the question's copied colleagues (<see cref="QuestionEntity.Copied"/>, "; "-joined
    /// addresses): <c>Pool</c> holds every candidate whose address is not copied, in rank order, for the selection;
    /// <c>Copied</c> the copied ones close enough to be asked (<see cref="QuestionRouter.IsAskable"/>), one listing per
    /// address, in rank order. Copied candidates not close enough are in neither.
    /// </summary>
    /// <param name="candidates">The ranked pool, best first.</param>
    /// <param name="copied">The question's <see cref="QuestionEntity.Copied"/>; empty for none.</param>
    /// <param name="minSimilarity">The similarity bar (<see cref="RoutingOptions.MinSimilarity"/>).</param>
    internal static (List<RankedCandidate> Pool, List<RankedCandidate> Copied) SplitCopied(IReadOnlyList<RankedCandidate> candidates, string copied, double minSimilarity)
    {
        var addresses = QuestionEntity.Addresses(copied).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (addresses.Count == 0) return (candidates.ToList(), []);
        var pool = new List<RankedCandidate>(candidates.Count);
        var with = new List<RankedCandidate>();
        foreach (var c in candidates)
        {
            if (!addresses.Contains(c.Email.Trim())) pool.Add(c);
            else if (QuestionRouter.IsAskable(c, minSimilarity) && !with.Any(w => string.Equals(w.Email.Trim(), c.Email.Trim(), StringComparison.OrdinalIgnoreCase))) with.Add(c);
        }
        return (pool, with);
    }

    /// <summary>
    /// A question with too little text to route (<see cref="RoutableText"/>): not ranked, nobody asked. It stays stored,
    /// moves to <see cref="QuestionStates.Unrouted"/> with <paramref name="reason"/> as its <c>UnroutedReason</c>, and a
    /// <c>too-short</c> event (<see cref="OutcomeKinds.TooShort"/>), not a <c>gap</c>, records it in the outcome log.
    /// </summary>
    private async Task RecordTooLittleTextAsync(QuestionEntity q, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        q.State = QuestionStates.Unrouted;
        q.RoutedAt = now;
        q.UnroutedReason = reason;
        if (!await storage.Table(TableNames.Questions).TryReplaceAsync(q, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Question {QuestionId} changed while routing (another worker); leaving its state to that worker", q.QuestionId);
            return;
        }
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.TooShort, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail, Detail = reason,
        }, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Question {QuestionId} was not routed: {Reason}; recorded as too-short, not as a knowledge gap", q.QuestionId, reason);
        // The asker is told, and how to go on: a reply with what the question is about routes it.
        await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("notice", q.QuestionId, null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After an asked expert passed (or paused / stopped): asks the next candidate of the question's stored pool — close
    /// enough, not asked before, not the asker (never in the pool), available and under the capacity cap — in their
    /// place, and appends an <c>escalated</c> event (or one saying nobody is left). One replacement per pass: the question
    /// needs one when it has more passes than escalations, so a repeated message asks nobody twice.
    /// </summary>
    private async Task EscalateAsync(QuestionEntity q, CancellationToken cancellationToken)
    {
        var routesTable = storage.Table(TableNames.Routes);
        var routes = await routesTable.ReadAllAsync<RouteEntity>(q.QuestionId, cancellationToken).ConfigureAwait(false);
        var passes = PassesToReplace(routes);
        if (passes - q.ReroutedPasses <= routes.Count(r => r.Escalation) || routes.Any(r => r.AnsweredAt is not null) || q.ResolvedByAskerAt is not null)
        {
            logger.LogInformation("Question {QuestionId}: no escalation needed (answered, resolved by the asker, or every pass already replaced)", q.QuestionId);
            return;
        }
        var asked = routes.Select(r => r.ExpertId).ToHashSet(StringComparer.Ordinal);
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        // Still in the directory and available now (not paused, opted out or deactivated since the question was ranked).
        var pool = Candidates(q).Where(c => !asked.Contains(c.ExpertId) && snapshot.Experts.TryGetValue(c.ExpertId, out var d) && d.Available).ToList();
        var o = options.Value;
        var (next, skipped) = await selection.SelectAsync(pool, 1, CapacityUse.Reserve, q.QuestionId, q.ReceivedAt, cancellationToken,
            routes.Select(r => (r.ExpertEmail, r.ExpertName))).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var (c, why) in skipped)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Skipped, QuestionId = q.QuestionId, At = now, ExpertId = c.ExpertId, AskerEmail = q.AskerEmail, Department = c.Department, Detail = why,
            }, cancellationToken).ConfigureAwait(false);
        }
        if (next.Count == 0)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Escalated, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail,
                // Numbered by the pass it answers, so two passes that both find nobody leave two distinguishable rows.
                Detail = $"{(passes == 1 ? "an expert" : $"{passes} experts")} passed and nobody else in the pool can be asked ({pool.Count(c => QuestionRouter.IsAskable(c, o.MinSimilarity))} close enough left, {skipped.Count} passed over)",
            }, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Question {QuestionId}: an expert passed and nobody else can be asked", q.QuestionId);
            // Nobody still has it (every expert asked passed, no copied colleague is left): the question ends unanswered unless
            // the asker adds to it. L&D sees it as a gap or a bottleneck, as at routing time, and the asker is told.
            if (!routes.Any(r => r.PassedAt is null && r.AnsweredAt is null))
                await RecordDeadEndAsync(q, routes, skipped, now, cancellationToken).ConfigureAwait(false);
            return;
        }
        var n = next[0];
        var route = new RouteEntity
        {
            PartitionKey = q.QuestionId, RowKey = KeyEncoding.Encode(n.ExpertId), ExpertId = n.ExpertId, ExpertEmail = n.Email, ExpertName = n.Name,
            ExpertDepartment = n.Department, Rank = routes.Count + 1, Score = n.Score, Reason = n.Reason, AskedAt = now, Escalation = true,
        };
        if (await routesTable.TryAddAsync(route, cancellationToken).ConfigureAwait(false)) load.Record(n.ExpertId, q.ReceivedAt);
        await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("request", q.QuestionId, n.ExpertId), cancellationToken).ConfigureAwait(false);
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = OutcomeKinds.Escalated, QuestionId = q.QuestionId, At = now, ExpertId = n.ExpertId, AskerEmail = q.AskerEmail, Department = n.Department,
            Detail = $"asked in place of an expert who passed; score {n.Score:0.000}: {n.Reason}",
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Question {QuestionId}: {ExpertId} asked in place of an expert who passed", q.QuestionId, n.ExpertId);
    }

    /// <summary>
    /// The passes on a question that call for someone in their place. A colleague the asker copied took no place of those
    /// routing fills, so their pass asks nobody in their place — unless the question is with copied colleagues only
    /// (nobody else was close enough or free): then it would end unanswered.
    /// </summary>
    private static int PassesToReplace(IReadOnlyList<RouteEntity> routes)
    {
        var serviceAsked = routes.Any(r => !r.CopiedByAsker && !r.Escalation);
        return routes.Count(r => r.PassedAt is not null && (!r.CopiedByAsker || !serviceAsked));
    }

    /// <summary>"Name: reason; …" of the experts passed over, each line once.</summary>
    private static string Describe(IEnumerable<PassedOver> passedOver) =>
        string.Join("; ", passedOver.Select(x => $"{x.Candidate.Name}: {x.Reason}").Distinct());

    /// <summary>The words of <see cref="QuestionEntity.UnroutedReason"/> that mark a question every expert asked passed on.</summary>
    public const string EveryExpertPassed = "every expert asked passed";

    /// <summary>The words of <see cref="QuestionEntity.UnroutedReason"/> that mark a question whose experts asked are away.</summary>
    public const string ExpertsAway = "the experts asked are away or paused";

    /// <summary>
    /// Every expert asked passed and nobody else can be asked: the question, if still <see cref="QuestionStates.Routed"/>,
    /// becomes <see cref="QuestionStates.Unrouted"/> with the reason — a bottleneck when one who passed is away (an
    /// out-of-office reply, an away note, a pause or stop) or the others close enough were passed over (at the cap, away),
    /// else a knowledge gap — an <c>overloaded</c> or <c>gap</c> event records it for L&amp;D, and the asker is told. Once:
    /// a second escalation (another pass of the same moment, a retried message) finds the question no longer routed. A
    /// reply with more detail routes it again, to colleagues not asked before.
    /// </summary>
    private async Task RecordDeadEndAsync(QuestionEntity q, IReadOnlyList<RouteEntity> routes, IReadOnlyList<PassedOver> skipped, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (q.State != QuestionStates.Routed) return;
        // A second listing of someone already asked is the same person, not a colleague held back.
        var held = skipped.Where(x => !x.Reason.StartsWith("same mail address", StringComparison.Ordinal)).ToList();
        var away = routes.Where(r => r.PassedAway).Select(r => r.ExpertName).ToList();
        var why = away.Count > 0
            ? $"{EveryExpertPassed}; {ExpertsAway} ({string.Join(", ", away)})" + (held.Count > 0 ? $", and the others close enough were passed over ({Describe(held)})" : "")
            : held.Count > 0
                ? $"{EveryExpertPassed}, and " + (held.Count == 1 ? "the one other close enough was passed over" : $"all {held.Count} others close enough were passed over") +
                  $" ({Describe(held)})"
                : $"{EveryExpertPassed}, and nobody else is close enough";
        var bottleneck = away.Count > 0 || held.Count > 0;
        q.State = QuestionStates.Unrouted;
        q.UnroutedReason = (bottleneck ? "knowledge bottleneck: " : "knowledge gap: ") + why;
        if (!await storage.Table(TableNames.Questions).TryReplaceAsync(q, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Question {QuestionId} changed while escalating (an answer or a reply came in); leaving it as it is", q.QuestionId);
            return;
        }
        // An answer taken in meanwhile (answers write the route, not the question): the question is not at a dead end.
        var fresh = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, cancellationToken).ConfigureAwait(false);
        if (fresh.Any(r => r.AnsweredAt is not null || r.PassedAt is null))
        {
            q.State = QuestionStates.Routed;
            q.UnroutedReason = "";
            await storage.Table(TableNames.Questions).TryReplaceAsync(q, cancellationToken).ConfigureAwait(false);
            return;
        }
        await outcomes.AppendAsync(new OutcomeEntity
        {
            Kind = bottleneck ? OutcomeKinds.Overloaded : OutcomeKinds.Gap, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail, Detail = why,
        }, cancellationToken).ConfigureAwait(false);
        await storage.Queue(QueueNames.OutboundMail).SendJsonAsync(new OutboundMailMessage("notice", q.QuestionId, null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the ranked candidate pool stored with a question.</summary>
    public static IReadOnlyList<RankedCandidate> Candidates(QuestionEntity q) =>
        JsonSerializer.Deserialize<List<RankedCandidate>>(q.CandidatesJson, Json) ?? [];
}
