using System.Globalization;
using System.Text;
using SocialLearning.Storage;

namespace SocialLearning.Experts;

/// <summary>
/// The operator's view of the expert directory (<c>experts</c> command): every listing with its standing — available
/// to routing, paused until a date (replied "pause"), stopped (replied "stop"), or deactivated (left the source group,
/// account disabled) — and how many answers the directory learned from; and <see cref="ResumeAsync"/>, which lifts a
/// pause or stop when the expert asks to be asked again (the request mail tells them to ask the team).
/// </summary>
public sealed class ExpertRoster(StorageClients storage, TimeProvider time)
{
    /// <summary>One listing of the directory.</summary>
    /// <param name="Id">Expert id.</param>
    /// <param name="Name">Display name.</param>
    /// <param name="Email">Mail address.</param>
    /// <param name="Department">Department; empty when unknown.</param>
    /// <param name="Source">Where the profile came from ("sample", "stackexchange", "graph", …).</param>
    /// <param name="Answers">Answers counted on the profile (imported and learned).</param>
    /// <param name="Learned">Answers the directory learned from relayed answers (<see cref="LearnedEvidence"/>).</param>
    /// <param name="LastActive">Latest answer, or null.</param>
    /// <param name="Standing">"available" (routing may ask them), "paused until yyyy-MM-dd", "stopped" or "deactivated: reason".</param>
    public sealed record Row(string Id, string Name, string Email, string Department, string Source, int Answers, int Learned, DateTimeOffset? LastActive, string Standing);

    /// <summary>Every listing, by name then id; a pause that has ended reads as "available".</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<List<Row>> ReadAsync(CancellationToken cancellationToken)
    {
        var experts = await storage.Table(TableNames.Experts).ReadAllAsync<ExpertEntity>(null, cancellationToken).ConfigureAwait(false);
        var learned = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in LearnedEvidence.ReadLearnedKeys(storage, null, cancellationToken).ConfigureAwait(false))
            learned[e.PartitionKey] = learned.GetValueOrDefault(e.PartitionKey) + 1; // the expert's evidence partition
        var now = time.GetUtcNow();
        return experts
            .Select(e => new Row(e.ExpertId, e.Name, e.Email, e.Department, e.Source, e.AnswerCount, learned.GetValueOrDefault(EvidenceEntity.PartitionFor(e.ExpertId)), e.LastActive, Standing(e, now)))
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private static string Standing(ExpertEntity e, DateTimeOffset now) =>
        !e.Active ? "deactivated" + (e.DeactivatedReason.Length > 0 ? ": " + e.DeactivatedReason : "")
        : e.OptedOut ? "stopped"
        : e.PausedUntil is { } until && until > now ? string.Create(CultureInfo.InvariantCulture, $"paused until {until.UtcDateTime:yyyy-MM-dd}")
        : "available";

    /// <summary>
    /// Lifts "pause" and "stop" for <paramref name="who"/> — a mail address (every listing with it, as "stop" set them)
    /// or an expert id — so routing asks them again. Returns the listings changed (empty when none was paused or stopped);
    /// throws <see cref="KeyNotFoundException"/> when no listing matches.
    /// </summary>
    /// <param name="who">A mail address or an expert id.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<List<ExpertEntity>> ResumeAsync(string who, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(who);
        var key = who.Trim();
        // "Anna Lindqvist <anna.lindqvist@northwind.example>", pasted from a mail, names the address.
        if (key.Contains('<') && MimeKit.MailboxAddress.TryParse(key, out var pasted)) key = pasted.Address;
        var table = storage.Table(TableNames.Experts);
        var all = await table.ReadAllAsync<ExpertEntity>(null, cancellationToken).ConfigureAwait(false);
        var matches = all.Where(e => string.Equals(e.Email, key, StringComparison.OrdinalIgnoreCase) || string.Equals(e.ExpertId, key, StringComparison.OrdinalIgnoreCase)).ToList();
        // An id names one listing; its address brings the person's other listings along, as "stop" did.
        matches = all.Where(e => matches.Any(m => string.Equals(m.Email, e.Email, StringComparison.OrdinalIgnoreCase) || m.ExpertId == e.ExpertId)).ToList();
        if (matches.Count == 0) throw new KeyNotFoundException($"No expert in the directory has the address or id '{key}'.");
        var changed = new List<ExpertEntity>();
        foreach (var e in matches.Where(e => e.OptedOut || e.PausedUntil is not null))
        {
            e.OptedOut = false;
            e.PausedUntil = null;
            if (!await table.TryReplaceAsync(e, cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException($"The listing {e.ExpertId} changed while it was resumed; run the command again.");
            changed.Add(e);
        }
        return changed;
    }

    /// <summary>The rows as CSV (RFC 4180): <c>id, name, email, department, source, answers, learned, last_active_utc, standing</c>;
    /// quoted as the outcome export is (<see cref="Outcomes.OutcomeCsv"/>).</summary>
    /// <param name="rows">The listings.</param>
    public static string WriteCsv(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder("id,name,email,department,source,answers,learned,last_active_utc,standing\r\n");
        foreach (var r in rows)
        {
            sb.AppendJoin(',', new[]
            {
                r.Id, r.Name, r.Email, r.Department, r.Source, r.Answers.ToString(CultureInfo.InvariantCulture), r.Learned.ToString(CultureInfo.InvariantCulture),
                r.LastActive?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "", r.Standing,
            }.Select(Outcomes.OutcomeCsv.Quote)).Append("\r\n");
        }
        return sb.ToString();
    }
}
