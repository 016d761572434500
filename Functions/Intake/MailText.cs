using AngleSharp.Dom;
using MimeKit;

namespace SocialLearning.Intake;

/// <summary>Picks the text of an inbound mail that the question router works with.</summary>
public static class MailText
{
    /// <summary>
    /// CSS selectors of HTML reply containers that hold only quoted text: Gmail's <c>gmail_quote</c>
    /// (attribution line plus quote), Apple Mail and Thunderbird <c>blockquote type="cite"</c>, Thunderbird's
    /// <c>moz-cite-prefix</c> attribution and Yahoo's <c>yahoo_quoted</c>. Outlook's reply header
    /// (<c>divRplyFwdMsg</c>) is left in place: its "From:/Sent:" lines are what lets
    /// <see cref="ReplyText.ExtractVisible"/> cut the unquoted original below it.
    /// </summary>
    private const string QuotedHtmlSelectors =
        "div.gmail_quote, div.gmail_quote_container, blockquote[type=cite], div.moz-cite-prefix, div.yahoo_quoted";

    /// <summary>Returns the visible question text of <paramref name="message"/>.</summary>
    /// <param name="message">A parsed MIME message (RFC 5322 / RFC 2045), for example from the Maildir inbox or
    /// a Graph message's MIME content.</param>
    /// <returns>The sender's own text: <see cref="MimeMessage.TextBody"/> when it has any non-white-space
    /// content, else <see cref="MimeMessage.HtmlBody"/> with quoted reply containers removed, other blockquotes marked
    /// as quoted lines ("> "), and converted by
    /// <see cref="HtmlText.ToText(string?)"/>; then reduced to the visible reply by
    /// <see cref="ReplyText.ExtractVisible"/>. <c>""</c> when the message has no text at all. The subject is
    /// not included.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static string QuestionText(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string? text = message.TextBody;
        if (string.IsNullOrWhiteSpace(text))
        {
            string? html = message.HtmlBody;
            text = string.IsNullOrWhiteSpace(html) ? string.Empty : HtmlToText(html);
        }

        return ReplyText.ExtractVisible(text);
    }

    private static string HtmlToText(string html)
    {
        var document = HtmlText.Parse(html);
        foreach (var quoted in document.QuerySelectorAll(QuotedHtmlSelectors).ToList())
        {
            quoted.Remove();
        }

        // Any other blockquote is quoted text too, as '>' lines are in plain text: rendered with a "> " prefix so that
        // ReplyText treats it alike (an HTML-only reply quoting the request must not relay the request back).
        foreach (var quote in document.QuerySelectorAll("blockquote").Where(b => b.ParentElement?.Closest("blockquote") is null).ToList())
        {
            var inner = HtmlText.ToText(HtmlText.Parse(quote.InnerHtml));
            var pre = document.CreateElement("pre");
            pre.TextContent = string.Join("\n", inner.Split('\n').Select(l => "> " + l));
            quote.Replace(pre);
        }

        return HtmlText.ToText(document);
    }
}
