using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace SocialLearning.Mail;

/// <summary>
/// The local stand-in for the shared mailbox: <c>{root}/inbox</c> is a Maildir the service reads (any mail tool can
/// deliver into its <c>new/</c>), <c>{root}/outbox</c> a Maildir every outgoing mail is written to. Maildir format:
/// D. J. Bernstein, "Using maildir format" (cr.yp.to/proto/maildir.html): write into <c>tmp/</c>, rename into
/// <c>new/</c>; a reader moves what it has seen into <c>cur/</c> with an info suffix <c>:2,</c>.
/// </summary>
public sealed class MaildirMailbox : IMailbox
{
    private readonly string _inbox;
    private readonly string _outbox;
    private readonly ILogger<MaildirMailbox> _logger;

    /// <summary>Creates the mailbox over <see cref="MailOptions.MaildirRoot"/>, creating the Maildir folders if absent.</summary>
    public MaildirMailbox(IOptions<MailOptions> options, ILogger<MaildirMailbox> logger)
        : this(options.Value.MaildirRoot ?? throw new InvalidOperationException("Mail:MaildirRoot is not set."), logger)
    {
    }

    /// <summary>Creates the mailbox over <paramref name="root"/>.</summary>
    public MaildirMailbox(string root, ILogger<MaildirMailbox> logger)
    {
        _inbox = Path.Combine(root, "inbox");
        _outbox = Path.Combine(root, "outbox");
        _logger = logger;
        foreach (var box in new[] { _inbox, _outbox })
            foreach (var sub in new[] { "tmp", "new", "cur" })
                Directory.CreateDirectory(Path.Combine(box, sub));
    }

    /// <summary>The inbox Maildir folder.</summary>
    public string InboxPath => _inbox;

    /// <summary>The outbox Maildir folder.</summary>
    public string OutboxPath => _outbox;

    /// <summary>
    /// How long a claimed mail may stay unprocessed before it is claimed again (longer than a queue message's lease,
    /// so a mail whose message is still being handled is not claimed twice).
    /// </summary>
    public static TimeSpan ReclaimAfter { get; } = TimeSpan.FromMinutes(2);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ClaimNewAsync(CancellationToken cancellationToken)
    {
        var claimed = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var path in Directory.EnumerateFiles(Path.Combine(_inbox, "new")).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            var baseName = BaseName(name);
            var target = Path.Combine(_inbox, "cur", baseName + ":2,");
            try
            {
                File.Move(path, target);
                File.SetLastWriteTimeUtc(target, now); // the claim time, for reclaiming
                claimed.Add(baseName + ":2,");
            }
            catch (FileNotFoundException)
            {
                // another reader claimed it first
            }
        }
        // Catch-up: mails claimed earlier whose intake never finished (no "S" flag) are claimed again; intake dedupes.
        foreach (var path in Directory.EnumerateFiles(Path.Combine(_inbox, "cur")).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (Flags(name).Contains('S') || claimed.Contains(name, StringComparer.Ordinal)) continue;
            if (now - File.GetLastWriteTimeUtc(path) < ReclaimAfter) continue;
            File.SetLastWriteTimeUtc(path, now);
            claimed.Add(name);
            _logger.LogWarning("Mail {MessageRef} was claimed before but never processed; claiming it again", name);
        }
        return Task.FromResult<IReadOnlyList<string>>(claimed);
    }

    /// <inheritdoc />
    public Task MarkProcessedAsync(string messageRef, CancellationToken cancellationToken)
    {
        var path = Resolve(messageRef);
        if (path is null) return Task.CompletedTask;
        var name = Path.GetFileName(path);
        if (Flags(name).Contains('S')) return Task.CompletedTask;
        var flags = new string(Flags(name).Append('S').Order().ToArray());
        try
        {
            File.Move(path, Path.Combine(_inbox, "cur", BaseName(name) + ":2," + flags));
        }
        catch (FileNotFoundException)
        {
            // marked by another worker meanwhile
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string messageRef, CancellationToken cancellationToken)
    {
        var path = Resolve(messageRef);
        if (path is null) return null;
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The file of a claimed mail in <c>cur/</c>, whatever flags it has now; null when gone.</summary>
    private string? Resolve(string messageRef)
    {
        if (messageRef.Contains('/') || messageRef.Contains('\\') || messageRef is "." or "..")
            throw new ArgumentException($"Not a Maildir file name: '{messageRef}'.", nameof(messageRef));
        var exact = Path.Combine(_inbox, "cur", messageRef);
        if (File.Exists(exact)) return exact;
        var prefix = BaseName(messageRef) + ":2,";
        return Directory.EnumerateFiles(Path.Combine(_inbox, "cur"), prefix + "*").FirstOrDefault();
    }

    private static string BaseName(string name)
    {
        var i = name.IndexOf(":2,", StringComparison.Ordinal);
        return i < 0 ? name : name[..i];
    }

    private static string Flags(string name)
    {
        var i = name.IndexOf(":2,", StringComparison.Ordinal);
        return i < 0 ? "" : name[(i + 3)..];
    }

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, string idempotencyKey, CancellationToken cancellationToken)
    {
        // Deterministic name: the same idempotency key always maps to the same file.
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32] + ".sociallearning";
        var final = Path.Combine(_outbox, "new", name);
        if (File.Exists(final) || File.Exists(Path.Combine(_outbox, "cur", name + ":2,")))
        {
            _logger.LogInformation("Outbound mail {IdempotencyKey} was already written; not writing it again", idempotencyKey);
            return;
        }
        // What goes out is 7-bit clean with lines of at most 78 characters (RFC 5322 §2.1.1; a relay may refuse 8-bit text or a
        // line over 998): MimeKit picks quoted-printable or base64 for each part and sets Content-Transfer-Encoding.
        message.Prepare(EncodingConstraint.SevenBit, 78);
        await WriteAsync(_outbox, name, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Delivers a mail into the inbox (<c>tmp/</c> then rename into <c>new/</c>), as a mail server would; used by
    /// <c>demo</c> and tests. Returns the file name.
    /// </summary>
    public async Task<string> DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var name = UniqueName(Guid.NewGuid().ToString("N"));
        await WriteAsync(_inbox, name, message, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Delivers raw bytes (which need not be valid MIME) into the inbox; returns the file name.</summary>
    public async Task<string> DeliverRawAsync(byte[] raw, CancellationToken cancellationToken)
    {
        var name = UniqueName(Guid.NewGuid().ToString("N"));
        var tmp = Path.Combine(_inbox, "tmp", name);
        await File.WriteAllBytesAsync(tmp, raw, cancellationToken).ConfigureAwait(false);
        File.Move(tmp, Path.Combine(_inbox, "new", name));
        return name;
    }

    /// <summary>Every mail in the outbox (new and cur), parsed.</summary>
    public IReadOnlyList<MimeMessage> ReadOutbox() =>
        Directory.EnumerateFiles(Path.Combine(_outbox, "new"))
            .Concat(Directory.EnumerateFiles(Path.Combine(_outbox, "cur")))
            .Order(StringComparer.Ordinal)
            .Select(p => MimeMessage.Load(p))
            .ToList();

    private static async Task WriteAsync(string box, string name, MimeMessage message, CancellationToken cancellationToken)
    {
        var tmp = Path.Combine(box, "tmp", name);
        await message.WriteToAsync(tmp, cancellationToken).ConfigureAwait(false);
        File.Move(tmp, Path.Combine(box, "new", name), overwrite: true);
    }

    private static string UniqueName(string key) =>
        $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{key[..Math.Min(24, key.Length)]}.sociallearning";
}
