using System.Numerics.Tensors;

namespace SocialLearning.Matching;

/// <summary>
/// One expert as the <see cref="ExpertIndex"/> sees them: a profile vector (centroid) and the vectors of the
/// individual pieces of evidence (answered questions, declared skills) it was built from.
/// </summary>
/// <param name="ExpertId">Expert id (see <c>ExpertProfile.Id</c>); unique within an index, compared ordinally.</param>
/// <param name="Centroid">Profile vector, d components (d = the index's <see cref="VectorModel.Dimensions"/>); need not be
/// unit length — the index normalises it. Usually <see cref="CentroidOf"/> of the evidence vectors.</param>
/// <param name="Evidence">Evidence vectors, each d components, with the evidence's source id (e.g. <c>a-123</c>) and
/// human-readable title (used as the routing reason); may be empty.</param>
/// <remarks>Record equality compares the vector memories by reference, not by content.</remarks>
public sealed record ExpertIndexEntry(
    string ExpertId,
    ReadOnlyMemory<float> Centroid,
    IReadOnlyList<(string SourceId, string Title, ReadOnlyMemory<float> Vector)> Evidence)
{
    /// <summary>
    /// The mean direction of a set of vectors: each is L2-normalised, they are averaged, and the mean is
    /// L2-normalised again (the "centroid" of the centroid baseline in the evaluation protocol).
    /// </summary>
    /// <param name="vectors">At least one non-zero vector; all of the same length.</param>
    /// <returns>A new unit-length vector of that length.</returns>
    /// <exception cref="ArgumentException">No vectors, vectors of different lengths, a zero or non-finite vector, or vectors that cancel out.</exception>
    public static float[] CentroidOf(IEnumerable<ReadOnlyMemory<float>> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        float[]? sum = null;
        var index = 0;
        foreach (var memory in vectors)
        {
            var vector = memory.Span;
            sum ??= new float[vector.Length];
            if (vector.Length != sum.Length || vector.IsEmpty)
            {
                throw new ArgumentException($"Vector {index} has {vector.Length} components; expected {sum.Length}.", nameof(vectors));
            }

            var norm = TensorPrimitives.Norm(vector);
            if (!(norm > 0f) || !float.IsFinite(norm))
            {
                throw new ArgumentException($"Vector {index} is zero or not finite (norm {norm}).", nameof(vectors));
            }

            // sum += vector / norm
            TensorPrimitives.MultiplyAdd(vector, 1f / norm, sum, sum);
            index++;
        }

        if (sum is null)
        {
            throw new ArgumentException("At least one vector is needed for a centroid.", nameof(vectors));
        }

        var sumNorm = TensorPrimitives.Norm(sum);
        if (!(sumNorm > 1e-6f))
        {
            throw new ArgumentException("The vectors cancel out; their mean has no direction.", nameof(vectors));
        }

        TensorPrimitives.Divide(sum, sumNorm, sum);
        return sum;
    }
}

/// <summary>One ranked expert from <see cref="ExpertIndex.Search(ReadOnlySpan{float}, VectorModel, int, Func{string, bool}?)"/>.</summary>
/// <param name="ExpertId">Expert id.</param>
/// <param name="Score">Combined score, w·<paramref name="BestEvidenceScore"/> + (1−w)·<paramref name="CentroidScore"/> with
/// w = <see cref="ExpertIndex.EvidenceWeight"/>; in [−1, 1], higher is better.</param>
/// <param name="CentroidScore">Cosine similarity of the query and the expert's centroid, in [−1, 1].</param>
/// <param name="BestEvidenceScore">Highest cosine similarity of the query and one of the expert's evidence vectors, in [−1, 1];
/// equals <paramref name="CentroidScore"/> when the expert has no evidence vectors.</param>
/// <param name="BestEvidenceSourceId">Source id of that evidence, or null when the expert has none.</param>
/// <param name="BestEvidenceTitle">Title of that evidence (the "why you were chosen" line), or null when the expert has none.</param>
public sealed record ExpertMatch(
    string ExpertId,
    float Score,
    float CentroidScore,
    float BestEvidenceScore,
    string? BestEvidenceSourceId,
    string? BestEvidenceTitle);
