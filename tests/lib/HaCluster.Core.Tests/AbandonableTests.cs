using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary>
/// <see cref="Abandonable"/>: a call that blocks in the kernel (as open and read do on a dead NFS
/// server) is given up at the deadline, and the action goes on.
/// </summary>
public sealed class AbandonableTests
{
    [Fact]
    public void A_call_that_returns_in_time_gives_its_result()
    {
        Abandonable.TryRun(() => 42, Deadline.After(TimeSpan.FromSeconds(5)), out int result).Should().BeTrue();
        result.Should().Be(42);
    }

    [Fact]
    public void A_call_that_never_returns_is_abandoned_at_the_deadline()
    {
        using var never = new ManualResetEvent(false);
        var sw = Stopwatch.StartNew();

        bool done = Abandonable.TryRun(() => never.WaitOne(), Deadline.After(TimeSpan.FromMilliseconds(300)), out _);

        done.Should().BeFalse();
        sw.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)).And.BeLessThan(TimeSpan.FromSeconds(3));
        never.Set();
    }

    [Fact]
    public void The_calls_exception_is_rethrown_with_its_type()
    {
        var run = () => Abandonable.TryRun<int>(() => throw new FormatException("bad"), Deadline.After(TimeSpan.FromSeconds(5)), out _);

        run.Should().Throw<FormatException>().WithMessage("bad");
    }

    [Fact]
    public void On_a_manual_clock_an_abandoned_call_moves_the_clock_to_the_deadline()
    {
        var clock = new ManualClock();
        using var never = new ManualResetEvent(false);
        var deadline = Deadline.After(TimeSpan.FromSeconds(20), clock);

        Abandonable.TryRun(() => never.WaitOne(), deadline, out _).Should().BeFalse();

        deadline.IsExpired.Should().BeTrue();
        never.Set();
    }
}
