using HaCluster.Agents.IPaddr2;
using HaCluster.Ocf;

// The detached background sender of arp_bg runs the same binary (see BackgroundAnnouncement).
if (args.Length > 0 && args[0] == BackgroundAnnouncement.Marker)
    return BackgroundAnnouncement.Run(args);

// A factory, not an instance: the host makes a fresh agent for each half of a restart inside
// reload, so the stop's sockets (opened in the old network namespace) never serve the start.
return AgentHost.Run(() => new IPaddr2Agent(), args);
