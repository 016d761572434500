using System.ComponentModel.DataAnnotations;

namespace SocialLearning.Experts;

/// <summary>
/// Settings of the Microsoft Graph side of the expert directory (configuration section <c>Graph</c>, shared with
/// <see cref="Graph.GraphOptions"/>, which holds where Graph is): which Microsoft Entra ID group holds the experts, how often the directory is synchronised from it and how long an
/// expert's automatic-replies setting is cached. None is needed for the local (Maildir) setup.
/// </summary>
public sealed class GraphExpertsOptions
{
    /// <summary>Configuration section name: <c>Graph</c>.</summary>
    public const string Section = "Graph";

    /// <summary>Object id of the Microsoft Entra ID group whose user members are the experts; empty = no Graph sync
    /// (the <c>SyncExperts</c> timer does nothing, <c>sync-experts</c> stops with a message).</summary>
    public string? ExpertGroupId { get; set; }

    /// <summary>NCRONTAB schedule (six fields, seconds first) of the <c>SyncExperts</c> timer function; default every six
    /// hours on the hour, <c>0 0 */6 * * *</c>. The Functions host reads it as the app setting
    /// <c>Graph__ExpertSyncSchedule</c> (the function binds <c>%Graph:ExpertSyncSchedule%</c>), so under the host the
    /// setting must exist.</summary>
    [RegularExpression(@"^\s*[0-9*/,\-]+(\s+[0-9A-Za-z*/,\-?]+){5}\s*$",
        ErrorMessage = "Graph:ExpertSyncSchedule must be an NCRONTAB expression of six fields, seconds first (e.g. 0 0 */6 * * *).")]
    public string ExpertSyncSchedule { get; set; } = "0 0 */6 * * *";

    /// <summary>Minutes an expert's automatic-replies setting is cached before Graph is asked again; 0 disables the
    /// cache. Default 5.</summary>
    [Range(0, 1440, ErrorMessage = "Graph:AvailabilityCacheMinutes must be between 0 and 1440.")]
    public int AvailabilityCacheMinutes { get; set; } = 5;

    /// <summary>Per-user profile requests in flight at once during a sync (Graph throttles per app and tenant); default 4.</summary>
    [Range(1, 16, ErrorMessage = "Graph:MaxConcurrentRequests must be between 1 and 16.")]
    public int MaxConcurrentRequests { get; set; } = 4;
}
