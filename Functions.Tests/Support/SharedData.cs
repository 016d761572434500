namespace SocialLearning.Tests.Support;

/// <summary>
/// Finds <c>../shared/data</c> (third-party test data kept beside the repository, never copied into it). Tests that need
/// it call <see cref="RequireDirectory"/>, which skips the test with a clear message when the folder is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data");
            if (Directory.Exists(candidate) && d.GetDirectories("shared").Length > 0 && File.Exists(Path.Combine(candidate, "README.md")))
                return candidate;
        }
        return null;
    });

    /// <summary>The shared data folder, or null when absent.</summary>
    public static string? DataRoot => Root.Value;

    /// <summary>The full path of <paramref name="relative"/> under <c>shared/data</c>; skips the test when it is missing.</summary>
    public static string RequireDirectory(string relative)
    {
        var root = DataRoot;
        if (root is null)
            Assert.Skip($"../shared/data is not present beside the repository (looked upward from {AppContext.BaseDirectory}); this test needs {relative}.");
        var path = Path.Combine(root, relative);
        if (!Directory.Exists(path)) Assert.Skip($"{path} is missing; this test needs it.");
        return path;
    }

    /// <summary>The quantum-computing Stack Exchange dump (raw folder).</summary>
    public static string QuantumComputingRaw() => RequireDirectory(Path.Combine("cqa", "quantumcomputing.stackexchange.com", "raw"));
}
