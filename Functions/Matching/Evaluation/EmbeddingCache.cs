using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace SocialLearning.Matching.Evaluation;

/// <summary>
/// A disk cache of embeddings for repeated evaluation runs: one append-only file per model,
/// <c>&lt;folder&gt;/&lt;model id&gt;.bin</c> (the evaluate command uses the git-ignored <c>.local/embedding-cache/</c>).
/// The key of a text is SHA-256 of UTF-8 <c>"{modelId}\0{text}"</c>, so a changed text or another model never hits a stale
/// vector. Record layout: 32-byte key, int32 dimension count d (little-endian), d float32 values. A truncated last record
/// (an interrupted run) is ignored and overwritten. Not safe for two processes writing at once.
/// </summary>
public sealed class EmbeddingCache
{
    private readonly string _path;
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private long _validLength;

    private EmbeddingCache(string path, string modelId)
    {
        _path = path;
        ModelId = modelId;
    }

    /// <summary>Model id the cache belongs to.</summary>
    public string ModelId { get; }

    /// <summary>Vectors held.</summary>
    public int Count => _vectors.Count;

    /// <summary>Texts embedded (cache misses) since the cache was opened.</summary>
    public int Misses { get; private set; }

    /// <summary>Opens (or starts) the cache file of <paramref name="modelId"/> in <paramref name="folder"/>; the folder is created when missing.</summary>
    /// <param name="folder">Cache folder.</param>
    /// <param name="modelId">Embedding model id (file name; characters not allowed in file names become <c>_</c>).</param>
    /// <returns>The cache with every complete record loaded.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static EmbeddingCache Open(string folder, string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Directory.CreateDirectory(folder);
        var safe = string.Concat(modelId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        var cache = new EmbeddingCache(Path.Combine(folder, safe + ".bin"), modelId);
        cache.Load();
        return cache;
    }

    /// <summary>The key of <paramref name="text"/> (hex SHA-256 of <c>"{modelId}\0{text}"</c>).</summary>
    /// <param name="text">Text.</param>
    public string Key(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ModelId + "\0" + text)));

    /// <summary>
    /// Vectors of <paramref name="texts"/> in order: cached ones from memory, the others embedded with
    /// <paramref name="generator"/> (in batches of <paramref name="batchSize"/>, duplicates once) and appended to the file.
    /// </summary>
    /// <param name="generator">Embedding generator of <see cref="ModelId"/>.</param>
    /// <param name="texts">Texts, each with a non-whitespace character.</param>
    /// <param name="progress">Receives the number of texts embedded so far (misses only).</param>
    /// <param name="batchSize">Texts per generator call.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>One vector per text.</returns>
    public async Task<float[][]> GetOrEmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts,
        IProgress<int>? progress = null, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(texts);
        var keys = texts.Select(Key).ToArray();
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            if (!_vectors.ContainsKey(keys[i])) missing.TryAdd(keys[i], texts[i]);
        }
        if (missing.Count > 0)
        {
            await using var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            file.SetLength(_validLength);
            file.Position = _validLength;
            var done = 0;
            foreach (var batch in missing.Chunk(batchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var generated = await generator.GenerateAsync(batch.Select(b => b.Value), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < batch.Length; j++)
                {
                    var vector = generated[j].Vector.ToArray();
                    _vectors[batch[j].Key] = vector;
                    Write(file, batch[j].Key, vector);
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                _validLength = file.Position;
                done += batch.Length;
                Misses += batch.Length;
                progress?.Report(done);
            }
        }
        return keys.Select(k => _vectors[k]).ToArray();
    }

    private static void Write(Stream file, string key, float[] vector)
    {
        file.Write(Convert.FromHexString(key));
        Span<byte> d = stackalloc byte[4];
        BitConverter.TryWriteBytes(d, vector.Length);
        if (!BitConverter.IsLittleEndian) d.Reverse();
        file.Write(d);
        var bytes = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < bytes.Length; i += 4) bytes.AsSpan(i, 4).Reverse();
        }
        file.Write(bytes);
    }

    private void Load()
    {
        if (!File.Exists(_path)) return;
        var data = File.ReadAllBytes(_path);
        var at = 0;
        while (at + 36 <= data.Length)
        {
            var dBytes = data.AsSpan(at + 32, 4).ToArray();
            if (!BitConverter.IsLittleEndian) Array.Reverse(dBytes);
            var d = BitConverter.ToInt32(dBytes);
            if (d <= 0 || d > 65536 || at + 36 + (4L * d) > data.Length) break;
            var key = Convert.ToHexStringLower(data.AsSpan(at, 32));
            var bytes = data.AsSpan(at + 36, 4 * d).ToArray();
            if (!BitConverter.IsLittleEndian)
            {
                for (var i = 0; i < bytes.Length; i += 4) bytes.AsSpan(i, 4).Reverse();
            }
            _vectors[key] = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            at += 36 + (4 * d);
        }
        _validLength = at;
    }
}
