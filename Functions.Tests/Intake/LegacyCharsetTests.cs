using System.Text;
using MimeKit;

namespace SocialLearning.Tests.Intake;

public class LegacyCharsetTests
{
    [Fact]
    public void Iso_2022_jp_encoded_subject_and_body_decode_to_japanese_text()
    {
        const string raw = "From: Kenji Sato <kenji.sato@northwind.example>\r\nTo: ask@northwind.example\r\n" +
                           "Subject: =?iso-2022-jp?B?GyRCJEgkRhsoQg==?= pension contribution\r\n" +
                           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
                           "\u001b$B$H$F\u001b(B\r\n";
        // The service's assembly registers the code-page encodings when it loads (as every entry point does).
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(SocialLearning.Intake.MailClassifier).Module.ModuleHandle);
        var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(raw)), TestContext.Current.CancellationToken);

        Assert.Equal("\u3068\u3066 pension contribution", message.Subject);
        Assert.Equal("\u3068\u3066", message.TextBody?.Trim());
    }
}
