using System.ClientModel;
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

    private static string[] Inputs(RecordedRequest request) =>
        request.Body["input"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    internal sealed record RecordedRequest(string Method, string Path, string Query, string? ApiKey, JsonObject Body);

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

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
                lock (_requests)
                {
                    _requests.Add(new RecordedRequest(
                        context.Request.HttpMethod,
                        context.Request.Url!.AbsolutePath,
                        context.Request.Url.Query,
                        context.Request.Headers["api-key"],
                        body));
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
                    ["model"] = "text-embedding-3-small",
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
