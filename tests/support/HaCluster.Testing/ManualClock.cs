using HaCluster.Core;

namespace HaCluster.Testing;

/// <summary>
/// A clock that only moves when told: by <see cref="Advance"/>, or by the agent itself, since a
/// <see cref="Sleep"/> on it moves it at once by the time slept. Pass it as
/// <see cref="AgentInvoker.Clock"/>: the action's deadline and every wait of the agent then run
/// on it, so a poll loop of a minute ends in microseconds, and <see cref="Slept"/> tells how long
/// the agent waited.
/// </summary>
public sealed class ManualClock : Clock
{
    long ticks = 1_000_000;
    long sleptTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    /// <summary>Moves the clock (a daemon call that took this long, a test's "later").</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

    /// <summary>Moves the clock by <paramref name="duration"/> at once, and counts it as slept.</summary>
    public override void Sleep(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return;
        Interlocked.Add(ref sleptTicks, duration.Ticks);
        Advance(duration);
    }

    /// <summary>
    /// Work elsewhere (a read on a thread of its own) gets real time, up to a second: enough for
    /// any local file. If it has not finished by then, the clock moves by the whole timeout, as if
    /// the work had hung until the deadline.
    /// </summary>
    public override bool Wait(WaitHandle handle, TimeSpan timeout)
    {
        if (handle.WaitOne(timeout < TimeSpan.FromSeconds(1) ? timeout : TimeSpan.FromSeconds(1))) return true;
        Sleep(timeout);
        return false;
    }

    /// <summary>The time spent in <see cref="Sleep"/> so far.</summary>
    public TimeSpan Slept => TimeSpan.FromTicks(Interlocked.Read(ref sleptTicks));
}
