using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// monitor and status: libvirt's states, monitor_scripts, and the emulator process when libvirtd
/// does not answer.
/// </summary>
public class StatusTests : VirtualDomainFixture
{
    [Theory]
    [InlineData(DomainState.Running, OcfExitCode.Success)]
    [InlineData(DomainState.Blocked, OcfExitCode.Success)]
    [InlineData(DomainState.Paused, OcfExitCode.Success)]
    [InlineData(DomainState.Shutdown, OcfExitCode.Success)]
    [InlineData(DomainState.PmSuspended, OcfExitCode.Success)]
    [InlineData(DomainState.NoState, OcfExitCode.Success)]
    [InlineData(DomainState.Shutoff, OcfExitCode.NotRunning)]
    [InlineData(DomainState.Crashed, OcfExitCode.NotRunning)]
    public void Monitor_maps_libvirt_states(DomainState state, OcfExitCode expected)
    {
        Libvirt.Add("vm1", state, persistent: true);
        Run("monitor", Recurring).Code.Should().Be(expected);
        Run("monitor").Code.Should().Be(expected);
    }

    [Fact]
    public void An_unknown_state_value_never_loops_and_counts_as_running()
    {
        Libvirt.Add("vm1", (DomainState)42);
        var r = Run("monitor", [.. UtilizationOff, Recurring]);
        r.Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("getstate").Should().Be(1);
    }

    [Fact]
    public void No_domain_is_not_running_and_so_is_no_domain_from_getstate_after_a_power_off()
    {
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        Libvirt.Add("vm1");
        Libvirt.NoDomainOnGetState = true;
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("shutdown").Should().Be(0);
    }

    [Fact]
    public void A_monitor_makes_one_connection_with_lookup_getstate_and_getinfo_and_starts_no_process()
    {
        Libvirt.Add("vm1");
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        Libvirt.OpenedUris.Should().ContainSingle().Which.Should().Be(Uri);
        Libvirt.Calls.Should().Equal("lookup vm1", "getstate vm1", "getinfo vm1", "close");
        Processes.Calls.Should().BeEmpty();

        Libvirt.Calls.Clear();
        Run("monitor", [.. UtilizationOff, Recurring]).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Equal("lookup vm1", "getstate vm1", "close");
    }

    [Fact]
    public void Monitor_scripts_run_after_a_good_status_and_a_failure_is_an_error_with_its_reason()
    {
        Libvirt.Add("vm1");
        Processes.Answer = spec => spec.Path == "/opt/check-b" ? ScriptedProcessRunner.Exit(3, "service b is down") : ScriptedProcessRunner.Ok("");
        var r = Run("monitor", ("monitor_scripts", "/opt/check-a /opt/check-b /opt/check-c"), NoUtilization, Recurring);
        ShouldFail(r, OcfExitCode.ErrGeneric, "monitor command '/opt/check-b' for domain 'vm1' exited with status 3: service b is down");
        Processes.Calls.Select(c => c.Path).Should().Equal("/opt/check-a", "/opt/check-b");

        Processes.Calls.Clear();
        Libvirt.Domains.Clear();
        Run("monitor", ("monitor_scripts", "/opt/check-a"), Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        Processes.Calls.Should().BeEmpty("scripts check services in a running domain only");
    }

    [Fact]
    public void Hung_libvirtd_monitor_answers_from_the_emulator_process()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Hung = true;
        Emulators.Running[4242] = "vm1";
        Run("monitor", Recurring, Timeout(30000)).Code.Should().Be(OcfExitCode.Success);
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        Emulators.EmulatorsAskedFor.Should().OnlyContain(e => e == Libvirt.LiveEmulator, "the emulator recorded at start");

        Emulators.Running.Clear();
        Run("monitor", Timeout(30000)).Code.Should().Be(OcfExitCode.NotRunning, "a probe: no emulator, no domain");
        var r = Run("monitor", Recurring, Timeout(30000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "libvirtd did not answer");
        r.ExitReason.Should().Contain("no emulator process of domain 'vm1'");
        System.Text.RegularExpressions.Regex.Matches(r.ExitReason!, "did not answer").Should().ContainSingle();
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Hung_libvirtd_monitor_still_runs_the_monitor_scripts_of_a_running_domain()
    {
        Libvirt.Hung = true;
        Emulators.Running[4242] = "vm1";
        Processes.Answer = _ => ScriptedProcessRunner.Exit(2, "web service down");
        ShouldFail(Run("monitor", ("monitor_scripts", "/opt/check-web"), Recurring), OcfExitCode.ErrGeneric, "web service down");
        Processes.Calls.Should().ContainSingle();
    }

    [Fact]
    public void Refused_connection_monitor_also_falls_back_to_the_process_check()
    {
        Libvirt.Refused = true;
        Emulators.Running[77] = "vm1";
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        Emulators.EmulatorsAskedFor.Should().Equal("/usr/bin/qemu-system-x86_64");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a refused socket is retried only briefly");
    }

    [Fact]
    public void Without_libvirt_a_non_process_driver_cannot_be_judged_and_fails()
    {
        Libvirt.Refused = true;
        ShouldFail(Run("monitor", ("hypervisor", "xen:///system")), OcfExitCode.ErrGeneric, "cannot be determined");
    }

    [Fact]
    public void Status_reports_the_state_without_scripts()
    {
        Libvirt.Add("vm1");
        Run("status", ("monitor_scripts", "/opt/check")).Code.Should().Be(OcfExitCode.Success);
        Processes.Calls.Should().BeEmpty();
    }
}
