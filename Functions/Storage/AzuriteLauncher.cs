using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace SocialLearning.Storage;

/// <summary>
/// Starts Azurite 3.37.0 (the official Azure Storage emulator, from npm through <c>npx</c>) when the
/// configured storage does not answer, and stops it on dispose. Ports are chosen by Azurite (port 0) and
/// read from its "successfully listening at" lines.
/// </summary>
public sealed partial class AzuriteLauncher : IAsyncDisposable
{
    /// <summary>The well-known Azurite account name (public, documented; not a secret).</summary>
    public const string DevAccount = "devstoreaccount1";

    /// <summary>The well-known Azurite account key (public, documented in the Azurite README; emulator only).</summary>
    public const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The npm package started, pinned.</summary>
    public const string Package = "azurite@3.37.0";

    private readonly Process _process;
    private readonly FileStream? _lock;

    private AzuriteLauncher(Process process, string connectionString, FileStream? folderLock)
    {
        _process = process;
        _lock = folderLock;
        ConnectionString = connectionString;
    }

    /// <summary>Connection string of the started emulator (Blob, Queue and Table endpoints).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Returns true when a Table service answers at <paramref name="connectionString"/> within
    /// <paramref name="timeout"/> (a cheap "get service properties" call).
    /// </summary>
    public static async Task<bool> IsReachableAsync(string? connectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return false;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = timeout;
            var client = new TableServiceClient(connectionString, options);
            await client.GetPropertiesAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException or FormatException or ArgumentException or InvalidOperationException)
        {
            return !cancellationToken.IsCancellationRequested && ex is Azure.RequestFailedException { Status: > 0 };
        }
    }

    /// <summary>
    /// Starts Azurite. With <paramref name="location"/> null the data lives in memory; otherwise in that folder
    /// (created if needed). Throws <see cref="InvalidOperationException"/> naming the cause (npx missing, start
    /// failure, no ports printed within <paramref name="startTimeout"/>).
    /// </summary>
    public static async Task<AzuriteLauncher> StartAsync(string? location, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("npx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--yes", Package, "--silent", "--skipApiVersionCheck", "--loose", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0" })
            psi.ArgumentList.Add(a);
        FileStream? folderLock = null;
        if (location is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(location);
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(location);
            folderLock = LockFolder(location);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("npx did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            folderLock?.Dispose();
            throw new InvalidOperationException(
                "Storage does not answer and Azurite could not be started: 'npx' was not found. Install Node.js 20+ " +
                "or set Storage:ConnectionString to a reachable storage account.", ex);
        }

        var ports = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var m = ListeningLine().Match(e.Data);
            if (!m.Success) return;
            lock (ports)
            {
                ports[m.Groups["svc"].Value] = int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (ports.Count == 3) ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null || e.Data.StartsWith("npm warn", StringComparison.OrdinalIgnoreCase)) return;
            lock (stderr) stderr.AppendLine(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"Azurite exited with code {SafeExitCode(process)} before it was ready: {stderr}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            cts.CancelAfter(startTimeout);
            try
            {
                await ready.Task.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Kill(process);
                folderLock?.Dispose();
                throw new InvalidOperationException($"Azurite did not report its ports within {startTimeout.TotalSeconds:0} s. {stderr}");
            }
            catch
            {
                Kill(process);
                folderLock?.Dispose();
                throw;
            }
        }

        var cs = $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
                 $"BlobEndpoint=http://127.0.0.1:{ports["Blob"]}/{DevAccount};" +
                 $"QueueEndpoint=http://127.0.0.1:{ports["Queue"]}/{DevAccount};" +
                 $"TableEndpoint=http://127.0.0.1:{ports["Table"]}/{DevAccount};";
        return new AzuriteLauncher(process, cs, folderLock);
    }

    /// <summary>
    /// Stops the emulator: SIGTERM to Azurite and its parent processes so it closes its databases and writes them to
    /// disk (a hard kill loses the last seconds of writes), then a hard kill after 15 s if it is still running.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!OperatingSystem.IsWindows() && !_process.HasExited)
            {
                foreach (var pid in Descendants(_process.Id).Append(_process.Id))
                    _ = SysKill(pid, 15);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // fall through to the hard kill
                }
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        Kill(_process);
        _process.Dispose();
        if (_lock is not null) await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static FileStream LockFolder(string location)
    {
        var path = Path.Combine(location, ".sociallearning.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            stream.Flush();
            return stream;
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Another SocialLearning command is using the local storage in {location} (lock {path}). Wait for it to finish, " +
                "or point Storage__ConnectionString at a running Azurite.", ex);
        }
    }

    /// <summary>Child processes of <paramref name="pid"/>, deepest first (Linux /proc; empty elsewhere).</summary>
    private static List<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var p)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                    list.Add(p);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
                {
                    // the process ended meanwhile
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var result = new List<int>();
        void Walk(int p)
        {
            if (!children.TryGetValue(p, out var list)) return;
            foreach (var c in list)
            {
                Walk(c);
                result.Add(c);
            }
        }
        Walk(pid);
        return result;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call at shutdown
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string SafeExitCode(Process p)
    {
        try { return p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }

    [GeneratedRegex(@"Azurite (?<svc>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
