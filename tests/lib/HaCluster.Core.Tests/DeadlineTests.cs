using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary>
/// <see cref="Deadline"/>: Pacemaker SIGKILLs the agent at its timeout, so every wait is bounded
/// by the timeout less a safety margin, and sub-deadlines end earlier still.
/// </summary>
public sealed class DeadlineTests
{
    readonly ManualClock clock = new();

    static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
    static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    // ---------------------------------------------------------------- the safety margin

    [Theory]
    [InlineData(20_000, 1_000)]  // the default 20 s timeout keeps 1 s
    [InlineData(10_000, 500)]
    [InlineData(30_000, 1_500)]
    [InlineData(4_000, 200)]     // a twentieth would be 200 ms exactly
    [InlineData(2_000, 200)]     // a twentieth would be 100 ms: at least 200 ms
    [InlineData(100, 200)]
    [InlineData(0, 200)]
    [InlineData(40_000, 2_000)]  // exactly 2 s
    [InlineData(60_000, 2_000)]  // a twentieth would be 3 s: at most 2 s
    [InlineData(600_000, 2_000)]
    public void The_safety_margin_is_a_twentieth_of_the_timeout_clamped_to_200ms_and_2s(int timeoutMs, int marginMs)
    {
        Deadline.SafetyMargin(Ms(timeoutMs)).Should().Be(Ms(marginMs));
    }

    [Fact]
    public void ForOperation_of_20s_leaves_19s()
    {
        var d = Deadline.ForOperation(S(20), clock);

        d.Remaining.Should().Be(S(19));
        d.RemainingMilliseconds.Should().Be(19_000);
        d.IsExpired.Should().BeFalse();
    }

    [Fact]
    public void ForOperation_of_90s_leaves_88s()
    {
        Deadline.ForOperation(S(90), clock).Remaining.Should().Be(S(88));
    }

    [Fact]
    public void ForOperation_with_a_timeout_shorter_than_the_margin_is_expired_at_once()
    {
        var d = Deadline.ForOperation(Ms(150), clock);

        d.IsExpired.Should().BeTrue();
        d.Remaining.Should().Be(TimeSpan.Zero);
    }

    // ---------------------------------------------------------------- time passing

    [Fact]
    public void Remaining_shrinks_as_time_passes_and_stops_at_zero()
    {
        var d = Deadline.After(S(10), clock);

        clock.Advance(S(3));
        d.Remaining.Should().Be(S(7));
        d.IsExpired.Should().BeFalse();

        clock.Advance(Ms(6_999));
        d.Remaining.Should().Be(Ms(1));
        d.IsExpired.Should().BeFalse();

        clock.Advance(Ms(1));
        d.Remaining.Should().Be(TimeSpan.Zero);
        d.IsExpired.Should().BeTrue("the deadline is reached at its end, not after it");

        clock.Advance(S(5));
        d.Remaining.Should().Be(TimeSpan.Zero);
        d.RemainingMilliseconds.Should().Be(0, "never negative");
        d.IsExpired.Should().BeTrue();
    }

    [Fact]
    public void RemainingMilliseconds_rounds_up_so_a_poll_never_ends_before_the_deadline()
    {
        var d = Deadline.After(Ms(10), clock);

        clock.Advance(TimeSpan.FromTicks(Ms(8.5).Ticks));
        d.RemainingMilliseconds.Should().Be(2);

        clock.Advance(TimeSpan.FromTicks(Ms(1.4).Ticks));
        d.RemainingMilliseconds.Should().Be(1);
        d.IsExpired.Should().BeFalse();
    }

