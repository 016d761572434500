using System.ClientModel;
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialLearning.Experts;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>
/// The local command verbs (<c>dotnet run --project Functions -- &lt;verb&gt;</c>): demo, import, sync-experts, reembed, ask, outcomes, intake, evaluate, mail. Without a
/// verb, Program starts the Functions worker instead.
/// </summary>
public static partial class CommandLineApp
{
    /// <summary>The verbs this app knows; a first argument among them selects command mode.</summary>
    public static readonly string[] Verbs = ["demo", "process", "import", "sync-experts", "reembed", "experts", "ask", "outcomes", "intake", "evaluate", "mail", "--help", "-h", "-?", "--version"];

    /// <summary>Parses and runs the command line; returns the exit code (0 ok, 1 failure, 2 bad settings).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // Spectre.Console assumes 80 columns when output is redirected; tables read better wider in logs and CI.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        // Ctrl-C and SIGTERM are handled here, not by System.CommandLine: its handler cancels the command's token on the
        // signal thread (an exception from a cancellation callback is then unhandled), completes its own task a second
        // time on a second signal (dotnet run forwards the signal the child already got: InvalidOperationException) and
        // returns after 2 s whether or not the command finished, so Azurite was not stopped nor the lock released.
        using var stop = new CancellationTokenSource();
        using var signals = StopSignals.Register(stop);
        return await BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token).ConfigureAwait(false);
    }

    /// <summary>The command tree: every verb with its options and action (parsing it runs nothing).</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("SocialLearning — route questions mailed to a shared address to the colleagues most likely to know the answer.");

        var dump = FolderOption("--dump", "../shared/data/cqa/<site>/raw", "A Stack Exchange data-dump site folder (Posts.xml, Users.xml, or its raw/ folder): use its profile period as the directory and its test questions as mails.");
        var mailbox = FolderOption("--mailbox", ".local/demo-mailbox", "Folder for the local inbox/ and outbox/ Maildirs (default: .local/demo-mailbox). Mail already in its inbox is processed too.");
        var json = FileOption("--json", "demo.json", "Write a JSON summary to this file.");
        var demo = new Command("demo", "Run the main job end to end on local defaults and print question → experts.") { dump, mailbox, json };
        demo.SetAction((r, ct) => Guarded(() => DemoCommand.RunAsync(r.GetValue(dump)?.FullName, r.GetValue(mailbox)?.FullName, r.GetValue(json)?.FullName, ct), ct));
        root.Add(demo);

        var importDump = FolderOption("--dump", "../shared/data/cqa/<site>/raw", "Import the profile period of a Stack Exchange data-dump site folder (or its raw/ folder).");
        var import = new Command("import", "Import expert profiles (the built-in sample by default) into the directory.") { importDump };
        import.SetAction((r, ct) => Guarded(() => ImportAsync(r.GetValue(importDump)?.FullName, ct), ct));
        root.Add(import);

        var group = new Option<string?>("--group") { Description = "Object id of the Microsoft Entra ID group whose members are the experts (default: Graph:ExpertGroupId)." };
        var syncExperts = new Command("sync-experts", "Synchronise the directory with the members of a Microsoft Entra ID group through Microsoft Graph (needs Graph:ExpertGroupId or --group and an identity with GroupMember.Read.All and User.Read.All).") { group };
        syncExperts.SetAction((r, ct) => Guarded(() => SyncExpertsCommand.RunAsync(r.GetValue(group), ct), ct));
        root.Add(syncExperts);

        var force = new Option<bool>("--force") { Description = "Re-embed every expert, also those already in the configured model's space." };
        var reembed = new Command("reembed", "Re-embed every stored expert's evidence and centroid with the configured embedding model (after changing Embeddings:Provider, deployment or Dimensions).") { force };
        reembed.SetAction((r, ct) => Guarded(() => ReembedAsync(r.GetValue(force), ct), ct));
        root.Add(reembed);

        var expertsCsv = new Option<string?>("--csv") { Description = "Export the list as CSV to this file (not a folder) instead of printing it." };
        var experts = new Command("experts", "List the expert directory: each listing's department, source, answers (and how many the directory learned from relayed answers), last answer and standing (available, paused until, stopped, deactivated).") { expertsCsv };
        experts.SetAction((r, ct) => Guarded(() => ExpertsAsync(r.GetValue(expertsCsv), ct), ct));
        var who = new Argument<string>("expert") { Description = "The expert's mail address (all their listings) or expert id." };
        var resume = new Command("resume", "Ask an expert again after they replied \"pause\" or \"stop\" (when they ask the team to be asked again).") { who };
        resume.SetAction((r, ct) => Guarded(() => ResumeExpertAsync(r.GetValue(who)!, ct), ct));
        experts.Add(resume);
        root.Add(experts);

        var text = new Argument<string>("question") { Description = "The question, in plain words." };
        var from = new Option<string?>("--from") { Description = "The asker's address (excluded from the experts)." };
        // Read as text and checked in AskAsync, so "--top abc" gets the same plain error as "--top 0" (not the parser's type name).
        var top = new Option<string>("--top") { Description = "How many experts to show (a whole number, at least 1; default 5); those who would be asked are always shown, with their rank, even below it.", DefaultValueFactory = _ => "5" };
        var ask = new Command("ask", "Rank the directory for one question and print the route (nothing is sent).") { text, from, top };
        ask.SetAction((r, ct) => Guarded(() => AskAsync(r.GetValue(text)!, r.GetValue(from), r.GetValue(top)!, ct), ct));
        root.Add(ask);

        var evalDump = FolderOption("--dump", "../shared/data/cqa/<site>/raw", "A Stack Exchange data-dump site folder (Posts.xml, Users.xml, or its raw/ folder).", required: true);
        var evalOut = FileOption("--out", "eval.json", "Write the JSON report to this file (and a CSV beside it).");
        var tune = new Option<bool>("--tune") { Description = "Also run the weight grid on the validation folds inside the profile period and print the best settings." };
        var validationOnly = new Option<bool>("--validation-only") { Description = "Calibrate (and with --tune, run the grid) on the validation folds and stop: the test questions are not ranked (work on the ranker without looking at the test table)." };
        var defaultWeights = new Option<bool>("--default-weights") { Description = "Rank with the live service's weights as they are (Routing:Weights where set, else the built-in defaults), instead of calibrating them on the site's own profile period first." };
        var evaluate = new Command("evaluate", "Measure routing quality on a Stack Exchange dump: baselines and the product's ranker on one split, without and with the capacity cap.") { evalDump, evalOut, tune, validationOnly, defaultWeights };
        evaluate.SetAction((r, ct) => Guarded(() => EvaluateCommand.RunAsync(r.GetValue(evalDump)!.FullName, r.GetValue(evalOut)?.FullName, r.GetValue(tune), ct, r.GetValue(validationOnly),
            calibrate: !r.GetValue(defaultWeights)), ct));
        root.Add(evaluate);

        var csv = new Option<string?>("--csv") { Description = "Export the outcome log as CSV to this file (not a folder) instead of printing it." };
        var outcomes = new Command("outcomes", "Print the outcome log, or export it as CSV.") { csv };
        outcomes.SetAction((r, ct) => Guarded(() => OutcomesAsync(r.GetValue(csv), ct), ct));
        root.Add(outcomes);

        var processMailbox = FolderOption("--mailbox", ".local/demo-mailbox", "Maildir root holding inbox/ and outbox/ (default: Mail:MaildirRoot, .local/mailbox; the demo's is .local/demo-mailbox).");
        var process = new Command("process", "Take in the mail waiting in the local Maildir inbox and run it through the pipeline (intake, routing, requests, relays) on the stored state; nothing is reset, so replies to a demo's requests find their questions.") { processMailbox };
        process.SetAction((r, ct) => Guarded(() => ProcessAsync(r.GetValue(processMailbox)?.FullName, ct), ct));
        root.Add(process);

        var intakeCsv = new Option<string?>("--csv") { Description = "Export the list as CSV to this file (not a folder) instead of printing it." };
        var intake = new Command("intake", "List the mails intake recorded as not questions (auto-replies, bounces, bulk mail, own, empty and malformed mail, replies in a routed thread) with time, sender, subject, kind and reason.") { intakeCsv };
        intake.SetAction((r, ct) => Guarded(() => IntakeAsync(r.GetValue(intakeCsv), ct), ct));
        root.Add(intake);

        var mail = new Command("mail", "The shared mailbox through Microsoft Graph (Mail:Transport = Graph).");
        var subscribe = new Command("subscribe", "Create or renew the inbox change-notification subscription now (what the RenewMailSubscription timer does).");
        subscribe.SetAction((r, ct) => Guarded(() => GraphMailCommand.RunAsync("subscribe", ct), ct));
        var catchup = new Command("catchup", "Run a delta catch-up of the inbox now (what the CatchUpMailbox timer does); new mail is enqueued for intake.");
        catchup.SetAction((r, ct) => Guarded(() => GraphMailCommand.RunAsync("catchup", ct), ct));
        mail.Add(subscribe);
        mail.Add(catchup);
        root.Add(mail);
        return root;
    }

    /// <summary>A folder-path option whose blank value is an error with an example, not a type-conversion message.</summary>
    private static Option<DirectoryInfo?> FolderOption(string name, string example, string description, bool required = false) => new(name)
    {
        Description = description,
        Required = required,
        CustomParser = r => PathToken(r, name, "folder", example) is { } p ? new DirectoryInfo(p) : null,
    };

    /// <summary>A file-path option whose blank value is an error with an example, not a type-conversion message.</summary>
    private static Option<FileInfo?> FileOption(string name, string example, string description) => new(name)
    {
        Description = description,
        CustomParser = r => PathToken(r, name, "file", example) is { } p ? new FileInfo(p) : null,
    };

    private static string? PathToken(System.CommandLine.Parsing.ArgumentResult r, string name, string kind, string example)
    {
        var token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
        if (!string.IsNullOrWhiteSpace(token)) return token;
        r.AddError(OutputFile.NeedsPath(name, kind, example));
        return null;
    }

    /// <summary>
    /// Runs a command's work and maps its failures to a message and an exit code: 2 bad settings, 1 failure, 130 cancelled.
    /// Once <paramref name="cancellationToken"/> is cancelled (Ctrl-C, SIGTERM) any exception is the cancellation's doing
    /// (ONNX Runtime's terminate flag, a storage call to an emulator already stopped, …) and is reported as "Cancelled.".
    /// </summary>
    /// <param name="action">The command's work.</param>
    /// <param name="cancellationToken">The command's token.</param>
    internal static async Task<int> Guarded(Func<Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]Cancelled.[/] Work already done is kept; queued messages are picked up by the next run.");
            return 130;
        }
        catch (OptionsValidationException ex)
        {
            AnsiConsole.MarkupLine("[red]Configuration is not valid:[/]");
            foreach (var f in ex.Failures) AnsiConsole.MarkupLine($"  [red]•[/] {Markup.Escape(SettingFailure(f))}");
            return 2;
        }
        catch (AggregateException ex) when (ex.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(e => e is OptionsValidationException))
        {
            // Start-up validation of several options at once (the host wraps their failures).
            AnsiConsole.MarkupLine("[red]Configuration is not valid:[/]");
            foreach (var f in inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures)) AnsiConsole.MarkupLine($"  [red]•[/] {Markup.Escape(SettingFailure(f))}");
            return 2;
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] could not get a token for Storage:AccountName with DefaultAzureCredential (managed identity, Azure CLI, …): {Markup.Escape(FirstLine(ex.Message))}");
            return 2;
        }
        catch (InvalidOperationException ex) when (ConversionFailure().IsMatch(ex.Message))
        {
            AnsiConsole.MarkupLine("[red]Configuration is not valid:[/]");
            AnsiConsole.MarkupLine($"  [red]•[/] {Markup.Escape(SettingFailure(ex.Message))}");
            return 2;
        }
        catch (AggregateException ex) when (ex.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(e => e is Azure.RequestFailedException or HttpRequestException))
        {
            // Azure.Core's retries gave up (connection refused, name not found): one line, not the retry log and its stack.
            AnsiConsole.MarkupLine($"[red]Storage does not answer[/] after {inner.Count} tries: {Markup.Escape(FirstLine(inner[^1].Message))}");
            return 1;
        }
        catch (Azure.RequestFailedException ex)
        {
            AnsiConsole.MarkupLine($"[red]Storage error[/] ({ex.Status} {Markup.Escape(ex.ErrorCode ?? "")}): {Markup.Escape(FirstLine(ex.Message))}");
            return 1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException
                                   or System.Xml.XmlException or InvalidDataException or Matching.EmbeddingMismatchException)
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] {Markup.Escape(ex.Message)}");
            return 1;
        }
        catch (ClientResultException ex)
        {
            // The embedding service failed after the pipeline's retries (e.g. still throttled, or the identity lacks its role).
            AnsiConsole.MarkupLine($"[red]The embedding service answered HTTP {ex.Status}:[/] {Markup.Escape(ex.Message.Split('\n')[0])}");
            return 1;
        }
    }

    private static async Task<int> ReembedAsync(bool force, CancellationToken ct)
    {
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var reembedder = host.Services.GetRequiredService<ExpertReembedder>();
        ReembedResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Re-embedding experts", maxValue: 1);
                result = await reembedder.ReembedAsync(force, new InlineProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = $"Re-embedding experts ({p.Done}/{p.Total}, {p.Reembedded} re-embedded)";
                }), ct).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        var r = result!;
        AnsiConsole.MarkupLine($"Re-embedded [bold]{r.Reembedded}[/] of {r.Experts} experts ({r.EvidenceItems} evidence items) with [bold]{Markup.Escape(r.Model.ToString())}[/] in {r.Elapsed.TotalSeconds:0.0} s; " +
                               $"{r.Skipped} already current" + (r.Moved > 0 ? $", {r.Moved} moved to their shard" : "") +
                               (r.Unembeddable > 0 ? $", [yellow]{r.Unembeddable} without any text (not indexed)[/]" : "") + ".");
        return 0;
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the caller's thread (Spectre's tasks are thread-safe).</summary>
    private sealed class InlineProgress(Action<ReembedProgress> report) : IProgress<ReembedProgress>
    {
        public void Report(ReembedProgress value) => report(value);
    }

    /// <summary>
    /// One setting failure as the user should read it: the message of the setting's own validation attribute
    /// ("Routing:ExpertsPerQuestion must be between 1 and 20."), without the framework's wrapper ("DataAnnotation validation
    /// failed for 'RoutingOptions' members: 'ExpertsPerQuestion' with the error: '…'."). Other failures are returned unchanged.
    /// </summary>
    /// <param name="failure">One of <see cref="OptionsValidationException.Failures"/>.</param>
    internal static string SettingFailure(string failure)
    {
        var m = DataAnnotationFailure().Match(failure);
        if (m.Success) return m.Groups["error"].Value;
        // The configuration binder's own words name .NET types ("to type 'System.Int32'"): say what the setting takes.
        var c = ConversionFailure().Match(failure);
        if (!c.Success) return failure;
        var wants = c.Groups["type"].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number (with '.' for decimals)",
            "System.Boolean" => "true or false",
            var other => $"a {other.Split('.')[^1]} value",
        };
        return $"{c.Groups["key"].Value} must be {wants}, not '{c.Groups["value"].Value}'.";
    }

    /// <summary>The configuration binder's conversion failure: <c>Failed to convert configuration value 'abc' at
    /// 'Routing:ExpertsPerQuestion' to type 'System.Int32'.</c></summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert configuration value '(?<value>[^']*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial System.Text.RegularExpressions.Regex ConversionFailure();

    [System.Text.RegularExpressions.GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '[^']*' with the error: '(?<error>.*)'\.$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex DataAnnotationFailure();

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    private static async Task<int> ImportAsync(string? dump, CancellationToken ct)
    {
        var root = CommandHost.RepoRoot();
        var scenario = dump is null ? null : DumpScenario.Load(dump);
        foreach (var warning in scenario?.Warnings ?? []) AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(warning) + "[/]");
        var (profiles, source) = scenario is null ? (SampleDirectory.Experts(), "sample") : (scenario.Profiles, "stackexchange");
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var result = await host.Services.GetRequiredService<ExpertImporter>().ImportAsync(profiles, source, replaceDirectory: true, null, ct).ConfigureAwait(false);
        AnsiConsole.MarkupLine(Markup.Escape(DemoResults.ImportLine(result)));
        if (host.StartedAzurite) AnsiConsole.MarkupLine("[grey]The directory is stored in .azurite/ and is used by the next command.[/]");
        return 0;
    }

    private static async Task<int> AskAsync(string question, string? from, string topText, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            AnsiConsole.MarkupLine("[red]Error:[/] the question is empty; write it in quotes: ask \"How do I …?\"");
            return 1;
        }
        if (!int.TryParse(topText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var top))
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] --top must be a whole number, not '{Markup.Escape(topText)}'.");
            return 1;
        }
        if (top < 1)
        {
            AnsiConsole.MarkupLine("[red]Error:[/] --top must be at least 1.");
            return 1;
        }
        if (from is not null && !(MimeKit.MailboxAddress.TryParse(from, out var asker) && asker.Address.Contains('@', StringComparison.Ordinal)))
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] --from '{Markup.Escape(from)}' is not an e-mail address; give the asker's, for example --from pieter.devries@northwind.example.");
            return 1;
        }
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var directory = await host.Services.GetRequiredService<Matching.ExpertDirectory>().GetAsync(ct).ConfigureAwait(false);
        if (directory.Index.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]The expert directory is empty: run 'import' (or 'demo') first.[/]");
            return 1;
        }
        if (RoutableText.TooLittleReason("", question) is { } tooLittle)
        {
            AnsiConsole.MarkupLine($"[yellow]Mailed in, this question would be kept unrouted as too-short ({Markup.Escape(tooLittle)}); add what it is about.[/]");
            return 0;
        }
        var router = host.Services.GetRequiredService<QuestionRouter>();
        var options = host.Services.GetRequiredService<IOptions<RoutingOptions>>().Value;
        var ranking = await router.RankAsync("", question, from, Math.Max(top, options.CandidatePoolSize), ct).ConfigureAwait(false);
        // As routing would choose now (the same selection step, ExpertSelection): close enough, in rank order, passing over the
        // paused, the out-of-office and those at the capacity cap (counted, not reserved: nothing is written).
        var choice = await host.Services.GetRequiredService<ExpertSelection>()
            .SelectAsync(ranking.Candidates, options.ExpertsPerQuestion, CapacityUse.Count, "", DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
        var asked = choice.Asked.Select(c => c.ExpertId).ToHashSet(StringComparer.Ordinal);
        var passedOver = choice.Passed.ToDictionary(p => p.Candidate.ExpertId, p => p.Reason, StringComparer.Ordinal);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "Expert", "Department", "Score")
            .AddColumn(new TableColumn("Would be asked").NoWrap()).AddColumn("Why");
        // Every expert who would be asked is shown, even below --top; # is the rank.
        foreach (var (c, rank) in ranking.Candidates.Select((c, r) => (c, r + 1)).Where(x => x.Item2 <= top || asked.Contains(x.c.ExpertId)))
            table.AddRow(rank.ToString(CultureInfo.InvariantCulture), Markup.Escape($"{c.Name} <{c.Email}>"), Markup.Escape(c.Department),
                c.Score.ToString("0.000", CultureInfo.InvariantCulture),
                asked.Contains(c.ExpertId) ? "[green]yes[/]"
                : passedOver.TryGetValue(c.ExpertId, out var why) ? $"[yellow]no ({Markup.Escape(why)})[/]"
                : $"[grey]no ({(!QuestionRouter.IsAskable(c, options.MinSimilarity) ? "not close enough" : QuestionRouter.IsBelowAverage(c) && asked.Count > 0 ? "below the question's average, score ≤ 0" : "enough asked")})[/]",
                Markup.Escape(c.Reason));
        AnsiConsole.Write(table);
        if (asked.Count == 0 && passedOver.Count > 0)
            AnsiConsole.MarkupLine("[yellow]Everyone close enough is passed over (paused, out of office or at capacity): mailed in now, this question would be recorded as overloaded (a bottleneck).[/]");
        else if (asked.Count == 0)
            AnsiConsole.MarkupLine($"[yellow]Nobody's evidence is close enough (Routing:MinSimilarity {options.MinSimilarity:0.00}): mailed in, this question would be recorded as a knowledge gap.[/]");
        AnsiConsole.MarkupLine($"[grey]embed {ranking.EmbedMs:0.0} ms + rank {ranking.RankMs:0.00} ms; nothing was sent[/]");
        return 0;
    }

    /// <summary><c>experts [--csv &lt;file&gt;]</c>: the directory's listings with their standing (<see cref="Experts.ExpertRoster"/>), as a table or CSV.</summary>
    private static async Task<int> ExpertsAsync(string? csvPath, CancellationToken ct)
    {
        if (csvPath is not null) csvPath = OutputFile.Validate(csvPath, "--csv", "experts.csv", OutputFile.Notice);
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var rows = await host.Services.GetRequiredService<Experts.ExpertRoster>().ReadAsync(ct).ConfigureAwait(false);
        if (csvPath is not null)
        {
            await File.WriteAllTextAsync(csvPath, Experts.ExpertRoster.WriteCsv(rows), OutcomeCsv.FileEncoding, ct).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"Wrote [bold]{rows.Count}[/] listings to [blue]{Markup.Escape(csvPath)}[/]");
            return 0;
        }
        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLine("The expert directory is empty: run [bold]import[/] (the built-in sample, or --dump) or [bold]sync-experts[/].");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Expert directory")
            .AddColumns("Name", "Email", "Department", "Source", "Answers (learned)", "Last answer (UTC)", "Standing");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Name), Markup.Escape(r.Email), Markup.Escape(r.Department), Markup.Escape(r.Source),
                r.Learned > 0 ? $"{r.Answers} ({r.Learned})" : r.Answers.ToString(CultureInfo.InvariantCulture),
                r.LastActive?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", Markup.Escape(r.Standing));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{rows.Count} listings" + KindCounts(rows.Select(r => r.Standing.StartsWith("paused", StringComparison.Ordinal) ? "paused" : r.Standing.StartsWith("deactivated", StringComparison.Ordinal) ? "deactivated" : r.Standing)));
        return 0;
    }

    /// <summary><c>experts resume &lt;address or id&gt;</c>: lifts "pause" and "stop" (<see cref="Experts.ExpertRoster.ResumeAsync"/>); exit 1 when nobody matches.</summary>
    private static async Task<int> ResumeExpertAsync(string who, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(who))
        {
            AnsiConsole.MarkupLine("[red]Error:[/] say whom to resume: experts resume anna.lindqvist@northwind.example (an address, \"Name <address>\" or an expert id).");
            return 1;
        }
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        List<Storage.ExpertEntity> changed;
        try
        {
            changed = await host.Services.GetRequiredService<Experts.ExpertRoster>().ResumeAsync(who, ct).ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] {Markup.Escape(ex.Message)} [grey](experts lists the directory)[/]");
            return 1;
        }
        AnsiConsole.MarkupLine(changed.Count == 0
            ? $"{Markup.Escape(who)} was neither paused nor stopped; nothing changed."
            : $"Resumed {string.Join(", ", changed.Select(e => Markup.Escape($"{e.Name} ({e.ExpertId})")))}: routing asks them again (a running service sees it at its next directory reload).");
        return 0;
    }

    private static async Task<int> OutcomesAsync(string? csvPath, CancellationToken ct)
    {
        if (csvPath is not null) csvPath = OutputFile.Validate(csvPath, "--csv", "outcomes.csv", OutputFile.Notice);
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var events = await host.Services.GetRequiredService<OutcomeLog>().ReadAllAsync(ct).ConfigureAwait(false);
        if (csvPath is not null)
        {
            var directory = await Outcomes.OutcomeCsv.DirectoryOrNullAsync(host.Services.GetRequiredService<Matching.ExpertDirectory>(), ct).ConfigureAwait(false);
            await File.WriteAllTextAsync(csvPath, OutcomeCsv.Write(events, directory is null ? null : directory.DepartmentOf), OutcomeCsv.FileEncoding, ct).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"Wrote [bold]{events.Count}[/] events to [blue]{Markup.Escape(csvPath)}[/]");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("At (UTC)", "Event", "Question", "Expert", "Department", "Detail");
        foreach (var e in events)
            table.AddRow(e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), e.Kind, e.QuestionId,
                Markup.Escape(e.ExpertId), Markup.Escape(e.Department), Markup.Escape(e.Detail.Length > 70 ? e.Detail[..67] + "…" : e.Detail));
        AnsiConsole.Write(table);
        var cut = events.Count(e => e.Detail.Length > 70);
        AnsiConsole.MarkupLine($"{events.Count} events" + (cut > 0 ? $" [grey]({cut} details cut at 70 characters; [bold]outcomes --csv <file>[/] has them in full)[/]" : ""));
        return 0;
    }

    /// <summary>
    /// <c>process [--mailbox &lt;folder&gt;]</c>: one local pipeline run (<see cref="PipelineRunner"/>) over the Maildir's
    /// waiting mail against the stored state (no reset, unlike <c>demo</c>); prints the outcome events the run added and the
    /// intake records of mail that did not become a question. Exit code 0; 1 when the mailbox folder does not exist.
    /// </summary>
    private static async Task<int> ProcessAsync(string? mailbox, CancellationToken ct)
    {
        var root = CommandHost.RepoRoot();
        var overrides = new Dictionary<string, string?> { ["Mail:Transport"] = "Maildir" };
        if (mailbox is not null)
        {
            if (!Directory.Exists(mailbox))
            {
                AnsiConsole.MarkupLine($"[red]Error:[/] --mailbox '{Markup.Escape(mailbox)}' {(File.Exists(mailbox) ? "is a file" : "does not exist")}; give the folder that holds inbox/ and outbox/ (the demo's is .local/demo-mailbox).");
                return 1;
            }
            overrides["Mail:MaildirRoot"] = mailbox;
        }
        await using var host = await CommandHost.StartAsync(overrides, Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var log = host.Services.GetRequiredService<OutcomeLog>();
        var storage = host.Services.GetRequiredService<Storage.StorageClients>();
        var eventsBefore = (await log.ReadAllAsync(ct).ConfigureAwait(false)).Select(e => e.PartitionKey + "/" + e.RowKey).ToHashSet(StringComparer.Ordinal);
        var intakeBefore = (await Intake.IntakeRecords.ReadNonQuestionsAsync(storage, ct).ConfigureAwait(false)).Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
        var run = await host.Services.GetRequiredService<PipelineRunner>().RunAsync(null, ct).ConfigureAwait(false);
        // Events are keyed by their own time (an answer by its mail's Date), so this run's may sort among earlier ones.
        var added = (await log.ReadAllAsync(ct).ConfigureAwait(false)).Where(e => !eventsBefore.Contains(e.PartitionKey + "/" + e.RowKey)).ToList();
        var records = (await Intake.IntakeRecords.ReadNonQuestionsAsync(storage, ct).ConfigureAwait(false)).Where(r => !intakeBefore.Contains(r.RowKey)).ToList();
        if (added.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("Outcome events of this run").AddColumns("At (UTC)", "Event", "Question", "Expert", "Detail");
            foreach (var e in added)
                table.AddRow(e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), e.Kind, e.QuestionId, Markup.Escape(e.ExpertId),
                    Markup.Escape(e.Detail)); // in full: this run's few events are what the user just did
            AnsiConsole.Write(table);
        }
        if (records.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("Mail of this run that is not a new question (replies, auto-replies, bounces …)").AddColumns("From", "Subject", "Kind", "Reason");
            foreach (var r in records) table.AddRow(Markup.Escape(r.From), Markup.Escape(SubjectOrRef(r)), r.Kind, Markup.Escape(r.Reason));
            AnsiConsole.Write(table);
        }
        var kinds = string.Join(", ", added.GroupBy(e => e.Kind).Select(g => $"{g.Count()} {g.Key}"));
        AnsiConsole.MarkupLine(run.MailsPickedUp == 0
            ? $"No mail was waiting in {Markup.Escape(Path.Combine(mailbox ?? host.Services.GetRequiredService<IOptions<Mail.MailOptions>>().Value.MaildirRoot ?? "", "inbox", "new"))}" +
              (added.Count > 0 ? $"; work left queued by an earlier run was finished ({kinds})." : ".")
            : $"{run.MailsPickedUp} mail(s) taken in; {(kinds.Length > 0 ? kinds : "no outcome events")}; {records.Count} not a question" +
              (run.Duplicates > 0 ? $"; {run.Duplicates} taken in before (same Message-ID), ignored." : "."));
        return 0;
    }

    /// <summary>
    /// <c>intake [--csv &lt;file&gt;]</c>: the <c>NonQuestion</c> rows of the Messages table, oldest first, as a table
    /// (processed time, sender, subject, kind, reason) with a count per kind, or as CSV (<see cref="Intake.IntakeRecords.WriteCsv"/>).
    /// </summary>
    private static async Task<int> IntakeAsync(string? csvPath, CancellationToken ct)
    {
        if (csvPath is not null) csvPath = OutputFile.Validate(csvPath, "--csv", "intake.csv", OutputFile.Notice);
        var root = CommandHost.RepoRoot();
        await using var host = await CommandHost.StartAsync(new Dictionary<string, string?>(), Path.Combine(root, ".azurite"),
            s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), ct).ConfigureAwait(false);
        var records = await Intake.IntakeRecords.ReadNonQuestionsAsync(host.Services.GetRequiredService<Storage.StorageClients>(), ct).ConfigureAwait(false);
        if (csvPath is not null)
        {
            await File.WriteAllTextAsync(csvPath, Intake.IntakeRecords.WriteCsv(records), OutcomeCsv.FileEncoding, ct).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"Wrote [bold]{records.Count}[/] mails that are not questions to [blue]{Markup.Escape(csvPath)}[/]");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Mails that are not questions")
            .AddColumns("Processed (UTC)", "From", "Subject", "Kind", "Reason");
        foreach (var m in records)
            table.AddRow(m.ProcessedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(m.From),
                Markup.Escape(m.Subject.Length > 60 ? m.Subject[..57] + "…" : SubjectOrRef(m)),
                Markup.Escape(m.Kind), Markup.Escape(m.Reason));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{records.Count} mails that are not questions" + KindCounts(records.Select(m => m.Kind)));
        return 0;
    }

    /// <summary>The subject of an intake record, or "(mail &lt;mailbox reference&gt;)" for a mail with neither sender nor subject
    /// (not MIME, empty), so the file can be found.</summary>
    private static string SubjectOrRef(Storage.MessageEntity m) =>
        m.Subject.Length == 0 && m.From.Length == 0 && m.MessageRef.Length > 0 ? $"(mail {m.MessageRef})" : m.Subject;

    /// <summary>" (AutoReply 1, Bounce 1, Bulk 1)": how many of each kind, by name; empty for none.</summary>
    internal static string KindCounts(IEnumerable<string> kinds)
    {
        var counts = kinds.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count().ToString(CultureInfo.InvariantCulture)}").ToList();
        return counts.Count == 0 ? "" : $" ({string.Join(", ", counts)})";
    }
}
