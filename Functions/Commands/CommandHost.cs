using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialLearning.Storage;

namespace SocialLearning.Commands;

/// <summary>
/// The host the local commands run in: the same services as the Functions app, configured from built-in local defaults,
/// then environment variables (<c>Storage__ConnectionString</c>, …), then the command's own options. When the configured
/// storage does not answer and it is the local emulator's, Azurite is started and stopped with the host.
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly AzuriteLauncher? _azurite;

    private CommandHost(IHost host, AzuriteLauncher? azurite, bool localStorage)
    {
        UsesLocalStorage = localStorage;
        _host = host;
        _azurite = azurite;
    }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>True when storage is the commands' own local emulator (the built-in default connection string, no account
    /// configured): data the commands may reset, never a real storage account.</summary>
    public bool UsesLocalStorage { get; }

    /// <summary>True when this host started its own Azurite.</summary>
    public bool StartedAzurite => _azurite is not null;

    /// <summary>Built-in defaults: everything runs locally with no setup.</summary>
    public static Dictionary<string, string?> Defaults(string repoRoot) => new()
    {
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Mail:Transport"] = "Maildir",
        ["Mail:SharedAddress"] = "ask@northwind.example",
        ["Mail:MaildirRoot"] = Path.Combine(repoRoot, ".local", "mailbox"),
        ["Embeddings:Provider"] = "Local",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Azure"] = "Error",
        // A gap, a bottleneck or a pass nobody can replace is a warning for the Functions host's monitoring; the local
        // commands print these as outcome events already, so the log line would only repeat them amid the progress.
        ["Logging:LogLevel:SocialLearning.Routing.RouteQuestionHandler"] = "Error",
    };

    /// <summary>The repository root (the folder holding SocialLearning.sln above the working directory), else the working directory.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SocialLearning.sln"))) return d.FullName;
        return Environment.CurrentDirectory;
    }

    /// <summary>
    /// Builds and validates the host. The settings are validated first, with the same validators the Functions host runs
    /// at start-up (<see cref="ValidateSettings"/>), before storage is probed or Azurite started, so a wrong setting fails
    /// at once. Throws <see cref="OptionsValidationException"/> (settings named in the message) or
    /// <see cref="InvalidOperationException"/> (storage unreachable and Azurite not startable).
    /// </summary>
    /// <param name="overrides">Settings from the command line, applied last.</param>
    /// <param name="azuriteFolder">Where a started Azurite keeps its data; null = in memory.</param>
    /// <param name="status">Receives one-line status messages (e.g. "starting Azurite").</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static Task<CommandHost> StartAsync(IDictionary<string, string?> overrides, string? azuriteFolder, Action<string>? status, CancellationToken cancellationToken) =>
        StartAsync(overrides, azuriteFolder, status, null, null, cancellationToken);

    /// <summary>
    /// Validates <paramref name="configuration"/> with the service's own start-up validators (every option registered
    /// with <c>ValidateOnStart</c> by <see cref="ServiceRegistration.AddSocialLearning"/>), without building the host,
    /// touching storage or starting anything. Throws <see cref="OptionsValidationException"/> naming the wrong settings —
    /// also for a value that does not convert to the setting's type ("abc" for a number), which the binder reports as an
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="configuration">The settings the host would be built from.</param>
    public static void ValidateSettings(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddSocialLearning();
        using var provider = services.BuildServiceProvider();
        ReportingConversionFailures(() =>
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return 0;
        });
    }

    /// <summary>Runs <paramref name="read"/>; a value the binder cannot convert ("abc" for a number) comes out as an
    /// <see cref="OptionsValidationException"/> whose message is the binder's (it names the value, the setting and the
    /// type), reported like every other wrong setting.</summary>
    private static T ReportingConversionFailures<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            throw new OptionsValidationException("configuration", typeof(IConfiguration), [ex.Message]);
        }
    }

    /// <summary>
    /// The routing settings from the environment variables, checked as the service checks them at start-up (ranges, the
    /// product rules of <c>Routing:Weights</c>, unknown weight names) and nothing else: for <c>evaluate</c>, which needs no
    /// storage or mailbox, so a mail or storage setting — or the local mailbox folder not existing yet on a fresh clone —
    /// must not stop it. Throws <see cref="OptionsValidationException"/> naming wrong settings, also for a value that does
    /// not convert ("abc" for a number).
    /// </summary>
    public static Routing.RoutingOptions ValidatedRoutingSettings() =>
        ValidatedRoutingSettings(new ConfigurationBuilder().AddEnvironmentVariables().Build());

    /// <summary><see cref="ValidatedRoutingSettings()"/> over the given settings.</summary>
    /// <param name="configuration">Settings.</param>
    public static Routing.RoutingOptions ValidatedRoutingSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddRoutingOptions();
        using var provider = services.BuildServiceProvider();
        return ReportingConversionFailures(() => provider.GetRequiredService<IOptions<Routing.RoutingOptions>>().Value);
    }

    /// <summary>
    /// <see cref="StartAsync(IDictionary{string, string?}, string?, Action{string}?, CancellationToken)"/> with the storage
    /// probe and the Azurite starter replaceable (tests); null = the real ones.
    /// </summary>
    internal static async Task<CommandHost> StartAsync(IDictionary<string, string?> overrides, string? azuriteFolder, Action<string>? status,
        Func<string, CancellationToken, Task<bool>>? isReachable, Func<string?, CancellationToken, Task<AzuriteLauncher>>? startAzurite,
        CancellationToken cancellationToken)
    {
        isReachable ??= (connection, ct) => AzuriteLauncher.IsReachableAsync(connection, TimeSpan.FromSeconds(2), ct);
        startAzurite ??= (folder, ct) => AzuriteLauncher.StartAsync(folder, TimeSpan.FromMinutes(3), ct);
        var root = RepoRoot();
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(Defaults(root))
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();

        var defaultMailbox = Defaults(root)["Mail:MaildirRoot"];
        if (config["Mail:MaildirRoot"] == defaultMailbox) Directory.CreateDirectory(defaultMailbox!);
        // Before the storage probe (up to 2 s) and Azurite (seconds): a wrong setting must not wait for either.
        ValidateSettings(config);
        // Weights set through Routing:Weights change every route: say so, so a forgotten or mistyped setting shows.
        // (Checked just above: binding them is enough.)
        if (config.GetSection(Routing.RoutingOptions.Section).Get<Routing.RoutingOptions>()?.Weights.ToHybridWeights() is { } weights &&
            weights != Matching.HybridWeights.Default)
            status?.Invoke($"routing with the weights of Routing:Weights: {weights.Describe()}");

        AzuriteLauncher? azurite = null;
        var cs = config["Storage:ConnectionString"];
        var isBuiltInDefault = string.Equals(cs, Defaults(root)["Storage:ConnectionString"], StringComparison.OrdinalIgnoreCase) &&
                               string.IsNullOrWhiteSpace(config["Storage:AccountName"]);
        if (!string.IsNullOrWhiteSpace(cs) && string.IsNullOrWhiteSpace(config["Storage:AccountName"]) &&
            !await isReachable(cs, cancellationToken).ConfigureAwait(false))
        {
            // Only the built-in default may fall back to a started emulator; a connection string the user set must answer.
            if (!isBuiltInDefault)
                throw new InvalidOperationException(
                    "Storage:ConnectionString does not answer (or is not a valid connection string). Fix it, or unset it to let " +
                    "the commands start a local Azurite.");
            // Another command holding the folder is the likelier reason: say that (the launcher's lock error), not "starting".
            if (azuriteFolder is not null && Directory.Exists(azuriteFolder)) AzuriteLauncher.LockFolder(azuriteFolder).Dispose();
            // Every command starts its own emulator and stops it when it ends: say so plainly, not as if something were wrong.
            status?.Invoke(azuriteFolder is not null && File.Exists(Path.Combine(azuriteFolder, "__azurite_db_table__.json"))
                ? $"Starting local storage (Azurite on {Path.GetFileName(Path.TrimEndingDirectorySeparator(azuriteFolder))}/, stopped again when the command ends)…"
                : "Starting local storage (Azurite; the first start downloads it with npm)…");
            azurite = await startAzurite(azuriteFolder, cancellationToken).ConfigureAwait(false);
            config["Storage:ConnectionString"] = azurite.ConnectionString;
        }

        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
            builder.Configuration.AddConfiguration(config);
            builder.Logging.AddConfiguration(config.GetSection("Logging")).AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
            builder.Services.AddSocialLearning();
            var host = builder.Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            await host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            return new CommandHost(host, azurite, isBuiltInDefault);
        }
        catch
        {
            if (azurite is not null) await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        if (_azurite is not null) await _azurite.DisposeAsync().ConfigureAwait(false);
    }
}
