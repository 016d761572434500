using System.Text;
using MimeKit;
using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class MailCharsetsTests
{
    private static MimeMessage Load(string charsetHeader, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes("From: Celine Roux <celine.roux@northwind.example>\r\nTo: ask@northwind.example\r\nSubject: Frais\r\n" +
                                           $"MIME-Version: 1.0\r\nContent-Type: text/plain{charsetHeader}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        return MimeMessage.Load(new MemoryStream([.. head, .. body]), TestContext.Current.CancellationToken);
    }

    private const string French = "Où déclarer les frais de déplacement du séminaire à Genève ? Merci d'avance, Céline";

    [Fact]
    public void Latin1_bytes_labelled_utf8_are_read_as_windows_1252()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(MailClassifier).Module.ModuleHandle);
        var message = Load("; charset=utf-8", Encoding.Latin1.GetBytes(French));
        Assert.Contains('\uFFFD', message.TextBody!); // what MimeKit reads as labelled

        Assert.Equal(["text/plain: labelled utf-8, read as windows-1252"], MailCharsets.Repair(message));
        Assert.Equal(French, message.TextBody!.Trim());
    }

    [Fact]
    public void Utf8_bytes_labelled_latin1_are_read_as_utf8()
    {
        var message = Load("; charset=iso-8859-1", Encoding.UTF8.GetBytes(French));
        Assert.Contains("Ã©", message.TextBody!);

        Assert.Equal(["text/plain: labelled iso-8859-1, read as utf-8"], MailCharsets.Repair(message));
        Assert.Equal(French, message.TextBody!.Trim());
    }

    [Theory]
    [InlineData("; charset=iso-8859-1", "latin1")]
    [InlineData("; charset=utf-8", "utf8")]
    public void Correctly_labelled_text_is_left_alone(string header, string bytesAs)
    {
        var message = Load(header, bytesAs == "utf8" ? Encoding.UTF8.GetBytes(French) : Encoding.Latin1.GetBytes(French));
        Assert.Empty(MailCharsets.Repair(message));
        Assert.Equal(French, message.TextBody!.Trim());
    }

    [Fact]
    public void Windows_1252_bytes_labelled_iso_8859_1_keep_the_euro_sign_dashes_and_quotes()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(MailClassifier).Module.ModuleHandle);
        const string german = "Der neue Ausweis kostet 20 € – „bitte“ bar";
        var message = Load("; charset=iso-8859-1", Encoding.GetEncoding(1252).GetBytes(german));
        Assert.DoesNotContain('€', message.TextBody!);

        Assert.Equal(["text/plain: labelled iso-8859-1, read as windows-1252"], MailCharsets.Repair(message));
        Assert.Equal(german, message.TextBody!.Trim());
    }
}
