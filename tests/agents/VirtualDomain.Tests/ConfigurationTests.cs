using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// What Validate reads: the config file (parsed, never a device or a FIFO), the domain recorded at
/// start, the default hypervisor URI.
/// </summary>
public class ConfigurationTests : VirtualDomainFixture
{
    [Fact]
    public void The_domain_name_comes_from_an_xml_parse_not_a_line_regex()
    {
        WriteConfig("<?xml version='1.0'?>\n<!-- <name>old</name> -->\n<domain type='kvm'><uuid>x</uuid><name>\n  real-vm  \n</name><devices><emulator>/usr/bin/qemu-kvm</emulator><interface type='network'><source network='br0net'/></interface><disk><source pool='p1' volume='v'/></disk></devices></domain>");
        var c = DomainConfig.Parse(File.ReadAllText(ConfigPath), out var error)!;
        error.Should().BeNull();
        c.Name.Should().Be("real-vm");
        c.Emulator.Should().Be("/usr/bin/qemu-kvm");
        c.Networks.Should().Equal("br0net");
        c.Pools.Should().Equal("p1");
    }

    [Theory]
    [InlineData("<domain><uuid>x</uuid></domain>", "no /domain/name")]
    [InlineData("<network><name>n</name></network>", "root element")]
    [InlineData("<domain><name>a/b</name></domain>", "contains '/'")]
    [InlineData("<domain><name>vm", "not well-formed")]
    [InlineData("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>", "not well-formed")]
    public void A_config_that_is_no_usable_domain_xml_is_not_installed(string xml, string why)
    {
        WriteConfig(xml);
        ShouldFail(Run("start"), OcfExitCode.ErrInstalled, why);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning, "probe rule");
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void A_config_that_is_no_regular_file_is_never_read(string path)
    {
        var r = Run("start", ("config", path));
        ShouldFail(r, OcfExitCode.ErrInstalled, "not a regular file");
        Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_config_in_proc_is_read_bounded_and_refused_as_no_domain_xml()
    {
        ShouldFail(Run("start", ("config", "/proc/self/status")), OcfExitCode.ErrInstalled, "is not a libvirt domain XML");
        Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_config_fifo_does_not_block()
    {
        string fifo = Dir["vm.fifo"];
        await System.Diagnostics.Process.Start("mkfifo", fifo)!.WaitForExitAsync();
        File.Exists(fifo).Should().BeTrue();
        var task = Task.Run(() => Run("start", ("config", fifo)));
        var first = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10)));
        first.Should().BeSameAs(task, "reading a FIFO would block until a writer comes");
        (await task).Code.Should().Be(OcfExitCode.ErrInstalled);
    }

    [Theory]
    [InlineData("pool")]
    [InlineData("network")]
    public void A_config_naming_100000_pools_or_networks_validates_in_linear_time(string kind)
    {
        var devices = new System.Text.StringBuilder();
        for (int i = 0; i < 100_000; i++) devices.Append("<source ").Append(kind).Append("='x").Append(i).Append("'/>");
        WriteConfig(FakeLibvirt.DomainXml("vm1", extraDevices: devices.ToString()));
        // CPU time of this thread (the agent runs in-process on it): wall time on a machine shared
        // by several builds says little.
        long before = ThreadCpuNanoseconds();
        var r = Run("validate-all");
        var cpu = TimeSpan.FromTicks((ThreadCpuNanoseconds() - before) / 100);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        // Quadratic de-duplication (List.Contains) took 27 s here, past a 10 s timeout.
        cpu.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    static long ThreadCpuNanoseconds() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_missing_config_follows_the_probe_rule()
    {
        File.Delete(ConfigPath);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        ShouldFail(Run("start"), OcfExitCode.ErrInstalled, "does not exist");
        ShouldFail(Run("monitor", Recurring), OcfExitCode.ErrGeneric, "does not exist");
        Libvirt.OpenedUris.Should().BeEmpty();
    }

    [Fact]
    public void A_started_domain_is_remembered_so_stop_and_monitor_reach_it_when_the_config_is_gone()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        File.Delete(ConfigPath);
        Run("monitor", [.. UtilizationOff, Recurring]).Code.Should().Be(OcfExitCode.Success);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Domains.Should().BeEmpty();
        Libvirt.Count("shutdown vm1").Should().Be(1);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning, "the record goes with the stop");
    }

    [Fact]
    public void Stop_is_for_the_domain_that_was_started_even_if_the_config_now_names_another()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        WriteConfig(FakeLibvirt.DomainXml("vm1-renamed"));
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Should().Contain("shutdown vm1 0");
        Libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void The_default_hypervisor_follows_libvirts_rules()
    {
        string conf = Dir["client.conf"];
        HypervisorUri.Default(_ => null, conf, isRoot: true).Should().Be("qemu:///system");
        HypervisorUri.Default(_ => null, conf, isRoot: false).Should().Be("qemu:///session");
        File.WriteAllText(conf, "# uri_default = \"xen:///system\"\nuri_default = \"test:///default\"  # comment\n");
        HypervisorUri.Default(_ => null, conf, isRoot: true).Should().Be("test:///default");
        HypervisorUri.Default(n => n == "LIBVIRT_DEFAULT_URI" ? "lxc:///system" : null, conf, isRoot: true).Should().Be("lxc:///system");
    }

    [Fact]
    public void Without_hypervisor_the_agent_connects_to_the_default_uri()
    {
        ExtraEnv["LIBVIRT_DEFAULT_URI"] = "test+unix:///default?socket=/nonexistent/sock";
        Libvirt.Add("vm1");
        Run("monitor", ("hypervisor", null!)).Code.Should().Be(OcfExitCode.Success);
        Libvirt.OpenedUris.Should().Equal("test+unix:///default?socket=/nonexistent/sock");
    }
}
