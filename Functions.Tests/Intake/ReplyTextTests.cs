using System.Diagnostics;
using SocialLearning.Intake;
using Xunit;

namespace SocialLearning.Tests.Intake;

/// <summary>Rules of <see cref="ReplyText.ExtractVisible"/> on small invented mails (people and domains are made up).</summary>
public class ReplyTextTests
{
    private const string Question = "Does anyone know who owns the EMEA price book?\nI need it for a renewal.";

    [Fact]
    public void New_mail_without_quotes_is_returned_whole_with_normalised_line_endings()
    {
        Assert.Equal("Hi team,\n\n  - item one\n  - item two\n\nThanks", ReplyText.ExtractVisible("\uFEFFHi team,  \r\n\r\n  - item one\r\n  - item two\r\r\nThanks\r\n"));
    }

    [Fact]
    public void Null_input_is_rejected() => Assert.Throws<ArgumentNullException>(() => ReplyText.ExtractVisible(null!));

    [Theory]
    [InlineData("On Mon, 3 Mar 2025 at 09:12, Lena Ortiz <lena.ortiz@contoso.example> wrote:")]
    [InlineData("Le lun. 3 mars 2025 à 09:12, Lena Ortiz <lena.ortiz@contoso.example> a écrit :")]
    [InlineData("Am 03.03.2025 um 09:12 schrieb Lena Ortiz:")]
    [InlineData("El lun, 3 mar 2025 a las 9:12, Lena Ortiz (<lena.ortiz@contoso.example>) escribió:")]
    [InlineData("Il giorno lun 3 mar 2025 alle ore 09:12 Lena Ortiz <lena.ortiz@contoso.example> ha scritto:")]
    [InlineData("Op ma 3 mrt 2025 om 09:12 schreef Lena Ortiz <lena.ortiz@contoso.example>:")]
    [InlineData("Em seg., 3 de mar. de 2025 às 09:12, Lena Ortiz <lena.ortiz@contoso.example> escreveu:")]
    [InlineData("W dniu 3.03.2025 o 09:12, Lena Ortiz pisze:")]
    [InlineData("Den 3 mars 2025 kl. 09:12 skrev Lena Ortiz <lena.ortiz@contoso.example>:")]
    [InlineData("ma 3.3.2025 klo 9.12 Lena Ortiz (lena.ortiz@contoso.example) kirjoitti:")]
    [InlineData("пн, 3 мар. 2025 г. в 09:12, Lena Ortiz <lena.ortiz@contoso.example>:")]
    [InlineData("2025年3月3日 9:12、Lena Ortiz <lena.ortiz@contoso.example>のメッセージ:")]
    [InlineData("在 2025年3月3日，上午9:12，Lena Ortiz <lena.ortiz@contoso.example> 写道：")]
    [InlineData("2025. 3. 3. 오전 9:12, Lena Ortiz <lena.ortiz@contoso.example> 작성:")]
    public void Localized_quote_headers_start_the_quote(string header)
    {
        string mail = $"{Question}\n\n{header}\n\nOld text the sender did not write.\nMore old text.";
        Assert.Equal(Question, ReplyText.ExtractVisible(mail));
    }

    [Theory]
    [InlineData("On Mon, 3 Mar 2025 at 09:12, Lena Ortiz <\nlena.ortiz@contoso.example> wrote:")]
    [InlineData("On Mon, 3 Mar 2025 at 09:12, Lena Ortiz\n<lena.ortiz@contoso.example>\nwrote:")]
    [InlineData("Le lun. 3 mars 2025 à 09:12, Lena Ortiz <lena.ortiz@contoso.example>\na écrit :")]
    public void Quote_headers_wrapped_over_several_lines_are_removed_entirely(string header)
    {
        string mail = $"{Question}\n\n{header}\n\n> Old text.";
        Assert.Equal(Question, ReplyText.ExtractVisible(mail));
    }

    [Theory]
    [InlineData("From: Lena Ortiz <lena.ortiz@contoso.example>\nSent: Monday, March 3, 2025 9:12 AM\nTo: Ask <ask@contoso.example>\nSubject: Price book")]
    [InlineData("*From:* Lena Ortiz [mailto:lena.ortiz@contoso.example]\n*Sent:* Monday, March 3, 2025 9:12 AM")]
    [InlineData("De : Lena Ortiz\nEnvoyé : lundi 3 mars 2025 09:12\nÀ : Ask\nObjet : Price book")]
    [InlineData("Von: Lena Ortiz\nGesendet: Montag, 3. März 2025 09:12\nAn: Ask\nBetreff: Preisliste")]
    [InlineData("Van: Lena Ortiz\nVerzonden: maandag 3 maart 2025 09:12\nAan: Ask")]
    [InlineData("Da: Lena Ortiz\nInviato: lunedì 3 marzo 2025 09:12\nA: Ask\nOggetto: Listino")]
    [InlineData("-----Original Message-----\nFrom: lena.ortiz@contoso.example")]
    [InlineData("________________________________\nFrom: Lena Ortiz")]
    [InlineData("---------- Forwarded message ---------\nFrom: Lena Ortiz <lena.ortiz@contoso.example>")]
    [InlineData("-----Ursprüngliche Nachricht-----\nVon: Lena Ortiz")]
    [InlineData("Date: Mon, 3 Mar 2025 09:12\nFrom: Lena Ortiz\nTo: Ask")]
    public void Outlook_header_blocks_and_original_message_markers_end_the_reply(string block)
    {
        string mail = $"{Question}\n\n{block}\n\nOld text the sender did not write.";
        Assert.Equal(Question, ReplyText.ExtractVisible(mail));
    }

