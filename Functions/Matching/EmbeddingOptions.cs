using System.ComponentModel.DataAnnotations;

namespace SocialLearning.Matching;

/// <summary>
/// Which embedding model turns questions and expert evidence into vectors. Bound from the configuration
/// section <c>Embeddings</c> (<see cref="SectionName"/>) and validated at start-up; every error message names
/// the setting, e.g. <c>Embeddings:Provider</c>.
/// </summary>
/// <remarks>
/// Changing the provider, deployment or <see cref="Dimensions"/> changes the vector space: the stored expert
/// vectors then no longer match (<see cref="EmbeddingMismatchException"/>) until the <c>reembed</c> command runs.
/// No key is configured anywhere: Azure OpenAI is called with <c>DefaultAzureCredential</c> (managed identity
/// in Azure, developer sign-in locally), which needs the "Cognitive Services OpenAI User" role on the resource.
/// </remarks>
public sealed class EmbeddingOptions : IValidatableObject
{
    /// <summary>Configuration section: <c>Embeddings</c>.</summary>
    public const string SectionName = "Embeddings";

    /// <summary>Provider value for the built-in all-MiniLM-L6-v2 model: <c>Local</c>.</summary>
    public const string LocalProvider = "Local";

    /// <summary>Provider value for an Azure OpenAI embeddings deployment: <c>AzureOpenAI</c>.</summary>
    public const string AzureOpenAIProvider = "AzureOpenAI";

    /// <summary>
    /// <c>Local</c> (default; all-MiniLM-L6-v2, 384 dims, in process) or <c>AzureOpenAI</c>; case-insensitive.
    /// Setting: <c>Embeddings:Provider</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Embeddings:Provider is required: 'Local' or 'AzureOpenAI'.")]
    public string Provider { get; set; } = LocalProvider;

    /// <summary>
    /// Azure OpenAI resource endpoint, e.g. <c>https://my-openai.openai.azure.com/</c>; required when
    /// <see cref="Provider"/> is <c>AzureOpenAI</c>. Setting: <c>Embeddings:AzureOpenAIEndpoint</c>.
    /// </summary>
    public Uri? AzureOpenAIEndpoint { get; set; }

    /// <summary>
    /// Name of the embeddings deployment on that resource, e.g. <c>text-embedding-3-small</c>; required when
    /// <see cref="Provider"/> is <c>AzureOpenAI</c>. Setting: <c>Embeddings:AzureOpenAIDeployment</c>.
    /// </summary>
    public string? AzureOpenAIDeployment { get; set; }

    /// <summary>
    /// Requested vector length, or null for the model's native size. Azure OpenAI <c>text-embedding-3-*</c>
    /// models can shorten their output (1 to the native size); the local model only has 384. Setting:
    /// <c>Embeddings:Dimensions</c>.
    /// </summary>
    [Range(1, VectorCodec.MaxDimensions, ErrorMessage = "Embeddings:Dimensions must be between {1} and {2} when set.")]
    public int? Dimensions { get; set; }

    /// <summary>
    /// Texts per model call (local; each call is also capped at <see cref="MiniLmEmbeddingGenerator.MaxBatchChars"/>
    /// characters) or per HTTP request (Azure OpenAI, which accepts at most 2,048 inputs a request); default 32.
    /// Setting: <c>Embeddings:BatchSize</c>.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "Embeddings:BatchSize must be between {1} and {2}.")]
    public int BatchSize { get; set; } = MiniLmEmbeddingGenerator.DefaultBatchSize;

    /// <summary>
    /// Azure OpenAI only: each input is cut to at most this many tokens before it is sent, counted with the model's own
    /// tokenizer (cl100k_base, <see cref="EmbeddingTokenLimit"/>). Default and maximum 8,191, the input limit of
    /// <c>text-embedding-3-small</c>, <c>text-embedding-3-large</c> and <c>text-embedding-ada-002</c>; an input over the
    /// limit would fail the whole request with HTTP 400. Setting: <c>Embeddings:MaxInputTokens</c>.
    /// </summary>
    [Range(1, EmbeddingTokenLimit.ModelMaxInputTokens, ErrorMessage = "Embeddings:MaxInputTokens must be between {1} and {2}.")]
    public int MaxInputTokens { get; set; } = EmbeddingTokenLimit.ModelMaxInputTokens;

