using SocialLearning.Storage;

[assembly: AssemblyFixture(typeof(SocialLearning.Tests.Support.AzuriteFixture))]

namespace SocialLearning.Tests.Support;

/// <summary>
/// One in-memory Azurite for the whole test run, on free ports, started through npx and stopped at the end.
/// Set SOCIALLEARNING_TEST_STORAGE to use an already running emulator instead.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteLauncher? _azurite;
    private readonly Lazy<Task<string>> _start;

    public AzuriteFixture() => _start = new Lazy<Task<string>>(StartAsync);

    /// <summary>Connection string; starts Azurite on first use so unit-only runs never pay for it.</summary>
    public Task<string> ConnectionStringAsync() => _start.Value;

    private async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("SOCIALLEARNING_TEST_STORAGE");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        _azurite = await AzuriteLauncher.StartAsync(null, TimeSpan.FromMinutes(4), CancellationToken.None);
        return _azurite.ConnectionString;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
