using Microsoft.ML.Tokenizers;

namespace SocialLearning.Matching;

/// <summary>
/// Keeps Azure OpenAI embedding requests within the model's token limits, counting tokens with the tokenizer the model
/// itself uses: cl100k_base (<see cref="TiktokenTokenizer"/>, vocabulary from the
/// <c>Microsoft.ML.Tokenizers.Data.Cl100kBase</c> package, nothing downloaded), the encoding of
/// <c>text-embedding-3-small</c>, <c>text-embedding-3-large</c> and <c>text-embedding-ada-002</c>.
/// </summary>
/// <remarks>
/// Limits (OpenAI embeddings API reference): an input may hold at most 8,191 tokens (<see cref="ModelMaxInputTokens"/>),
/// and all inputs of one request together at most 300,000 tokens (<see cref="MaxRequestTokens"/>). Longer inputs are cut
/// at a token boundary, keeping the beginning, so an over-long evidence text degrades to its first 8,191 tokens instead of
/// failing the whole batch with HTTP 400. Thread-safe.
/// </remarks>
public sealed class EmbeddingTokenLimit
{
    /// <summary>Input limit of the text-embedding-3-* and ada-002 models: 8,191 tokens.</summary>
    public const int ModelMaxInputTokens = 8191;

    /// <summary>Token limit summed over all inputs of one embeddings request: 300,000.</summary>
    public const int MaxRequestTokens = 300_000;

    private static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    /// <summary>Creates a limit of <paramref name="maxInputTokens"/> tokens per input.</summary>
    /// <param name="maxInputTokens">1 … <see cref="ModelMaxInputTokens"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInputTokens"/> is out of range.</exception>
    public EmbeddingTokenLimit(int maxInputTokens = ModelMaxInputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxInputTokens, ModelMaxInputTokens);
        MaxInputTokens = maxInputTokens;
    }

    /// <summary>Most tokens one input may have after <see cref="Fit"/>.</summary>
    public int MaxInputTokens { get; }

    /// <summary>The cl100k_base tokenizer (loaded once per process, about 100 k merges).</summary>
    public static Tokenizer Tokenizer => Cl100k.Value;

    /// <summary>Number of cl100k_base tokens in <paramref name="text"/>.</summary>
    /// <param name="text">Any text.</param>
    public static int CountTokens(string text) => Cl100k.Value.CountTokens(text);

    /// <summary>
    /// <paramref name="text"/> cut to at most <see cref="MaxInputTokens"/> tokens (unchanged when it is shorter), and its
    /// token count.
    /// </summary>
    /// <param name="text">A non-empty input.</param>
    /// <returns>The text to send (a prefix of <paramref name="text"/>, ending on a token boundary) and its tokens.</returns>
    public (string Text, int Tokens, bool Truncated) Fit(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var end = Cl100k.Value.GetIndexByTokenCount(text, MaxInputTokens, out _, out var tokens);
        return end >= text.Length ? (text, tokens, false) : (text[..end], tokens, true);
    }
}
