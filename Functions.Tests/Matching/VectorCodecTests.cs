using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

public sealed class VectorCodecTests
{
    [Fact]
    public void Round_trip_preserves_every_bit_pattern()
    {
        var random = new Random(7);
        var vector = new float[384];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }

        vector[0] = -0f;
        vector[1] = float.Epsilon;            // smallest subnormal
        vector[2] = float.MaxValue;
        vector[3] = float.PositiveInfinity;
        vector[4] = BitConverter.Int32BitsToSingle(0x7FC0_1234); // NaN with payload

        var bytes = VectorCodec.Encode(vector);
        var decoded = VectorCodec.Decode(bytes);

        Assert.Equal(384 * 4, bytes.Length);
        Assert.Equal(vector.Length, decoded.Length);
        for (var i = 0; i < vector.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(vector[i]), BitConverter.SingleToInt32Bits(decoded[i]));
        }
    }

    [Fact]
    public void Encoding_is_little_endian_ieee754()
    {
        var bytes = VectorCodec.Encode([1f, -2f]);

        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 }, bytes);
    }

    [Fact]
    public void Decode_into_a_row_of_a_matrix_writes_only_that_row()
    {
        var matrix = new float[3 * 2];
        VectorCodec.Decode(VectorCodec.Encode([5f, 6f]), matrix.AsSpan(2, 2));

        Assert.Equal(new[] { 0f, 0f, 5f, 6f, 0f, 0f }, matrix);
    }

    [Fact]
    public void Largest_vector_that_fits_a_table_binary_property_is_16384_components()
    {
        Assert.Equal(65536, VectorCodec.Encode(new float[16384]).Length);
        var error = Assert.Throws<ArgumentException>(() => VectorCodec.Encode(new float[16385]));
        Assert.Contains("65536", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1537)]
    public void Decode_rejects_lengths_that_are_not_a_positive_multiple_of_four(int length) =>
        Assert.Throws<FormatException>(() => VectorCodec.Decode(new byte[length]));

    [Fact]
    public void Decode_rejects_a_destination_of_the_wrong_size() =>
        Assert.Throws<ArgumentException>(() => VectorCodec.Decode(new byte[16], new float[3]));
}
