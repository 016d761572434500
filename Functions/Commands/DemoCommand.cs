using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Intake;
using SocialLearning.Mail;
using SocialLearning.Matching.Evaluation;
using SocialLearning.Routing;
using SocialLearning.Storage;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>One mail the demo delivers, with what a correct route would be.</summary>
/// <param name="Tag">Sample id or Stack Exchange question id.</param>
/// <param name="Message">The mail.</param>
/// <param name="Gold">Expert ids who really answered (dump) or whom a human would pick (sample); empty when unknown.</param>
/// <param name="Accepted">Expert id of the accepted answer (dump), or null.</param>
public sealed record DemoMail(string Tag, MimeMessage Message, IReadOnlyList<string> Gold, string? Accepted);

/// <summary>What the demo imports and delivers.</summary>
/// <param name="Name">Shown in the output.</param>
/// <param name="Source">Source stored with the experts.</param>
/// <param name="Profiles">Expert profiles.</param>
/// <param name="Mails">Mails to deliver, questions and non-questions.</param>
/// <param name="ReportQuality">True to print P@1, Hit@3 and MRR against <see cref="DemoMail.Gold"/>.</param>
public sealed record DemoScenario(string Name, string Source, IReadOnlyList<ExpertProfile> Profiles, IReadOnlyList<DemoMail> Mails, bool ReportQuality)
{
    /// <summary>What the scenario's source leaves out or lacks (<see cref="Experts.StackExchange.DumpSite.Warnings"/>); printed before the run.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Progress of one demo stage.</summary>
/// <param name="Stage">Stage description.</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in all.</param>
public sealed record DemoProgress(string Stage, int Done, int Total);

/// <summary>The summary <c>demo --json</c> writes.</summary>
public sealed record DemoSummary(
    [property: JsonPropertyName("questions")] int Questions,
    [property: JsonPropertyName("routed")] int Routed,
    [property: JsonPropertyName("requests_sent")] int RequestsSent,
    [property: JsonPropertyName("non_questions")] int NonQuestions,
    [property: JsonPropertyName("median_route_ms")] double MedianRouteMs,
    [property: JsonPropertyName("p_at_1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? PAt1,
    [property: JsonPropertyName("hit_at_3"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? HitAt3,
    [property: JsonPropertyName("mrr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Mrr)
{
    /// <summary>How many of <see cref="NonQuestions"/> intake recorded under each kind (<see cref="Intake.MailKind"/> name,
    /// or Malformed / Reply), ordered by name; for the sample <c>{"AutoReply": 1, "Bounce": 1, "Bulk": 1}</c>.</summary>
    [JsonPropertyName("non_question_kinds")]
    public IReadOnlyDictionary<string, int> NonQuestionKinds { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);
}

/// <summary>
/// <c>demo</c>: the main job end to end on local defaults. Starts Azurite when needed, imports a directory (the built-in
/// sample, or the profile period of a Stack Exchange dump), delivers the questions as mails into the local Maildir,
/// runs the pipeline off the queues and prints question → experts with scores and reasons.
/// </summary>
public static class DemoCommand
{
    /// <summary>Runs the demo; returns the process exit code.</summary>
    /// <param name="dump">A Stack Exchange site folder, or null for the built-in sample.</param>
    /// <param name="mailbox">The Maildir root, or null for <c>.local/demo-mailbox</c>.</param>
    /// <param name="jsonPath">Where to write the <see cref="DemoSummary"/> JSON, or null.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="ArgumentException"><paramref name="jsonPath"/> is a folder or cannot be written; checked before any
    /// other work (see <see cref="OutputFile.Validate"/>).</exception>
    /// <exception cref="InvalidOperationException"><paramref name="mailbox"/> is a file.</exception>
    public static async Task<int> RunAsync(string? dump, string? mailbox, string? jsonPath, CancellationToken cancellationToken)
    {
        // Before anything else: a run can take minutes, and only then would the summary be written.
        if (jsonPath is not null) jsonPath = OutputFile.Validate(jsonPath, "--json", "demo.json", OutputFile.Notice);
        var root = CommandHost.RepoRoot();
        var mailboxRoot = mailbox is null ? Path.Combine(root, ".local", "demo-mailbox") : Path.GetFullPath(mailbox);
        if (File.Exists(mailboxRoot))
            throw new InvalidOperationException($"--mailbox '{mailboxRoot}' is a file; give a folder (it will hold inbox/ and outbox/).");
        if (mailbox is not null && !Directory.Exists(mailboxRoot))
            AnsiConsole.MarkupLine($"[grey]Created the folder {Markup.Escape(mailboxRoot)} for --mailbox (it did not exist: check the path if you meant an existing mailbox).[/]");
        Directory.CreateDirectory(mailboxRoot);

        var scenario = dump is null ? SampleScenario() : DumpScenario.Load(dump);
        AnsiConsole.MarkupLine($"[bold]SocialLearning demo[/] — {Markup.Escape(scenario.Name)}");
        foreach (var warning in scenario.Warnings) AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(warning) + "[/]");
        // Before storage is reset: a dump replay without test questions would empty the directory and score nothing (NaN).
        if (scenario.Mails.Count == 0)
            throw new InvalidOperationException("The dump has no test question answered by one of its candidate experts, so there is nothing to replay or score; storage and the directory are left as they are.");

        await using var host = await CommandHost.StartAsync(
            // The demo is a local replay: always the Maildir transport, whatever Mail:Transport says.
            new Dictionary<string, string?>
            {
                ["Mail:MaildirRoot"] = mailboxRoot, ["Mail:Transport"] = "Maildir",
                // The scenarios replay dated mail (the sample's weeks, a dump's test period): their Date headers are the question times.
                ["Mail:MaxDateAgeHours"] = "1000000",
            },
            Path.Combine(root, ".azurite"), s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"), cancellationToken).ConfigureAwait(false);
        var services = host.Services;
        var storage = services.GetRequiredService<StorageClients>();
        if (host.UsesLocalStorage)
        {
            // A demo is a replay: start from empty local state, so a second run shows what the first did instead of
            // counting the first run's requests against the capacity cap. Never done on a configured storage account.
            await ResetLocalStateAsync(storage, cancellationToken).ConfigureAwait(false);
            if (mailbox is null)
            {
                // Earlier runs' requests and processed mail go; mail waiting in inbox/new stays and is processed in this run.
                foreach (var folder in new[] { "outbox", Path.Combine("inbox", "cur"), Path.Combine("inbox", "tmp") })
                    if (Directory.Exists(Path.Combine(mailboxRoot, folder))) Directory.Delete(Path.Combine(mailboxRoot, folder), recursive: true);
            }
            var waiting = Directory.Exists(Path.Combine(mailboxRoot, "inbox", "new")) ? Directory.GetFiles(Path.Combine(mailboxRoot, "inbox", "new")).Length : 0;
            if (waiting > 0)
                AnsiConsole.MarkupLine($"[grey]{waiting} mail(s) already waiting in {Markup.Escape(Path.Combine(mailboxRoot, "inbox", "new"))} will be processed with the scenario's mail.[/]");
            AnsiConsole.MarkupLine("[grey]Local storage reset: questions, routes, requests, intake records, the outcome log, experts' pause/stop replies and what the directory learned from answers in earlier runs were cleared.[/]");
        }
        ImportResult import = null!;
        List<DemoResult> results = null!;
        PipelineRun run = null!;
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                // Reports are applied on the reporting thread, under a lock, and never move a bar back: a Progress<T> posts
                // them to the thread pool, so a late report could land after the stage was finished and leave it at 71%.
                var tasks = new Dictionary<string, ProgressTask>();
                var gate = new Lock();
                var progress = new InlineProgress<DemoProgress>(p =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(p.Stage, out var t)) tasks[p.Stage] = t = ctx.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                        t.Value = Math.Max(t.Value, Math.Min(p.Done, t.MaxValue));
                    }
                });
                (import, results, run) = await ExecuteAsync(services, scenario, mailboxRoot, progress, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    foreach (var t in tasks.Values) t.Value = t.MaxValue;
                }
            }).ConfigureAwait(false);

        DemoResults.Print(results, scenario, import, mailboxRoot);
        var others = run.MailsPickedUp - results.Count;
        if (others > 0)
            AnsiConsole.MarkupLine($"[grey]{others} other mails found in the inbox were processed too: questions among them are in 'outcomes'; replies and non-questions are listed with their reason by 'intake'.[/]");
        var ids = results.Where(r => r.Question is not null).Select(r => r.Question!.QuestionId).ToHashSet(StringComparer.Ordinal);
        var events = (await services.GetRequiredService<Outcomes.OutcomeLog>().ReadAllAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => ids.Contains(e.QuestionId)).ToList();
        var csvPath = Path.Combine(mailboxRoot, "outcomes.csv");
        var directory = await Outcomes.OutcomeCsv.DirectoryOrNullAsync(services.GetRequiredService<Matching.ExpertDirectory>(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(csvPath, Outcomes.OutcomeCsv.Write(events, directory is null ? null : directory.DepartmentOf), Outcomes.OutcomeCsv.FileEncoding, cancellationToken).ConfigureAwait(false);
        AnsiConsole.MarkupLine($"This run's outcome log ({events.Count} events) is in [blue]{Markup.Escape(csvPath)}[/]; 'outcomes' prints the whole log.");
        var summary = DemoResults.Summarise(results, scenario.ReportQuality);
        DemoResults.PrintSummary(summary, scenario.ReportQuality);
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"Summary written to [blue]{Markup.Escape(jsonPath)}[/]");
        }
        return 0;
    }

    /// <summary>Empties the conversation state (questions, routes, expert requests, intake records, outcomes, the thread
    /// index) and the queues; the expert directory stays (the import replaces it and skips unchanged profiles), but its
    /// experts' pause and stop replies to the earlier run's requests are cleared, and when the directory learned from
    /// answers since (<see cref="Experts.LearnedEvidence"/>) it is emptied for the import to write afresh, so a rerun
    /// shows the same result.</summary>
    internal static async Task ResetLocalStateAsync(StorageClients storage, CancellationToken cancellationToken)
    {
        var tables = new List<string> { TableNames.Questions, TableNames.Routes, TableNames.ExpertRequests, TableNames.Messages, TableNames.Outcomes, TableNames.Threads };
        // What the directory learned from the earlier run's answers is part of that run too; the profiles it changed
        // (answer counts, centroids) go with it, and the import that follows writes them afresh.
        var learned = false;
        await foreach (var _ in Experts.LearnedEvidence.ReadLearnedKeys(storage, 1, cancellationToken).ConfigureAwait(false))
        {
            learned = true;
            break;
        }
        if (learned) tables.AddRange([TableNames.Experts, TableNames.Evidence]);
        foreach (var t in tables)
            await storage.Table(t).DeleteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var q in QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }))
            await storage.Queue(q).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        // Experts' "pause" and "stop" replies to an earlier run's requests are part of that run: a rerun asks them again.
        var experts = storage.Table(TableNames.Experts);
        foreach (var e in await experts.ReadAllAsync<Storage.ExpertEntity>(null, cancellationToken).ConfigureAwait(false))
        {
            if (!e.OptedOut && e.PausedUntil is null) continue;
            e.OptedOut = false;
            e.PausedUntil = null;
            await experts.UpsertEntityAsync(e, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The demo's work without any console output: imports the scenario's directory (replacing the previous one), delivers
    /// its mails into the Maildir at <paramref name="mailboxRoot"/>, runs the pipeline off the queues until they are empty
    /// and reads back what happened to each mail.
    /// </summary>
    public static async Task<(ImportResult Import, List<DemoResult> Results, PipelineRun Run)> ExecuteAsync(
        IServiceProvider services, DemoScenario scenario, string mailboxRoot, IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        var importStage = $"Import {scenario.Profiles.Count} experts";
        progress?.Report(new DemoProgress(importStage, 0, scenario.Profiles.Count));
        var import = await services.GetRequiredService<ExpertImporter>().ImportAsync(scenario.Profiles, scenario.Source, replaceDirectory: true,
            new InlineProgress<int>(n => progress?.Report(new DemoProgress(importStage, n, scenario.Profiles.Count))), cancellationToken, allSources: true).ConfigureAwait(false);

        var deliverStage = $"Deliver {scenario.Mails.Count} mails to the inbox";
        var maildir = new MaildirMailbox(mailboxRoot, Microsoft.Extensions.Logging.Abstractions.NullLogger<MaildirMailbox>.Instance);
        var delivered = new List<(DemoMail Mail, string Key)>();
        foreach (var m in scenario.Mails)
        {
            await maildir.DeliverAsync(m.Message, cancellationToken).ConfigureAwait(false);
            using var ms = new MemoryStream();
            await m.Message.WriteToAsync(ms, cancellationToken).ConfigureAwait(false);
            delivered.Add((m, InboundMailHandler.DedupeKey(m.Message.MessageId, m.Message.From.Mailboxes.FirstOrDefault()?.Address, ms.ToArray())));
            progress?.Report(new DemoProgress(deliverStage, delivered.Count, scenario.Mails.Count));
        }

        // Every mail passes inbound-mail; each question passes route-question; each request passes outbound-mail.
        var pipelineStage = "Run the pipeline (inbound-mail → route-question → outbound-mail)";
        var expected = scenario.Mails.Count * 3;
        var run = await services.GetRequiredService<PipelineRunner>().RunAsync(
            new InlineProgress<int>(n => progress?.Report(new DemoProgress(pipelineStage, n, expected))), cancellationToken).ConfigureAwait(false);
        progress?.Report(new DemoProgress(pipelineStage, expected, expected));

        var results = await DemoResults.CollectAsync(services.GetRequiredService<StorageClients>(), delivered, cancellationToken).ConfigureAwait(false);
        return (import, results, run);
    }

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>The built-in Northwind Traders sample as a scenario (mail dates fixed, Message-IDs unique per run).</summary>
    public static DemoScenario SampleScenario()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var mails = new List<DemoMail>();
        var date = new DateTimeOffset(2026, 11, 9, 8, 0, 0, TimeSpan.Zero);
        foreach (var q in SampleDirectory.Questions())
        {
            var m = new MimeMessage();
            m.From.Add(MailboxAddress.Parse(q.From));
            m.To.Add(new MailboxAddress("Ask Northwind", "ask@northwind.example"));
            m.Subject = q.Subject;
            m.Date = date = date.AddMinutes(7);
            m.MessageId = $"{q.Id}.{run}@mail.northwind.example";
            m.Body = new TextPart("plain") { Text = q.Body };
            mails.Add(new DemoMail(q.Id, m, q.ExpectedExperts, null));
        }
        foreach (var n in SampleDirectory.NonQuestions())
        {
            var m = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(n.Mime)));
            m.MessageId = $"{n.Id}.{run}@mail.northwind.example";
            mails.Add(new DemoMail(n.Id, m, [], null));
        }
        return new DemoScenario("built-in sample (Northwind Traders, invented)", "sample", SampleDirectory.Experts(), mails, ReportQuality: false);
    }
}
