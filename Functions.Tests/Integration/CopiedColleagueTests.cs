using Microsoft.Extensions.Options;
using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// An asker who copies a colleague on the question (To or Cc besides the shared address): the colleague has the question
/// already, so routing sends them no request and asks others in full; their reply-all is the answer.
/// </summary>
[Collection("Azurite")]
public sealed class CopiedColleagueTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Subject = "Customer wants a refund for a damaged pallet";
    private const string Body = "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?";

    private async Task<PipelineHarness> WithSampleDirectoryAsync(IDictionary<string, string?>? settings = null)
    {
        var h = await PipelineHarness.StartAsync(azurite, settings: settings);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        return h;
    }

    private static async Task<List<RouteEntity>> RoutesAsync(PipelineHarness h, string questionId) =>
        (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(questionId, Ct)).OrderBy(r => r.Rank).ToList();

    /// <summary>The question's stored candidates close enough to be asked, in rank order.</summary>
    private static List<RankedCandidate> Askable(PipelineHarness h, QuestionEntity q) =>
        RouteQuestionHandler.Candidates(q).Where(c => QuestionRouter.IsAskable(c, h.Get<IOptions<RoutingOptions>>().Value.MinSimilarity)).ToList();

    private static async Task<QuestionEntity> QuestionOfAsync(PipelineHarness h, string asker) =>
        Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct), q => q.AskerEmail == asker);

    [Fact]
    public async Task A_colleague_the_asker_copied_gets_no_request_others_are_asked_in_full_and_their_reply_all_is_the_answer()
    {
        await using var h = await WithSampleDirectoryAsync();
        // Who the refund question goes to without a copy.
        await h.Maildir.DeliverAsync(TestMail.Question("plain@mail.northwind.example", Subject, Body), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var plain = await RoutesAsync(h, (await QuestionOfAsync(h, "pieter.devries@northwind.example")).QuestionId);
        Assert.True(plain.Count >= 2, $"expected at least two experts asked, got {plain.Count}");
        var top = plain[0];

        // Aisha asks the same with the top expert in Cc (and her manager, who is not an expert, in To).
        var mail = TestMail.Question("copied@mail.northwind.example", Subject, Body, "Aisha Bello <aisha.bello@northwind.example>");
        mail.To.Add(MailboxAddress.Parse("Ruth Okafor <ruth.okafor@northwind.example>"));
        mail.Cc.Add(new MailboxAddress(top.ExpertName, top.ExpertEmail.ToUpperInvariant()));
        var watch = new OutboxWatch(h.Maildir);
        await h.Maildir.DeliverAsync(mail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = await QuestionOfAsync(h, "aisha.bello@northwind.example");
        Assert.Equal($"ruth.okafor@northwind.example; {top.ExpertEmail.ToLowerInvariant()}", q.Copied);
        Assert.Equal(QuestionStates.Routed, q.State);
        var routes = await RoutesAsync(h, q.QuestionId);
        var requests = routes.Where(r => !r.CopiedByAsker).ToList();
        // The experts close enough other than the copied one are asked, as many as routing asks without a copy: the copy
        // takes no place.
        var askable = Askable(h, q).Where(c => c.ExpertId != top.ExpertId).Take(3).Select(c => c.ExpertId).ToList();
        Assert.True(askable.Count >= 1, "expected another expert close enough");
        Assert.Equal(askable, requests.Select(r => r.ExpertId));
        Assert.Equal(plain.Skip(1).Select(r => r.ExpertId), requests.Take(plain.Count - 1).Select(r => r.ExpertId));
        var copied = Assert.Single(routes, r => r.CopiedByAsker);
        Assert.Equal((top.ExpertId, q.ReceivedAt, (DateTimeOffset?)null, requests.Count + 1), (copied.ExpertId, copied.AskedAt, copied.RequestSentAt, copied.Rank));
        var sent = watch.New();
        Assert.Equal(requests.Count, sent.Count);
        // The experts asked learn who has the question already.
        Assert.All(sent, m => Assert.Contains($"Aisha Bello also sent it to ruth.okafor@northwind.example, {top.ExpertEmail.ToLowerInvariant()}.", m.TextBody));
        Assert.DoesNotContain(sent, m => m.To.Mailboxes.Any(a => string.Equals(a.Address, top.ExpertEmail, StringComparison.OrdinalIgnoreCase)));
        // No place under the cap is taken for them: their one request is the first question's.
        var held = await h.Get<StorageClients>().Table(TableNames.ExpertRequests).ReadAllAsync<ExpertRequestEntity>(KeyEncoding.Encode(top.ExpertId), Ct);
        Assert.Equal([plain[0].PartitionKey], held.Select(r => r.QuestionId));
        var events = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
        var copiedEvent = Assert.Single(events, e => e.Kind == OutcomeKinds.Copied);
        Assert.Equal((q.QuestionId, top.ExpertId), (copiedEvent.QuestionId, copiedEvent.ExpertId));
        Assert.StartsWith("copied on the question by the asker, so no request sent; score ", copiedEvent.Detail);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.Routed && e.QuestionId == q.QuestionId && e.ExpertId == top.ExpertId);
        // The routing's events read in the route's order (not by id); the copy is logged at the question's time.
        Assert.Equal(requests.Select(r => r.ExpertId), events.Where(e => e.QuestionId == q.QuestionId && e.Kind == OutcomeKinds.Routed).Select(e => e.ExpertId));
        Assert.Equal(q.ReceivedAt, copiedEvent.At);

        // The copied expert answers with reply-all: the asker has it, so it is recorded (time to first answer) and not relayed.
        var answer = TestMail.Reply($"{top.ExpertName} <{top.ExpertEmail}>", $"Re: {Subject}", "copied-ans@mail.northwind.example",
            "The customer service lead approves refunds up to 500 EUR; raise it in the returns portal.");
        answer.To.Clear();
        answer.To.Add(new MailboxAddress("Aisha Bello", "aisha.bello@northwind.example"));
        answer.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        answer.InReplyTo = "copied@mail.northwind.example";
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Empty(watch.New());
        events = await h.Get<OutcomeLog>().ReadAllAsync(Ct);
        var answered = Assert.Single(events, e => e.Kind == OutcomeKinds.Answered);
        Assert.Equal((q.QuestionId, top.ExpertId), (answered.QuestionId, answered.ExpertId));
        Assert.StartsWith($"answer by {top.ExpertName} (copied on the question by the asker) ", answered.Detail);
        Assert.NotNull(Assert.Single(await RoutesAsync(h, q.QuestionId), r => r.CopiedByAsker).AnsweredAt);

        // The asker's thanks with reply-all reaches the expert directly: not relayed a second time.
        var thanks = TestMail.Reply("Aisha Bello <aisha.bello@northwind.example>", $"Re: {Subject}", "copied-thanks@mail.northwind.example", "Thanks, that did it!");
        thanks.To.Clear();
        thanks.To.Add(new MailboxAddress(top.ExpertName, top.ExpertEmail));
        thanks.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
        thanks.InReplyTo = "copied-ans@mail.northwind.example";
        await h.Maildir.DeliverAsync(thanks, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        Assert.Empty(watch.New());
        var reply = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.AskerReply);
        Assert.EndsWith($"not relayed: sent to {top.ExpertName} directly (in To or Cc)", reply.Detail);
    }

    [Fact]
    public async Task A_question_whose_only_free_close_expert_is_copied_is_with_them_not_a_bottleneck()
    {
        // One expert wanted, and the cap at 1 so the second-ranked cannot be asked after the first question: the second
        // question copies the top expert, and the only other close one is at the cap.
        await using var h = await WithSampleDirectoryAsync(new Dictionary<string, string?>
        {
            ["Routing:ExpertsPerQuestion"] = "1", ["Routing:MaxRequestsPerExpert"] = "1",
        });
        await h.Maildir.DeliverAsync(TestMail.Question("solo-plain@mail.northwind.example", Subject, Body), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var first = await QuestionOfAsync(h, "pieter.devries@northwind.example");
        var pool = Askable(h, first);
        Assert.True(pool.Count >= 2, $"expected two experts close enough, got {pool.Count}");
        var top = Assert.Single(await RoutesAsync(h, first.QuestionId));
        Assert.Equal(pool[0].ExpertId, top.ExpertId);

        var mail = TestMail.Question("solo-copied@mail.northwind.example", Subject, Body, "Aisha Bello <aisha.bello@northwind.example>");
        mail.Cc.Add(new MailboxAddress(pool[1].Name, pool[1].Email));
        var watch = new OutboxWatch(h.Maildir);
        await h.Maildir.DeliverAsync(mail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = await QuestionOfAsync(h, "aisha.bello@northwind.example");
        // The top expert is at the cap (passed over), the second is copied: the question is with them, not a bottleneck,
        // and the asker gets no "nobody could be asked" notice.
        Assert.Equal((QuestionStates.Routed, ""), (q.State, q.UnroutedReason));
        Assert.Empty(watch.New());
        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        Assert.Equal(["received", "copied", "skipped"], events.Select(e => e.Kind));
        Assert.Equal(pool[1].ExpertId, Assert.Single(await RoutesAsync(h, q.QuestionId), r => r.CopiedByAsker).ExpertId);

        // When that colleague passes, the question is not left with nobody: routing looks for someone in their place (here
        // the other close expert is still at the cap, so the escalated event says nobody can be asked).
        var pass = TestMail.Reply($"{pool[1].Name} <{pool[1].Email}>", $"Re: {Subject}", "solo-pass@mail.northwind.example", "Not my area, sorry.");
        pass.InReplyTo = "solo-copied@mail.northwind.example";
        await h.Maildir.DeliverAsync(pass, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var escalated = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Escalated && e.QuestionId == q.QuestionId);
        Assert.StartsWith("an expert passed and nobody else in the pool can be asked", escalated.Detail);
    }

    [Fact]
    public async Task Copied_colleagues_reply_all_taken_in_with_the_question_is_the_answer_of_the_one_routing_would_ask_and_never_a_new_question()
    {
        // From a README-only user run: both mails in one batch (handled in parallel), the reply-all became a question of its
        // own and was routed to experts. Tom is not in the directory; the other copied colleague is the expert routing puts
        // first.
        await using var h = await WithSampleDirectoryAsync();
        await h.Maildir.DeliverAsync(TestMail.Question("race-plain@mail.northwind.example", Subject, Body), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var top = (await RoutesAsync(h, (await QuestionOfAsync(h, "pieter.devries@northwind.example")).QuestionId))[0];

        var mail = TestMail.Question("race-q@mail.northwind.example", Subject, Body, "Julia Kowalska <julia.kowalska@northwind.example>");
        mail.Cc.Add(MailboxAddress.Parse("Tom Baker <tom.baker@northwind.example>"));
        mail.Cc.Add(new MailboxAddress(top.ExpertName, top.ExpertEmail));
        MimeMessage ReplyAll(string from, string id, string text, int minutes)
        {
            var reply = TestMail.Reply(from, $"RE: {Subject}", id, text);
            reply.To.Clear();
            reply.To.Add(MailboxAddress.Parse("Julia Kowalska <julia.kowalska@northwind.example>"));
            reply.Cc.Add(MailboxAddress.Parse("ask@northwind.example"));
            reply.InReplyTo = "race-q@mail.northwind.example";
            reply.References.Add("race-q@mail.northwind.example");
            reply.Date = mail.Date.AddMinutes(minutes);
            return reply;
        }
        await h.Maildir.DeliverAsync(ReplyAll("Tom Baker <tom.baker@northwind.example>", "race-tom@mail.northwind.example", "+1, I'd like to know that too.", 2), Ct);
        await h.Maildir.DeliverAsync(ReplyAll($"{top.ExpertName} <{top.ExpertEmail}>", "race-top@mail.northwind.example",
            "The customer service lead approves refunds up to 500 EUR in the returns tool.", 3), Ct);
        await h.Maildir.DeliverAsync(mail, Ct);
        var watch = new OutboxWatch(h.Maildir);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var q = await QuestionOfAsync(h, "julia.kowalska@northwind.example");
        Assert.Equal(2, (await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct)).Count);
        var records = await h.Get<StorageClients>().Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct);
        var tom = Assert.Single(records, m => m.InternetMessageId == "race-tom@mail.northwind.example");
        Assert.Equal(("NonQuestion", "Reply", $"A reply in the thread of {q.QuestionId} from tom.baker@northwind.example, whom the asker copied and the service did not ask; kept, not relayed."),
            (tom.State, tom.Kind, tom.Reason));
        var answer = Assert.Single(records, m => m.InternetMessageId == "race-top@mail.northwind.example");
        Assert.StartsWith($"Answer by {top.ExpertName} to {q.QuestionId}; sent to the asker directly (in To or Cc), so not relayed again.", answer.Reason);
        var answered = Assert.Single(await h.Get<OutcomeLog>().ReadAllAsync(Ct), e => e.Kind == OutcomeKinds.Answered);
        Assert.Equal($"answer by {top.ExpertName} (copied on the question by the asker) 3 minutes after the question", answered.Detail);
        var routes = await RoutesAsync(h, q.QuestionId);
        Assert.Equal(top.ExpertId, Assert.Single(routes, r => r.CopiedByAsker).ExpertId);
        Assert.DoesNotContain(routes, r => r.ExpertEmail == "tom.baker@northwind.example");
        // Requests went out for the question, none to the copied colleagues.
        Assert.All(watch.New(), m => Assert.DoesNotContain(m.To.Mailboxes, a => a.Address is "tom.baker@northwind.example" || a.Address == top.ExpertEmail));
    }

    [Fact]
    public async Task A_copied_expert_who_passes_asks_nobody_in_their_place()
    {
        await using var h = await WithSampleDirectoryAsync();
        await h.Maildir.DeliverAsync(TestMail.Question("pass-plain@mail.northwind.example", Subject, Body), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var top = (await RoutesAsync(h, (await QuestionOfAsync(h, "pieter.devries@northwind.example")).QuestionId))[0];
        var mail = TestMail.Question("pass-copied@mail.northwind.example", Subject, Body, "Aisha Bello <aisha.bello@northwind.example>");
        mail.Cc.Add(new MailboxAddress(top.ExpertName, top.ExpertEmail));
        await h.Maildir.DeliverAsync(mail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = await QuestionOfAsync(h, "aisha.bello@northwind.example");
        var before = await RoutesAsync(h, q.QuestionId);

        var pass = TestMail.Reply($"{top.ExpertName} <{top.ExpertEmail}>", $"Re: {Subject}", "pass-reply@mail.northwind.example", "Not my area, sorry.");
        pass.InReplyTo = "pass-copied@mail.northwind.example";
        var watch = new OutboxWatch(h.Maildir);
        await h.Maildir.DeliverAsync(pass, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var events = (await h.Get<OutcomeLog>().ReadAllAsync(Ct)).Where(e => e.QuestionId == q.QuestionId).ToList();
        Assert.Equal(top.ExpertId, Assert.Single(events, e => e.Kind == OutcomeKinds.Passed).ExpertId);
        Assert.DoesNotContain(events, e => e.Kind == OutcomeKinds.Escalated);
        Assert.Equal(before.Count, (await RoutesAsync(h, q.QuestionId)).Count);
        Assert.Empty(watch.New());
    }

    [Fact]
    public async Task A_never_mind_to_the_shared_address_reaches_the_copied_expert_too()
    {
        // From a README-only user run: the copied expert still had the question in their inbox and was never told.
        await using var h = await WithSampleDirectoryAsync();
        await h.Maildir.DeliverAsync(TestMail.Question("nm-plain@mail.northwind.example", Subject, Body), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var top = (await RoutesAsync(h, (await QuestionOfAsync(h, "pieter.devries@northwind.example")).QuestionId))[0];
        var mail = TestMail.Question("nm-copied@mail.northwind.example", Subject, Body, "Aisha Bello <aisha.bello@northwind.example>");
        mail.Cc.Add(new MailboxAddress(top.ExpertName, top.ExpertEmail));
        await h.Maildir.DeliverAsync(mail, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = await QuestionOfAsync(h, "aisha.bello@northwind.example");
        var watch = new OutboxWatch(h.Maildir);

        var never = TestMail.Reply("Aisha Bello <aisha.bello@northwind.example>", $"Re: {Subject}", "nm-never@mail.northwind.example", "Never mind, found it - it's in the returns policy.");
        never.InReplyTo = "nm-copied@mail.northwind.example";
        await h.Maildir.DeliverAsync(never, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var told = watch.New();
        var toCopied = Assert.Single(told, m => m.To.Mailboxes.Single().Address == top.ExpertEmail);
        Assert.Contains("Aisha Bello no longer needs an answer to this question:", toCopied.TextBody);
        Assert.Equal((await RoutesAsync(h, q.QuestionId)).Count(r => !r.CopiedByAsker) + 1, told.Count);
    }

    [Fact]
    public void Splitting_the_pool_keeps_copied_candidates_close_enough_once_and_everyone_else_in_rank_order()
    {
        RankedCandidate C(string id, string email, double similarity) =>
            new(id, id, email, "Dept", similarity, similarity, "reason");
        var candidates = new[]
        {
            C("a", "a@northwind.example", 0.6), C("b", "b@northwind.example", 0.5), C("b2", " B@northwind.example", 0.5),
            C("c", "c@northwind.example", 0.1), C("d", "d@northwind.example", 0.4),
        };
        var (pool, copied) = RouteQuestionHandler.SplitCopied(candidates, "b@northwind.example; c@northwind.example;;", 0.3);
        Assert.Equal(["a", "d"], pool.Select(c => c.ExpertId));
        Assert.Equal(["b"], copied.Select(c => c.ExpertId)); // c is copied but not close enough; b2 is b's second listing
        var (all, none) = RouteQuestionHandler.SplitCopied(candidates, "", 0.3);
        Assert.Equal(candidates.Select(c => c.ExpertId), all.Select(c => c.ExpertId));
        Assert.Empty(none);
    }
}
