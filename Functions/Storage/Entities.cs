using Azure;
using Azure.Data.Tables;

namespace SocialLearning.Storage;

/// <summary>Common <see cref="ITableEntity"/> plumbing for the service's entities.</summary>
public abstract class EntityBase : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }
}

/// <summary>
/// Row of the <c>Experts</c> table: PartitionKey <see cref="PartitionFor"/> (one of <see cref="ExpertShards.Count"/>
/// shards, <c>expert-0</c> … <c>expert-f</c>), RowKey = encoded expert id.
/// <see cref="Vector"/> is the profile centroid: little-endian float32, <see cref="VectorDimensions"/> values,
/// produced by <see cref="VectorModel"/>.
/// </summary>
/// <remarks>
/// Rows written before the directory was sharded live in <see cref="LegacyPartition"/>; readers still find them and
/// <c>import</c> / <c>reembed</c> move them to their shard.
/// </remarks>
public sealed class ExpertEntity : EntityBase
{
    /// <summary>The single partition the directory used before it was sharded: <c>expert</c>. Read for migration only.</summary>
    public const string LegacyPartition = "expert";

    /// <summary>
    /// PartitionKey of expert <paramref name="expertId"/>: <c>expert-{s}</c> with s = <see cref="ExpertShards.Of"/> in
    /// lower-case hex (<c>expert-0</c> … <c>expert-f</c>), so a point read needs only the id.
    /// </summary>
    /// <param name="expertId">Expert id, unencoded.</param>
    public static string PartitionFor(string expertId) => ShardPartitions[ExpertShards.Of(expertId)];

    /// <summary>Every shard partition, <c>expert-0</c> … <c>expert-f</c>, in shard order (index = shard number).</summary>
    public static IReadOnlyList<string> Partitions => ShardPartitions;

    private static readonly string[] ShardPartitions =
        Enumerable.Range(0, ExpertShards.Count).Select(s => "expert-" + ExpertShards.Hex(s)).ToArray();

    /// <summary>Expert id, unencoded.</summary>
    public string ExpertId { get; set; } = "";
    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";
    /// <summary>Mail address.</summary>
    public string Email { get; set; } = "";
    /// <summary>Department.</summary>
    public string Department { get; set; } = "";
    /// <summary>Job title.</summary>
    public string JobTitle { get; set; } = "";
    /// <summary>About-me text (plain).</summary>
    public string AboutMe { get; set; } = "";
    /// <summary>Skills joined by <c>"; "</c>.</summary>
    public string Skills { get; set; } = "";
    /// <summary>Answers in the profile period.</summary>
    public int AnswerCount { get; set; }
    /// <summary>Latest answer time.</summary>
    public DateTimeOffset? LastActive { get; set; }
    /// <summary>False when the expert left the directory (deactivated, never deleted).</summary>
    public bool Active { get; set; } = true;
    /// <summary>When <see cref="Active"/> last became false; null while active.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
    /// <summary>Why the expert was deactivated (e.g. "removed from group …", "account disabled"); empty while active.</summary>
    public string DeactivatedReason { get; set; } = "";
    /// <summary>True when the expert asked not to receive requests (replied "stop").</summary>
    public bool OptedOut { get; set; }
    /// <summary>No requests until this time (the expert replied "pause"); null when not paused.</summary>
    public DateTimeOffset? PausedUntil { get; set; }
    /// <summary>The standing last confirmed to the expert by mail: <c>stop</c>, or the pause's end as <c>yyyyMMdd</c>; empty
    /// before any. A "pause" or "stop" sets a standing already confirmed without a second mail (the mailbox of Graph cannot
    /// tell a repeated send).</summary>
    public string StandingConfirmed { get; set; } = "";
    /// <summary>Which mail set the current standing: 12 hex of the hash of the expert's "pause", "stop" or "resume" mail's
    /// mailbox reference. Each such mail is confirmed once (a retry of it sends nothing twice; a new one gets its own).</summary>
    public string StandingRef { get; set; } = "";
    /// <summary>The end the expert's last "pause" named but the service could not read as a date ("until mid-Q1"); empty
    /// when it was read or none was named. The confirmation says so.</summary>
    public string PauseUnread { get; set; } = "";
    /// <summary>Where the profile came from: "sample", "stackexchange", "csv", "graph".</summary>
    public string Source { get; set; } = "";
    /// <summary>SHA-256 of the profile text; re-embedding happens only when it changes.</summary>
    public string ProfileHash { get; set; } = "";
    /// <summary>Centroid vector, little-endian float32.</summary>
    public byte[]? Vector { get; set; }
    /// <summary>Embedding model id of <see cref="Vector"/>.</summary>
    public string VectorModel { get; set; } = "";
    /// <summary>Number of float32 values in <see cref="Vector"/>.</summary>
    public int VectorDimensions { get; set; }
}

