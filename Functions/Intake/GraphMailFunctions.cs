using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Mail;
using SocialLearning.Storage;

namespace SocialLearning.Intake;

/// <summary>
/// Function adapters of the Graph mail path: the two webhooks, the lifecycle queue, the subscription keeper and the
/// catch-up timers. The class takes only the service provider, so a validation request is answered from the query string
/// alone, before any handler, storage or Graph client is built (Graph allows 10 s, a cold start must not eat them).
/// Timers do nothing while <c>Mail:Transport</c> is Maildir.
/// </summary>
public sealed class GraphMailFunctions(IServiceProvider services)
{
    /// <summary>
    /// POST from Graph with change notifications (<see cref="GraphNotificationHandler"/>), or the validation handshake
    /// (<see cref="GraphValidation"/>). Anonymous: Graph cannot send a function key header; every notification is
    /// authenticated by its clientState.
    /// </summary>
    [Function("ReceiveGraphNotification")]
    public async Task<IActionResult> ReceiveGraphNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (Validation(request) is { } echo) return echo;
        var result = await services.GetRequiredService<GraphNotificationHandler>().HandleAsync(request.Body, cancellationToken).ConfigureAwait(false);
        return ToResult(result);
    }

    /// <summary>POST from Graph with lifecycle notifications (<see cref="GraphLifecycleHandler"/>), or the validation handshake.</summary>
    [Function("ReceiveLifecycleNotification")]
    public async Task<IActionResult> ReceiveLifecycleNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (Validation(request) is { } echo) return echo;
        var result = await services.GetRequiredService<GraphLifecycleHandler>().HandleAsync(request.Body, cancellationToken).ConfigureAwait(false);
        return ToResult(result);
    }

    /// <summary><c>mail-lifecycle</c> queue trigger → <see cref="MailLifecycleHandler"/>.</summary>
    [Function("ProcessMailLifecycle")]
    public Task ProcessMailLifecycle([QueueTrigger(QueueNames.MailLifecycle)] MailLifecycleMessage message, CancellationToken cancellationToken) =>
        services.GetRequiredService<MailLifecycleHandler>().HandleAsync(message, cancellationToken);

    /// <summary>Hourly (minute 7): creates or renews the inbox subscription (<see cref="MailSubscriptionKeeper"/>).</summary>
    [Function("RenewMailSubscription")]
    public async Task RenewMailSubscription([TimerTrigger("0 7 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (!GraphOn()) return;
        await RunTimerAsync("RenewMailSubscription", ct => services.GetRequiredService<MailSubscriptionKeeper>().EnsureAsync(ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every 15 minutes: delta catch-up of the inbox (<see cref="MailboxCatchUp"/>).</summary>
    [Function("CatchUpMailbox")]
    public async Task CatchUpMailbox([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (!GraphOn()) return;
        await RunTimerAsync("CatchUpMailbox", ct => services.GetRequiredService<MailboxCatchUp>().RunAsync("timer", ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The validation answer when <paramref name="request"/> carries a <c>validationToken</c>, else null.</summary>
    public static IActionResult? Validation(HttpRequest request) =>
        GraphValidation.TokenFrom(request.QueryString.Value) is { } token
            ? new ContentResult { StatusCode = StatusCodes.Status200OK, ContentType = "text/plain; charset=utf-8", Content = token }
            : null;

    private static IActionResult ToResult(WebhookResult result) => result.Text is null
        ? new StatusCodeResult(result.StatusCode)
        : new ContentResult { StatusCode = result.StatusCode, ContentType = "text/plain; charset=utf-8", Content = result.Text };

    private bool GraphOn() => services.GetRequiredService<IOptions<MailOptions>>().Value.IsGraph;

    /// <summary>
    /// A timer's work: a permission error is logged as an error naming the mailbox and permission (the next tick tries
    /// again, an hour or 15 minutes later: no storm); throttling is logged and left to the next tick.
    /// </summary>
    private async Task RunTimerAsync<T>(string name, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILogger<GraphMailFunctions>>();
        try
        {
            await work(cancellationToken).ConfigureAwait(false);
        }
        catch (MailboxAccessDeniedException ex)
        {
            logger.LogError("{Function} failed permanently until the permission is granted: {Reason}", name, ex.Message);
        }
        catch (MailboxThrottledException ex)
        {
            logger.LogWarning("{Function} was throttled by Graph ({Status}, retry after {Delay}); the next run catches up", name, ex.Status, ex.RetryAfter);
        }
    }
}
