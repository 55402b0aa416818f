using HaCluster.Core;

namespace HaCluster.Network.Tests;

/// <summary>
/// The announcer's pacing runs on a clock like every other wait of the project: on a clock that
/// only moves when slept on, the packets' times and the waits between them can be checked
/// exactly, without sockets and without real time passing.
/// </summary>
public class AnnouncementPacingTests
{
    sealed class SleepCountingClock : Clock
    {
        long ticks = 1_000_000;
        public TimeSpan Slept { get; private set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public override void Sleep(TimeSpan duration)
        {
            if (duration <= TimeSpan.Zero) return;
            ticks += duration.Ticks;
            Slept += duration;
        }
    }

    readonly SleepCountingClock clock = new();

    [Fact]
    public void Packets_leave_an_interval_apart_and_nothing_is_waited_after_the_last()
    {
        var times = new List<long>();
        int sent = new NeighbourAnnouncer(clock).SendRepeatedly(() => { times.Add(clock.GetTimestamp()); return true; }, 5, TimeSpan.FromMilliseconds(200), null);

        sent.Should().Be(5);
        times.Zip(times.Skip(1), (a, b) => TimeSpan.FromTicks(b - a)).Should().AllBeEquivalentTo(TimeSpan.FromMilliseconds(200));
        clock.Slept.Should().Be(TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public void Stop_is_asked_every_100_ms_while_waiting_and_ends_the_sending()
    {
        long start = clock.GetTimestamp();
        int sent = new NeighbourAnnouncer(clock).SendRepeatedly(() => true, 10, TimeSpan.FromSeconds(1),
            () => clock.GetTimestamp() - start >= TimeSpan.FromMilliseconds(350).Ticks);

        sent.Should().Be(1);
        clock.Slept.Should().Be(TimeSpan.FromMilliseconds(400), "the fourth 100 ms slice is the first after which stop says true");
    }

    [Fact]
    public void Packets_the_kernel_had_no_buffer_for_are_not_counted()
    {
        int calls = 0;
        new NeighbourAnnouncer(clock).SendRepeatedly(() => ++calls % 2 == 0, 4, TimeSpan.FromMilliseconds(10), null).Should().Be(2);
        calls.Should().Be(4);
    }
}
