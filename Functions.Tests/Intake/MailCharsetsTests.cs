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

    [Theory]
    // From a README-only user run: UTF-8 written under a KOI8-R label reached the experts as "Zц╪rich" and "Б─■".
    [InlineData("koi8-r")]
    [InlineData("windows-1251")]
    [InlineData("iso-8859-5")]
    [InlineData("iso-8859-2")]
    public void Utf8_bytes_under_any_single_byte_label_are_read_as_utf8(string charset)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(MailClassifier).Module.ModuleHandle);
        const string text = "Which travel agency do we use for a flight to Zürich? Can I fly premium economy — it's 2 hours?";
        var message = Load("; charset=" + charset, Encoding.UTF8.GetBytes(text));
        Assert.DoesNotContain("Zürich", message.TextBody!);

        Assert.Equal([$"text/plain: labelled {charset}, read as utf-8"], MailCharsets.Repair(message));
        Assert.Equal(text, message.TextBody!.Trim());
    }

    [Theory]
    [InlineData("koi8-r", 20866, "Где заказать пропуск для гостя в офис в Москве?")]
    [InlineData("windows-1251", 1251, "Где заказать пропуск для гостя в офис в Москве?")]
    [InlineData("iso-8859-2", 28592, "Kde si mohu objednat průkaz pro návštěvu v kanceláři v Brně?")]
    [InlineData("shift_jis", 932, "東京オフィスの来客用パスはどこで申請できますか？")]
    public void Text_in_its_own_single_or_multi_byte_charset_is_left_alone(string charset, int codePage, string text)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(MailClassifier).Module.ModuleHandle);
        var message = Load("; charset=" + charset, Encoding.GetEncoding(codePage).GetBytes(text));

        Assert.Empty(MailCharsets.Repair(message));
        Assert.Equal(text, message.TextBody!.Trim());
    }
}
