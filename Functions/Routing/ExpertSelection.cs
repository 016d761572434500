using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Experts;

namespace SocialLearning.Routing;

/// <summary>What <see cref="ExpertSelection.SelectAsync"/> does with the capacity cap.</summary>
public enum CapacityUse
{
    /// <summary>Routing: a place under the cap is reserved for each expert chosen (<see cref="ExpertCapacity.TryReserveAsync"/>, a write).</summary>
    Reserve,

    /// <summary>A preview (<c>ask</c>): requests are only counted (<see cref="ExpertCapacity.CheckAsync"/>); nothing is written.</summary>
    Count,
}

/// <summary>An expert of the ranked pool passed over by the selection, and why (out-of-office text or the capacity count).</summary>
/// <param name="Candidate">The expert as ranked.</param>
/// <param name="Reason">One line, e.g. <c>at capacity: 3 requests in 7 days (cap 3)</c> or the out-of-office reason.</param>
public sealed record PassedOver(RankedCandidate Candidate, string Reason);

/// <summary>The experts to ask, best first, and those passed over on the way.</summary>
/// <param name="Asked">At most the wanted number of experts, in rank order.</param>
/// <param name="Passed">Experts close enough who were passed over, in rank order, with the reason.</param>
public sealed record ExpertChoice(IReadOnlyList<RankedCandidate> Asked, IReadOnlyList<PassedOver> Passed);

