using MimeKit;

namespace SocialLearning.Tests.Support;

/// <summary>Mails the integration tests deliver to the shared address.</summary>
internal static class TestMail
{
    /// <summary>A plain-text question to ask@northwind.example, dated 2026-11-20 09:30 UTC.</summary>
    public static MimeMessage Question(string messageId, string subject, string body, string from = "Pieter de Vries <pieter.devries@northwind.example>")
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = subject;
        m.MessageId = messageId;
        m.Date = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        m.Body = new TextPart("plain") { Text = body };
        return m;
    }

    /// <summary>A plain-text mail from <paramref name="from"/> to ask@northwind.example (a reply in a thread), dated now.</summary>
    public static MimeMessage Reply(string from, string subject, string messageId, string text)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = subject;
        m.MessageId = messageId;
        m.Body = new TextPart("plain") { Text = text };
        return m;
    }
}
