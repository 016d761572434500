using Azure.Data.Tables;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Storage;

public sealed class AzuriteLauncherTests
{
    [Fact]
    public async Task Rows_written_to_a_folder_backed_emulator_are_there_after_a_restart()
    {
        // The commands start Azurite on .azurite/ and stop it when they end; the next command must find the data.
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("sl-azurite-").FullName;
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var first = await AzuriteLauncher.StartAsync(folder, TimeSpan.FromMinutes(4), ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"started in {started.Elapsed.TotalSeconds:0.0} s");
            var table = new TableClient(first.ConnectionString, "Persisted");
            await table.CreateIfNotExistsAsync(ct);
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 }, ct);
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await first.DisposeAsync();
            TestContext.Current.TestOutputHelper?.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:0.0} s");

            await using var second = await AzuriteLauncher.StartAsync(folder, TimeSpan.FromMinutes(4), ct);
            var row = await new TableClient(second.ConnectionString, "Persisted").GetEntityAsync<TableEntity>("p", "r", cancellationToken: ct);
            Assert.Equal(42, row.Value.GetInt32("Value"));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
