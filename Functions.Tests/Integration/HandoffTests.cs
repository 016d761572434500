using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Mail;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// Experts who bring in a colleague: forwarding the request to them with the shared address in copy (a handoff), a
/// colleague replying in the forwarded thread, and an expert forwarding a colleague's answer to the shared address.
/// </summary>
[Collection("Azurite")]
public sealed class HandoffTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Answer = "Approve it in the returns tool under 'damaged in transit'; I sign off refunds above 500 EUR myself.";

    private async Task<(PipelineHarness H, QuestionEntity Q, List<RouteEntity> Routes, MimeMessage Request)> AskAsync(string messageId)
    {
        var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        await h.Maildir.DeliverAsync(TestMail.Question(messageId, "Customer wants a refund for a damaged pallet",
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var routes = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).ToList();
        var request = h.Maildir.ReadOutbox().First(m => m.To.Mailboxes.Single().Address == routes[0].ExpertEmail);
        return (h, q, routes, request);
    }

    /// <summary>Bob Marsh replies to <paramref name="expert"/> with the shared address in copy, in reply to <paramref name="inReplyTo"/>.</summary>
    private static MimeMessage BobReplies(RouteEntity expert, string subject, string id, string inReplyTo, string text)
    {
        var reply = new MimeMessage();
        reply.From.Add(MailboxAddress.Parse("Bob Marsh <bob.marsh@northwind.example>"));
        reply.To.Add(new MailboxAddress(expert.ExpertName, expert.ExpertEmail));
        reply.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        reply.Subject = subject;
        reply.MessageId = id;
        reply.InReplyTo = inReplyTo;
        reply.Body = new TextPart("plain") { Text = text };
        return reply;
    }

    /// <summary>The asked expert forwards the request mail, as Gmail writes a forward, to <paramref name="to"/> with the shared address in copy.</summary>
    private static MimeMessage Forward(RouteEntity expert, MimeMessage request, string id, string note, string to)
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress(expert.ExpertName, expert.ExpertEmail));
        m.To.Add(MailboxAddress.Parse(to));
        m.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = "Fwd: " + request.Subject;
        m.MessageId = id;
        m.Date = DateTimeOffset.UtcNow;
        m.Body = new TextPart("plain")
        {
            Text = note + "\n\n---------- Forwarded message ---------\nFrom: SocialLearning <ask@northwind.example>\nDate: Fri, 20 Nov 2026 at 09:31\n" +
                   $"Subject: {request.Subject}\nTo: {expert.ExpertName} <{expert.ExpertEmail}>\n\n{request.TextBody}",
        };
        return m;
    }

    [Fact]
    public async Task A_request_forwarded_to_a_colleague_is_a_handoff_and_the_colleagues_reply_is_relayed_as_the_answer()
    {
        var (h, q, routes, request) = await AskAsync("refund-handoff@mail.northwind.example");
        await using var _ = h;
        var anna = routes[0];
        var before = h.Maildir.ReadOutbox().Count;

        await h.Maildir.DeliverAsync(Forward(anna, request, "handoff-1@mail.northwind.example",
            "Bob, you handle the damaged-goods refunds, can you take this one?", "Bob Marsh <bob.marsh@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        // The note is not an answer: nothing is relayed, nobody else is asked, and the handoff is logged.
        var after = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).ToDictionary(r => r.ExpertId);
        Assert.Null(after[anna.ExpertId].AnsweredAt);
        Assert.Null(after[anna.ExpertId].PassedAt);
        Assert.Equal("bob.marsh@northwind.example", after[anna.ExpertId].ReferredTo);
        Assert.Equal(routes.Count, after.Count);
        Assert.Equal(before, h.Maildir.ReadOutbox().Count);
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var referred = Assert.Single(events, e => e.Kind == "referred");
        Assert.Equal(anna.ExpertId, referred.ExpertId);
        Assert.Equal($"{anna.ExpertName} handed the question to Bob Marsh (bob.marsh@northwind.example): \"Bob, you handle the damaged-goods refunds, can you take this one?\"", referred.Detail);
        Assert.DoesNotContain(events, e => e.Kind is "answered" or "relayed" or "passed" or "escalated");
        var record = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "handoff-1@mail.northwind.example");
        Assert.StartsWith($"{anna.ExpertName} handed {q.QuestionId} to Bob Marsh", record.Reason);

        // Bob replies to all: his answer reaches the asker, named as brought in by the expert asked.
        var reply = BobReplies(anna, "Re: Fwd: " + request.Subject, "bob-1@mail.northwind.example", "handoff-1@mail.northwind.example",
            Answer + "\n\nOn Fri, 20 Nov 2026 at 10:02, " + anna.ExpertName + " wrote:\n> Bob, you handle the damaged-goods refunds, can you take this one?\n");
        // Someone else in the thread, never handed the question, is kept and not relayed as before.
        var stranger = new MimeMessage();
        stranger.From.Add(MailboxAddress.Parse("Eve Lang <eve.lang@northwind.example>"));
        stranger.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        stranger.Subject = "Re: " + request.Subject;
        stranger.MessageId = "eve-1@mail.northwind.example";
        stranger.Body = new TextPart("plain") { Text = "I think the warehouse handles this." };
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Maildir.DeliverAsync(stranger, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var bob = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertEmail == "bob.marsh@northwind.example");
        Assert.Equal(("bob.marsh@northwind.example", "Bob Marsh", "", anna.ExpertName), (bob.ExpertId, bob.ExpertName, bob.ExpertDepartment, bob.ReferredBy));
        Assert.Equal(Answer, bob.AnswerText);
        Assert.NotNull(bob.RelayedAt);
        Assert.Null(bob.RequestSentAt); // the service never mailed Bob a request
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains($"Bob Marsh, brought in by {anna.ExpertName}, answered your question:", relay.TextBody);
        Assert.Contains(Answer, relay.TextBody);
        Assert.Contains("bob.marsh@northwind.example", relay.TextBody);
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => (m.TextBody ?? "").Contains("warehouse", StringComparison.Ordinal));
        events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var answered = Assert.Single(events, e => e.Kind == "answered");
        Assert.Equal("bob.marsh@northwind.example", answered.ExpertId);
        Assert.StartsWith($"answer by Bob Marsh (brought in by {anna.ExpertName}; not in the expert directory)", answered.Detail);
        Assert.Single(events, e => e.Kind == "relayed");
        var eve = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "eve-1@mail.northwind.example");
        Assert.Equal($"A reply in the thread of {q.QuestionId} from eve.lang@northwind.example, who was not asked; kept, not relayed.", eve.Reason);

        // The expert thanks the colleague in the thread (a README-only user run saw this relayed as the expert's answer).
        var relays = h.Maildir.ReadOutbox().Count;
        var thanks = TestMail.Reply($"{anna.ExpertName} <{anna.ExpertEmail}>", "Re: " + request.Subject, "anna-thanks@mail.northwind.example", "Thanks Bob, great!\n\nAnna");
        await h.Maildir.DeliverAsync(thanks, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Equal(relays, h.Maildir.ReadOutbox().Count);
        events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        Assert.Single(events, e => e.Kind == "answered");
        Assert.DoesNotContain(events, e => e.Kind == "acknowledged");
        var thanked = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "anna-thanks@mail.northwind.example");
        Assert.Equal($"{anna.ExpertName} wrote \"Thanks Bob, great! Anna\" in the thread of {q.QuestionId} after Bob Marsh, whom they brought in, answered; not relayed.", thanked.Reason);
    }

    [Fact]
    public async Task A_listed_colleague_replying_to_a_forward_of_the_request_is_relayed_under_their_directory_listing()
    {
        var (h, q, routes, request) = await AskAsync("refund-listed@mail.northwind.example");
        await using var _ = h;
        // The expert forwarded the request without copying the shared address; the colleague answers to it. Their mail's
        // References carry the request's Message-ID, which is how the service knows who brought them in.
        var colleague = SampleDirectory.Experts().Where(e => routes.All(r => r.ExpertId != e.Id)).OrderBy(e => e.Id, StringComparer.Ordinal).First();
        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress(colleague.Name, colleague.Email));
        reply.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        reply.Subject = "RE: FW: " + request.Subject;
        reply.MessageId = "listed-1@mail.northwind.example";
        reply.InReplyTo = "fw-by-expert@mail.northwind.example";
        reply.References.Add(request.MessageId!);
        reply.References.Add("fw-by-expert@mail.northwind.example");
        reply.Body = new TextPart("plain") { Text = Answer };
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == colleague.Id);
        Assert.Equal((colleague.Name, colleague.Department, routes[0].ExpertName, Answer), (route.ExpertName, route.ExpertDepartment, route.ReferredBy, route.AnswerText));
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains($"{colleague.Name} ({colleague.Department}), brought in by {routes[0].ExpertName}, answered your question:", relay.TextBody);
        var answered = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "answered");
        Assert.Equal((colleague.Id, colleague.Department), (answered.ExpertId, answered.Department));
    }

    [Fact]
    public async Task An_expert_who_forwards_a_colleagues_answer_to_the_shared_address_has_it_relayed_with_their_note()
    {
        var (h, q, routes, request) = await AskAsync("refund-fwd-answer@mail.northwind.example");
        await using var _ = h;
        var expert = routes[0];
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress(expert.ExpertName, expert.ExpertEmail));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = "FW: " + request.Subject;
        m.MessageId = "fwd-answer-1@mail.northwind.example";
        m.Body = new TextPart("plain")
        {
            Text = "I asked Bob in returns, his answer is below.\n\n-----Original Message-----\nFrom: Bob Marsh [mailto:bob.marsh@northwind.example]\n" +
                   $"Sent: Friday, November 20, 2026 11:15 AM\nTo: {expert.ExpertName} <{expert.ExpertEmail}>\nSubject: RE: refund question\n\n{Answer}\n\n" +
                   "-----Original Message-----\nFrom: " + expert.ExpertName + "\nSent: Friday, November 20, 2026 10:02 AM\nSubject: refund question\n\nWho approves refunds for damaged pallets?\n",
        };
        await h.Maildir.DeliverAsync(m, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var route = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == expert.ExpertId);
        Assert.Equal("I asked Bob in returns, his answer is below.\n\nForwarded:\nFrom: Bob Marsh [mailto:bob.marsh@northwind.example]\nSubject: RE: refund question\n\n" + Answer,
            route.AnswerText);
        Assert.Equal("", route.ReferredTo);
        var answered = Assert.Single(await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == "answered");
        Assert.StartsWith($"answer by {expert.ExpertName} (forwarding an answer by bob.marsh@northwind.example)", answered.Detail);
        var relay = Assert.Single(h.Maildir.ReadOutbox(), x => x.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains(Answer, relay.TextBody);
        Assert.DoesNotContain("Who approves refunds for damaged pallets", relay.TextBody);
    }

    [Fact]
    public async Task A_colleagues_reply_without_the_token_to_the_experts_forward_is_matched_through_the_forward_not_taken_for_a_new_question()
    {
        var (h, q, routes, request) = await AskAsync("refund-thread@mail.northwind.example");
        await using var _ = h;
        var anna = routes[0];
        await h.Maildir.DeliverAsync(Forward(anna, request, "fw-outlook-7@mail.northwind.example", "Bob, can you take this one?", "Bob Marsh <bob.marsh@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        // Bob answers from his phone: the token is gone from the subject, and In-Reply-To names Anna's forward.
        var reply = BobReplies(anna, "Re: Damaged pallet refund", "bob-phone-1@mail.northwind.example", "fw-outlook-7@mail.northwind.example", Answer + "\n\nSent from my iPhone");
        reply.References.Add("fw-outlook-7@mail.northwind.example");
        // Anna's manager, in copy of her reply, answers all in the request's thread: not an answer to the asker.
        var manager = new MimeMessage();
        manager.From.Add(MailboxAddress.Parse("Lena Vogt <lena.vogt@northwind.example>"));
        manager.To.Add(new MailboxAddress(anna.ExpertName, anna.ExpertEmail));
        manager.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        manager.Subject = "Re: " + request.Subject;
        manager.MessageId = "lena-1@mail.northwind.example";
        manager.InReplyTo = "anna-reply@mail.northwind.example";
        manager.References.Add(request.MessageId!);
        manager.References.Add("anna-reply@mail.northwind.example");
        manager.Body = new TextPart("plain") { Text = "Thanks Anna, great that you took this on." };
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Maildir.DeliverAsync(manager, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var bob = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertEmail == "bob.marsh@northwind.example");
        Assert.Equal(Answer, bob.AnswerText);
        var relay = Assert.Single(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        Assert.Contains(Answer, relay.TextBody);
        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        Assert.Equal($"A reply in the thread of {q.QuestionId} from lena.vogt@northwind.example, who was not asked; kept, not relayed.",
            Assert.Single(records, m => m.InternetMessageId == "lena-1@mail.northwind.example").Reason);
    }

    [Fact]
    public async Task A_colleague_who_declines_the_handoff_counts_as_the_experts_pass_so_the_next_candidate_is_asked()
    {
        var (h, q, routes, request) = await AskAsync("refund-declined@mail.northwind.example");
        await using var _ = h;
        var anna = routes[0];
        await h.Maildir.DeliverAsync(Forward(anna, request, "handoff-declined@mail.northwind.example", "Bob, is this yours?", "Bob Marsh <bob.marsh@northwind.example>"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var reply = BobReplies(anna, "Re: Fwd: " + request.Subject, "bob-declines@mail.northwind.example", "handoff-declined@mail.northwind.example", "Not my area, sorry.\n\nBob");
        await h.Maildir.DeliverAsync(reply, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var after = await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct);
        Assert.NotNull(Assert.Single(after, r => r.ExpertId == anna.ExpertId).PassedAt);
        Assert.DoesNotContain(after, r => r.ExpertEmail == "bob.marsh@northwind.example");
        Assert.DoesNotContain(h.Maildir.ReadOutbox(), m => m.To.Mailboxes.Single().Address == "pieter.devries@northwind.example");
        var events = await h.Get<SocialLearning.Outcomes.OutcomeLog>().ReadAllAsync(Ct);
        var passed = Assert.Single(events, e => e.Kind == "passed");
        Assert.Equal((anna.ExpertId, $"{anna.ExpertName} handed the question to Bob Marsh, who declined (\"Not my area, sorry. Bob\")"), (passed.ExpertId, passed.Detail));
        Assert.Single(events, e => e.Kind == "escalated");
    }
}
