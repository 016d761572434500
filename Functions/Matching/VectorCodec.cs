using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SocialLearning.Matching;

/// <summary>
/// Converts float32 vectors to and from bytes for Azure Table Storage binary properties
/// (<c>Edm.Binary</c>): each component as 4 bytes IEEE 754 binary32, little-endian, no header —
/// so a vector of d components is exactly 4·d bytes and its dimensions are the byte length / 4.
/// The model id is stored in its own property beside it (see <see cref="VectorModel"/>).
/// </summary>
/// <remarks>
/// Table Storage limits a binary property to 64 KiB
/// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model),
/// hence at most <see cref="MaxDimensions"/> = 16,384 components per property — far above 384 (MiniLM)
/// or 3,072 (text-embedding-3-large). Bit patterns round-trip exactly, including NaN payloads and -0.
/// </remarks>
public static class VectorCodec
{
    /// <summary>Largest binary property Table Storage accepts: 65,536 bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Largest vector that fits one binary property: 16,384 float32 components.</summary>
    public const int MaxDimensions = MaxBytes / sizeof(float);

    /// <summary>Encodes a vector as 4·<c>vector.Length</c> little-endian bytes.</summary>
    /// <param name="vector">The vector; 1 to <see cref="MaxDimensions"/> components.</param>
    /// <returns>A new byte array of length 4·<c>vector.Length</c>.</returns>
    /// <exception cref="ArgumentException">The vector is empty or longer than <see cref="MaxDimensions"/>.</exception>
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        if (vector.IsEmpty)
        {
            throw new ArgumentException("Cannot encode an empty vector.", nameof(vector));
        }

        if (vector.Length > MaxDimensions)
        {
            throw new ArgumentException(
                $"A vector of {vector.Length} components needs {vector.Length * sizeof(float)} bytes; a Table Storage binary property holds at most {MaxBytes} bytes ({MaxDimensions} components).",
                nameof(vector));
        }

        var bytes = new byte[vector.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(vector).CopyTo(bytes);
        }
        else
        {
            for (var i = 0; i < vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
            }
        }

        return bytes;
    }

    /// <summary>Decodes bytes written by <see cref="Encode"/> into a new vector.</summary>
    /// <param name="bytes">4·d little-endian bytes, d ≥ 1.</param>
    /// <returns>A new array of <c>bytes.Length / 4</c> components.</returns>
    /// <exception cref="FormatException">The length is zero or not a multiple of 4.</exception>
    public static float[] Decode(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[DimensionsOf(bytes)];
        Decode(bytes, vector);
        return vector;
    }

    /// <summary>
    /// Decodes bytes written by <see cref="Encode"/> into <paramref name="destination"/>, e.g. straight into a
    /// row of a contiguous matrix, without allocating.
    /// </summary>
    /// <param name="bytes">4·d little-endian bytes, d ≥ 1.</param>
    /// <param name="destination">Exactly d components long.</param>
    /// <exception cref="FormatException">The length is zero or not a multiple of 4.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not d components long.</exception>
    public static void Decode(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        var dimensions = DimensionsOf(bytes);
        if (destination.Length != dimensions)
        {
            throw new ArgumentException($"The bytes hold {dimensions} components but the destination has room for {destination.Length}.", nameof(destination));
        }

        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(destination));
        }
        else
        {
            for (var i = 0; i < dimensions; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }
        }
    }

    /// <summary>Number of float32 components in an encoded vector: <c>bytes.Length / 4</c>.</summary>
    /// <param name="bytes">Encoded vector.</param>
    /// <exception cref="FormatException">The length is zero or not a multiple of 4.</exception>
    public static int DimensionsOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes.Length % sizeof(float) != 0)
        {
            throw new FormatException($"An encoded vector is a non-zero multiple of 4 bytes long; got {bytes.Length} bytes.");
        }

        return bytes.Length / sizeof(float);
    }
}
