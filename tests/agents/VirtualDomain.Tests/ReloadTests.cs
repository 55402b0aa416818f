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

    /// <summary>
    /// The parameters that need a restart (neither reloadable nor unique), each with an old and a
    /// new value, and the call only the new value's start makes.
    /// </summary>
    public static TheoryData<string, string, string, string> RestartNeedingParameters() => new()
    {
        { "hypervisor", Uri, "qemu+unix:///system?socket=/nonexistent/other-sock", "createxml" },
        { "backingfile", "", "/images/base.qcow2", "definexml" },
        { "stateless", "false", "true", "definexml" },
        { "copyindirs", "", "/etc/hosts", "definexml" },
    };

    [Theory]
    [MemberData(nameof(RestartNeedingParameters))]
    public void A_restart_inside_reload_is_a_stop_with_the_old_values_on_its_own_connection_then_a_start_with_the_new(
        string parameter, string oldValue, string newValue, string newStartCall)
    {
        // stateless and copyindirs mean something only with a backing file: both runs have one.
        var common = parameter is "stateless" or "copyindirs" ? [.. UtilizationOff, ("backingfile", "/images/base.qcow2")] : UtilizationOff;
        Run("start", [.. common, (parameter, oldValue)]).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Sessions.Clear();
        Processes.Calls.Clear();

        var r = RunAsMainDoes("reload", [.. common, (parameter, newValue)]);

        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        InstancesMade.Should().Be(3, "the reload, then a fresh agent for the stop and another for the start");
        var sessions = Libvirt.Sessions;
        int shutdown = sessions.FindIndex(e => e.EndsWith(" shutdown vm1 0", StringComparison.Ordinal));
        int started = sessions.FindIndex(e => e.EndsWith(" " + newStartCall, StringComparison.Ordinal) || e.Contains($" {newStartCall} ", StringComparison.Ordinal));
        shutdown.Should().BeGreaterThan(-1, string.Join("\n", sessions));
        started.Should().BeGreaterThan(shutdown, "the start comes after the stop");
        string stopConnection = sessions[shutdown].Split(' ')[0], startConnection = sessions[started].Split(' ')[0];
        stopConnection.Should().NotBe(startConnection);
        sessions.Should().Contain($"open {stopConnection} {(parameter == "hypervisor" ? oldValue : Uri)}", "the stop connects with the old values");
        sessions.IndexOf($"end {stopConnection}").Should().BeLessThan(sessions.FindIndex(e => e.StartsWith($"open {startConnection} ", StringComparison.Ordinal)),
            "the stop's connection is closed before the start opens its own");
        if (parameter == "hypervisor") sessions.Should().Contain($"open {startConnection} {newValue}");
        else Processes.Calls.Should().Contain(c => c.Path.EndsWith("qemu-img", StringComparison.Ordinal) && c.Arguments.Contains("create"), "the start uses the new values");
    }
}
