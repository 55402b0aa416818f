using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// reload: reloadable parameters leave the domain running; another hypervisor restarts it, stopping
/// with the old values.
/// </summary>
public class ReloadTests : VirtualDomainFixture
{
    [Fact]
    public void Reload_of_a_reloadable_parameter_leaves_the_domain_running()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Clear();
        Run("reload", [.. UtilizationOff, ("monitor_scripts", "/opt/check"), ("shutdown_mode", "acpi")]).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().NotContain(c => c.StartsWith("shutdown", StringComparison.Ordinal) || c.StartsWith("destroy", StringComparison.Ordinal) || c == "createxml");
    }

    [Fact]
    public void Reload_with_another_hypervisor_stops_on_the_old_daemon_and_starts_on_the_new()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.OpenedUris.Clear();
        const string other = "qemu+unix:///system?socket=/nonexistent/other-sock";
        var r = Run("reload", [.. UtilizationOff, ("hypervisor", other)]);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.OpenedUris.First().Should().Be(Uri, "the stop runs with the values the domain was started with");
        Libvirt.OpenedUris.Last().Should().Be(other);
        Libvirt.Calls.Should().ContainInOrder("shutdown vm1 0", "createxml");
    }
}
