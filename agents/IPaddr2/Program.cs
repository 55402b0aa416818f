using HaCluster.Agents.IPaddr2;
using HaCluster.Ocf;

// The detached background sender of arp_bg runs the same binary (see BackgroundAnnouncement).
if (args.Length > 0 && args[0] == BackgroundAnnouncement.Marker)
    return BackgroundAnnouncement.Run(args);

return AgentHost.Run(new IPaddr2Agent(), args);
