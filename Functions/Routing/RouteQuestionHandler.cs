using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Mail;
using SocialLearning.Outcomes;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>
/// Handles <c>route-question</c>: ranks the directory for a stored question, records the ranked candidate pool and one
/// route per asked expert, enqueues one <c>outbound-mail</c> request per route, moves the question to
/// <see cref="QuestionStates.Routed"/> (or <see cref="QuestionStates.Unrouted"/> plus a <c>gap</c> event when nobody can
/// be asked) and appends the <c>routed</c> events. A question that is no longer <see cref="QuestionStates.Received"/>
/// is left alone, so a repeated message changes nothing.
/// </summary>
public sealed class RouteQuestionHandler(
    QuestionRouter router,
    ExpertLoad load,
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
        if (q.State != QuestionStates.Received)
        {
            logger.LogInformation("Question {QuestionId} is already {State}; nothing to route", q.QuestionId, q.State);
            return;
        }

        var ranking = await router.RankAsync(q.Subject, q.Text, q.AskerEmail, null, cancellationToken, q.ReceivedAt).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var asked = router.SelectExperts(ranking.Candidates);
        var routes = storage.Table(TableNames.Routes);
        var outbound = storage.Queue(QueueNames.OutboundMail);
        for (var i = 0; i < asked.Count; i++)
        {
            var c = asked[i];
            var route = new RouteEntity
            {
                PartitionKey = q.QuestionId, RowKey = KeyEncoding.Encode(c.ExpertId), ExpertId = c.ExpertId, ExpertEmail = c.Email,
                ExpertName = c.Name, ExpertDepartment = c.Department, Rank = i + 1, Score = c.Score, Reason = c.Reason, AskedAt = now,
            };
            if (await routes.TryAddAsync(route, cancellationToken).ConfigureAwait(false)) load.Record(c.ExpertId, q.ReceivedAt);
            await outbound.SendJsonAsync(new OutboundMailMessage("request", q.QuestionId, c.ExpertId), cancellationToken).ConfigureAwait(false);
        }

        q.State = asked.Count > 0 ? QuestionStates.Routed : QuestionStates.Unrouted;
        q.RoutedAt = now;
        q.RouteMs = Math.Round(ranking.TotalMs, 2);
        q.CandidatesJson = JsonSerializer.Serialize(ranking.Candidates, Json);
        if (!await questions.TryReplaceAsync(q, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Question {QuestionId} changed while routing (another worker); leaving its state to that worker", q.QuestionId);
            return;
        }

        if (asked.Count == 0)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Gap, QuestionId = q.QuestionId, At = now, AskerEmail = q.AskerEmail, Detail = ranking.Candidates.Count == 0 ? "no available expert to ask" : $"no expert's evidence is close enough (best similarity {ranking.Candidates.Max(c => c.Similarity):0.00} < {options.Value.MinSimilarity:0.00})",
            }, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Question {QuestionId} could not be routed: no available expert close enough; recorded as a knowledge gap", q.QuestionId);
            return;
        }
        foreach (var c in asked)
        {
            await outcomes.AppendAsync(new OutcomeEntity
            {
                Kind = OutcomeKinds.Routed, QuestionId = q.QuestionId, At = now, ExpertId = c.ExpertId, AskerEmail = q.AskerEmail,
                Department = c.Department, Detail = $"score {c.Score:0.000}: {c.Reason}",
            }, cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Routed {QuestionId} to {ExpertCount} experts in {RouteMs:0.0} ms", q.QuestionId, asked.Count, ranking.TotalMs);
    }

    /// <summary>Reads the ranked candidate pool stored with a question.</summary>
    public static IReadOnlyList<RankedCandidate> Candidates(QuestionEntity q) =>
        JsonSerializer.Deserialize<List<RankedCandidate>>(q.CandidatesJson, Json) ?? [];
}
