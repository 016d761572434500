using MimeKit;
using SocialLearning.Commands;
using SocialLearning.Experts;
using SocialLearning.Intake;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// The <c>intake</c>, <c>outcomes</c> and <c>demo</c> verbs run as a user runs them (through <see cref="Cli"/>) against the
/// test Azurite: non-questions are listed with their kind and reason, and output paths that cannot be written are clear
/// errors before any work, never a stack trace.
/// </summary>
[Collection("Azurite")]
public sealed class CommandLineTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The sample directory, the three built-in non-questions (out-of-office, bounce, newsletter) and one real question, through the pipeline.</summary>
    private static async Task<PipelineHarness> WithSampleMailAsync(AzuriteFixture azurite)
    {
        var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        foreach (var n in SampleDirectory.NonQuestions())
            await h.Maildir.DeliverRawAsync(System.Text.Encoding.UTF8.GetBytes(n.Mime), Ct);
        var question = new MimeMessage();
        question.From.Add(new MailboxAddress("Pieter de Vries", "pieter.devries@northwind.example"));
        question.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        question.Subject = "VPN keeps dropping at home";
        question.MessageId = "vpn-cli-1@mail.northwind.example";
        question.Date = new DateTimeOffset(2026, 3, 2, 8, 7, 0, TimeSpan.Zero);
        question.Body = new TextPart("plain") { Text = "My VPN disconnects every ten minutes when I work from home. Who can help?" };
        await h.Maildir.DeliverAsync(question, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        return h;
    }

    private static string TempFolder() => Directory.CreateTempSubdirectory("sl-cli-").FullName;

    [Theory]
    [InlineData("notanemail")]
    [InlineData("Pieter de Vries")]
    public async Task Ask_with_a_from_that_is_not_an_address_is_an_error_before_storage_is_touched(string from)
    {
        var (code, output) = await Cli.RunAsync(await azurite.ConnectionStringAsync(), TempFolder(), "ask", "VPN keeps dropping at home", "--from", from);
        Assert.Equal(1, code);
        Assert.Contains($"Error: --from '{from}' is not an e-mail address; give the asker's, for example --from pieter.devries@northwind.example.", output);
    }

    [Theory]
    // From a README-only user run: an empty name printed .NET's "The value cannot be an empty string … (Parameter 'who')".
    [InlineData("")]
    [InlineData("   ")]
    public async Task Experts_resume_without_a_name_says_whom_to_give(string who)
    {
        var (code, output) = await Cli.RunAsync(await azurite.ConnectionStringAsync(), TempFolder(), "experts", "resume", who);
        Assert.Equal(1, code);
        Assert.Contains("Error: say whom to resume: experts resume anna.lindqvist@northwind.example", output);
        Assert.DoesNotContain("Parameter", output);
    }

    [Theory]
    // From a README-only user run: "abc" printed the parser's "expected type 'System.Int32'" and the whole help.
    [InlineData("abc", "Error: --top must be a whole number, not 'abc'.")]
    [InlineData("2.5", "Error: --top must be a whole number, not '2.5'.")]
    [InlineData("0", "Error: --top must be at least 1.")]
    [InlineData("-1", "Error: --top must be at least 1.")]
    public async Task Ask_with_a_top_that_is_not_a_positive_whole_number_is_an_error_in_words(string top, string expected)
    {
        var (code, output) = await Cli.RunAsync(await azurite.ConnectionStringAsync(), TempFolder(), "ask", "VPN keeps dropping at home", "--top", top);
        Assert.Equal(1, code);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("System.Int32", output);
    }

    [Fact]
    public async Task Ask_passes_over_an_expert_at_the_capacity_cap_as_routing_would()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var connection = await azurite.ConnectionStringAsync();
        const string Question = "My VPN disconnects every ten minutes when I work from home. Who can help?";

        var (code, before) = await Cli.RunAsync(connection, h.MailRoot, "ask", Question, "--from", "pieter.devries@northwind.example");
        Assert.Equal(0, code);
        var anna = before.Split('\n').Single(l => l.Contains("Anna Lindqvist", StringComparison.Ordinal));
        Assert.Contains("yes", anna);

        // Three requests this week, as routing records them.
        var capacity = h.Get<ExpertCapacity>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
            await capacity.RecordAsync("e-anna-lindqvist", $"Q-CAP00{i}", now.AddHours(-i - 1), now.AddHours(-i - 1), Ct);

        (code, var after) = await Cli.RunAsync(connection, h.MailRoot, "ask", Question, "--from", "pieter.devries@northwind.example");

        Assert.Equal(0, code);
        anna = after.Split('\n').Single(l => l.Contains("Anna Lindqvist", StringComparison.Ordinal));
        Assert.Contains("no (at capacity: 3 requests in 7 days (cap 3))", anna);
        Assert.DoesNotContain("yes", anna);
        Assert.Empty(h.Maildir.ReadOutbox()); // nothing was sent, nothing reserved
        Assert.Equal(3, await capacity.CountAsync("e-anna-lindqvist", now, null, Ct));
    }

    [Fact]
    public async Task Intake_lists_the_non_questions_with_sender_subject_kind_and_reason_and_exports_them_as_csv()
    {
        await using var h = await WithSampleMailAsync(azurite);
        var connection = await azurite.ConnectionStringAsync();

        var (code, output) = await Cli.RunAsync(connection, h.MailRoot, "intake");

        Assert.Equal(0, code);
        Assert.Contains("Mails that are not questions", output);
        Assert.Contains("3 mails that are not questions (AutoReply 1, Bounce 1, Bulk 1)", output);
        Assert.Contains("weekly@news.northwind.example", output);
        Assert.Contains("Precedence: bulk", output);
        Assert.Contains("MAILER-DAEMON@mx1.northwind.example", output);
        Assert.Contains("multipart/report; report-type=delivery-status", output);
        Assert.Contains("priya.raghavan@northwind.example", output);
        Assert.Contains("Auto-Submitted: auto-replied", output);
        Assert.DoesNotContain("VPN keeps dropping at home", output); // the question is in 'outcomes', not here

        // The demo's summary counts the same records per kind (its "non_question_kinds" JSON key).
        var delivered = SampleDirectory.NonQuestions().Select(n =>
        {
            var raw = System.Text.Encoding.UTF8.GetBytes(n.Mime);
            var mime = MimeMessage.Load(new MemoryStream(raw));
            return (new DemoMail(n.Id, mime, [], null), InboundMailHandler.DedupeKey(mime.MessageId, mime.From.Mailboxes.First().Address, raw));
        }).ToList();
        var summary = DemoResults.Summarise(await DemoResults.CollectAsync(h.Get<StorageClients>(), delivered, Ct), quality: false);
        Assert.Equal(3, summary.NonQuestions);
        Assert.Equal(["AutoReply=1", "Bounce=1", "Bulk=1"], summary.NonQuestionKinds.Select(k => $"{k.Key}={k.Value}"));
        Assert.Contains("\"non_question_kinds\":{\"AutoReply\":1,\"Bounce\":1,\"Bulk\":1}", System.Text.Json.JsonSerializer.Serialize(summary));

        var folder = TempFolder();
        try
        {
            var csv = Path.Combine(folder, "intake.csv");
            var (csvCode, csvOutput) = await Cli.RunAsync(connection, h.MailRoot, "intake", "--csv", csv);
            Assert.Equal(0, csvCode);
            Assert.Contains("Wrote 3 mails that are not questions to", csvOutput);
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'p' }, (await File.ReadAllBytesAsync(csv, Ct))[..4]);
            var lines = (await File.ReadAllTextAsync(csv, Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("processed_at_utc,kind,from,subject,reason,message_id,mailbox_ref", lines[0]);
            Assert.Equal(4, lines.Length);
            var bulk = Assert.Single(lines, l => l.Contains(",Bulk,", StringComparison.Ordinal));
            Assert.Contains(",Bulk,weekly@news.northwind.example,Thanks! Your Northwind Weekly for 6 November,Precedence: bulk,weekly-2026-45@news.northwind.example,", bulk);
            // The last column finds the mail's file in the Maildir (processed: inbox/cur/, flagged seen).
            // (A processed Maildir name ends in ":2,", so the field is quoted.)
            var fileName = System.Text.RegularExpressions.Regex.Match(bulk, "\"([^\"]*)\"$").Groups[1].Value;
            Assert.EndsWith(".sociallearning:2,", fileName);
            Assert.Single(Directory.GetFiles(Path.Combine(h.MailRoot, "inbox", "cur")), f => Path.GetFileName(f).StartsWith(fileName.Split(':')[0], StringComparison.Ordinal));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,", bulk);
            var bounce = Assert.Single(lines, l => l.Contains(",Bounce,", StringComparison.Ordinal));
            Assert.Contains(",Bounce,MAILER-DAEMON@mx1.northwind.example,Undeliverable: Can you help? Slow query on the orders table,multipart/report; report-type=delivery-status,", bounce);
            var auto = Assert.Single(lines, l => l.Contains(",AutoReply,", StringComparison.Ordinal));
            Assert.Contains(",AutoReply,priya.raghavan@northwind.example,Automatic reply: Can you help? Parental leave question,Auto-Submitted: auto-replied,oof-7f3a2c91@mail.northwind.example", auto);

            var (dirCode, dirOutput) = await Cli.RunAsync(connection, h.MailRoot, "intake", "--csv", folder);
            Assert.Equal(1, dirCode);
            Assert.Contains($"--csv '{folder}' is a folder; give a file path, for example {Path.Combine(folder, "intake.csv")}.", dirOutput);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_reset_clears_the_earlier_runs_pause_and_stop_so_a_rerun_asks_those_experts_again()
    {
        await using var h = await WithSampleMailAsync(azurite);
        var storage = h.Get<StorageClients>();
        var experts = storage.Table(TableNames.Experts);
        var all = await experts.ReadAllAsync<ExpertEntity>(null, Ct);
        var (stopped, paused) = (all[0], all[1]);
        stopped.OptedOut = true;
        paused.PausedUntil = DateTimeOffset.UtcNow.AddDays(14);
        await experts.UpsertEntityAsync(stopped, Azure.Data.Tables.TableUpdateMode.Replace, Ct);
        await experts.UpsertEntityAsync(paused, Azure.Data.Tables.TableUpdateMode.Replace, Ct);

        await DemoCommand.ResetLocalStateAsync(storage, Ct);

        var after = await experts.ReadAllAsync<ExpertEntity>(null, Ct);
        Assert.Equal(all.Count, after.Count);
        Assert.All(after, e => Assert.False(e.OptedOut));
        Assert.All(after, e => Assert.Null(e.PausedUntil));
        Assert.Empty(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
    }

    [Fact]
    public async Task Intake_names_the_mail_of_a_malformed_record_that_has_no_sender_or_subject()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var name = await h.Maildir.DeliverRawAsync([], Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        var record = Assert.Single(records);
        Assert.Equal(("Malformed", "", ""), (record.Kind, record.From, record.Subject));
        var (code, output) = await Cli.RunAsync(await azurite.ConnectionStringAsync(), h.MailRoot, "intake");
        Assert.Equal(0, code);
        Assert.Contains($"(mail {record.MessageRef})", output);
        Assert.Contains(name.Split(':')[0], record.MessageRef);
    }

    [Fact]
    public async Task Intake_with_nothing_recorded_prints_an_empty_list_and_a_zero_count()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var (code, output) = await Cli.RunAsync(await azurite.ConnectionStringAsync(), h.MailRoot, "intake");
        Assert.Equal(0, code);
        Assert.Contains("0 mails that are not questions", output);
        Assert.DoesNotContain("(AutoReply", output);
    }

    [Fact]
    public async Task Outcomes_csv_to_a_folder_is_a_clear_error_naming_the_path_and_a_file_gets_the_log()
    {
        await using var h = await WithSampleMailAsync(azurite);
        var connection = await azurite.ConnectionStringAsync();
        var folder = TempFolder();
        try
        {
            var (code, output) = await Cli.RunAsync(connection, h.MailRoot, "outcomes", "--csv", folder);
            Assert.Equal(1, code);
            Assert.Contains($"Error: --csv '{folder}' is a folder; give a file path, for example {Path.Combine(folder, "outcomes.csv")}.", output);
            Assert.DoesNotContain("Access to the path", output);
            Assert.DoesNotContain("Exception", output);
            Assert.DoesNotContain("   at ", output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));

            var file = Path.Combine(folder, "outcomes.csv");
            var (okCode, okOutput) = await Cli.RunAsync(connection, h.MailRoot, "outcomes", "--csv", file);
            Assert.Equal(0, okCode);
            var events = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
            Assert.Contains($"Wrote {events.Count} events to {file}", okOutput);
            // UTF-8 with a byte-order mark, so Excel reads non-ASCII names right; File.ReadAllText drops the mark.
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', (byte)'t' }, (await File.ReadAllBytesAsync(file, Ct))[..5]);
            var lines = (await File.ReadAllTextAsync(file, Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(string.Join(',', OutcomeCsv.Columns), lines[0]);
            Assert.Equal(events.Count + 1, lines.Length);
            Assert.Contains(lines, l => l.StartsWith("2026-03-02T08:07:00Z,received,", StringComparison.Ordinal) && l.EndsWith(",pieter.devries@northwind.example,VPN keeps dropping at home,0.0,,", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Process_takes_in_waiting_mail_on_the_stored_state_so_a_reply_to_an_earlier_request_is_relayed()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var connection = await azurite.ConnectionStringAsync();
        var question = new MimeMessage();
        question.From.Add(new MailboxAddress("Pieter de Vries", "pieter.devries@northwind.example"));
        question.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        question.Subject = "VPN keeps dropping at home";
        question.MessageId = "vpn-process-1@mail.northwind.example";
        question.Body = new TextPart("plain") { Text = "My VPN disconnects every ten minutes when I work from home. Who can help?" };
        await h.Maildir.DeliverAsync(question, Ct);

        var (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process");

        Assert.Equal(0, code);
        Assert.Contains("1 mail(s) taken in; 1 received, ", output);
        Assert.Contains(" routed", output);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var route = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).First();
        var request = h.Maildir.ReadOutbox().Single(m => m.To.Mailboxes.Single().Address == route.ExpertEmail);

        // A second run, as after a demo: nothing is reset, the reply finds its question and is relayed.
        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress(route.ExpertName, route.ExpertEmail));
        reply.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        reply.Subject = "RE: " + request.Subject;
        reply.MessageId = "vpn-process-answer@mail.northwind.example";
        reply.InReplyTo = request.MessageId;
        reply.Body = new TextPart("plain") { Text = "Switch to the TCP VPN profile; your router drops idle UDP sessions." };
        await h.Maildir.DeliverAsync(reply, Ct);

        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process");

        Assert.Equal(0, code);
        Assert.Contains("1 mail(s) taken in; 1 answered, 1 relayed; 1 not a question.", output);
        Assert.Contains($"Answer by {route.ExpertName} to {q.QuestionId}; relayed to the asker.", output);
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");

        // The same question mailed again (same Message-ID): ignored, and the run says so.
        await h.Maildir.DeliverAsync(question, Ct);
        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process");
        Assert.Equal(0, code);
        Assert.Contains("1 mail(s) taken in; no outcome events; 0 not a question; 1 taken in before (same Message-ID), ignored.", output);

        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process");
        Assert.Equal(0, code);
        Assert.Contains("No mail was waiting in ", output);
        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process", "--mailbox", Path.Combine(h.MailRoot, "missing"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist; give the folder that holds inbox/ and outbox/", output);
        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "process", "--mailbox", typeof(CommandLineTests).Assembly.Location);
        Assert.Equal(1, code);
        Assert.Contains("is a file; give the folder that holds inbox/ and outbox/", output);
    }

    [Fact]
    public async Task Evaluate_out_that_is_a_folder_fails_at_once_before_the_dump_is_read()
    {
        var connection = await azurite.ConnectionStringAsync();
        var folder = TempFolder();
        try
        {
            // An empty "site" folder: reading it would fail on the missing Posts.xml, so the --out error must come first.
            var site = Directory.CreateDirectory(Path.Combine(folder, "site")).FullName;
            var (code, output) = await Cli.RunAsync(connection, Path.Combine(folder, "mailbox"), "evaluate", "--dump", site, "--out", folder);

            Assert.Equal(1, code);
            Assert.Contains($"Error: --out '{folder}' is a folder; give a file path, for example {Path.Combine(folder, "eval.json")}.", output);
            Assert.DoesNotContain("Posts.xml", output);

            // The CSV is written beside the JSON with the same name: a .csv --out would be overwritten by its own CSV.
            (code, output) = await Cli.RunAsync(connection, Path.Combine(folder, "mailbox"), "evaluate", "--dump", site, "--out", Path.Combine(folder, "x.csv"));
            Assert.Equal(1, code);
            Assert.Contains("names the CSV; give the JSON path (e.g. eval.json)", output);

            // An .xml --out would overwrite a file that looks like the dump's own.
            (code, output) = await Cli.RunAsync(connection, Path.Combine(folder, "mailbox"), "evaluate", "--dump", site, "--out", Path.Combine(site, "Posts.xml"));
            Assert.Equal(1, code);
            Assert.Contains("names an XML file, like the dump's own files; give the JSON path", output);

            // evaluate starts from the live weights, so it checks them as the service does, before reading the dump.
            Environment.SetEnvironmentVariable("Routing__Weights__Bm25", "0");
            try
            {
                (code, output) = await Cli.RunAsync(connection, Path.Combine(folder, "mailbox"), "evaluate", "--dump", site);
            }
            finally
            {
                Environment.SetEnvironmentVariable("Routing__Weights__Bm25", null);
            }
            Assert.Equal(2, code);
            Assert.Contains("Routing:Weights:Bm25 (0) must be above 0", output);
            Assert.DoesNotContain("Posts.xml", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_json_that_cannot_be_written_fails_at_once_before_any_work()
    {
        var connection = await azurite.ConnectionStringAsync();
        var folder = TempFolder();
        try
        {
            var blocker = Path.Combine(folder, "not-a-folder.txt");
            await File.WriteAllTextAsync(blocker, "a file where the summary's folder would be", Ct);
            var mailbox = Path.Combine(folder, "mailbox");
            var json = Path.Combine(blocker, "demo.json");

            var (code, output) = await Cli.RunAsync(connection, mailbox, "demo", "--mailbox", mailbox, "--json", json);

            Assert.Equal(1, code);
            Assert.Contains($"Error: --json '{json}' cannot be written: '{blocker}' is a file, not a folder.", output);
            Assert.DoesNotContain("SocialLearning demo", output); // nothing started: no scenario, no storage, no import
            Assert.False(Directory.Exists(mailbox));
            Assert.DoesNotContain("Exception", output);

            var (dirCode, dirOutput) = await Cli.RunAsync(connection, mailbox, "demo", "--mailbox", mailbox, "--json", folder);
            Assert.Equal(1, dirCode);
            Assert.Contains($"Error: --json '{folder}' is a folder; give a file path, for example {Path.Combine(folder, "demo.json")}.", dirOutput);
            Assert.False(Directory.Exists(mailbox));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Experts_lists_each_listings_standing_and_resume_lifts_a_stop_for_every_listing_of_the_address()
    {
        await using var h = await WithSampleMailAsync(azurite);
        var storage = h.Get<StorageClients>();
        var table = storage.Table(TableNames.Experts);
        var all = (await table.ReadAllAsync<ExpertEntity>(null, Ct)).OrderBy(e => e.ExpertId, StringComparer.Ordinal).ToList();
        var (stopped, paused) = (all[0], all[1]);
        stopped.OptedOut = true;
        paused.PausedUntil = new DateTimeOffset(2099, 1, 4, 0, 0, 0, TimeSpan.Zero);
        await table.UpsertEntityAsync(stopped, Azure.Data.Tables.TableUpdateMode.Replace, Ct);
        await table.UpsertEntityAsync(paused, Azure.Data.Tables.TableUpdateMode.Replace, Ct);
        var connection = await azurite.ConnectionStringAsync();

        var (code, output) = await Cli.RunAsync(connection, h.MailRoot, "experts");
        Assert.Equal(0, code);
        Assert.Contains($"{all.Count} listings (available {all.Count - 2}, paused 1, stopped 1)", output);
        Assert.Contains("paused until 2099-01-04", output);
        var csvPath = Path.Combine(h.MailRoot, "experts.csv");
        (code, _) = await Cli.RunAsync(connection, h.MailRoot, "experts", "--csv", csvPath);
        Assert.Equal(0, code);
        var lines = (await File.ReadAllLinesAsync(csvPath, Ct)).ToList();
        Assert.Equal("id,name,email,department,source,answers,learned,last_active_utc,standing", lines[0].TrimStart('\uFEFF'));
        Assert.Equal(all.Count + 1, lines.Count);
        Assert.Single(lines, l => l.StartsWith(stopped.ExpertId + ",", StringComparison.Ordinal) && l.EndsWith(",stopped", StringComparison.Ordinal));

        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "experts", "resume", $"{stopped.Name} <{stopped.Email.ToUpperInvariant()}>");
        Assert.Equal(0, code);
        Assert.Contains($"Resumed {stopped.Name} ({stopped.ExpertId})", output);
        var after = await table.GetOrNullAsync<ExpertEntity>(stopped.PartitionKey, stopped.RowKey, Ct);
        Assert.False(after!.OptedOut);
        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "experts", "resume", stopped.ExpertId.ToUpperInvariant());
        Assert.Equal((0, true), (code, output.Contains("was neither paused nor stopped; nothing changed.", StringComparison.Ordinal)));
        (code, output) = await Cli.RunAsync(connection, h.MailRoot, "experts", "resume", "nobody@northwind.example");
        Assert.Equal(1, code);
        Assert.Contains("No expert in the directory has the address or id 'nobody@northwind.example'.", output);
    }
}
