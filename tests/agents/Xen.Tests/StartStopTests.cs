using System.Diagnostics;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// start (xl create, then the wait for the domain) and stop (the orderly shutdown, then xl
/// destroy, each within its share of the stop timeout).
/// </summary>
public class StartStopTests : XenFixture
{
    [Fact]
    public void Start_monitor_stop_against_the_standin()
    {
        var start = Run("start");
        start.ExitCode.Should().Be(0, start.Stderr);
        Xl.Calls.Should().Equal("list vm1", $"create {Cfg} name=\"vm1\"", "list vm1");
        Xl.Domains.Should().Equal("vm1");

        Xl.ClearCalls();
        Run("monitor", Recurring).ExitCode.Should().Be(0);
        Xl.Calls.Should().Equal(["list vm1"], "a monitor is exactly one xl list");

        var stop = Run("stop");
        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.Stderr.Should().NotContain("kept for xl destroy", "2/3 of the 40 s stop timeout fit before the destroy reserve");
        Xl.Domains.Should().BeEmpty();
        Xl.Calls.Should().ContainInOrder("shutdown vm1", "list vm1").And.NotContain(c => c.StartsWith("destroy"));
        Run("monitor", ("CRM_meta_interval", "0")).ExitCode.Should().Be(7);
    }

    [Fact]
    public void Start_of_a_running_domain_creates_nothing()
    {
        Xl.AddDomain("vm1", 4);
        Run("start").ExitCode.Should().Be(0);
        Xl.Calls.Should().Equal("list vm1");
    }

    [Fact]
    public void A_failed_create_reports_xls_error_line()
    {
        Xl.AddDomain("vm1", 2);
        // Same name created by someone else meanwhile: the monitor says running, so force the
        // failure through create_fails instead.
        Xl.Knob("create_fails", "");
        var r = Run("start", ("name", "other"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be($"xl create '{Cfg}' for domain 'other' exited with status 3: xc: error: panic: xg_dom_core.c:205: failed to open file '/lab/nokernel': No such file or directory: Internal error");
        r.ExitReasonCount.Should().Be(1);
    }

    [Fact]
    public void Stop_escalates_to_destroy_for_a_guest_that_ignores_shutdown()
    {
        Xl.AddDomain("vm1", 3, flags: "ignore-shutdown");
        var sw = Stopwatch.StartNew();
        var r = Run("stop", ("shutdown_timeout", "2"));
        r.ExitCode.Should().Be(0, r.Stderr);
        sw.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.8)).And.BeLessThan(TimeSpan.FromSeconds(8));
        Xl.Calls.Should().ContainInOrder("shutdown vm1", "destroy vm1");
        Xl.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Shutdown_acpi_presses_the_power_button()
    {
        Xl.AddDomain("vm1", 3);
        Run("stop", ("shutdown_acpi", "yes")).ExitCode.Should().Be(0);
        Xl.Calls.Should().Contain("trigger vm1 power").And.NotContain(c => c.StartsWith("shutdown"));
    }

    [Fact]
    public void Shutdown_timeout_0_destroys_at_once()
    {
        Xl.AddDomain("vm1", 3);
        Run("stop", ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        Xl.Calls.Should().Equal("list vm1", "destroy vm1", "list vm1");
    }

    [Fact]
    public void A_domain_that_survives_destroy_fails_the_stop_before_the_timeout_with_a_reason()
    {
        Xl.AddDomain("vm1", 3, flags: "ignore-shutdown undestroyable");
        var sw = Stopwatch.StartNew();
        var r = Run("stop", ("CRM_meta_timeout", "6000"));
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6), "Pacemaker kills the agent at the timeout");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("domain 'vm1' still exists after xl destroy until the stop timeout");
        Xl.Calls.Count(c => c == "destroy vm1").Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("vm1--migratedaway")]
    [InlineData("vm1--incoming")]
    public void Stop_destroys_what_an_interrupted_migration_left(string leftover)
    {
        // xl's names during a migration (sender, receiver); xend's "migrating-vm1" is none of them.
        Xl.AddDomain(leftover, 8, flags: "ignore-shutdown");
        var r = Run("stop");
        r.ExitCode.Should().Be(0, r.Stderr);
        Xl.Calls.Should().Equal("list vm1", "list", $"destroy {leftover}", $"list {leftover}");
        Xl.Domains.Should().BeEmpty();
        r.Stderr.Should().Contain($"WARNING: Xen domain vm1 is left here by an interrupted migration as {leftover}: destroying it");
    }

    [Fact]
    public void Stop_leaves_other_domains_alone()
    {
        Fake.Add("migrating-vm1");
        Fake.Add("vm10--incoming");
        RunFake("stop").ExitCode.Should().Be(0);
        Fake.Domains.Keys.Should().BeEquivalentTo("migrating-vm1", "vm10--incoming");
        Fake.Calls.Should().NotContain(c => c.Call.StartsWith("destroy") || c.Call.StartsWith("shutdown"));
    }

    [Fact]
    public void Stop_cuts_a_long_shutdown_timeout_short_so_destroy_keeps_its_share()
    {
        Fake.Add("vm1");
        Fake.IgnoreShutdown.Add("vm1");
        var r = RunFake("stop", ("CRM_meta_timeout", "8000"), ("shutdown_timeout", "300"));
        r.ExitCode.Should().Be(0, r.Stderr);
        // deadline = 8 s - 0.4 s margin = 7.6 s; a quarter of it, at least 2 s, is kept for destroy.
        Fake.FirstAt("destroy vm1").Should().BeCloseTo(TimeSpan.FromSeconds(5.6), TimeSpan.FromMilliseconds(10));
        Clock.Slept.Should().BeLessThan(TimeSpan.FromSeconds(7.6));
        r.Stderr.Should().Contain("the stop timeout leaves 5.6 s of the 300 s for the orderly shutdown; the rest is kept for xl destroy");
    }

    [Fact]
    public void Without_shutdown_timeout_two_thirds_of_the_stop_timeout_are_graceful()
    {
        Fake.Add("vm1");
        Fake.IgnoreShutdown.Add("vm1");
        var r = RunFake("stop", ("CRM_meta_timeout", "6000"));
        r.ExitCode.Should().Be(0, r.Stderr);
        // 2/3 of 6 s = 4 s, and the destroy reserve (2 s of the 5.7 s deadline) permits 3.7 s.
        Fake.FirstAt("destroy vm1").Should().BeCloseTo(TimeSpan.FromSeconds(3.7), TimeSpan.FromMilliseconds(10));
        r.Stderr.Should().NotContain("kept for xl destroy", "0.3 s less than asked for is no cut worth a word");
    }

    [Fact]
    public void A_stop_of_a_stopped_domain_looks_again_through_the_reboot_window_then_succeeds()
    {
        var r = RunFake("stop");
        r.ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Equal(
            ["list vm1", "list", "list vm1", "list vm1", "list vm1", "list vm1", "list vm1", "list vm1"],
            "one look, one for what a migration may have left, then 5 retries a second apart as the shell agent does");
        Clock.Slept.Should().Be(TimeSpan.FromSeconds(5));
        r.Stderr.Should().Contain("INFO: Xen domain vm1 already stopped.");
    }
}