    [Theory]
    [InlineData("Sent from my iPhone")]
    [InlineData("Sent from my BlackBerry 10 smartphone.")]
    [InlineData("Sent from Outlook for iOS<https://aka.ms/o0ukef>")]
    [InlineData("Get Outlook for Android")]
    [InlineData("Sent from my mobile device")]
    [InlineData("Envoyé de mon iPhone")]
    [InlineData("Gesendet von meinem iPad")]
    [InlineData("Von meinem iPhone gesendet")]
    [InlineData("Enviado desde mi Samsung Galaxy")]
    [InlineData("Sent from Mail for Windows")]
    [InlineData("--\nLena Ortiz | Pricing")]
    [InlineData("-- \nLena Ortiz | Pricing")]
    public void Signatures_and_mobile_footers_end_the_reply(string footer)
    {
        Assert.Equal(Question, ReplyText.ExtractVisible($"{Question}\n\n{footer}\n"));
    }

    [Theory]
    [InlineData("Sent from my laptop, the VPN was slow.")]
    [InlineData("Something wrote:\nthis is still mine")]
    [InlineData("On the other hand, maybe the price book is in SharePoint:")]
    [InlineData("From: the finance team, I heard it moved.")]
    [InlineData("-- first point\n-- second point")]
    [InlineData("## Notes\n----\nline")]
    [InlineData("Deadline: 3 March 2025, 09:12")]
    [InlineData("From: meters\nTo: feet")]
    [InlineData("A customer asked this.\nFrom: jane@fabrikam.example\n\nCan we ship to Norway?")]
    [InlineData("Email the form to <hr@contoso.example> by 3 March:\n\n- name\n- cost centre")]
    [InlineData("My customer (jane@fabrikam.example) wrote:\n\nWe need 40 licences.\n\nHow do I quote this?")]
    [InlineData("Original\n  price 10\nNew\n  price 12")]
    public void Ordinary_text_that_looks_like_a_marker_stays(string text)
    {
        string mail = $"{Question}\n\n{text}";
        Assert.Equal(mail, ReplyText.ExtractVisible(mail));
    }

    [Fact]
    public void Bottom_posted_answers_below_a_quote_stay_visible()
    {
        string mail = "Hi Lena,\nOn Mon, 3 Mar 2025 at 09:12, Lena Ortiz <lena.ortiz@contoso.example> wrote:\n> Who owns the price book?\n> And where is it?\n\nFinance owns it.\n\n> Where is it?\n\nIn SharePoint.\n\n--\nPriya";
        Assert.Equal("Hi Lena,\nFinance owns it.\n\nIn SharePoint.", ReplyText.ExtractVisible(mail));
    }

    [Fact]
    public void Top_posted_reply_above_an_unquoted_original_keeps_only_the_reply()
    {
        string mail = "Finance owns it.\n\nOn Mon, 3 Mar 2025 at 09:12, Lena Ortiz <lena.ortiz@contoso.example> wrote:\n\nWho owns the price book?\n\nLena";
        Assert.Equal("Finance owns it.", ReplyText.ExtractVisible(mail));
    }

    [Fact]
    public void Quoted_lines_wrapped_by_the_client_are_not_mistaken_for_answers()
    {
        string mail = "Thanks!\n\nOn Mon, 3 Mar 2025 at 09:12, Lena Ortiz <lena.ortiz@contoso.example> wrote:\n" +
                      "> The price book for EMEA is maintained by the finance operations team in Du\nblin.\n>\n> Regards";
        Assert.Equal("Thanks!", ReplyText.ExtractVisible(mail));
    }

    [Fact]
    public void Whole_mail_quoted_gives_empty_text()
    {
        Assert.Equal("", ReplyText.ExtractVisible("> Who owns the price book?\n>\n> Lena\n"));
    }

    [Fact]
    public void Megabyte_of_quote_characters_is_processed_quickly()
    {
        string mail = "Short answer.\n" + new string('>', 1_000_000) + "\nOn Mon, 3 Mar 2025 wrote:\n" + string.Concat(Enumerable.Repeat("> x\n", 50_000));
        ReplyText.ExtractVisible("warm up");
        var clock = Stopwatch.StartNew();
        Assert.Equal("Short answer.", ReplyText.ExtractVisible(mail));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalMilliseconds:F0} ms (loose sanity bound 5 s)");
    }

    [Fact]
    public void Very_long_unbroken_line_is_processed_quickly()
    {
        string mail = "On " + string.Concat(Enumerable.Repeat("1 wrote: <a@b.example> ", 40_000)) + "\nend";
        var clock = Stopwatch.StartNew();
        ReplyText.ExtractVisible(mail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalMilliseconds:F0} ms (loose sanity bound 5 s)");
    }
}
