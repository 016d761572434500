using Azure.Storage.Queues;
using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Intake;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

[Collection("Azurite")]
public sealed class PipelineTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MimeMessage Question(string messageId, string subject, string body, string from = "Pieter de Vries <pieter.devries@northwind.example>") =>
        TestMail.Question(messageId, subject, body, from);

    /// <summary>Anna Lindqvist's reply in the thread of <paramref name="questionId"/> (the sample's VPN expert).</summary>
    private static MimeMessage AnnaReplies(string questionId, string messageId, string text) =>
        TestMail.Reply("Anna Lindqvist <anna.lindqvist@northwind.example>", $"Re: [{questionId}] VPN keeps dropping at home", messageId, text);

    /// <summary>Mails the refund question, runs the pipeline and returns the question and its routes (at least two), by rank.</summary>
    private static async Task<(QuestionEntity Question, List<RouteEntity> Routes)> AskRefundQuestionAsync(PipelineHarness h, string messageId)
    {
        await h.Maildir.DeliverAsync(Question(messageId, "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var routes = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).ToList();
        Assert.True(routes.Count >= 2, $"expected at least two experts asked, got {routes.Count}");
        return (q, routes);
    }

    private static async Task<PipelineHarness> WithSampleDirectoryAsync(AzuriteFixture azurite)
    {
        var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        return h;
    }

    [Fact]
    public async Task Mail_delivered_to_the_maildir_becomes_one_question_and_routed_requests_in_the_outbox()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("vpn-1@mail.northwind.example", "VPN keeps dropping at home",
            "Hi,\n\nMy VPN disconnects every ten minutes when I work from home, but the internet itself is fine.\n\nOn Mon, 16 Nov 2026 at 10:00, Someone wrote:\n> old thread text about printers\n"), Ct);

        var run = await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Equal(1, run.MailsPickedUp);
        var questions = await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct);
        var q = Assert.Single(questions);
        Assert.Equal(QuestionStates.Routed, q.State);
        Assert.Equal("pieter.devries@northwind.example", q.AskerEmail);
        Assert.DoesNotContain("printers", q.Text);
        Assert.Contains("VPN disconnects", q.Text);

        // Only the network engineer's evidence is close to a VPN question (similarity 0.74; the next expert is at 0.26,
        // under Routing:MinSimilarity), so exactly one expert is asked.
        var outbox = h.Maildir.ReadOutbox();
        Assert.Single(outbox);
        Assert.Equal("anna.lindqvist@northwind.example", Assert.Single(outbox[0].To.Mailboxes).Address);
        Assert.All(outbox, m =>
        {
            Assert.StartsWith($"[{q.QuestionId}] VPN keeps dropping at home", m.Subject);
            Assert.Equal("ask@northwind.example", Assert.Single(m.ReplyTo.Mailboxes).Address);
            Assert.Equal("All", m.Headers["X-Auto-Response-Suppress"]);
            Assert.Contains("Why you:", m.TextBody);
            Assert.Contains("\"pass\"", m.TextBody);
        });
        // The network engineer of the sample is the one a human would ask first.
        var routes = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.Equal("e-anna-lindqvist", routes.Single(r => r.Rank == 1).ExpertId);
        Assert.All(routes, r => Assert.NotNull(r.RequestSentAt));

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "received");
        Assert.Single(events, e => e.Kind == "routed" && e.ExpertId == "e-anna-lindqvist");
        Assert.Equal(routes.Count, events.Count(e => e.Kind == "routed"));
    }

    [Fact]
    public async Task Same_mail_delivered_twice_gives_one_question_and_one_set_of_requests()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var mail = Question("twice@mail.northwind.example", "Expense claim for a client dinner", "How do I claim a client dinner with alcohol on my expenses?");
        await h.Maildir.DeliverAsync(mail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        await h.Maildir.DeliverAsync(mail, Ct);
        var second = await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Equal(1, second.MailsPickedUp);
        Assert.Equal(1, second.Duplicates); // reported by `process`, not dropped without a trace
        var questions = await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct);
        var routes = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(Assert.Single(questions).QuestionId, Ct);
        Assert.NotEmpty(routes);
        Assert.Equal(routes.Count, h.Maildir.ReadOutbox().Count);
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "received");
    }

    [Fact]
    public async Task Same_queue_message_handled_twice_changes_nothing_the_second_time()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var name = await h.Maildir.DeliverAsync(Question("idem@mail.northwind.example", "Parental leave", "How many weeks of parental leave do I get?"), Ct);
        var claimed = await h.Get<SocialLearning.Mail.IMailbox>().ClaimNewAsync(Ct);
        var handler = h.Get<InboundMailHandler>();
        var first = await handler.HandleAsync(new InboundMailMessage(claimed[0]), Ct);
        var again = await handler.HandleAsync(new InboundMailMessage(claimed[0]), Ct);

        Assert.Equal("Question", first.State);
        Assert.Equal("Duplicate", again.State);
        Assert.Equal(first.QuestionId, again.QuestionId);
        var router = h.Get<RouteQuestionHandler>();
        var routesTable = h.Get<StorageClients>().Table(TableNames.Routes);
        await router.HandleAsync(new RouteQuestionMessage(first.QuestionId!), Ct);
        var afterFirst = await routesTable.ReadAllAsync<RouteEntity>(first.QuestionId, Ct);
        var queuedAfterFirst = await h.Get<QueueWorker>().PendingAsync(QueueNames.OutboundMail, Ct);
        await router.HandleAsync(new RouteQuestionMessage(first.QuestionId!), Ct);
        var afterSecond = await routesTable.ReadAllAsync<RouteEntity>(first.QuestionId, Ct);
        Assert.Contains(afterFirst, r => r.ExpertId == "e-priya-raghavan");
        Assert.Equal(afterFirst.Select(r => (r.ExpertId, r.Rank, r.AskedAt)), afterSecond.Select(r => (r.ExpertId, r.Rank, r.AskedAt)));
        Assert.Equal(afterFirst.Count, queuedAfterFirst);
        Assert.Equal(queuedAfterFirst, await h.Get<QueueWorker>().PendingAsync(QueueNames.OutboundMail, Ct));
        Assert.NotEmpty(name);
    }

    [Fact]
    public async Task Malformed_mail_ends_in_a_recorded_non_question_state_with_a_reason()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        // No header block at all, and no sender: nobody could be answered.
        await h.Maildir.DeliverRawAsync("\u0000\u0001garbage without headers\r\n\r\n\u00ff\u00fe"u8.ToArray(), Ct);
        await h.Maildir.DeliverRawAsync("Subject: no sender here\r\nMessage-ID: <nofrom@mail.northwind.example>\r\n\r\nWho reads this?\r\n"u8.ToArray(), Ct);
        await h.Maildir.DeliverAsync(Question("oof-1@mail.northwind.example", "Who covers payroll while Maria is out of office?", "Maria is out until Monday; who approves payroll changes meanwhile?"), Ct);
        var auto = Question("oof-2@mail.northwind.example", "Automatic reply: away", "Away this week.");
        auto.Headers.Add("Auto-Submitted", "auto-replied");
        await h.Maildir.DeliverAsync(auto, Ct);
        // A broken encoded-word and a body of bytes no UTF-8 decoder can read: garbage, not a question.
        await h.Maildir.DeliverRawAsync(System.Text.Encoding.ASCII.GetBytes(
            "From: Kai Berg <kai.berg@northwind.example>\r\nMessage-ID: <garbled@mail.northwind.example>\r\nSubject: =?utf-8?B?//79/Pv6?=\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n+Pn6+/z9/v/4+fr7/P3+//j5+vv8/f7/+Pn6+/z9/v/4+fr7/P3+//j5+vv8/f7/+Pn6+/z9/v/4+fr7/P3+/w==\r\n"), Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Equal(5, records.Count);
        var garbled = Assert.Single(records, r => r.InternetMessageId == "garbled@mail.northwind.example");
        Assert.Equal(("NonQuestion", "Malformed"), (garbled.State, garbled.Kind));
        Assert.StartsWith("The mail's text could not be decoded: ", garbled.Reason);
        Assert.Null(InboundMailHandler.Undecodable("Caf\uFFFD menu for Friday \uFFFD who orders the lunch for the team meeting?"));
        var unparseable = Assert.Single(records, r => r.Kind == "Malformed" && r.InternetMessageId == "");
        Assert.Equal("NonQuestion", unparseable.State);
        Assert.StartsWith("The mail could not be parsed as MIME", unparseable.Reason);
        var noSender = Assert.Single(records, r => r.InternetMessageId == "nofrom@mail.northwind.example");
        Assert.Equal(("NonQuestion", "Malformed"), (noSender.State, noSender.Kind));
        Assert.Contains("no valid From address", noSender.Reason);
        var autoReply = Assert.Single(records, r => r.InternetMessageId == "oof-2@mail.northwind.example");
        Assert.Equal("NonQuestion", autoReply.State);
        Assert.Equal("AutoReply", autoReply.Kind);
        Assert.Contains("Auto-Submitted", autoReply.Reason);
        // Words like "out of office" in a colleague's own mail do not make it an auto-reply.
        Assert.Equal("Question", Assert.Single(records, r => r.InternetMessageId == "oof-1@mail.northwind.example").State);
        Assert.Empty(await h.Get<StorageClients>().Queue(QueueNames.Poison(QueueNames.InboundMail)).PeekMessagesAsync(32, Ct).ContinueWith(t => t.Result.Value, Ct));
    }

    [Fact]
    public async Task Handler_that_throws_ends_in_the_poison_queue_after_the_configured_tries_with_nothing_lost()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var storage = h.Get<StorageClients>();
        var body = """{"questionId":"Q-ZZZZZZ"}""";
        await storage.Queue(QueueNames.RouteQuestion).SendMessageAsync(body, Ct);
        var worker = h.Get<QueueWorker>();
        var calls = 0;
        Task Throwing(string b, CancellationToken ct)
        {
            calls++;
            return h.Get<RouteQuestionHandler>().HandleAsync(QueueJson.Parse<RouteQuestionMessage>(b), ct);
        }

        for (var i = 0; i < 10 && await worker.PendingAsync(QueueNames.RouteQuestion, Ct) > 0; i++)
            await worker.ProcessBatchAsync(QueueNames.RouteQuestion, Throwing, Ct);

        Assert.Equal(worker.Settings.MaxDequeueCount, calls);
        Assert.Equal(0, await worker.PendingAsync(QueueNames.RouteQuestion, Ct));
        var poisoned = (await storage.Queue(QueueNames.Poison(QueueNames.RouteQuestion)).ReceiveMessagesAsync(32, cancellationToken: Ct)).Value;
        Assert.Equal(body, Assert.Single(poisoned).Body.ToString());
    }

    [Fact]
    public async Task Asker_who_is_an_expert_is_never_routed_their_own_question()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var ranking = await h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN drops every few minutes at home.",
            "anna.lindqvist@northwind.example", 10, Ct);
        Assert.DoesNotContain(ranking.Candidates, c => c.ExpertId == "e-anna-lindqvist");
        Assert.Equal(10, ranking.Candidates.Count);
    }

    [Fact]
    public async Task Expert_reply_is_recorded_as_the_answer_and_relayed_to_the_asker_in_the_thread_and_pass_is_recorded()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-1@mail.northwind.example");
        var request = h.Maildir.ReadOutbox().First(m => m.To.Mailboxes.Single().Address == routes[0].ExpertEmail);

        MimeMessage Reply(RouteEntity r, string text, string id)
        {
            var m = new MimeMessage();
            m.From.Add(new MailboxAddress(r.ExpertName, r.ExpertEmail));
            m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
            m.Subject = "RE: " + request.Subject;
            m.MessageId = id;
            m.InReplyTo = request.MessageId;
            m.Date = q.ReceivedAt.AddMinutes(42);
            m.Body = new TextPart("plain") { Text = text + "\n\nOn Fri, 20 Nov 2026, SocialLearning wrote:\n> " + q.Text.Split('\n')[0] };
            return m;
        }
        await h.Maildir.DeliverAsync(Reply(routes[0], "Refunds up to 500 EUR are approved by the customer service lead; raise it in the returns tool.", "ans-1@mail.northwind.example"), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[1], "pass", "pass-1@mail.northwind.example"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var after = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).ToDictionary(r => r.ExpertId);
        Assert.Equal("Refunds up to 500 EUR are approved by the customer service lead; raise it in the returns tool.", after[routes[0].ExpertId].AnswerText);
        Assert.NotNull(after[routes[0].ExpertId].RelayedAt);
        Assert.NotNull(after[routes[1].ExpertId].PassedAt);
        Assert.Null(after[routes[1].ExpertId].AnsweredAt);

        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Equal("refund-1@mail.northwind.example", relay.InReplyTo);
        Assert.Contains($"[{q.QuestionId}]", relay.Subject);
        Assert.Contains("Refunds up to 500 EUR", relay.TextBody);
        Assert.DoesNotContain("SocialLearning wrote", relay.TextBody);

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var answered = Assert.Single(events, e => e.Kind == "answered");
        Assert.Equal(routes[0].ExpertId, answered.ExpertId);
        Assert.Contains("42 minutes after the question", answered.Detail);
        Assert.Single(events, e => e.Kind == "relayed");
        Assert.Single(events, e => e.Kind == "passed" && e.ExpertId == routes[1].ExpertId);
    }

    [Fact]
    public async Task Pass_asks_the_next_candidate_once_and_a_second_pass_asks_the_one_after()
    {
        await using var h = await PipelineHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Routing:ExpertsPerQuestion"] = "1", ["Routing:MinSimilarity"] = "0.1" });
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        await h.Maildir.DeliverAsync(Question("refund-3@mail.northwind.example", "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var storage = h.Get<StorageClients>();
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var pool = RouteQuestionHandler.Candidates(q);
        var first = Assert.Single(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct));
        Assert.Equal(pool[0].ExpertId, first.ExpertId);

        async Task PassAsync(RouteEntity r, string id)
        {
            var request = h.Maildir.ReadOutbox().Last(m => m.To.Mailboxes.Single().Address == r.ExpertEmail);
            var m = new MimeMessage();
            m.From.Add(new MailboxAddress(r.ExpertName, r.ExpertEmail));
            m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
            m.Subject = "RE: " + request.Subject;
            m.MessageId = id;
            m.Date = q.ReceivedAt.AddMinutes(5);
            m.Body = new TextPart("plain") { Text = "pass" };
            await h.Maildir.DeliverAsync(m, Ct);
            await h.Get<PipelineRunner>().RunAsync(null, Ct);
        }

        await PassAsync(first, "pass-a@mail.northwind.example");
        var routes = (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).ToList();
        Assert.Equal([pool[0].ExpertId, pool[1].ExpertId], routes.Select(r => r.ExpertId));
        Assert.True(routes[1].Escalation);
        var escalated = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == pool[1].Email);
        // The expert asked in another's place is told so, and when the question was asked (it is not today's).
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $" has a question that you may be able to answer (asked on {q.ReceivedAt.UtcDateTime:d MMMM yyyy}). The colleague asked before you passed it on, so we are asking you:"), escalated.TextBody);
        Assert.DoesNotContain("passed it on", h.Maildir.ReadOutbox().First(m => m.To.Mailboxes.Single().Address == pool[0].Email).TextBody);

        // The same escalation message again (a retried queue message) asks nobody new.
        await h.Get<RouteQuestionHandler>().HandleAsync(new RouteQuestionMessage(q.QuestionId, Escalate: true), Ct);
        Assert.Equal(2, (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).Count);

        await PassAsync(routes[1], "pass-b@mail.northwind.example");
        routes = (await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).ToList();
        Assert.Equal([pool[0].ExpertId, pool[1].ExpertId, pool[2].ExpertId], routes.Select(r => r.ExpertId));
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Equal([pool[1].ExpertId, pool[2].ExpertId], events.Where(e => e.Kind == "escalated").OrderBy(e => e.At).Select(e => e.ExpertId));
        Assert.Equal(2, events.Count(e => e.Kind == "passed"));
    }

    [Fact]
    public async Task Reply_whose_subject_lost_the_token_is_matched_by_in_reply_to_and_relayed_not_taken_as_a_new_question()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("refund-2@mail.northwind.example", "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var first = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).First();
        var request = h.Maildir.ReadOutbox().First(m => m.To.Mailboxes.Single().Address == first.ExpertEmail);

        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress(first.ExpertName, first.ExpertEmail));
        reply.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        reply.Subject = "Re: Customer wants a refund for a damaged pallet"; // the client dropped the [Q-…] token
        reply.MessageId = "ans-2@mail.northwind.example";
        reply.InReplyTo = request.MessageId;
        reply.References.Add(request.MessageId!);
        reply.Date = q.ReceivedAt.AddMinutes(15);
        reply.Body = new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." };
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var after = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.Equal("The customer service lead approves refunds up to 500 EUR.", after.Single(r => r.ExpertId == first.ExpertId).AnswerText);
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.DoesNotContain(events, e => e.Kind == "gap");
    }

    [Fact]
    public async Task Mail_whose_thread_token_names_no_stored_question_is_taken_as_a_new_question()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("stale-token@mail.northwind.example", "Re: [Q-ZZZZZZ] Printer on floor 3 jams every morning",
            "The printer on floor 3 jams every morning at 9; who can fix the paper feed?", "Mark Lee <mark.lee@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.NotEqual("Q-ZZZZZZ", q.QuestionId);
        Assert.Equal("mark.lee@northwind.example", q.AskerEmail);
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct));
        Assert.Equal("Question", record.State);
        Assert.EndsWith("Its thread token names no known question, so it is taken as a new question.", record.Reason);
        Assert.NotEmpty(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct));
        // The log shows the subject as the experts see it, without the stale token.
        Assert.Equal("Printer on floor 3 jams every morning", Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "received").Detail);
    }

    [Fact]
    public async Task A_question_forwarded_as_an_attachment_reaches_the_expert_with_the_forwarded_question_in_it()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var inner = Question("vpn-original@mail.northwind.example", "VPN keeps dropping at home",
            "My VPN disconnects every ten minutes when I work from home; the office Wi-Fi is fine.", "Lena Novak <lena.novak@northwind.example>");
        var forward = Question("vpn-forward@mail.northwind.example", "Fwd: VPN keeps dropping at home", "Can someone help Lena with this?");
        forward.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Can someone help Lena with this?" },
            new MessagePart { Message = inner, ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) },
        };
        await h.Maildir.DeliverAsync(forward, Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Contains("My VPN disconnects every ten minutes when I work from home", q.Text);
        var routes = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.Contains(routes, r => r.ExpertId == "e-anna-lindqvist");
        var request = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example");
        Assert.Contains("My VPN disconnects every ten minutes when I work from home", request.TextBody);
    }

    [Fact]
    public async Task A_profile_with_thousands_of_skills_is_stored_with_the_first_200_not_failing_the_import()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var skills = Enumerable.Range(1, 3000).Select(i => $"Scope {i} emissions reporting topic {i}").Prepend("Carbon accounting").ToList();
        var profile = new ExpertProfile("entra-harriet", "Harriet Vance", "harriet.vance@northwind.example", "Sustainability", "Reporting lead",
            "I run the carbon accounting and Scope 3 reporting.", skills, [], 0, null);

        await h.Get<ExpertImporter>().ImportAsync([profile], "entra", replaceDirectory: false, null, Ct);

        var stored = (await ExpertTables.ReadExpertsAsync(h.Get<StorageClients>(), Ct)).Single(e => e.ExpertId == "entra-harriet");
        var kept = stored.Skills.Split("; ");
        Assert.Equal(ExpertImporter.MaxStoredSkills, kept.Length);
        Assert.Equal("Carbon accounting", kept[0]);
        var ranking = await h.Get<QuestionRouter>().RankAsync("Scope 3 carbon accounting", "How do we report Scope 3 emissions in the carbon accounting for 2026?", null, 5, Ct);
        Assert.Equal("entra-harriet", ranking.Candidates[0].ExpertId);
    }

    [Fact]
    public async Task A_Date_header_older_than_a_day_is_replaced_by_the_intake_time_so_timings_and_the_capacity_window_hold()
    {
        var h = await PipelineHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Mail:MaxDateAgeHours"] = "24" });
        await using var _h = h;
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var old = Question("vpn-old-date@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home.");
        old.Date = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var recent = Question("printer-recent-date@mail.northwind.example", "Printer on floor 3 jams", "The printer on floor 3 jams every morning; who can fix the paper feed?");
        recent.Date = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds()); // a Date header has whole seconds
        await h.Maildir.DeliverAsync(old, Ct);
        await h.Maildir.DeliverAsync(recent, Ct);
        var before = DateTimeOffset.UtcNow;

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var questions = (await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct)).ToDictionary(q => q.InternetMessageId);
        Assert.InRange(questions["vpn-old-date@mail.northwind.example"].ReceivedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(recent.Date.ToUniversalTime(), questions["printer-recent-date@mail.northwind.example"].ReceivedAt); // delayed in transit: kept

        // An answer whose clock is behind the asker's counts from the question, not before it.
        var q = questions["vpn-old-date@mail.northwind.example"];
        var reply = AnnaReplies(q.QuestionId, "anna-behind@mail.northwind.example", "Switch to the TCP VPN profile; your router drops idle UDP sessions.");
        reply.Date = q.ReceivedAt.AddMinutes(-30);
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var answered = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Answered);
        Assert.Equal(q.ReceivedAt, answered.At);
    }

    [Fact]
    public async Task One_person_listed_twice_gets_one_request_and_stop_reaches_both_listings()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        // Anna again, from another source (a directory sync), with her address in other letter case.
        var anna = SampleDirectory.Experts().Single(e => e.Id == "e-anna-lindqvist");
        await h.Get<ExpertImporter>().ImportAsync([anna with { Id = "entra-anna", Name = "Anna Lindqvist (Entra)", Email = "Anna.Lindqvist@Northwind.example" }],
            "entra", replaceDirectory: true, null, Ct);
        await h.Maildir.DeliverAsync(Question("vpn-twice@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var storage = h.Get<StorageClients>();
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var routes = await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.Single(routes, r => r.ExpertEmail.Equals("anna.lindqvist@northwind.example", StringComparison.OrdinalIgnoreCase));
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address.Equals("anna.lindqvist@northwind.example", StringComparison.OrdinalIgnoreCase));
        var skipped = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "skipped" && e.Detail.StartsWith("same mail address", StringComparison.Ordinal));
        Assert.Matches("^same mail address as Anna Lindqvist( \\(Entra\\))?, already asked$", skipped.Detail);

        var asked = routes.Single(r => r.ExpertEmail.Equals("anna.lindqvist@northwind.example", StringComparison.OrdinalIgnoreCase));
        var stop = AnnaReplies(q.QuestionId, "anna-stop-twice@mail.northwind.example", "Stop.");
        stop.From.Clear();
        stop.From.Add(new MailboxAddress(asked.ExpertName, asked.ExpertEmail));
        await h.Maildir.DeliverAsync(stop, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var record = Assert.Single(await storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "anna-stop-twice@mail.northwind.example");
        Assert.EndsWith("So are their 1 other listing(s) with the address " + (asked.ExpertId == "entra-anna" ? "Anna.Lindqvist@Northwind.example" : "anna.lindqvist@northwind.example") + ".", record.Reason);
        var ranking = await h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN drops every few minutes at home.", null, 20, Ct);
        Assert.DoesNotContain(ranking.Candidates, c => c.ExpertId is "e-anna-lindqvist" or "entra-anna");
        // The pass that came with the stop has the asker, like any other pass.
        Assert.Equal("pieter.devries@northwind.example", Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "passed").AskerEmail);
    }

    [Fact]
    public async Task Two_copies_of_one_reply_in_one_batch_give_one_answer_and_one_relay()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Maildir.DeliverAsync(Question("vpn-copies@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var answer = AnnaReplies(q.QuestionId, "anna-answer-copies@mail.northwind.example", "Switch to the TCP VPN profile; your router drops idle UDP sessions.");
        // The same mail twice in the inbox (a client that sent it twice, a copy dropped in by hand): one intake batch.
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Maildir.DeliverAsync(answer, Ct);

        var run = await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Equal(2, run.MailsPickedUp);
        Assert.Equal(1, run.Duplicates);
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        Assert.Single(events, e => e.Kind == OutcomeKinds.Answered);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.FollowUp);
        Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        var record = Assert.Single(await storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct),
            m => m.InternetMessageId == "anna-answer-copies@mail.northwind.example");
        Assert.Equal("NonQuestion", record.State);
        Assert.StartsWith("Answer by Anna Lindqvist", record.Reason);
    }

    [Fact]
    public async Task A_paused_expert_is_passed_over_with_the_reason_so_their_next_question_is_a_bottleneck_not_a_gap()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Maildir.DeliverAsync(Question("vpn-pause-1@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var first = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        await h.Maildir.DeliverAsync(AnnaReplies(first.QuestionId, "pause-1@mail.northwind.example", "Pause"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        await h.Maildir.DeliverAsync(Question("vpn-pause-2@mail.northwind.example", "VPN drops every few minutes", "The VPN connection from home drops every few minutes.",
            "Jonas Berg <jonas.berg@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var second = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct), q => q.QuestionId != first.QuestionId);
        Assert.Empty(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(second.QuestionId, Ct));
        var until = (DateTimeOffset.UtcNow + InboundMailHandler.PauseLength).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == second.QuestionId).ToList();
        var skipped = Assert.Single(events, e => e.Kind == OutcomeKinds.Skipped);
        Assert.Equal("e-anna-lindqvist", skipped.ExpertId);
        Assert.Equal($"paused until {until} (replied \"pause\")", skipped.Detail);
        Assert.Contains(events, e => e.Kind == OutcomeKinds.Overloaded);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.Gap);
        Assert.StartsWith("knowledge bottleneck: the one expert close enough was passed over (Anna Lindqvist: paused until", second.UnroutedReason);
    }

    [Fact]
    public async Task A_pause_until_a_date_holds_requests_until_that_day_and_the_expert_is_told_the_date_in_the_thread()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Maildir.DeliverAsync(Question("vpn-pause-date@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var until = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(40), TimeSpan.Zero);
        var iso = until.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "pause-date@mail.northwind.example", $"Pausing - back on {iso}.\n\nAnna"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var anna = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor("e-anna-lindqvist"), KeyEncoding.Encode("e-anna-lindqvist"), Ct);
        Assert.Equal(until, anna!.PausedUntil);
        var passed = Assert.Single((await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId), e => e.Kind == OutcomeKinds.Passed);
        Assert.Equal($"Anna Lindqvist replied \"pause\" (no requests until {iso})", passed.Detail);
        // Not relayed to the asker as an answer; Anna gets one confirmation, in her request's thread, with the date.
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example" && m.TextBody!.Contains("Pausing"));
        var confirmation = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example" && m.TextBody!.Contains("Done:"));
        Assert.Equal(SocialLearning.Mail.RoutedRequestComposer.RequestMessageId(q.QuestionId, "e-anna-lindqvist"), confirmation.InReplyTo);
        Assert.Contains($"Done: you will get no requests from us until {until.UtcDateTime.ToString("dddd d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}.", confirmation.TextBody);
        Assert.StartsWith($"Re: [{q.QuestionId}]", confirmation.Subject);
    }

    [Fact]
    public async Task Resume_in_the_thread_or_as_a_new_mail_lifts_a_pause_and_is_confirmed_not_relayed_or_routed()
    {
        // From a README-only user run: "please resume my requests" went to the asker as an answer, or became a question.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var storage = h.Get<StorageClients>();
        await h.Maildir.DeliverAsync(Question("vpn-resume@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var outbox = new OutboxWatch(h.Maildir);
        async Task<ExpertEntity> Anna() => (await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor("e-anna-lindqvist"), KeyEncoding.Encode("e-anna-lindqvist"), Ct))!;

        // A pause whose end cannot be read: two weeks, and she is told her date was not understood.
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "resume-1@mail.northwind.example", "pause until mid-Q1"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.InRange((await Anna()).PausedUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(13.9), TimeSpan.FromDays(14.1));
        var unread = Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example");
        Assert.Contains("We could not use the end in \"pause until mid-Q1\" (no date we could read, or one already past or more than a year away), so we have paused your requests for two weeks.", unread.TextBody);

        // "resume" in the thread: lifted, confirmed, nothing for the asker.
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "resume-2@mail.northwind.example", "I'm back earlier than planned - please resume my requests. Thanks!"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Null((await Anna()).PausedUntil);
        var back = Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example");
        Assert.Contains("Done: you will get requests from us again.", back.TextBody);

        // "stop for two weeks" is a pause to then, not a stop for good.
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "resume-3@mail.northwind.example", "Stop for two weeks please"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var paused = await Anna();
        Assert.False(paused.OptedOut);
        Assert.InRange(paused.PausedUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(13.9), TimeSpan.FromDays(14.1));
        Assert.Contains("Done: you will get no requests from us until", Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example").TextBody);

        // A bare "Resume." from a paused expert is the command the confirmation names.
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "resume-3b@mail.northwind.example", "Resume."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Null((await Anna()).PausedUntil);
        Assert.Contains("Done: you will get requests from us again.", Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example").TextBody);
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "resume-3c@mail.northwind.example", "pause"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        outbox.New();

        // "resume" as a new mail to the shared address: a command, not a question.
        await h.Maildir.DeliverAsync(Question("resume-4@mail.northwind.example", "Back from leave", "Hi, I'm back - please resume my requests.", "Anna Lindqvist <anna.lindqvist@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Null((await Anna()).PausedUntil);
        Assert.Single(await storage.Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var record = Assert.Single(await storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "resume-4@mail.northwind.example");
        Assert.Equal(("Command", "Anna Lindqvist asked to be asked again (resume); their pause or stop is lifted and they are told. Not a question."), (record.Kind, record.Reason));
        var welcome = Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == "anna.lindqvist@northwind.example");
        Assert.Equal("You will get requests again", welcome.Subject);
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example" && (m.TextBody!.Contains("resume") || m.TextBody.Contains("mid-Q1")));
    }

    [Fact]
    public async Task An_asked_experts_out_of_office_auto_reply_counts_as_their_pass_once_and_is_not_relayed()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-away@mail.northwind.example");
        var first = routes[0];
        MimeMessage AutoReply(string id, string from)
        {
            var m = new MimeMessage();
            m.From.Add(MailboxAddress.Parse(from));
            m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
            m.Subject = $"Automatic reply: [{q.QuestionId}] Customer wants a refund for a damaged pallet";
            m.MessageId = id;
            m.InReplyTo = SocialLearning.Mail.RoutedRequestComposer.RequestMessageId(q.QuestionId, first.ExpertId);
            m.Headers.Add("Auto-Submitted", "auto-replied");
            m.Body = new TextPart("plain") { Text = "I am out of the office until 4 January with limited access to email." };
            return m;
        }
        await h.Maildir.DeliverAsync(AutoReply("away-1@mail.northwind.example", first.ExpertEmail), Ct);
        await h.Maildir.DeliverAsync(AutoReply("away-2@mail.northwind.example", "someone.else@northwind.example"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        // Auto-replies repeat: a second one from the same expert changes nothing.
        await h.Maildir.DeliverAsync(AutoReply("away-3@mail.northwind.example", first.ExpertEmail), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = await h.Get<StorageClients>().Table(TableNames.Routes).GetOrNullAsync<RouteEntity>(q.QuestionId, KeyEncoding.Encode(first.ExpertId), Ct);
        Assert.NotNull(route!.PassedAt);
        Assert.Null(route.AnsweredAt);
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        var passed = Assert.Single(events, e => e.Kind == OutcomeKinds.Passed);
        Assert.StartsWith($"{first.ExpertName} is away (automatic reply: \"I am out of the office until 4 January with limited access to email.\")", passed.Detail);
        Assert.Single(events, e => e.Kind == OutcomeKinds.Escalated);
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => m.TextBody?.Contains("out of the office until 4 January") == true);
        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.All(records.Where(r => r.InternetMessageId.StartsWith("away-", StringComparison.Ordinal)), r => Assert.Equal("AutoReply", r.Kind));
        Assert.Contains("counted as their pass", Assert.Single(records, r => r.InternetMessageId == "away-1@mail.northwind.example").Reason);
        Assert.DoesNotContain("counted as their pass", Assert.Single(records, r => r.InternetMessageId == "away-2@mail.northwind.example").Reason);
        Assert.DoesNotContain("counted as their pass", Assert.Single(records, r => r.InternetMessageId == "away-3@mail.northwind.example").Reason);
    }

    [Fact]
    public async Task Expert_who_replies_stop_is_never_asked_again_and_pause_holds_requests()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("vpn-stop@mail.northwind.example", "VPN keeps dropping at home", "My VPN disconnects every ten minutes at home."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        await h.Maildir.DeliverAsync(AnnaReplies(q.QuestionId, "stop-1@mail.northwind.example", "Stop."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var ranking = await h.Get<QuestionRouter>().RankAsync("VPN keeps dropping", "My VPN drops every few minutes at home.", null, 20, Ct);
        Assert.DoesNotContain(ranking.Candidates, c => c.ExpertId == "e-anna-lindqvist");
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "stop-1@mail.northwind.example");
        Assert.Equal("Anna Lindqvist asked to receive no more requests (stop).", record.Reason);
        Assert.Null(ReplyCommands.Classify("Stop the VPN from dropping, please"));
        // A request to receive nothing more, in plain words, is a stop too; an answer that starts like one is not.
        Assert.Equal("stop", ReplyCommands.Classify("Stop sending me these please."));
        Assert.Equal("stop", ReplyCommands.Classify("please stop emailing me"));
        Assert.Equal("stop", ReplyCommands.Classify("Unsubscribe\n\nSam"));
        Assert.Null(ReplyCommands.Classify("Stop asking me to restart it: reinstall the VPN client from the portal."));
        Assert.Equal("pause", ReplyCommands.Classify(" Pause! "));
        // A sign-off or a short remark does not turn the command into an answer; a real answer after the word does.
        Assert.Equal("pass", ReplyCommands.Classify("Pass\n\nSam"));
        Assert.Equal("stop", ReplyCommands.Classify("Stop.\nThanks,\nSam Mwangi"));
        Assert.Equal("pass", ReplyCommands.Classify("Pass \u2014 Maria in Finance knows this better"));
        Assert.Null(ReplyCommands.Classify("Pass\n\nActually: refunds above 500 EUR go to the customer service lead, who signs them off in the returns tool.\nThe form is on the intranet.\nCheers"));
        var stopped = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "passed" && e.ExpertId == "e-anna-lindqvist");
        Assert.Equal("Anna Lindqvist replied \"stop\" (no more requests)", stopped.Detail);
    }

    [Fact]
    public async Task Follow_up_after_an_answer_is_relayed_a_late_answer_after_a_pass_counts_and_stop_works_in_an_answered_thread()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-2@mail.northwind.example");
        MimeMessage Reply(RouteEntity r, string text, string id, int minutes)
        {
            var m = new MimeMessage();
            m.From.Add(new MailboxAddress(r.ExpertName, r.ExpertEmail));
            m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
            m.Subject = $"RE: [{q.QuestionId}] {q.Subject}";
            m.MessageId = id;
            m.Date = q.ReceivedAt.AddMinutes(minutes);
            m.Body = new TextPart("plain") { Text = text };
            return m;
        }

        // First expert answers, then corrects themselves twice before the pipeline runs; second expert passes, then answers.
        await h.Maildir.DeliverAsync(Reply(routes[0], "Refunds up to 500 EUR are approved by the customer service lead.", "r2-ans@mail.northwind.example", 10), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        await h.Maildir.DeliverAsync(Reply(routes[0], "Correction: the limit is 750 EUR since October.", "r2-fu1@mail.northwind.example", 20), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[0], "And attach the photos of the pallet.", "r2-fu2@mail.northwind.example", 21), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[1], "pass", "r2-pass@mail.northwind.example", 25), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        await h.Maildir.DeliverAsync(Reply(routes[1], "On second thought: finance books it as a credit note.", "r2-late@mail.northwind.example", 40), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[0], "pass", "r2-pass-after@mail.northwind.example", 41), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[0], "stop", "r2-stop@mail.northwind.example", 42), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var after = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).ToDictionary(r => r.ExpertId);
        var first = after[routes[0].ExpertId];
        Assert.Equal("Refunds up to 500 EUR are approved by the customer service lead.", first.AnswerText);
        Assert.Equal((2, 2, ""), (first.FollowUps, first.FollowUpsRelayed, first.FollowUpText));
        Assert.Null(first.PassedAt); // neither "pass" nor "stop" after the answer turns it into a pass
        var second = after[routes[1].ExpertId];
        Assert.NotNull(second.PassedAt);
        Assert.Equal("On second thought: finance books it as a credit note.", second.AnswerText);
        Assert.NotNull(second.RelayedAt);

        var toAsker = h.Maildir.ReadOutbox().Where(m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example").ToList();
        Assert.Equal(3, toAsker.Count); // first answer, one mail with both follow-ups, the late answer
        var followUp = Assert.Single(toAsker, m => m.TextBody!.Contains("added to their answer:"));
        Assert.Contains("Correction: the limit is 750 EUR since October.", followUp.TextBody);
        Assert.Contains("And attach the photos of the pallet.", followUp.TextBody);
        Assert.True(followUp.TextBody!.IndexOf("Correction", StringComparison.Ordinal) < followUp.TextBody.IndexOf("And attach", StringComparison.Ordinal)); // in the order sent
        Assert.Equal("refund-2@mail.northwind.example", followUp.InReplyTo);
        Assert.Single(toAsker, m => m.TextBody!.Contains("finance books it as a credit note"));

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Equal(2, events.Count(e => e.Kind == "followup" && e.ExpertId == routes[0].ExpertId));
        Assert.Equal(2, events.Count(e => e.Kind == "answered"));
        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Contains("after answering it; the answer stands", records.Single(m => m.InternetMessageId == "r2-pass-after@mail.northwind.example").Reason);
        Assert.Contains("asked to receive no more requests (stop)", records.Single(m => m.InternetMessageId == "r2-stop@mail.northwind.example").Reason);
        var experts = await h.Get<StorageClients>().Table(TableNames.Experts).ReadAllAsync<ExpertEntity>(null, Ct);
        Assert.True(experts.Single(e => e.ExpertId == routes[0].ExpertId).OptedOut);
        Assert.DoesNotContain(events, e => e.Kind == "escalated"); // answered already: neither the pass nor the stop asks anyone new
    }

    private static MimeMessage Reply(RouteEntity route, QuestionEntity q, string messageId, MimeEntity body)
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress(route.ExpertName, route.ExpertEmail));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = $"Re: [{q.QuestionId}] Customer wants a refund for a damaged pallet";
        m.MessageId = messageId;
        m.Body = body;
        return m;
    }

    [Theory]
    // From a README-only user run: an answer dated 2 minutes ahead was logged after its own relay; an acknowledgement dated
    // a few minutes before the request went out was logged before the routing.
    [InlineData(3, "now")]
    [InlineData(-10, "asked")]
    [InlineData(-3 * 24 * 60, "date")] // a replayed reply dated days before: its own date
    public async Task A_reply_is_logged_no_later_than_now_and_no_earlier_than_its_request_unless_it_is_replayed_mail(int minutesFromRequest, string expected)
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, $"clock-{minutesFromRequest}@mail.northwind.example");
        var answer = Reply(routes[0], q, $"clock-ans{minutesFromRequest}@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        var date = routes[0].AskedAt.AddMinutes(minutesFromRequest);
        answer.Date = date.AddTicks(-(date.Ticks % TimeSpan.TicksPerSecond)); // a Date header has whole seconds
        var before = DateTimeOffset.UtcNow;
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var answered = Assert.Single(events, e => e.Kind == "answered");
        var relayed = Assert.Single(events, e => e.Kind == "relayed");
        Assert.True(answered.At <= relayed.At, $"answered {answered.At:O} after relayed {relayed.At:O}");
        switch (expected)
        {
            case "now": Assert.InRange(answered.At, before, DateTimeOffset.UtcNow); break;
            case "asked": Assert.Equal(routes[0].AskedAt, answered.At); break;
            default: Assert.Equal(answer.Date, answered.At); break;
        }
    }

    [Fact]
    public async Task A_thanks_to_the_relayed_answer_and_a_follow_up_come_after_the_answer_whatever_their_clocks_say()
    {
        // From a README-only user run: the answer dated ahead (so logged at intake time), then the asker's thanks to its relay
        // and the expert's follow-up dated a minute back — the thanks was called "written before the first answer", went to
        // the expert as detail added to the question, and the follow-up was logged before the answer it follows.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "order-1@mail.northwind.example");
        var outbox = new OutboxWatch(h.Maildir);
        var now = DateTimeOffset.UtcNow;
        DateTimeOffset Whole(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));
        var answer = Reply(routes[0], q, "order-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        answer.Date = Whole(now.AddMinutes(5));
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var relay = Assert.Single(outbox.New());

        var thanks = AskerWrites(q, "order-thanks@mail.northwind.example", "Thanks, that's exactly what I needed!");
        thanks.InReplyTo = relay.MessageId;
        thanks.References.Add(relay.MessageId!);
        thanks.Date = Whole(now.AddMinutes(-1));
        var more = Reply(routes[0], q, "order-more@mail.northwind.example", new TextPart("plain") { Text = "Above 500 EUR the finance lead signs as well." });
        more.Date = Whole(now.AddMinutes(-1));
        await h.Maildir.DeliverAsync(thanks, Ct);
        await h.Maildir.DeliverAsync(more, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var answered = Assert.Single(events, e => e.Kind == "answered");
        var reply = Assert.Single(events, e => e.Kind == "asker-reply");
        var followUp = Assert.Single(events, e => e.Kind == "followup");
        Assert.Equal(answered.At, reply.At);
        Assert.Equal(answered.At, followUp.At);
        Assert.EndsWith($"relayed to {routes[0].ExpertName} (who answered)", reply.Detail);
        var toExpert = Assert.Single(outbox.New(), m => m.To.Mailboxes.Single().Address == routes[0].ExpertEmail);
        Assert.Contains("replied to your answer:", toExpert.TextBody);
    }

    [Fact]
    public async Task An_experts_question_back_to_the_asker_is_relayed_as_a_question_and_the_askers_reply_comes_back_before_the_answer()
    {
        // From a README-only user run: "Which model is it?" was relayed as the answer, set the time to first answer and was
        // learned into the expert's profile.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "clarify-1@mail.northwind.example");
        var outbox = new OutboxWatch(h.Maildir);
        List<MimeMessage> Sent() => outbox.New();

        await h.Maildir.DeliverAsync(Reply(routes[0], q, "clarify-ask@mail.northwind.example",
            new TextPart("plain") { Text = "Hi Pieter,\n\nquick check before I answer: was the pallet insured?\n\nThanks,\n" + routes[0].ExpertName }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var toAsker = Assert.Single(Sent());
        Assert.Equal("pieter.devries@northwind.example", toAsker.To.Mailboxes.Single().Address);
        Assert.Contains("asks you, before answering:", toAsker.TextBody);
        Assert.Contains("was the pallet insured?", toAsker.TextBody);
        Assert.Contains($"To answer, reply to this mail: your reply goes to {routes[0].ExpertName} in this thread.", toAsker.TextBody);
        var route = (await h.Get<StorageClients>().Table(TableNames.Routes).GetOrNullAsync<RouteEntity>(q.QuestionId, routes[0].RowKey, Ct))!;
        Assert.Null(route.AnsweredAt);
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.DoesNotContain(events, e => e.Kind == "answered");
        Assert.StartsWith($"{routes[0].ExpertName} asked the asker: \"Hi Pieter, quick check before I answer: was the pallet insured?", Assert.Single(events, e => e.Kind == "clarification").Detail);
        Assert.Equal($"question by {routes[0].ExpertName} relayed to the asker", Assert.Single(events, e => e.Kind == "relayed").Detail);
        Assert.Empty(await SocialLearning.Experts.LearnedEvidence.ReadLearnedKeys(h.Get<StorageClients>(), null, Ct).ToListAsync(Ct));

        // The asker's reply goes to the experts still asked, the one who asked among them; then the answer is the answer.
        await h.Maildir.DeliverAsync(AskerWrites(q, "clarify-back@mail.northwind.example", "Yes, insured with our carrier."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Contains(Sent(), m => m.To.Mailboxes.Single().Address == routes[0].ExpertEmail && (m.TextBody ?? "").Contains("Yes, insured with our carrier.", StringComparison.Ordinal));
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "clarify-ans@mail.northwind.example",
            new TextPart("plain") { Text = "Then file it as a transport claim; the customer service lead approves it." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var relay = Assert.Single(Sent());
        Assert.Contains("answered your question:", relay.TextBody);
        Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "answered");
    }

    [Fact]
    public async Task The_same_question_sent_again_with_a_new_Message_ID_is_not_routed_twice()
    {
        // From a README-only user run: a resend minutes later made a second question, the same expert got two requests and
        // lost a capacity slot.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "resend-1@mail.northwind.example");
        var again = Question("resend-2@mail.northwind.example", "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund  instead of a replacement.\nWho approves refunds and how?");
        await h.Maildir.DeliverAsync(again, Ct);
        // Another asker with the same words is a question of their own.
        await h.Maildir.DeliverAsync(Question("resend-3@mail.northwind.example", "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?", "Aisha Bello <aisha.bello@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var questions = await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct);
        Assert.Equal(2, questions.Count);
        Assert.Single(questions, x => x.AskerEmail == "aisha.bello@northwind.example");
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "resend-2@mail.northwind.example");
        Assert.Equal(("NonQuestion", "Resent", q.QuestionId), (record.State, record.Kind, record.QuestionId));
        Assert.StartsWith($"The same question as {q.QuestionId} (same sender, subject and text), sent again; not routed again.", record.Reason);
        // Requests went out for the first question and Aisha's only.
        var aisha = questions.Single(x => x.AskerEmail == "aisha.bello@northwind.example").QuestionId;
        Assert.All(h.Maildir.ReadOutbox().Where(m => m.Subject!.StartsWith('[')), m => Assert.True(m.Subject!.StartsWith($"[{q.QuestionId}]", StringComparison.Ordinal) || m.Subject.StartsWith($"[{aisha}]", StringComparison.Ordinal), m.Subject));

        // An expert answering the resent copy's thread answers the first question.
        var answer = Reply(routes[0], q, "resend-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        answer.Subject = "Re: Customer wants a refund for a damaged pallet";
        answer.InReplyTo = "resend-2@mail.northwind.example";
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Equal(q.QuestionId, Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "answered").QuestionId);
    }

    [Fact]
    public async Task An_answer_written_to_the_asker_directly_with_the_shared_address_in_copy_is_recorded_and_not_relayed_again()
    {
        // From a README-only user run: the asker got the expert's reply-all and then the same answer again from the service.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "direct-1@mail.northwind.example");
        var before = h.Maildir.ReadOutbox().Count;
        var answer = Reply(routes[0], q, "direct-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        answer.To.Clear();
        answer.To.Add(new MailboxAddress(q.AskerName, q.AskerEmail));
        answer.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Equal(before, h.Maildir.ReadOutbox().Count);
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "answered" && e.ExpertId == routes[0].ExpertId);
        Assert.DoesNotContain(events, e => e.Kind == "relayed");
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "direct-ans@mail.northwind.example");
        Assert.StartsWith($"Answer by {routes[0].ExpertName} to {q.QuestionId}; sent to the asker directly (in To or Cc), so not relayed again.", record.Reason);

        // Their follow-up written the same way is logged and not relayed either (a code review found it relayed a second time).
        var more = Reply(routes[0], q, "direct-more@mail.northwind.example", new TextPart("plain") { Text = "Above 500 EUR the finance lead signs as well." });
        more.To.Clear();
        more.To.Add(new MailboxAddress(q.AskerName, q.AskerEmail));
        more.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        await h.Maildir.DeliverAsync(more, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Equal(before, h.Maildir.ReadOutbox().Count);
        Assert.Equal($"follow-up by {routes[0].ExpertName} (sent to the asker directly)",
            Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "followup").Detail);
    }

    [Fact]
    public async Task A_reply_with_no_text_of_its_own_is_empty_not_an_answer_and_nothing_is_relayed()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-empty@mail.northwind.example");
        var before = h.Maildir.ReadOutbox().Count;
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "empty-quote@mail.northwind.example", new TextPart("plain")
        {
            Text = $"On Mon, 16 Nov 2026 at 10:00, SocialLearning <ask@northwind.example> wrote:\n> {routes[0].ExpertName}, a colleague has a question you may know the answer to.\n> Who approves refunds?\n",
        }), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[1], q, "empty-body@mail.northwind.example", new TextPart("plain") { Text = "" }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        foreach (var id in new[] { "empty-quote@mail.northwind.example", "empty-body@mail.northwind.example" })
        {
            var r = Assert.Single(records, m => m.InternetMessageId == id);
            Assert.Equal(("NonQuestion", "Empty"), (r.State, r.Kind));
            Assert.Equal($"A reply in the thread of {q.QuestionId} with no text of its own (only quoted text, a signature or a mobile footer); not counted as an answer, not relayed.", r.Reason);
        }
        var after = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.All(after, r => Assert.Null(r.AnsweredAt));
        Assert.DoesNotContain(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind is "answered" or "relayed");
        Assert.Equal(before, h.Maildir.ReadOutbox().Count);
    }

    [Fact]
    public async Task Two_replies_of_one_expert_taken_in_together_are_the_answer_and_a_follow_up_never_one_dropped()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-two@mail.northwind.example");
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "two-1@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." }), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "two-2@mail.northwind.example", new TextPart("plain") { Text = "Above 500 EUR finance signs off as well." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == routes[0].ExpertId);
        Assert.NotNull(route.AnsweredAt);
        Assert.Equal(1, route.FollowUps);
        var texts = new[] { route.AnswerText, route.FollowUpText + " " + string.Join(" ", h.Maildir.ReadOutbox().Select(m => m.TextBody)) };
        Assert.Contains(texts, t => t.Contains("up to 500 EUR", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("finance signs off as well", StringComparison.Ordinal));
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "answered");
        Assert.Single(events, e => e.Kind == "followup");
    }

    [Fact]
    public async Task An_answers_files_and_pasted_screenshot_travel_with_the_relay_but_not_a_signature_logo()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-attach@mail.northwind.example");
        var pdf = "%PDF-1.4 refund reconciliation"u8.ToArray();
        var screenshot = new byte[40_000];
        new Random(7).NextBytes(screenshot);
        var builder = new BodyBuilder { TextBody = "See the attached reconciliation and the screenshot of the returns tool." };
        builder.Attachments.Add("reconciliation.pdf", pdf, new ContentType("application", "pdf"));
        var shot = builder.LinkedResources.Add("image001.png", screenshot, new ContentType("image", "png"));
        shot.ContentId = "shot@northwind";
        var logo = builder.LinkedResources.Add("image002.png", new byte[900], new ContentType("image", "png"));
        logo.ContentId = "logo@northwind";
        builder.HtmlBody = "<p>See the attached reconciliation and the screenshot of the returns tool.</p><img src=\"cid:shot@northwind\"><p>Sam<img src=\"cid:logo@northwind\"></p>";
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "attach-1@mail.northwind.example", builder.ToMessageBody()), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == routes[0].ExpertId);
        Assert.Equal(("See the attached reconciliation and the screenshot of the returns tool.", "image001.png; reconciliation.pdf"), (route.AnswerText, route.AnswerAttachments));
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains("Attached: image001.png, reconciliation.pdf", relay.TextBody); // in the order of the mail
        var files = relay.Attachments.OfType<MimePart>().ToDictionary(p => p.FileName ?? "");
        Assert.Equal(["image001.png", "reconciliation.pdf"], files.Keys.Order());
        Assert.Equal(pdf, Decoded(files["reconciliation.pdf"]));
        Assert.Equal(screenshot, Decoded(files["image001.png"]));
    }

    [Fact]
    public async Task Files_too_large_to_relay_are_named_with_their_size_and_whom_to_ask()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-attach-big@mail.northwind.example");
        var builder = new BodyBuilder { TextBody = "The full returns log is attached." };
        builder.Attachments.Add("returns-2026.csv", new byte[4 * 1024 * 1024], new ContentType("text", "csv"));
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "attach-big@mail.northwind.example", builder.ToMessageBody()), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Empty(relay.Attachments);
        Assert.Contains($"[The answer came with returns-2026.csv (4.0 MB): more than the 2.7 MB the service passes on in all. Ask {routes[0].ExpertName} ({routes[0].ExpertEmail}) for it.]", relay.TextBody);
    }

    [Fact]
    public async Task Files_that_fit_under_the_limit_go_along_and_the_rest_are_named()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-attach-part@mail.northwind.example");
        var checklist = new byte[2 * 1024 * 1024];
        new Random(3).NextBytes(checklist);
        var builder = new BodyBuilder { TextBody = "Checklist and data map attached." };
        builder.Attachments.Add("refund checklist.pdf", checklist, new ContentType("application", "pdf"));
        builder.Attachments.Add("data-map.xls", new byte[1536 * 1024], new ContentType("application", "vnd.ms-excel"));
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "attach-part@mail.northwind.example", builder.ToMessageBody()), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        var file = Assert.Single(relay.Attachments.OfType<MimePart>());
        Assert.Equal("refund checklist.pdf", file.FileName);
        Assert.Equal(checklist, Decoded(file));
        Assert.Contains("Attached: refund checklist.pdf\n[The answer also came with data-map.xls (1.5 MB): more than the 2.7 MB the service passes on in all. " +
                        $"Ask {routes[0].ExpertName} ({routes[0].ExpertEmail}) for it.]", relay.TextBody!.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Files_of_an_answer_whose_mail_left_the_mailbox_before_the_relay_are_named_with_whom_to_ask()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-attach-gone@mail.northwind.example");
        var builder = new BodyBuilder { TextBody = "The signed form is attached." };
        builder.Attachments.Add("refund-form.pdf", "%PDF-1.4 form"u8.ToArray(), new ContentType("application", "pdf"));
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "attach-gone@mail.northwind.example", builder.ToMessageBody()), Ct);
        var claimed = await h.Get<SocialLearning.Mail.IMailbox>().ClaimNewAsync(Ct);
        await h.Get<InboundMailHandler>().HandleAsync(new InboundMailMessage(Assert.Single(claimed)), Ct);
        foreach (var file in Directory.GetFiles(Path.Combine(h.MailRoot, "inbox", "cur"))) File.Delete(file);

        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Empty(relay.Attachments);
        Assert.Contains("The signed form is attached.", relay.TextBody);
        Assert.Contains($"[The answer came with refund-form.pdf; the mail is no longer in the shared mailbox, so the service could not pass it on. Ask {routes[0].ExpertName} ({routes[0].ExpertEmail}) for it.]", relay.TextBody);
    }

    private static byte[] Decoded(MimePart part)
    {
        using var buffer = new MemoryStream();
        part.Content!.DecodeTo(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task An_acknowledgement_is_not_the_answer_so_the_answer_that_follows_is_relayed_as_the_answer()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-ack@mail.northwind.example");
        var before = h.Maildir.ReadOutbox().Count;
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "ack-1@mail.northwind.example", new TextPart("plain") { Text = "Let me check and get back to you tomorrow.\n\nSam" }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == routes[0].ExpertId);
        Assert.Null(route.AnsweredAt);
        Assert.Equal(before, h.Maildir.ReadOutbox().Count);
        var ack = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "acknowledged");
        Assert.Equal($"{routes[0].ExpertName}: \"Let me check and get back to you tomorrow. Sam\"", ack.Detail);

        await h.Maildir.DeliverAsync(Reply(routes[0], q, "ack-2@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == routes[0].ExpertId);
        Assert.Equal(("The customer service lead approves refunds up to 500 EUR.", 0), (route.AnswerText, route.FollowUps));
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains("answered your question:", relay.TextBody);
        Assert.DoesNotContain("get back to you", relay.TextBody);
    }

    /// <summary>Pieter (the asker) writes in the thread of the relay he got.</summary>
    private static MimeMessage AskerWrites(QuestionEntity q, string messageId, string text) =>
        TestMail.Reply("Pieter de Vries <pieter.devries@northwind.example>", $"Re: Customer wants a refund for a damaged pallet [{q.QuestionId}]", messageId, text);

    [Fact]
    public async Task An_asker_who_found_the_answer_before_anyone_answered_resolves_the_question_and_the_experts_asked_are_told()
    {
        // From a README-only user run: "Never mind, found it" went to the expert as detail, with "To answer, reply to this
        // mail", and the log showed a question nobody answered.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "resolved-1@mail.northwind.example");
        var outbox = new OutboxWatch(h.Maildir);
        await h.Maildir.DeliverAsync(AskerWrites(q, "resolved-2@mail.northwind.example", "Never mind, found it - the returns policy on the intranet covers it. Sorry for the noise!\nPieter"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var told = outbox.New();
        Assert.Equal(routes.Select(r => r.ExpertEmail).Order(), told.Select(m => m.To.Mailboxes.Single().Address).Order());
        Assert.All(told, m =>
        {
            Assert.Contains("Pieter de Vries no longer needs an answer to this question:", m.TextBody);
            Assert.Contains("Never mind, found it - the returns policy on the intranet covers it.", m.TextBody);
            Assert.DoesNotContain("To answer, reply", m.TextBody);
        });
        var resolved = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "resolved");
        Assert.Equal($"resolved by the asker before any answer: \"Never mind, found it - the returns policy on the intranet covers it. Sorry for the noise! Pieter\"; told {string.Join(", ", routes.Select(r => r.ExpertName))}, still asked, that no answer is needed",
            resolved.Detail);
        Assert.NotNull((await h.Get<StorageClients>().Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct))!.ResolvedByAskerAt);
        // The void requests give their places under the cap back (a README-only user run saw a false bottleneck of them).
        foreach (var r in routes)
            Assert.Empty(await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(KeyEncoding.Encode(r.ExpertId), Ct));

        // A pass after that asks nobody in the expert's place; an answer that comes anyway still reaches the asker.
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "resolved-pass@mail.northwind.example", new TextPart("plain") { Text = "pass" }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "passed");
        Assert.DoesNotContain(events, e => e.Kind == "escalated");
        Assert.Empty(outbox.New());

        // Asking again opens it: the experts still asked get the text as added to the question, with how to answer.
        await h.Maildir.DeliverAsync(AskerWrites(q, "resolved-3@mail.northwind.example", "Sorry, the page is outdated after all. Who approves it now?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var again = Assert.Single(outbox.New());
        Assert.Equal(routes[1].ExpertEmail, again.To.Mailboxes.Single().Address);
        Assert.Contains("Pieter de Vries added to their question:", again.TextBody);
        Assert.Contains("To answer, reply to this mail", again.TextBody);
        Assert.Null((await h.Get<StorageClients>().Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(q.QuestionId, QuestionEntity.Row, Ct))!.ResolvedByAskerAt);
        Assert.EndsWith("; the question is open again (the asker had written it needed no answer)",
            (await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct)).Last(e => e.Kind == "asker-reply").Detail);
        // The expert asked again holds a place under the cap again; the one who passed does not.
        Assert.Single(await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(KeyEncoding.Encode(routes[1].ExpertId), Ct));
        Assert.Empty(await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(KeyEncoding.Encode(routes[0].ExpertId), Ct));

        await h.Maildir.DeliverAsync(Reply(routes[1], q, "resolved-ans@mail.northwind.example", new TextPart("plain") { Text = "For the record: the customer service lead approves refunds up to 500 EUR." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Equal(q.AskerEmail, Assert.Single(outbox.New()).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task The_askers_reply_all_to_an_answer_written_to_them_directly_comes_after_it_even_with_the_request_in_its_references()
    {
        // From a code review: the request's Message-ID in References made the relay check throw, so the reply went to the
        // poison queue; and with the asker's clock behind, "Thanks, that fixed it!" read as written before any answer.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "direct-clock-1@mail.northwind.example");
        var now = DateTimeOffset.UtcNow;
        var request = SocialLearning.Mail.RoutedRequestComposer.RequestMessageId(q.QuestionId, routes[0].ExpertId);
        var answer = Reply(routes[0], q, "direct-clock-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        answer.To.Clear();
        answer.To.Add(new MailboxAddress(q.AskerName, q.AskerEmail));
        answer.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        answer.InReplyTo = request;
        answer.References.Add(request);
        answer.Date = now.AddMinutes(5).AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        // Read as "never mind" were it written before any answer: so the clock decides what it is.
        Assert.True(ReplyCommands.IsResolvedByAsker("Sorted it, thanks!"));
        var thanks = AskerWrites(q, "direct-clock-thanks@mail.northwind.example", "Sorted it, thanks!");
        thanks.To.Add(new MailboxAddress(routes[0].ExpertName, routes[0].ExpertEmail));
        thanks.InReplyTo = "direct-clock-ans@mail.northwind.example";
        thanks.References.Add(request);
        thanks.References.Add("direct-clock-ans@mail.northwind.example");
        thanks.Date = now.AddMinutes(-1).AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        await h.Maildir.DeliverAsync(thanks, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.DoesNotContain(events, e => e.Kind == "resolved");
        var reply = Assert.Single(events, e => e.Kind == "asker-reply");
        Assert.Equal(Assert.Single(events, e => e.Kind == "answered").At, reply.At);
        Assert.EndsWith($"not relayed: sent to {routes[0].ExpertName} directly (in To or Cc)", reply.Detail);
    }

    [Fact]
    public async Task A_reply_to_one_experts_relayed_answer_goes_to_that_expert_and_a_reply_to_the_thread_to_all_who_answered()
    {
        // From a README-only user run: "Thanks Mei - can the two blocks …", written to Mei's relayed answer, reached Priya too.
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-two-answers@mail.northwind.example");
        var outbox = new OutboxWatch(h.Maildir);
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "two-ans-1@mail.northwind.example", new TextPart("plain") { Text = "File it as a transport claim; the customer service lead approves it." }), Ct);
        await h.Maildir.DeliverAsync(Reply(routes[1], q, "two-ans-2@mail.northwind.example", new TextPart("plain") { Text = "Refunds above 500 EUR need the finance controller as well." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var relays = outbox.New().Where(m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example").ToList();
        var relayOfSecond = Assert.Single(relays, m => m.TextBody!.Contains("500 EUR"));

        var toSecond = AskerWrites(q, "two-ans-thanks@mail.northwind.example", "Thanks - is the 500 EUR before or after VAT?");
        toSecond.InReplyTo = relayOfSecond.MessageId!;
        await h.Maildir.DeliverAsync(toSecond, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var sent = Assert.Single(outbox.New());
        Assert.Equal(routes[1].ExpertEmail, sent.To.Mailboxes.Single().Address);
        Assert.Contains("is the 500 EUR before or after VAT?", sent.TextBody);

        // Written to the thread, not to one relay: both who answered get it.
        await h.Maildir.DeliverAsync(AskerWrites(q, "two-ans-all@mail.northwind.example", "The claim is filed, thank you both."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var both = outbox.New();
        Assert.Equal(new[] { routes[0].ExpertEmail, routes[1].ExpertEmail }.Order(), both.Select(m => m.To.Mailboxes.Single().Address).Order());
        // Each gets the thanks; the first expert never gets the question meant for the second, the second not twice.
        Assert.All(both, m => Assert.Contains("The claim is filed, thank you both.", m.TextBody));
        Assert.All(both, m => Assert.DoesNotContain("before or after VAT", m.TextBody));
    }

    [Fact]
    public async Task The_askers_replies_reach_the_experts_still_asked_and_after_an_answer_the_one_who_answered_who_can_write_back()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-asker@mail.northwind.example");
        var outbox = new OutboxWatch(h.Maildir);
        List<MimeMessage> Sent() => outbox.New();

        // Before any answer: more detail goes to every expert still asked; a bare thanks goes to nobody.
        await h.Maildir.DeliverAsync(AskerWrites(q, "asker-1@mail.northwind.example", "The pallet was damaged by our own carrier, if that matters."), Ct);
        await h.Maildir.DeliverAsync(AskerWrites(q, "asker-thanks@mail.northwind.example", "Thanks!"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var detail = Sent();
        Assert.Equal(routes.Select(r => r.ExpertEmail).Order(), detail.Select(m => m.To.Mailboxes.Single().Address).Order());
        Assert.All(detail, m =>
        {
            Assert.Equal($"Re: [{q.QuestionId}] Customer wants a refund for a damaged pallet", m.Subject);
            Assert.Contains("Pieter de Vries added to their question:", m.TextBody);
            Assert.Contains("damaged by our own carrier", m.TextBody);
            Assert.DoesNotContain("Thanks!", m.TextBody);
        });

        // An answer, then the asker's reply to it goes to the one who answered only, who writes back: a follow-up for the asker.
        await h.Maildir.DeliverAsync(Reply(routes[0], q, "asker-ans@mail.northwind.example", new TextPart("plain") { Text = "Own carrier: file it as a transport claim, the customer service lead approves it." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Single(Sent(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        await h.Maildir.DeliverAsync(AskerWrites(q, "asker-2@mail.northwind.example", "That worked, the claim is filed. Thank you!"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var toExpert = Assert.Single(Sent());
        Assert.Equal(routes[0].ExpertEmail, toExpert.To.Mailboxes.Single().Address);
        Assert.Contains("Pieter de Vries replied to your answer:", toExpert.TextBody);
        Assert.Contains("That worked, the claim is filed.", toExpert.TextBody);
        Assert.DoesNotContain("damaged by our own carrier", toExpert.TextBody); // had it already

        var back = Reply(routes[0], q, "asker-back@mail.northwind.example", new TextPart("plain") { Text = "Glad it worked. Keep the claim number for the credit note." });
        back.InReplyTo = toExpert.MessageId;
        await h.Maildir.DeliverAsync(back, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var followUp = Assert.Single(Sent());
        Assert.Equal("pieter.devries@northwind.example", followUp.To.Mailboxes.Single().Address);
        Assert.Contains("Keep the claim number for the credit note.", followUp.TextBody);

        var events = (await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.Kind == "asker-reply").Select(e => e.Detail).ToList();
        Assert.Equal(3, events.Count);
        Assert.Contains(events, d => d.EndsWith("not relayed (a thanks, and nobody has answered yet)", StringComparison.Ordinal));
        Assert.Contains(events, d => d.EndsWith($"relayed to {routes[0].ExpertName} (who answered)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expert_asked_after_the_asker_added_detail_gets_it_in_the_request_and_not_again()
    {
        await using var h = await PipelineHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Routing:MinSimilarity"] = "0.1" });
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-later@mail.northwind.example");
        await h.Maildir.DeliverAsync(AskerWrites(q, "later-1@mail.northwind.example", "It was 14 cartons of glassware, invoice 2026-1187."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var i = 0;
        foreach (var r in routes)
            await h.Maildir.DeliverAsync(Reply(r, q, $"later-pass-{i++}@mail.northwind.example", new TextPart("plain") { Text = "pass" }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var all = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).ToList();
        var next = all.Where(r => routes.All(o => o.ExpertId != r.ExpertId)).ToList();
        Assert.Equal(routes.Count, next.Count); // one more asked for each pass
        Assert.All(next, r =>
        {
            Assert.True(r.Escalation);
            Assert.Equal(1, r.AskerRepliesRelayed);
            var request = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == r.ExpertEmail);
            Assert.Equal($"[{q.QuestionId}] Customer wants a refund for a damaged pallet", request.Subject);
            var text = request.TextBody!.ReplaceLineEndings("\n");
            Assert.Contains("Pieter de Vries added later:\n    It was 14 cartons of glassware, invoice 2026-1187.", text);
            Assert.True(text.IndexOf("added later", StringComparison.Ordinal) < text.IndexOf("Why you:", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task The_askers_reply_to_their_own_question_mail_lands_in_its_thread_before_any_answer_not_as_a_new_question()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-own@mail.northwind.example");
        var before = h.Maildir.ReadOutbox().Count;

        // The asker has no mail with the token yet: a reply to their own mail (In-Reply-To), and a "Re:" typed fresh.
        var detail = TestMail.Reply("Pieter de Vries <pieter.devries@northwind.example>", "Re: Customer wants a refund for a damaged pallet", "own-2@mail.northwind.example",
            "Some more detail: the pallet was 14 cartons of glassware.");
        detail.InReplyTo = "refund-own@mail.northwind.example";
        detail.References.Add("refund-own@mail.northwind.example");
        await h.Maildir.DeliverAsync(detail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        await h.Maildir.DeliverAsync(TestMail.Reply("Pieter de Vries <pieter.devries@northwind.example>", "RE: Customer wants a refund for a damaged pallet", "own-3@mail.northwind.example",
            "Thanks!"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var sent = h.Maildir.ReadOutbox();
        Assert.Equal(before + routes.Count, sent.Count);
        Assert.All(routes, r => Assert.Contains("14 cartons of glassware", Assert.Single(sent, m => m.To.Mailboxes.Single().Address == r.ExpertEmail && m.Subject!.StartsWith("Re:", StringComparison.Ordinal)).TextBody));
        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Equal($"A reply by the asker in the thread of {q.QuestionId}; relayed to {string.Join(", ", routes.Select(r => r.ExpertName))} (asked, no answer yet).",
            Assert.Single(records, m => m.InternetMessageId == "own-2@mail.northwind.example").Reason);
        Assert.Equal($"A reply by the asker in the thread of {q.QuestionId}; not relayed (a thanks, and nobody has answered yet).",
            Assert.Single(records, m => m.InternetMessageId == "own-3@mail.northwind.example").Reason);
    }

    [Fact]
    public async Task A_stale_token_in_the_askers_subject_leaves_the_relay_and_the_askers_reply_to_it_finds_the_question()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("stale-1@mail.northwind.example", "[Q-ABCDEF] Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var route = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).First();
        await h.Maildir.DeliverAsync(Reply(route, q, "stale-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." }), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Equal($"Re: Customer wants a refund for a damaged pallet [{q.QuestionId}]", relay.Subject);

        // A client that kept the stale token too, and In-Reply-To the relay.
        var thanks = TestMail.Reply("Pieter de Vries <pieter.devries@northwind.example>", $"Re: Re: [Q-ABCDEF] Customer wants a refund for a damaged pallet [{q.QuestionId}]",
            "stale-thanks@mail.northwind.example", "Thanks, that worked!");
        thanks.InReplyTo = relay.MessageId;
        await h.Maildir.DeliverAsync(thanks, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var toExpert = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == route.ExpertEmail && m.Subject!.StartsWith("Re:", StringComparison.Ordinal));
        Assert.Contains("Thanks, that worked!", toExpert.TextBody);
    }

    [Fact]
    public async Task An_experts_re_under_the_request_subject_without_token_or_thread_headers_is_the_answer_and_a_cut_answer_says_whom_to_ask()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "refund-resubject@mail.northwind.example");
        var longAnswer = "Refunds up to 500 EUR are approved by the customer service lead. " + string.Join(' ', Enumerable.Repeat("More detail on the returns process.", 600));
        await h.Maildir.DeliverAsync(TestMail.Reply($"{routes[0].ExpertName} <{routes[0].ExpertEmail}>", "Re: Customer wants a refund for a damaged pallet", "resubject-1@mail.northwind.example", longAnswer), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == routes[0].ExpertId);
        Assert.NotNull(route.AnsweredAt);
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains($"characters; ask {routes[0].ExpertName} ({routes[0].ExpertEmail}) for the rest]", relay.TextBody);
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "resubject-1@mail.northwind.example");
        Assert.Equal("Reply", record.Kind);
    }

    [Fact]
    public async Task Of_two_questions_named_in_a_subject_the_one_the_sender_takes_part_in_under_that_subject_is_the_thread()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (a, _) = await AskRefundQuestionAsync(h, "two-a@mail.northwind.example");
        await h.Maildir.DeliverAsync(Question("two-b@mail.northwind.example", "VPN keeps dropping at home",
            "My VPN disconnects every ten minutes when I work from home, but the internet itself is fine.", "Aisha Bello <aisha.bello@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var b = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct), x => x.QuestionId != a.QuestionId);

        await h.Maildir.DeliverAsync(TestMail.Reply("Aisha Bello <aisha.bello@northwind.example>", $"Re: [{a.QuestionId}] [{b.QuestionId}] VPN keeps dropping at home",
            "two-b-more@mail.northwind.example", "It only happens on the home Wi-Fi, not on the phone hotspot."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "two-b-more@mail.northwind.example");
        Assert.StartsWith($"A reply by the asker in the thread of {b.QuestionId}; relayed to ", record.Reason);
        Assert.Contains("only happens on the home Wi-Fi", SocialLearning.Mail.AskerReplies.Read((await h.Get<StorageClients>().Table(TableNames.Questions).GetOrNullAsync<QuestionEntity>(b.QuestionId, QuestionEntity.Row, Ct))!.AskerRepliesJson).Single().Text);
    }

    [Fact]
    public async Task The_askers_text_sent_after_a_question_too_short_to_route_is_added_and_the_question_routed_with_it()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        await h.Maildir.DeliverAsync(Question("short-1@mail.northwind.example", "Quick question", ""), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Equal(QuestionStates.Unrouted, q.State);
        // The asker is told why nobody was asked and how to go on (a README-only user run found them left without a word).
        var notice = Assert.Single(h.Maildir.ReadOutbox());
        Assert.Equal(("pieter.devries@northwind.example", $"Re: Quick question [{q.QuestionId}]", "short-1@mail.northwind.example"),
            (notice.To.Mailboxes.Single().Address, notice.Subject, notice.InReplyTo));
        Assert.Contains("Your mail has too little text for us to tell who would know the answer, so nobody has been asked yet.", notice.TextBody);

        await h.Maildir.DeliverAsync(TestMail.Reply("Pieter de Vries <pieter.devries@northwind.example>", "Re: Quick question", "short-2@mail.northwind.example",
            "Sorry, forgot the text: a customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        Assert.Equal((QuestionStates.Routed, ""), (q.State, q.UnroutedReason));
        Assert.StartsWith("Sorry, forgot the text: a customer received a damaged pallet", q.Text);
        Assert.Equal("", q.AskerRepliesJson);
        var requests = h.Maildir.ReadOutbox().Where(m => m.MessageId != notice.MessageId).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, m => Assert.Contains("wants a refund instead of a replacement", m.TextBody));
        Assert.All(requests, m => Assert.DoesNotContain("added later", m.TextBody));
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "too-short");
        Assert.EndsWith("added to the question, which nobody had been asked (too little text to route: 0 content words in subject and body (at least 2 needed)); routed again with it",
            Assert.Single(events, e => e.Kind == "asker-reply").Detail);
        Assert.Equal(requests.Count, events.Count(e => e.Kind == "routed"));
    }

    [Fact]
    public async Task An_askers_remark_written_before_the_answer_reaches_the_expert_as_an_addition_to_the_question_not_as_a_reply_to_the_answer()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "order-1@mail.northwind.example");
        var answer = Reply(routes[0], q, "order-ans@mail.northwind.example", new TextPart("plain") { Text = "The customer service lead approves refunds up to 500 EUR." });
        answer.Date = q.ReceivedAt.AddMinutes(42);
        var remark = AskerWrites(q, "order-remark@mail.northwind.example", "It was our own carrier that damaged it.");
        remark.Date = q.ReceivedAt.AddMinutes(10);
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct); // the answer is recorded first, then the earlier remark comes in
        await h.Maildir.DeliverAsync(remark, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var toExpert = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == routes[0].ExpertEmail && m.Subject!.StartsWith("Re:", StringComparison.Ordinal));
        Assert.Contains("Pieter de Vries added to their question:", toExpert.TextBody);
        Assert.DoesNotContain("replied to your answer", toExpert.TextBody);
        // Written before any answer, it is for every expert asked, also those who have not answered (a README-only user run
        // saw it go only to the one who answered, whose answer had been taken in first).
        foreach (var other in routes.Skip(1))
            Assert.Contains("It was our own carrier that damaged it.", Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == other.ExpertEmail && m.Subject!.StartsWith("Re:", StringComparison.Ordinal)).TextBody);
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "order-remark@mail.northwind.example");
        Assert.EndsWith("(asked; written before the first answer).", record.Reason);
    }

    [Fact]
    public async Task An_expert_who_replied_stop_elsewhere_gets_no_more_of_the_askers_detail_on_an_open_request()
    {
        await using var h = await WithSampleDirectoryAsync(azurite);
        var (q, routes) = await AskRefundQuestionAsync(h, "stopped-1@mail.northwind.example");
        var experts = h.Get<StorageClients>().Table(TableNames.Experts);
        var stopped = (await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(routes[1].ExpertId), KeyEncoding.Encode(routes[1].ExpertId), Ct))!;
        stopped.OptedOut = true; // as a "stop" reply to another request records it
        await experts.UpsertEntityAsync(stopped, Azure.Data.Tables.TableUpdateMode.Replace, Ct);

        await h.Maildir.DeliverAsync(AskerWrites(q, "stopped-detail@mail.northwind.example", "It was our own carrier that damaged it."), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var detail = h.Maildir.ReadOutbox().Where(m => m.Subject!.StartsWith("Re:", StringComparison.Ordinal)).Select(m => m.To.Mailboxes.Single().Address).ToList();
        Assert.Equal(routes.Where(r => r.ExpertId != stopped.ExpertId).Select(r => r.ExpertEmail).Order(), detail.Order());
        Assert.DoesNotContain(routes[1].ExpertEmail, detail);
    }
}
