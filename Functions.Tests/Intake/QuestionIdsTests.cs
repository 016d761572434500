using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class QuestionIdsTests
{
    [Fact]
    public void Same_key_gives_the_same_id_and_a_retry_attempt_gives_another()
    {
        var a = QuestionIds.From("key-1");
        Assert.Equal(a, QuestionIds.From("key-1"));
        Assert.NotEqual(a, QuestionIds.From("key-1", 1));
        Assert.Matches("^Q-[0-9A-HJKMNP-TV-Z]{6}$", a);
    }

    [Theory]
    [InlineData("RE: [Q-7KX2PD] VPN question", "Q-7KX2PD")]
    [InlineData("Re: [q-7kx2pd] lower case", "Q-7KX2PD")]
    [InlineData("No token here", null)]
    [InlineData("[Q-ILOU00] letters outside Crockford base32", null)]
    public void Subject_token_is_found(string subject, string? expected) => Assert.Equal(expected, QuestionIds.FindToken(subject));
}
