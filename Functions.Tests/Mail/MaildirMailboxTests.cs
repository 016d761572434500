using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using SocialLearning.Mail;

namespace SocialLearning.Tests.Mail;

public sealed class MaildirMailboxTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sl-maildir-").FullName;
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MimeMessage Mail(string id)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("aisha.bello@northwind.example"));
        m.To.Add(MailboxAddress.Parse("ask@northwind.example"));
        m.Subject = "Dock question";
        m.MessageId = id;
        m.Body = new TextPart("plain") { Text = "Which dock works with two monitors?" };
        return m;
    }

    [Fact]
    public async Task Claimed_mail_moves_to_cur_and_is_flagged_seen_once_processed()
    {
        var box = new MaildirMailbox(_root, NullLogger<MaildirMailbox>.Instance);
        await box.DeliverAsync(Mail("a@x.example"), Ct);

        var claimed = await box.ClaimNewAsync(Ct);
        var name = Assert.Single(claimed);
        Assert.EndsWith(":2,", name);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "inbox", "new")));
        Assert.Empty(await box.ClaimNewAsync(Ct));

        await box.MarkProcessedAsync(name, Ct);
        var file = Path.GetFileName(Assert.Single(Directory.GetFiles(Path.Combine(_root, "inbox", "cur"))));
        Assert.EndsWith(":2,S", file);
        // The reference handed out before the flag still reads the mail.
        Assert.NotNull(await box.ReadAsync(name, Ct));
    }

    [Fact]
    public async Task Mail_claimed_but_never_processed_is_claimed_again_after_the_lease()
    {
        var box = new MaildirMailbox(_root, NullLogger<MaildirMailbox>.Instance);
        await box.DeliverAsync(Mail("b@x.example"), Ct);
        var name = Assert.Single(await box.ClaimNewAsync(Ct));
        // The claiming process died: pretend the claim is older than the lease.
        File.SetLastWriteTimeUtc(Path.Combine(_root, "inbox", "cur", name), DateTime.UtcNow - MaildirMailbox.ReclaimAfter - TimeSpan.FromSeconds(5));

        Assert.Equal(name, Assert.Single(await box.ClaimNewAsync(Ct)));
        Assert.Empty(await box.ClaimNewAsync(Ct));
    }

    [Fact]
    public async Task Sent_mail_is_7_bit_clean_with_short_lines_and_reads_back_as_written()
    {
        // From a README-only user run: requests carried raw UTF-8 without a Content-Transfer-Encoding header, and a long
        // question's text made a 15,958-character line (RFC 5322 allows 998).
        var box = new MaildirMailbox(_root, NullLogger<MaildirMailbox>.Instance);
        var text = "Céline asks: “Can I fly premium economy to Zürich?”\n\n" + string.Join(' ', Enumerable.Repeat("déplacement", 1500)) + "\n";
        var mail = Mail("e@x.example");
        mail.Body = new TextPart("plain") { Text = text };
        await box.SendAsync(mail, "request:Q-BBBBBB:e-1", Ct);

        var path = Assert.Single(Directory.GetFiles(Path.Combine(_root, "outbox", "new")));
        var raw = await File.ReadAllBytesAsync(path, Ct);
        Assert.All(raw, b => Assert.True(b < 0x80, $"byte 0x{b:X2} in the sent file"));
        var lines = System.Text.Encoding.ASCII.GetString(raw).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.Max(l => l.Length) <= 78, $"longest line {lines.Max(l => l.Length)} characters");
        var read = Assert.Single(box.ReadOutbox());
        Assert.Equal(ContentEncoding.QuotedPrintable, Assert.IsType<TextPart>(read.Body).ContentTransferEncoding);
        Assert.Equal(text, read.TextBody);
    }

    [Fact]
    public async Task Sending_twice_with_the_same_key_writes_one_file()
    {
        var box = new MaildirMailbox(_root, NullLogger<MaildirMailbox>.Instance);
        await box.SendAsync(Mail("c@x.example"), "request:Q-AAAAAA:e-1", Ct);
        await box.SendAsync(Mail("c@x.example"), "request:Q-AAAAAA:e-1", Ct);
        await box.SendAsync(Mail("d@x.example"), "request:Q-AAAAAA:e-2", Ct);
        Assert.Equal(2, box.ReadOutbox().Count);
    }

    [Fact]
    public async Task A_reference_with_a_path_is_refused()
    {
        var box = new MaildirMailbox(_root, NullLogger<MaildirMailbox>.Instance);
        await Assert.ThrowsAsync<ArgumentException>(() => box.ReadAsync("../outbox/new/x", Ct));
    }
}
