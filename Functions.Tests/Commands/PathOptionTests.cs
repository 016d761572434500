using SocialLearning.Commands;

namespace SocialLearning.Tests.Commands;

public class PathOptionTests
{
    [Theory]
    [InlineData("evaluate --dump", "--dump needs a folder path, for example --dump ../shared/data/cqa/<site>/raw.")]
    [InlineData("demo --dump", "--dump needs a folder path, for example --dump ../shared/data/cqa/<site>/raw.")]
    [InlineData("demo --mailbox", "--mailbox needs a folder path, for example --mailbox .local/demo-mailbox.")]
    [InlineData("demo --json", "--json needs a file path, for example --json demo.json.")]
    [InlineData("process --mailbox", "--mailbox needs a folder path, for example --mailbox .local/demo-mailbox.")]
    public void Blank_path_is_a_parse_error_with_an_example(string command, string message)
    {
        foreach (var blank in new[] { "", "   " })
        {
            var args = command.Split(' ').Append(blank).ToList();
            if (args[0] == "evaluate") args.AddRange(["--out", "eval.json"]);
            var result = CommandLineApp.BuildRoot().Parse(args);
            Assert.Equal([message], result.Errors.Select(e => e.Message));
        }
    }

    [Fact]
    public void Paths_parse_to_the_folder_and_file_given()
    {
        var result = CommandLineApp.BuildRoot().Parse(["evaluate", "--dump", "site/raw", "--out", "eval.json"]);
        Assert.Empty(result.Errors);
        Assert.Equal(Path.GetFullPath("site/raw"), result.GetValue<DirectoryInfo?>("--dump")!.FullName);
        Assert.Equal(Path.GetFullPath("eval.json"), result.GetValue<FileInfo?>("--out")!.FullName);
    }
}

public class VerbListTests
{
    [Fact]
    public void Every_command_of_the_tree_is_a_verb_that_runs_even_under_the_Functions_host()
    {
        var commands = CommandLineApp.BuildRoot().Subcommands.Select(c => c.Name).Order();
        Assert.Equal(commands, CommandLineApp.Verbs.Where(v => !v.StartsWith('-')).Order());
    }
}
