using SocialLearning.Mail;

namespace SocialLearning.Tests.Mail;

public sealed class AskerRepliesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 10, 2, 0, TimeSpan.Zero);

    [Fact]
    public void Replies_are_kept_in_order_and_the_same_mail_twice_is_kept_once()
    {
        var one = AskerReplies.Add("", At, "  It was 14 cartons.  ", "inbox/new/a")!;
        var two = AskerReplies.Add(one, At.AddMinutes(5), "Invoice 2026-1187.", "inbox/new/b")!;
        Assert.Same(two, AskerReplies.Add(two, At.AddMinutes(6), "Invoice 2026-1187.", "inbox/new/b"));

        var read = AskerReplies.Read(two);
        Assert.Equal(["It was 14 cartons.", "Invoice 2026-1187."], read.Select(r => r.Text));
        Assert.Equal([At, At.AddMinutes(5)], read.Select(r => r.At));
        Assert.NotEqual(read[0].Ref, read[1].Ref);
    }

    [Fact]
    public void Past_twenty_replies_nothing_more_is_added_and_long_text_is_cut()
    {
        string? json = "";
        for (var i = 0; i < AskerReplies.MaxReplies; i++)
            json = AskerReplies.Add(json, At.AddMinutes(i), new string('x', 10) + " " + new string('y', 5000), $"m{i}");
        Assert.Null(AskerReplies.Add(json, At.AddHours(1), "one more", "m-late"));
        var read = AskerReplies.Read(json);
        Assert.Equal(AskerReplies.MaxReplies, read.Count);
        Assert.All(read, r => { Assert.True(r.Text.Length <= AskerReplies.MaxTextLength, $"{r.Text.Length} characters kept"); Assert.EndsWith("[… cut: the mail had 5,011 characters]", r.Text); });
    }

    [Fact]
    public void Unreadable_json_reads_as_no_replies()
    {
        Assert.Empty(AskerReplies.Read("{not json"));
        Assert.Empty(AskerReplies.Read(null));
    }
}
