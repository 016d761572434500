using System.ClientModel;
using Azure.AI.OpenAI;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialLearning.Matching;

/// <summary>Registers the embedding generator chosen by <see cref="EmbeddingOptions"/>.</summary>
public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EmbeddingOptions"/> from the <c>Embeddings</c> section (validated with DataAnnotations at
    /// start-up, so a bad setting stops the host with a message naming it) and registers a singleton
    /// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> of <c>string</c> → <c>Embedding&lt;float&gt;</c>:
    /// <list type="bullet">
    /// <item><c>Local</c>: <see cref="MiniLmEmbeddingGenerator"/> (all-MiniLM-L6-v2, 384 dims).</item>
    /// <item><c>AzureOpenAI</c>: <c>AzureOpenAIClient(endpoint, new DefaultAzureCredential())
    /// .GetEmbeddingClient(deployment).AsIEmbeddingGenerator(dimensions)</c>, sending at most <c>BatchSize</c> inputs a
    /// request, cutting each input to <c>MaxInputTokens</c> cl100k_base tokens (<see cref="EmbeddingTokenLimit"/>),
    /// rejecting empty inputs like the local one, and retrying throttled requests no sooner than the server's
    /// <c>Retry-After</c> (<see cref="RetryAfterPolicy"/>).</item>
    /// </list>
    /// An existing registration of the generator is kept (TryAdd), so tests can substitute their own.
    /// </summary>
    /// <param name="services">The service collection; needs an <c>IConfiguration</c> registered (the host does that).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EmbeddingOptions>()
            .BindConfiguration(EmbeddingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(provider =>
            CreateGenerator(provider.GetRequiredService<IOptions<EmbeddingOptions>>().Value, static () => new DefaultAzureCredential()));
        return services;
    }

    /// <summary>Creates the generator for validated options; Azure OpenAI authenticates with the token credential made by <paramref name="credential"/>.</summary>
    internal static IEmbeddingGenerator<string, Embedding<float>> CreateGenerator(EmbeddingOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsLocal)
        {
            return new MiniLmEmbeddingGenerator(options.BatchSize);
        }

        var (endpoint, deployment) = RequireAzureOpenAI(options);
        return CreateAzureOpenAI(new AzureOpenAIClient(endpoint, credential(), ClientOptions(options, null)), deployment, options);
    }

    /// <summary>
    /// Test overload: Azure OpenAI with an API key instead of a token credential (DefaultAzureCredential cannot
    /// obtain a token where there is no identity). Production code never uses keys.
    /// </summary>
    /// <param name="options">Validated options.</param>
    /// <param name="apiKey">The key the loopback test server expects.</param>
    /// <param name="initialRetryDelay">Backoff before the first retry when the server names no delay (tests shorten it); default 0.8 s.</param>
    internal static IEmbeddingGenerator<string, Embedding<float>> CreateGenerator(EmbeddingOptions options, ApiKeyCredential apiKey, TimeSpan? initialRetryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (endpoint, deployment) = RequireAzureOpenAI(options);
        return CreateAzureOpenAI(new AzureOpenAIClient(endpoint, apiKey, ClientOptions(options, initialRetryDelay)), deployment, options);
    }

    /// <summary>
    /// Client options: the pipeline's retry policy is replaced by <see cref="RetryAfterPolicy"/> (at most
    /// <see cref="EmbeddingOptions.MaxRetries"/> retries, each waiting at least the server's <c>Retry-After</c> /
    /// <c>retry-after-ms</c>, at most <see cref="EmbeddingOptions.MaxRetryDelaySeconds"/>).
    /// </summary>
    private static AzureOpenAIClientOptions ClientOptions(EmbeddingOptions options, TimeSpan? initialRetryDelay) => new()
    {
        RetryPolicy = new RetryAfterPolicy(options.MaxRetries, TimeSpan.FromSeconds(options.MaxRetryDelaySeconds), initialRetryDelay),
    };

    private static IEmbeddingGenerator<string, Embedding<float>> CreateAzureOpenAI(AzureOpenAIClient client, string deployment, EmbeddingOptions options) =>
        new BatchingEmbeddingGenerator(
            client.GetEmbeddingClient(deployment).AsIEmbeddingGenerator(options.Dimensions),
            options.BatchSize,
            new EmbeddingTokenLimit(options.MaxInputTokens),
            fallbackModelId: deployment);

    private static (Uri Endpoint, string Deployment) RequireAzureOpenAI(EmbeddingOptions options)
    {
        if (!options.IsAzureOpenAI)
        {
            throw new OptionsValidationException(EmbeddingOptions.SectionName, typeof(EmbeddingOptions),
                [$"Embeddings:Provider '{options.Provider}' is not known; use '{EmbeddingOptions.LocalProvider}' or '{EmbeddingOptions.AzureOpenAIProvider}'."]);
        }

        if (options.AzureOpenAIEndpoint is null || string.IsNullOrWhiteSpace(options.AzureOpenAIDeployment))
        {
            throw new OptionsValidationException(EmbeddingOptions.SectionName, typeof(EmbeddingOptions),
                ["Embeddings:AzureOpenAIEndpoint and Embeddings:AzureOpenAIDeployment are required when Embeddings:Provider is 'AzureOpenAI'."]);
        }

        return (options.AzureOpenAIEndpoint, options.AzureOpenAIDeployment);
    }
}
