using HaCluster.Agents.VirtualDomain;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// start: a transient domain from the config file, a restored snapshot or a copy-on-write image,
/// done when a monitor would pass.
/// </summary>
public class StartTests : VirtualDomainFixture
{
    [Fact]
    public void Start_creates_a_transient_domain_from_the_config_and_returns_when_it_runs()
    {
        var r = Run("start", UtilizationOff);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Domains["vm1"].Persistent.Should().BeFalse();
        Libvirt.Domains["vm1"].Xml.Should().Contain("<name>vm1</name>");
        Libvirt.Count("createxml").Should().Be(1);
        File.ReadAllText(Path.Combine(RscTmp, "hacluster-Test-vm.domain")).Should().Be("vm1\n/usr/bin/qemu-system-x86_64\n");
    }

    [Fact]
    public void Start_of_a_running_domain_creates_nothing()
    {
        Libvirt.Add("vm1");
        Run("start").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Count("createxml").Should().Be(0);
    }

    [Fact]
    public void Start_undefines_a_persistent_definition_and_puts_back_a_config_libvirt_deleted()
    {
        Libvirt.Add("vm1", DomainState.Shutoff, persistent: true);
        Libvirt.UndefineDeletesFile = ConfigPath;
        string original = File.ReadAllText(ConfigPath);
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().ContainInOrder("undefine vm1", "createxml");
        File.ReadAllText(ConfigPath).Should().Be(original);
        Libvirt.Domains["vm1"].Persistent.Should().BeFalse();
    }

    [Fact]
    public void Start_resources_starts_inactive_pools_and_networks_and_refreshes_active_pools()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk><disk><source pool='p2' volume='b'/></disk><interface type='network'><source network='n1'/></interface>"));
        Libvirt.Pools["p1"] = false;
        Libvirt.Pools["p2"] = true;
        Libvirt.Networks["n1"] = false;
        Run("start", [.. UtilizationOff, ("start_resources", "true")]).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().ContainInOrder("pool-start p1", "pool-refresh p2", "net-start n1", "createxml");
        Libvirt.Networks["n1"].Should().BeTrue();

        Libvirt.Domains.Clear();
        Libvirt.Pools.Remove("p2");
        ShouldFail(Run("start", ("start_resources", "true")), OcfExitCode.ErrGeneric, "storage pool 'p2'");
    }

    [Fact]
    public void Start_restores_a_snapshot_and_removes_its_state_file()
    {
        string state = Path.Combine(Dir.Path, "vm1.state");
        File.WriteAllText(state, FakeLibvirt.DomainXml("vm1"));
        Run("start", [.. UtilizationOff, ("snapshot", Dir.Path)]).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain($"restore {state}").And.NotContain("createxml");
        File.Exists(state).Should().BeFalse();
    }

    [Fact]
    public void Backingfile_creates_the_overlay_with_qemu_img_then_defines_and_starts()
    {
        Processes.Answer = spec => spec.Arguments.FirstOrDefault() == "info" ? ScriptedProcessRunner.Ok("{\"format\": \"raw\", \"virtual-size\": 1}") : ScriptedProcessRunner.Ok("");
        var r = Run("start", [.. UtilizationOff, ("backingfile", "/images/base.img"), ("copyindirs", "/srv/a /srv/b")]);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Processes.Calls.Select(c => c.ToString()).Should().Equal(
            "qemu-img info --output=json -- /images/base.img",
            $"qemu-img create -f qcow2 -F raw -b /images/base.img -- {Dir["vm1.qcow2"]}",
            $"virt-copy-in -c {Uri} -d vm1 /srv/a /srv/b /");
        Libvirt.Calls.Should().ContainInOrder("definexml", "create vm1");
        Libvirt.Domains["vm1"].Persistent.Should().BeTrue();
    }

    [Fact]
    public void Backingfile_without_qemu_img_is_not_installed()
    {
        foreach (var d in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin" })
            Processes.Missing.Add(d + "/qemu-img");
        ShouldFail(Run("start", ("backingfile", "/images/base.img")), OcfExitCode.ErrInstalled, "qemu-img is not installed");
        Libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Start_waits_until_monitor_scripts_pass()
    {
        int calls = 0;
        Processes.Answer = _ => ++calls < 3 ? ScriptedProcessRunner.Exit(1, "not yet") : ScriptedProcessRunner.Ok("");
        Run("start", [.. UtilizationOff, ("monitor_scripts", "/opt/check")]).Code.Should().Be(OcfExitCode.Success);
        calls.Should().Be(3);
    }

    [Fact]
    public void Start_fails_at_its_deadline_when_monitor_scripts_never_pass()
    {
        Processes.Answer = _ => ScriptedProcessRunner.Exit(1, "service down");
        var r = Run("start", [.. UtilizationOff, ("monitor_scripts", "/opt/check"), Timeout(20000)]);
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not pass its monitor before the start timeout");
        r.ExitReason.Should().Contain("service down");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Start_reports_libvirts_reason_when_creation_fails()
    {
        Libvirt.CreateError = new LibvirtException(LibvirtErrorCode.InternalError, "internal error: process exited while connecting to monitor");
        ShouldFail(Run("start"), OcfExitCode.ErrGeneric, "failed to start virtual domain 'vm1': internal error: process exited");
    }

    [Fact]
    public void Start_fails_at_once_when_the_domain_dies_right_after_creation()
    {
        Libvirt.DomainsDieAtOnce = true;
        ShouldFail(Run("start", UtilizationOff), OcfExitCode.ErrGeneric, "stopped right after it was started");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Start_with_libvirtd_down_fails_with_the_connection_reason()
    {
        Libvirt.Refused = true;
        ShouldFail(Run("start"), OcfExitCode.ErrGeneric, "cannot connect to libvirt");
    }

    [Fact]
    public void Where_systemd_runs_start_writes_the_drop_ins_once()
    {
        string units = Dir["systemd"];
        Directory.CreateDirectory(units);
        var agent = () => new VirtualDomainAgent(Libvirt.Open, Emulators, Dir["libvirt.conf"], units);
        var invoker = new AgentInvoker { Processes = Processes, Cluster = Cluster, Clock = Clock }
            .With("HA_RSCTMP", RscTmp).With("PATH", "/usr/bin").Param("config", ConfigPath).Param("hypervisor", Uri);
        invoker.Run(agent(), "start").Code.Should().Be(OcfExitCode.Success);
        File.ReadAllText(Path.Combine(units, "resource-agents-deps.target.d", "99-VirtualDomain-libvirt.conf")).Should().Be("[Unit]\nAfter=libvirtd.service\n");
        File.ReadAllText(Path.Combine(units, "resource-agents-deps.target.d", "99-VirtualDomain-machines.conf")).Should().Be("[Unit]\nWants=virt-guest-shutdown.target\n");
        Processes.Calls.Select(c => c.ToString()).Should().Equal("systemctl daemon-reload", "systemctl start virt-guest-shutdown.target");

        Processes.Calls.Clear();
        Libvirt.Domains.Clear();
        invoker.Run(agent(), "start").Code.Should().Be(OcfExitCode.Success);
        Processes.Calls.Select(c => c.ToString()).Should().Equal("systemctl start virt-guest-shutdown.target");
    }
}
