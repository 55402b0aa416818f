using HaCluster.Agents.VirtualDomain;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// stop: graceful shutdown or snapshot until a reserve of the deadline, then destroy; the emulator
/// process is signalled when libvirtd does not answer.
/// </summary>
public class StopTests : VirtualDomainFixture
{
    [Fact]
    public void Stop_of_a_stopped_domain_succeeds_without_a_shutdown()
    {
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("shutdown").Should().Be(0);
    }

    [Theory]
    [InlineData("", 0u)]
    [InlineData("acpi", 1u)]
    [InlineData("acpi,agent", 3u)]
    [InlineData("signal,paravirt,initctl", 28u)]
    public void Stop_shuts_down_gracefully_with_shutdown_mode_applied(string mode, uint flags)
    {
        Libvirt.Add("vm1");
        Run("stop", ("shutdown_mode", mode)).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain($"shutdown vm1 {flags}").And.NotContain(c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Fact]
    public void Stop_escalates_to_destroy_leaving_a_reserve_of_the_deadline()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownIgnored = true;
        var r = Run("stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Calls.Should().ContainInOrder("shutdown vm1 0", "destroy vm1 Graceful");
        Libvirt.Domains.Should().BeEmpty();
        // 90 s less the 2 s margin, less max(5 s, 15 %) for destroy: the graceful wait ends near 74.8 s.
        Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(70)).And.BeLessThan(TimeSpan.FromSeconds(80));
    }

    [Fact]
    public void Stop_tries_a_default_destroy_when_the_graceful_one_fails()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownIgnored = true;
        Libvirt.GracefulDestroyFails = true;
        Run("stop", Timeout(15000)).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().ContainInOrder("destroy vm1 Graceful", "destroy vm1 Default");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Stop_with_force_stop_destroys_without_a_shutdown()
    {
        Libvirt.Add("vm1");
        Run("stop", ("force_stop", "yes")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("shutdown").Should().Be(0);
        Libvirt.Count("destroy vm1").Should().Be(1);
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_refused_shutdown_mode_goes_to_destroy_at_once()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownError = new LibvirtException(LibvirtErrorCode.ArgumentUnsupported, "argument unsupported: QEMU guest agent is not configured");
        Run("stop", ("shutdown_mode", "agent")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain("shutdown vm1 2").And.Contain("destroy vm1 Graceful");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void No_domain_from_getstate_during_the_shutdown_wait_means_stopped()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownIgnored = true;
        // The guest powers off: the lookup still finds it, getstate says NO_DOMAIN
        // (tests/integration/libvirt/README.md, "NO_DOMAIN after a power-off").
        var r = RunWith(c => new AfterShutdown(c, () => Libvirt.NoDomainOnGetState = true), "stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Count("destroy").Should().Be(0);
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void No_domain_from_the_shutdown_call_means_stopped()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownError = new LibvirtException(LibvirtErrorCode.NoDomain, "Domain not found: no domain with matching uuid");
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("destroy").Should().Be(0);
    }

    [Fact]
    public void Stop_with_snapshot_saves_the_state_instead_of_shutting_down()
    {
        Libvirt.Add("vm1");
        Run("stop", ("snapshot", Dir.Path)).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain($"save vm1 {Path.Combine(Dir.Path, "vm1.state")}");
        Libvirt.Count("shutdown").Should().Be(0);
        File.Exists(Path.Combine(Dir.Path, "vm1.state")).Should().BeTrue();
    }

    [Fact]
    public void A_snapshot_save_that_outlives_the_stop_is_aborted_its_file_removed_and_the_domain_destroyed()
    {
        Libvirt.Add("vm1");
        Libvirt.SaveHangs = true;
        var r = Run("stop", ("snapshot", Dir.Path), Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Calls.Should().ContainInOrder("abortjob vm1", "destroy vm1 Graceful");
        File.Exists(Path.Combine(Dir.Path, "vm1.state")).Should().BeFalse("a half-written state must not be restored");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Hung_libvirtd_stop_terminates_the_emulator_process_and_succeeds()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Hung = true;
        Emulators.Running[4242] = "vm1";
        var r = Run("stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Emulators.Signals.Should().Equal("15 4242");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Hung_libvirtd_stop_kills_an_emulator_that_ignores_sigterm_within_the_deadline()
    {
        Libvirt.Hung = true;
        Emulators.IgnoresTerm = true;
        Emulators.Running[4242] = "vm1";
        Run("stop", Timeout(20000)).Code.Should().Be(OcfExitCode.Success);
        Emulators.Signals.Should().Equal("15 4242", "9 4242");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Hung_libvirtd_stop_without_an_emulator_process_succeeds()
    {
        Libvirt.Hung = true;
        Run("stop", Timeout(20000)).Code.Should().Be(OcfExitCode.Success);
        Emulators.Signals.Should().BeEmpty();
    }

    [Fact]
    public void Libvirtd_hanging_after_the_shutdown_request_still_ends_in_the_emulator_kill()
    {
        Libvirt.Add("vm1");
        Libvirt.ShutdownIgnored = true;
        Emulators.Running[4242] = "vm1";
        var r = RunWith(c => new AfterShutdown(c, () => Libvirt.Hung = true), "stop", Timeout(30000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Emulators.Signals.Should().Equal("15 4242");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Hung_libvirtd_stop_of_a_driver_without_an_emulator_process_fails_rather_than_lie()
    {
        Libvirt.Hung = true;
        var r = Run("stop", ("hypervisor", "xen:///system"), Timeout(20000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "cannot be stopped without it");
    }

    [Fact]
    public void A_stop_with_a_parameter_made_invalid_still_stops_the_domain_the_plain_way()
    {
        Libvirt.Add("vm1");
        var r = Run("stop", ("shutdown_mode", "acpi,bogus"), ("snapshot", Dir.Path), ("force_stop", "false"), ("migration_speed", "fast"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Calls.Should().Contain("shutdown vm1 0").And.NotContain(c => c.StartsWith("save", StringComparison.Ordinal));
        Libvirt.Domains.Should().BeEmpty();

        Libvirt.Add("vm1");
        Run("stop", ("force_stop", "true"), ("snapshot", Dir.Path)).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void A_stop_whose_hypervisor_no_start_could_use_is_0_with_a_warning()
    {
        // The stop rule: nothing was started through a URI nobody can connect to (a reload that
        // changes the hypervisor stops with the old one).
        Libvirt.Add("vm1");
        var r = Run("stop", ("hypervisor", "qemu:///system\nx"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        r.Stderr.Should().Contain("hypervisor").And.Contain("nothing can be running");
        Libvirt.OpenedUris.Should().BeEmpty();
    }

    [Fact]
    public void A_crashed_domain_is_destroyed_on_stop()
    {
        Libvirt.Add("vm1", DomainState.Crashed);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain("destroy vm1 Default");
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(10000)]
    [InlineData(90000)]
    [InlineData(600000)]
    public void The_destroy_reserve_is_at_least_5_s_or_15_percent_and_at_most_half(int ms)
    {
        var left = TimeSpan.FromMilliseconds(ms);
        var reserve = VirtualDomainAgent.DestroyReserve(left);
        reserve.Should().BeLessThanOrEqualTo(left / 2);
        if (left >= TimeSpan.FromSeconds(10)) reserve.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
        reserve.Should().BeGreaterThanOrEqualTo(TimeSpan.FromTicks(Math.Min(left.Ticks / 2, (long)(left.Ticks * 0.15))));
    }
}
