using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Mail;

/// <summary>
/// Handles <c>outbound-mail</c>: composes the mail from stored state and sends it through the <see cref="IMailbox"/>.
/// A request already sent (its route has <see cref="RouteEntity.RequestSentAt"/>) is not sent again.
/// </summary>
public sealed class OutboundMailHandler(IMailbox mailbox, StorageClients storage, IOptions<MailOptions> mail, TimeProvider time, ILogger<OutboundMailHandler> logger)
{
    /// <summary>Sends one mail. Throws <see cref="InvalidOperationException"/> for an unknown kind or missing state.</summary>
    public async Task HandleAsync(OutboundMailMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != "request" || message.ExpertId is null)
            throw new InvalidOperationException($"Unknown outbound mail kind '{message.Kind}'.");
        var question = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(message.QuestionId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"Question {message.QuestionId} does not exist.");
        var routes = storage.Table(TableNames.Routes);
        var route = await routes.GetOrNullAsync<RouteEntity>(message.QuestionId, KeyEncoding.Encode(message.ExpertId), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Route {message.QuestionId} → {message.ExpertId} does not exist.");
        if (route.RequestSentAt is not null)
        {
            logger.LogInformation("Request {QuestionId} to {ExpertId} was sent before; not sending again", message.QuestionId, message.ExpertId);
            return;
        }
        var mime = RoutedRequestComposer.Compose(question, route, mail.Value);
        await mailbox.SendAsync(mime, $"request:{question.QuestionId}:{route.ExpertId}", cancellationToken).ConfigureAwait(false);
        route.RequestSentAt = time.GetUtcNow();
        await routes.TryReplaceAsync(route, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sent request {QuestionId} to {ExpertEmail}", message.QuestionId, route.ExpertEmail);
    }
}
