using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// The NativeAOT IPaddr2 as shipped, run as pacemaker-execd runs it (a process group of its
/// own, exactly the environment given), against real network namespaces the tests make: the
/// restart inside reload (issue 13, item 13), the background sender (item 12) and a SIGKILL of
/// the agent's process group (item 8). Nothing touches the root namespace: every run sets
/// network_namespace or runs inside a test namespace.
/// </summary>
[Trait("Requires", "root")]
public sealed class PublishedAgentTests : IDisposable
{
    const string Vip = "198.51.100.10";
    readonly TempDir dir = new();
    readonly string instance = "vip-" + Guid.NewGuid().ToString("N")[..8];
    readonly List<TestNetns> namespaces = [];

    public void Dispose()
    {
        foreach (var pid in TestNetns.ProcessesWith(BackgroundAnnouncement.Marker, instance)) ProcessSignals.Send(pid, ProcessSignals.Kill);
        foreach (var ns in namespaces) ns.Dispose();
        dir.Dispose();
    }

    /// <summary>A namespace with dummy (or ifb) links d0 and d1 and a veth pair va/vb (an Ethernet link with carrier), all up.</summary>
    TestNetns Namespace()
    {
        var ns = new TestNetns("link add va type veth peer name vb", "link set va up", "link set vb up");
        namespaces.Add(ns);
        foreach (var link in new[] { "d0", "d1" })
        {
            // Kernels without the dummy driver have ifb, which also has no peer and a carrier when up.
            try { ns.Ip("link", "add", link, "type", "dummy"); }
            catch (InvalidOperationException) { ns.Ip("link", "add", link, "type", "ifb"); }
            ns.Ip("link", "set", link, "up");
        }
        return ns;
    }

    AgentProcess Agent(params string[] prefix)
    {
        string binary = PublishedAgents.PathOf("IPaddr2");
        var agent = new AgentProcess([.. prefix, binary])
            .With("HA_RSCTMP", dir["rsc"]).With("OCF_RESOURCE_INSTANCE", instance).With("OCF_RESOURCE_TYPE", "IPaddr2")
            .Param("ip", Vip).Param("cidr_netmask", "24").Param("arp_bg", "0");
        agent.Limit = TimeSpan.FromSeconds(30);
        return agent;
    }

    [Fact]
    public void A_reload_to_another_network_namespace_moves_the_address_there()
    {
        var a = Namespace();
        var b = Namespace();
        Agent().Param("nic", "d0").Param("network_namespace", a.Name).Run("start").ExitCode.Should().Be(0);
        a.Has(Vip).Should().BeTrue();

        var r = Agent().Param("nic", "d0").Param("network_namespace", b.Name).Run("reload");

        r.ExitCode.Should().Be(0, r.ToString());
        a.Has(Vip).Should().BeFalse("the stop half ran in the old namespace");
        b.Has(Vip).Should().BeTrue("the start half ran in the new namespace");
    }

    [Fact]
    public void A_reload_from_a_network_namespace_to_the_agents_own_moves_the_address_there()
    {
        var own = Namespace();
        var a = Namespace();
        string[] inOwn = [TestNetns.IpPath, "netns", "exec", own.Name];
        Agent(inOwn).Param("nic", "d0").Param("network_namespace", a.Name).Run("start").ExitCode.Should().Be(0);

        var r = Agent(inOwn).Param("nic", "d0").Param("network_namespace", "").Run("reload");

        r.ExitCode.Should().Be(0, r.ToString());
        a.Has(Vip).Should().BeFalse("the stop half ran in the old namespace");
        own.Has(Vip).Should().BeTrue("the start half ran in the agent's own namespace, not where the stop left its thread");
    }

    [Fact]
    public void A_reload_to_another_nic_moves_the_address_to_it()
    {
        var a = Namespace();
        Agent().Param("nic", "d0").Param("network_namespace", a.Name).Run("start").ExitCode.Should().Be(0);

        var r = Agent().Param("nic", "d1").Param("network_namespace", a.Name).Run("reload");

        r.ExitCode.Should().Be(0, r.ToString());
        a.Ip("-o", "addr", "show", "dev", "d1").Should().Contain($" {Vip}/24");
        a.Ip("-o", "addr", "show", "dev", "d0").Should().NotContain(Vip);
    }

