using System.Globalization;
using Microsoft.Graph.Models;

namespace SocialLearning.Experts;

/// <summary>
/// Turns a Graph <c>dateTimeTimeZone</c> (a wall-clock <c>dateTime</c> such as <c>2026-12-04T17:00:00.0000000</c> plus a
/// <c>timeZone</c> name, Windows — <c>Pacific Standard Time</c> — or IANA — <c>America/Los_Angeles</c>; see
/// https://learn.microsoft.com/graph/api/resources/datetimetimezone) into an instant.
/// </summary>
/// <remarks>
/// <see cref="TimeZoneInfo.FindSystemTimeZoneById"/> finds IANA ids from the system's tz database on Linux and Windows ids
/// on Windows. Converting a Windows id on Linux needs ICU, which this app does not load (<c>InvariantGlobalization</c>),
/// so the Windows ids Exchange uses for the common zones are mapped to IANA ids here first (each to the zone of the
/// region the Windows zone is named after).
/// </remarks>
public static class GraphTimeZones
{
    private static readonly Dictionary<string, string> WindowsToIana = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UTC"] = "Etc/UTC",
        ["Coordinated Universal Time"] = "Etc/UTC",
        ["GMT Standard Time"] = "Europe/London",
        ["Greenwich Standard Time"] = "Atlantic/Reykjavik",
        ["W. Europe Standard Time"] = "Europe/Berlin",
        ["Central Europe Standard Time"] = "Europe/Budapest",
        ["Central European Standard Time"] = "Europe/Warsaw",
        ["Romance Standard Time"] = "Europe/Paris",
        ["E. Europe Standard Time"] = "Europe/Chisinau",
        ["FLE Standard Time"] = "Europe/Kiev",
        ["GTB Standard Time"] = "Europe/Bucharest",
        ["Russian Standard Time"] = "Europe/Moscow",
        ["Turkey Standard Time"] = "Europe/Istanbul",
        ["Israel Standard Time"] = "Asia/Jerusalem",
        ["South Africa Standard Time"] = "Africa/Johannesburg",
        ["Egypt Standard Time"] = "Africa/Cairo",
        ["Arabian Standard Time"] = "Asia/Dubai",
        ["Arab Standard Time"] = "Asia/Riyadh",
        ["India Standard Time"] = "Asia/Kolkata",
        ["Pakistan Standard Time"] = "Asia/Karachi",
        ["Bangladesh Standard Time"] = "Asia/Dhaka",
        ["SE Asia Standard Time"] = "Asia/Bangkok",
        ["Singapore Standard Time"] = "Asia/Singapore",
        ["China Standard Time"] = "Asia/Shanghai",
        ["Taipei Standard Time"] = "Asia/Taipei",
        ["Tokyo Standard Time"] = "Asia/Tokyo",
        ["Korea Standard Time"] = "Asia/Seoul",
        ["W. Australia Standard Time"] = "Australia/Perth",
        ["Cen. Australia Standard Time"] = "Australia/Adelaide",
        ["AUS Central Standard Time"] = "Australia/Darwin",
        ["E. Australia Standard Time"] = "Australia/Brisbane",
        ["AUS Eastern Standard Time"] = "Australia/Sydney",
        ["New Zealand Standard Time"] = "Pacific/Auckland",
        ["Hawaiian Standard Time"] = "Pacific/Honolulu",
        ["Alaskan Standard Time"] = "America/Anchorage",
        ["Pacific Standard Time"] = "America/Los_Angeles",
        ["US Mountain Standard Time"] = "America/Phoenix",
        ["Mountain Standard Time"] = "America/Denver",
        ["Central Standard Time"] = "America/Chicago",
        ["Central America Standard Time"] = "America/Guatemala",
        ["Central Standard Time (Mexico)"] = "America/Mexico_City",
        ["Canada Central Standard Time"] = "America/Regina",
        ["Eastern Standard Time"] = "America/New_York",
        ["US Eastern Standard Time"] = "America/Indianapolis",
        ["SA Pacific Standard Time"] = "America/Bogota",
        ["Atlantic Standard Time"] = "America/Halifax",
        ["Newfoundland Standard Time"] = "America/St_Johns",
        ["E. South America Standard Time"] = "America/Sao_Paulo",
        ["Argentina Standard Time"] = "America/Buenos_Aires",
        ["Pacific SA Standard Time"] = "America/Santiago",
    };

    /// <summary>
    /// The instant <paramref name="value"/> denotes, or null when it is missing or its date cannot be read. An unknown
    /// zone name is read as UTC and reported through <paramref name="unknownZone"/>.
    /// </summary>
    /// <param name="value">A Graph <c>dateTimeTimeZone</c>.</param>
    /// <param name="unknownZone">Set to the zone name when it was not recognised (then UTC was assumed); otherwise null.</param>
    public static DateTimeOffset? ToInstant(DateTimeTimeZone? value, out string? unknownZone)
    {
        unknownZone = null;
        if (value?.DateTime is not { Length: > 0 } text) return null;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var wall)) return null;
        if (wall.Kind == DateTimeKind.Local) wall = wall.ToUniversalTime();
        if (wall.Kind == DateTimeKind.Utc) return new DateTimeOffset(wall, TimeSpan.Zero);
        var zone = Find(value.TimeZone);
        if (zone is null)
        {
            unknownZone = value.TimeZone;
            zone = TimeZoneInfo.Utc;
        }

        // GetUtcOffset never throws: a wall time in a spring-forward gap gets the standard offset.
        return new DateTimeOffset(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), zone.GetUtcOffset(wall));
    }

    /// <summary>The zone named <paramref name="name"/> (Windows or IANA id; empty means UTC), or null when unknown.</summary>
    /// <param name="name">A time-zone name as Graph sends it.</param>
    public static TimeZoneInfo? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return TimeZoneInfo.Utc;
        name = name.Trim();
        if (name.Equals("UTC", StringComparison.OrdinalIgnoreCase) || name.Equals("Etc/UTC", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
        if (WindowsToIana.TryGetValue(name, out var iana) && TryFind(iana) is { } mapped) return mapped;
        return TryFind(name);
    }

    private static TimeZoneInfo? TryFind(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
