using SocialLearning.Experts;
using SocialLearning.Matching.Evaluation;
using SocialLearning.Routing;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// The built-in sample as a routing sanity check: each sample question names the experts a human router would pick
/// (expectedExperts), and two questions nobody in the directory can answer. The router must agree with the human
/// picks and must recognise the gaps.
/// </summary>
[Collection("Azurite")]
public sealed class SampleRoutingTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Router_agrees_with_a_human_router_on_the_sample_and_recognises_the_knowledge_gaps()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, ct);
        var router = h.Get<QuestionRouter>();
        var minSimilarity = new RoutingOptions().MinSimilarity;
        var acc = new MetricAccumulator();
        var gapsFound = 0;
        var falseGaps = new List<string>();
        foreach (var q in SampleDirectory.Questions())
        {
            var asker = MimeKit.MailboxAddress.Parse(q.From).Address;
            var body = SocialLearning.Intake.ReplyText.ExtractVisible(q.Body);
            var ranking = await router.RankAsync(q.Subject, body, asker, 10, ct);
            Assert.DoesNotContain(ranking.Candidates, c => string.Equals(c.Email, asker, StringComparison.OrdinalIgnoreCase));
            var askable = ranking.Candidates.Where(c => c.Similarity >= minSimilarity).ToList();
            if (q.ExpectedExperts.Count == 0)
            {
                if (askable.Count == 0) gapsFound++;
                continue;
            }
            if (askable.Count == 0) falseGaps.Add(q.Id);
            acc.Add(ranking.Candidates.Select(c => c.ExpertId).ToList(), q.ExpectedExperts, q.ExpectedExperts[0]);
            TestContext.Current.TestOutputHelper?.WriteLine($"{q.Id}: expected {string.Join(",", q.ExpectedExperts)}; got {string.Join(", ", ranking.Candidates.Take(3).Select(c => $"{c.ExpertId} {c.Similarity:0.00}"))}");
        }
        var s = acc.Summary();
        var line = $"Sample routing vs a human router: {s.Questions} questions, P@1 {s.PAt1:0.000}, Hit@3 {s.HitAt3:0.000}, MRR {s.Mrr:0.000}, first choice in top 3 {s.AcceptedHitAt3:0.000}; gaps recognised {gapsFound}/2; false gaps {falseGaps.Count}";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
        Assert.Equal(31, s.Questions);
        // Every answerable question reaches one of its experts within the three asked (measured: all 31 first; before the
        // prior floor the iPad date-picker question, sq-23, missed its expert at 0.968 and these floors let it pass).
        Assert.Equal(1.0, s.HitAt3, 9);
        Assert.True(s.PAt1 >= 0.90, line);
        Assert.Equal(2, gapsFound);
        Assert.Empty(falseGaps);
    }

    [Theory]
    [InlineData("如何重置我的VPN令牌？")]                 // "How do I reset my VPN token?"
    [InlineData("VPNのトークンをリセットするには？")]     // the same in Japanese
    public async Task A_question_in_chinese_or_japanese_naming_vpn_reaches_the_vpn_expert(string question)
    {
        // Before the model's input was normalised like its own tokenizer's, the Chinese question was one unknown token to
        // the model: Anna's similarity 0.02, below even the named-skill bar, and the question was recorded as a gap.
        var ct = TestContext.Current.CancellationToken;
        await using var h = await PipelineHarness.StartAsync(azurite);
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts(), "sample", replaceDirectory: true, null, ct);
        var minSimilarity = new RoutingOptions().MinSimilarity;

        var ranking = await h.Get<QuestionRouter>().RankAsync("", question, "pieter.devries@northwind.example", 5, ct);

        var first = ranking.Candidates[0];
        Assert.Equal("e-anna-lindqvist", first.ExpertId);
        Assert.True(first.NamesSkill);
        Assert.True(QuestionRouter.IsAskable(first, minSimilarity), $"similarity {first.Similarity:0.00}");
    }

}
