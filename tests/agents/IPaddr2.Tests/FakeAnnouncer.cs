using System.Net;
using System.Net.NetworkInformation;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>Records announcements instead of sending them.</summary>
public sealed class FakeAnnouncer : INeighbourAnnouncer
{
    public List<string> Sent { get; } = [];
    public PhysicalAddress? ProbeAnswer { get; set; }

    public int AnnounceIPv4(LinkInfo link, IPAddress address, int count, TimeSpan interval, bool reply, Func<bool>? stop = null)
    {
        Sent.Add($"arp {(reply ? "reply" : "request")} {address} on {link.Name} x{count} every {interval.TotalMilliseconds} ms");
        return count;
    }

    public int AnnounceIPv6(LinkInfo link, IPAddress address, int count, TimeSpan interval, Func<bool>? stop = null)
    {
        Sent.Add($"na {address} on {link.Name} x{count} every {interval.TotalMilliseconds} ms");
        return count;
    }

    public PhysicalAddress? ProbeIPv4(LinkInfo link, IPAddress address, TimeSpan wait)
    {
        Sent.Add($"probe {address} on {link.Name}");
        return ProbeAnswer;
    }
}
