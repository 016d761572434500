using BenchmarkDotNet.Attributes;
using SocialLearning.Matching;

namespace SocialLearning.Benchmarks;

/// <summary>Which texts <see cref="EmbeddingBenchmarks"/> embeds.</summary>
public enum TextKind
{
    /// <summary>32 sample subject lines (about 20–60 characters).</summary>
    Short,

    /// <summary>32 texts of about 600 characters.</summary>
    Chars600,
}

/// <summary>
/// Throughput of the local model (<see cref="MiniLmEmbeddingGenerator"/>, all-MiniLM-L6-v2): the same 32 texts embedded
/// one per model call (batch size 1) or batched (batch size 32; the generator also caps a call at
/// <see cref="MiniLmEmbeddingGenerator.MaxBatchChars"/> characters, so 600-character texts go 4 per call).
/// Reported time is per text.
/// </summary>
[MemoryDiagnoser]
public class EmbeddingBenchmarks
{
    private const int Texts = 32;
    private MiniLmEmbeddingGenerator _generator = null!;
    private string[] _texts = null!;

    /// <summary>Texts per model call.</summary>
    [Params(1, 32)]
    public int BatchSize { get; set; }

    /// <summary>Short sentences or 600-character texts.</summary>
    [Params(TextKind.Short, TextKind.Chars600)]
    public TextKind Kind { get; set; }

    /// <summary>Loads the model and embeds once (warm).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _generator = new MiniLmEmbeddingGenerator(BatchSize);
        _texts = Kind == TextKind.Short ? SampleTexts.ShortSentences(Texts) : SampleTexts.LongTexts(Texts, 600);
        _generator.GenerateAsync(_texts).GetAwaiter().GetResult();
    }

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    /// <summary>Embeds all 32 texts in one <c>GenerateAsync</c> call; time per text.</summary>
    /// <returns>Number of vectors.</returns>
    [Benchmark(OperationsPerInvoke = Texts)]
    public int Embed() => _generator.GenerateAsync(_texts).GetAwaiter().GetResult().Count;
}
