namespace SocialLearning.Intake;

/// <summary>Queue message of <c>inbound-mail</c>: one mail in the shared mailbox to classify.</summary>
/// <param name="MessageRef">Mailbox reference (Maildir file name in <c>inbox/cur</c>, or a Graph message id).</param>
/// <param name="Source">"maildir" or "graph".</param>
/// <param name="Attempt">How many times the mail was not found yet (Graph: a message can be announced before it can be
/// read); 0 on the first delivery.</param>
/// <param name="Deferred">True once intake put the mail back for <see cref="InboundMailHandler.UnknownThreadDelay"/>
/// because it answers a mail not taken in yet (a reply-all to a question handled at the same moment); the second time it
/// is taken as it is.</param>
public sealed record InboundMailMessage(string MessageRef, string Source = "maildir", int Attempt = 0, bool Deferred = false)
{
    /// <summary>The <see cref="Source"/> of mail announced by Microsoft Graph (change notification or catch-up).</summary>
    public const string GraphSource = "graph";
}