    [Fact]
    public void Stop_ends_the_background_sender_whose_pid_file_could_not_be_written()
    {
        var a = Namespace();
        Directory.CreateDirectory(Path.Combine(dir["rsc"], $"hacluster-IPaddr2-{instance}.announcer.pid"));
        var start = Agent().Param("nic", "va").Param("network_namespace", a.Name).Param("arp_bg", "1")
            .Param("arp_count", "1000").Param("arp_interval", "500").Run("start");
        start.ExitCode.Should().Be(0, start.ToString());
        TestNetns.ProcessesWith(BackgroundAnnouncement.Marker, instance).Should().ContainSingle("the sender runs");

        var stop = Agent().Param("nic", "va").Param("network_namespace", a.Name).Run("stop");

        stop.ExitCode.Should().Be(0, stop.ToString());
        a.Has(Vip).Should().BeFalse();
        TestNetns.ProcessesWith(BackgroundAnnouncement.Marker, instance).Should().BeEmpty("stop found the sender without its pid file");
    }

    [Fact]
    public void The_background_sender_sends_no_packet_once_its_address_is_removed_by_hand()
    {
        var a = Namespace();
        foreach (var link in new[] { "va", "vb" }) a.Ip("netns", "exec", a.Name, "sysctl", "-qw", $"net.ipv6.conf.{link}.disable_ipv6=1");
        var start = Agent().Param("nic", "va").Param("network_namespace", a.Name).Param("arp_bg", "1")
            .Param("arp_count", "1000").Param("arp_interval", "300").Run("start");
        start.ExitCode.Should().Be(0, start.ToString());
        TestNetns.Eventually(() => a.TxPackets("va") >= 2, TimeSpan.FromSeconds(5)).Should().BeTrue("the sender announces");

        a.Ip("addr", "del", $"{Vip}/24", "dev", "va");

        TestNetns.Eventually(() => TestNetns.ProcessesWith(BackgroundAnnouncement.Marker, instance).Count == 0, TimeSpan.FromSeconds(3))
            .Should().BeTrue("the sender asks before every packet and ends when the address is gone");
        long after = a.TxPackets("va");
        Thread.Sleep(1000);
        a.TxPackets("va").Should().Be(after);
    }

    [Fact]
    public async Task A_SIGKILL_of_the_agents_process_group_mid_start_leaves_no_process_behind()
    {
        var a = Namespace();
        var run = Agent().Param("nic", "va").Param("network_namespace", a.Name).Param("arp_bg", "0")
            .Param("arp_count", "1000").Param("arp_interval", "200").Start("start");
        TestNetns.Eventually(() => a.Has(Vip), TimeSpan.FromSeconds(20)).Should().BeTrue("start added the address and is announcing");
        string binary = PublishedAgents.PathOf("IPaddr2");
        var agents = TestNetns.ProcessesWith("start")
            .Where(p => new FileInfo($"/proc/{p}/exe").LinkTarget == binary && Environ(p).Contains($"OCF_RESOURCE_INSTANCE={instance}")).ToList();
        agents.Should().ContainSingle();
        int group = ProcessGroupOf(agents[0]);
        group.Should().Be(agents[0], "the agent leads its own process group, as under pacemaker-execd");

        // What pacemaker-execd does at a timeout: SIGKILL to the whole group.
        new ProcessRunner().Run(new ProcessSpec("/bin/kill", "-KILL", "--", "-" + group), HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(5)))
            .Succeeded.Should().BeTrue();

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        result.Signal.Should().Be(9, result.ToString());
        TestNetns.Eventually(() => !TestNetns.ProcessesWith(instance).Any() && !agents.Any(Alive), TimeSpan.FromSeconds(2))
            .Should().BeTrue("no announcer or other child of the agent is left");
    }

    static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    static string Environ(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/environ").Replace('\0', '\n'); }
        catch (IOException) { return ""; }
    }

    static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !TestNetns.IsZombie(pid);
}
