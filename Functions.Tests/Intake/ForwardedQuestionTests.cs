using MimeKit;
using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

/// <summary>A question that forwards someone else's mail reaches the experts with that mail in it.</summary>
public sealed class ForwardedQuestionTests
{
    private static MimeMessage Mail(string subject, MimeEntity body)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("Sam Okoro <sam.okoro@contoso.example>"));
        m.To.Add(MailboxAddress.Parse("ask@contoso.example"));
        m.Subject = subject;
        m.Body = body;
        return m;
    }

    [Fact]
    public void Inline_forward_keeps_the_forwarded_sender_subject_and_text()
    {
        var m = Mail("Fwd: Qiskit transpiler question", new TextPart("plain")
        {
            Text = "Can someone answer Carol's question below?\n\n---------- Forwarded message ---------\n" +
                   "From: Carol Diaz <carol.diaz@contoso.example>\nDate: Mon, 7 Dec 2026 at 09:12\nSubject: Qiskit transpiler question\n" +
                   "To: Sam Okoro <sam.okoro@contoso.example>\n\nWhy does the transpiler add SWAP gates on a linear coupling map?\n\n-- \nCarol Diaz\nResearch",
        });

        Assert.Equal("Can someone answer Carol's question below?", MailText.QuestionText(m));
        Assert.Equal("Can someone answer Carol's question below?\n\nForwarded:\nFrom: Carol Diaz <carol.diaz@contoso.example>\n" +
                     "Subject: Qiskit transpiler question\n\nWhy does the transpiler add SWAP gates on a linear coupling map?", MailText.NewQuestionText(m));
    }

    [Fact]
    public void Outlook_forward_without_a_marker_is_read_from_its_header_block_when_the_subject_says_FW()
    {
        const string body = "Who can help Lena with this?\n\nFrom: Lena Novak <lena.novak@contoso.example>\nSent: Monday, December 7, 2026 9:12 AM\n" +
                            "To: Sam Okoro <sam.okoro@contoso.example>\nSubject: Expense claims in a foreign currency\n\n" +
                            "Which exchange rate do I use for a hotel bill paid in NOK?";
        var forward = Mail("FW: Expense claims in a foreign currency", new TextPart("plain") { Text = body });
        var reply = Mail("RE: Expense claims in a foreign currency", new TextPart("plain") { Text = body });

        Assert.EndsWith("Forwarded:\nFrom: Lena Novak <lena.novak@contoso.example>\nSubject: Expense claims in a foreign currency\n\n" +
                        "Which exchange rate do I use for a hotel bill paid in NOK?", MailText.NewQuestionText(forward));
        // A reply's quoted original is not a forward: the question is what the sender wrote.
        Assert.Equal("Who can help Lena with this?", MailText.NewQuestionText(reply));
    }

    [Fact]
    public void Forward_as_attachment_carries_the_attached_mail_and_names_other_attachments()
    {
        var inner = new MimeMessage();
        inner.From.Add(MailboxAddress.Parse("Carol Diaz <carol.diaz@contoso.example>"));
        inner.Subject = "Qiskit transpiler question";
        inner.Body = new TextPart("plain") { Text = "Why does the transpiler add SWAP gates on a linear coupling map?\n\nCarol" };
        var pdf = new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream([1, 2, 3])), FileName = "circuit.pdf" };
        var m = Mail("Fwd: Qiskit transpiler question", new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Can someone answer Carol's question below?" },
            new MessagePart { Message = inner, ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) },
            pdf,
        });

        Assert.Equal("Can someone answer Carol's question below?\n\nForwarded:\nFrom: \"Carol Diaz\" <carol.diaz@contoso.example>\n" +
                     "Subject: Qiskit transpiler question\n\nWhy does the transpiler add SWAP gates on a linear coupling map?\n\nCarol\n\n" +
                     "[Attached to the question, not passed on by the service (ask the asker): circuit.pdf]", MailText.NewQuestionText(m));
    }

    [Fact]
    public void Real_fixtures_forward_inline_and_as_attachment()
    {
        var root = EmailFixtures.Root;
        if (root is null) Assert.Skip(EmailFixtures.MissingMessage);
        var inline = File.ReadAllText(Path.Combine(root, "crisp-oss_email-reply-parser", "fixtures", "email_tricky_17_forward_header.txt"));
        Assert.Equal("From: John Smith <john@example.com>\nSubject: Important update\n\nThis is the forwarded content that should be treated as quoted text.",
            ReplyText.ForwardedMessage(inline, isForward: false));

        var embedded = MimeMessage.Load(Path.Combine(root, "jstedfast_MimeKit", "fixtures", "messages", "simple-embedded-message.anonymized.eml"), TestContext.Current.CancellationToken);
        Assert.Equal("xxxx xx xxx xxxxxxx xxxxx\n\nForwarded:\nFrom: xxxxxxx@xxxxxxx.xxx\nSubject: xxxxxxxx xxxxxxx\n\nxxxx xx xxx xxxxxxxx xxxxxxx xxxxx",
            MailText.NewQuestionText(embedded));
    }

    [Theory]
    [InlineData("Fwd: VPN", true)]
    [InlineData("FW: VPN", true)]
    [InlineData("WG: VPN", true)]
    [InlineData("Re: Fwd: VPN", true)]
    [InlineData("Re: VPN", false)]
    [InlineData("Firewall rules for the lab", false)]
    [InlineData("Information: VPN outage", false)]
    public void Forward_subjects(string subject, bool forward) => Assert.Equal(forward, MailText.IsForwardSubject(subject));

    [Theory]
    [InlineData("Fwd: [Q-7K2M9P] VPN", true)]
    [InlineData("  FW: RE: [Q-7K2M9P] VPN", true)]
    [InlineData("WG: VPN", true)]
    [InlineData("Re: Fwd: [Q-7K2M9P] VPN", false)]
    [InlineData("AW: WG: VPN", false)]
    [InlineData("Information: VPN outage", false)]
    public void Only_a_forward_prefix_first_means_the_sender_forwarded_it(string subject, bool forward) => Assert.Equal(forward, MailText.StartsAsForward(subject));

    [Theory]
    [InlineData("From: Bob Marsh <bob.marsh@northwind.example>", "bob.marsh@northwind.example")]
    [InlineData("From: Bob Marsh [mailto:bob.marsh@northwind.example]", "bob.marsh@northwind.example")]
    [InlineData("From: bob.marsh@northwind.example", "bob.marsh@northwind.example")]
    [InlineData("From: Bob Marsh", null)]
    public void A_forwarded_mail_names_its_senders_address_as_the_client_wrote_it(string fromLine, string? address)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("anna.lindqvist@northwind.example"));
        m.Subject = "FW: VPN";
        m.Body = new TextPart("plain") { Text = $"See below.\n\n-----Original Message-----\n{fromLine}\nSent: Friday, November 20, 2026 11:15 AM\nSubject: VPN\n\nUse the TCP profile.\n" };
        var forwarded = Assert.Single(MailText.Forwarded(m));
        Assert.Equal(address, forwarded.FromAddress);
        Assert.EndsWith("Subject: VPN\n\nUse the TCP profile.", forwarded.Text);
    }
}
