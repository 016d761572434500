using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

public sealed class ExpertIndexInt8Tests
{
    [Theory]
    [InlineData(384)]
    [InlineData(1536)]
    public void Int8_recall_at_5_against_exact_float32_is_at_least_0_99_on_seeded_random_data(int dimensions)
    {
        const int k = 5;
        var model = new VectorModel("test-model", dimensions);
        var random = new Random(2024);
        var entries = Enumerable.Range(0, 5000)
            .Select(i => new ExpertIndexEntry($"expert-{i:D5}", ExpertIndexTests.RandomUnitVector(random, dimensions), []))
            .ToList();
        var exact = new ExpertIndex(model, entries);
        var int8 = new ExpertIndex(model, entries, precision: VectorPrecision.Int8);

        int hits = 0, total = 0, hitsWithoutRescoring = 0;
        for (var q = 0; q < 100; q++)
        {
            var query = ExpertIndexTests.RandomUnitVector(random, dimensions);
            var truth = exact.Search(query, model, k);
            var approx = int8.Search(query, model, k);
            var bare = int8.Search(query, model, k, exclude: null, rescoreCandidates: k);

            Assert.Equal(k, approx.Count);
            hits += approx.Count(m => truth.Any(t => t.ExpertId == m.ExpertId));
            hitsWithoutRescoring += bare.Count(m => truth.Any(t => t.ExpertId == m.ExpertId));
            total += k;

            // Rescored: whatever is returned carries the exact float32 score, best first.
            foreach (var m in approx)
            {
                var reference = exact.Search(query, model, 5000, id => id != m.ExpertId).Single();
                Assert.Equal(reference.Score, m.Score, tolerance: 1e-6);
            }

            Assert.Equal(approx.Select(m => m.Score).OrderDescending(), approx.Select(m => m.Score));
        }

        var recall = (double)hits / total;
        Assert.True(recall >= 0.99, $"recall@5 {recall:0.000} (without rescoring {(double)hitsWithoutRescoring / total:0.000})");
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(5, 0.5f)]
    [InlineData(10, 1f)]
    public void Int8_with_evidence_and_exclusion_matches_the_float32_index(int k, float evidenceWeight)
    {
        var model = new VectorModel("test-model", 64);
        var entries = ExpertIndexTests.RandomEntries(seed: 11, experts: 400, dimensions: 64, maxEvidence: 5);
        var exact = new ExpertIndex(model, entries, evidenceWeight);
        var int8 = new ExpertIndex(model, entries, evidenceWeight, VectorPrecision.Int8);
        var random = new Random(8);
        Func<string, bool> exclude = id => int.Parse(id[^4..]) % 4 == 1;
        int agree = 0, total = 0;
        for (var q = 0; q < 30; q++)
        {
            var query = ExpertIndexTests.RandomUnitVector(random, 64);
            var asked = new List<string>();
            var truth = exact.Search(query, model, k, exclude);
            var approx = int8.Search(query, model, k, id => { asked.Add(id); return exclude(id); });

            Assert.Equal(truth.Count, approx.Count);
            Assert.DoesNotContain(approx, m => exclude(m.ExpertId));
            Assert.Equal(asked.Count, asked.Distinct().Count());
            foreach (var m in approx)
            {
                var same = truth.FirstOrDefault(t => t.ExpertId == m.ExpertId);
                if (same is not null)
                {
                    agree++;
                    Assert.Equal(same.Score, m.Score, tolerance: 1e-6);
                    Assert.Equal(same.BestEvidenceSourceId, m.BestEvidenceSourceId);
                }
            }

            total += truth.Count;
        }

        Assert.True(agree >= 0.99 * total, $"{agree} of {total} agree");
    }

    [Theory]
    [InlineData(VectorPrecision.Float32, 1)]
    [InlineData(VectorPrecision.Float32, 10)]
    [InlineData(VectorPrecision.Float32, 700)]
    [InlineData(VectorPrecision.Int8, 1)]
    [InlineData(VectorPrecision.Int8, 10)]
    public void Centroid_only_index_equals_an_exact_reference_with_exclusion(VectorPrecision precision, int k)
    {
        // No expert has evidence: the float32 search takes its fused single sweep.
        var model = new VectorModel("test-model", 40);
        var random = new Random(31);
        var entries = Enumerable.Range(0, 600)
            .Select(i => new ExpertIndexEntry($"expert-{i:D4}", ExpertIndexTests.RandomUnitVector(random, 40).Select(x => x * 3f).ToArray(), []))
            .OrderBy(_ => random.Next())
            .ToList();
        var index = new ExpertIndex(model, entries, precision: precision);
        Func<string, bool> exclude = id => int.Parse(id[^4..]) % 5 == 2;
        for (var q = 0; q < 20; q++)
        {
            var query = ExpertIndexTests.RandomUnitVector(random, 40);
            var asked = new List<string>();

            var actual = index.Search(query, model, k, id => { asked.Add(id); return exclude(id); });

            var expected = entries
                .Where(e => !exclude(e.ExpertId))
                .Select(e => (Id: e.ExpertId, Score: ExpertIndexTests.Cosine(e.Centroid.Span, query)))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => x.Id, StringComparer.Ordinal)
                .Take(k)
                .ToList();
            Assert.Equal(expected.Select(x => x.Id), actual.Select(m => m.ExpertId));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Score, actual[i].Score, tolerance: 1e-5);
                Assert.Equal(actual[i].Score, actual[i].CentroidScore);
                Assert.Equal(actual[i].Score, actual[i].BestEvidenceScore);
                Assert.Null(actual[i].BestEvidenceSourceId);
            }

            Assert.Equal(asked.Count, asked.Distinct().Count());
            Assert.True(k >= 600 || asked.Count < 300, $"exclude was called {asked.Count} times");
        }
    }

    [Fact]
    public void Precision_survives_upsert_and_remove_and_an_empty_int8_index_returns_nothing()
    {
        var model = new VectorModel("test-model", 32);
        var entries = ExpertIndexTests.RandomEntries(seed: 5, experts: 50, dimensions: 32, maxEvidence: 3);
        var index = new ExpertIndex(model, entries, precision: VectorPrecision.Int8);

        Assert.Equal(VectorPrecision.Int8, index.Precision);
        Assert.Equal(VectorPrecision.Int8, index.Remove(entries[0].ExpertId).Precision);
        Assert.Equal(VectorPrecision.Int8, index.Upsert(entries[1] with { ExpertId = "new-expert" }).Precision);
        Assert.Equal(VectorPrecision.Float32, new ExpertIndex(model, entries).Precision);
        Assert.Empty(ExpertIndex.Empty(model, precision: VectorPrecision.Int8).Search(ExpertIndexTests.RandomUnitVector(new Random(1), 32), model, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpertIndex(model, entries, precision: (VectorPrecision)7));
    }

    [Fact]
    public void Int8_query_that_is_not_unit_length_scores_as_its_direction()
    {
        var model = new VectorModel("test-model", 48);
        var entries = ExpertIndexTests.RandomEntries(seed: 21, experts: 300, dimensions: 48, maxEvidence: 2);
        var index = new ExpertIndex(model, entries, precision: VectorPrecision.Int8);
        var query = ExpertIndexTests.RandomUnitVector(new Random(3), 48);

        var unit = index.Search(query, model, 5);
        var scaled = index.Search(query.Select(x => x * 37f).ToArray(), model, 5);

        Assert.Equal(unit.Select(m => m.ExpertId), scaled.Select(m => m.ExpertId));
        Assert.Equal(unit[0].Score, scaled[0].Score, tolerance: 1e-5);
    }
}
