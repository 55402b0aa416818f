using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Testing;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A daemon that never lets the socket go empty (keep-alives or events without a pause, never
/// the reply) must not hold a call past its deadline, on an idle or a busy machine.
/// </summary>
/// <remarks>
/// On a real clock whether the socket ever runs empty depends on scheduling: a client that only
/// looked at its deadline when a read would block got away with it on a loaded machine and hung
/// under strace. The call's deadline is therefore on a clock that moves only when it is read, as
/// a client that checks its deadline on every turn reads it: such a client times out within a few
/// thousand messages, one that waits for the socket to run dry does not.
/// </remarks>
public sealed class FloodTests
{
    static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(300);
    /// <summary>How long the call may take in real time: thousands of messages, a loaded machine.</summary>
    static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    public static TheoryData<string, bool> Floods => new()
    {
        { "keep-alives", false },
        { "keep-alives", true },
        { "events", false },
        { "events", true },
    };

    [Theory]
    [MemberData(nameof(Floods))]
    public void A_flood_ends_the_call_at_its_deadline_with_a_timeout(string what, bool busyCpu)
    {
        byte[] message = what == "events" ? ScriptedLibvirtd.Event() : ScriptedLibvirtd.KeepAlive();
        using var daemon = new ScriptedLibvirtd(call =>
        {
            if (call.Procedure == RemoteProcedure.ConnectOpen) call.Ok();
            else call.Flood(message);
        });
        using var busy = busyCpu ? new BusyCpu() : null;
        using var c = LibvirtConnection.Open(daemon.Uri, Deadline.After(TimeSpan.FromSeconds(5)));

        var clock = new ReadTickingClock();
        var deadline = Deadline.After(CallTimeout, clock);
        Exception? error = null;
        var caller = new Thread(() =>
        {
            try { c.GetState(new DomainRef("vm", new byte[16], 1), deadline); }
            catch (Exception e) { error = e; }
        });
        caller.Start();
        bool ended = caller.Join(Slack);
        daemon.Dispose(); // ends the flood, so that a call that did not end does not outlive the test

        ended.Should().BeTrue($"a flood of {what} must not hold the call past its deadline");
        caller.Join();
        error.Should().BeOfType<TimeoutException>();
        deadline.IsExpired.Should().BeTrue();
        clock.Reads.Should().BeLessThan(2 * CallTimeout.Ticks / ReadTickingClock.Tick.Ticks, "the call ends right after its deadline");
        c.IsBroken.Should().BeTrue("the reply may still come: the connection cannot be reused");
    }

    /// <summary>A clock whose time moves <see cref="Tick"/> each time it is read, and never otherwise.</summary>
    sealed class ReadTickingClock : Clock
    {
        public static readonly TimeSpan Tick = TimeSpan.FromMicroseconds(100);
        long now;
        long reads;

        public long Reads => Interlocked.Read(ref reads);
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp()
        {
            Interlocked.Increment(ref reads);
            return Interlocked.Add(ref now, Tick.Ticks);
        }
        public override void Sleep(TimeSpan duration) => Interlocked.Add(ref now, Math.Max(0, duration.Ticks));
    }

    /// <summary>Threads that spin on every core until disposed.</summary>
    sealed class BusyCpu : IDisposable
    {
        volatile bool stop;
        readonly List<Thread> threads = [];

        public BusyCpu()
        {
            for (int i = 0; i < Environment.ProcessorCount * 2; i++)
            {
                var t = new Thread(() => { while (!stop) Thread.SpinWait(1000); }) { IsBackground = true };
                threads.Add(t);
                t.Start();
            }
        }

        public void Dispose()
        {
            stop = true;
            foreach (var t in threads) t.Join();
        }
    }
}