/// <summary>
/// Row of the <c>Evidence</c> table: PartitionKey <see cref="PartitionFor"/> (<c>{shard}-{encoded expert id}</c>, one
/// partition per expert, prefixed with the expert's shard so a loader can read each shard with one PartitionKey range
/// query), RowKey = encoded source id.
/// </summary>
/// <remarks>Rows written before sharding have PartitionKey = encoded expert id (<see cref="LegacyPartitionFor"/>).</remarks>
public sealed class EvidenceEntity : EntityBase
{
    /// <summary>
    /// PartitionKey of the evidence of <paramref name="expertId"/>: the shard (<see cref="ExpertShards.Of"/>, one hex
    /// digit), a dash, the encoded id; e.g. <c>7-se-1234</c>.
    /// </summary>
    /// <param name="expertId">Expert id, unencoded.</param>
    public static string PartitionFor(string expertId) => ExpertShards.Hex(ExpertShards.Of(expertId)) + "-" + KeyEncoding.Encode(expertId);

    /// <summary>PartitionKey the expert's evidence had before sharding: the encoded expert id. Read for migration only.</summary>
    /// <param name="expertId">Expert id, unencoded.</param>
    public static string LegacyPartitionFor(string expertId) => KeyEncoding.Encode(expertId);

    /// <summary>
    /// The half-open PartitionKey range holding every evidence row of shard <paramref name="shard"/>:
    /// [<c>"{s}-"</c>, <c>"{s}."</c>) — '.' is the character after '-', so the range is exactly the keys that start with
    /// <c>"{s}-"</c>.
    /// </summary>
    /// <param name="shard">0 … <see cref="ExpertShards.Count"/> − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
    public static (string From, string To) ShardRange(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ExpertShards.Count);
        var s = ExpertShards.Hex(shard);
        return (s + "-", s + ".");
    }

    /// <summary>"answer", "skill" or "about".</summary>
    public string Kind { get; set; } = "";
    /// <summary>Short title used in routing reasons.</summary>
    public string Title { get; set; } = "";
    /// <summary>Plain text that was embedded.</summary>
    public string Text { get; set; } = "";
    /// <summary>When the evidence was created.</summary>
    public DateTimeOffset? When { get; set; }
    /// <summary>For an answer: when the answered question was asked (response time = <see cref="When"/> − this).</summary>
    public DateTimeOffset? AskedAt { get; set; }
    /// <summary>Evidence vector, little-endian float32.</summary>
    public byte[]? Vector { get; set; }
    /// <summary>Embedding model id.</summary>
    public string VectorModel { get; set; } = "";
    /// <summary>Dimensions of <see cref="Vector"/>.</summary>
    public int VectorDimensions { get; set; }
}

/// <summary>States of a question (ETag-guarded transitions).</summary>
public static class QuestionStates
{
    /// <summary>Stored, waiting for routing.</summary>
    public const string Received = "Received";
    /// <summary>Requests went to at least one expert.</summary>
    public const string Routed = "Routed";
    /// <summary>Nobody was asked; <see cref="QuestionEntity.UnroutedReason"/> says why: a knowledge gap, a bottleneck, or too
    /// little text to route.</summary>
    public const string Unrouted = "Unrouted";
}

