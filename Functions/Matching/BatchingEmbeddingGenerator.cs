using Microsoft.Extensions.AI;

namespace SocialLearning.Matching;

/// <summary>
/// Wraps a remote generator so that it behaves like the local one: empty or whitespace inputs are rejected
/// (with their index) before any request, and inputs are sent at most <c>batchSize</c> per call, results
/// concatenated in input order with usage summed.
/// </summary>
internal sealed class BatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int batchSize)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var inputs = EmbeddingInput.Validate(values, nameof(values));
        if (inputs.Length <= batchSize)
        {
            return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        var all = new GeneratedEmbeddings<Embedding<float>>(inputs.Length);
        UsageDetails? usage = null;
        for (var start = 0; start < inputs.Length; start += batchSize)
        {
            var batch = inputs.AsSpan(start, Math.Min(batchSize, inputs.Length - start)).ToArray();
            var part = await base.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            if (part.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding service returned {part.Count} embeddings for {batch.Length} inputs.");
            }

            all.AddRange(part);
            if (part.Usage is not null)
            {
                usage ??= new UsageDetails();
                usage.Add(part.Usage);
            }
        }

        all.Usage = usage;
        return all;
    }
}
