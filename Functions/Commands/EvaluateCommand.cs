using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SocialLearning.Experts.StackExchange;
using SocialLearning.Matching;
using SocialLearning.Matching.Evaluation;
using Spectre.Console;

namespace SocialLearning.Commands;

/// <summary>
/// <c>evaluate --dump &lt;site&gt; [--out file.json] [--tune]</c>: the evaluation protocol of DESIGN.md in memory (no storage):
/// every baseline and the product's ranker on the same split, without and with the capacity cap, printed as two tables.
/// Embeddings of evidence and validation questions are cached in <c>.local/embedding-cache/</c> (git-ignored), so a
/// rerun embeds only the test questions (which are embedded live to time the routing decision).
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Runs the command; returns 0, or throws <see cref="DirectoryNotFoundException"/> / <see cref="FileNotFoundException"/> for a bad site folder.</summary>
    /// <param name="siteFolder">Site folder holding <c>Posts.xml</c> and <c>Users.xml</c> (or their <c>raw/</c> folder).</param>
    /// <param name="outPath">JSON report path (a CSV is written beside it), or null.</param>
    /// <param name="tune">Also run the weight grid on the validation folds and print the best settings.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="validationOnly">Calibrate and report on the validation folds only (with <paramref name="tune"/>, the grid too); the test questions are not ranked (no <paramref name="outPath"/> then).</param>
    /// <param name="calibrate">Calibrate the product's weights on the site's profile period first (<see cref="WeightCalibrator"/>); false ranks with the live weights as they are (<c>--default-weights</c>): <c>Routing:Weights</c> where set, else <see cref="HybridWeights.Default"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="outPath"/> names a CSV or an unusable file, or is given with <paramref name="validationOnly"/>.</exception>
    public static async Task<int> RunAsync(string siteFolder, string? outPath, bool tune, CancellationToken cancellationToken, bool validationOnly = false, bool calibrate = true)
    {
        if (validationOnly && outPath is not null)
            throw new ArgumentException("--out writes the test tables, which --validation-only does not compute: leave one of them out.");
        StackExchangeDump.RequireFolder(siteFolder);
        if (outPath is not null)
        {
            if (string.Equals(Path.GetExtension(outPath), ".csv", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out '{outPath}' names the CSV; give the JSON path (e.g. eval.json): the CSV is written beside it with the same name.");
            if (string.Equals(Path.GetExtension(outPath), ".xml", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out '{outPath}' names an XML file, like the dump's own files; give the JSON path (e.g. eval.json).");
            OutputFile.Validate(outPath, "--out", "eval.json", OutputFile.Notice);
        }
        var liveWeights = CommandHost.ValidatedRoutingSettings().Weights.ToHybridWeights();
        var configured = liveWeights != HybridWeights.Default;
        var site = StackExchangeDump.Load(siteFolder, cancellationToken);
        var name = SiteName(siteFolder);
        using var generator = new MiniLmEmbeddingGenerator();
        var cache = EmbeddingCache.Open(Path.Combine(CommandHost.RepoRoot(), ".local", "embedding-cache"), MiniLmEmbeddingGenerator.CacheId);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(name)}: {site.Questions.Count} questions, {site.Answers.Count} answers, {site.Users.Count} users; {cache.Count} cached embeddings[/]");
        foreach (var warning in site.Warnings()) AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(warning) + "[/]");
        var lastEmbedded = 0;
        if (configured)
            AnsiConsole.MarkupLine($"[grey]the live weights come from Routing:Weights: {Markup.Escape(liveWeights.Describe())}[/]");
        var report = await RoutingEvaluator.RunAsync(name, site, generator, cache, liveWeights, tune, s =>
        {
            if (s.StartsWith("embedded ", StringComparison.Ordinal))
            {
                var n = int.Parse(s.Split(' ')[1], CultureInfo.InvariantCulture);
                if (n - lastEmbedded < 256) return;
                lastEmbedded = n;
            }
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]");
        }, cancellationToken, validationOnly, calibrate).ConfigureAwait(false);

        Print(report, configured);
        if (outPath is not null)
        {
            var full = Path.GetFullPath(outPath);
            var dir = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(full, ToJson(report), cancellationToken).ConfigureAwait(false);
            var csv = Path.ChangeExtension(full, ".csv");
            await File.WriteAllTextAsync(csv, ToCsv(report), cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(full)}[/] and [blue]{Markup.Escape(csv)}[/]");
        }
        return 0;
    }

    /// <summary>The site's name: the folder name, or its parent's when the folder is <c>raw</c>.</summary>
    /// <param name="siteFolder">Site folder.</param>
    public static string SiteName(string siteFolder)
    {
        var full = Path.GetFullPath(siteFolder).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(full);
        return name == "raw" ? Path.GetFileName(Path.GetDirectoryName(full)) ?? name : name;
    }

    /// <summary>Below this many test questions the report warns that the figures are anecdotal: 30.</summary>
    public const int FewTestQuestions = 30;

    /// <summary>Prints both tables, the weights, validation figures, concentration and route time.</summary>
    /// <param name="r">The report.</param>
    /// <param name="configuredWeights">Whether the weights the run started from were set through <c>Routing:Weights</c> (else the built-in defaults).</param>
    public static void Print(EvaluationReport r, bool configuredWeights = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Methods.Count == 0)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Site)}[/]: validation only — the {r.Questions} test questions (cutoff {r.Cutoff:yyyy-MM-dd}) were not ranked");
            AnsiConsole.MarkupLine($"Product ([bold]{r.Product}[/]) weights: {Markup.Escape(r.Weights.Describe())}");
            PrintCalibration(r, configuredWeights);
            AnsiConsole.MarkupLine(Inv($"  on {r.ValidationQuestions} validation questions: MRR {r.Validation.Uncapped.Mrr:0.000} uncapped, {r.Validation.Capped.Mrr:0.000} capped; Hit@3 {r.Validation.Uncapped.HitAt3:0.000} / {r.Validation.Capped.HitAt3:0.000}; objective {r.Validation.Objective:0.0000}"));
            PrintTuning(r);
            return;
        }
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Site)}[/]: {r.Questions} test questions, {r.Candidates} candidate experts, cutoff {r.Cutoff:yyyy-MM-dd}" +
                               (r.SkippedAskerOnly > 0 ? $" ({r.SkippedAskerOnly} test items left out: only the asker answered)" : ""));
        if (r.Questions < FewTestQuestions)
            AnsiConsole.MarkupLine(Inv($"[yellow]Only {r.Questions} test question{(r.Questions == 1 ? "" : "s")}: one question moves Hit@3 by {1.0 / r.Questions:0.###}, so differences between methods here say little; a larger dump gives figures to compare.[/]"));
        AnsiConsole.Write(Table(r, capped: false));
        AnsiConsole.Write(Table(r, capped: true));
        AnsiConsole.MarkupLine($"Product ([bold]{r.Product}[/]) weights" + (r.Calibration is null ? "" : ", chosen on the profile period only") + $": {Markup.Escape(r.Weights.Describe())}");
        PrintCalibration(r, configuredWeights);
        AnsiConsole.MarkupLine(Inv($"  test questions span {r.HorizonDays:0} day{(Math.Round(r.HorizonDays) == 1 ? "" : "s")} after the cutoff: recency measured with a {r.RecencyHalfLifeDays:0.#}-day half-life (max({r.Weights.RecencyHalfLifeDays:0} d, {HybridWeights.RecencyHorizonShare:0.##} × horizon))"));
        AnsiConsole.MarkupLine(Inv($"  on {r.ValidationQuestions} validation questions ({r.ValidationFolds} time-ordered fold{(r.ValidationFolds == 1 ? "" : "s")} inside the profile period, each with its horizon's half-life{(r.Calibration is null ? "" : "; the folds the weights were chosen on")}): MRR {r.Validation.Uncapped.Mrr:0.000} uncapped, {r.Validation.Capped.Mrr:0.000} capped; Hit@3 {r.Validation.Uncapped.HitAt3:0.000} / {r.Validation.Capped.HitAt3:0.000}; objective {r.Validation.Objective:0.0000}"));
        var p = r.ProductResult;
        AnsiConsole.MarkupLine(Inv($"Concentration: {p.CappedTop10Share:P1} of the product's capped requests go to the top 10% of experts ({p.UncappedTop10Share:P1} uncapped)"));
        AnsiConsole.MarkupLine(Inv($"Route decision (embed + rank) per test question: p50 {r.RouteMsP50:0.0} ms, p95 {r.RouteMsP95:0.0} ms ({r.Candidates} experts; ranking alone p50 {EvaluationReport.Percentile(r.RankMs, 0.5):0.00} ms, p95 {EvaluationReport.Percentile(r.RankMs, 0.95):0.00} ms); {r.EmbeddedTexts} texts embedded this run"));
        PrintTuning(r);
    }

    private static void PrintCalibration(EvaluationReport r, bool configuredWeights)
    {
        var live = configuredWeights ? "the live service's weights (Routing:Weights)" : "the live service's default weights";
        if (r.Calibration is not { } c)
        {
            AnsiConsole.MarkupLine(r.ValidationQuestions == 0
                ? $"  {live}, as they are: not calibrated, the profile period has no validation questions"
                : $"  {live}, as they are: not calibrated on this site (--default-weights)");
            return;
        }
        var gain = c.Best.Objective - c.Defaults.Objective;
        var start = configuredWeights ? "live weights" : "live defaults";
        AnsiConsole.MarkupLine(Inv($"  calibrated on this site's validation folds ({c.Settings} settings by coordinate ascent from the {start}): {start} objective {c.Defaults.Objective:0.0000}, best found {c.Best.Objective:0.0000} ({gain:+0.0000;-0.0000})") +
                               (c.KeptDefaults
                                   ? Inv($" — the {start} are kept (a gain under {c.Margin:0.000} is the folds' noise)")
                                   : Inv($" — the calibrated weights {(r.Methods.Count == 0 ? "would rank the test questions" : "are used")}; the {start} were {Markup.Escape(c.Defaults.Weights.Describe())}")));
        if (c.KeptDefaults) return;
        // Written past Spectre's line wrapping, so the line pastes into a shell whole.
        AnsiConsole.MarkupLine("  to route live with these weights, set (all eleven, exact):");
        AnsiConsole.Console.Profile.Out.Writer.WriteLine("    " + LiveSettings(r.Weights));
    }

    /// <summary>
    /// The app settings that make the live router rank with <paramref name="weights"/>, space-separated
    /// <c>Routing__Weights__Evidence=0.5 …</c>: all eleven (a value back at its default must replace one set earlier), each
    /// exact (round-trip format: a scaled weight such as 1/3 printed as 0.3333 could bring the content below the priors,
    /// which the service refuses at start-up); a value that is not finite (no prior floor) is left out.
    /// </summary>
    /// <param name="weights">Z-score weights.</param>
    internal static string LiveSettings(HybridWeights weights) => string.Join(" ",
        Routing.RankerWeightOptions.SettingsFor(weights).Where(p => double.IsFinite(p.Value))
            .Select(p => $"{AppSetting(p.Key)}={p.Value.ToString("R", CultureInfo.InvariantCulture)}"));

    /// <summary>A configuration key as an app setting or environment variable: <c>Routing:Weights:Bm25</c> → <c>Routing__Weights__Bm25</c>.</summary>
    private static string AppSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static void PrintTuning(EvaluationReport r)
    {
        if (r.Tuning.Count == 0) return;
        // The load grid (stage 2) shares the chosen setting's content and prior weights; it is shown as a λ × φ matrix of
        // the capped figures (it cannot change the static table), the rest as rows.
        var chosen = r.Tuning[0].Weights;
        var baseline = chosen with { LoadPenalty = 0, LoadFade = 0 };
        bool InLoadGrid(SocialLearning.Matching.Evaluation.ValidationResult v) => (v.Weights with { LoadPenalty = 0, LoadFade = 0 }) == baseline;
        var t = new Table().Border(TableBorder.Rounded)
            .Title("Weight grid (--tune) on the validation folds, for comparison — each half-life as it is for every fold, so a setting scores differently than in the product's figures above, and its choice is not what ranks the test questions: " +
                   "the grid's chosen setting; the 10 best z-score settings without load terms (the chosen one's is the λ 0 / φ 0 cell below, not repeated); the 5 best RRF settings. " +
                   "Rules: whether a setting may be the product's (signals weighted, content ≥ priors)")
            .AddColumns("Weights", "MRR", "MRR capped", "Hit@3", "Hit@3 capped", "Objective", "Rules");
        foreach (var v in r.Tuning.Where((v, i) => i == 0 || !InLoadGrid(v)))
            t.AddRow(Markup.Escape(v.Weights.Describe()), F(v.Uncapped.Mrr), F(v.Capped.Mrr), F(v.Uncapped.HitAt3), F(v.Capped.HitAt3), F(v.Objective),
                RoutingEvaluator.MeetsProductRules(v.Weights) ? "met" : "[grey]not met[/]");
        AnsiConsole.Write(t);

        var grid = r.Tuning.Where(InLoadGrid).DistinctBy(v => (v.Weights.LoadPenalty, v.Weights.LoadFade)).ToList();
        var lambdas = grid.Select(v => v.Weights.LoadPenalty).Distinct().Order().ToList();
        var fades = grid.Select(v => v.Weights.LoadFade).Distinct().Order().ToList();
        var m = new Table().Border(TableBorder.Rounded).Title("Load terms on the chosen setting: capped MRR / Hit@3 (objective) by load λ and prior fade φ")
            .AddColumn("λ \\ φ");
        foreach (var f in fades) m.AddColumn(Inv($"φ {f:0.##}"));
        foreach (var l in lambdas)
        {
            var cells = new List<string> { Inv($"λ {l:0.##}") };
            foreach (var f in fades)
            {
                var v = grid.FirstOrDefault(g => g.Weights.LoadPenalty == l && g.Weights.LoadFade == f);
                var text = v is null ? "" : Inv($"{v.Capped.Mrr:0.000} / {v.Capped.HitAt3:0.000} ({v.Objective:0.000})");
                cells.Add(v is not null && v.Weights == chosen ? $"[bold]{text}[/]" : text);
            }
            m.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(m);

        var b = new Table().Border(TableBorder.Rounded).Title("Baselines on the same validation folds").AddColumns("Method", "MRR", "MRR capped", "Hit@3", "Hit@3 capped");
        foreach (var x in r.ValidationBaselines)
            b.AddRow(x.Name, F(x.Uncapped.Mrr), F(x.Capped.Mrr), F(x.Uncapped.HitAt3), F(x.Capped.HitAt3));
        AnsiConsole.Write(b);
    }

    private static Table Table(EvaluationReport r, bool capped)
    {
        var title = capped
            ? $"Capped: questions routed in time order; an expert holding {CapacitySimulation.Cap} requests from the last 7 days is skipped"
            : "All methods, same split (asker excluded)";
        var t = new Table().Border(TableBorder.Rounded).Title(title)
            .AddColumns("Method", "P@1", "Hit@3", "Hit@5", "MRR", "nDCG@5", "Acc. Hit@3", "Questions", "Candidates", "Top-10% share");
        foreach (var m in r.Methods)
        {
            var s = capped ? m.Capped : m.Uncapped;
            var name = m.Name == r.Product ? $"[bold]{m.Name} (product)[/]" : m.Name + (m.Name == "random" ? $" ({RoutingEvaluator.RandomSeeds} seeds)" : "");
            t.AddRow(name, F(s.PAt1), F(s.HitAt3), F(s.HitAt5), F(s.Mrr), F(s.NdcgAt5), F(s.AcceptedHitAt3),
                s.Questions.ToString(CultureInfo.InvariantCulture), r.Candidates.ToString(CultureInfo.InvariantCulture),
                (capped ? m.CappedTop10Share : m.UncappedTop10Share).ToString("P1", CultureInfo.InvariantCulture));
        }
        return t;
    }

    /// <summary>
    /// The JSON report: <c>{"site", "questions", "candidates", "methods": {name: {"p_at_1", "hit_at_3", "hit_at_5", "mrr",
    /// "ndcg_at_5", "accepted_hit_at_3"}}, "methods_capped": {…}, "product", "top10pct_share", "route_ms_p50",
    /// "route_ms_p95", "product_weights": {"fusion", "evidence", "centroid", "bm25", "topic", "activity", "recency",
    /// "recency_half_life_days", "test_recency_half_life_days", "responsiveness", "prior_floor", "load_penalty", "load_fade",
    /// "calibrated", "validation_objective", and after a calibration "default_validation_objective", "calibration_margin",
    /// "calibration_settings", "settings"}}</c> — "settings" holds the app settings that make the live service rank with these
    /// weights (<c>{"Routing__Weights__Evidence": 0.5, …}</c>, <see cref="Routing.RankerWeightOptions"/>); fractions rounded to 4 decimals, milliseconds to 2; top10pct_share is the product's,
    /// capped; "calibrated" is true when the weights used are not the defaults; in "product_weights" a value that is not a
    /// finite number is null ("prior_floor" without a floor, objectives with nothing measured); "prior_floor" is the lowest the priors can take a score, in
    /// standard deviations (−1 for the defaults).
    /// </summary>
    /// <param name="r">The report.</param>
    public static string ToJson(EvaluationReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        JsonObject Methods(bool capped)
        {
            var o = new JsonObject();
            foreach (var m in r.Methods)
            {
                var s = capped ? m.Capped : m.Uncapped;
                o[m.Name] = new JsonObject
                {
                    ["p_at_1"] = R(s.PAt1), ["hit_at_3"] = R(s.HitAt3), ["hit_at_5"] = R(s.HitAt5), ["mrr"] = R(s.Mrr),
                    ["ndcg_at_5"] = R(s.NdcgAt5), ["accepted_hit_at_3"] = R(s.AcceptedHitAt3),
                };
            }
            return o;
        }
        var root = new JsonObject
        {
            ["site"] = r.Site,
            ["questions"] = r.Questions,
            ["candidates"] = r.Candidates,
            ["methods"] = Methods(false),
            ["methods_capped"] = Methods(true),
            ["product"] = r.Product,
            ["top10pct_share"] = R(r.ProductResult.CappedTop10Share),
            ["route_ms_p50"] = Math.Round(r.RouteMsP50, 2),
            ["route_ms_p95"] = Math.Round(r.RouteMsP95, 2),
            ["product_weights"] = WeightsJson(r),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject WeightsJson(EvaluationReport r)
    {
        var w = r.Weights;
        var o = new JsonObject
        {
            ["fusion"] = w.Fusion == HybridFusion.ZScore ? "z-score" : "rrf",
            ["evidence"] = w.Evidence, ["centroid"] = w.Centroid, ["bm25"] = w.Lexical, ["topic"] = w.Topic, ["activity"] = w.Activity,
            ["recency"] = w.Recency, ["recency_half_life_days"] = w.RecencyHalfLifeDays, ["test_recency_half_life_days"] = Math.Round(r.RecencyHalfLifeDays, 2),
            ["responsiveness"] = w.Responsiveness, ["prior_floor"] = Finite(-w.PriorFloor),
            ["load_penalty"] = w.LoadPenalty, ["load_fade"] = w.LoadFade,
            ["calibrated"] = r.Calibration is { KeptDefaults: false },
            ["validation_objective"] = Finite(r.Validation.Objective),
        };
        if (w.Fusion == HybridFusion.ZScore)
        {
            var settings = new JsonObject();
            foreach (var (key, value) in Routing.RankerWeightOptions.SettingsFor(w))
                if (double.IsFinite(value)) settings[AppSetting(key)] = value;
            o["settings"] = settings;
        }
        if (r.Calibration is { } c)
        {
            o["default_validation_objective"] = Finite(c.Defaults.Objective);
            o["calibration_margin"] = Finite(c.Margin);
            o["calibration_settings"] = c.Settings;
        }
        return o;
    }

    /// <summary>Rounded to 4 decimals, or null when not a finite number (nothing measured, no floor).</summary>
    private static double? Finite(double x) => double.IsFinite(x) ? Math.Round(x, 4) : null;

    /// <summary>
    /// The CSV beside the JSON: header <c>site,table,method,p_at_1,hit_at_3,hit_at_5,mrr,ndcg_at_5,accepted_hit_at_3,questions,candidates,top10pct_share</c>,
    /// one row per method and table (<c>uncapped</c>, <c>capped</c>); invariant culture.
    /// </summary>
    /// <param name="r">The report.</param>
    public static string ToCsv(EvaluationReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder("site,table,method,p_at_1,hit_at_3,hit_at_5,mrr,ndcg_at_5,accepted_hit_at_3,questions,candidates,top10pct_share\n");
        foreach (var capped in new[] { false, true })
        foreach (var m in r.Methods)
        {
            var s = capped ? m.Capped : m.Uncapped;
            sb.Append(Inv($"{r.Site},{(capped ? "capped" : "uncapped")},{m.Name},{R(s.PAt1)},{R(s.HitAt3)},{R(s.HitAt5)},{R(s.Mrr)},{R(s.NdcgAt5)},{R(s.AcceptedHitAt3)},{s.Questions},{r.Candidates},{R(capped ? m.CappedTop10Share : m.UncappedTop10Share)}\n"));
        }
        return sb.ToString();
    }

    private static double R(double x) => double.IsFinite(x) ? Math.Round(x, 4) : 0;

    private static string F(double x) => double.IsNaN(x) ? "—" : x.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
