using SocialLearning.Experts;
using SocialLearning.Matching.Evaluation;
using SocialLearning.Routing;
using SocialLearning.Storage;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>What happened to one delivered demo mail.</summary>
/// <param name="Mail">The delivered mail.</param>
/// <param name="Record">Its intake record (null if intake never ran).</param>
/// <param name="Question">The question, when it became one.</param>
/// <param name="Routes">Requests sent, by rank.</param>
/// <param name="Candidates">Ranked candidate pool stored with the question.</param>
public sealed record DemoResult(DemoMail Mail, MessageEntity? Record, QuestionEntity? Question, IReadOnlyList<RouteEntity> Routes, IReadOnlyList<RankedCandidate> Candidates);

/// <summary>Collects, prints and summarises the demo's results from storage.</summary>
public static class DemoResults
{
    /// <summary>Reads the intake record, question, routes and ranking of each delivered mail.</summary>
    public static async Task<List<DemoResult>> CollectAsync(StorageClients storage, IReadOnlyList<(DemoMail Mail, string Key)> delivered, CancellationToken cancellationToken)
    {
        var results = new List<DemoResult>(delivered.Count);
        foreach (var (mail, key) in delivered)
        {
            var record = await storage.Table(TableNames.Messages).GetOrNullAsync<MessageEntity>(key[..2], key, cancellationToken).ConfigureAwait(false);
            QuestionEntity? q = null;
            IReadOnlyList<RouteEntity> routes = [];
            IReadOnlyList<RankedCandidate> candidates = [];
            if (record is { State: "Question" })
            {
                q = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(record.QuestionId, QuestionEntity.Row, cancellationToken).ConfigureAwait(false);
                // The experts asked: a colleague the asker copied has no request (RouteEntity.CopiedByAsker).
                routes = (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(record.QuestionId, cancellationToken).ConfigureAwait(false))
                    .Where(r => !r.CopiedByAsker).OrderBy(r => r.Rank).ToList();
                if (q is not null) candidates = RouteQuestionHandler.Candidates(q);
            }
            results.Add(new DemoResult(mail, record, q, routes, candidates));
        }
        return results;
    }

    /// <summary>One line on an import, e.g. "Imported 20 experts in 0.9 s: 0 new or changed …, 20 unchanged since the last import (vectors kept)".</summary>
    /// <param name="import">The import's counts.</param>
    public static string ImportLine(ImportResult import)
    {
        ArgumentNullException.ThrowIfNull(import);
        var line = import.Embedded < import.Experts
            ? Inv($"Imported {import.Experts} experts in {import.Elapsed.TotalSeconds:0.0} s: {import.Embedded} new or changed (embedded, {import.EvidenceItems} evidence items written), {import.Experts - import.Embedded} unchanged since the last import (vectors kept)")
            : Inv($"Imported {import.Experts} experts ({import.Embedded} embedded, {import.EvidenceItems} evidence items) in {import.Elapsed.TotalSeconds:0.0} s");
        return import.Deactivated > 0 ? line + Inv($"; {import.Deactivated} deactivated (not in this import)") : line;
    }

