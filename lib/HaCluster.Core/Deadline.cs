namespace HaCluster.Core;

/// <summary>
/// The moment an action must be finished by. Pacemaker SIGKILLs the agent's process group at
/// OCF_RESKEY_CRM_meta_timeout without warning, so every action, every wait and every child
/// process is bounded by one of these, built from that timeout minus a safety margin.
/// Sub-deadlines (<see cref="Reserve"/>, <see cref="Within"/>) end earlier, to leave time for
/// the escalation that must follow (destroy after a graceful shutdown, kill after a stop).
/// Every wait is a <see cref="Sleep"/> or <see cref="WaitUntil"/> of a deadline, on the deadline's
/// <see cref="Core.Clock"/>: the one place where time passes, and the one a test replaces.
/// </summary>
public sealed class Deadline
{
    readonly Clock clock;
    readonly long endTimestamp;

    Deadline(Clock clock, long endTimestamp)
    {
        this.clock = clock;
        this.endTimestamp = endTimestamp;
    }

    /// <summary>A deadline <paramref name="duration"/> from now.</summary>
    public static Deadline After(TimeSpan duration, Clock? clock = null)
    {
        clock ??= Clock.System;
        if (duration < TimeSpan.Zero) duration = TimeSpan.Zero;
        return new Deadline(clock, clock.GetTimestamp() + ToTicks(clock, duration));
    }

    /// <summary>
    /// The deadline of an action that Pacemaker kills after <paramref name="operationTimeout"/>:
    /// that timeout less <see cref="SafetyMargin"/>.
    /// </summary>
    public static Deadline ForOperation(TimeSpan operationTimeout, Clock? clock = null)
        => After(operationTimeout - SafetyMargin(operationTimeout), clock);

    /// <summary>
    /// What an action leaves unused of Pacemaker's timeout: the time to log, write the exit reason
    /// and exit, and slack for a loaded machine. A twentieth of the timeout, at least 200 ms and at
    /// most 2 s (1 s of the default 20 s timeout).
    /// </summary>
    public static TimeSpan SafetyMargin(TimeSpan operationTimeout)
    {
        var margin = operationTimeout / 20;
        if (margin < TimeSpan.FromMilliseconds(200)) margin = TimeSpan.FromMilliseconds(200);
        if (margin > TimeSpan.FromSeconds(2)) margin = TimeSpan.FromSeconds(2);
        return margin;
    }

    /// <summary>The clock this deadline reads and sleeps on (sub-deadlines share it).</summary>
    public Clock Clock => clock;

    public TimeSpan Remaining
    {
        get
        {
            long left = endTimestamp - clock.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / clock.TimestampFrequency);
        }
    }

    public bool IsExpired => clock.GetTimestamp() >= endTimestamp;

    /// <summary>Milliseconds left, for poll(2) and friends: never negative, at least 0.</summary>
    public int RemainingMilliseconds
    {
        get
        {
            double ms = Math.Ceiling(Remaining.TotalMilliseconds);
            return ms > int.MaxValue ? int.MaxValue : (int)ms;
        }
    }

    /// <summary>A deadline that ends <paramref name="reserve"/> earlier, so that much is kept for what follows.</summary>
    public Deadline Reserve(TimeSpan reserve) => new(clock, Math.Max(clock.GetTimestamp(), endTimestamp - ToTicks(clock, reserve)));

    /// <summary>This deadline, or <paramref name="limit"/> from now if that comes first.</summary>
    public Deadline Within(TimeSpan limit)
    {
        long capped = clock.GetTimestamp() + ToTicks(clock, limit < TimeSpan.Zero ? TimeSpan.Zero : limit);
        return new Deadline(clock, Math.Min(capped, endTimestamp));
    }

    /// <summary>A deadline after <paramref name="fraction"/> of the time that is left.</summary>
    public Deadline Fraction(double fraction) => Within(Remaining * Math.Clamp(fraction, 0, 1));

    /// <summary>Sleeps for <paramref name="duration"/> or until the deadline; false if the deadline cut it short.</summary>
    public bool Sleep(TimeSpan duration)
    {
        var left = Remaining;
        if (duration <= left)
        {
            clock.Sleep(duration);
            return true;
        }
        // Thread.Sleep counts whole milliseconds and drops the fraction: sleeping `left` as it is
        // wakes just before the deadline, and WaitUntil then spins on its condition (hundreds of
        // calls) through the last millisecond. Round up, so the deadline has passed on return.
        if (left > TimeSpan.Zero) clock.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)));
        return false;
    }

    /// <summary>
    /// Waits until <paramref name="handle"/> is signalled (true) or the deadline passes (false),
    /// on this deadline's clock.
    /// </summary>
    public bool Wait(WaitHandle handle) => clock.Wait(handle, Remaining);

    /// <summary>
    /// Calls <paramref name="condition"/> every <paramref name="pollInterval"/> until it holds
    /// (true) or the deadline passes (false). The condition is always tried at least once.
    /// </summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan pollInterval)
    {
        while (true)
        {
            if (condition()) return true;
            if (IsExpired) return false;
            Sleep(pollInterval);
        }
    }

    static long ToTicks(Clock clock, TimeSpan span) =>
        span >= TimeSpan.FromDays(365) ? long.MaxValue / 4 : (long)(span.TotalSeconds * clock.TimestampFrequency);

    public override string ToString() => $"{Remaining.TotalMilliseconds:0} ms left";
}
