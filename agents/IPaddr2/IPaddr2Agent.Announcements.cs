using System.Globalization;
using HaCluster.Core.Files;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// Gratuitous ARP (IPv4) and unsolicited NA (IPv6), which start and monitor send, in the
// foreground or from a detached copy of the agent (arp_bg; see BackgroundAnnouncement), and the
// end of such a copy left from an earlier start. The address comes first: the pid file is a
// record for the administrator, and no failure to write or read it fails an action.
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
            EndBackgroundAnnouncers();
            int pid = Processes.StartDetached(BackgroundAnnouncement.Command(
                Environment.ProcessPath ?? Env.Argv0, Config.NetworkNamespace, link.Index, Address, count, Config.ArpInterval, Config.ArpReplies, Instance));
            try { AnnouncerPidFile.Write(pid.ToString(CultureInfo.InvariantCulture)); }
            catch (FileException e) { LogAnnouncerNotRecorded(Log, pid, e.Message); }
            return;
        }
        var announcer = openAnnouncer();
        // Stops at the deadline, and as the background sender does, once the address is gone.
        Func<bool> stop = () => Deadline.IsExpired || !BackgroundAnnouncement.IsOnLink(Stack, link.Index, Address);
        int sent = InNamespace(() => IsV4
            ? announcer.AnnounceIPv4(link, Address, count, Config.ArpInterval, Config.ArpReplies, stop)
            : announcer.AnnounceIPv6(link, Address, count, Config.ArpInterval, stop));
        if (sent < count) LogAnnouncementsCut(Log, sent, count, Address);
    }

    StateFile AnnouncerPidFile => StateFile.For(Env, "announcer.pid");

    /// <summary>
    /// Ends the background senders of this instance and address: those /proc shows (they carry
    /// the instance in their arguments) and the one the pid file names, each checked to be ours
    /// (PIDs get reused). Then removes the pid file; what cannot be removed is a warning.
    /// </summary>
    void EndBackgroundAnnouncers()
    {
        var pids = new HashSet<int>(announcers.Find(Instance, Address));
        string? recorded;
        try { recorded = AnnouncerPidFile.Read(); }
        catch (FileException e)
        {
            LogAnnouncerPidFileUnusable(Log, e.Message);
            recorded = null;
        }
        if (int.TryParse(recorded?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && announcers.IsSenderFor(pid, Instance, Address))
            pids.Add(pid);
        foreach (int sender in pids) announcers.End(sender, Deadline);
        if (recorded is null) return;
        try { AnnouncerPidFile.Delete(); }
        catch (FileException e) { LogAnnouncerPidFileUnusable(Log, e.Message); }
    }
}
