namespace SocialLearning.Intake;

/// <summary>Queue message of <c>inbound-mail</c>: one mail in the shared mailbox to classify.</summary>
/// <param name="MessageRef">Mailbox reference (Maildir file name in <c>inbox/cur</c>, or a Graph message id).</param>
/// <param name="Source">"maildir" or "graph".</param>
public sealed record InboundMailMessage(string MessageRef, string Source = "maildir");
