using System.Net;
using System.Net.NetworkInformation;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// Records announcements instead of sending them; asks <c>stop</c> before every packet as the
/// real announcer does, and counts the packets that would have gone out.
/// </summary>
public sealed class FakeAnnouncer : INeighbourAnnouncer
{
    public List<string> Sent { get; } = [];
    public PhysicalAddress? ProbeAnswer { get; set; }

    /// <summary>The packets "sent", over all calls.</summary>
    public int Packets { get; private set; }

    /// <summary>Called after each packet with its number (from 1).</summary>
    public Action<int>? AfterPacket { get; set; }

    public int AnnounceIPv4(LinkInfo link, IPAddress address, int count, TimeSpan interval, bool reply, Func<bool>? stop = null)
    {
        Sent.Add($"arp {(reply ? "reply" : "request")} {address} on {link.Name} x{count} every {interval.TotalMilliseconds} ms");
        return Send(count, stop);
    }

    public int AnnounceIPv6(LinkInfo link, IPAddress address, int count, TimeSpan interval, Func<bool>? stop = null)
    {
        Sent.Add($"na {address} on {link.Name} x{count} every {interval.TotalMilliseconds} ms");
        return Send(count, stop);
    }

    int Send(int count, Func<bool>? stop)
    {
        int sent = 0;
        while (sent < count && stop?.Invoke() != true)
        {
            sent++;
            Packets++;
            AfterPacket?.Invoke(sent);
        }
        return sent;
    }

    public PhysicalAddress? ProbeIPv4(LinkInfo link, IPAddress address, TimeSpan wait)
    {
        Sent.Add($"probe {address} on {link.Name}");
        return ProbeAnswer;
    }
}
