using Microsoft.Azure.Functions.Worker;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Routing;

/// <summary>Function adapters of routing and outbound mail.</summary>
public sealed class RoutingFunctions(RouteQuestionHandler routing, OutboundMailHandler outbound)
{
    /// <summary><c>route-question</c> queue trigger → <see cref="RouteQuestionHandler"/>.</summary>
    [Function("RouteQuestion")]
    public Task RouteQuestion([QueueTrigger(QueueNames.RouteQuestion)] RouteQuestionMessage message, CancellationToken cancellationToken) =>
        routing.HandleAsync(message, cancellationToken);

    /// <summary><c>outbound-mail</c> queue trigger → <see cref="OutboundMailHandler"/>.</summary>
    [Function("SendOutboundMail")]
    public Task SendOutboundMail([QueueTrigger(QueueNames.OutboundMail)] OutboundMailMessage message, CancellationToken cancellationToken) =>
        outbound.HandleAsync(message, cancellationToken);
}
