using SocialLearning.Commands;

namespace SocialLearning.Tests.Commands;

public sealed class OutputFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sl-out-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void New_file_in_a_missing_folder_creates_the_folder_and_leaves_no_file_behind()
    {
        var path = Path.Combine(_folder, "reports", "2026", "outcomes.csv");
        var notices = new List<string>();
        Assert.Equal(path, OutputFile.Validate(path, "--csv", "outcomes.csv", notices.Add));
        Assert.True(Directory.Exists(Path.Combine(_folder, "reports", "2026")));
        Assert.False(File.Exists(path));
        // Said, so a mistyped path does not leave the export somewhere unexpected without a word; nothing said the second time.
        Assert.Equal($"Created the folders {Path.Combine(_folder, "reports")} … {Path.Combine(_folder, "reports", "2026")} for --csv.", Assert.Single(notices));
        OutputFile.Validate(path, "--csv", "outcomes.csv", notices.Add);
        Assert.Single(notices);
    }

    [Fact]
    public void Missing_folder_path_ending_in_a_separator_is_a_folder_error_and_creates_nothing()
    {
        var path = Path.Combine(_folder, "newfolder") + Path.DirectorySeparatorChar;
        var ex = Assert.Throws<ArgumentException>(() => OutputFile.Validate(path, "--csv", "outcomes.csv", _ => Assert.Fail("nothing may be created")));
        Assert.Equal($"--csv '{path}' is a folder; give a file path, for example {Path.Combine(path, "outcomes.csv")}.", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "newfolder")));
    }

    [Fact]
    public void Existing_file_is_accepted_and_left_unchanged()
    {
        var path = Path.Combine(_folder, "demo.json");
        File.WriteAllText(path, "{\"questions\": 33}");
        Assert.Equal(path, OutputFile.Validate(path, "--json", "demo.json"));
        Assert.Equal("{\"questions\": 33}", File.ReadAllText(path));
    }

    [Fact]
    public void Relative_path_resolves_against_the_working_directory()
    {
        var expected = Path.Combine(Environment.CurrentDirectory, "sl-relative-" + Guid.NewGuid().ToString("N") + ".csv");
        Assert.Equal(expected, OutputFile.Validate(Path.GetFileName(expected), "--csv", "outcomes.csv"));
        Assert.False(File.Exists(expected));
    }

    [Fact]
    public void Folder_is_an_error_that_names_the_path_and_suggests_a_file()
    {
        var ex = Assert.Throws<ArgumentException>(() => OutputFile.Validate(_folder, "--csv", "outcomes.csv"));
        Assert.Equal($"--csv '{_folder}' is a folder; give a file path, for example {Path.Combine(_folder, "outcomes.csv")}.", ex.Message);
    }

    [Fact]
    public void Path_under_a_file_is_an_error_that_names_the_file()
    {
        var file = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(file, "x");
        var path = Path.Combine(file, "sub", "demo.json");
        var ex = Assert.Throws<ArgumentException>(() => OutputFile.Validate(path, "--json", "demo.json"));
        Assert.Equal($"--json '{path}' cannot be written: '{file}' is a file, not a folder. Give a file path in a folder you can write to.", ex.Message);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void Unwritable_location_is_an_error_naming_the_path()
    {
        // /proc refuses new files even for root, so this holds however the tests are run.
        if (!OperatingSystem.IsLinux()) Assert.Skip("Needs /proc (Linux).");
        var path = "/proc/sociallearning-demo.json";
        var ex = Assert.Throws<ArgumentException>(() => OutputFile.Validate(path, "--json", "demo.json"));
        Assert.StartsWith($"--json '{path}' cannot be written: ", ex.Message);
        Assert.EndsWith("Give a file path in a folder you can write to.", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_path_is_an_error(string path)
    {
        var ex = Assert.Throws<ArgumentException>(() => OutputFile.Validate(path, "--csv", "intake.csv"));
        Assert.Equal("--csv needs a file path, for example --csv intake.csv.", ex.Message);
    }
}
