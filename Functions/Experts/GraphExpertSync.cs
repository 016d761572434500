using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using SocialLearning.Intake;
using SocialLearning.Matching;
using SocialLearning.Storage;

namespace SocialLearning.Experts;

/// <summary>A group member that did not become an expert profile.</summary>
/// <param name="UserId">Graph user id.</param>
/// <param name="DisplayName">Display name.</param>
/// <param name="Reason">Why, e.g. "no mail address".</param>
public sealed record SkippedMember(string UserId, string DisplayName, string Reason);

/// <summary>Counts of one Graph sync.</summary>
/// <param name="Members">User members of the group read (all pages).</param>
/// <param name="Profiles">Profiles handed to the importer (members with a mail address and an enabled account).</param>
/// <param name="Embedded">Profiles (re-)embedded: new or changed; unchanged profiles keep their vectors.</param>
/// <param name="Reactivated">Experts that were deactivated and are members again.</param>
/// <param name="Deactivated">Graph experts deactivated by this sync (no longer members, account disabled or no mail).</param>
/// <param name="Skipped">Members left out, with the reason.</param>
/// <param name="Pages">Member pages read (1 + the @odata.nextLink pages followed).</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record GraphSyncResult(int Members, int Profiles, int Embedded, int Reactivated, int Deactivated,
    IReadOnlyList<SkippedMember> Skipped, int Pages, TimeSpan Elapsed);

