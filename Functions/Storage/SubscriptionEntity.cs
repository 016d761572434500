namespace SocialLearning.Storage;

/// <summary>
/// Row of the <c>Subscriptions</c> table: one Graph change-notification subscription on a mailbox's inbox messages.
/// PartitionKey = <see cref="PartitionFor"/> (the encoded, lower-case mailbox address), RowKey = encoded subscription id.
/// The newest row (latest <see cref="ExpiresAt"/>) of a mailbox is its current subscription; it also carries the
/// mailbox's delta link, so a catch-up resumes where the last one stopped.
/// </summary>
public sealed class SubscriptionEntity : EntityBase
{
    /// <summary>PartitionKey of <paramref name="mailbox"/>: lower case, encoded (<see cref="KeyEncoding.Encode"/>).</summary>
    public static string PartitionFor(string mailbox) => KeyEncoding.Encode(mailbox.Trim().ToLowerInvariant());

    /// <summary>The mailbox address, e.g. <c>ask@contoso.example</c>.</summary>
    public string Mailbox { get; set; } = "";
    /// <summary>Graph subscription id (a GUID string).</summary>
    public string SubscriptionId { get; set; } = "";
    /// <summary>
    /// The random secret sent as <c>clientState</c> when the subscription was created (32 random bytes, Base64url, 43
    /// characters); every change and lifecycle notification must carry it.
    /// </summary>
    public string ClientState { get; set; } = "";
    /// <summary>The subscribed resource, e.g. <c>users/ask@contoso.example/mailFolders('Inbox')/messages</c>.</summary>
    public string Resource { get; set; } = "";
    /// <summary>When Graph ends the subscription unless it is renewed (UTC).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>When the subscription was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When it was last renewed or reauthorized; null if never.</summary>
    public DateTimeOffset? RenewedAt { get; set; }
    /// <summary>The <c>@odata.deltaLink</c> of the last completed catch-up on the inbox messages; empty before the first.</summary>
    public string DeltaLink { get; set; } = "";
    /// <summary>When the last catch-up completed; null if never.</summary>
    public DateTimeOffset? CaughtUpAt { get; set; }
}
