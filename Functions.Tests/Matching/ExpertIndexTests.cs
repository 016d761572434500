using Microsoft.Extensions.AI;
using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

public sealed class ExpertIndexTests
{
    private static readonly VectorModel Model = new("test-model", 32);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(57)]
    [InlineData(200)]   // equal to N
    [InlineData(500)]   // more than N
    public void Top_k_equals_brute_force_reference_on_random_vectors(int k)
    {
        var entries = RandomEntries(seed: 42, experts: 200, dimensions: 32, maxEvidence: 6);
        var index = new ExpertIndex(Model, entries);
        var random = new Random(1000 + k);
        for (var q = 0; q < 20; q++)
        {
            var query = RandomUnitVector(random, 32);

            var actual = index.Search(query, Model, k);
            var expected = BruteForce(entries, query, k, index.EvidenceWeight, exclude: null);

            AssertSameRanking(expected, actual);
        }
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(5, 0.5f)]
    [InlineData(12, 1f)]
    [InlineData(30, 0.3f)]
    public void Top_k_with_exclusion_equals_brute_force_reference(int k, float evidenceWeight)
    {
        var entries = RandomEntries(seed: 9, experts: 150, dimensions: 32, maxEvidence: 4);
        var index = new ExpertIndex(Model, entries, evidenceWeight);
        var random = new Random(77);
        Func<string, bool> exclude = id => int.Parse(id[^4..]) % 3 == 0 || id == "expert-0007";
        for (var q = 0; q < 20; q++)
        {
            var query = RandomUnitVector(random, 32);

            var actual = index.Search(query, Model, k, exclude);
            var expected = BruteForce(entries, query, k, evidenceWeight, exclude);

            AssertSameRanking(expected, actual);
            Assert.DoesNotContain(actual, m => exclude(m.ExpertId));
        }
    }

    [Fact]
    public void Exclusion_callback_runs_only_for_would_be_top_k_candidates_and_at_most_once_each()
    {
        var entries = RandomEntries(seed: 3, experts: 1000, dimensions: 32, maxEvidence: 2);
        var index = new ExpertIndex(Model, entries);
        var asked = new List<string>();

        var result = index.Search(RandomUnitVector(new Random(5), 32), Model, 5, id => { asked.Add(id); return false; });

        Assert.Equal(5, result.Count);
        Assert.Equal(asked.Count, asked.Distinct().Count());
        Assert.True(asked.Count < 200, $"exclude was called {asked.Count} times for 1000 experts");
    }

    [Fact]
    public void Score_is_the_documented_mix_of_best_evidence_and_centroid_cosines()
    {
        // d = 2 to compute by hand. Query along x.
        var model = new VectorModel("m", 2);
        var index = new ExpertIndex(model,
        [
            new ExpertIndexEntry("a", new float[] { 0.6f, 0.8f }, [("e1", "Title one", new float[] { 1f, 0f }), ("e2", "Title two", new float[] { 0f, 1f })]),
            new ExpertIndexEntry("b", new float[] { 3f, 0f }, []), // not unit: the index normalises it
        ], evidenceWeight: 0.25f);

        var matches = index.Search(new float[] { 1f, 0f }, model, 2);

        Assert.Equal("b", matches[0].ExpertId);
        Assert.Equal(1f, matches[0].Score, 6);
        Assert.Equal(1f, matches[0].BestEvidenceScore, 6);     // no evidence: best = centroid
        Assert.Null(matches[0].BestEvidenceSourceId);
        Assert.Equal("a", matches[1].ExpertId);
        Assert.Equal(0.6f, matches[1].CentroidScore, 6);
        Assert.Equal(1f, matches[1].BestEvidenceScore, 6);
        Assert.Equal((0.25f * 1f) + (0.75f * 0.6f), matches[1].Score, 6);
        Assert.Equal("e1", matches[1].BestEvidenceSourceId);
        Assert.Equal("Title one", matches[1].BestEvidenceTitle);
    }

    [Fact]
    public void A_query_that_is_not_unit_length_scores_as_its_direction()
    {
        var entries = RandomEntries(seed: 11, experts: 50, dimensions: 32, maxEvidence: 3);
        var index = new ExpertIndex(Model, entries);
        var query = RandomUnitVector(new Random(2), 32);
        var scaled = query.Select(x => x * 7.5f).ToArray();

        var unit = index.Search(query, Model, 5);
        var big = index.Search(scaled, Model, 5);

        Assert.Equal(unit.Select(m => m.ExpertId), big.Select(m => m.ExpertId));
        Assert.Equal(unit[0].Score, big[0].Score, 5);
    }

    [Fact]
    public void Equal_scores_rank_by_expert_id_whatever_the_input_order()
    {
        var model = new VectorModel("m", 2);
        ExpertIndexEntry Entry(string id) => new(id, new float[] { 1f, 1f }, []);
        var index = new ExpertIndex(model, [Entry("c"), Entry("a"), Entry("b")]);

        var matches = index.Search(new float[] { 1f, 0f }, model, 2);

        Assert.Equal(["a", "b"], matches.Select(m => m.ExpertId));
    }

    [Fact]
    public void Query_from_another_model_throws_mismatch_naming_reembed()
    {
        var index = new ExpertIndex(Model, RandomEntries(1, 5, 32, 1));

        var error = Assert.Throws<EmbeddingMismatchException>(() => index.Search(new float[32].Select(_ => 1f).ToArray(), new VectorModel("other-model", 32), 3));

        Assert.Contains("reembed", error.Message);
        Assert.Contains("test-model (32 dims)", error.Message);
        Assert.Contains("other-model (32 dims)", error.Message);
        Assert.Equal(Model, error.IndexModel);
    }

    [Fact]
    public void Query_of_other_dimensions_throws_mismatch()
    {
        var index = new ExpertIndex(Model, RandomEntries(1, 5, 32, 1));

        Assert.Throws<EmbeddingMismatchException>(() => index.Search(Enumerable.Repeat(1f, 31).ToArray(), Model, 3));
        Assert.Throws<EmbeddingMismatchException>(() => index.Search(new Embedding<float>(Enumerable.Repeat(1f, 64).ToArray()) { ModelId = "test-model" }, 3));
    }

    [Fact]
    public void Embedding_without_model_id_is_refused_rather_than_guessed()
    {
        var index = new ExpertIndex(Model, RandomEntries(1, 5, 32, 1));

        var error = Assert.Throws<ArgumentException>(() => index.Search(new Embedding<float>(Enumerable.Repeat(1f, 32).ToArray()), 3));
        Assert.Contains("ModelId", error.Message);
    }

    [Fact]
    public void Stored_vector_of_other_dimensions_throws_mismatch_at_build()
    {
        Assert.Throws<EmbeddingMismatchException>(() => new ExpertIndex(Model, [new ExpertIndexEntry("x", new float[16], [])]));
    }

    [Fact]
    public void Invalid_input_is_rejected_with_what_and_where()
    {
        var unit = new float[32];
        unit[0] = 1f;
        var zero = Assert.Throws<ArgumentException>(() => new ExpertIndex(Model, [new ExpertIndexEntry("x", unit, [("a-1", "t", new float[32])])]));
        Assert.Contains("'x'", zero.Message);
        Assert.Contains("'a-1'", zero.Message);

        var duplicate = Assert.Throws<ArgumentException>(() => new ExpertIndex(Model, [new ExpertIndexEntry("x", unit, []), new ExpertIndexEntry("x", unit, [])]));
        Assert.Contains("'x'", duplicate.Message);

        var index = new ExpertIndex(Model, [new ExpertIndexEntry("x", unit, [])]);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(unit, Model, 0));
        Assert.Throws<ArgumentException>(() => index.Search(new float[32], Model, 1));
        var nan = (float[])unit.Clone();
        nan[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => index.Search(nan, Model, 1));
    }

    [Fact]
    public void Empty_index_returns_no_match_but_still_checks_the_model()
    {
        var index = ExpertIndex.Empty(Model);

        Assert.Empty(index.Search(Enumerable.Repeat(1f, 32).ToArray(), Model, 5));
        Assert.Throws<EmbeddingMismatchException>(() => index.Search(Enumerable.Repeat(1f, 384).ToArray(), VectorModel.MiniLm, 5));
    }

    [Fact]
    public void Upsert_and_remove_return_new_snapshots_and_leave_the_old_one_intact()
    {
        var entries = RandomEntries(seed: 5, experts: 20, dimensions: 32, maxEvidence: 3);
        var original = new ExpertIndex(Model, entries);
        var target = RandomUnitVector(new Random(99), 32);

        var upserted = original.Upsert(new ExpertIndexEntry("expert-0003", target, [("a-9", "The new answer", target)]));
        var removed = upserted.Remove("expert-0003");

        Assert.Equal(20, original.Count);
        Assert.Equal(20, upserted.Count);
        Assert.Equal(19, removed.Count);
        Assert.False(removed.Contains("expert-0003"));
        Assert.NotEqual("a-9", original.Search(target, Model, 1)[0].BestEvidenceSourceId);
        var top = upserted.Search(target, Model, 1)[0];
        Assert.Equal("expert-0003", top.ExpertId);
        Assert.Equal(1f, top.Score, 5);
        Assert.Equal("a-9", top.BestEvidenceSourceId);
        Assert.Single(upserted.Find("expert-0003")!.Evidence);
        Assert.Equal(original.EvidenceCount - entries.Single(e => e.ExpertId == "expert-0003").Evidence.Count + 1, upserted.EvidenceCount);
        // Untouched experts keep identical results.
        var query = RandomUnitVector(new Random(4), 32);
        Assert.Equal(
            original.Search(query, Model, 25, id => id == "expert-0003").Select(m => (m.ExpertId, m.Score)),
            removed.Search(query, Model, 25).Select(m => (m.ExpertId, m.Score)));
    }

    [Fact]
    public async Task Holder_replaces_atomically_and_readers_always_see_a_whole_snapshot()
    {
        var a = new ExpertIndex(Model, RandomEntries(1, 30, 32, 2));
        var b = new ExpertIndex(Model, RandomEntries(2, 60, 32, 2));
        var holder = new ExpertIndexHolder(a);
        var query = RandomUnitVector(new Random(3), 32);
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            var seen = 0;
            do
            {
                var snapshot = holder.Current;
                var matches = snapshot.Search(query, Model, 100);
                Assert.Equal(snapshot.Count, matches.Count);
                Assert.True(matches.Count is 30 or 31 or 60 or 61);
                seen++;
            }
            while (!stop.IsCancellationRequested);

            return seen;
        });
        for (var i = 0; i < 200; i++)
        {
            holder.Replace(i % 2 == 0 ? b : a);
            holder.Update(current => current.Upsert(new ExpertIndexEntry("zz-extra", query, [])));
        }

        await stop.CancelAsync();
        Assert.True(await reader > 0);
        Assert.Same(holder.Current, holder.Replace(a));
        Assert.Same(a, holder.Current);
    }

    [Fact]
    public void Centroid_is_the_normalised_mean_of_normalised_vectors()
    {
        var centroid = ExpertIndexEntry.CentroidOf([new float[] { 2f, 0f }, new float[] { 0f, 5f }]);

        Assert.Equal(MathF.Sqrt(0.5f), centroid[0], 6);
        Assert.Equal(MathF.Sqrt(0.5f), centroid[1], 6);
        Assert.Throws<ArgumentException>(() => ExpertIndexEntry.CentroidOf([]));
        Assert.Throws<ArgumentException>(() => ExpertIndexEntry.CentroidOf([new float[] { 1f, 0f }, new float[] { -1f, 0f }]));
    }

    internal static List<ExpertIndexEntry> RandomEntries(int seed, int experts, int dimensions, int maxEvidence)
    {
        var random = new Random(seed);
        var entries = new List<ExpertIndexEntry>(experts);
        for (var i = 0; i < experts; i++)
        {
            var evidenceCount = random.Next(0, maxEvidence + 1);
            var evidence = new List<(string, string, ReadOnlyMemory<float>)>(evidenceCount);
            for (var j = 0; j < evidenceCount; j++)
            {
                // Deliberately not unit length: the index must normalise.
                var v = RandomUnitVector(random, dimensions).Select(x => x * (0.5f + (float)random.NextDouble())).ToArray();
                evidence.Add(($"a-{i}-{j}", $"Answer {j} of {i}", v));
            }

            var centroid = evidenceCount > 0
                ? ExpertIndexEntry.CentroidOf(evidence.Select(e => e.Item3))
                : RandomUnitVector(random, dimensions);
            entries.Add(new ExpertIndexEntry($"expert-{i:D4}", centroid, evidence));
        }

        // Shuffle: the index must not depend on input order.
        return [.. entries.OrderBy(_ => random.Next())];
    }

    internal static float[] RandomUnitVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller: isotropic Gaussian, so directions are uniform on the sphere.
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            norm += v[i] * v[i];
        }

        for (var i = 0; i < dimensions; i++)
        {
            v[i] = (float)(v[i] / Math.Sqrt(norm));
        }

        return v;
    }

    /// <summary>Independent reference: double precision, LINQ, full sort.</summary>
    private static List<(string Id, double Score, string? Best)> BruteForce(
        IEnumerable<ExpertIndexEntry> entries, float[] query, int k, float w, Func<string, bool>? exclude)
    {
        return entries
            .Where(e => exclude is null || !exclude(e.ExpertId))
            .Select(e =>
            {
                var centroid = Cosine(e.Centroid.Span, query);
                var best = e.Evidence.Select(x => (Score: Cosine(x.Vector.Span, query), x.SourceId)).OrderByDescending(x => x.Score).FirstOrDefault();
                var bestScore = e.Evidence.Count == 0 ? centroid : best.Score;
                return (Id: e.ExpertId, Score: (w * bestScore) + ((1 - w) * centroid), Best: e.Evidence.Count == 0 ? null : best.SourceId);
            })
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(k)
            .ToList();
    }

    private static void AssertSameRanking(List<(string Id, double Score, string? Best)> expected, IReadOnlyList<ExpertMatch> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Id, actual[i].ExpertId);
            Assert.Equal(expected[i].Score, actual[i].Score, tolerance: 1e-5);
            Assert.Equal(expected[i].Best, actual[i].BestEvidenceSourceId);
        }
    }

    /// <summary>Exact cosine in double precision: the reference the index's float32 scores are checked against.</summary>
    internal static double Cosine(ReadOnlySpan<float> a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
