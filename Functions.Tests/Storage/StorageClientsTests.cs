using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Storage;

public sealed class StorageClientsTests
{
    [Fact]
    public void An_account_name_wins_over_a_connection_string_left_at_its_default()
    {
        // From a README-only user run: Storage__AccountName beside the built-in UseDevelopmentStorage=true made the commands
        // skip the local emulator and then call it anyway (connection refused, a 156-line stack trace).
        var both = new StorageClients(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", AccountName = "slcontoso" }));
        Assert.Equal("slcontoso.table.core.windows.net", both.Table(TableNames.Questions).Uri.Host);
        Assert.Equal("slcontoso.queue.core.windows.net", both.Queue(QueueNames.InboundMail).Uri.Host);

        var local = new StorageClients(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" }));
        Assert.Equal("127.0.0.1", local.Table(TableNames.Questions).Uri.Host);
    }
}
