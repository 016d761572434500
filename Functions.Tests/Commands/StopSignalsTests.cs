using SocialLearning.Commands;
using Spectre.Console;

namespace SocialLearning.Tests.Commands;

public sealed class StopSignalsTests
{
    [Fact]
    public async Task The_first_signal_cancels_repeats_within_the_window_are_absorbed_and_a_later_one_is_left_to_the_runtime()
    {
        using var stop = new CancellationTokenSource();
        // Callbacks run last-registered first, so the test waits for this one itself, not for a later registration.
        var failingCallback = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stop.Token.Register(() => { failingCallback.TrySetResult(); throw new InvalidOperationException("a callback failing on cancel"); });
        var forcedExits = 0;
        using var signals = StopSignals.Register(stop, () => forcedExits++); // not the real one: it kills the tests' Azurite

        Assert.True(signals.Handle(10_000));
        await failingCallback.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken); // it ran
        Assert.True(stop.IsCancellationRequested);

        Assert.True(signals.Handle(10_000 + 1_500)); // dotnet run forwarding the same Ctrl-C: no second completion
        Assert.Equal(0, forcedExits);
        Assert.False(signals.Handle(10_000 + 2_500)); // a deliberate second Ctrl-C: default termination
        Assert.Equal(1, forcedExits); // after the started Azurite is killed
    }
}

[Collection("Azurite")] // swaps AnsiConsole.Console (process-wide), like the other command-line tests
public sealed class GuardedCancellationTests
{
    private static async Task<(int Code, string Output)> RunGuarded(Func<Task<int>> action, CancellationToken token)
    {
        var saved = AnsiConsole.Console;
        var writer = new StringWriter();
        try
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            });
            var code = await CommandLineApp.Guarded(action, token);
            return (code, writer.ToString());
        }
        finally
        {
            AnsiConsole.Console = saved;
        }
    }

    public static TheoryData<string> FailuresOfCancelledWork() => new()
    {
        "onnx",        // ONNX Runtime's terminate flag (not an OperationCanceledException)
        "retries",     // the storage client's retries against an emulator already stopped
        "tcs",         // a task completed twice during shutdown
    };

    [Theory]
    [MemberData(nameof(FailuresOfCancelledWork))]
    public async Task Any_failure_once_the_command_is_cancelled_is_reported_as_Cancelled_with_exit_code_130(string kind)
    {
        using var cts = new CancellationTokenSource();
        Exception failure = kind switch
        {
            "onnx" => new Exception("[ErrorCode:Fail] Exiting due to terminate flag being set to true."),
            "retries" => new AggregateException("Retry failed after 6 tries.", new HttpRequestException("Connection refused (127.0.0.1:41234)")),
            _ => new InvalidOperationException("An attempt was made to transition a task to a final state when it had already completed."),
        };
        var (code, output) = await RunGuarded(async () =>
        {
            await Task.Yield();
            cts.Cancel();
            throw failure;
        }, cts.Token);
        Assert.Equal(130, code);
        Assert.StartsWith("Cancelled. Work already done is kept", output.Trim());
        Assert.DoesNotContain("terminate flag", output);
    }

    [Fact]
    public async Task An_OperationCanceledException_is_Cancelled_and_a_failure_without_cancellation_stays_an_error()
    {
        var (code, output) = await RunGuarded(() => Task.FromException<int>(new OperationCanceledException()), CancellationToken.None);
        Assert.Equal(130, code);
        Assert.StartsWith("Cancelled.", output.Trim());

        (code, output) = await RunGuarded(() => Task.FromException<int>(new InvalidOperationException("Azurite did not report its ports.")), CancellationToken.None);
        Assert.Equal(1, code);
        Assert.Equal("Error: Azurite did not report its ports.", output.Trim());
    }
}
