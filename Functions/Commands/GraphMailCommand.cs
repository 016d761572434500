using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Intake;
using SocialLearning.Mail;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>
/// <c>mail subscribe</c> and <c>mail catchup</c>: run the Graph subscription keeper or a delta catch-up on demand, with the
/// same handlers the <c>RenewMailSubscription</c> and <c>CatchUpMailbox</c> timers call. Needs <c>Mail__Transport=Graph</c>
/// and the Graph settings in the environment, and a signed-in identity (<c>az login</c>) with the app's permissions.
/// </summary>
public static class GraphMailCommand
{
    /// <summary>Runs <paramref name="action"/> ("subscribe" or "catchup"); returns the exit code.</summary>
    public static async Task<int> RunAsync(string action, CancellationToken cancellationToken)
    {
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), cancellationToken).ConfigureAwait(false);
        var mail = host.Services.GetRequiredService<IOptions<MailOptions>>().Value;
        if (!mail.IsGraph)
        {
            AnsiConsole.MarkupLine("[red]Mail:Transport is not Graph.[/] Set Mail__Transport=Graph, Mail__SharedAddress, Graph__NotificationUrl and Graph__LifecycleNotificationUrl (README, \"Microsoft Graph\").");
            return 2;
        }
        try
        {
            if (action == "subscribe")
            {
                var row = await host.Services.GetRequiredService<MailSubscriptionKeeper>().EnsureAsync(cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLine($"Subscription [bold]{Markup.Escape(row.SubscriptionId)}[/] on {Markup.Escape(row.Resource)} is good until {row.ExpiresAt:u}.");
            }
            else
            {
                var result = await host.Services.GetRequiredService<MailboxCatchUp>().RunAsync("command line", cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLine($"Enqueued [bold]{result.Enqueued}[/] messages from {result.Pages} delta pages{(result.Initial ? " (a new round)" : "")}" +
                    $"{(result.Skipped > 0 ? $", skipped {result.Skipped} received before {result.Floor:u} (changed, not new)" : "")}; intake dedupes what was seen before.");
            }
            return 0;
        }
        catch (Exception ex) when (ex is MailboxAccessDeniedException or MailboxThrottledException)
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] {Markup.Escape(ex.Message)}");
            return 1;
        }
        catch (ApiException ex)
        {
            AnsiConsole.MarkupLine($"[red]Microsoft Graph answered HTTP {ex.ResponseStatusCode}:[/] {Markup.Escape(ex.Message.Split('\n')[0])}");
            return 1;
        }
    }
}
