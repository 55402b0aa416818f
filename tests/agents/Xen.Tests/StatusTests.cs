namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// monitor and status: one xl list (a recurring monitor retries through a guest's reboot), the
/// utilization from its row, the monitor scripts, and xl's failures told apart from "stopped".
/// </summary>
public class StatusTests : XenFixture
{
    [Fact]
    public void A_probe_asks_once()
    {
        Run("monitor").ExitCode.Should().Be(7);
        Xl.Calls.Should().Equal("list vm1");
    }

    [Fact]
    public void Status_is_one_list()
    {
        Run("status").ExitCode.Should().Be(7);
        Xl.AddDomain("vm1", 3);
        Run("status").ExitCode.Should().Be(0);
        Xl.Calls.Should().Equal("list vm1", "list vm1");
    }

    [Fact]
    public void Utilization_comes_from_the_row_of_the_monitors_one_xl_list()
    {
        Xl.AddDomain("vm1", 3, mem: 768, vcpus: 2);
        Run("monitor", Recurring, ("autoset_utilization_cpu", "true"), ("autoset_utilization_hv_memory", "true")).ExitCode.Should().Be(0);
        Xl.Calls.Should().Equal("list vm1");
        Cluster.Calls.Should().Equal("utilization cpu=2", "utilization hv_memory=768");
    }

    [Fact]
    public void A_recurring_monitor_retries_through_a_reboot_window()
    {
        // The domain is gone for the first list calls and back afterwards, as during a reboot.
        Xl.AddDomain("vm1", 3);
        File.WriteAllText(Path.Combine(Xl.State, "domains"), "");
        var t = new Thread(() => { Thread.Sleep(1500); Xl.AddDomain("vm1", 5); });
        t.Start();
        var r = Run("monitor", Recurring);
        t.Join();
        r.ExitCode.Should().Be(0, r.Stderr);
        Xl.Calls.Count(c => c == "list vm1").Should().BeGreaterThan(1);
        r.Stderr.Should().Contain("reported as not running, but it is expected to be running");
    }

    [Fact]
    public void A_recurring_monitor_of_a_vanished_domain_retries_5_times_then_reports_7()
    {
        var r = RunFake("monitor", Recurring);
        r.ExitCode.Should().Be(7);
        Clock.Slept.Should().Be(TimeSpan.FromSeconds(5));
        Fake.Calls.Should().HaveCount(6, "one look and 5 retries a second apart");
        r.Stderr.Should().Contain("Xen domain vm1 stopped");
    }

    [Fact]
    public void The_reboot_retries_never_outlast_a_short_monitor_timeout()
    {
        RunFake("monitor", Recurring, ("CRM_meta_timeout", "2500")).ExitCode.Should().Be(7);
        // The deadline is 2.3 s (2.5 s less the 0.2 s margin): room for two retries, not five.
        Clock.Slept.Should().BeLessThan(TimeSpan.FromSeconds(2.3));
        Fake.Calls.Should().HaveCount(3);
    }

    [Fact]
    public void A_running_domain_is_running_even_when_its_xmfile_is_missing()
    {
        // Shared storage unmounted: reporting "stopped" would start the domain twice.
        Xl.AddDomain("vm1", 3);
        Run("monitor", ("xmfile", Xl["gone.cfg"]), ("name", "vm1")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void An_xl_that_cannot_reach_the_hypervisor_is_a_failure_not_stopped()
    {
        Xl.Knob("broken", "");
        var r = Run("monitor");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot tell whether domain 'vm1' runs: xl list exited with status 1: xencall: error: Could not obtain handle on privileged command interface: No such file or directory");
    }

    [Fact]
    public void Monitor_scripts_run_without_a_shell_and_a_failing_one_fails_the_monitor()
    {
        Xl.AddDomain("vm1", 3);
        Run("monitor", $"{Xl.Bin}:/usr/bin:/bin", Recurring, ("monitor_scripts", "/bin/true  true")).ExitCode.Should().Be(0, "'true' is found in PATH");
        var r = Run("monitor", Recurring, ("monitor_scripts", "/bin/true /bin/false"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("monitor script '/bin/false' of domain 'vm1' exited with status 1");
        var missing = Run("monitor", Recurring, ("monitor_scripts", "no-such-check"));
        missing.ExitCode.Should().Be(1);
        missing.ExitReason.Should().Be("monitor script 'no-such-check' of domain 'vm1' is not an executable program");
    }
}
