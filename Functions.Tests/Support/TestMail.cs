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
}
