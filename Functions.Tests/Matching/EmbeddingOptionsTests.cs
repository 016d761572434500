using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

public sealed class EmbeddingOptionsTests
{
    [Theory]
    [InlineData("Embeddings:Provider", "OpenAi-ish", "Embeddings:Provider")]
    [InlineData("Embeddings:Provider", "", "Embeddings:Provider")]
    [InlineData("Embeddings:BatchSize", "0", "Embeddings:BatchSize")]
    [InlineData("Embeddings:BatchSize", "5000", "Embeddings:BatchSize")]
    [InlineData("Embeddings:Dimensions", "512", "Embeddings:Dimensions")]
    [InlineData("Embeddings:Dimensions", "-1", "Embeddings:Dimensions")]
    [InlineData("Embeddings:MaxInputTokens", "8192", "Embeddings:MaxInputTokens")]
    [InlineData("Embeddings:MaxInputTokens", "0", "Embeddings:MaxInputTokens")]
    [InlineData("Embeddings:MaxRetries", "11", "Embeddings:MaxRetries")]
    [InlineData("Embeddings:MaxRetryDelaySeconds", "0", "Embeddings:MaxRetryDelaySeconds")]
    public async Task Invalid_setting_stops_start_up_with_a_message_naming_it(string key, string value, string named)
    {
        using var host = BuildHost(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Azure_openai_without_endpoint_and_deployment_names_both_settings()
    {
        using var host = BuildHost(new() { ["Embeddings:Provider"] = "AzureOpenAI" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Embeddings:AzureOpenAIEndpoint", error.Message);
        Assert.Contains("Embeddings:AzureOpenAIDeployment", error.Message);
    }

    [Fact]
    public void Relative_endpoint_is_refused()
    {
        using var host = BuildHost(new()
        {
            ["Embeddings:Provider"] = "AzureOpenAI",
            ["Embeddings:AzureOpenAIEndpoint"] = "my-openai.openai.azure.com",
            ["Embeddings:AzureOpenAIDeployment"] = "emb",
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<EmbeddingOptions>>().Value);

        Assert.Contains("Embeddings:AzureOpenAIEndpoint", error.Message);
    }

    [Fact]
    public void No_settings_means_the_local_minilm_model()
    {
        using var host = BuildHost([]);

        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var minilm = Assert.IsType<MiniLmEmbeddingGenerator>(generator);
        Assert.Equal(32, minilm.BatchSize);
        Assert.Same(generator, host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    [Fact]
    public void Provider_is_case_insensitive_and_batch_size_is_passed_on()
    {
        using var host = BuildHost(new() { ["Embeddings:Provider"] = "local", ["Embeddings:BatchSize"] = "8" });

        Assert.Equal(8, Assert.IsType<MiniLmEmbeddingGenerator>(host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>()).BatchSize);
    }

    [Fact]
    public void Azure_openai_settings_give_a_generator_for_the_deployment()
    {
        // Resolving only: generating would ask DefaultAzureCredential for a token, which needs an identity.
        using var host = BuildHost(new()
        {
            ["Embeddings:Provider"] = "AzureOpenAI",
            ["Embeddings:AzureOpenAIEndpoint"] = "https://my-openai.openai.azure.com/",
            ["Embeddings:AzureOpenAIDeployment"] = "emb-small",
            ["Embeddings:Dimensions"] = "256",
        });

        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.IsNotType<MiniLmEmbeddingGenerator>(generator);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("emb-small", metadata.DefaultModelId);
        Assert.Equal(256, metadata.DefaultModelDimensions);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEmbeddings();
        return builder.Build();
    }
}
