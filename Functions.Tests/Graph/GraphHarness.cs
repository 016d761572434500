using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Kiota.Abstractions.Authentication;
using SocialLearning.Intake;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;
using WireMock.Server;

namespace SocialLearning.Tests.Graph;

/// <summary>
/// The service wired as in production with <c>Mail:Transport</c> = Graph, against the test Azurite and a loopback
/// WireMock server standing in for Graph (anonymous token provider). Tables and queues start empty.
/// </summary>
internal sealed class GraphHarness : IAsyncDisposable
{
    public const string Mailbox = "ask@contoso.example";
    public const string InboxId = "AAMkAGInbox-folder-id";
    public const string NotificationUrl = "https://sociallearning.contoso.example/api/ReceiveGraphNotification";
    public const string LifecycleUrl = "https://sociallearning.contoso.example/api/ReceiveLifecycleNotification";

    private readonly ServiceProvider _provider;

    private GraphHarness(ServiceProvider provider, WireMockServer server, ListLogger logs)
    {
        _provider = provider;
        Server = server;
        Logs = logs;
    }

    public WireMockServer Server { get; }
    public ListLogger Logs { get; }
    public string BaseUrl => Server.Url + "/v1.0";
    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();
    public IServiceProvider Services => _provider;
    public StorageClients Storage => Get<StorageClients>();

    public static async Task<GraphHarness> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var cs = await azurite.ConnectionStringAsync();
        var server = WireMockServer.Start();
        var values = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = cs,
            ["Mail:Transport"] = "Graph",
            ["Mail:SharedAddress"] = Mailbox,
            ["Embeddings:Provider"] = "Local",
            ["Graph:BaseUrl"] = server.Url + "/v1.0",
            ["Graph:NotificationUrl"] = NotificationUrl,
            ["Graph:LifecycleNotificationUrl"] = LifecycleUrl,
            ["Graph:MaxRetryAfterWaitSeconds"] = "5",
        };
        if (settings is not null) foreach (var kv in settings) values[kv.Key] = kv.Value;
        var logs = new ListLogger();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        services.AddSocialLearning();
        services.AddSingleton<IAuthenticationProvider>(new AnonymousAuthenticationProvider());
        services.AddSingleton(new QueueSettings(3, TimeSpan.Zero, 8));
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        var tables = new Azure.Data.Tables.TableServiceClient(cs);
        foreach (var t in TableNames.All) await tables.DeleteTableAsync(t);
        var queues = new Azure.Storage.Queues.QueueServiceClient(cs);
        foreach (var q in QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) })) await queues.GetQueueClient(q).DeleteIfExistsAsync();
        await provider.GetRequiredService<StorageClients>().EnsureCreatedAsync(CancellationToken.None);
        return new GraphHarness(provider, server, logs);
    }

    /// <summary>Stores a subscription row as the keeper would.</summary>
    public async Task<SubscriptionEntity> StoreSubscriptionAsync(string id, string clientState, DateTimeOffset expires, string deltaLink = "")
    {
        var row = new SubscriptionEntity
        {
            PartitionKey = SubscriptionEntity.PartitionFor(Mailbox), RowKey = KeyEncoding.Encode(id), Mailbox = Mailbox, SubscriptionId = id,
            ClientState = clientState, Resource = $"users/{Mailbox}/mailFolders('Inbox')/messages", ExpiresAt = expires,
            CreatedAt = DateTimeOffset.UtcNow, DeltaLink = deltaLink,
        };
        await Storage.Table(TableNames.Subscriptions).UpsertEntityAsync(row);
        return row;
    }

    public async Task<List<SubscriptionEntity>> SubscriptionsAsync() =>
        await Storage.Table(TableNames.Subscriptions).ReadAllAsync<SubscriptionEntity>(SubscriptionEntity.PartitionFor(Mailbox), CancellationToken.None);

    /// <summary>The mailbox's delta-query state, or null before the first catch-up.</summary>
    public async Task<MailboxSyncEntity?> SyncStateAsync() =>
        await Storage.Table(TableNames.Subscriptions).GetOrNullAsync<MailboxSyncEntity>(MailboxSyncEntity.PartitionFor(Mailbox), MailboxSyncEntity.InboxRowKey, CancellationToken.None);

    /// <summary>Stores the mailbox's delta-query state as a catch-up would.</summary>
    public async Task StoreSyncStateAsync(string deltaLink, DateTimeOffset floor, DateTimeOffset? caughtUpAt = null) =>
        await Storage.Table(TableNames.Subscriptions).UpsertEntityAsync(new MailboxSyncEntity
        {
            PartitionKey = MailboxSyncEntity.PartitionFor(Mailbox), RowKey = MailboxSyncEntity.InboxRowKey, DeltaLink = deltaLink,
            ReceivedFloor = floor, CaughtUpAt = caughtUpAt,
        });

    /// <summary>Receives (and deletes) every visible message of <paramref name="queue"/>.</summary>
    public async Task<List<T>> DrainAsync<T>(string queue)
    {
        var client = Storage.Queue(queue);
        var list = new List<T>();
        while (true)
        {
            var batch = (await client.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0) return list;
            foreach (var m in batch)
            {
                list.Add(QueueJson.Parse<T>(m.Body.ToString()));
                await client.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }

    /// <summary>Messages in the queue, visible or not.</summary>
    public async Task<int> CountAsync(string queue) => (await Storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Runs intake on every visible inbound-mail message until the queue is empty; returns the results.</summary>
    public async Task<List<IntakeResult>> RunIntakeAsync()
    {
        var results = new List<IntakeResult>();
        foreach (var m in await DrainAsync<InboundMailMessage>(QueueNames.InboundMail))
            results.Add(await Get<InboundMailHandler>().HandleAsync(m, CancellationToken.None));
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        Server.Stop();
        Server.Dispose();
        await _provider.DisposeAsync();
    }
}

/// <summary>Collects formatted log lines.</summary>
internal sealed class ListLogger : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Entries { get; } = new();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }
    public IEnumerable<string> At(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Text);

    private sealed class Logger(ListLogger owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}

/// <summary>The Graph documentation examples in shared/data/graph, read at run time (never copied into the repo).</summary>
internal static class GraphSamples
{
    public static JsonObject Load(string relative)
    {
        var folder = SharedData.RequireDirectory("graph");
        var path = Path.Combine(folder, relative);
        if (!File.Exists(path)) Assert.Skip($"Graph sample shared/data/graph/{relative} was not found.");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }
}
