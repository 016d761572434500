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
}
