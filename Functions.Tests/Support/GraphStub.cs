using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace SocialLearning.Tests.Support;

/// <summary>
/// A loopback stand-in for Microsoft Graph (WireMock.Net on a free port) and a <see cref="GraphServiceClient"/> pointed
/// at it (base URL <c>{server}/v1.0</c>, no authentication), so tests see exactly what the product sends.
/// </summary>
public sealed class GraphStub : IDisposable
{
    public WireMockServer Server { get; } = WireMockServer.Start();

    public GraphStub() => Client = new GraphServiceClient(new HttpClient(), new AnonymousAuthenticationProvider(), BaseUrl);

    public GraphServiceClient Client { get; }

    /// <summary><c>http://127.0.0.1:port/v1.0</c>.</summary>
    public string BaseUrl => Server.Urls[0] + "/v1.0";

    /// <summary>Answers GET <paramref name="path"/> (under /v1.0) with <paramref name="status"/> and a JSON body.</summary>
    public void Get(string path, string json, int status = 200, int priority = 10, (string Key, string Value)? param = null)
    {
        var request = Request.Create().WithPath("/v1.0" + path).UsingGet();
        if (param is { } p) request = request.WithParam(p.Key, p.Value);
        Server.Given(request).AtPriority(priority)
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(json));
    }

    /// <summary>Requests received, oldest first.</summary>
    public IReadOnlyList<ILogEntry> Requests => Server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).ToList();

    /// <summary>The decoded query of a request, e.g. <c>$select=id,aboutMe&amp;$top=999</c>.</summary>
    public static string Query(ILogEntry e) => Uri.UnescapeDataString(e.RequestMessage.RawQuery ?? "").TrimStart('?');

    /// <summary>The values of query parameter <paramref name="name"/> (decoded), or null.</summary>
    public static string? Param(ILogEntry e, string name) =>
        Query(e).Split('&', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
            .Where(kv => kv[0] == name).Select(kv => kv.Length > 1 ? kv[1] : "").FirstOrDefault();

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
    }
}

/// <summary>An <see cref="ILogger{T}"/> that keeps what was logged.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries) Entries.Add((logLevel, formatter(state, exception)));
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
