using SocialLearning.Intake;
using SocialLearning.Routing;

namespace SocialLearning.Tests.Routing;

public sealed class QuestionRouterTests
{
    [Theory]
    [InlineData("How do I order a second monitor?", "Monitors", true)]
    [InlineData("VPN drops at home", "VPN", true)]
    [InlineData("Guest wi-fi for visitors", "Wi-Fi", true)]
    [InlineData("Expense claims for a dinner", "Expense claims", true)]
    [InlineData("Expense policy", "Expense claims", false)]
    [InlineData("The process is slow", "Process", true)]
    [InlineData("Class of service", "Classes", true)]
    [InlineData("如何重置我的VPN令牌？", "VPN", true)]              // no spaces around a Latin word in Chinese
    [InlineData("VPNのトークンをリセットするには？", "VPN", true)]
    [InlineData("如何重置我的VPN令牌？", "VPN token", false)]
    public void Declared_skill_is_named_when_all_its_words_occur(string question, string skill, bool expected) =>
        Assert.Equal(expected, QuestionRouter.NamesSkill(QuestionRouter.Words(question), skill));

    [Theory]
    [InlineData(0.40, false, true)]
    [InlineData(0.30, false, false)]
    [InlineData(0.30, true, true)]
    [InlineData(0.15, true, false)]
    public void Expert_is_askable_above_the_bar_or_above_half_of_it_when_a_skill_is_named(double similarity, bool namesSkill, bool expected) =>
        Assert.Equal(expected, QuestionRouter.IsAskable(new RankedCandidate("e", "n", "e@x", "IT", 0.5, similarity, "r", namesSkill), 0.35));

    [Fact]
    public void Dedupe_key_separates_a_reused_message_id_from_another_sender_but_not_a_redelivery()
    {
        var raw = "x"u8.ToArray();
        var a = InboundMailHandler.DedupeKey("<same@id>", "a@northwind.example", raw);
        Assert.Equal(a, InboundMailHandler.DedupeKey("<same@id>", "A@Northwind.example", "other bytes"u8.ToArray()));
        Assert.NotEqual(a, InboundMailHandler.DedupeKey("<same@id>", "b@northwind.example", raw));
        Assert.NotEqual(InboundMailHandler.DedupeKey(null, null, raw), InboundMailHandler.DedupeKey(null, null, "y"u8.ToArray()));
    }
}
