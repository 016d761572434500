namespace SocialLearning.Intake;

/// <summary>Queue message of <c>inbound-mail</c>: one mail in the shared mailbox to classify.</summary>
/// <param name="MessageRef">Mailbox reference (Maildir file name in <c>inbox/cur</c>, or a Graph message id).</param>
/// <param name="Source">"maildir" or "graph".</param>
/// <param name="Attempt">How many times the mail was not found yet (Graph: a message can be announced before it can be
/// read); 0 on the first delivery.</param>
/// <param name="Deferrals">How often intake put the mail back for a moment (<see cref="InboundMailHandler.DeferralDelays"/>):
/// it answers a mail not taken in yet (a reply-all to a question handled at the same moment), or it is a copied
/// colleague's reply to a question not routed yet. After the last delay it is taken as it is.</param>
/// <param name="DeferToken">The token the deferral wrote on the mail's claim (the Messages row): a second queue message for
/// the same mail (a repeated notification) that does not carry it is a duplicate while the deferred one waits.</param>
public sealed record InboundMailMessage(string MessageRef, string Source = "maildir", int Attempt = 0, int Deferrals = 0, string? DeferToken = null)
{
    /// <summary>The <see cref="Source"/> of mail announced by Microsoft Graph (change notification or catch-up).</summary>
    public const string GraphSource = "graph";
}
