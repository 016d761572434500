namespace SocialLearning.Experts;

/// <summary>Whether an expert can be asked at a given time, and why not.</summary>
/// <param name="Available">True when the expert may be asked.</param>
/// <param name="Reason">Why the expert is unavailable (e.g. <c>out of office until 2026-12-04 17:00 Pacific Standard Time
/// (automatic replies scheduled)</c>), or a note on an available result (e.g. that the setting could not be read); empty
/// when there is nothing to say.</param>
public sealed record ExpertAvailabilityResult(bool Available, string Reason)
{
    /// <summary>Available, nothing to add.</summary>
    public static ExpertAvailabilityResult Yes { get; } = new(true, "");

    /// <summary>Unavailable for <paramref name="reason"/>.</summary>
    /// <param name="reason">Human-readable reason, recorded with the routing decision.</param>
    public static ExpertAvailabilityResult No(string reason) => new(false, reason);
}

/// <summary>
/// Tells whether an expert may be asked at a given time (today: their automatic replies, "out of office"). Routing asks
/// it for each selected expert before sending a request and skips those that are unavailable, recording the reason.
/// Implementations never throw for a lookup failure: an expert whose state cannot be read counts as available, so
/// availability never blocks routing.
/// </summary>
public interface IExpertAvailability
{
    /// <summary>Checks one expert.</summary>
    /// <param name="expertEmail">The expert's mail address (the Graph user's <c>mail</c>).</param>
    /// <param name="at">The time the request would reach them (normally the question's time or now), any offset.</param>
    /// <param name="cancellationToken">Cancels the lookup; the only exception an implementation lets through is
    /// <see cref="OperationCanceledException"/> for this token.</param>
    /// <returns>Available, or unavailable with the reason.</returns>
    Task<ExpertAvailabilityResult> CheckAsync(string expertEmail, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Every expert is always available: the local (Maildir) transport, which has no mailbox settings to read.</summary>
public sealed class AlwaysAvailable : IExpertAvailability
{
    /// <inheritdoc />
    public Task<ExpertAvailabilityResult> CheckAsync(string expertEmail, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(ExpertAvailabilityResult.Yes);
}
