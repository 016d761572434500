using System.Text;

namespace SocialLearning.Storage;

/// <summary>
/// The shard scheme of the expert directory: every expert id maps to one of <see cref="Count"/> shards by a stable hash,
/// so the <c>Experts</c> and <c>Evidence</c> tables can be read with one query per shard in parallel (Table Storage
/// serves each partition range from its own server, and a single partition is limited to about 2,000 entities a second:
/// "Scalability and performance targets for Table storage", Azure Storage docs), while a point read still needs only
/// the id.
/// </summary>
public static class ExpertShards
{
    /// <summary>Number of shards: 16 (one hex digit).</summary>
    public const int Count = 16;

    /// <summary>
    /// Shard of <paramref name="expertId"/>: the 32-bit FNV-1a hash of its UTF-8 bytes, modulo <see cref="Count"/>.
    /// Stable across processes, platforms and .NET versions (unlike <see cref="string.GetHashCode()"/>), which it must be:
    /// it is part of the stored keys.
    /// </summary>
    /// <param name="expertId">Expert id, unencoded.</param>
    /// <returns>0 … <see cref="Count"/> − 1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expertId"/> is null.</exception>
    public static int Of(string expertId)
    {
        ArgumentNullException.ThrowIfNull(expertId);
        const uint offsetBasis = 2166136261, prime = 16777619;
        var hash = offsetBasis;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(expertId.Length) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(expertId, buffer)]
            : Encoding.UTF8.GetBytes(expertId);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * prime;
        }

        return (int)(hash % Count);
    }

    /// <summary>The shard number as one lower-case hex digit, e.g. <c>a</c> for 10.</summary>
    /// <param name="shard">0 … <see cref="Count"/> − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
    public static string Hex(int shard) => (uint)shard < Count
        ? "0123456789abcdef"[shard].ToString()
        : throw new ArgumentOutOfRangeException(nameof(shard), shard, $"A shard is 0 to {Count - 1}.");
}
