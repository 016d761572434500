using Xunit;

namespace SocialLearning.Tests.Experts;

/// <summary>Finds the read-only <c>shared/data</c> folder that sits beside the repository (or one of its ancestors).</summary>
internal static class SharedData
{
    public const string QuantumSite = "quantumcomputing.stackexchange.com";

    /// <summary>The first <c>X/shared/data</c> found walking up from the test binaries, or null.</summary>
    public static string? FindDataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The quantumcomputing site folder (holding <c>raw/</c> and <c>derived/</c>), or null when absent.</summary>
    public static string? FindQuantumSite()
    {
        var data = FindDataFolder();
        if (data is null) return null;
        var site = Path.Combine(data, "cqa", QuantumSite);
        return File.Exists(Path.Combine(site, "raw", "Posts.xml")) && File.Exists(Path.Combine(site, "derived", "split.json"))
            ? site
            : null;
    }

    /// <summary>The quantumcomputing site folder, or skips the calling test with the reason.</summary>
    public static string RequireQuantumSite() =>
        FindQuantumSite() ?? throw SkipNow();

    private static Exception SkipNow()
    {
        Assert.Skip($"Real-data test skipped: no shared/data/cqa/{QuantumSite}/ (raw/Posts.xml and derived/split.json) " +
                    $"found beside any ancestor of {AppContext.BaseDirectory}.");
        return new InvalidOperationException("unreachable");
    }
}
