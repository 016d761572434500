using MimeKit;
using SocialLearning.Intake;
using Xunit;

namespace SocialLearning.Tests.Intake;

public class MailTextTests
{
    private static MimeMessage Message(MimeEntity body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jonas Berg", "jonas.berg@contoso.example"));
        message.To.Add(new MailboxAddress("Ask", "ask@contoso.example"));
        message.Subject = "Quota question";
        message.Body = body;
        return message;
    }

    [Fact]
    public void Text_body_is_preferred_over_html()
    {
        var body = new MultipartAlternative
        {
            new TextPart("plain") { Text = "Plain question?\n\nSent from my iPhone" },
            new TextPart("html") { Text = "<p>HTML question?</p>" },
        };
        Assert.Equal("Plain question?", MailText.QuestionText(Message(body)));
    }

    [Fact]
    public void Html_only_reply_quoting_the_request_in_a_plain_blockquote_keeps_only_its_own_text()
    {
        string html = "<p>Refunds up to 500 EUR are approved by the customer service lead.</p>" +
                      "<blockquote><p>Sofia, a colleague has a question you may know the answer to.</p><p>Who approves refunds?</p>" +
                      "<blockquote><p>an older quote</p></blockquote></blockquote>";
        Assert.Equal("Refunds up to 500 EUR are approved by the customer service lead.", MailText.QuestionText(Message(new TextPart("html") { Text = html })));
    }

    [Fact]
    public void Html_only_mail_is_converted_and_reduced_to_the_reply()
    {
        string html = "<html><head><style>p{margin:0}</style></head><body>" +
                      "<p>How are sales quotas split between&nbsp;regions?</p><ul><li>EMEA</li><li>APAC</li></ul>" +
                      "<div id=\"divRplyFwdMsg\"><b>From:</b> Ask &lt;ask@contoso.example&gt;<br><b>Sent:</b> Monday, March 3, 2025 9:12 AM<br>" +
                      "<b>To:</b> Jonas Berg<br><b>Subject:</b> Quota question</div><div>Earlier text.</div></body></html>";
        Assert.Equal("How are sales quotas split between regions?\n\n- EMEA\n- APAC", MailText.QuestionText(Message(new TextPart("html") { Text = html })));
    }

    [Fact]
    public void Gmail_and_apple_quote_containers_are_removed_from_html()
    {
        string html = "<div dir=\"ltr\">Thanks, that helps.</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, Mar 3, 2025 at 9:12 AM Ask wrote:<br></div>" +
                      "<blockquote class=\"gmail_quote\">Old text</blockquote></div><blockquote type=\"cite\">Older text</blockquote>";
        Assert.Equal("Thanks, that helps.", MailText.QuestionText(Message(new TextPart("html") { Text = html })));
    }

    [Fact]
    public void Blank_text_body_falls_back_to_html()
    {
        var body = new MultipartAlternative
        {
            new TextPart("plain") { Text = " \r\n" },
            new TextPart("html") { Text = "<p>Only in HTML.</p>" },
        };
        Assert.Equal("Only in HTML.", MailText.QuestionText(Message(body)));
    }

    [Fact]
    public void Message_without_text_gives_empty_string()
    {
        var attachment = new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream([1, 2, 3])), FileName = "quota.pdf" };
        Assert.Equal("", MailText.QuestionText(Message(new Multipart("mixed") { attachment })));
    }
}
