namespace SocialLearning.Routing;

/// <summary>
/// The requests each expert received recently, kept in memory for the load term of the <see cref="Matching.HybridRanker"/>
/// (zero table reads per question). <see cref="RouteQuestionHandler"/> records every request it sends;
/// <see cref="QuestionRouter"/> asks for the count within <see cref="Window"/>. Thread-safe.
/// </summary>
/// <remarks>Per process: a restarted or scaled-out worker starts from zero and only sees its own requests, so the term
/// softens load rather than enforcing a cap.</remarks>
public sealed class ExpertLoad(TimeProvider time)
{
    /// <summary>The load window: 7 days (the capacity rule of the evaluation: 3 requests per expert per 7 days).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _requests = new(StringComparer.Ordinal);

    /// <summary>Records one request to <paramref name="expertId"/> at <paramref name="at"/>.</summary>
    /// <param name="expertId">Expert id.</param>
    /// <param name="at">When the request was decided.</param>
    public void Record(string expertId, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(expertId);
        lock (_lock)
        {
            if (!_requests.TryGetValue(expertId, out var q)) _requests[expertId] = q = new Queue<DateTimeOffset>();
            q.Enqueue(at);
        }
    }

    /// <summary>Requests to <paramref name="expertId"/> within the last <see cref="Window"/> (now from the <see cref="TimeProvider"/>).</summary>
    /// <param name="expertId">Expert id.</param>
    public int Count(string expertId)
    {
        var since = time.GetUtcNow() - Window;
        lock (_lock)
        {
            if (!_requests.TryGetValue(expertId, out var q)) return 0;
            while (q.Count > 0 && q.Peek() <= since) q.Dequeue();
            return q.Count;
        }
    }
}