    private static string Inv(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Prints the routing table (at most 40 rows) and the non-questions.</summary>
    public static void Print(IReadOnlyList<DemoResult> results, DemoScenario scenario, ImportResult import, string mailboxRoot)
    {
        AnsiConsole.MarkupLine(Markup.Escape(ImportLine(import)));
        var table = new Table().Border(TableBorder.Rounded).Title("Question → experts asked");
        table.AddColumn("Question");
        table.AddColumn("Experts asked (score)");
        table.AddColumn("Why the first one");
        var shown = 0;
        foreach (var r in results.Where(r => r.Question is not null))
        {
            if (++shown > 40) break;
            var q = r.Question!;
            var experts = r.Routes.Count == 0
                ? q.UnroutedReason.StartsWith("knowledge bottleneck", StringComparison.Ordinal)
                    ? "[yellow]close experts all at capacity — recorded as a bottleneck[/]"
                    : q.UnroutedReason.StartsWith(RoutableText.TooLittlePrefix, StringComparison.Ordinal)
                        ? "[yellow]too little text to route — recorded as too-short, not a gap[/]"
                        : "[yellow]nobody close enough — recorded as a knowledge gap[/]"
                : string.Join("\n", r.Routes.Select(x => $"{Markup.Escape(x.ExpertName)} [grey]({Markup.Escape(x.ExpertDepartment)})[/] {x.Score:0.00}"));
            var subject = q.Subject.Length > 60 ? q.Subject[..57] + "…" : q.Subject;
            table.AddRow(new Markup($"[bold]{q.QuestionId}[/] {Markup.Escape(subject)}"), new Markup(experts),
                new Markup(Markup.Escape(r.Routes.FirstOrDefault()?.Reason ?? "")));
        }
        AnsiConsole.Write(table);
        var questions = results.Count(r => r.Question is not null);
        if (questions > 40) AnsiConsole.MarkupLine($"[grey]… and {questions - 40} more questions (see outcomes.csv in the mailbox folder, or 'outcomes')[/]");

        var non = results.Where(r => r.Record is { State: "NonQuestion" }).ToList();
        if (non.Count > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title("Mails that are not questions");
            t.AddColumn("From");
            t.AddColumn("Subject");
            t.AddColumn("Kind");
            t.AddColumn("Reason");
            foreach (var r in non)
                t.AddRow(Markup.Escape(r.Record!.From), Markup.Escape(r.Record.Subject), Markup.Escape(r.Record.Kind), Markup.Escape(r.Record.Reason));
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine("[grey]'intake' lists every mail recorded as not a question, also after this run.[/]");
        }
        AnsiConsole.MarkupLine($"Routed requests are in [blue]{Markup.Escape(Path.Combine(mailboxRoot, "outbox", "new"))}[/]");
    }

    /// <summary>
    /// The ranking the service acted on, as the evaluation's capped table scores it: the experts asked, in rank order, then
    /// the rest of the stored pool below the last one asked. Experts ranked above that one but passed over (at capacity,
    /// away, not close enough) are left out — they were not asked. A question nobody was asked scores nothing.
    /// </summary>
    /// <param name="result">One question's result.</param>
    /// <returns>Expert ids, best first.</returns>
    public static IReadOnlyList<string> AsRouted(DemoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var asked = result.Routes.OrderBy(r => r.Rank).Select(r => r.ExpertId).Distinct(StringComparer.Ordinal).ToList();
        if (asked.Count == 0) return [];
        var pool = result.Candidates.Select(c => c.ExpertId).ToList();
        var last = asked.Max(id => pool.IndexOf(id));
        var askedSet = asked.ToHashSet(StringComparer.Ordinal);
        return [.. asked, .. pool.Skip(last + 1).Where(id => !askedSet.Contains(id))];
    }

    /// <summary>Counts, median route time and, when asked, P@1 / Hit@3 / MRR of the rankings as routed (<see cref="AsRouted"/>) against the gold experts.</summary>
    public static DemoSummary Summarise(IReadOnlyList<DemoResult> results, bool quality)
    {
        var questions = results.Where(r => r.Question is not null).ToList();
        var times = questions.Select(r => r.Question!.RouteMs).Where(t => t > 0).Order().ToList();
        var median = times.Count == 0 ? 0 : times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double? p1 = null, h3 = null, mrr = null;
        if (quality)
        {
            var acc = new MetricAccumulator();
            foreach (var r in questions.Where(r => r.Mail.Gold.Count > 0))
                acc.Add(AsRouted(r), r.Mail.Gold, r.Mail.Accepted);
            var s = acc.Summary();
            (p1, h3, mrr) = (Math.Round(s.PAt1, 4), Math.Round(s.HitAt3, 4), Math.Round(s.Mrr, 4));
        }
        return new DemoSummary(
            questions.Count,
            questions.Count(r => r.Question!.State == QuestionStates.Routed),
            questions.Sum(r => r.Routes.Count(x => x.RequestSentAt is not null)),
            results.Count(r => r.Record is { State: "NonQuestion" }),
            Math.Round(median, 2), p1, h3, mrr)
        {
            NonQuestionKinds = new SortedDictionary<string, int>(
                results.Where(r => r.Record is { State: "NonQuestion" }).GroupBy(r => r.Record!.Kind, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal),
        };
    }

    /// <summary>Prints the summary line(s).</summary>
    public static void PrintSummary(DemoSummary s, bool quality)
    {
        AnsiConsole.MarkupLine($"[bold]{s.Questions}[/] questions, [bold]{s.Routed}[/] routed, [bold]{s.RequestsSent}[/] requests sent, " +
                               $"[bold]{s.NonQuestions}[/] non-questions{Markup.Escape(CommandLineApp.KindCounts(s.NonQuestionKinds.SelectMany(k => Enumerable.Repeat(k.Key, k.Value))))}; median route decision (embed + rank) [bold]{s.MedianRouteMs:0.0} ms[/]");
        if (quality)
            AnsiConsole.MarkupLine($"Against the users who really answered, as routed (the experts asked, then the rest of the pool): P@1 [bold]{s.PAt1:0.000}[/], Hit@3 [bold]{s.HitAt3:0.000}[/], MRR [bold]{s.Mrr:0.000}[/]");
    }
}
