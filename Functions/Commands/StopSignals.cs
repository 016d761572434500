using System.Runtime.InteropServices;

namespace SocialLearning.Commands;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancelled token for the running command, so that it stops promptly, cleans
/// up (stops the Azurite it started, releases the folder lock) and prints "Cancelled." with exit code 130.
/// </summary>
/// <remarks>
/// The token is cancelled on a thread-pool thread, not on the signal thread, and any exception a cancellation callback
/// throws is swallowed there (the command sees the cancellation through its token). Signals arriving within
/// <see cref="RepeatWindow"/> of the first are absorbed: <c>dotnet run</c> forwards the signal its child already received
/// from the terminal, so one Ctrl-C can arrive twice. A signal after that window is not handled, so the runtime's default
/// applies and the process ends at once (a second, deliberate Ctrl-C still works when cleanup hangs), after the Azurite it
/// started is killed (<see cref="Storage.AzuriteLauncher.KillStarted"/>: in its own session, the signal does not reach it).
/// </remarks>
public sealed class StopSignals : IDisposable
{
    /// <summary>How long after the first signal further signals are treated as the same request: 2 s.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop;
    private readonly Action _beforeForcedExit;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private long _firstSignalTicks = -1;

    private StopSignals(CancellationTokenSource stop, Action beforeForcedExit)
    {
        _stop = stop;
        _beforeForcedExit = beforeForcedExit;
    }

    /// <summary>Handles SIGINT and SIGTERM until disposed by cancelling <paramref name="stop"/>.</summary>
    /// <param name="stop">Cancelled on the first signal.</param>
    /// <param name="beforeForcedExit">Run on a signal after <see cref="RepeatWindow"/>, before the process ends; default
    /// <see cref="Storage.AzuriteLauncher.KillStarted"/>.</param>
    public static StopSignals Register(CancellationTokenSource stop, Action? beforeForcedExit = null)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var signals = new StopSignals(stop, beforeForcedExit ?? Storage.AzuriteLauncher.KillStarted);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                signals._registrations.Add(PosixSignalRegistration.Create(signal, signals.OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // e.g. browser; the default behaviour stays
            }
        }

        return signals;
    }

    /// <summary>
    /// Handles one signal: true when it was taken as a stop request (the runtime's default termination is suppressed),
    /// false when it came after <see cref="RepeatWindow"/> and the process should end the default way (started Azurite
    /// processes are killed first).
    /// </summary>
    /// <param name="nowTicks">Now, as <see cref="Environment.TickCount64"/>.</param>
    internal bool Handle(long nowTicks)
    {
        var first = Interlocked.CompareExchange(ref _firstSignalTicks, nowTicks, -1);
        if (first == -1)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    _stop.Cancel();
                }
                catch (AggregateException)
                {
                    // a callback failed; the cancellation itself happened
                }
                catch (ObjectDisposedException)
                {
                    // the command had already finished
                }
            });
            return true;
        }

        if (nowTicks - first <= (long)RepeatWindow.TotalMilliseconds) return true;
        _beforeForcedExit(); // forced exit: the emulator, in its own session, would outlive the command
        return false;
    }

    private void OnSignal(PosixSignalContext context) => context.Cancel = Handle(Environment.TickCount64);

    /// <summary>Stops handling the signals.</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _registrations.Clear();
    }
}
