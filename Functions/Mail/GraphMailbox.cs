using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.SendMail;
using Microsoft.Kiota.Abstractions;
using MimeKit;
using SocialLearning.Graph;

namespace SocialLearning.Mail;

/// <summary>
/// The shared mailbox (<see cref="MailOptions.SharedAddress"/>) through Microsoft Graph. New mail is announced by change
/// notifications and delta catch-up (<c>Intake/GraphNotificationHandler</c>, <c>Intake/MailboxCatchUp</c>), which enqueue
/// the Graph message id; <see cref="ReadAsync"/> then returns the mail as raw MIME for the same
/// <c>InboundMailHandler</c> that reads the local Maildir.
/// </summary>
/// <remarks>
/// <para><b>Why MIME.</b> <see cref="ReadAsync"/> returns the message's MIME content (<c>GET …/messages/{id}/$value</c>,
/// "Get MIME content of a message", learn.microsoft.com/graph/outlook-get-mime-message) rather than a MimeMessage rebuilt
/// from JSON fields: the MIME keeps every header (<c>Auto-Submitted</c>, <c>Precedence</c>, <c>X-Autoreply</c>), the
/// multipart/report structure of delivery reports and the original text and HTML parts, so the existing classifier,
/// reply extraction and Message-ID dedupe work unchanged and identically for both transports. A rebuilt message would
/// lose the report parts and depend on Exchange's header selection.</para>
/// <para><b>Before the MIME.</b> A metadata read (<c>$select</c> of body, uniqueBody, from, sender, toRecipients,
/// ccRecipients, subject, internetMessageId, conversationId, internetMessageHeaders, receivedDateTime, parentFolderId)
/// decides whether the mail is intake's at all: a message that is no longer in the inbox (<c>parentFolderId</c> ≠ the
/// inbox's id) or that the shared mailbox sent itself is skipped (<see cref="MailSkippedException"/>) without fetching
/// the MIME. Every read sends <c>Prefer: IdType="ImmutableId"</c>, so ids from notifications, delta and reads agree
/// ("Obtain immutable identifiers for Outlook resources", learn.microsoft.com/graph/outlook-immutable-id).</para>
/// <para><b>Errors.</b> 404 → null (the handler retries later through queue visibility, then records the mail as gone);
/// 429 / 503 / 504 → <see cref="MailboxThrottledException"/>; 403 → <see cref="MailboxAccessDeniedException"/>.
/// Claiming and marking are no-ops: Graph announces mail itself and the Messages table records what was processed, so
/// the app needs no write access to the mailbox for intake.</para>
/// </remarks>
public sealed class GraphMailbox(GraphServiceClient graph, IOptions<MailOptions> mail, TimeProvider time, ILogger<GraphMailbox> logger) : IMailbox
{
    /// <summary>The header value that asks Graph for immutable ids.</summary>
    public const string PreferImmutableId = "IdType=\"ImmutableId\"";

    /// <summary>The message properties read before the MIME (Graph <c>$select</c>).</summary>
    public static readonly string[] SelectFields =
    [
        "body", "uniqueBody", "from", "sender", "toRecipients", "ccRecipients", "subject", "internetMessageId",
        "conversationId", "internetMessageHeaders", "receivedDateTime", "parentFolderId",
    ];

    private string? _inboxId;

    /// <summary>The shared mailbox address used in every Graph path (<c>users/{mailbox}/…</c>).</summary>
    public string Mailbox => mail.Value.SharedAddress;

