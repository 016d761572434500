namespace SocialLearning.Routing;

/// <summary>
/// The requests each expert received recently, kept in memory for the load term of the <see cref="Matching.HybridRanker"/>
/// (zero table reads per question). <see cref="RouteQuestionHandler"/> records every request it sends at the question's
/// time; <see cref="QuestionRouter"/> asks, for a question, how many requests each expert received within the
/// <see cref="Window"/> before that question's time. Keyed by question time rather than wall-clock time, so a replay of
/// old mail (the dump demo) sees the load the evaluation simulates. Thread-safe.
/// </summary>
/// <remarks>Per process: a restarted or scaled-out worker starts from zero and only sees its own requests, so the term
/// softens load rather than enforcing a cap.</remarks>
public sealed class ExpertLoad
{
    /// <summary>The load window: 7 days (the capacity rule of the evaluation: 3 requests per expert per 7 days).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _requests = new(StringComparer.Ordinal);

    /// <summary>Records one request to <paramref name="expertId"/> for a question received at <paramref name="at"/>.</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="at">The question's time.</param>
    public void Record(string expertId, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(expertId);
        lock (_lock)
        {
            if (!_requests.TryGetValue(expertId, out var list)) _requests[expertId] = list = [];
            list.Add(at);
            // Keep the list short: nothing older than 4 windows before the newest request can count again.
            if (list.Count > 64) list.RemoveAll(t => t < at - (4 * Window));
        }
    }

    /// <summary>Requests to <paramref name="expertId"/> recorded at a time in (<paramref name="asOf"/> − <see cref="Window"/>, <paramref name="asOf"/>].</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="asOf">The question's time.</param>
    public int Count(string expertId, DateTimeOffset asOf)
    {
        var since = asOf - Window;
        lock (_lock)
        {
            if (!_requests.TryGetValue(expertId, out var list)) return 0;
            var n = 0;
            foreach (var t in list)
            {
                if (t > since && t <= asOf) n++;
            }
            return n;
        }
    }
}
