using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

/// <summary>The Azure OpenAI path against a loopback stand-in for the embeddings endpoint.</summary>
public sealed class AzureOpenAIEmbeddingTests
{
    [Fact]
    public async Task Generator_posts_inputs_to_the_deployment_in_batches_and_reads_the_vectors_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        var options = new EmbeddingOptions
        {
            Provider = "AzureOpenAI",
            AzureOpenAIEndpoint = server.Endpoint,
            AzureOpenAIDeployment = "emb-small",
            Dimensions = 3,
            BatchSize = 2,
        };
        using var generator = EmbeddingServiceCollectionExtensions.CreateGenerator(options, new ApiKeyCredential("test-key"));

        var embeddings = await generator.GenerateAsync(["VPN keeps disconnecting", "Payroll cut-off date", "Brand logo files"], cancellationToken: ct);

        Assert.Equal(2, server.Requests.Count);
        foreach (var request in server.Requests)
        {
            Assert.Equal("POST", request.Method);
            Assert.Equal("/openai/deployments/emb-small/embeddings", request.Path);
            Assert.Contains("api-version=", request.Query);
            Assert.Equal("test-key", request.ApiKey);
            Assert.Equal(3, request.Body["dimensions"]!.GetValue<int>());
        }

        Assert.Equal(["VPN keeps disconnecting", "Payroll cut-off date"], Inputs(server.Requests[0]));
        Assert.Equal(["Brand logo files"], Inputs(server.Requests[1]));
        Assert.Equal(3, embeddings.Count);
        Assert.Equal(FakeEmbeddingsServer.VectorFor("VPN keeps disconnecting", 3), embeddings[0].Vector.ToArray());
        Assert.Equal(FakeEmbeddingsServer.VectorFor("Brand logo files", 3), embeddings[2].Vector.ToArray());
        Assert.Equal(new VectorModel("text-embedding-3-small", 3), VectorModel.Of(embeddings[0]));
    }

    [Fact]
    public async Task Empty_input_is_refused_before_any_request()
    {
        await using var server = FakeEmbeddingsServer.Start();
        var options = new EmbeddingOptions { Provider = "AzureOpenAI", AzureOpenAIEndpoint = server.Endpoint, AzureOpenAIDeployment = "emb-small" };
        using var generator = EmbeddingServiceCollectionExtensions.CreateGenerator(options, new ApiKeyCredential("test-key"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["ok", " "], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("values[1]", error.ParamName);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Throttled_request_is_retried_no_sooner_than_its_Retry_After_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        server.ThrottleNext(new() { ["Retry-After"] = "2" });
        using var generator = Generator(server, new EmbeddingOptions { MaxRetries = 3, MaxRetryDelaySeconds = 10 });

        var embeddings = await generator.GenerateAsync(["VPN keeps disconnecting"], cancellationToken: ct);

        Assert.Equal([429, 200], server.Requests.Select(r => r.Status));
        Assert.True(Gap(server.Requests[0], server.Requests[1]) >= TimeSpan.FromSeconds(2),
            $"the retry arrived {Gap(server.Requests[0], server.Requests[1]).TotalMilliseconds:0} ms after the 429; Retry-After asked for 2,000 ms");
        Assert.Equal(FakeEmbeddingsServer.VectorFor("VPN keeps disconnecting", 4), embeddings[0].Vector.ToArray());
    }

    [Fact]
    public async Task Throttled_request_honours_retry_after_ms_when_it_asks_longer_than_Retry_After()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        server.ThrottleNext(new() { ["retry-after-ms"] = "1500", ["Retry-After"] = "1" });
        using var generator = Generator(server, new EmbeddingOptions { MaxRetries = 3, MaxRetryDelaySeconds = 10 });

        await generator.GenerateAsync(["Payroll cut-off date"], cancellationToken: ct);

        Assert.Equal([429, 200], server.Requests.Select(r => r.Status));
        Assert.True(Gap(server.Requests[0], server.Requests[1]) >= TimeSpan.FromMilliseconds(1500),
            $"the retry arrived {Gap(server.Requests[0], server.Requests[1]).TotalMilliseconds:0} ms after the 429; retry-after-ms asked for 1,500 ms");
    }

    [Fact]
    public async Task Retry_After_longer_than_the_configured_cap_fails_at_once_instead_of_retrying_early()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        server.ThrottleNext(new() { ["Retry-After"] = "120" });
        using var generator = Generator(server, new EmbeddingOptions { MaxRetries = 5, MaxRetryDelaySeconds = 30 });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => generator.GenerateAsync(["Brand logo files"], cancellationToken: ct));

        Assert.Equal(429, error.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Persistent_throttling_stops_after_MaxRetries_retries_each_waiting_the_asked_delay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        server.AlwaysThrottle = new() { ["retry-after-ms"] = "200" };
        using var generator = Generator(server, new EmbeddingOptions { MaxRetries = 2, MaxRetryDelaySeconds = 10 });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => generator.GenerateAsync(["Brand logo files"], cancellationToken: ct));

        Assert.Equal(429, error.Status);
        Assert.Equal(3, server.Requests.Count); // the first try and MaxRetries = 2 retries
        Assert.True(Gap(server.Requests[0], server.Requests[1]) >= TimeSpan.FromMilliseconds(200));
        Assert.True(Gap(server.Requests[1], server.Requests[2]) >= TimeSpan.FromMilliseconds(200), $"gaps {Gap(server.Requests[0], server.Requests[1]).TotalMilliseconds} {Gap(server.Requests[1], server.Requests[2]).TotalMilliseconds}");
    }

    [Fact]
    public async Task Input_over_the_token_limit_is_cut_at_a_cl100k_token_boundary_before_it_is_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        using var generator = Generator(server, new EmbeddingOptions { MaxInputTokens = 5 });

        var result = await generator.GenerateAsync(["The quick brown fox jumps over the lazy dog", "Short one"], cancellationToken: ct);

        // cl100k_base: "The", " quick", " brown", " fox", " jumps" are five tokens.
        Assert.Equal(["The quick brown fox jumps", "Short one"], Inputs(Assert.Single(server.Requests)));
        Assert.Equal(1, result.AdditionalProperties![BatchingEmbeddingGenerator.TruncatedInputsKey]);
        Assert.Equal(FakeEmbeddingsServer.VectorFor("The quick brown fox jumps", 4), result[0].Vector.ToArray());
    }

    [Fact]
    public async Task Input_longer_than_8191_tokens_is_sent_as_its_first_8191_tokens()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        using var generator = Generator(server, new EmbeddingOptions());
        var longText = string.Join(' ', Enumerable.Range(0, 12_000).Select(i => $"evidence{i % 97}"));
        Assert.True(EmbeddingTokenLimit.CountTokens(longText) > 8191);

        await generator.GenerateAsync([longText], cancellationToken: ct);

        var sent = Assert.Single(Inputs(Assert.Single(server.Requests)));
        Assert.StartsWith(sent, longText, StringComparison.Ordinal);
        Assert.True(sent.Length < longText.Length);
        Assert.Equal(8191, EmbeddingTokenLimit.CountTokens(sent));
    }

    [Fact]
    public async Task A_request_never_carries_more_than_300000_tokens_even_within_BatchSize()
    {
        var ct = TestContext.Current.CancellationToken;
        var inner = new CountingGenerator();
        var token = string.Concat(Enumerable.Repeat(" a", 8000)); // 8,000 tokens
        Assert.Equal(8000, EmbeddingTokenLimit.CountTokens(token));
        using var generator = new BatchingEmbeddingGenerator(inner, batchSize: 64, new EmbeddingTokenLimit());

        var result = await generator.GenerateAsync(Enumerable.Repeat(token, 40).ToArray(), cancellationToken: ct);

        Assert.Equal([37, 3], inner.BatchSizes); // 37 × 8,000 = 296,000 ≤ 300,000 < 38 × 8,000
        Assert.Equal(40, result.Count);
        Assert.Equal(2, result.AdditionalProperties![BatchingEmbeddingGenerator.RequestsKey]);
    }

    [Fact]
    public async Task Embeddings_without_a_model_in_the_response_carry_the_deployment_name()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = FakeEmbeddingsServer.Start();
        server.ReportModel = false;
        using var generator = Generator(server, new EmbeddingOptions());

        var result = await generator.GenerateAsync(["VPN"], cancellationToken: ct);

        Assert.Equal(new VectorModel("emb-small", 4), VectorModel.Of(result[0]));
    }

    [Fact]
    public void Server_delay_reads_retry_after_ms_and_Retry_After_seconds_or_date_and_takes_the_longest()
    {
        var now = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        Assert.Null(RetryAfterPolicy.ServerDelay(new StubResponse([]), now));
        Assert.Equal(TimeSpan.FromSeconds(2), RetryAfterPolicy.ServerDelay(new StubResponse([("Retry-After", "2")]), now));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryAfterPolicy.ServerDelay(new StubResponse([("retry-after-ms", "1500"), ("Retry-After", "1")]), now));
        Assert.Equal(TimeSpan.FromMilliseconds(700), RetryAfterPolicy.ServerDelay(new StubResponse([("x-ms-retry-after-ms", "700")]), now));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfterPolicy.ServerDelay(new StubResponse([("Retry-After", "Fri, 20 Nov 2026 09:00:30 GMT")]), now));
        Assert.Equal(TimeSpan.Zero, RetryAfterPolicy.ServerDelay(new StubResponse([("Retry-After", "Fri, 20 Nov 2026 08:00:00 GMT")]), now));
        Assert.Null(RetryAfterPolicy.ServerDelay(new StubResponse([("Retry-After", "soon")]), now));
    }

    private static IEmbeddingGenerator<string, Embedding<float>> Generator(FakeEmbeddingsServer server, EmbeddingOptions options)
    {
        options.Provider = "AzureOpenAI";
        options.AzureOpenAIEndpoint = server.Endpoint;
        options.AzureOpenAIDeployment = "emb-small";
        return EmbeddingServiceCollectionExtensions.CreateGenerator(options, new ApiKeyCredential("test-key"), initialRetryDelay: TimeSpan.FromMilliseconds(10));
    }

    private static TimeSpan Gap(RecordedRequest first, RecordedRequest second) => Stopwatch.GetElapsedTime(first.ReceivedAt, second.ReceivedAt);

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<int> BatchSizes { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var batch = values.ToList();
            BatchSizes.Add(batch.Count);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(batch.Select(_ => new Embedding<float>(new float[] { 1, 0 }) { ModelId = "m" })));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class StubResponse(IEnumerable<(string Name, string Value)> headers) : System.ClientModel.Primitives.PipelineResponse
    {
        private readonly StubHeaders _headers = new(headers.ToList());

        public override int Status => 429;

        public override string ReasonPhrase => "Too Many Requests";

        public override Stream? ContentStream { get; set; }

        public override BinaryData Content => BinaryData.Empty;

        protected override System.ClientModel.Primitives.PipelineResponseHeaders HeadersCore => _headers;

        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => BinaryData.Empty;

        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(BinaryData.Empty);

        public override void Dispose()
        {
        }
    }

    private sealed class StubHeaders(List<(string Name, string Value)> headers) : System.ClientModel.Primitives.PipelineResponseHeaders
    {
        public override bool TryGetValue(string name, out string? value)
        {
            var hit = headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
            value = hit.Value;
            return hit.Name is not null;
        }

        public override bool TryGetValues(string name, out IEnumerable<string>? values)
        {
            var hits = headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            values = hits.Count > 0 ? hits : null;
            return hits.Count > 0;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
            headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).GetEnumerator();
    }

    private static string[] Inputs(RecordedRequest request) =>
        request.Body["input"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    /// <summary>One request as the server saw it; <paramref name="ReceivedAt"/> is the server's own clock (Stopwatch timestamp) on arrival.</summary>
    internal sealed record RecordedRequest(string Method, string Path, string Query, string? ApiKey, JsonObject Body, long ReceivedAt, int Status);

    /// <summary>
    /// Answers <c>POST /openai/deployments/{d}/embeddings</c> on 127.0.0.1 with an OpenAI embeddings response: for each
    /// input a deterministic vector (<see cref="VectorFor"/>), as floats or base64 as the request's
    /// <c>encoding_format</c> asks. Serves until disposed.
    /// </summary>
    private sealed class FakeEmbeddingsServer : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _loop;
        private readonly List<RecordedRequest> _requests = [];
        private readonly Queue<Dictionary<string, string>?> _throttles = new();

        /// <summary>When set, every request not scripted by <see cref="ThrottleNext"/> is answered 429 with these headers.</summary>
        public Dictionary<string, string>? AlwaysThrottle { get; set; }

        /// <summary>When false, responses carry no <c>model</c> field.</summary>
        public bool ReportModel { get; set; } = true;

        /// <summary>Answers the next request with HTTP 429 and <paramref name="headers"/> (e.g. Retry-After), then serves normally.</summary>
        public void ThrottleNext(Dictionary<string, string> headers)
        {
            lock (_requests)
            {
                _throttles.Enqueue(headers);
            }
        }

        private FakeEmbeddingsServer(HttpListener listener, Uri endpoint)
        {
            _listener = listener;
            Endpoint = endpoint;
            _loop = Task.Run(ServeAsync);
        }

        public Uri Endpoint { get; }

        public IReadOnlyList<RecordedRequest> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public static FakeEmbeddingsServer Start()
        {
            for (var attempt = 0; ; attempt++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return new FakeEmbeddingsServer(listener, new Uri($"http://127.0.0.1:{port}/"));
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }
        }

        public static float[] VectorFor(string input, int dimensions)
        {
            var v = new float[dimensions];
            for (var i = 0; i < dimensions; i++)
            {
                v[i] = (input.Length * (i + 1) % 17) / 16f;
            }

            return v;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }

            _listener.Close();
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var receivedAt = Stopwatch.GetTimestamp();
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
                Dictionary<string, string>? throttle;
                lock (_requests)
                {
                    throttle = _throttles.Count > 0 ? _throttles.Dequeue() : AlwaysThrottle;
                    _requests.Add(new RecordedRequest(
                        context.Request.HttpMethod,
                        context.Request.Url!.AbsolutePath,
                        context.Request.Url.Query,
                        context.Request.Headers["api-key"],
                        body,
                        receivedAt,
                        throttle is null ? 200 : 429));
                }

                if (throttle is not null)
                {
                    var error = Encoding.UTF8.GetBytes("""{"error":{"code":"429","message":"Requests to the Embeddings_Create Operation have exceeded the rate limit of your current tier."}}""");
                    context.Response.StatusCode = 429;
                    context.Response.ContentType = "application/json";
                    foreach (var (name, value) in throttle) context.Response.Headers[name] = value;
                    context.Response.ContentLength64 = error.Length;
                    await context.Response.OutputStream.WriteAsync(error);
                    context.Response.Close();
                    continue;
                }

                var dimensions = body["dimensions"]?.GetValue<int>() ?? 4;
                var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
                var data = new JsonArray();
                var index = 0;
                foreach (var input in body["input"]!.AsArray())
                {
                    var vector = VectorFor(input!.GetValue<string>(), dimensions);
                    JsonNode embedding = base64
                        ? JsonValue.Create(Convert.ToBase64String(VectorCodec.Encode(vector)))
                        : new JsonArray(vector.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
                    data.Add(new JsonObject { ["object"] = "embedding", ["index"] = index++, ["embedding"] = embedding });
                }

                var response = new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = data,
                    ["model"] = ReportModel ? "text-embedding-3-small" : null,
                    ["usage"] = new JsonObject { ["prompt_tokens"] = index * 4, ["total_tokens"] = index * 4 },
                };
                var bytes = Encoding.UTF8.GetBytes(response.ToJsonString());
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
    }
}
