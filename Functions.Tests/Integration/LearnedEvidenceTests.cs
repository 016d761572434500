using MimeKit;
using SocialLearning.Experts;
using SocialLearning.Matching;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>The directory learns from relayed answers: an answer by a listed expert becomes evidence on their profile.</summary>
[Collection("Azurite")]
public sealed class LearnedEvidenceTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Subject = "Customer wants a refund for a damaged pallet";
    private const string AnswerText = "Refunds for damaged pallets are approved by the customer service lead in the returns tool; above 500 EUR finance signs off as well.";

    private async Task<(PipelineHarness H, QuestionEntity Q, RouteEntity Expert)> AskAsync(string messageId)
    {
        var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        await h.Maildir.DeliverAsync(TestMail.Question(messageId, Subject,
            "A customer received a damaged pallet and wants a refund instead of a replacement. Who approves refunds and how?"), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        // The last of the experts asked: the one whose profile has most to gain.
        var expert = (await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct)).OrderBy(r => r.Rank).Last();
        return (h, q, expert);
    }

    private static MimeMessage Answer(RouteEntity expert, QuestionEntity q, string id, string text)
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress(expert.ExpertName, expert.ExpertEmail));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = $"Re: [{q.QuestionId}] {Subject}";
        m.MessageId = id;
        m.Date = q.ReceivedAt.AddHours(2);
        m.Body = new TextPart("plain") { Text = text };
        return m;
    }

    private static async Task<RankedCandidate> RankedAsync(PipelineHarness h, string expertId)
    {
        h.Get<ExpertDirectory>().Invalidate();
        var ranking = await h.Get<QuestionRouter>().RankAsync("Refund for a damaged pallet",
            "A pallet arrived damaged and the customer asks for the money back rather than a new pallet. Who signs off the refund?", null, 20, Ct);
        return Assert.Single(ranking.Candidates, c => c.ExpertId == expertId);
    }

    [Fact]
    public async Task An_answer_becomes_evidence_on_the_experts_profile_and_routing_ranks_them_closer_for_the_same_question()
    {
        var (h, q, expert) = await AskAsync("learn-1@mail.northwind.example");
        await using var _ = h;
        var before = await RankedAsync(h, expert.ExpertId);
        var profile = SampleDirectory.Experts().Single(e => e.Id == expert.ExpertId);

        await h.Maildir.DeliverAsync(Answer(expert, q, "learn-answer-1@mail.northwind.example", AnswerText), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);

        var storage = h.Get<StorageClients>();
        var row = await storage.Table(TableNames.Evidence).GetOrNullAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(expert.ExpertId), "learned-" + q.QuestionId, Ct);
        Assert.NotNull(row);
        Assert.Equal(("answer", Subject), (row.Kind, row.Title));
        Assert.Equal((q.ReceivedAt.AddHours(2), q.ReceivedAt), (row.When, row.AskedAt));
        Assert.StartsWith(Subject + ". A customer received a damaged pallet", row.Text);
        Assert.EndsWith("\n\nAnswer: " + AnswerText, row.Text);
        Assert.Equal(384, row.VectorDimensions);
        var stored = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(expert.ExpertId), KeyEncoding.Encode(expert.ExpertId), Ct);
        Assert.Equal(profile.AnswerCount + 1, stored!.AnswerCount);
        Assert.Equal(q.ReceivedAt.AddHours(2), stored.LastActive);
        var record = Assert.Single(await storage.Table(TableNames.Messages).ReadAllAsync<MessageEntity>(null, Ct), m => m.InternetMessageId == "learn-answer-1@mail.northwind.example");
        Assert.EndsWith("relayed to the asker. Expert profile: learned.", record.Reason);

        // The next question of the kind finds the answer as the expert's closest evidence.
        var after = await RankedAsync(h, expert.ExpertId);
        Assert.True(after.Similarity > before.Similarity + 0.1, $"best-evidence cosine {before.Similarity:0.000} → {after.Similarity:0.000}");
        Assert.True(after.Score > before.Score, $"score {before.Score:0.000} → {after.Score:0.000}");
        Assert.Contains(Subject, after.Reason);
    }

    [Fact]
    public async Task Learned_evidence_is_counted_once_survives_a_changed_reimport_and_short_answers_are_not_learned()
    {
        var (h, q, expert) = await AskAsync("learn-2@mail.northwind.example");
        await using var _ = h;
        await h.Maildir.DeliverAsync(Answer(expert, q, "learn-answer-2@mail.northwind.example", AnswerText), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var storage = h.Get<StorageClients>();
        var route = Assert.Single(await storage.Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == expert.ExpertId);

        // A retried handler learns nothing twice.
        Assert.Equal("learned before", await h.Get<LearnedEvidence>().LearnAsync(q, route, Ct));

        // A sync that changes the profile keeps what was learned, in the evidence and in the answer count.
        var profile = SampleDirectory.Experts().Single(e => e.Id == expert.ExpertId);
        var changed = SampleDirectory.Experts().Select(e => e.Id == expert.ExpertId ? e with { AboutMe = e.AboutMe + " Also covers returns." } : e).ToList();
        await h.Get<ExpertImporter>().ImportAsync(changed, "sample", replaceDirectory: true, null, Ct);
        var rows = await storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(expert.ExpertId), Ct);
        Assert.Contains(rows, r => r.RowKey == "learned-" + q.QuestionId);
        var stored = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(expert.ExpertId), KeyEncoding.Encode(expert.ExpertId), Ct);
        Assert.Equal(profile.AnswerCount + 1, stored!.AnswerCount);

        // Four words teach routing nothing.
        var shortRoute = new RouteEntity { PartitionKey = "Q-SHORT1", ExpertId = expert.ExpertId, AnsweredAt = q.ReceivedAt, AnswerText = "Use the returns tool." };
        Assert.Equal("answer too short to learn from", await h.Get<LearnedEvidence>().LearnAsync(new QuestionEntity { QuestionId = "Q-SHORT1", Subject = "x" }, shortRoute, Ct));
    }

    [Fact]
    public async Task A_demo_reset_forgets_what_the_directory_learned_so_a_rerun_ranks_as_the_first_run_did()
    {
        var (h, q, expert) = await AskAsync("learn-reset@mail.northwind.example");
        await using var _ = h;
        var profile = SampleDirectory.Experts().Single(e => e.Id == expert.ExpertId);
        await h.Maildir.DeliverAsync(Answer(expert, q, "learn-reset-answer@mail.northwind.example", AnswerText), Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var storage = h.Get<StorageClients>();
        Assert.NotNull(await storage.Table(TableNames.Evidence).GetOrNullAsync<EvidenceEntity>(EvidenceEntity.PartitionFor(expert.ExpertId), "learned-" + q.QuestionId, Ct));

        await SocialLearning.Commands.DemoCommand.ResetLocalStateAsync(storage, Ct);
        Assert.Empty(await storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(null, Ct));
        Assert.Empty(await storage.Table(TableNames.Threads).ReadAllAsync<ThreadEntity>(null, Ct));
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);

        var stored = await storage.Table(TableNames.Experts).GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(expert.ExpertId), KeyEncoding.Encode(expert.ExpertId), Ct);
        Assert.Equal(profile.AnswerCount, stored!.AnswerCount);
        Assert.DoesNotContain(await storage.Table(TableNames.Evidence).ReadAllAsync<EvidenceEntity>(null, Ct), e => e.RowKey.StartsWith("learned-", StringComparison.Ordinal));
    }

    [Theory]
    // From a README-only user run: after Lucía (Sales) answered one discount question, the directory's only recent answer
    // made her the first expert for an accruals question (ahead of the controller whose skill it is) and second for a
    // VPN token reset, on similarity 0.10.
    [InlineData("Year-end accruals for unbilled consultancy", "Hi, we need to raise an accrual for consultancy work delivered this year but not billed yet. What cost centre should it go to? Thank you", "e-marcus-johnson", 1)]
    [InlineData("VPN token reset", "How do I reset my VPN token? The authenticator app on my new phone does not have it.", "e-grace-okafor", 3)]
    public async Task One_answer_learned_today_does_not_put_its_expert_ahead_of_those_who_know_on_other_topics(string subject, string body, string owner, int luciaBelow)
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, Ct);
        var sales = TestMail.Question("recent-sales@mail.northwind.example", "Discount approval for 3-year deal with Delft Fine Foods",
            "Delft Fine Foods is ready to sign a three-year agreement if we give them 22% off list. Who needs to sign this off?", "Nadia Haddad <nadia.haddad@northwind.example>");
        sales.Date = DateTimeOffset.UtcNow.AddHours(-1);
        await h.Maildir.DeliverAsync(sales, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        var q = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Questions).ReadAllAsync<QuestionEntity>(null, Ct));
        var lucia = Assert.Single(await h.Get<StorageClients>().Table(TableNames.Routes).ReadAllAsync<RouteEntity>(q.QuestionId, Ct), r => r.ExpertId == "e-lucia-fernandez");
        var answer = TestMail.Reply($"{lucia.ExpertName} <{lucia.ExpertEmail}>", $"Re: [{q.QuestionId}] Discount approval for 3-year deal with Delft Fine Foods", "recent-answer@mail.northwind.example",
            "Above 20% it goes to the sales director through the deal desk form in the CRM, with the margin calculation attached. Thank you for checking first.");
        await h.Maildir.DeliverAsync(answer, Ct);
        await h.Get<PipelineRunner>().RunAsync(null, Ct);
        h.Get<ExpertDirectory>().Invalidate();

        var ranking = await h.Get<QuestionRouter>().RankAsync(subject, body, null, 20, Ct);
        var ids = ranking.Candidates.Select(c => c.ExpertId).ToList();
        Assert.Equal(owner, ids[0]);
        Assert.True(ids.IndexOf("e-lucia-fernandez") is var at && (at < 0 || at >= luciaBelow), $"Lucía ranked {ids.IndexOf("e-lucia-fernandez") + 1}: {string.Join(", ", ranking.Candidates.Take(4).Select(c => $"{c.ExpertId} {c.Score:0.00} ({c.Similarity:0.00})"))}");
    }
}
