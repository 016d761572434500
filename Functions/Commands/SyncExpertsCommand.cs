using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Experts;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>The <c>sync-experts</c> verb: <see cref="GraphExpertSync.SyncAsync"/> once, from the command line.</summary>
public static class SyncExpertsCommand
{
    /// <summary>Runs one sync and prints the counts and the skipped members; returns 0, 1 when Graph refused or did not
    /// answer, 2 when no Graph token could be had.</summary>
    /// <param name="groupId">Group object id overriding <c>Graph:ExpertGroupId</c>, or null.</param>
    /// <param name="cancellationToken">Cancels the sync.</param>
    public static async Task<int> RunAsync(string? groupId, CancellationToken cancellationToken)
    {
        var root = CommandHost.RepoRoot();
        var overrides = new Dictionary<string, string?>();
        if (!string.IsNullOrWhiteSpace(groupId)) overrides["Graph:ExpertGroupId"] = groupId;
        await using var host = await CommandHost.StartAsync(overrides, Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), cancellationToken).ConfigureAwait(false);
        GraphSyncResult r;
        try
        {
            r = await host.Services.GetRequiredService<GraphExpertSync>().SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            var code = (ex as ODataError)?.Error?.Code ?? "";
            var message = (ex as ODataError)?.Error?.Message ?? ex.Message;
            AnsiConsole.MarkupLine($"[red]Microsoft Graph answered HTTP {ex.ResponseStatusCode}[/] {Markup.Escape(code)}: {Markup.Escape(message)}");
            return 1;
        }
        catch (HttpRequestException ex)
        {
            AnsiConsole.MarkupLine($"[red]Microsoft Graph did not answer[/] (Graph:BaseUrl): {Markup.Escape(ex.Message)}");
            return 1;
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            AnsiConsole.MarkupLine("[red]Error:[/] could not get a Microsoft Graph token with DefaultAzureCredential (managed identity, Azure CLI, …): " +
                                   Markup.Escape(ex.Message.Split('\n', 2)[0].Trim()));
            return 2;
        }

        AnsiConsole.MarkupLine($"Synced [bold]{r.Members}[/] group members ({r.Pages} page(s)) in {r.Elapsed.TotalSeconds:0.0} s: {r.Profiles} profiles, " +
                               $"{r.Embedded} embedded, {r.Reactivated} reactivated, {r.Deactivated} deactivated, {r.Skipped.Count} skipped.");
        foreach (var s in r.Skipped)
            AnsiConsole.MarkupLine($"  [yellow]skipped[/] {Markup.Escape(s.DisplayName)} ({Markup.Escape(s.UserId)}): {Markup.Escape(s.Reason)}");
        return 0;
    }
}
