using SocialLearning.Commands;
using Spectre.Console;

namespace SocialLearning.Tests.Support;

/// <summary>
/// Runs a command verb as <c>dotnet run --project Functions -- …</c> would, against the test Azurite and Maildir, and
/// captures what it prints (no colours, 200 columns so table cells do not wrap). It swaps process-wide state (environment
/// variables, <see cref="AnsiConsole.Console"/>), so its callers run in the "Azurite" collection, one at a time.
/// </summary>
internal static class Cli
{
    public static async Task<(int Code, string Output)> RunAsync(string connection, string mailRoot, params string[] args)
    {
        var saved = (Environment.GetEnvironmentVariable("Storage__ConnectionString"), Environment.GetEnvironmentVariable("Mail__MaildirRoot"), AnsiConsole.Console);
        var writer = new StringWriter();
        try
        {
            Environment.SetEnvironmentVariable("Storage__ConnectionString", connection);
            Environment.SetEnvironmentVariable("Mail__MaildirRoot", mailRoot);
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            });
            console.Profile.Width = 200;
            AnsiConsole.Console = console;
            var code = await CommandLineApp.RunAsync(args);
            return (code, writer.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("Storage__ConnectionString", saved.Item1);
            Environment.SetEnvironmentVariable("Mail__MaildirRoot", saved.Item2);
            AnsiConsole.Console = saved.Item3;
        }
    }
}