    /// <summary>
    /// Azure OpenAI only: retries after a throttled (HTTP 429) or transient (408, 500, 502, 503, 504) answer or a network
    /// failure, so at most <c>MaxRetries + 1</c> tries per request; 0 to 10, default 5. Each wait honours the server's
    /// <c>retry-after-ms</c> / <c>Retry-After</c> (<see cref="RetryAfterPolicy"/>). Setting: <c>Embeddings:MaxRetries</c>.
    /// </summary>
    [Range(0, 10, ErrorMessage = "Embeddings:MaxRetries must be between {1} and {2}.")]
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// Azure OpenAI only: the longest wait before one retry, in seconds; 1 to 600, default 60. When the server asks for
    /// a longer wait (<c>Retry-After</c>), the request is not retried and the 429 is reported at once instead of
    /// retrying too early. Setting: <c>Embeddings:MaxRetryDelaySeconds</c>.
    /// </summary>
    [Range(1, 600, ErrorMessage = "Embeddings:MaxRetryDelaySeconds must be between {1} and {2}.")]
    public int MaxRetryDelaySeconds { get; set; } = 60;

    /// <summary>True when <see cref="Provider"/> is <c>Local</c> (case-insensitive).</summary>
    public bool IsLocal => string.Equals(Provider, LocalProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <see cref="Provider"/> is <c>AzureOpenAI</c> (case-insensitive).</summary>
    public bool IsAzureOpenAI => string.Equals(Provider, AzureOpenAIProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Cross-field rules, run by <c>ValidateDataAnnotations</c> after the attribute checks pass: a known
    /// provider; for Azure OpenAI an absolute http(s) endpoint and a deployment; for Local no size but 384.
    /// </summary>
    /// <param name="validationContext">Supplied by the validator.</param>
    /// <returns>One result per broken rule, each naming its <c>Embeddings:…</c> setting.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsLocal)
        {
            if (Dimensions is { } dimensions && dimensions != MiniLmEmbeddingGenerator.Dimensions)
            {
                yield return new ValidationResult(
                    $"Embeddings:Dimensions is {dimensions}, but the Local provider ({MiniLmEmbeddingGenerator.ModelId}) only produces {MiniLmEmbeddingGenerator.Dimensions}; remove the setting or set it to {MiniLmEmbeddingGenerator.Dimensions}.",
                    [nameof(Dimensions)]);
            }
        }
        else if (IsAzureOpenAI)
        {
            if (AzureOpenAIEndpoint is null)
            {
                yield return new ValidationResult(
                    "Embeddings:AzureOpenAIEndpoint is required when Embeddings:Provider is 'AzureOpenAI' (e.g. https://my-openai.openai.azure.com/).",
                    [nameof(AzureOpenAIEndpoint)]);
            }
            else if (!AzureOpenAIEndpoint.IsAbsoluteUri || (AzureOpenAIEndpoint.Scheme != Uri.UriSchemeHttps && AzureOpenAIEndpoint.Scheme != Uri.UriSchemeHttp))
            {
                yield return new ValidationResult(
                    $"Embeddings:AzureOpenAIEndpoint must be an absolute https URI; got '{AzureOpenAIEndpoint.OriginalString}'.",
                    [nameof(AzureOpenAIEndpoint)]);
            }

            if (string.IsNullOrWhiteSpace(AzureOpenAIDeployment))
            {
                yield return new ValidationResult(
                    "Embeddings:AzureOpenAIDeployment is required when Embeddings:Provider is 'AzureOpenAI' (the name of the embeddings deployment, e.g. text-embedding-3-small).",
                    [nameof(AzureOpenAIDeployment)]);
            }
        }
        else
        {
            yield return new ValidationResult(
                $"Embeddings:Provider '{Provider}' is not known; use '{LocalProvider}' or '{AzureOpenAIProvider}'.",
                [nameof(Provider)]);
        }
    }
}
