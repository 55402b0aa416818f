using System.Globalization;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// Gratuitous ARP (IPv4) and unsolicited NA (IPv6), which start and monitor send, in the
// foreground or from a detached copy of the agent (arp_bg; see BackgroundAnnouncement), and the
// end of such a copy left from an earlier start.
public sealed partial class IPaddr2Agent
{
    void Announce(LinkInfo link, int count, bool background)
    {
        if (link.IsLoopback || link.HardwareAddress is null || link.HardwareAddress.GetAddressBytes().Length == 0) return;
        if (link.HardwareType == 32 /* ARPHRD_INFINIBAND */)
        {
            LogInfiniBandNotAnnounced(Log, link.Name, Address);
            return;
        }
        if (background)
        {
            StopBackgroundAnnouncer();
            int pid = Processes.StartDetached(BackgroundAnnouncement.Command(
                Environment.ProcessPath ?? Env.Argv0, Config.NetworkNamespace, link.Index, Address, count, Config.ArpInterval, Config.ArpReplies));
            File.WriteAllText(AnnouncerPidFile, pid.ToString(CultureInfo.InvariantCulture));
            return;
        }
        var announcer = openAnnouncer();
        int sent = IsV4
            ? announcer.AnnounceIPv4(link, Address, count, Config.ArpInterval, Config.ArpReplies, () => Deadline.IsExpired)
            : announcer.AnnounceIPv6(link, Address, count, Config.ArpInterval, () => Deadline.IsExpired);
        if (sent < count) LogAnnouncementsCut(Log, sent, count, Address);
    }

    string AnnouncerPidFile
    {
        get
        {
            StateFiles.EnsureDirectory(Env.RscTmp);
            return StateFiles.PathFor(Env, "announcer.pid");
        }
    }

    /// <summary>Ends a background sender left from an earlier start, checked by its command line (PIDs get reused).</summary>
    void StopBackgroundAnnouncer()
    {
        string file = StateFiles.PathFor(Env, "announcer.pid");
        if (!File.Exists(file)) return;
        if (int.TryParse(File.ReadAllText(file).Trim(), out int pid) && BackgroundAnnouncement.IsRunning(pid))
            BackgroundAnnouncement.Kill(pid);
        File.Delete(file);
    }
}
