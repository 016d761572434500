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

    [Fact]
    public void A_command_releasing_the_folder_lock_does_not_open_the_folder_to_a_second_command_while_another_holds_it()
    {
        // The lock file used to be opened with DeleteOnClose: closing removes the *name*, whichever file it then points to.
        // A holder whose file had been unlinked (the name removed while it held it, e.g. by an earlier holder's close) and a
        // second holder of a newly created file: the first closing deleted the second's lock file, and a third command
        // created another file, locked it and started its own Azurite on the same folder.
        var folder = Directory.CreateTempSubdirectory("sl-lock-").FullName;
        try
        {
            var path = Path.Combine(folder, ".sociallearning.lock");
            var first = AzuriteLauncher.LockFolder(folder);
            var refused = Assert.Throws<InvalidOperationException>(() => AzuriteLauncher.LockFolder(folder).Dispose());
            Assert.Contains("Another SocialLearning command is using the local storage", refused.Message);
            Assert.True(File.Exists(path)); // a refused attempt leaves the holder's file in place

            File.Delete(path); // the name goes while the first still holds its (now unlinked) file
            using var second = AzuriteLauncher.LockFolder(folder);
            first.Dispose();

            Assert.True(File.Exists(path), "the first holder's release removed the second holder's lock file");
            Assert.Throws<InvalidOperationException>(() => AzuriteLauncher.LockFolder(folder).Dispose());
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_folder_lock_file_stays_after_release_and_is_taken_again()
    {
        var folder = Directory.CreateTempSubdirectory("sl-lock-").FullName;
        try
        {
            var path = Path.Combine(folder, ".sociallearning.lock");
            AzuriteLauncher.LockFolder(folder).Dispose();
            Assert.True(File.Exists(path));
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(path)); // the holder's pid
            using var again = AzuriteLauncher.LockFolder(folder);
            Assert.Throws<InvalidOperationException>(() => AzuriteLauncher.LockFolder(folder).Dispose());
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task An_emulator_left_running_on_the_folder_by_a_killed_command_is_found_and_stopped()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Finding processes by their command line reads /proc (Linux).");
        var folder = Directory.CreateTempSubdirectory("sl-orphan-").FullName;
        var other = Directory.CreateTempSubdirectory("sl-other-").FullName;
        // A stand-in with Azurite's command line on the folder: bash -c with the rest as its arguments. It waits with the
        // read builtin on a pipe that stays open (no child process: a forked "sleep" shows bash's command line until it
        // execs, and under load was found as a second emulator).
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "-c", "read -t 120 || true", "azurite", "--silent", "--location", folder + "/" }) psi.ArgumentList.Add(a);
        using var orphan = System.Diagnostics.Process.Start(psi)!;
        try
        {
            // Between fork and exec, /proc/<pid>/cmdline still shows this test host's command line; on a loaded machine (CI)
            // the first look came before the exec. Wait for bash to show its own arguments, then look.
            var cmdline = $"/proc/{orphan.Id}/cmdline";
            for (var waited = 0; waited < 200 && !File.ReadAllText(cmdline).Contains("--location", StringComparison.Ordinal); waited++)
                await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.Contains(orphan.Id, AzuriteLauncher.EmulatorsOn(folder));
            Assert.DoesNotContain(orphan.Id, AzuriteLauncher.EmulatorsOn(other));

            Assert.Equal(1, await AzuriteLauncher.StopOrphansAsync(folder));

            Assert.True(orphan.WaitForExit(5000), "the left-over emulator is still running");
            Assert.Empty(AzuriteLauncher.EmulatorsOn(folder));
        }
        finally
        {
            if (!orphan.HasExited) orphan.Kill();
            Directory.Delete(folder, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }
}
