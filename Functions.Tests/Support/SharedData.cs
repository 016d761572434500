namespace SocialLearning.Tests.Support;

/// <summary>
/// Finds <c>shared/data</c> (third-party test data kept beside the repository, never copied into it). Tests that need
/// it call a <c>Require…</c> method, which skips the test with a clear message when the data is absent.
/// </summary>
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

    /// <summary>The full path of <paramref name="relative"/> under <c>shared/data</c>; skips the test when it is missing.</summary>
    public static string RequireDirectory(string relative)
    {
        var data = FindDataFolder();
        if (data is null || !Directory.Exists(Path.Combine(data, relative)))
            Assert.Skip($"Real-data test skipped: shared/data/{relative} was not found beside any ancestor of {AppContext.BaseDirectory}.");
        return Path.Combine(data, relative);
    }

    /// <summary>
    /// The text of <c>shared/data/graph/{relative}</c> (Microsoft Graph documentation examples: the shapes Graph sends);
    /// skips the test when it is missing.
    /// </summary>
    public static string RequireGraphExample(string relative)
    {
        var data = FindDataFolder();
        var path = data is null ? null : Path.Combine(data, "graph", relative);
        if (path is null || !File.Exists(path))
            Assert.Skip($"Graph-shape test skipped: shared/data/graph/{relative} was not found beside any ancestor of {AppContext.BaseDirectory}.");
        return File.ReadAllText(path);
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
    public static string RequireQuantumSite()
    {
        var site = FindQuantumSite();
        if (site is null)
            Assert.Skip($"Real-data test skipped: no shared/data/cqa/{QuantumSite}/ (raw/Posts.xml and derived/split.json) " +
                        $"found beside any ancestor of {AppContext.BaseDirectory}.");
        return site;
    }
}
