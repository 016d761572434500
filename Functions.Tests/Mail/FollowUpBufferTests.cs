using SocialLearning.Mail;

namespace SocialLearning.Tests.Mail;

public class FollowUpBufferTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Follow_ups_recorded_out_of_order_come_out_in_the_order_sent()
    {
        var buffer = FollowUpBuffer.Add("", T.AddSeconds(1), "And reboot afterwards.");
        buffer = FollowUpBuffer.Add(buffer, T, "One more thing: update the client to 5.2 first.");
        buffer = FollowUpBuffer.Add(buffer, T.AddMinutes(5), "Done? Then you are set.");

        Assert.Equal(["One more thing: update the client to 5.2 first.", "And reboot afterwards.", "Done? Then you are set."], FollowUpBuffer.Texts(buffer));
    }

    [Fact]
    public void Texts_lose_the_separator_characters_and_long_ones_are_cut_with_the_marker()
    {
        var buffer = FollowUpBuffer.Add(null, T, "a\u001Eb\u001Fc");
        buffer = FollowUpBuffer.Add(buffer, T.AddMinutes(1), string.Join(' ', Enumerable.Repeat("word", 3000)));

        var texts = FollowUpBuffer.Texts(buffer);
        Assert.Equal("a b c", texts[0]);
        Assert.True(texts[1].Length <= FollowUpBuffer.MaxTextLength, $"{texts[1].Length} characters");
        Assert.EndsWith("[… cut: the mail had 14,999 characters]", texts[1]);
        Assert.Empty(FollowUpBuffer.Texts(""));
    }

    [Fact]
    public void A_stored_follow_up_is_found_by_its_time_and_text_so_a_retried_handler_does_not_add_it_twice()
    {
        var at = new DateTimeOffset(2026, 11, 20, 10, 5, 0, TimeSpan.FromHours(1));
        var buffer = FollowUpBuffer.Add("", at, "Was the pallet insured?");
        Assert.True(FollowUpBuffer.Contains(buffer, at.ToUniversalTime(), "Was the pallet insured?"));
        Assert.False(FollowUpBuffer.Contains(buffer, at.AddSeconds(1), "Was the pallet insured?"));
        Assert.False(FollowUpBuffer.Contains(buffer, at, "Was it insured?"));
        Assert.False(FollowUpBuffer.Contains("", at, "Was the pallet insured?"));
    }
}
