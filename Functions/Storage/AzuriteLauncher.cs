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
    private readonly bool _persistent;
    private readonly Task _closed;
    private FileStream? _lock;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<AzuriteLauncher, byte> Running = new();

    private AzuriteLauncher(Process process, string connectionString, bool persistent, Task closed)
    {
        _process = process;
        ConnectionString = connectionString;
        _persistent = persistent;
        _closed = closed;
        Running[this] = 0;
    }

    /// <summary>
    /// Kills every emulator this process started and has not stopped yet, at once (no orderly close: the last writes of a
    /// folder-backed emulator may be lost). For a forced exit (a second Ctrl-C): Azurite runs in its own session, so the
    /// terminal's signal does not reach it, and it must not outlive the command holding its folder.
    /// </summary>
    public static void KillStarted()
    {
        foreach (var launcher in Running.Keys) Kill(launcher._process);
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
        // In its own session (setsid(1), Linux): Ctrl-C goes to the terminal's whole foreground process group, and Azurite,
        // in the command's group, died with it while the command was still using it (then retried storage for ~30 s). The
        // command stops it itself when it ends, cancelled or not (DisposeAsync).
        var setsid = OperatingSystem.IsLinux() && FindOnPath("npx") is not null ? FindOnPath("setsid") : null; // no npx: the clear error below
        var psi = new ProcessStartInfo(setsid ?? "npx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (setsid is not null) psi.ArgumentList.Add("npx");
        foreach (var a in new[] { "--yes", Package, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0" })
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
            // Holding the lock means no live command uses this folder: an Azurite still running on it was left by a command
            // that was killed outright (kill -9 cannot stop the emulator it started in its own session). Two emulators
            // writing one database would corrupt it, so that one is stopped first, politely (it flushes its data).
            try
            {
                await StopOrphansAsync(location).ConfigureAwait(false);
            }
            catch
            {
                folderLock.Dispose();
                throw;
            }
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
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closedServices = 0;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (ClosedLine().IsMatch(e.Data) && Interlocked.Increment(ref closedServices) == 3) closed.TrySetResult();
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
        return new AzuriteLauncher(process, cs, persistent: location is not null, closed.Task) { _lock = folderLock };
    }

    /// <summary>
    /// Stops the emulator and its child processes. An emulator that keeps its data in a folder is first asked to stop
    /// (SIGTERM to the process tree, on Linux and macOS) and given up to 10 s to report its three services closed:
    /// Azurite writes its table and queue databases to disk only periodically and when it closes, so killing it outright
    /// loses the last writes (an <c>import</c> would not be there for the next command). After that, or at once for an
    /// in-memory emulator, the tree is killed (Azurite does not always exit by itself after closing).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(this, out _);
        if (_persistent && !OperatingSystem.IsWindows())
        {
            var tree = ProcessTree(_process.Id);
            try
            {
                await SignalAsync("TERM", tree).ConfigureAwait(false);
                // Azurite writes its databases when it closes. The npx parent exits on SIGTERM at once while its node child
                // (Azurite itself) is still writing: wait until Azurite reports its three services closed or every process of the
                // tree has ended, up to 10 s, before the hard stop. A kill as soon as npx had gone could cut the write short.
                for (var waited = 0; waited < 100 && !_closed.IsCompleted && tree.Any(IsRunning); waited++)
                    await Task.Delay(100).ConfigureAwait(false);

                // Whatever is still running after that (orphaned, still holding the data folder) is ended.
                await SignalAsync("KILL", tree.Where(IsAlive)).ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // no kill(1): fall through to the hard stop
            }
        }

        Kill(_process);
        _process.Dispose();
        if (_lock is not null) await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The full path of <paramref name="program"/> in a PATH folder, or null.</summary>
    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <summary>Whether <paramref name="pid"/> is alive and not a zombie (an ended child nobody has reaped yet: in a container
    /// whose first process does not reap, an orphaned Azurite stays one).</summary>
    private static bool IsRunning(int pid)
    {
        if (!OperatingSystem.IsLinux()) return IsAlive(pid);
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X' or default(char));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") || (!OperatingSystem.IsLinux() && ProcessExists(pid));

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes the exclusive lock on <paramref name="location"/> (<c>.sociallearning.lock</c> in it, an advisory
    /// <c>flock</c> on Unix, a share-none open on Windows) and writes this process id into it. The file is never deleted:
    /// deleting it on close (as <see cref="FileOptions.DeleteOnClose"/> did) removes the name, not the file that was locked,
    /// so a holder closing could delete the lock file a later command had just created and locked (or a command could lock
    /// a file already unlinked), and the next command then created a fresh file, locked it and shared the folder.
    /// A stale file left behind is harmless: the lock, not the file, is what is held, and it ends with the process.
    /// Throws <see cref="InvalidOperationException"/> when another process holds the lock.
    /// </summary>
    /// <param name="location">The Azurite data folder (must exist).</param>
    internal static FileStream LockFolder(string location)
    {
        var path = Path.Combine(location, ".sociallearning.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            try
            {
                stream.SetLength(0);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                stream.Flush();
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Another SocialLearning command is using the local storage in {location} (lock {path}). Wait for it to finish, " +
                "or point Storage__ConnectionString at a running Azurite.", ex);
        }
    }

    /// <summary>
    /// Processes (Linux, from <c>/proc/*/cmdline</c>) whose command line runs Azurite on <paramref name="location"/>: an
    /// argument containing "azurite" and <c>--location</c> followed by that folder (compared as full paths). Elsewhere none.
    /// </summary>
    /// <param name="location">The data folder.</param>
    /// <returns>Their process ids.</returns>
    internal static List<int> EmulatorsOn(string location)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux()) return found;
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(location));
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            string[] args;
            try
            {
                args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // the process ended meanwhile
            }

            if (!args.Any(a => a.Contains("azurite", StringComparison.OrdinalIgnoreCase))) continue;
            for (var i = 0; i + 1 < args.Length; i++)
            {
                if (args[i] == "--location" && args[i + 1].Length > 0 &&
                    string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(args[i + 1])), folder, StringComparison.Ordinal))
                {
                    found.Add(pid);
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>Stops every Azurite left running on <paramref name="location"/> (<see cref="EmulatorsOn"/>): SIGTERM, up to
    /// 10 s to exit (it writes its databases when it closes), then SIGKILL for any still alive.</summary>
    /// <param name="location">The data folder, locked by the caller.</param>
    /// <returns>How many were found.</returns>
    internal static async Task<int> StopOrphansAsync(string location)
    {
        var orphans = EmulatorsOn(location);
        if (orphans.Count == 0) return 0;
        await SignalAsync("TERM", orphans).ConfigureAwait(false);
        for (var waited = 0; waited < 100 && orphans.Any(IsAlive); waited++)
            await Task.Delay(100).ConfigureAwait(false);
        await SignalAsync("KILL", orphans.Where(IsAlive)).ConfigureAwait(false);
        return orphans.Count;
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, KILL) to <paramref name="pids"/> with kill(1) and waits for it; nothing
    /// when there are none. Throws <see cref="System.ComponentModel.Win32Exception"/> when kill(1) is missing.</summary>
    /// <param name="signal">Signal name without the dash.</param>
    /// <param name="pids">Process ids.</param>
    private static async Task SignalAsync(string signal, IEnumerable<int> pids)
    {
        var psi = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-" + signal);
        foreach (var pid in pids) psi.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (psi.ArgumentList.Count == 1) return;
        using var kill = Process.Start(psi);
        if (kill is not null) await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>The process <paramref name="root"/> and its descendants (from /proc on Linux; the root alone elsewhere).</summary>
    private static List<int> ProcessTree(int root)
    {
        var tree = new List<int> { root };
        if (!OperatingSystem.IsLinux()) return tree;
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // state, ppid, …
                parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // the process ended meanwhile
            }
        }

        for (var i = 0; i < tree.Count; i++)
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        return tree;
    }

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

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service successfully closed")]
    private static partial Regex ClosedLine();

    [GeneratedRegex(@"Azurite (?<svc>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
