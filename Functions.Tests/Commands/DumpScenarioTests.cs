using SocialLearning.Commands;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Commands;

public class DumpScenarioTests
{
    [Fact]
    public void Site_folder_and_its_raw_folder_give_the_same_scenario_as_evaluate_takes_them()
    {
        var site = SharedData.RequireQuantumSite();
        var fromSite = DumpScenario.Load(site);
        var fromRaw = DumpScenario.Load(Path.Combine(site, "raw"));

        Assert.Equal(94, fromSite.Mails.Count);
        Assert.Equal(fromRaw.Mails.Select(m => m.Tag), fromSite.Mails.Select(m => m.Tag));
        Assert.Equal(fromRaw.Name, fromSite.Name);
        Assert.StartsWith("Stack Exchange dump quantumcomputing.stackexchange.com: 53 candidate experts, 94 test questions", fromSite.Name);
        Assert.Empty(fromSite.Warnings);
    }

    [Fact]
    public void Folder_without_the_dump_files_names_both_places_looked_in()
    {
        var empty = Directory.CreateTempSubdirectory("sl-dump-").FullName;
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => DumpScenario.Load(empty));
            Assert.Contains($"'{empty}' or its 'raw' sub-folder", ex.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public async Task A_dump_without_candidate_experts_is_refused_instead_of_emptying_the_directory_and_left_out_rows_are_reported()
    {
        var folder = Directory.CreateTempSubdirectory("sl-dump-").FullName;
        try
        {
            // Ten questions a day apart, each answered once by another user (nobody reaches 3 answers); one more question
            // without a date and one answer without a question; Users.xml empty.
            var rows = string.Concat(Enumerable.Range(1, 10).Select(i =>
                $"<row Id=\"{i}\" PostTypeId=\"1\" CreationDate=\"2021-03-{i:00}T09:00:00.000\" OwnerUserId=\"{100 + i}\" Title=\"Question {i}\" Body=\"How?\" />" +
                $"<row Id=\"{1000 + i}\" PostTypeId=\"2\" ParentId=\"{i}\" CreationDate=\"2021-03-{i:00}T10:00:00.000\" OwnerUserId=\"{i}\" Body=\"Like this.\" />"));
            rows += "<row Id=\"77\" PostTypeId=\"1\" CreationDate=\"yesterday\" Title=\"Undated\" Body=\"?\" /><row Id=\"78\" PostTypeId=\"2\" CreationDate=\"2021-03-05T10:00:00.000\" Body=\"Orphan\" />";
            File.WriteAllText(Path.Combine(folder, "Posts.xml"), $"<?xml version=\"1.0\" encoding=\"utf-8\"?><posts>{rows}</posts>");
            File.WriteAllText(Path.Combine(folder, "Users.xml"), "<?xml version=\"1.0\" encoding=\"utf-8\"?><users></users>");

            string[] warnings =
            [
                "2 question or answer rows of Posts.xml left out: 1 without a readable CreationDate, 1 answer without ParentId (post ids 77, 78).",
                "Users.xml lists no users: the profiles lack everyone's \"about me\" text, so they, and any figures built on them, differ from the full dump's.",
            ];
            var ex = Assert.Throws<InvalidOperationException>(() => DumpScenario.Load(folder));
            Assert.Equal("The dump gives no candidate experts: no user has 3 or more answers before the cutoff (2021-03-09; 8 of the site's 10 answers are from before it). " +
                         "Nothing was imported; the directory is left as it is. " + string.Join(" ", warnings), ex.Message);

            // The same rows with every answer by user 1, who so becomes a candidate: loaded, and the scenario carries the warnings.
            var posts = File.ReadAllText(Path.Combine(folder, "Posts.xml"));
            File.WriteAllText(Path.Combine(folder, "Posts.xml"), System.Text.RegularExpressions.Regex.Replace(posts,
                "(PostTypeId=\"2\" ParentId=\"\\d+\" CreationDate=\"[^\"]+\" OwnerUserId=)\"\\d+\"", "$1\"1\""));
            var scenario = DumpScenario.Load(folder);
            Assert.Single(scenario.Profiles);
            Assert.Equal(warnings, scenario.Warnings);

            // The questions after the cutoff (9 and 10) answered by user 2 instead, who is no candidate: a candidate but no
            // test question a candidate answered. demo refuses it before storage is touched.
            File.WriteAllText(Path.Combine(folder, "Posts.xml"), System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(folder, "Posts.xml")),
                "(PostTypeId=\"2\" ParentId=\"(?:9|10)\" CreationDate=\"[^\"]+\" OwnerUserId=)\"1\"", "$1\"2\""));
            Assert.Empty(DumpScenario.Load(folder).Mails);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DemoCommand.RunAsync(folder, Path.Combine(folder, "mailbox"), null, TestContext.Current.CancellationToken));
            Assert.StartsWith("The dump has no test question answered by one of its candidate experts", refused.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
