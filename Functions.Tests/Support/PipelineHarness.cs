using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocialLearning.Mail;
using SocialLearning.Matching;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Support;

/// <summary>
/// The service wired as in production (AddSocialLearning) against the test Azurite and a temporary Maildir. Every
/// harness starts from empty tables and queues. Integration tests using it run in the "Azurite" collection, one at a time.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private static readonly Lazy<IEmbeddingGenerator<string, Embedding<float>>> SharedEmbeddings = new(() => new MiniLmEmbeddingGenerator());

    private readonly ServiceProvider _provider;

    private PipelineHarness(ServiceProvider provider, string mailRoot)
    {
        _provider = provider;
        MailRoot = mailRoot;
    }

    public IServiceProvider Services => _provider;
    public string MailRoot { get; }
    public MaildirMailbox Maildir => (MaildirMailbox)_provider.GetRequiredService<IMailbox>();
    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public static async Task<PipelineHarness> StartAsync(AzuriteFixture azurite, QueueSettings? queues = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var cs = await azurite.ConnectionStringAsync();
        var mailRoot = Directory.CreateTempSubdirectory("sl-mail-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = cs,
            ["Mail:SharedAddress"] = "ask@northwind.example",
            ["Mail:MaildirRoot"] = mailRoot,
            ["Embeddings:Provider"] = "Local",
            // Tests replay dated mail (a capacity week, a dump's test period), as the demos do: Date headers are the
            // question times. The product's default (24 hours) has its own test.
            ["Mail:MaxDateAgeHours"] = "1000000",
        };
        if (settings is not null) foreach (var kv in settings) values[kv.Key] = kv.Value;
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSocialLearning();
        services.AddSingleton(SharedEmbeddings.Value);
        services.AddSingleton(queues ?? new QueueSettings(3, TimeSpan.Zero, 8));
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<StorageClients>();
        await ResetAsync(cs);
        await storage.EnsureCreatedAsync(CancellationToken.None);
        return new PipelineHarness(provider, mailRoot);
    }

    private static async Task ResetAsync(string connectionString)
    {
        var tables = new Azure.Data.Tables.TableServiceClient(connectionString);
        foreach (var t in TableNames.All) await tables.DeleteTableAsync(t);
        var queues = new Azure.Storage.Queues.QueueServiceClient(connectionString);
        foreach (var q in QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) })) await queues.GetQueueClient(q).DeleteIfExistsAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        try { Directory.Delete(MailRoot, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition("Azurite")]
public sealed class AzuriteCollection;
