using HaCluster.Network;
using HaCluster.Testing;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// Runs ocf:hacluster:IPaddr2 in-process through the real host against an in-memory kernel:
/// lo (1), eth0 (2, altname enp0s3-long-name, 203.0.113.1/24 and 2001:db8:1::1/64 with their
/// routes and a default route) and eth1 (3, no address). HA_RSCTMP is a temporary directory,
/// the instance is vip, background senders are recorded instead of started (and looked for in a
/// /proc of the test's making, <see cref="Proc"/>, with their signals recorded in
/// <see cref="Signals"/>), and the clock is manual, so waiting for duplicate address detection
/// takes no time and can be measured. Every part of an invocation gets a fresh agent, as the
/// agent's Main does.
/// </summary>
public abstract class IPaddr2Fixture : IDisposable
{
    protected readonly TempDir Dir = new();
    protected readonly ManualClock Clock = new();
    protected readonly FakeAnnouncer Announcer = new();
    protected readonly ScriptedProcessRunner Processes = new();
    protected FakeNetworkStack Net = new FakeNetworkStack()
        .WithLink(1, "lo").WithLink(2, "eth0", mac: "02-00-00-00-00-02", altNames: "enp0s3-long-name").WithLink(3, "eth1", mac: "02-00-00-00-00-03")
        .WithAddress(1, "127.0.0.1/8").WithAddress(2, "203.0.113.1/24").WithRoute(2, "203.0.113.0/24", metric: 100)
        .WithRoute(2, "0.0.0.0/0", scope: 0, gateway: "203.0.113.254").WithRoute(1, "127.0.0.0/8", scope: 254, type: 2, table: RouteTables.Local)
        .WithAddress(2, "2001:db8:1::1/64").WithRoute(2, "2001:db8:1::/64", metric: 256, scope: 0);

    /// <summary>The /proc the agent looks for background senders in (empty unless a test fills it).</summary>
    protected string Proc => Directory.CreateDirectory(Dir["proc"]).FullName;

    /// <summary>The executable the agent takes for its own when it checks a sender's /proc/PID/exe.</summary>
    protected const string OwnExecutable = "/usr/lib/ocf/resource.d/hacluster/IPaddr2";

    /// <summary>Signals sent to background senders: (pid, signal).</summary>
    protected readonly List<(int Pid, int Signal)> Signals = [];

    /// <summary>HA_RSCTMP of the runs; a directory of <see cref="Dir"/> unless a test points it elsewhere.</summary>
    protected string RscTmp { get; set; }

    protected IPaddr2Fixture() => RscTmp = Dir.Path;

    public void Dispose() => Dir.Dispose();

    /// <summary>Runs <paramref name="action"/> with the given OCF_RESKEY_ parameters (CRM_meta_* included).</summary>
    protected AgentResult Run(string action, params (string Name, string Value)[] parameters)
    {
        var invoker = new AgentInvoker { Processes = Processes, Clock = Clock }.With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "vip");
        foreach (var (name, value) in parameters) invoker.Param(name, value);
        var announcers = new AnnouncerProcesses(Proc, OwnExecutable, (pid, signal) => Signals.Add((pid, signal)));
        return invoker.Run(() => new IPaddr2Agent(() => Net, () => Announcer, announcers), action);
    }

    /// <summary>The address <paramref name="address"/> as the fake kernel holds it, or null.</summary>
    protected AddressInfo? Vip(string address) => Net.AddressList.FirstOrDefault(x => x.Address.ToString() == address);
}
