namespace SocialLearning.Storage;

/// <summary>Table names (DESIGN.md, "Storage").</summary>
public static class TableNames
{
    /// <summary>Expert profiles with their centroid vectors; PartitionKey <c>expert</c>, RowKey expert id.</summary>
    public const string Experts = "Experts";
    /// <summary>Evidence per expert; PartitionKey expert id, RowKey source id.</summary>
    public const string Evidence = "Evidence";
    /// <summary>Questions; PartitionKey question id, RowKey <c>q</c>.</summary>
    public const string Questions = "Questions";
    /// <summary>Routed requests; PartitionKey question id, RowKey expert id.</summary>
    public const string Routes = "Routes";
    /// <summary>Append-only outcome events; PartitionKey <c>yyyy-MM</c>, RowKey time-ordered id.</summary>
    public const string Outcomes = "Outcomes";
    /// <summary>Inbound mail dedupe and classification; PartitionKey hash prefix, RowKey hashed Message-ID.</summary>
    public const string Messages = "Messages";
    /// <summary>Graph mail subscriptions; PartitionKey encoded mailbox, RowKey encoded subscription id (<see cref="SubscriptionEntity"/>).</summary>
    public const string Subscriptions = "Subscriptions";
    /// <summary>Requests each expert received (the hard capacity cap reads it); PartitionKey encoded expert id, RowKey question id.</summary>
    public const string ExpertRequests = "ExpertRequests";

    /// <summary>Mails taken in as part of a question's thread (replies, forwards); PartitionKey hash prefix, RowKey hashed
    /// Message-ID (<see cref="Intake.ThreadIndex"/>).</summary>
    public const string Threads = "Threads";

    /// <summary>Every table the service uses, for creation at start-up.</summary>
    public static readonly string[] All = [Experts, Evidence, Questions, Routes, Outcomes, Messages, ExpertRequests, Subscriptions, Threads];
}

/// <summary>Storage Queue names (DESIGN.md, "Storage"). Poison queues are <c>&lt;name&gt;-poison</c>.</summary>
public static class QueueNames
{
    /// <summary>One message per inbound mail to classify: <see cref="Intake.InboundMailMessage"/>.</summary>
    public const string InboundMail = "inbound-mail";
    /// <summary>One message per question to route: <see cref="Routing.RouteQuestionMessage"/>.</summary>
    public const string RouteQuestion = "route-question";
    /// <summary>Delayed messages for reminders and escalation.</summary>
    public const string RoutingTimers = "routing-timers";
    /// <summary>One message per outgoing mail: <see cref="Mail.OutboundMailMessage"/>.</summary>
    public const string OutboundMail = "outbound-mail";
    /// <summary>One message per verified Graph lifecycle notification: <see cref="Intake.MailLifecycleMessage"/>.</summary>
    public const string MailLifecycle = "mail-lifecycle";

    /// <summary>Every work queue (their poison queues are derived with <see cref="Poison"/>).</summary>
    public static readonly string[] All = [InboundMail, RouteQuestion, RoutingTimers, OutboundMail, MailLifecycle];

    /// <summary>The poison queue of <paramref name="queue"/>, as the Functions host names it.</summary>
    public static string Poison(string queue) => queue + "-poison";
}
