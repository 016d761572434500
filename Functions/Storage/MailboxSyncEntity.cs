namespace SocialLearning.Storage;

/// <summary>
/// Row of the <c>Subscriptions</c> table holding the delta-query state of a mailbox's inbox, apart from its subscriptions
/// (a catch-up runs whether or not a subscription could be created, and replacing a subscription never touches it).
/// PartitionKey = <see cref="PartitionFor"/> (<c>sync-</c> and the encoded, lower-case mailbox address), RowKey =
/// <see cref="InboxRowKey"/>.
/// </summary>
public sealed class MailboxSyncEntity : EntityBase
{
    /// <summary>RowKey of the inbox's state: <c>inbox</c>.</summary>
    public const string InboxRowKey = "inbox";

    /// <summary>PartitionKey for <paramref name="mailbox"/>: <c>sync-</c> + <see cref="SubscriptionEntity.PartitionFor"/>.</summary>
    public static string PartitionFor(string mailbox) => "sync-" + SubscriptionEntity.PartitionFor(mailbox);

    /// <summary>Where the next catch-up resumes: the <c>@odata.deltaLink</c> of the last completed round, or — while
    /// <see cref="RoundInProgress"/> — the <c>@odata.nextLink</c> of the last page a round got through; empty before the first.</summary>
    public string DeltaLink { get; set; } = "";

    /// <summary>True when <see cref="DeltaLink"/> is a page link of a round that has not finished (a large first sync is
    /// saved every <c>MailboxCatchUp.ProgressEveryPages</c> pages, so a run cut off by the function timeout resumes there).</summary>
    public bool RoundInProgress { get; set; }

    /// <summary>
    /// Mail received before this instant (UTC) is never taken in by a catch-up: the first sync's start minus
    /// <c>Graph:InitialCatchUpHours</c>. A delta round also returns old messages whose read state or flag changed (Graph
    /// emits those whatever the filter), and such a message was never a question for this service.
    /// </summary>
    public DateTimeOffset ReceivedFloor { get; set; }

    /// <summary>When the last round completed (UTC); null if none has.</summary>
    public DateTimeOffset? CaughtUpAt { get; set; }
}
