using System.Globalization;
using SocialLearning.Storage;

namespace SocialLearning.Outcomes;

/// <summary>Kinds of outcome events (DESIGN.md, Outcomes table).</summary>
public static class OutcomeKinds
{
    /// <summary>A question was stored.</summary>
    public const string Received = "received";
    /// <summary>Requests went to experts.</summary>
    public const string Routed = "routed";
    /// <summary>
    /// An expert the ranking would have asked was copied on the question by the asker (<see cref="Storage.QuestionEntity.Copied"/>):
    /// no request is sent, they do not take one of the places routing fills, and their reply is recorded as an asked
    /// expert's. Detail gives the score and reason as for <see cref="Routed"/>.
    /// </summary>
    public const string Copied = "copied";
    /// <summary>An expert answered.</summary>
    public const string Answered = "answered";
    /// <summary>An expert passed.</summary>
    public const string Passed = "passed";
    /// <summary>
    /// An asked expert handed the question to colleagues (forwarded the request with the shared address in copy): Detail
    /// names them and quotes the expert's note. Not a pass: nobody else is asked while the colleagues may answer.
    /// </summary>
    public const string Referred = "referred";
    /// <summary>An asked expert acknowledged the request without answering yet ("Thanks!", "On it", "Let me check and get back
    /// to you"): not an answer, nothing relayed; Detail quotes them.</summary>
    public const string Acknowledged = "acknowledged";
    /// <summary>The asker wrote in the thread after asking (more detail, thanks): Detail quotes it and says to which experts
    /// it was relayed.</summary>
    public const string AskerReply = "asker-reply";
    /// <summary>The question went to further experts.</summary>
    public const string Escalated = "escalated";
    /// <summary>An answer was relayed to the asker.</summary>
    public const string Relayed = "relayed";
    /// <summary>An asked expert asked the asker something before answering ("Which laptop model is it?"): relayed to the asker,
    /// whose reply goes back to the experts still asked; not an answer (no time to first answer, nothing learned). Detail
    /// quotes it.</summary>
    public const string Clarification = "clarification";
    /// <summary>An expert who had answered wrote again in the thread (a correction or an addition); it is relayed too.</summary>
    public const string FollowUp = "followup";
    /// <summary>The asker said what the answer was worth.</summary>
    public const string Feedback = "feedback";
    /// <summary>
    /// The asker wrote, before any answer, that the question needs none any more ("Never mind, found it - it's in the wiki"):
    /// Detail quotes them and says which experts still asked were told. For L&amp;D: a question its asker solved alone, how
    /// long after asking (minutes since received).
    /// </summary>
    public const string Resolved = "resolved";
    /// <summary>Nobody could be asked or nobody answered: a knowledge gap.</summary>
    public const string Gap = "gap";
    /// <summary>A close-enough expert was passed over (Detail says why: at capacity, out of office).</summary>
    public const string Skipped = "skipped";
    /// <summary>
    /// Experts who could answer exist, but every one of them was passed over (at capacity or away): a bottleneck, where the
    /// knowledge sits with too few people — not a knowledge gap.
    /// </summary>
    public const string Overloaded = "overloaded";
    /// <summary>
    /// The question has too little text to route (fewer than <see cref="Routing.RoutableText.MinContentWords"/> content
    /// words in subject + body, e.g. Subject "Quick question" with no body): stored, nobody asked; Detail gives the count
    /// and the rule. Not a knowledge gap.
    /// </summary>
    public const string TooShort = "too-short";
}

/// <summary>
/// The append-only outcome log (table <c>Outcomes</c>). Each event's RowKey is built from its own time, question
/// id, kind and expert (and, for events that several mails can raise in the same second, the mail's reference), so
/// appending the same event twice (a retried handler) leaves one row.
/// </summary>
public sealed class OutcomeLog(StorageClients storage)
{
    /// <summary>Appends <paramref name="e"/> unless the same event is already there.</summary>
    /// <param name="e">The event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <param name="source">The mail that raised it (its mailbox reference), when two mails may raise the same kind of
    /// event for the same question and expert within one second (Date headers have whole seconds); its hash joins the key.</param>
    public async Task AppendAsync(OutcomeEntity e, CancellationToken cancellationToken, string? source = null)
    {
        var at = e.At.ToUniversalTime();
        e.PartitionKey = at.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        e.RowKey = KeyEncoding.Encode(string.Join('_',
            new[] { at.ToString("yyyyMMdd'T'HHmmss.fffffff", CultureInfo.InvariantCulture), e.QuestionId, e.Kind, e.ExpertId,
                string.IsNullOrEmpty(source) ? "" : KeyEncoding.Hash(source)[..12] }.Where(s => s.Length > 0)));
        await storage.Table(TableNames.Outcomes).TryAddAsync(e, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every event, oldest first (partitions are months, RowKeys sort by time). Events of one question at the same
    /// instant read as they happened: <c>received</c>, then the <c>skipped</c> experts, then what routing concluded
    /// (<c>routed</c>, <c>escalated</c>, <c>overloaded</c>, <c>gap</c>), since the RowKey alone would put a conclusion such as
    /// "escalated: nobody else can be asked" above the skips that explain it; the experts routed in their rank order
    /// (<see cref="OutcomeEntity.Rank"/>), not by id.</summary>
    public async Task<List<OutcomeEntity>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var all = await storage.Table(TableNames.Outcomes).ReadAllAsync<OutcomeEntity>(null, cancellationToken).ConfigureAwait(false);
        return all.OrderBy(e => e.At.UtcTicks).ThenBy(e => e.QuestionId, StringComparer.Ordinal).ThenBy(e => SameInstantRank(e.Kind))
            .ThenBy(e => e.Rank).ThenBy(e => e.PartitionKey, StringComparer.Ordinal).ThenBy(e => e.RowKey, StringComparer.Ordinal).ToList();
    }

    /// <summary>Order of a question's events that share one instant: received 0, skipped 1, what routing concluded 2 (routed,
    /// copied, escalated, overloaded, gap, too-short), anything else 3 — a reply logged at its request's time (its Date was
    /// a little earlier) reads after the routing.</summary>
    private static int SameInstantRank(string kind) => kind switch
    {
        OutcomeKinds.Received => 0,
        OutcomeKinds.Skipped => 1,
        OutcomeKinds.Routed or OutcomeKinds.Copied or OutcomeKinds.Escalated or OutcomeKinds.Overloaded or OutcomeKinds.Gap or OutcomeKinds.TooShort => 2,
        _ => 3,
    };
}
