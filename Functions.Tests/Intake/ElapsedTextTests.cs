using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class ElapsedTextTests
{
    [Theory]
    [InlineData(0.4, "0 minutes")]
    [InlineData(1, "1 minute")]
    [InlineData(42, "42 minutes")]
    [InlineData(59.4, "59 minutes")]
    [InlineData(60, "1 h 00 min")]
    [InlineData(185, "3 h 05 min")]
    [InlineData(2879, "47 h 59 min")]
    [InlineData(39777, "27 days 15 h")]      // the sample's answer in a helper's run: "39777 minutes" before
    [InlineData(4386964, "3,046 days 12 h")] // a dump question of 2018 answered in 2026
    [InlineData(-5, "0 minutes")]            // a reply dated before its question
    public void Time_to_first_answer_reads_in_minutes_hours_or_days(double minutes, string expected) =>
        Assert.Equal(expected, InboundMailHandler.DescribeElapsed(TimeSpan.FromMinutes(minutes)));
}
