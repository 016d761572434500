using SocialLearning.Experts;

namespace SocialLearning.Tests.Experts;

public sealed class LearnedEvidenceNamesTests
{
    [Fact]
    public void Greetings_lose_the_peoples_names_and_the_subject_words_stay()
    {
        var text = "VPN token reset. My token stopped working, Anna.\n\nAnswer: Hi Celine, reset the VPN token in the self-service portal. Best, anna";
        Assert.Equal("VPN token reset. My token stopped working,.\n\nAnswer: Hi, reset the VPN token in the self-service portal. Best,",
            LearnedEvidence.WithoutNames(text, ["Celine Roux", "Anna Lindqvist", "celine.roux"]));
    }

    [Fact]
    public void Parts_of_words_and_short_or_missing_names_are_kept()
    {
        const string text = "Annapurna trek leave: ask Al in HR.";
        Assert.Equal(text, LearnedEvidence.WithoutNames(text, ["Anna", "Al", null, ""]));
    }
}
