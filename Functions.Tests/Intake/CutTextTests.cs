using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class CutTextTests
{
    [Fact]
    public void Text_within_the_limit_is_stored_unchanged()
    {
        var text = new string('x', InboundMailHandler.MaxStoredTextLength);
        Assert.Same(text, InboundMailHandler.CutText(text));
    }

    [Fact]
    public void Long_text_is_cut_after_a_whole_word_and_says_how_long_the_mail_was()
    {
        // 9 + 1 characters per word: "abcdefghi " repeated; a hard cut at 200 - marker would fall inside a word.
        var text = string.Concat(Enumerable.Repeat("abcdefghi ", 100)); // 1,000 characters
        var cut = InboundMailHandler.CutText(text, 200);
        const string marker = "\n\n[… cut: the mail had 1,000 characters]";
        Assert.EndsWith(marker, cut);
        Assert.True(cut.Length <= 200, $"{cut.Length} characters");
        var kept = cut[..^marker.Length];
        Assert.StartsWith(kept, text, StringComparison.Ordinal);
        Assert.Equal(' ', text[kept.Length]); // the next character of the original is the space after a whole word
        Assert.EndsWith("abcdefghi", kept);
        // The marker is 40 characters, so the text may keep 160: the 16th word ends at 159, the 17th would start at 160.
        Assert.Equal(40, marker.Length);
        Assert.Equal(159, kept.Length);
        Assert.Equal(16, kept.Split(' ').Length);
    }

    [Fact]
    public void One_giant_token_is_cut_hard_without_splitting_a_surrogate_pair()
    {
        // "😀" is a surrogate pair; with no whitespace the cut is at the limit, moved back one if it would split the pair.
        var text = string.Concat(Enumerable.Repeat("😀", 500)); // 1,000 UTF-16 code units
        var cut = InboundMailHandler.CutText(text, 201);
        var kept = cut[..cut.IndexOf("\n\n[… cut: the mail had 1,000 characters]", StringComparison.Ordinal)];
        Assert.Equal(0, kept.Length % 2);
        Assert.False(char.IsHighSurrogate(kept[^1]));
        Assert.True(cut.Length <= 201);
    }

    [Fact]
    public void A_cut_answer_says_whom_to_ask_for_the_rest()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 6000)); // 29,999 characters
        var cut = InboundMailHandler.CutText(text, rest: "ask Lucía Fernández (lucia.fernandez@northwind.example) for the rest");
        Assert.EndsWith("\n\n[… cut: the mail had 29,999 characters; ask Lucía Fernández (lucia.fernandez@northwind.example) for the rest]", cut);
        Assert.True(cut.Length <= InboundMailHandler.MaxStoredTextLength);
        Assert.StartsWith("word word", cut);
    }
}
