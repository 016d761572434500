using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SocialLearning.Tests;

public sealed class StartupValidationTests
{
    private static Dictionary<string, string?> Good() => new()
    {
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Mail:SharedAddress"] = "ask@northwind.example",
        ["Mail:MaildirRoot"] = Path.GetTempPath(),
        ["Embeddings:Provider"] = "Local",
    };

    /// <summary>Runs the start-up validation of the service registered over <paramref name="values"/>; null when it passes.</summary>
    internal static OptionsValidationException? Validate(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging();
        services.AddSocialLearning();
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex;
        }
    }

    [Fact]
    public void Good_local_settings_pass_validation() => Assert.Null(Validate(Good()));

    [Fact]
    public void Missing_storage_fails_at_start_naming_the_setting()
    {
        var values = Good();
        values.Remove("Storage:ConnectionString");
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Storage:ConnectionString", ex.Message);
        Assert.Contains("Storage:AccountName", ex.Message);
    }

    [Fact]
    public void Unknown_embedding_provider_fails_at_start_naming_the_setting()
    {
        var values = Good();
        values["Embeddings:Provider"] = "Word2Vec";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Embeddings:Provider", ex.Message);
        Assert.Contains("Word2Vec", ex.Message);
    }

    [Fact]
    public void Missing_maildir_path_fails_at_start_naming_the_setting()
    {
        var values = Good();
        var missing = Path.Combine(Path.GetTempPath(), "no-such-mailbox-" + Guid.NewGuid().ToString("N"));
        values["Mail:MaildirRoot"] = missing;
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Mail:MaildirRoot", ex.Message);
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void Shared_address_that_is_not_an_address_fails_at_start()
    {
        var values = Good();
        values["Mail:SharedAddress"] = "not-an-address";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Mail:SharedAddress", ex.Message);
    }

    [Fact]
    public void Routing_out_of_range_fails_at_start()
    {
        var values = Good();
        values["Routing:ExpertsPerQuestion"] = "0";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Routing:ExpertsPerQuestion", ex.Message);
    }

    [Fact]
    public void Storage_connection_string_that_cannot_be_parsed_fails_at_start_naming_the_setting()
    {
        var values = Good();
        values["Storage:ConnectionString"] = "garbage";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Storage:ConnectionString is not a valid storage connection string", ex.Message);
    }

    [Fact]
    public void Candidate_pool_smaller_than_the_experts_asked_fails_at_start()
    {
        var values = Good();
        values["Routing:ExpertsPerQuestion"] = "5";
        values["Routing:CandidatePoolSize"] = "1";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("Routing:CandidatePoolSize (1) must be at least Routing:ExpertsPerQuestion (5)", ex.Message);
    }

    [Theory]
    [InlineData("Routing:Weights:Bm25", "0", "Routing:Weights:Bm25 (0) must be above 0")]
    [InlineData("Routing:Weights:Recency", "-1", "Routing:Weights:Recency (-1) must be above 0")]
    [InlineData("Routing:Weights:LoadFade", "1.5", "Routing:Weights:LoadFade (1.5) must be at least 0 and at most 1")]
    [InlineData("Routing:Weights:RecencyHalfLifeDays", "0.5", "Routing:Weights:RecencyHalfLifeDays (0.5) must be at least 1")]
    [InlineData("Routing:Weights:Centroid", "NaN", "Routing:Weights:Centroid (NaN)")]
    public void Ranker_weight_out_of_range_fails_at_start_naming_the_setting(string key, string value, string expected)
    {
        var values = Good();
        values[key] = value;
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Priors_outweighing_the_content_fail_at_start_with_the_rule()
    {
        var values = Good();
        values["Routing:Weights:Activity"] = "2";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        // Defaults: content 0.25 + 0.5 + 0.25 + 0.25 = 1.25 against priors 2 + 1 + 0.25 = 3.25.
        Assert.Contains("Evidence + Centroid + Bm25 + Topic (1.25) must be at least Activity + Recency + Responsiveness (3.25)", ex.Message);
    }

    [Fact]
    public void Content_equal_to_the_priors_passes_despite_floating_point()
    {
        // 0.1 + 0.7 + 0.1 + 0 is 0.8999999999999999 in doubles; 0.65 + 0.25 is 0.9.
        var values = Good();
        values["Routing:Weights:Evidence"] = "0.1";
        values["Routing:Weights:Centroid"] = "0.7";
        values["Routing:Weights:Bm25"] = "0.1";
        values["Routing:Weights:Topic"] = "0";
        values["Routing:Weights:Recency"] = "0.65";
        values["Routing:Weights:Responsiveness"] = "0.25";
        Assert.Null(Validate(values));

        values["Routing:Weights:Recency"] = "0.6501";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains("(0.9) must be at least Activity + Recency + Responsiveness (0.9001)", ex.Message);
    }

    [Fact]
    public void Calibrated_weights_pass_and_bind_to_the_ranker()
    {
        var values = Good();
        var calibrated = SocialLearning.Matching.HybridWeights.Default with { Evidence = 0.5, Centroid = 0.9, Lexical = 0.5, Topic = 0.45, Recency = 2, LoadPenalty = 0.05 };
        foreach (var (key, value) in SocialLearning.Routing.RankerWeightOptions.SettingsFor(calibrated))
            values[key] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Null(Validate(values));

        var options = new SocialLearning.Routing.RoutingOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Routing").Bind(options);
        Assert.Equal(calibrated, options.Weights.ToHybridWeights());
        Assert.Equal(SocialLearning.Matching.HybridWeights.Default, new SocialLearning.Routing.RoutingOptions().Weights.ToHybridWeights());
    }

    [Fact]
    public void Printed_live_settings_of_scaled_weights_pass_and_give_back_the_same_weights()
    {
        // A calibration step that scales the content up to the priors leaves thirds: printed to 4 decimals they would sum
        // to 0.9999 against priors of 1 and the service would refuse to start.
        var third = 1.0 / 3;
        var scaled = SocialLearning.Matching.HybridWeights.Default with { Evidence = third, Centroid = 0, Lexical = third, Topic = third, Recency = 0.5, Responsiveness = 0.5 };
        var line = SocialLearning.Commands.EvaluateCommand.LiveSettings(scaled);

        Assert.Equal(11, line.Split(' ').Length);
        var values = Good();
        foreach (var pair in line.Split(' '))
        {
            var (key, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        Assert.Null(Validate(values));
        var options = new SocialLearning.Routing.RoutingOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Routing").Bind(options);
        Assert.Equal(scaled, options.Weights.ToHybridWeights());
    }

    [Theory]
    [InlineData("Routing:Weights:RecencyHalfLife", "Routing:Weights:RecencyHalfLife is not a setting; the weights are Evidence, Centroid, Bm25, Topic, Activity, Recency, RecencyHalfLifeDays, Responsiveness, PriorFloor, LoadPenalty, LoadFade.")]
    [InlineData("Routing:Weights:Lexical", "Routing:Weights:Lexical is not a setting")]
    [InlineData("Routing:Weights", "Routing:Weights has a value of its own ('2')")]
    [InlineData("Routing:Weights:Evidence:X", "Routing:Weights:Evidence:X is not a setting; a weight is one number (Routing:Weights:Evidence).")]
    public void Unknown_weight_names_fail_at_start_instead_of_leaving_the_default(string key, string expected)
    {
        var values = Good();
        values[key] = "2";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Contains(expected, ex.Message);

        // Names are matched as the binder matches them: case-insensitively.
        values.Remove(key);
        values["Routing:Weights:bm25"] = "2";
        Assert.Null(Validate(values));
    }

    [Fact]
    public void A_key_below_an_unknown_name_is_reported_once_as_the_unknown_name()
    {
        var values = Good();
        values["Routing:Weights:Lexical:X"] = "2";
        var ex = Assert.IsType<OptionsValidationException>(Validate(values));
        Assert.Equal(["Routing:Weights:Lexical is not a setting; the weights are Evidence, Centroid, Bm25, Topic, Activity, Recency, RecencyHalfLifeDays, Responsiveness, PriorFloor, LoadPenalty, LoadFade."],
            ex.Failures);
    }

    [Fact]
    public void Evaluate_starts_from_the_configured_weights_and_checks_only_the_routing_settings()
    {
        static SocialLearning.Matching.HybridWeights Live(Dictionary<string, string?> values) =>
            SocialLearning.Commands.CommandHost.ValidatedRoutingSettings(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).Weights.ToHybridWeights();

        // No storage, no mailbox (a fresh clone has no .local/mailbox yet): evaluate needs neither.
        Assert.Equal(SocialLearning.Matching.HybridWeights.Default, Live([]));
        Assert.Equal(SocialLearning.Matching.HybridWeights.Default with { Lexical = 2, RecencyHalfLifeDays = 30 },
            Live(new() { ["Routing:Weights:Bm25"] = "2", ["Routing:Weights:RecencyHalfLifeDays"] = "30", ["Mail:MaildirRoot"] = "/nonexistent-folder" }));

        // The routing settings themselves are checked as the service checks them.
        var ex = Assert.Throws<OptionsValidationException>(() => Live(new() { ["Routing:Weights:Bm25"] = "0" }));
        Assert.Contains("Routing:Weights:Bm25 (0) must be above 0", ex.Message);
        ex = Assert.Throws<OptionsValidationException>(() => Live(new() { ["Routing:Weights:RecencyHalfLife"] = "30" }));
        Assert.Contains("Routing:Weights:RecencyHalfLife is not a setting", ex.Message);
        ex = Assert.Throws<OptionsValidationException>(() => Live(new() { ["Routing:Weights:Bm25"] = "abc" }));
        Assert.Contains("Routing:Weights:Bm25", ex.Message);
    }
}
