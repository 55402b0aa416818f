using HaCluster.Agents.VirtualDomain;
using HaCluster.Libvirt;
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

    [Fact]
    public void Save_config_never_writes_or_chmods_through_a_link_planted_at_the_old_temporary_name()
    {
        string victim = Dir["victim"];
        File.WriteAllText(victim, "precious");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(ConfigPath, (UnixFileMode)0x1a4);
        File.CreateSymbolicLink(Dir[".vm1.xml.hacluster-save"], victim);
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");

        Run("stop", ("save_config_on_stop", "true")).Code.Should().Be(OcfExitCode.Success);

        File.ReadAllText(victim).Should().Be("precious");
        File.GetUnixFileMode(victim).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(ConfigPath).Should().Contain("<disk type='file'/>");
        File.GetUnixFileMode(ConfigPath).Should().Be((UnixFileMode)0x1a4, "the saved file keeps the config's mode");
        Directory.GetFiles(Dir.Path, ".vm1.xml.*").Should().BeEquivalentTo([Dir[".vm1.xml.hacluster-save"]], "no temporary file is left");
    }

    [Fact]
    public void Save_config_neither_follows_nor_replaces_a_config_that_is_a_symbolic_link()
    {
        string victim = Dir["victim.xml"];
        File.WriteAllText(victim, FakeLibvirt.DomainXml("vm1"));
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Delete(ConfigPath);
        File.CreateSymbolicLink(ConfigPath, victim);
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");

        var r = Run("stop", ("save_config_on_stop", "true"));

        r.Code.Should().Be(OcfExitCode.Success);
        File.ReadAllText(victim).Should().NotContain("<disk");
        File.GetUnixFileMode(victim).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        new FileInfo(ConfigPath).LinkTarget.Should().Be(victim);
        r.Stderr.Should().Contain("symbolic link");
        Libvirt.Domains.Should().BeEmpty("the stop itself goes on");
    }

    [Fact]
    public void Start_never_puts_back_a_config_libvirt_removed_through_a_dangling_link_planted_there()
    {
        string victim = Dir["cron-job"];
        Libvirt.Add("vm1", DomainState.Shutoff, persistent: true);
        Libvirt.UndefineDeletesFile = ConfigPath;
        Libvirt.AfterUndefine = () => File.CreateSymbolicLink(ConfigPath, victim);
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        File.Exists(victim).Should().BeFalse("root must not create a file where a planted link points");
    }
}
