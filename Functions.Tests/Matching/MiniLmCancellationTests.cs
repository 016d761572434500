using SocialLearning.Matching;

namespace SocialLearning.Tests.Matching;

public sealed class MiniLmCancellationTests
{
    [Fact]
    public void A_model_call_failing_because_its_token_was_cancelled_surfaces_as_OperationCanceledException()
    {
        // ONNX Runtime stops a cancelled run with its terminate flag and throws OnnxRuntimeException ("Exiting due to
        // terminate flag being set to true"), which escaped the commands' handler as "Unhandled exception".
        using var cts = new CancellationTokenSource();
        var failure = new InvalidOperationException("Exiting due to terminate flag being set to true.");
        var ex = Assert.Throws<OperationCanceledException>(() => MiniLmEmbeddingGenerator.EncodeBatch((_, ct) =>
        {
            cts.Cancel();
            throw failure;
        }, ["a question"], cts.Token));
        Assert.Same(failure, ex.InnerException);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public void A_model_call_failing_without_cancellation_keeps_its_own_exception()
    {
        var failure = new InvalidOperationException("broken model");
        var ex = Assert.Throws<InvalidOperationException>(() => MiniLmEmbeddingGenerator.EncodeBatch((_, _) => throw failure, ["a question"], CancellationToken.None));
        Assert.Same(failure, ex);
        var vectors = MiniLmEmbeddingGenerator.EncodeBatch((batch, _) => [.. batch.Select(t => new float[] { t.Length })], ["abc", "de"], CancellationToken.None);
        Assert.Equal([3f, 2f], vectors.Select(v => v[0]));
    }

    [Fact]
    public async Task Cancelling_while_the_real_model_encodes_throws_OperationCanceledException()
    {
        using var generator = new MiniLmEmbeddingGenerator();
        await generator.GenerateAsync(["warm up the model"], cancellationToken: TestContext.Current.CancellationToken); // load outside the timed part
        var texts = Enumerable.Range(0, 64).Select(i => string.Join(' ', Enumerable.Repeat($"qubit{i} entanglement decoherence gate", 30))).ToArray();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(150)); // mid-batch or between batches: either way a cancellation
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => generator.GenerateAsync(texts, cancellationToken: cts.Token), TestContext.Current.CancellationToken));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed.TotalSeconds:0.0} s to stop");
    }
}
