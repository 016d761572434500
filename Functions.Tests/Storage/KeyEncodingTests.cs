using SocialLearning.Storage;

namespace SocialLearning.Tests.Storage;

public sealed class KeyEncodingTests
{
    [Theory]
    [InlineData("<abc/def#1?x@mail.example>", "<abc%2Fdef%231%3Fx@mail.example>")]
    [InlineData("back\\slash", "back%5Cslash")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\tand\nnewline", "tab%09and%0Anewline")]
    [InlineData("plain-id_42", "plain-id_42")]
    public void Forbidden_key_characters_are_percent_encoded_and_decode_back(string raw, string encoded)
    {
        Assert.Equal(encoded, KeyEncoding.Encode(raw));
        Assert.Equal(raw, KeyEncoding.Decode(encoded));
    }

    [Fact]
    public void Hash_is_lower_case_hex_sha256() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeyEncoding.Hash("abc"));
}
