using HaCluster.Core;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// monitor and status: running while the address is on its interface (and, with
// check_link_status, that interface is up with carrier). A monitor costs one or two netlink
// requests and starts no process.
public sealed partial class IPaddr2Agent
{
    public override OcfExitCode Monitor()
    {
        LinkInfo? link = null;
        if (Config.Nic is not null)
        {
            link = Stack.FindLink(Config.Nic);
            if (link is null)
            {
                if (IsProbe) return OcfExitCode.NotRunning;
                throw OcfError.Generic($"interface {Config.Nic} no longer exists");
            }
        }
        var present = link is not null ? Find(link) : Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(Address) && (Config.PrefixLength is null || a.PrefixLength == Config.PrefixLength) && !IsLvsLoopbackCopy(a));
        if (present is null) return OcfExitCode.NotRunning;
        link ??= Stack.FindLink(present.LinkIndex);
        if (link is null) return OcfExitCode.NotRunning;

        if (Config.CheckLinkStatus && (!link.IsUp || !link.HasCarrier))
        {
            LogLinkDown(Log, link.Name, Address);
            return OcfExitCode.NotRunning;
        }
        if (Config.Label is { } label && present.Label != $"{link.Name}:{label}")
            throw OcfError.Generic($"{Address} is on {link.Name} with label {SafeText.Quote(present.Label ?? "")} instead of {link.Name}:{label}");
        if (!IsV4 && present.IsDadFailed)
            throw OcfError.Generic($"{Address} failed duplicate address detection on {link.Name}");

        // Against ARP caches that kept the old owner after a split brain (arp_count_refresh).
        if (Config.ArpCountRefresh > 0 && !IsProbe)
            Announce(link, Config.ArpCountRefresh, background: false);
        return OcfExitCode.Success;
    }

    /// <summary>status answers as monitor does, and also says so on stdout (as ocf:heartbeat:IPaddr2 does).</summary>
    public override OcfExitCode Status()
    {
        var rc = Monitor();
        Print(rc == OcfExitCode.Success ? "running\n" : "stopped\n");
        return rc;
    }
}
