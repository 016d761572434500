using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>The hard capacity cap of the live router: 3 requests per expert per 7 days of question time, durable in storage.</summary>
[Collection("Azurite")]
public sealed class CapacityTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Monday = new(2026, 11, 16, 9, 0, 0, TimeSpan.Zero);

    private static MimeMessage VpnQuestion(int n, DateTimeOffset date)
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress($"Asker {n}", $"asker{n}@northwind.example"));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = $"VPN drops every few minutes ({n})";
        m.MessageId = $"vpn-cap-{n}@mail.northwind.example";
        m.Date = date;
        m.Body = new TextPart("plain") { Text = "My VPN connection from home disconnects every ten minutes although the internet itself stays up. What can I check?" };
        return m;
    }

    [Fact]
    public async Task Fourth_request_within_seven_days_passes_the_only_close_expert_over_and_is_recorded_as_overloaded()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        // One mail a day, each routed before the next arrives (as live mail is); the fifth comes eight days after the first,
        // when the first request has left the window, so the expert can be asked again.
        DateTimeOffset[] days = [Monday, Monday.AddDays(1), Monday.AddDays(2), Monday.AddDays(3), Monday.AddDays(8)];
        for (var i = 0; i < days.Length; i++)
        {
            await h.Maildir.DeliverAsync(VpnQuestion(i + 1, days[i]), Ct);
            await h.Get<PipelineRunner>().RunAsync(null, Ct);
        }

        var storage = h.Get<StorageClients>();
        var questions = (await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct)).OrderBy(q => q.ReceivedAt).ToList();
        Assert.Equal(5, questions.Count);
        Assert.Equal([QuestionStates.Routed, QuestionStates.Routed, QuestionStates.Routed, QuestionStates.Unrouted, QuestionStates.Routed],
            questions.Select(q => q.State));
        var asked = new List<string>();
        foreach (var q in questions)
            asked.Add(string.Join(",", (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).Select(r => r.ExpertId)));
        Assert.Equal(["e-anna-lindqvist", "e-anna-lindqvist", "e-anna-lindqvist", "", "e-anna-lindqvist"], asked);

        var events = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
        var skipped = Assert.Single(events, e => e.Kind == OutcomeKinds.Skipped);
        Assert.Equal(questions[3].QuestionId, skipped.QuestionId);
        Assert.Equal("e-anna-lindqvist", skipped.ExpertId);
        Assert.Equal("at capacity: 3 requests in 7 days (cap 3)", skipped.Detail);
        var overloaded = Assert.Single(events, e => e.Kind == OutcomeKinds.Overloaded);
        Assert.Equal(questions[3].QuestionId, overloaded.QuestionId);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.Gap && e.QuestionId == questions[3].QuestionId);
        Assert.StartsWith("knowledge bottleneck: the one expert close enough was passed over (Anna Lindqvist: at capacity", questions[3].UnroutedReason);
        Assert.Equal("", questions[0].UnroutedReason);

        // The cap lives in storage, not in the routing process: a fresh instance (another worker, a restart) sees it.
        var fresh = new ExpertCapacity(storage, Microsoft.Extensions.Options.Options.Create(new RoutingOptions()));
        // Counted from a week before the question's time on, newer questions included (a question routed late — an escalation
        // — sees the requests sent meanwhile): Mon, Tue, Wed and Mon+8 for Thursday's question; Wed and Mon+8 for Mon+8's (the
        // window opens just after Tue 9:00).
        Assert.Equal(4, await fresh.CountAsync("e-anna-lindqvist", Monday.AddDays(3), null, Ct));
        Assert.Equal(2, await fresh.CountAsync("e-anna-lindqvist", Monday.AddDays(8), null, Ct));
        Assert.Equal(1, await fresh.CountAsync("e-anna-lindqvist", Monday.AddDays(14), null, Ct));
        Assert.Equal((true, 4), await fresh.CheckAsync("e-anna-lindqvist", Monday.AddDays(3), "another-question", Ct));
        // A retried routing of a question already counted does not count against itself.
        Assert.Equal(3, await fresh.CountAsync("e-anna-lindqvist", Monday.AddDays(2), questions[2].QuestionId, Ct));
    }

    [Fact]
    public async Task A_question_routed_late_counts_the_requests_sent_for_newer_questions_meanwhile()
    {
        // From a README-only user run: a subject-only mail at 9:00 is too short to route; three VPN questions at 9:10–9:30
        // fill Anna's week; at 9:40 the first asker adds the text and the question is routed. Counted up to 9:00 only, Anna
        // held nothing and was asked a fourth time.
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var subjectOnly = TestMail.Question("late-short@mail.northwind.example", "Quick question", "", "Tim Short <tim.short@northwind.example>");
        subjectOnly.Date = Monday;
        await h.Maildir.DeliverAsync(subjectOnly, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        for (var i = 1; i <= 3; i++)
        {
            await h.Maildir.DeliverAsync(VpnQuestion(i, Monday.AddMinutes(10 * i)), Ct);
            await h.Get<PipelineRunner>().RunAsync(null, Ct);
        }
        var added = TestMail.Reply("Tim Short <tim.short@northwind.example>", "Re: Quick question", "late-more@mail.northwind.example",
            "Sorry, forgot the text: my VPN connection from home disconnects every ten minutes although the internet stays up. What can I check?");
        added.Date = Monday.AddMinutes(40);
        await h.Maildir.DeliverAsync(added, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var storage = h.Get<StorageClients>();
        var late = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct), q => q.Subject == "Quick question");
        Assert.StartsWith("Sorry, forgot the text: my VPN connection", late.Text);
        var routes = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(late.QuestionId, Ct);
        Assert.DoesNotContain(routes, r => r.ExpertId == "e-anna-lindqvist");
        var skipped = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Skipped && e.QuestionId == late.QuestionId);
        Assert.Equal(("e-anna-lindqvist", "at capacity: 3 requests in 7 days (cap 3)"), (skipped.ExpertId, skipped.Detail));
        Assert.Equal(3, (await storage.Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>("e-anna-lindqvist", Ct)).Count);
    }

    [Fact]
    public async Task Events_of_one_instant_read_received_then_skipped_then_what_routing_concluded()
    {
        // From a README-only user run: "escalated: nobody else can be asked" was listed above the skips that explain it.
        await using var h = await PipelineHarness.StartAsync(azurite);
        var log = h.Get<OutcomeLog>();
        var at = Monday.AddHours(3);
        foreach (var (kind, expert) in new[] { ("escalated", ""), ("overloaded", ""), ("skipped", "e-olga-petrova"), ("received", ""), ("skipped", "e-anna-lindqvist"), ("gap", "") })
            await log.AppendAsync(new OutcomeEntity { Kind = kind, QuestionId = "Q-ORDER1", ExpertId = expert, At = at }, Ct);
        await log.AppendAsync(new OutcomeEntity { Kind = "answered", QuestionId = "Q-ORDER1", ExpertId = "e-anna-lindqvist", At = at.AddMinutes(-1) }, Ct);

        Assert.Equal(["answered", "received", "skipped:e-anna-lindqvist", "skipped:e-olga-petrova", "escalated", "gap", "overloaded"],
            (await log.ReadAllAsync(Ct)).Select(e => e.ExpertId.Length > 0 && e.Kind == "skipped" ? $"{e.Kind}:{e.ExpertId}" : e.Kind));
    }

    /// <summary>Imports the sample directory, mails VPN question 1 (only Anna Lindqvist is close enough) and routes it.</summary>
    private static async Task<QuestionEntity> AskVpnQuestionAsync(PipelineHarness h)
    {
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        await h.Maildir.DeliverAsync(VpnQuestion(1, Monday), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        return Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
    }

    [Fact]
    public async Task A_pass_by_the_only_close_expert_ends_as_a_knowledge_gap_the_asker_is_told_of_and_their_detail_routes_it_again_without_her()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var q = await AskVpnQuestionAsync(h);
        var storage = h.Get<StorageClients>();
        var pass = new MimeMessage();
        pass.From.Add(MailboxAddress.Parse("Anna Lindqvist <anna.lindqvist@northwind.example>"));
        pass.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        pass.Subject = $"Re: [{q.QuestionId}] VPN drops every few minutes (1)";
        pass.MessageId = "anna-pass-alone@mail.northwind.example";
        pass.Date = Monday.AddHours(1);
        pass.Body = new TextPart("plain") { Text = "Not my area, sorry. Try the network team in Rotterdam." };
        await h.Maildir.DeliverAsync(pass, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var escalated = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Escalated);
        Assert.Equal("an expert passed and nobody else in the pool can be asked (0 close enough left, 0 passed over)", escalated.Detail);
        // The pass keeps the expert's words, the pointer to whom to ask included, for the outcome log.
        var passed = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Passed);
        Assert.Equal("Anna Lindqvist passed (\"Not my area, sorry. Try the network team in Rotterdam.\") 1 h 00 min after the question", passed.Detail);
        Assert.Single(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct));
        // Nobody has the question any more: for L&D a knowledge gap, and the asker is told in their thread.
        var ended = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct);
        Assert.Equal((QuestionStates.Unrouted, "knowledge gap: every expert asked passed, and nobody else is close enough"), (ended!.State, ended.UnroutedReason));
        var gap = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Gap);
        Assert.Equal("every expert asked passed, and nobody else is close enough", gap.Detail);
        var notice = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "asker1@northwind.example");
        Assert.Contains("The colleagues we asked passed on your question", notice.TextBody);
        Assert.Contains("we will try again with colleagues not asked yet", notice.TextBody);

        // The asker adds detail: routed again, and Anna, who passed, is not asked a second time.
        var more = new MimeMessage();
        more.From.Add(new MailboxAddress("Asker 1", "asker1@northwind.example"));
        more.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        more.Subject = notice.Subject!;
        more.MessageId = "asker1-more@mail.northwind.example";
        more.InReplyTo = notice.MessageId!;
        more.Date = Monday.AddHours(2);
        more.Body = new TextPart("plain") { Text = "It is the Cisco AnyConnect client on a Windows laptop, and the drops started after the last Windows update." };
        await h.Maildir.DeliverAsync(more, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var routes = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example"); // not asked twice
        var again = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct);
        Assert.Contains("Windows update", again!.Text);
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        var rerouted = events.Where(e => e.Kind == OutcomeKinds.Routed && e.At > gap.At).ToList();
        // With the Windows detail, Tomasz Nowak is close enough now: asked as the second, never Anna.
        var asked = Assert.Single(rerouted);
        Assert.Equal(("e-tomasz-nowak", 2), (asked.ExpertId, asked.Rank));
        Assert.Equal(2, Assert.Single(routes, r => r.ExpertId == "e-tomasz-nowak").Rank);
        Assert.Equal((QuestionStates.Routed, ""), (again.State, again.UnroutedReason));
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "tomasz.nowak@northwind.example");
    }

    [Fact]
    public async Task When_the_only_expert_is_away_the_question_is_a_bottleneck_recorded_once_and_her_late_answer_reopens_it()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var q = await AskVpnQuestionAsync(h);
        var storage = h.Get<StorageClients>();
        MimeMessage FromAnna(string id, string subject, MimeEntity body, params (string Name, string Value)[] headers)
        {
            var m = new MimeMessage();
            m.From.Add(MailboxAddress.Parse("Anna Lindqvist <anna.lindqvist@northwind.example>"));
            m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
            m.Subject = subject;
            m.MessageId = id;
            m.InReplyTo = SocialLearning.Mail.RoutedRequestComposer.RequestMessageId(q.QuestionId, "e-anna-lindqvist");
            m.Date = DateTimeOffset.UtcNow;
            foreach (var (name, value) in headers) m.Headers.Add(name, value);
            m.Body = body;
            return m;
        }
        // A read receipt is not an out-of-office reply: nothing changes.
        var receipt = new MultipartReport("disposition-notification") { new TextPart("plain") { Text = "Your message was read." } };
        await h.Maildir.DeliverAsync(FromAnna("anna-read@mail.northwind.example", $"Read: [{q.QuestionId}] VPN drops every few minutes (1)", receipt, ("Auto-Submitted", "auto-generated")), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Null(Assert.Single(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).PassedAt);

        await h.Maildir.DeliverAsync(FromAnna("anna-ooo@mail.northwind.example", $"Automatic reply: [{q.QuestionId}] VPN drops every few minutes (1)",
            new TextPart("plain") { Text = "I am out of the office until 4 January." }, ("Auto-Submitted", "auto-replied")), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        // The escalation runs again (a retried message): still one record.
        await h.Get<RouteQuestionHandler>().HandleAsync(new RouteQuestionMessage(q.QuestionId, Escalate: true), Ct);

        var ended = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct);
        Assert.Equal((QuestionStates.Unrouted, "knowledge bottleneck: every expert asked passed; the experts asked are away or paused (Anna Lindqvist)"), (ended!.State, ended.UnroutedReason));
        var log = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(log, e => e.Kind == OutcomeKinds.Overloaded);
        Assert.DoesNotContain(log, e => e.Kind == OutcomeKinds.Gap);
        var notice = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "asker1@northwind.example");
        Assert.Contains("The colleagues we asked who know about this are away or have paused their requests", notice.TextBody);

        // Back from leave, she answers after all: answered and relayed, and the question is no longer a dead end.
        await h.Maildir.DeliverAsync(FromAnna("anna-late@mail.northwind.example", $"Re: [{q.QuestionId}] VPN drops every few minutes (1)",
            new TextPart("plain") { Text = "Switch the client to the TCP profile; the UDP one drops behind home routers." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var answered = await storage.Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct);
        Assert.Equal((QuestionStates.Routed, ""), (answered!.State, answered.UnroutedReason));
        Assert.Contains(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "asker1@northwind.example" && m.TextBody!.Contains("TCP profile"));
    }

    [Fact]
    public async Task The_cap_is_per_person_so_a_second_listing_of_a_busy_address_is_not_asked()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        for (var i = 0; i < 3; i++)
        {
            await h.Maildir.DeliverAsync(VpnQuestion(i + 1, Monday.AddDays(i)), Ct);
            await h.Get<PipelineRunner>().RunAsync(null, Ct);
        }
        // Anna, who now holds 3 requests this week, is also synced from another source under the same address.
        var anna = SampleDirectory.Experts().Single(e => e.Id == "e-anna-lindqvist");
        await h.Get<ExpertImporter>().ImportAsync([anna with { Id = "entra-anna", Email = "Anna.Lindqvist@northwind.example" }], "entra", replaceDirectory: false, null, Ct);

        await h.Maildir.DeliverAsync(VpnQuestion(4, Monday.AddDays(3)), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var storage = h.Get<StorageClients>();
        var fourth = (await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct)).OrderBy(q => q.ReceivedAt).Last();
        Assert.DoesNotContain(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(fourth.QuestionId, Ct),
            r => r.ExpertEmail.Equals("anna.lindqvist@northwind.example", StringComparison.OrdinalIgnoreCase));
        var skipped = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.Kind == OutcomeKinds.Skipped && e.QuestionId == fourth.QuestionId).ToList();
        Assert.Contains(skipped, e => e.ExpertId == "e-anna-lindqvist" && e.Detail == "at capacity: 3 requests in 7 days (cap 3)");
        // (The outbox is ordered by idempotency key, not by time: look for the fourth question's id.)
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address.Equals("anna.lindqvist@northwind.example", StringComparison.OrdinalIgnoreCase)
                                                           && m.Subject!.Contains(fourth.QuestionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preview_counts_the_cap_like_routing_and_reserves_nothing()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var storage = h.Get<StorageClients>();
        var capacity = h.Get<ExpertCapacity>();
        // Anna already holds three requests in the window; Marcus holds one.
        for (var i = 1; i <= 3; i++) await capacity.RecordAsync("e-anna-lindqvist", $"q-earlier-{i}", Monday.AddDays(i - 1), Monday.AddDays(i - 1), Ct);
        await capacity.RecordAsync("e-marcus-oyelaran", "q-earlier-4", Monday, Monday, Ct);
        var before = (await storage.Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(null, Ct)).Count;
        RankedCandidate Candidate(string id, double score) => new(id, id, id[2..] + "@northwind.example", "IT", score, Similarity: 0.6, Reason: "test pool");
        RankedCandidate[] pool = [Candidate("e-anna-lindqvist", 3), Candidate("e-marcus-oyelaran", 2), Candidate("e-priya-raman", 1)];
        var selection = h.Get<ExpertSelection>();

        var preview = await selection.SelectAsync(pool, 3, CapacityUse.Count, "", Monday.AddDays(3), Ct);

        Assert.Equal(["e-marcus-oyelaran", "e-priya-raman"], preview.Asked.Select(c => c.ExpertId));
        var passed = Assert.Single(preview.Passed);
        Assert.Equal("e-anna-lindqvist", passed.Candidate.ExpertId);
        Assert.Equal("at capacity: 3 requests in 7 days (cap 3)", passed.Reason);
        Assert.Equal(before, (await storage.Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(null, Ct)).Count);

        // Routing the same question makes the same choice and holds a place for each expert asked.
        var routed = await selection.SelectAsync(pool, 3, CapacityUse.Reserve, "q-now", Monday.AddDays(3), Ct);

        Assert.Equal(preview.Asked.Select(c => c.ExpertId), routed.Asked.Select(c => c.ExpertId));
        Assert.Equal(preview.Passed.Select(p => p.Reason), routed.Passed.Select(p => p.Reason));
        Assert.Equal(before + 2, (await storage.Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(null, Ct)).Count);
        Assert.Equal(2, await capacity.CountAsync("e-marcus-oyelaran", Monday.AddDays(3), null, Ct));
    }

    [Fact]
    public async Task An_expert_below_the_questions_average_is_asked_only_as_its_first()
    {
        // From a README-only user run: a hotel-above-the-travel-cap question also went to a lawyer, score -0.120, on the one
        // matched term "cap".
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        RankedCandidate Candidate(string id, double score) => new(id, id, id[2..] + "@northwind.example", "IT", score, Similarity: 0.6, Reason: "test pool");
        var selection = h.Get<ExpertSelection>();

        var choice = await selection.SelectAsync([Candidate("e-olga-petrova", 2.5), Candidate("e-benedikt-kraus", -0.12), Candidate("e-priya-raman", 0)],
            3, CapacityUse.Count, "", Monday, Ct);
        Assert.Equal(["e-olga-petrova"], choice.Asked.Select(c => c.ExpertId));
        Assert.Empty(choice.Passed);

        // The best there is, when even the first is below average, is asked (otherwise it is a gap); not a second one.
        choice = await selection.SelectAsync([Candidate("e-benedikt-kraus", -0.12), Candidate("e-priya-raman", -0.5)], 3, CapacityUse.Count, "", Monday, Ct);
        Assert.Equal(["e-benedikt-kraus"], choice.Asked.Select(c => c.ExpertId));

        // In place of one who passed (an escalation: someone was asked already), not below the average either.
        choice = await selection.SelectAsync([Candidate("e-benedikt-kraus", -0.12), Candidate("e-priya-raman", 0.4)], 1, CapacityUse.Count, "", Monday, Ct,
            [("olga.petrova@northwind.example", "Olga Petrova")]);
        Assert.Equal(["e-priya-raman"], choice.Asked.Select(c => c.ExpertId));
    }

    private sealed class AwayList(params string[] away) : IExpertAvailability
    {
        public List<(string Email, DateTimeOffset At)> Checked { get; } = [];

        public Task<ExpertAvailabilityResult> CheckAsync(string expertEmail, DateTimeOffset at, CancellationToken cancellationToken)
        {
            lock (Checked) Checked.Add((expertEmail, at));
            return Task.FromResult(away.Contains(expertEmail, StringComparer.OrdinalIgnoreCase)
                ? ExpertAvailabilityResult.No("out of office until 2026-12-04 17:00 W. Europe Standard Time (automatic replies scheduled)")
                : ExpertAvailabilityResult.Yes);
        }
    }

    [Fact]
    public async Task Expert_out_of_office_is_passed_over_with_the_reason_and_the_next_close_expert_is_asked()
    {
        var away = new AwayList("olga.petrova@northwind.example");
        await using var h = await PipelineHarness.StartAsync(azurite, configure: s =>
        {
            s.RemoveAll<IExpertAvailability>();
            s.AddSingleton<IExpertAvailability>(away);
        });
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var m = VpnQuestion(1, Monday);
        m.Subject = "Conference ticket: expense it or purchase order?";
        m.Body = new TextPart("plain") { Text = "I want to attend a conference next month. Do I pay the ticket myself and expense it, or raise a purchase order?" };
        await h.Maildir.DeliverAsync(m, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var storage = h.Get<StorageClients>();
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var candidates = RouteQuestionHandler.Candidates(q);
        Assert.Equal("e-olga-petrova", candidates[0].ExpertId); // the finance expert ranks first…
        var routes = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.NotEmpty(routes);
        Assert.DoesNotContain(routes, r => r.ExpertId == "e-olga-petrova"); // …but is away, so is not asked
        Assert.Equal(QuestionStates.Routed, q.State);
        var skipped = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Skipped);
        Assert.Equal("e-olga-petrova", skipped.ExpertId);
        Assert.StartsWith("out of office until 2026-12-04", skipped.Detail);
        // Availability is checked at the time the request goes out, not at the question's (older) Date.
        Assert.All(away.Checked, c => Assert.True(c.At > Monday.AddDays(1)));
    }

    [Fact]
    public async Task Concurrent_reservations_for_one_expert_grant_exactly_the_cap_and_leave_only_the_granted_rows()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var capacity = h.Get<ExpertCapacity>();
        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            capacity.TryReserveAsync("e-busy", $"Q-RACE{i:D2}", Monday.AddMinutes(i), Monday.AddDays(20), Ct)));

        Assert.Equal(3, results.Count(r => r.Reserved));
        Assert.All(results.Where(r => !r.Reserved), r => Assert.True(r.Earlier >= 3));
        var rows = await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>("e-busy", Ct);
        Assert.Equal(3, rows.Count);
        // A retried routing of a granted question keeps its place.
        var granted = rows[0].QuestionId;
        Assert.True((await capacity.TryReserveAsync("e-busy", granted, rows[0].QuestionReceivedAt, Monday.AddDays(20), Ct)).Reserved);
        Assert.Equal(3, (await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>("e-busy", Ct)).Count);
    }

    [Fact]
    public async Task Cap_zero_turns_the_cap_off()
    {
        await using var h = await PipelineHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Routing:MaxRequestsPerExpert"] = "0" });
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        for (var i = 1; i <= 4; i++) await h.Maildir.DeliverAsync(VpnQuestion(i, Monday.AddHours(i)), Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var questions = await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct);
        Assert.All(questions, q => Assert.Equal(QuestionStates.Routed, q.State));
        Assert.Equal(4, questions.Count);
    }
}
