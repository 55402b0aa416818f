namespace HaCluster.Drbd;

/// <summary>
/// What the kernel says about one resource, whichever tool said it (events2, sh-status,
/// /proc/drbd): the local role, the local volumes and, per peer, the connection and the peer's
/// volumes. A resource the kernel does not know has <see cref="Role"/> Unconfigured and no volumes.
/// </summary>
public sealed record DrbdStatus(string Resource, DrbdRole Role, IReadOnlyList<DrbdVolume> Volumes, IReadOnlyList<DrbdConnection> Connections)
{
    public static DrbdStatus NotConfigured(string resource) => new(resource, DrbdRole.Unconfigured, [], []);

    /// <summary>The kernel knows the resource (it may still be Diskless and StandAlone).</summary>
    public bool IsConfigured => Role is DrbdRole.Primary or DrbdRole.Secondary;

    /// <summary>The derived facts the promotion score and the actions decide on.</summary>
    public DrbdSummary Summarize() => DrbdSummary.Of(this);
}

/// <summary>One local volume: its minor (/dev/drbd&lt;minor&gt;), disk state, and the DRBD 9 flags.</summary>
public sealed record DrbdVolume(int Volume, int? Minor, DrbdDiskState Disk)
{
    /// <summary>DRBD 9 "client:yes": intentionally diskless, reads and writes go to peers.</summary>
    public bool IsClient { get; init; }
    /// <summary>DRBD 9 "quorum:no" makes this false; 8.4 has no quorum and is always quorate.</summary>
    public bool HasQuorum { get; init; } = true;
}

/// <summary>The connection to one peer (8.4: exactly one, peer-node-id 0).</summary>
public sealed record DrbdConnection(int PeerNodeId, string? Name, DrbdConnectionState State, DrbdRole PeerRole, IReadOnlyList<DrbdPeerDevice> PeerDevices);

/// <summary>One volume as seen through one connection.</summary>
public sealed record DrbdPeerDevice(int Volume, DrbdReplicationState Replication, DrbdDiskState PeerDisk)
{
    /// <summary>DRBD 9 "peer-client:yes": the peer is an intentionally diskless client.</summary>
    public bool PeerIsClient { get; init; }
}

/// <summary>
/// The status variables of ocf:linbit:drbd (drbd.shellfuncs.sh), computed exactly as its events2
/// evaluation does, for any number of peers and volumes. For one peer (DRBD 8.4) the results are
/// those of its sh-status evaluation as well.
/// </summary>
public sealed record DrbdSummary
{
    public bool Unconfigured { get; init; }
    public bool Primary { get; init; }
    public bool SomePeerPrimary { get; init; }
    /// <summary>Every local volume is an intentionally diskless client (DRBD 9).</summary>
    public bool DisklessClient { get; init; }
    public bool HaveQuorum { get; init; } = true;
    public bool DiskAllUpToDate { get; init; }
    /// <summary>No local disk is Diskless, Failed, Inconsistent, Outdated or Detaching (Consistent and UpToDate are).</summary>
    public bool DiskAllConsistent { get; init; }
    /// <summary>Some local disk is Attaching or Negotiating: the state is about to change.</summary>
    public bool DiskTransitional { get; init; }
    /// <summary>Some peer has every volume UpToDate, none is worse, and no peer disk is unknown.</summary>
    public bool PeerDisksAllUpToDate { get; init; }
    public bool PeerDiskAnyUnknown { get; init; }
    public bool SomePeerAllUpToDate { get; init; }
    public bool SomePeerNotAllUpToDate { get; init; }

    /// <summary>The local node can read UpToDate data: its own disks, or a peer's.</summary>
    public bool HasAccessToUpToDateData => DiskAllUpToDate || SomePeerAllUpToDate;

    public static DrbdSummary Of(DrbdStatus s)
    {
        int volumes = s.Volumes.Count;
        int disklessClients = 0;
        bool allUpToDate = true, allConsistent = true, transitional = false, quorum = true;
        foreach (var v in s.Volumes)
        {
            if (v.IsClient && v.Disk == DrbdDiskState.Diskless) { disklessClients++; continue; }
            switch (v.Disk)
            {
                case DrbdDiskState.UpToDate: break;
                case DrbdDiskState.Diskless or DrbdDiskState.Failed or DrbdDiskState.Inconsistent or DrbdDiskState.Outdated or DrbdDiskState.Detaching:
                    allConsistent = false; allUpToDate = false; break;
                case DrbdDiskState.Attaching or DrbdDiskState.Negotiating:
                    transitional = true; allUpToDate = false; break;
                case DrbdDiskState.Consistent:
                    allUpToDate = false; break;
                case DrbdDiskState.Unconfigured or DrbdDiskState.DUnknown:
                    // sh-status words for a volume without a disk state: the shell agent's "*)".
                    allUpToDate = false; break;
                default:
                    // A word we do not know is neither UpToDate nor Consistent; the shell agent
                    // (whose case has no default branch here) would have kept it "up to date".
                    allConsistent = false; allUpToDate = false; break;
            }
            if (!v.HasQuorum) quorum = false;
        }

        bool somePeerAll = false, somePeerNotAll = false, anyUnknown = false;
        foreach (var c in s.Connections)
        {
            int upToDate = 0, known = 0, clients = 0;
            foreach (var pd in c.PeerDevices)
            {
                if (pd.PeerIsClient) clients++;
                if (pd.PeerDisk == DrbdDiskState.UpToDate) { upToDate++; known++; }
                else if (pd.PeerDisk is not (DrbdDiskState.DUnknown or DrbdDiskState.Unknown)) known++;
            }
            // A diskless client peer says nothing about good data elsewhere.
            if (volumes == clients) continue;
            if (volumes == upToDate) somePeerAll = true;
            else somePeerNotAll = true;
            if (volumes != known) anyUnknown = true;
        }

        return new DrbdSummary
        {
            Unconfigured = !s.IsConfigured,
            Primary = s.Role == DrbdRole.Primary,
            SomePeerPrimary = s.Connections.Any(c => c.PeerRole == DrbdRole.Primary),
            // The shell agent counts 0 volumes == 0 clients as a diskless client too; a resource
            // without volumes has no data at all, which is what the score then says.
            DisklessClient = volumes == disklessClients,
            HaveQuorum = quorum,
            DiskAllUpToDate = allUpToDate && volumes > disklessClients,
            DiskAllConsistent = allConsistent,
            DiskTransitional = transitional,
            SomePeerAllUpToDate = somePeerAll,
            SomePeerNotAllUpToDate = somePeerNotAll,
            PeerDiskAnyUnknown = anyUnknown,
            PeerDisksAllUpToDate = somePeerAll && !somePeerNotAll && !anyUnknown,
        };
    }
}
