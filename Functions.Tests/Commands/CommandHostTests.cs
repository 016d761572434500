using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using SocialLearning.Commands;

namespace SocialLearning.Tests.Commands;

[Collection("Azurite")] // reads the process environment, which the command-line tests of that collection change
public sealed class CommandHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Local settings as the commands use them, applied last (over any environment variable).</summary>
    private static Dictionary<string, string?> LocalSettings() => new()
    {
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Storage:AccountName"] = "",
        ["Mail:Transport"] = "Maildir",
        ["Mail:SharedAddress"] = "ask@northwind.example",
        ["Mail:MaildirRoot"] = Path.GetTempPath(),
        ["Embeddings:Provider"] = "Local",
    };

    [Fact]
    public async Task Bad_setting_fails_at_once_before_storage_is_probed_or_Azurite_started()
    {
        var settings = LocalSettings();
        settings["Routing:MaxRequestsPerExpert"] = "-1";
        var status = new List<string>();
        var probed = 0;
        var started = 0;
        var sw = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => CommandHost.StartAsync(settings, null, status.Add,
            (_, _) => { probed++; return Task.FromResult(false); },
            (_, _) => { started++; throw new InvalidOperationException("Azurite must not be started"); }, Ct));

        Assert.Contains("Routing:MaxRequestsPerExpert must be between 0 (no cap) and 1000.", ex.Message);
        // What the command prints: the setting's own message, without the framework's "DataAnnotation validation failed for …" wrapper.
        Assert.Equal("Routing:MaxRequestsPerExpert must be between 0 (no cap) and 1000.", CommandLineApp.SettingFailure(Assert.Single(ex.Failures)));
        Assert.Equal(0, probed);
        Assert.Equal(0, started);
        Assert.Empty(status); // no "starting Azurite…" line
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Good_settings_with_no_storage_answering_go_on_to_start_Azurite()
    {
        // The control for the test above: the same path with valid settings does reach the starter.
        var status = new List<string>();
        var started = 0;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => CommandHost.StartAsync(LocalSettings(), null, status.Add,
            (_, _) => Task.FromResult(false),
            (_, _) => { started++; throw new InvalidOperationException("stub starter"); }, Ct));

        Assert.Equal("stub starter", ex.Message);
        Assert.Equal(1, started);
        Assert.Equal("Starting local storage (Azurite; the first start downloads it with npm)…", Assert.Single(status));

        // With data from an earlier command in the folder, the line says where it is kept instead.
        var folder = Directory.CreateTempSubdirectory("sl-host-").FullName;
        try
        {
            var azurite = Directory.CreateDirectory(Path.Combine(folder, ".azurite")).FullName;
            await File.WriteAllTextAsync(Path.Combine(azurite, "__azurite_db_table__.json"), "{}", Ct);
            status.Clear();
            await Assert.ThrowsAsync<InvalidOperationException>(() => CommandHost.StartAsync(LocalSettings(), azurite, status.Add,
                (_, _) => Task.FromResult(false), (_, _) => throw new InvalidOperationException("stub starter"), Ct));
            Assert.Equal("Starting local storage (Azurite on .azurite/, stopped again when the command ends)…", Assert.Single(status));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ValidateSettings_names_every_wrong_setting_without_touching_storage()
    {
        var values = LocalSettings();
        values["Routing:MaxRequestsPerExpert"] = "-1";
        values["Routing:ExpertsPerQuestion"] = "0";
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var ex = Assert.Throws<OptionsValidationException>(void () => CommandHost.ValidateSettings(config));
        Assert.Contains("Routing:MaxRequestsPerExpert", ex.Message);
        Assert.Contains("Routing:ExpertsPerQuestion", ex.Message);
        values.Remove("Routing:MaxRequestsPerExpert");
        values.Remove("Routing:ExpertsPerQuestion");
        CommandHost.ValidateSettings(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    [Fact]
    public void A_setting_that_does_not_convert_to_its_type_is_a_configuration_error_like_the_others()
    {
        var values = LocalSettings();
        values["Routing:MinSimilarity"] = "abc";
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var ex = Assert.Throws<OptionsValidationException>(void () => CommandHost.ValidateSettings(config));

        Assert.Equal("Failed to convert configuration value 'abc' at 'Routing:MinSimilarity' to type 'System.Double'.", Assert.Single(ex.Failures));
    }

    [Theory]
    // From a README-only user run: the binder's message named .NET types ("to type 'System.Int32'").
    [InlineData("Failed to convert configuration value 'abc' at 'Routing:ExpertsPerQuestion' to type 'System.Int32'.", "Routing:ExpertsPerQuestion must be a whole number, not 'abc'.")]
    [InlineData("Failed to convert configuration value '0,5' at 'Routing:MinSimilarity' to type 'System.Double'.", "Routing:MinSimilarity must be a number (with '.' for decimals), not '0,5'.")]
    [InlineData("Failed to convert configuration value 'yes please' at 'Routing:LearnFromAnswers' to type 'System.Boolean'.", "Routing:LearnFromAnswers must be true or false, not 'yes please'.")]
    [InlineData("Something else entirely.", "Something else entirely.")]
    public void A_setting_of_the_wrong_type_is_explained_in_words(string failure, string expected) =>
        Assert.Equal(expected, CommandLineApp.SettingFailure(failure));
}
