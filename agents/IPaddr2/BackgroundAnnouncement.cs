using System.Globalization;
using System.Net;
using HaCluster.Core.Processes;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// arp_bg: the agent runs itself again, detached (own session, stdio on /dev/null), to send the
/// announcements while start returns. It is not an OCF action: argv[1] is a marker no caller
/// uses, and everything it needs comes in the arguments, not the environment.
/// </summary>
public static class BackgroundAnnouncement
{
    public const string Marker = "--hacluster-announce-in-background";

    public static ProcessSpec Command(string self, string networkNamespace, int linkIndex, IPAddress address, int count, TimeSpan interval, bool reply) =>
        new(self, Marker, networkNamespace.Length == 0 ? "-" : networkNamespace,
            linkIndex.ToString(CultureInfo.InvariantCulture), address.ToString(),
            count.ToString(CultureInfo.InvariantCulture), ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            reply ? "reply" : "request");

    /// <summary>The background process's main: never writes anything, exits 0 or 1.</summary>
    public static int Run(string[] args)
    {
        try
        {
            if (args.Length != 7) return 1;
            if (args[1] != "-") NetworkNamespace.Enter(args[1]);
            int index = int.Parse(args[2], CultureInfo.InvariantCulture);
            var address = IPAddress.Parse(args[3]);
            int count = int.Parse(args[4], CultureInfo.InvariantCulture);
            var interval = TimeSpan.FromMilliseconds(long.Parse(args[5], CultureInfo.InvariantCulture));
            using var stack = new RtNetlink();
            var link = stack.FindLink(index);
            if (link is null) return 1;
            var announcer = new NeighbourAnnouncer();
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                announcer.AnnounceIPv4(link, address, count, interval, args[6] == "reply");
            else
                announcer.AnnounceIPv6(link, address, count, interval);
            return 0;
        }
        catch (Exception)
        {
            return 1;
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Split('\0').Contains(Marker);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static void Kill(int pid) => ProcessSignals.Send(pid, ProcessSignals.Term);
}
