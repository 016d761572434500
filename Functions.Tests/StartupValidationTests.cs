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
}