/// <summary>
/// Synchronises the expert directory with the user members of a Microsoft Entra ID group (<see cref="GraphExpertsOptions.ExpertGroupId"/>).
/// </summary>
/// <remarks>
/// <para>Reads <c>GET /groups/{id}/members/microsoft.graph.user?$select=id,displayName,mail,department,jobTitle,officeLocation,accountEnabled&amp;$top=999</c>,
/// following <c>@odata.nextLink</c> (https://learn.microsoft.com/graph/api/group-list-members, permission GroupMember.Read.All),
/// then per member <c>GET /users/{id}?$select=id,aboutMe,skills,interests,pastProjects,responsibilities</c> — Graph returns
/// those properties only for a single user (https://learn.microsoft.com/graph/api/user-get, permission User.Read.All).</para>
/// <para>Each member becomes an <see cref="ExpertProfile"/> with id <c>graph-{user id}</c> (stable across renames and address
/// changes): job title, department, skills and about-me make the "about" evidence as for every import; responsibilities,
/// past projects and interests are one "skill" evidence item each. The profiles go through <see cref="ExpertImporter"/>,
/// so a profile whose text is unchanged is not embedded again (content hash) and a changed one is.</para>
/// <para>Experts of source <c>graph</c> that are no longer members, whose account is disabled or who lost their mail
/// address are deactivated (<see cref="ExpertEntity.Active"/> false, <see cref="ExpertEntity.DeactivatedAt"/>,
/// <see cref="ExpertEntity.DeactivatedReason"/>), never deleted; a member who comes back is reactivated (without
/// re-embedding when the profile is unchanged). Members without a mail address are skipped with a logged reason. When a
/// member's profile properties cannot be read, a stored profile is kept as it is (and stays active), a new member is
/// imported from the list fields alone. Experts from other sources (sample, Stack Exchange) are left alone.</para>
/// </remarks>
public sealed class GraphExpertSync(
    GraphServiceClient graph,
    ExpertImporter importer,
    StorageClients storage,
    ExpertDirectory directory,
    IOptions<GraphExpertsOptions> options,
    TimeProvider time,
    ILogger<GraphExpertSync> logger)
{
    /// <summary>The <see cref="ExpertEntity.Source"/> of experts from Graph: <c>graph</c>.</summary>
    public const string Source = "graph";

    /// <summary>Prefix of expert ids from Graph: <c>graph-</c> + the user's object id.</summary>
    public const string IdPrefix = "graph-";

    /// <summary>Properties read from the member list.</summary>
    public static readonly string[] MemberSelect = ["id", "displayName", "mail", "department", "jobTitle", "officeLocation", "accountEnabled"];

    /// <summary>Profile properties read per user (not returned in lists).</summary>
    public static readonly string[] ProfileSelect = ["id", "aboutMe", "skills", "interests", "pastProjects", "responsibilities"];

    /// <summary>Synchronises the directory with the configured group.</summary>
    /// <param name="cancellationToken">Cancels the sync; profiles written so far stay.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="InvalidOperationException"><see cref="GraphExpertsOptions.ExpertGroupId"/> is not set.</exception>
    /// <exception cref="ODataError">Graph refused the member list (e.g. 404 for an unknown group, 403 without
    /// GroupMember.Read.All); nothing is deactivated then.</exception>
    public async Task<GraphSyncResult> SyncAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ExpertGroupId))
            throw new InvalidOperationException("Graph:ExpertGroupId is not set: give the object id of the Microsoft Entra ID group whose members are the experts.");
        var groupId = o.ExpertGroupId.Trim();
        var started = Stopwatch.GetTimestamp();

        var (members, pages) = await ReadMembersAsync(groupId, cancellationToken).ConfigureAwait(false);
        var existing = (await ExpertTables.ReadExpertsAsync(storage, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.ExpertId, StringComparer.Ordinal);

        var skipped = new List<SkippedMember>();
        var leaving = new Dictionary<string, string>(StringComparer.Ordinal); // expert id → deactivation reason
        var candidates = new List<User>();
        foreach (var m in members)
        {
            if (string.IsNullOrWhiteSpace(m.Id)) continue;
            var id = IdPrefix + m.Id;
            if (m.AccountEnabled == false)
            {
                logger.LogInformation("Group member {UserId} ({DisplayName}) has a disabled account; not asked", m.Id, m.DisplayName);
                skipped.Add(new SkippedMember(m.Id, m.DisplayName ?? "", "account disabled"));
                leaving[id] = "account disabled";
                continue;
            }
            if (string.IsNullOrWhiteSpace(m.Mail))
            {
                logger.LogWarning("Group member {UserId} ({DisplayName}) has no mail address; skipped (requests go by mail)", m.Id, m.DisplayName);
                skipped.Add(new SkippedMember(m.Id, m.DisplayName ?? "", "no mail address"));
                leaving[id] = "no mail address";
                continue;
            }
            candidates.Add(m);
        }

        var details = await ReadProfilesAsync(candidates, o.MaxConcurrentRequests, cancellationToken).ConfigureAwait(false);
        var profiles = new List<ExpertProfile>(candidates.Count);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in candidates)
        {
            var id = IdPrefix + m.Id;
            var detail = details[m.Id!];
            if (detail is null && existing.TryGetValue(id, out var stored) && stored.Active)
            {
                kept.Add(id); // profile properties unreadable this time: keep the stored profile as it is
                continue;
            }
            profiles.Add(ToProfile(m, detail));
        }

        var imported = await importer.ImportAsync(profiles, Source, replaceDirectory: false, null, cancellationToken).ConfigureAwait(false);

        var present = profiles.Select(p => p.Id).Concat(kept).ToHashSet(StringComparer.Ordinal);
        var table = storage.Table(TableNames.Experts);
        var now = time.GetUtcNow();
        var deactivated = 0;
        foreach (var e in existing.Values.Where(e => e.Source == Source && e.Active && !present.Contains(e.ExpertId)))
        {
            var reason = leaving.TryGetValue(e.ExpertId, out var r) ? r : $"no longer a member of group {groupId}";
            // Re-read: the import may have rewritten the row since it was listed.
            var row = await table.GetOrNullAsync<ExpertEntity>(e.PartitionKey, e.RowKey, cancellationToken).ConfigureAwait(false);
            if (row is null || !row.Active) continue;
            row.Active = false;
            row.DeactivatedAt = now;
            row.DeactivatedReason = reason;
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Expert {ExpertId} ({Email}) deactivated: {Reason}", e.ExpertId, e.Email, reason);
            deactivated++;
        }

        // Reactivated: stored inactive before, active now.
        var after = (await ExpertTables.ReadExpertsAsync(storage, cancellationToken, [nameof(ExpertEntity.ExpertId), nameof(ExpertEntity.Active)]).ConfigureAwait(false))
            .Where(e => e.Active).Select(e => e.ExpertId).ToHashSet(StringComparer.Ordinal);
        var reactivated = profiles.Count(p => existing.TryGetValue(p.Id, out var e) && !e.Active && after.Contains(p.Id));
        directory.Invalidate();
        var elapsed = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Synced {MemberCount} members of group {GroupId} ({Pages} pages): {ProfileCount} profiles, {Embedded} embedded, " +
                              "{Reactivated} reactivated, {Deactivated} deactivated, {Skipped} skipped in {ElapsedMs:0} ms",
            members.Count, groupId, pages, profiles.Count, imported.Embedded, reactivated, deactivated, skipped.Count, elapsed.TotalMilliseconds);
        return new GraphSyncResult(members.Count, profiles.Count, imported.Embedded, reactivated, deactivated, skipped, pages, elapsed);
    }

    /// <summary>The profile of one member: list fields plus, when read, the per-user profile properties.</summary>
    /// <param name="member">The member as listed (id, displayName, mail, department, jobTitle).</param>
    /// <param name="detail">The per-user read (aboutMe, skills, interests, pastProjects, responsibilities), or null.</param>
    public static ExpertProfile ToProfile(User member, User? detail)
    {
        ArgumentNullException.ThrowIfNull(member);
        var about = Clean(detail?.AboutMe);
        if (about.Contains('<', StringComparison.Ordinal) && about.Contains('>', StringComparison.Ordinal)) about = HtmlText.ToText(about);
        var skills = List(detail?.Skills);
        var evidence = new List<EvidenceItem>();
        void Add(string sourceId, string title, IReadOnlyList<string> values)
        {
            if (values.Count == 0) return;
            var text = $"{title}: {string.Join(", ", values)}";
            evidence.Add(new EvidenceItem(sourceId, "skill", title + ": " + Shorten(string.Join(", ", values), 120), text.Length > 1000 ? text[..1000] : text, null));
        }
        Add("responsibilities", "responsibilities", List(detail?.Responsibilities));
        Add("past-projects", "past projects", List(detail?.PastProjects));
        Add("interests", "interests", List(detail?.Interests));
        return new ExpertProfile(IdPrefix + member.Id, Clean(member.DisplayName), Clean(member.Mail), Clean(member.Department), Clean(member.JobTitle),
            about, skills, evidence, 0, null);
    }

    private async Task<(List<User> Members, int Pages)> ReadMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        var members = new List<User>();
        var builder = graph.Groups[groupId].Members.GraphUser;
        var page = await builder.GetAsync(rc =>
        {
            rc.QueryParameters.Select = MemberSelect;
            rc.QueryParameters.Top = 999;
        }, cancellationToken).ConfigureAwait(false);
        var pages = 1;
        while (page is not null)
        {
            if (page.Value is { } value) members.AddRange(value);
            if (string.IsNullOrEmpty(page.OdataNextLink)) break;
            page = await builder.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            pages++;
        }

        return (members, pages);
    }

    private async Task<Dictionary<string, User?>> ReadProfilesAsync(List<User> members, int parallelism, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, User?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (m, ct) =>
        {
            User? detail;
            try
            {
                detail = await graph.Users[m.Id].GetAsync(rc => rc.QueryParameters.Select = ProfileSelect, ct).ConfigureAwait(false);
            }
            catch (ApiException ex)
            {
                logger.LogWarning("Could not read the profile properties of {UserId} ({DisplayName}): HTTP {Status} {Error}; using the list fields",
                    m.Id, m.DisplayName, ex.ResponseStatusCode, (ex as ODataError)?.Error?.Code ?? ex.Message);
                detail = null;
            }
            lock (result) result[m.Id!] = detail;
        }).ConfigureAwait(false);
        return result;
    }

    private static string Clean(string? s) => string.IsNullOrWhiteSpace(s) ? "" : s.Trim();

    private static List<string> List(List<string>? values) =>
        values is null ? [] : values.Select(Clean).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