/// <summary>
/// The one walk down a ranked pool that decides who is asked — used by routing (<see cref="RouteQuestionHandler"/>, with
/// <see cref="CapacityUse.Reserve"/>) and by the <c>ask</c> preview (<see cref="CapacityUse.Count"/>), so the preview
/// shows exactly what routing would do. In rank order: candidates not close enough (<see cref="QuestionRouter.IsAskable"/>)
/// are left out silently, and so are those below the question's average (<see cref="QuestionRouter.IsBelowAverage"/>)
/// unless nobody is asked yet; a second listing of a mail address already asked is passed over (one request per person); one who replied "pause" and whose pause still holds, one out of office at the time the request
/// would arrive (<see cref="IExpertAvailability"/>) or one at the capacity cap (<see cref="ExpertCapacity"/>) is passed
/// over with the reason; the rest are asked until enough are found.
/// </summary>
public sealed class ExpertSelection(
    Matching.ExpertDirectory directory,
    ExpertCapacity capacity,
    IExpertAvailability availability,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<ExpertSelection> logger)
{
    /// <summary>Walks <paramref name="candidates"/> (see the class summary).</summary>
    /// <param name="candidates">The ranked pool, best first.</param>
    /// <param name="want">Experts wanted, ≥ 1 (routing: <see cref="RoutingOptions.ExpertsPerQuestion"/>; escalation: 1).</param>
    /// <param name="use">Reserve places under the cap (routing) or only count requests (preview).</param>
    /// <param name="questionId">The question (its own reservation is not counted against it); "" for a preview.</param>
    /// <param name="questionReceivedAt">When the question was received: the capacity window ends there.</param>
    /// <param name="cancellationToken">Cancels the availability and storage calls.</param>
    /// <param name="alreadyAsked">(mail address, name) of the people already asked for this question (an escalation); a
    /// candidate with one of these addresses is passed over; null = nobody.</param>
    /// <returns>The asked experts and the passed-over ones.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="want"/> &lt; 1.</exception>
    public async Task<ExpertChoice> SelectAsync(IReadOnlyList<RankedCandidate> candidates, int want, CapacityUse use, string questionId,
        DateTimeOffset questionReceivedAt, CancellationToken cancellationToken, IEnumerable<(string Email, string Name)>? alreadyAsked = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(want, 1);
        var o = options.Value;
        var asked = new List<RankedCandidate>(want);
        var passed = new List<PassedOver>();
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        // One request per person: a second listing of an address already asked (the same person from two sources, two accounts
        // sharing a mailbox) is passed over, so nobody gets the same question twice.
        var people = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (email, name) in alreadyAsked ?? []) people.TryAdd(email, name);
        foreach (var c in candidates)
        {
            if (asked.Count >= want) break;
            if (!QuestionRouter.IsAskable(c, o.MinSimilarity)) continue;
            // Below the question's average (fused score ≤ 0) an expert is asked only as the question's first: a second or
            // third request to someone less likely than the average colleague to know is noise in their inbox.
            if (QuestionRouter.IsBelowAverage(c) && (asked.Count > 0 || people.Count > 0)) continue;
            if (!string.IsNullOrEmpty(c.Email) && people.TryGetValue(c.Email, out var same))
            {
                var reason = $"same mail address as {same}, already asked";
                passed.Add(new PassedOver(c, reason));
                logger.LogInformation("Question {QuestionId}: {ExpertId} passed over, {Reason}", questionId, c.ExpertId, reason);
                continue;
            }
            if (snapshot.Experts.TryGetValue(c.ExpertId, out var listed) && listed.IsPausedAt(time.GetUtcNow()))
            {
                var reason = $"paused until {listed.PausedUntil!.Value.UtcDateTime:yyyy-MM-dd} (replied \"pause\")";
                passed.Add(new PassedOver(c, reason));
                logger.LogInformation("Question {QuestionId}: {ExpertId} passed over, {Reason}", questionId, c.ExpertId, reason);
                continue;
            }

            // Out of office at the time the request would arrive: now, not the question's time (a replayed old question must
            // not be held against today's absence, nor an old absence against today).
            var away = await availability.CheckAsync(c.Email, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (!away.Available)
            {
                passed.Add(new PassedOver(c, away.Reason));
                logger.LogInformation("Question {QuestionId}: {ExpertId} passed over, {Reason}", questionId, c.ExpertId, away.Reason);
                continue;
            }

            // The cap is per person: requests held by other listings of the same address count too.
            var others = 0;
            if (capacity.Cap > 0)
            {
                foreach (var other in snapshot.ListingsOf(c.Email).Where(e => e.Id != c.ExpertId))
                    others += await capacity.CountAsync(other.Id, questionReceivedAt, questionId, cancellationToken).ConfigureAwait(false);
            }
            bool free;
            int held;
            if (others > 0 && await CountAsync(c.ExpertId).ConfigureAwait(false) is var mine && mine.Held + others >= capacity.Cap)
                (free, held) = (false, mine.Held + others);
            else
                (free, held) = use == CapacityUse.Reserve
                    ? await capacity.TryReserveAsync(c.ExpertId, questionId, questionReceivedAt, time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
                    : await CountAsync(c.ExpertId).ConfigureAwait(false);
            if (!free)
            {
                passed.Add(new PassedOver(c, CapacityReason(held, o)));
                logger.LogInformation("Question {QuestionId}: {ExpertId} passed over, at capacity ({Count} requests in {Days} days)",
                    questionId, c.ExpertId, held, o.CapacityWindowDays);
                continue;
            }

            asked.Add(c);
            if (!string.IsNullOrEmpty(c.Email)) people.TryAdd(c.Email, c.Name);
        }

        return new ExpertChoice(asked, passed);

        async Task<(bool Free, int Held)> CountAsync(string expertId)
        {
            var (atCap, count) = await capacity.CheckAsync(expertId, questionReceivedAt, questionId, cancellationToken).ConfigureAwait(false);
            return (!atCap, count);
        }
    }

    /// <summary>The reason for a pass at the cap: <c>at capacity: {held} requests in {days} days (cap {cap})</c>.</summary>
    /// <param name="held">Requests the expert holds for questions received in the window.</param>
    /// <param name="o">The routing options (window and cap).</param>
    internal static string CapacityReason(int held, RoutingOptions o) =>
        $"at capacity: {held} requests in {o.CapacityWindowDays} days (cap {o.MaxRequestsPerExpert})";
}
