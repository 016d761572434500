using Microsoft.Extensions.AI;

namespace SocialLearning.Matching;

/// <summary>
/// Wraps a remote generator so that it behaves like the local one: empty or whitespace inputs are rejected (with their
/// index) before any request; with a <see cref="EmbeddingTokenLimit"/>, every input is cut to the model's token limit
/// and a request's inputs stay under <see cref="EmbeddingTokenLimit.MaxRequestTokens"/> together; inputs are sent at
/// most <c>batchSize</c> per call, results concatenated in input order with usage summed. An embedding that comes back
/// without a model id gets <c>fallbackModelId</c>, so every vector can be stored with the space it belongs to.
/// </summary>
/// <remarks>
/// The result's <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/> carry <c>truncated_inputs</c> (how
/// many inputs were cut) and <c>requests</c> (how many calls were made).
/// </remarks>
internal sealed class BatchingEmbeddingGenerator(
    IEmbeddingGenerator<string, Embedding<float>> inner,
    int batchSize,
    EmbeddingTokenLimit? tokenLimit = null,
    string? fallbackModelId = null)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <summary>Key of the number of inputs cut to the token limit in the result's additional properties.</summary>
    public const string TruncatedInputsKey = "truncated_inputs";

    /// <summary>Key of the number of requests made in the result's additional properties.</summary>
    public const string RequestsKey = "requests";

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var inputs = EmbeddingInput.Validate(values, nameof(values));
        var tokens = new int[inputs.Length];
        var truncated = 0;
        if (tokenLimit is not null)
        {
            var fitted = new string[inputs.Length]; // never write into the caller's array
            for (var i = 0; i < inputs.Length; i++)
            {
                (fitted[i], tokens[i], var cut) = tokenLimit.Fit(inputs[i]);
                if (cut) truncated++;
            }

            inputs = fitted;
        }

        var all = new GeneratedEmbeddings<Embedding<float>>(inputs.Length);
        UsageDetails? usage = null;
        var requests = 0;
        for (var start = 0; start < inputs.Length;)
        {
            var end = start + 1;
            var batchTokens = tokens[start];
            while (end < inputs.Length && end - start < batchSize && batchTokens + tokens[end] <= EmbeddingTokenLimit.MaxRequestTokens)
            {
                batchTokens += tokens[end++];
            }

            var batch = inputs[start..end];
            var part = await base.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            requests++;
            if (part.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding service returned {part.Count} embeddings for {batch.Length} inputs.");
            }

            foreach (var e in part)
            {
                if (string.IsNullOrWhiteSpace(e.ModelId) && fallbackModelId is not null) e.ModelId = fallbackModelId;
                all.Add(e);
            }

            if (part.Usage is not null)
            {
                usage ??= new UsageDetails();
                usage.Add(part.Usage);
            }

            start = end;
        }

        all.Usage = usage;
        all.AdditionalProperties = new AdditionalPropertiesDictionary { [TruncatedInputsKey] = truncated, [RequestsKey] = requests };
        return all;
    }
}
