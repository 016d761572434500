using Microsoft.Extensions.AI;

namespace SocialLearning.Matching;

/// <summary>
/// Identity of the embedding space a vector lives in: the model that produced it and the vector length.
/// Every stored vector carries one (the <c>Experts</c> table keeps the model id beside the binary vector;
/// the dimensions are the byte length / 4), and vectors are only ever compared within one
/// <see cref="VectorModel"/>. Vectors of two models — or of one model at two output sizes, as
/// <c>text-embedding-3-*</c> allows — are not comparable; comparing them is an
/// <see cref="EmbeddingMismatchException"/>, never a silent low score.
/// </summary>
/// <remarks>Equality is ordinal on <see cref="ModelId"/> plus equal <see cref="Dimensions"/>.</remarks>
public sealed record VectorModel
{
    /// <summary>Creates a model identity.</summary>
    /// <param name="modelId">Model id as the generator reports it, e.g. <c>all-MiniLM-L6-v2</c> or <c>text-embedding-3-small</c>.</param>
    /// <param name="dimensions">Vector length (number of float32 components), at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null, empty or whitespace.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is zero or negative.</exception>
    public VectorModel(string modelId, int dimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ModelId = modelId;
        Dimensions = dimensions;
    }

    /// <summary>Model id, e.g. <c>all-MiniLM-L6-v2</c>.</summary>
    public string ModelId { get; }

    /// <summary>Vector length in float32 components, e.g. 384.</summary>
    public int Dimensions { get; }

    /// <summary>The local default: all-MiniLM-L6-v2, 384 dimensions (<see cref="MiniLmEmbeddingGenerator"/>).</summary>
    public static VectorModel MiniLm { get; } = new(MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.Dimensions);

    /// <summary>
    /// The model of a generated embedding: its <see cref="Embedding.ModelId"/> and vector length.
    /// </summary>
    /// <param name="embedding">An embedding from an <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>.</param>
    /// <exception cref="ArgumentException">The embedding has no model id or an empty vector: its space cannot be told, so it must not be compared.</exception>
    public static VectorModel Of(Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (string.IsNullOrWhiteSpace(embedding.ModelId))
        {
            throw new ArgumentException("The embedding carries no ModelId, so the space it lives in is unknown; set Embedding.ModelId where it is generated.", nameof(embedding));
        }

        if (embedding.Vector.Length == 0)
        {
            throw new ArgumentException("The embedding vector is empty.", nameof(embedding));
        }

        return new VectorModel(embedding.ModelId, embedding.Vector.Length);
    }

    /// <summary>
    /// The space <paramref name="generator"/> produces vectors in, learnt by embedding one short probe text the first
    /// time and remembered per generator instance. Metadata is not enough: an Azure OpenAI generator's metadata names
    /// the deployment, while its embeddings carry the model that really answered (e.g. <c>text-embedding-3-small</c>),
    /// which is what the stored vectors must match.
    /// </summary>
    /// <param name="generator">The configured embedding generator.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>Model id and vector length of the generator's embeddings.</returns>
    /// <exception cref="ArgumentException">The probe embedding has no model id or is empty.</exception>
    public static async Task<VectorModel> OfGeneratorAsync(IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (Probed.TryGetValue(generator, out var known)) return known;
        var probe = await generator.GenerateAsync(["embedding model probe"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = Of(probe[0]);
        Probed.AddOrUpdate(generator, model);
        return model;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, VectorModel> Probed = new();

    /// <summary>Throws unless <paramref name="other"/> is the same space as this one.</summary>
    /// <param name="other">Model of the vector about to be compared with vectors of this model.</param>
    /// <exception cref="EmbeddingMismatchException">Model id or dimensions differ.</exception>
    public void EnsureSameAs(VectorModel other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Equals(other))
        {
            throw new EmbeddingMismatchException(this, other);
        }
    }

    /// <summary>Returns e.g. <c>all-MiniLM-L6-v2 (384 dims)</c>.</summary>
    public override string ToString() => $"{ModelId} ({Dimensions} dims)";
}

/// <summary>
/// A vector from one embedding space was about to be compared with vectors of another — typically the
/// configured embedding provider changed (<c>Embeddings:Provider</c>, deployment or <c>Dimensions</c>)
/// but the stored expert vectors were not re-embedded. The fix is to run the <c>reembed</c> command,
/// which re-embeds every stored profile with the configured model.
/// </summary>
public sealed class EmbeddingMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for an index of <paramref name="indexModel"/> queried with <paramref name="queryModel"/>.</summary>
    /// <param name="indexModel">Model of the stored vectors (the index).</param>
    /// <param name="queryModel">Model of the vector that does not fit.</param>
    public EmbeddingMismatchException(VectorModel indexModel, VectorModel queryModel)
        : base($"Embedding mismatch: the expert index holds vectors of {indexModel} but got a vector of {queryModel}. " +
               "Vectors of different models or sizes cannot be compared. Run the `reembed` command to re-embed the stored expert profiles with the configured model.")
    {
        IndexModel = indexModel;
        QueryModel = queryModel;
    }

    /// <summary>Model of the stored vectors.</summary>
    public VectorModel IndexModel { get; }

    /// <summary>Model of the vector that does not fit.</summary>
    public VectorModel QueryModel { get; }
}