    [Fact]
    public void A_negative_duration_is_an_expired_deadline()
    {
        var d = Deadline.After(S(-5), clock);

        d.IsExpired.Should().BeTrue();
        d.Remaining.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_very_long_deadline_does_not_overflow()
    {
        var d = Deadline.After(TimeSpan.FromDays(3650), clock);

        d.IsExpired.Should().BeFalse();
        d.Remaining.Should().BeGreaterThan(TimeSpan.FromDays(365));
        d.RemainingMilliseconds.Should().Be(int.MaxValue, "capped for poll(2)");
        d.Reserve(TimeSpan.MaxValue).IsExpired.Should().BeTrue();
        d.Within(TimeSpan.MaxValue).IsExpired.Should().BeFalse();
    }

    // ---------------------------------------------------------------- sub-deadlines

    [Fact]
    public void Reserve_ends_that_much_earlier()
    {
        var d = Deadline.After(S(19), clock);

        var graceful = d.Reserve(S(5));

        graceful.Remaining.Should().Be(S(14));
        d.Remaining.Should().Be(S(19), "the original deadline is unchanged");
        clock.Advance(S(14));
        graceful.IsExpired.Should().BeTrue();
        d.Remaining.Should().Be(S(5), "the reserve is still there for the escalation");
    }

    [Fact]
    public void Reserve_of_more_than_what_is_left_ends_now_and_never_before()
    {
        var d = Deadline.After(S(3), clock);

        var sub = d.Reserve(S(10));

        sub.IsExpired.Should().BeTrue();
        sub.Remaining.Should().Be(TimeSpan.Zero);
        sub.Fraction(1).IsExpired.Should().BeTrue();
        sub.Within(S(1)).Remaining.Should().Be(TimeSpan.Zero, "a sub-deadline of an expired one is expired too");
    }

    [Fact]
    public void Reserve_on_an_expired_deadline_does_not_move_it_into_the_past()
    {
        var d = Deadline.After(S(1), clock);
        clock.Advance(S(5));

        var sub = d.Reserve(S(2));

        sub.IsExpired.Should().BeTrue();
        sub.RemainingMilliseconds.Should().Be(0);
    }

    [Fact]
    public void Within_caps_the_deadline_at_a_limit_from_now()
    {
        var d = Deadline.After(S(19), clock);

        d.Within(S(5)).Remaining.Should().Be(S(5));
        d.Within(S(60)).Remaining.Should().Be(S(19), "never later than the deadline itself");
        d.Within(S(-1)).IsExpired.Should().BeTrue();
    }

    [Fact]
    public void Within_counts_from_now_not_from_the_start()
    {
        var d = Deadline.After(S(19), clock);
        clock.Advance(S(10));

        d.Within(S(5)).Remaining.Should().Be(S(5));
        d.Within(S(15)).Remaining.Should().Be(S(9));
    }

    [Theory]
    [InlineData(0.5, 9_500)]
    [InlineData(2.0 / 3, 12_667)]
    [InlineData(1, 19_000)]
    [InlineData(2, 19_000)]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    public void Fraction_is_that_part_of_the_time_left_clamped_to_0_and_1(double fraction, int expectedMs)
    {
        var d = Deadline.After(S(19), clock);

        d.Fraction(fraction).RemainingMilliseconds.Should().Be(expectedMs);
    }

    [Fact]
    public void Fraction_is_of_what_is_left_now()
    {
        var d = Deadline.After(S(20), clock);
        clock.Advance(S(10));

        d.Fraction(0.5).Remaining.Should().Be(S(5));
    }

    [Fact]
    public void ToString_shows_the_milliseconds_left()
    {
        Deadline.After(Ms(1500), clock).ToString().Should().Be("1500 ms left");
    }

    // ---------------------------------------------------------------- waiting, on a manual clock

    [Fact]
    public void Sleep_within_the_deadline_moves_the_clock_by_the_full_time()
    {
        var d = Deadline.After(S(5), clock);
        long before = clock.GetTimestamp();

        d.Sleep(Ms(1500)).Should().BeTrue();

        clock.GetElapsedTime(before).Should().Be(Ms(1500));
        d.Remaining.Should().Be(Ms(3500));
    }

    [Fact]
    public void Sleep_cut_by_the_deadline_moves_the_clock_just_past_it()
    {
        var d = Deadline.After(Ms(700.25), clock);
        long before = clock.GetTimestamp();

        d.Sleep(S(10)).Should().BeFalse();

        clock.GetElapsedTime(before).Should().Be(Ms(701), "the time left, rounded up to the millisecond");
        d.IsExpired.Should().BeTrue();
    }

    [Fact]
    public void Sub_deadlines_sleep_on_the_clock_of_their_parent()
    {
        var d = Deadline.After(S(20), clock).Reserve(S(5)).Within(S(3));
        long before = clock.GetTimestamp();

        d.Clock.Should().BeSameAs(clock);
        d.Sleep(S(1)).Should().BeTrue();
        clock.GetElapsedTime(before).Should().Be(S(1));
    }

    [Fact]
    public void WaitUntil_on_a_manual_clock_polls_a_known_number_of_times()
    {
        var d = Deadline.After(S(1), clock);
        int calls = 0;

        d.WaitUntil(() => { calls++; return false; }, Ms(300)).Should().BeFalse();

        calls.Should().Be(5, "at 0, 300, 600 and 900 ms, and once more when the deadline cut the last sleep short");
    }

    [Fact]
    public void The_system_clock_is_the_default()
    {
        Deadline.After(S(1)).Clock.Should().BeSameAs(Clock.System);
    }

    // ---------------------------------------------------------------- waiting, with the real clock

    [Fact]
    public void Sleep_within_the_deadline_sleeps_the_full_time_and_returns_true()
    {
        var d = Deadline.After(S(5));
        var sw = Stopwatch.StartNew();

        d.Sleep(Ms(50)).Should().BeTrue();

        sw.Elapsed.Should().BeGreaterThanOrEqualTo(Ms(45));
        sw.Elapsed.Should().BeLessThan(S(2));
    }

    [Fact]
    public void Sleep_cut_by_the_deadline_returns_false_after_no_longer_than_the_time_left()
    {
        var d = Deadline.After(Ms(150));
        var sw = Stopwatch.StartNew();

        d.Sleep(S(10)).Should().BeFalse();

        sw.Elapsed.Should().BeGreaterThanOrEqualTo(Ms(100));
        sw.Elapsed.Should().BeLessThan(S(1.5));
        d.IsExpired.Should().BeTrue();
    }

    [Fact]
    public void Sleep_on_an_expired_deadline_returns_false_at_once()
    {
        var d = Deadline.After(TimeSpan.Zero);
        var sw = Stopwatch.StartNew();

        d.Sleep(S(10)).Should().BeFalse();

        sw.Elapsed.Should().BeLessThan(Ms(500));
    }

    [Fact]
    public void Sleep_of_zero_returns_true_without_sleeping()
    {
        Deadline.After(S(5), clock).Sleep(TimeSpan.Zero).Should().BeTrue();
    }

    [Fact]
    public void WaitUntil_returns_true_as_soon_as_the_condition_holds()
    {
        var d = Deadline.After(S(5));
        int calls = 0;
        var sw = Stopwatch.StartNew();

        d.WaitUntil(() => ++calls == 3, Ms(20)).Should().BeTrue();

        calls.Should().Be(3);
        sw.Elapsed.Should().BeLessThan(S(2));
    }

    [Fact]
    public void WaitUntil_tries_at_least_once_even_on_an_expired_deadline()
    {
        var expired = Deadline.After(TimeSpan.Zero, clock);
        int calls = 0;

        expired.WaitUntil(() => { calls++; return true; }, S(1)).Should().BeTrue();
        calls.Should().Be(1);

        calls = 0;
        expired.WaitUntil(() => { calls++; return false; }, S(1)).Should().BeFalse();
        calls.Should().Be(1);
    }

    [Fact]
    public void WaitUntil_stops_at_the_deadline_when_the_condition_never_holds()
    {
        var d = Deadline.After(Ms(200));
        int calls = 0;
        var sw = Stopwatch.StartNew();

        d.WaitUntil(() => { calls++; return false; }, Ms(20)).Should().BeFalse();

        sw.Elapsed.Should().BeGreaterThanOrEqualTo(Ms(150));
        sw.Elapsed.Should().BeLessThan(S(1.5), "a poll interval longer than the time left is cut short");
        calls.Should().BeGreaterThan(2);
    }

    [Fact]
    public void WaitUntil_with_a_poll_interval_longer_than_the_deadline_checks_once_more_at_the_end()
    {
        var d = Deadline.After(Ms(100));
        int calls = 0;
        var sw = Stopwatch.StartNew();

        d.WaitUntil(() => { calls++; return false; }, S(30)).Should().BeFalse();

        sw.Elapsed.Should().BeLessThan(S(1.5));
        calls.Should().Be(2, "once at the start, once when the deadline cut the sleep short");
    }
}
