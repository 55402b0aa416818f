namespace HaCluster.Core;

/// <summary>
/// The time every <see cref="Deadline"/> reads and every wait goes through: agents and the
/// libraries that wait for tools or daemons never call <see cref="Thread.Sleep(TimeSpan)"/>
/// themselves but sleep on a deadline, which sleeps on its clock (HaCluster.Network's announcer
/// paces its packets on a clock too). The real clock (<see cref="System"/>) is the monotonic timestamp and
/// <see cref="Thread.Sleep(TimeSpan)"/>; tests pass a manual clock whose <see cref="Sleep"/>
/// moves its time at once, so an action that polls for a minute runs in microseconds and its
/// waits can be counted exactly.
/// </summary>
/// <remarks>
/// A <see cref="TimeProvider"/>, so that elapsed times are measured the BCL way
/// (<see cref="TimeProvider.GetTimestamp"/>, <see cref="TimeProvider.GetElapsedTime(long)"/>)
/// on the same clock the deadlines use.
/// </remarks>
public abstract class Clock : TimeProvider
{
    /// <summary>The system's monotonic clock; <see cref="Sleep"/> blocks the thread.</summary>
    public static new Clock System { get; } = new SystemClock();

    /// <summary>Waits <paramref name="duration"/>; returns at once for zero or less.</summary>
    public abstract void Sleep(TimeSpan duration);

    /// <summary>
    /// Waits until <paramref name="handle"/> is signalled (true) or <paramref name="timeout"/> has
    /// passed on this clock (false): for work that runs elsewhere (<see cref="Abandonable"/>). The
    /// real clock blocks on the handle; a manual clock may decide how much real time to give it.
    /// </summary>
    public virtual bool Wait(WaitHandle handle, TimeSpan timeout)
    {
        double ms = Math.Ceiling(Math.Max(0, timeout.TotalMilliseconds));
        return handle.WaitOne(ms >= int.MaxValue ? int.MaxValue : (int)ms);
    }

    sealed class SystemClock : Clock
    {
        public override void Sleep(TimeSpan duration)
        {
            if (duration > TimeSpan.Zero) Thread.Sleep(duration);
        }
    }
}
