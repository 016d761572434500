using SocialLearning.Storage;

namespace SocialLearning.Tests.Storage;

public sealed class ExpertShardsTests
{
    [Theory]
    [InlineData("se-1", 11)]
    [InlineData("se-42", 2)]
    [InlineData("anna.lindqvist", 3)]
    [InlineData("", 5)]
    [InlineData("é-ü", 11)]
    public void Shard_is_FNV_1a_of_the_UTF8_id_modulo_16_and_never_changes(string id, int shard)
    {
        // Values computed independently (Python: FNV-1a 32-bit over UTF-8 bytes, % 16); they are part of stored keys.
        Assert.Equal(shard, ExpertShards.Of(id));
        Assert.Equal($"expert-{shard:x}", ExpertEntity.PartitionFor(id));
    }

    [Fact]
    public void Ids_spread_evenly_over_the_16_shards()
    {
        var counts = new int[ExpertShards.Count];
        for (var i = 0; i < 16_000; i++) counts[ExpertShards.Of($"se-{i}")]++;

        Assert.All(counts, c => Assert.InRange(c, 800, 1200)); // 1,000 each ± 20%
    }

    [Fact]
    public void Long_ids_hash_like_short_ones_without_a_stack_buffer()
    {
        var id = new string('x', 300) + "é";
        Assert.InRange(ExpertShards.Of(id), 0, 15);
        Assert.Equal(ExpertShards.Of(id), ExpertShards.Of(new string(id.AsSpan())));
    }

    [Fact]
    public void Evidence_partition_lies_in_its_shard_range_and_no_other()
    {
        foreach (var id in new[] { "se-1", "e-anna-lindqvist", "a/b#c?", "se-42" })
        {
            var pk = EvidenceEntity.PartitionFor(id);
            var shard = ExpertShards.Of(id);
            Assert.Equal($"{shard:x}-{KeyEncoding.Encode(id)}", pk);
            for (var s = 0; s < ExpertShards.Count; s++)
            {
                var (from, to) = EvidenceEntity.ShardRange(s);
                var inside = string.CompareOrdinal(pk, from) >= 0 && string.CompareOrdinal(pk, to) < 0;
                Assert.Equal(s == shard, inside);
            }
        }
    }

    [Fact]
    public void Partitions_lists_the_16_shards_in_order()
    {
        Assert.Equal(Enumerable.Range(0, 16).Select(s => $"expert-{s:x}"), ExpertEntity.Partitions);
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpertShards.Hex(16));
    }
}
