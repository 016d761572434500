using System.ComponentModel.DataAnnotations;

namespace SocialLearning.Mail;

/// <summary>Mail transport settings (configuration section <c>Mail</c>).</summary>
public sealed class MailOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Mail";

    /// <summary>"Maildir" (local folders) or "Graph" (Microsoft Graph, the real shared mailbox).</summary>
    public string Transport { get; set; } = "Maildir";

    /// <summary>The shared address employees mail their questions to, e.g. <c>ask@contoso.example</c>.</summary>
    [Required(ErrorMessage = "Mail:SharedAddress is required (the address employees mail questions to).")]
    [EmailAddress(ErrorMessage = "Mail:SharedAddress must be a mail address.")]
    public string SharedAddress { get; set; } = "";

    /// <summary>Display name used on outgoing mail.</summary>
    public string DisplayName { get; set; } = "SocialLearning";

    /// <summary>Folder holding the local <c>inbox/</c> and <c>outbox/</c> Maildirs (Transport = Maildir). Must exist.</summary>
    public string? MaildirRoot { get; set; }

    /// <summary>
    /// How far back, in hours, a mail's own <c>Date</c> header may place a question or an answer before the time intake
    /// takes it in: 24 (mail delayed in transit keeps its time). An older date — a sender's clock set wrong, an old mail sent
    /// again — is replaced by the intake time, so time to first answer is not inflated and the capacity window (counted on
    /// question times) cannot be bypassed. 1–1,000,000; the demos set the maximum, as they replay dated mail.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Mail:MaxDateAgeHours must be between 1 and 1000000 hours.")]
    public double MaxDateAgeHours { get; set; } = 24;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Transport, "Maildir", StringComparison.OrdinalIgnoreCase) &&
            !string.Equals(Transport, "Graph", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"Mail:Transport '{Transport}' is unknown: use Maildir or Graph.", [nameof(Transport)]);
        }
        else if (string.Equals(Transport, "Maildir", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(MaildirRoot))
                yield return new ValidationResult("Mail:MaildirRoot is required when Mail:Transport is Maildir.", [nameof(MaildirRoot)]);
            else if (!Directory.Exists(MaildirRoot))
                yield return new ValidationResult($"Mail:MaildirRoot '{MaildirRoot}' does not exist.", [nameof(MaildirRoot)]);
        }
        // Transport = Graph: its own required settings live in the Graph section (GraphOptionsValidator).
    }

    /// <summary>True when <see cref="Transport"/> is Graph (the real shared mailbox through Microsoft Graph).</summary>
    public bool IsGraph => string.Equals(Transport, "Graph", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Queue message of <c>outbound-mail</c>: one mail to compose from stored state and send.</summary>
/// <param name="Kind">"request" (a routed request to an expert), "relay" (an expert's answer to the asker), "followup" (an
/// expert's later mail in the thread), "asker" (the asker's replies to an expert), "notice" (to the asker: why nobody was
/// asked) or "standing" (to an expert: their "pause" or "stop" confirmed, with the date).</param>
/// <param name="QuestionId">The question.</param>
/// <param name="ExpertId">The expert asked, or who answered.</param>
public sealed record OutboundMailMessage(string Kind, string QuestionId, string? ExpertId);
