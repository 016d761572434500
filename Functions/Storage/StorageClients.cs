using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace SocialLearning.Storage;

/// <summary>
/// The service's table and queue clients, built once from <see cref="StorageOptions"/>. Queue messages are
/// Base64-encoded, as the Functions queue trigger expects.
/// </summary>
public sealed class StorageClients
{
    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;

    /// <summary>Creates the clients; throws <see cref="OptionsValidationException"/> when storage is not configured.</summary>
    public StorageClients(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        // The account wins when both are set: the commands skip the local emulator for it (a connection string left at its
        // Azurite default beside an account name would otherwise send every call to a port nobody listens on).
        if (string.IsNullOrWhiteSpace(o.AccountName) && !string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            _tables = new TableServiceClient(o.ConnectionString);
            _queues = new QueueServiceClient(o.ConnectionString, queueOptions);
        }
        else
        {
            var credential = new DefaultAzureCredential();
            _tables = new TableServiceClient(new Uri($"https://{o.AccountName}.table.core.windows.net"), credential);
            _queues = new QueueServiceClient(new Uri($"https://{o.AccountName}.queue.core.windows.net"), credential, queueOptions);
        }
    }

    /// <summary>The client of table <paramref name="name"/> (see <see cref="TableNames"/>).</summary>
    public TableClient Table(string name) => _tables.GetTableClient(name);

    /// <summary>The client of queue <paramref name="name"/> (see <see cref="QueueNames"/>).</summary>
    public QueueClient Queue(string name) => _queues.GetQueueClient(name);

    /// <summary>Creates every table, work queue and poison queue that does not exist yet. Safe to repeat.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(TableNames.All.Select(t => _tables.GetTableClient(t).CreateIfNotExistsAsync(cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) })
            .Select(q => _queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken))).ConfigureAwait(false);
    }
}
