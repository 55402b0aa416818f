using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HaCluster.Core.Processes;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// arp_bg: the agent runs itself again, detached (stdio on /dev/null, in the agent's process
/// group), to send the announcements while start returns. It is not an OCF action: argv[1] is a
/// marker no caller uses, and everything it needs comes in the arguments, not the environment.
/// The last argument is the resource instance, so that stop can find the sender in /proc
/// (<see cref="AnnouncerProcesses"/>) without a pid file.
/// </summary>
public static class BackgroundAnnouncement
{
    public const string Marker = "--hacluster-announce-in-background";

    public static ProcessSpec Command(string self, string networkNamespace, int linkIndex, IPAddress address, int count, TimeSpan interval, bool reply, string instance) =>
        new(self, Marker, networkNamespace.Length == 0 ? "-" : networkNamespace,
            linkIndex.ToString(CultureInfo.InvariantCulture), address.ToString(),
            count.ToString(CultureInfo.InvariantCulture), ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            reply ? "reply" : "request", instance);

    /// <summary>Whether <paramref name="argv"/> (argv[0] first) is a sender's command line for this instance and address.</summary>
    public static bool IsCommandFor(IReadOnlyList<string> argv, string instance, IPAddress address) =>
        argv.Count == 9 && argv[1] == Marker && argv[8] == instance && argv[4] == address.ToString();

    /// <summary>The background process's main: never writes anything, exits 0 or 1.</summary>
    public static int Run(string[] args)
    {
        try
        {
            if (args.Length != 8) return 1;
            if (args[1] != "-") NetworkNamespace.Enter(args[1]);
            using var stack = new RtNetlink();
            return Run(args, stack, new NeighbourAnnouncer());
        }
        catch (Exception)
        {
            return 1;
        }
    }

    /// <summary>
    /// Sends the announcements, asking the kernel before every packet whether the address is
    /// still on the link: once it has been removed (stop, or by hand) or moved, not one more
    /// packet claims it for this node.
    /// </summary>
    public static int Run(string[] args, INetworkStack stack, INeighbourAnnouncer announcer)
    {
        if (args.Length != 8) return 1;
        int index = int.Parse(args[2], CultureInfo.InvariantCulture);
        var address = IPAddress.Parse(args[3]);
        int count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var interval = TimeSpan.FromMilliseconds(long.Parse(args[5], CultureInfo.InvariantCulture));
        var link = stack.FindLink(index);
        if (link is null) return 1;
        Func<bool> gone = () => !IsOnLink(stack, link.Index, address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            announcer.AnnounceIPv4(link, address, count, interval, args[6] == "reply", gone);
        else
            announcer.AnnounceIPv6(link, address, count, interval, gone);
        return 0;
    }

    /// <summary>Whether <paramref name="address"/> is on the link; false when the kernel cannot say.</summary>
    public static bool IsOnLink(INetworkStack stack, int linkIndex, IPAddress address)
    {
        try { return stack.Addresses(address.AddressFamily, linkIndex).Any(a => a.Address.Equals(address)); }
        catch (Exception e) when (e is NetlinkException or IOException or TimeoutException) { return false; }
    }
}
