using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// save_config_on_stop and sync_config_on_stop: the running domain's XML written back to the config
/// file, csync2 where asked for.
/// </summary>
public class SavedConfigTests : VirtualDomainFixture
{
    [Fact]
    public void Save_config_on_stop_writes_the_changed_inactive_xml_back()
    {
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");
        Run("stop", ("save_config_on_stop", "true")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain("getxml vm1 Secure, Inactive");
        File.ReadAllText(ConfigPath).Should().Contain("<disk type='file'/>");
    }

    [Fact]
    public void Monitor_with_save_config_on_stop_keeps_the_config_file_current_like_the_shell_agent()
    {
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<!--changed-->");
        Run("monitor", ("save_config_on_stop", "yes"), Recurring).Code.Should().Be(OcfExitCode.Success);
        File.ReadAllText(ConfigPath).Should().Contain("<!--changed-->");
        Processes.Calls.Where(c => !c.Path.EndsWith("virt-xml-validate", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Fact]
    public void Snapshot_and_save_config_on_stop_save_the_config_before_the_state()
    {
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");
        Run("stop", ("snapshot", Dir.Path), ("save_config_on_stop", "1")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().ContainInOrder("getxml vm1 Secure, Inactive", $"save vm1 {Path.Combine(Dir.Path, "vm1.state")}");
        File.ReadAllText(ConfigPath).Should().Contain("<disk type='file'/>");
    }

    [Fact]
    public void Sync_config_on_stop_needs_csync2_for_validate_all_and_start_but_stop_still_stops()
    {
        foreach (var d in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin" })
            Processes.Missing.Add(d + "/csync2");
        ShouldFail(Run("validate-all", ("sync_config_on_stop", "true")), OcfExitCode.ErrInstalled, "csync2");
        ShouldFail(Run("start", ("sync_config_on_stop", "true")), OcfExitCode.ErrInstalled, "csync2");
        Libvirt.Add("vm1");
        Run("stop", ("sync_config_on_stop", "true")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Domains.Should().BeEmpty("the stop must not skip the domain because a sync tool is missing");
    }
}