/// <summary>Row of the <c>Questions</c> table: PartitionKey = question id, RowKey <see cref="Row"/>.</summary>
public sealed class QuestionEntity : EntityBase
{
    /// <summary>The only RowKey.</summary>
    public const string Row = "q";
    /// <summary>Question id, e.g. <c>Q-7KX2PD</c>.</summary>
    public string QuestionId { get; set; } = "";
    /// <summary>Dedupe key of the mail (hashed Message-ID).</summary>
    public string MessageKey { get; set; } = "";
    /// <summary>Internet Message-ID of the asker's mail (for threading relays).</summary>
    public string InternetMessageId { get; set; } = "";
    /// <summary>Asker's address.</summary>
    public string AskerEmail { get; set; } = "";
    /// <summary>Asker's display name.</summary>
    public string AskerName { get; set; } = "";
    /// <summary>Subject as mailed.</summary>
    public string Subject { get; set; } = "";
    /// <summary>Extracted question text (quotes and signatures removed).</summary>
    public string Text { get; set; } = "";
    /// <summary>When the mail was received (its Date header, else the time of intake).</summary>
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>One of <see cref="QuestionStates"/>.</summary>
    public string State { get; set; } = QuestionStates.Received;
    /// <summary>When routing decided.</summary>
    public DateTimeOffset? RoutedAt { get; set; }
    /// <summary>Embed + rank time of the routing decision, milliseconds.</summary>
    public double RouteMs { get; set; }
    /// <summary>The ranked candidate pool (JSON array of <see cref="Routing.RankedCandidate"/>), best first, before availability filters.</summary>
    public string CandidatesJson { get; set; } = "[]";
    /// <summary>Why nobody was asked, when the question is <see cref="QuestionStates.Unrouted"/>: a knowledge gap (nobody
    /// close enough), a bottleneck (everyone close enough at capacity or away) or "too little text to route" (see
    /// <see cref="Routing.RoutableText"/>); empty otherwise.</summary>
    public string UnroutedReason { get; set; } = "";
    /// <summary>
    /// What the asker wrote in the thread after asking (more detail, "that fixed it, thanks"), in arrival order:
    /// <see cref="Mail.AskerReplies"/> form (a JSON array of {at, text, ref}), at most <see cref="Mail.AskerReplies.MaxReplies"/>.
    /// Relayed to the experts who answered, or while nobody has, to those still asked. Empty for none.
    /// </summary>
    public string AskerRepliesJson { get; set; } = "";
    /// <summary>
    /// The colleagues the asker's mail also went to (its To and Cc other than the shared address and the asker): mail
    /// addresses, lower case, joined by "; "; empty when none. They have the question already: routing sends none of them a
    /// request, and one the ranking would have asked gets a route marked <see cref="RouteEntity.CopiedByAsker"/>, so their
    /// reply-all is recorded as an answer.
    /// </summary>
    public string Copied { get; set; } = "";
    /// <summary>Passes that a new routing replaced (the asker added detail after every expert asked had passed, and the
    /// question was routed again to others): they need no escalation any more.</summary>
    public int ReroutedPasses { get; set; }

