using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>Seeded synthetic vectors and indexes shared by the benchmarks and the measurement commands.</summary>
public static class VectorData
{
    /// <summary>Fills a new row-major <c>float[rows·d]</c> with unit vectors drawn uniformly from the sphere (isotropic Gaussian, normalised).</summary>
    /// <param name="seed">Seed of the generator; same seed, same vectors.</param>
    /// <param name="rows">Number of vectors.</param>
    /// <param name="dimensions">Components per vector.</param>
    /// <returns>The contiguous matrix.</returns>
    public static float[] UnitRows(int seed, int rows, int dimensions)
    {
        var random = new Random(seed);
        var data = new float[(long)rows * dimensions];
        for (var r = 0; r < rows; r++)
        {
            FillUnit(random, data.AsSpan(r * dimensions, dimensions));
        }

        return data;
    }

    /// <summary>One unit vector drawn uniformly from the sphere.</summary>
    /// <param name="random">Generator.</param>
    /// <param name="dimensions">Components.</param>
    /// <returns>The vector.</returns>
    public static float[] UnitVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        FillUnit(random, v);
        return v;
    }

    /// <summary>Expert id of row <paramref name="i"/>: zero-padded, so ordinal order is row order.</summary>
    /// <param name="i">Row.</param>
    /// <returns>E.g. <c>expert-0000042</c>.</returns>
    public static string ExpertId(int i) => $"expert-{i:D7}";

    /// <summary>Centroid-only entries over rows of <paramref name="rows"/> (views, no copy).</summary>
    /// <param name="rows">Row-major matrix of unit vectors.</param>
    /// <param name="dimensions">Components per row.</param>
    /// <returns>One entry per row, no evidence.</returns>
    public static ExpertIndexEntry[] CentroidEntries(float[] rows, int dimensions)
    {
        var n = rows.Length / dimensions;
        var entries = new ExpertIndexEntry[n];
        for (var i = 0; i < n; i++)
        {
            entries[i] = new ExpertIndexEntry(ExpertId(i), new ReadOnlyMemory<float>(rows, i * dimensions, dimensions), []);
        }

        return entries;
    }

    /// <summary>Entries with <paramref name="evidencePerExpert"/> random evidence vectors each and their centroid.</summary>
    /// <param name="seed">Seed.</param>
    /// <param name="experts">Number of experts.</param>
    /// <param name="dimensions">Components per vector.</param>
    /// <param name="evidencePerExpert">Evidence vectors per expert.</param>
    /// <returns>The entries.</returns>
    public static ExpertIndexEntry[] EvidenceEntries(int seed, int experts, int dimensions, int evidencePerExpert)
    {
        var random = new Random(seed);
        var entries = new ExpertIndexEntry[experts];
        for (var i = 0; i < experts; i++)
        {
            var evidence = new (string, string, ReadOnlyMemory<float>)[evidencePerExpert];
            for (var j = 0; j < evidencePerExpert; j++)
            {
                evidence[j] = ($"a-{i}-{j}", $"Answer {j} of expert {i}", UnitVector(random, dimensions));
            }

            var centroid = evidencePerExpert > 0 ? ExpertIndexEntry.CentroidOf(evidence.Select(e => e.Item3)) : UnitVector(random, dimensions);
            entries[i] = new ExpertIndexEntry(ExpertId(i), centroid, evidence);
        }

        return entries;
    }

    private static void FillUnit(Random random, Span<float> v)
    {
        double norm = 0;
        for (var i = 0; i < v.Length; i++)
        {
            var x = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = (float)x;
            norm += x * x;
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < v.Length; i++)
        {
            v[i] *= scale;
        }
    }
}