    /// <inheritdoc />
    /// <remarks>Always empty: Graph mail is announced by change notifications and catch-up, not claimed.</remarks>
    public Task<IReadOnlyList<string>> ClaimNewAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <inheritdoc />
    /// <remarks>No-op: the Messages table records processed mail; intake needs no write access to the mailbox.</remarks>
    public Task MarkProcessedAsync(string messageRef, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The id of the shared mailbox's inbox (<c>GET users/{mailbox}/mailFolders/inbox?$select=id</c>), cached.</summary>
    public async Task<string> InboxIdAsync(CancellationToken cancellationToken)
    {
        if (_inboxId is not null) return _inboxId;
        try
        {
            var folder = await graph.Users[Mailbox].MailFolders["inbox"].GetAsync(r =>
            {
                r.QueryParameters.Select = ["id"];
                r.Headers.Add("Prefer", PreferImmutableId);
            }, cancellationToken).ConfigureAwait(false);
            return _inboxId = folder?.Id ?? throw new InvalidOperationException($"Graph returned no id for the inbox of {Mailbox}.");
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, "read the inbox folder", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Reads the message's metadata (<see cref="SelectFields"/>); null when Graph answers 404.</summary>
    public async Task<Message?> GetMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        try
        {
            return await graph.Users[Mailbox].Messages[messageId].GetAsync(r =>
            {
                r.QueryParameters.Select = SelectFields;
                r.Headers.Add("Prefer", PreferImmutableId);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return null;
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, $"read message {messageId}", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc />
    /// <exception cref="MailSkippedException">The message is outside the inbox, or the shared mailbox sent it.</exception>
    /// <exception cref="MailboxThrottledException">Graph asked to wait longer than one run waits.</exception>
    /// <exception cref="MailboxAccessDeniedException">The app may not read this mailbox.</exception>
    public async Task<byte[]?> ReadAsync(string messageRef, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageRef);
        var message = await GetMessageAsync(messageRef, cancellationToken).ConfigureAwait(false);
        if (message is null) return null;

        var inboxId = await InboxIdAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(message.ParentFolderId, inboxId, StringComparison.Ordinal))
            throw new MailSkippedException("NotInInbox", $"The message is no longer in the inbox of {Mailbox} (folder {message.ParentFolderId}); only inbox mail is intake's.");
        var from = message.From?.EmailAddress?.Address;
        if (string.Equals(from?.Trim(), Mailbox.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new MailSkippedException("OwnMail", $"From is the shared mailbox {from}.");

        try
        {
            await using var stream = await graph.Users[Mailbox].Messages[messageRef].Content.GetAsync(r => r.Headers.Add("Prefer", PreferImmutableId), cancellationToken).ConfigureAwait(false);
            if (stream is null) return null;
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Read message {MessageId} ({Bytes} bytes of MIME) from {Mailbox}", messageRef, buffer.Length, Mailbox);
            return buffer.ToArray();
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return null;
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, $"read the MIME of message {messageRef}", "Mail.Read", time) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>POST users/{mailbox}/sendMail</c> with the converted message (<see cref="GraphMessageMapping"/>), saved to Sent
    /// Items. Graph has no idempotency key for sendMail, so the transport cannot tell a repeated send: the outbound
    /// handler's stored <c>RequestSentAt</c> / <c>RelayedAt</c> keeps a mail from being sent twice. The key travels as
    /// header <c>X-SocialLearning-Send-Key</c> for tracing.
    /// </remarks>
    /// <exception cref="MailboxThrottledException">Graph asked to wait longer than one run waits.</exception>
    /// <exception cref="MailboxAccessDeniedException">The app may not send as this mailbox (Mail.Send).</exception>
    public async Task SendAsync(MimeMessage message, string idempotencyKey, CancellationToken cancellationToken)
    {
        var graphMessage = GraphMessageMapping.ToGraphMessage(message);
        graphMessage.InternetMessageHeaders!.Add(new InternetMessageHeader { Name = SendKeyHeader, Value = idempotencyKey });
        try
        {
            await graph.Users[Mailbox].SendMail.PostAsync(new SendMailPostRequestBody { Message = graphMessage, SaveToSentItems = true }, cancellationToken: cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Sent {IdempotencyKey} from {Mailbox} through Graph", idempotencyKey, Mailbox);
        }
        catch (ApiException ex) when (GraphErrors.Translate(ex, Mailbox, $"send mail {idempotencyKey}", "Mail.Send", time) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Custom header carrying the outbound mail's idempotency key.</summary>
    public const string SendKeyHeader = "X-SocialLearning-Send-Key";
}