    /// <summary>The addresses of a "; "-joined list such as <see cref="Copied"/>, trimmed, empty entries left out.</summary>
    /// <param name="joined">The stored list; empty for none.</param>
    public static string[] Addresses(string joined) =>
        (joined ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    /// <summary>
    /// When the asker wrote, before any answer, that the question needs none any more ("Never mind, found it";
    /// <see cref="Intake.ReplyCommands.IsResolvedByAsker"/>); null otherwise. The experts still asked are told, nobody is
    /// asked in place of one who passes, and an unrouted question is not routed again. Answers still arriving are
    /// recorded and relayed.
    /// </summary>
    public DateTimeOffset? ResolvedByAskerAt { get; set; }
    /// <summary>The key (<see cref="Mail.AskerReplies.Key"/>) of the asker's reply that resolved the question
    /// (<see cref="ResolvedByAskerAt"/>), so only that reply is worded to the experts as "no longer needs an answer"; empty
    /// otherwise.</summary>
    public string ResolvedByAskerRef { get; set; } = "";
}

/// <summary>
/// Row of the <c>ExpertRequests</c> table: one request sent to an expert. PartitionKey = encoded expert id, RowKey = question
/// id, so the requests of one expert in a time window are one partition query (<see cref="Routing.ExpertCapacity"/>).
/// </summary>
public sealed class ExpertRequestEntity : EntityBase
{
    /// <summary>Expert id, unencoded.</summary>
    public string ExpertId { get; set; } = "";
    /// <summary>The question asked.</summary>
    public string QuestionId { get; set; } = "";
    /// <summary>When the question was received (the capacity window is measured on question time, so replays of old mail
    /// see the load they would have seen live).</summary>
    public DateTimeOffset QuestionReceivedAt { get; set; }
    /// <summary>When the route was decided (wall clock).</summary>
    public DateTimeOffset AskedAt { get; set; }
}

/// <summary>Row of the <c>Routes</c> table: PartitionKey = question id, RowKey = encoded expert id.</summary>
public sealed class RouteEntity : EntityBase
{
    /// <summary>Expert id, unencoded.</summary>
    public string ExpertId { get; set; } = "";
    /// <summary>Expert's address.</summary>
    public string ExpertEmail { get; set; } = "";
    /// <summary>Expert's name.</summary>
    public string ExpertName { get; set; } = "";
    /// <summary>Expert's department.</summary>
    public string ExpertDepartment { get; set; } = "";
    /// <summary>1-based rank among the asked experts.</summary>
    public int Rank { get; set; }
    /// <summary>Ranking score (higher is better).</summary>
    public double Score { get; set; }
    /// <summary>Human-readable reason the expert was chosen.</summary>
    public string Reason { get; set; } = "";
    /// <summary>When the route was decided.</summary>
    public DateTimeOffset AskedAt { get; set; }
    /// <summary>When the request mail was handed to the mailbox; null until then.</summary>
    public DateTimeOffset? RequestSentAt { get; set; }
    /// <summary>When the expert answered.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }
    /// <summary>The expert's answer (visible reply text, quotes and signature removed).</summary>
    public string AnswerText { get; set; } = "";
    /// <summary>Mailbox reference (Maildir file name or Graph message id) of the mail that brought the answer: its files are
    /// read from it when the answer is relayed. Empty when unknown.</summary>
    public string AnswerMessageRef { get; set; } = "";
    /// <summary>Internet Message-ID of the mail that brought the answer (without angle brackets), so a reply to it — the asker
    /// answering an expert who wrote to them directly — is known to come after the answer. Empty when unknown.</summary>
    public string AnswerMessageId { get; set; } = "";
    /// <summary>Names of the files that came with the answer (<see cref="Mail.RelayAttachments"/>), joined by "; "; empty when none.</summary>
    public string AnswerAttachments { get; set; } = "";
    /// <summary>When the answer was handed to the mailbox for the asker; null until then.</summary>
    public DateTimeOffset? RelayedAt { get; set; }
    /// <summary>Further replies of the expert after their answer (corrections, additions), recorded.</summary>
    public int FollowUps { get; set; }
    /// <summary>How many of <see cref="FollowUps"/> have been relayed to the asker.</summary>
    public int FollowUpsRelayed { get; set; }
    /// <summary>The follow-ups not yet relayed, in the order sent (<see cref="Mail.FollowUpBuffer"/> format); empty when none is pending.</summary>
    public string FollowUpText { get; set; } = "";
    /// <summary>When the expert passed.</summary>
    public DateTimeOffset? PassedAt { get; set; }
    /// <summary>When the request timed out.</summary>
    public DateTimeOffset? TimedOutAt { get; set; }
    /// <summary>How many of the asker's replies in the thread (<see cref="QuestionEntity.AskerRepliesJson"/>) went to this expert.</summary>
    public int AskerRepliesRelayed { get; set; }
    /// <summary>True when this expert was asked in place of one who passed (escalation), not in the first routing.</summary>
    public bool Escalation { get; set; }
    /// <summary>
    /// The colleagues this expert handed the request to (forwarded it, with the shared address in copy): their mail
    /// addresses, lower case, joined by "; ". A reply from one of them in the thread is relayed as an answer. Empty when none.
    /// </summary>
    public string ReferredTo { get; set; } = "";
    /// <summary>
    /// Set on the route of a colleague the service did not ask but an asked expert brought in (<see cref="ReferredTo"/>):
    /// the name of that expert. Such a route has no request mail (<see cref="RequestSentAt"/> stays null). Empty otherwise.
    /// </summary>
    public string ReferredBy { get; set; } = "";
    /// <summary>
    /// True on the route of an expert the asker copied on the question (<see cref="QuestionEntity.Copied"/>) whom the ranking
    /// would have asked: no request mail is sent (<see cref="RequestSentAt"/> stays null), no place under the capacity cap
    /// is taken, <see cref="AskedAt"/> is the question's time (the asker's mail reached them then), and the route does not
    /// fill one of the places of <see cref="Routing.RoutingOptions.ExpertsPerQuestion"/>. Their reply is recorded like any
    /// asked expert's.
    /// </summary>
    public bool CopiedByAsker { get; set; }
    /// <summary>True when the expert's pass says they are away rather than that the question is not theirs: an out-of-office
    /// auto-reply, a typed away note, a "pause" or a "stop". A question that ends with nobody to ask is then a bottleneck
    /// (the one who knows is away), not a knowledge gap.</summary>
    public bool PassedAway { get; set; }
}

/// <summary>Row of the <c>Messages</c> table (inbound mail dedupe): PartitionKey = first 2 hex chars of the key, RowKey = key.</summary>
public sealed class MessageEntity : EntityBase
{
    /// <summary>Outcome of intake: "Question" or "NonQuestion".</summary>
    public string State { get; set; } = "";
    /// <summary><see cref="Intake.MailKind"/> name (or "Malformed").</summary>
    public string Kind { get; set; } = "";
    /// <summary>Why the mail got its state.</summary>
    public string Reason { get; set; } = "";
    /// <summary>Question id when it became a question.</summary>
    public string QuestionId { get; set; } = "";
    /// <summary>Internet Message-ID, when present.</summary>
    public string InternetMessageId { get; set; } = "";
    /// <summary>Sender address, when parseable.</summary>
    public string From { get; set; } = "";
    /// <summary>Subject, when parseable.</summary>
    public string Subject { get; set; } = "";
    /// <summary>Mailbox reference of the mail (Maildir file name or Graph message id).</summary>
    public string MessageRef { get; set; } = "";
    /// <summary>When intake finished.</summary>
    public DateTimeOffset ProcessedAt { get; set; }
}

/// <summary>Row of the <c>Threads</c> table: a mail taken in as part of a question's thread (<see cref="Intake.ThreadIndex"/>).</summary>
public sealed class ThreadEntity : EntityBase
{
    /// <summary>The question the mail belongs to.</summary>
    public string QuestionId { get; set; } = "";
}

/// <summary>Row of the <c>Outcomes</c> table: PartitionKey <c>yyyy-MM</c> of <see cref="At"/>, RowKey time-ordered and deterministic.</summary>
public sealed class OutcomeEntity : EntityBase
{
    /// <summary>Event kind (<see cref="Outcomes.OutcomeKinds"/>): received, routed, answered, acknowledged, passed, referred, escalated, relayed, followup, asker-reply, skipped, overloaded, too-short, gap.</summary>
    public string Kind { get; set; } = "";
    /// <summary>Question id.</summary>
    public string QuestionId { get; set; } = "";
    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>Expert concerned, if any.</summary>
    public string ExpertId { get; set; } = "";
    /// <summary>Asker's address.</summary>
    public string AskerEmail { get; set; } = "";
    /// <summary>Department of the expert (routed/answered), for knowledge-flow figures.</summary>
    public string Department { get; set; } = "";
    /// <summary>Free detail: expert list with scores, reason, feedback value.</summary>
    public string Detail { get; set; } = "";
    /// <summary>On <c>routed</c> and <c>copied</c> events: the expert's place in the route, 1-based (the events of one routing
    /// share an instant and read in this order); 0 on other events.</summary>
    public int Rank { get; set; }
}
