using MimeKit;
using SocialLearning.Commands;
using SocialLearning.Routing;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Commands;

public class DemoResultsTests
{
    private static RankedCandidate C(string id) => new(id, id, id + "@example.test", "Research", 1, 0.5, "");

    private static RouteEntity R(string id, int rank) => new() { ExpertId = id, Rank = rank };

    private static DemoResult Result(IReadOnlyList<RouteEntity> routes, params string[] pool) =>
        new(new DemoMail("q1", new MimeMessage(), ["dana"], null), null, null, routes, pool.Select(C).ToList());

    [Fact]
    public void As_routed_ranking_leaves_out_experts_passed_over_above_the_last_one_asked()
    {
        // Pool ana, ben, carl, dana, eve, fay: ben and dana were passed over (at capacity), ana, carl and eve asked.
        var r = Result([R("carl", 2), R("ana", 1), R("eve", 3)], "ana", "ben", "carl", "dana", "eve", "fay");
        Assert.Equal(["ana", "carl", "eve", "fay"], DemoResults.AsRouted(r));
    }

    [Fact]
    public void A_question_nobody_was_asked_has_an_empty_ranking()
    {
        Assert.Empty(DemoResults.AsRouted(Result([], "ana", "ben")));
    }

    [Fact]
    public void Gold_expert_passed_over_for_capacity_is_a_miss_in_the_summary()
    {
        // dana (the gold answerer) ranks first in the pool but was at capacity: the service asked ben, carl and eve.
        var passedOver = Result([R("ben", 1), R("carl", 2), R("eve", 3)], "dana", "ben", "carl", "eve");
        var asked = Result([R("dana", 1), R("ben", 2), R("carl", 3)], "dana", "ben", "carl", "eve");
        var q = new QuestionEntity { State = QuestionStates.Routed };
        var summary = DemoResults.Summarise([passedOver with { Question = q }, asked with { Question = q }], quality: true);
        Assert.Equal(0.5, summary.PAt1);
        Assert.Equal(0.5, summary.HitAt3);
        Assert.Equal(0.5, summary.Mrr);
    }
}

public class ImportLineTests
{
    [Fact]
    public void A_first_import_counts_what_was_embedded()
    {
        Assert.Equal("Imported 20 experts (20 embedded, 73 evidence items) in 4.2 s",
            DemoResults.ImportLine(new SocialLearning.Experts.ImportResult(20, 20, 73, TimeSpan.FromSeconds(4.2))));
    }

    [Fact]
    public void A_rerun_says_the_unchanged_profiles_kept_their_vectors_instead_of_reading_as_an_empty_directory()
    {
        Assert.Equal("Imported 20 experts in 0.9 s: 0 new or changed (embedded, 0 evidence items written), 20 unchanged since the last import (vectors kept)",
            DemoResults.ImportLine(new SocialLearning.Experts.ImportResult(20, 0, 0, TimeSpan.FromSeconds(0.9))));
    }
}
