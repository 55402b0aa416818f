namespace HaCluster.Drbd;

// DRBD's state words, as drbdsetup prints them (drbd_strings.c of 8.4 and 9). Every parser maps
// text into these closed sets through the tables below and nothing else: a word we do not know
// becomes Unknown, which every decision treats as "not good", never as a value to interpret.

/// <summary>A node's role for a resource (8.4: per volume; 9: per resource).</summary>
public enum DrbdRole { Unknown, Unconfigured, Primary, Secondary }

/// <summary>
/// The connection state. DRBD 9 (and 8.4's events2) separate the connection from the per-volume
/// replication state; 8.4's /proc/drbd and sh-status print one "cstate" that mixes both, which
/// <see cref="DrbdStateText.CombinedConnectionState"/> splits.
/// </summary>
public enum DrbdConnectionState
{
    Unknown, StandAlone, Disconnecting, Unconnected, Timeout, BrokenPipe, NetworkFailure, ProtocolError,
    TearDown, Connecting, Connected,
}

/// <summary>The replication state of one volume towards one peer.</summary>
public enum DrbdReplicationState
{
    Unknown, Off, Established, StartingSyncS, StartingSyncT, WFBitMapS, WFBitMapT, WFSyncUUID, SyncSource, SyncTarget,
    VerifyS, VerifyT, PausedSyncS, PausedSyncT, Ahead, Behind,
}

/// <summary>A disk state, local or of a peer.</summary>
public enum DrbdDiskState
{
    Unknown, Diskless, Attaching, Detaching, Failed, Negotiating, Inconsistent, Outdated, DUnknown, Consistent, UpToDate,
    /// <summary>sh-status and the shell agent's word for "no such volume configured".</summary>
    Unconfigured,
}

/// <summary>The text ↔ enum tables. Matching is exact and case-sensitive, as drbdsetup prints.</summary>
internal static class DrbdStateText
{
    public static DrbdRole Role(string? text) => text switch
    {
        "Primary" => DrbdRole.Primary,
        "Secondary" => DrbdRole.Secondary,
        "Unconfigured" => DrbdRole.Unconfigured,
        _ => DrbdRole.Unknown,
    };

    public static DrbdConnectionState Connection(string? text) => text switch
    {
        "StandAlone" => DrbdConnectionState.StandAlone,
        "Disconnecting" => DrbdConnectionState.Disconnecting,
        "Unconnected" => DrbdConnectionState.Unconnected,
        "Timeout" => DrbdConnectionState.Timeout,
        "BrokenPipe" => DrbdConnectionState.BrokenPipe,
        "NetworkFailure" => DrbdConnectionState.NetworkFailure,
        "ProtocolError" => DrbdConnectionState.ProtocolError,
        "TearDown" => DrbdConnectionState.TearDown,
        "Connecting" => DrbdConnectionState.Connecting,
        // 8.4's name for Connecting in its combined cstate.
        "WFConnection" => DrbdConnectionState.Connecting,
        "WFReportParams" => DrbdConnectionState.Connecting,
        "Connected" => DrbdConnectionState.Connected,
        _ => DrbdConnectionState.Unknown,
    };

    public static DrbdReplicationState Replication(string? text) => text switch
    {
        "Off" => DrbdReplicationState.Off,
        "Established" => DrbdReplicationState.Established,
        "StartingSyncS" => DrbdReplicationState.StartingSyncS,
        "StartingSyncT" => DrbdReplicationState.StartingSyncT,
        "WFBitMapS" => DrbdReplicationState.WFBitMapS,
        "WFBitMapT" => DrbdReplicationState.WFBitMapT,
        "WFSyncUUID" => DrbdReplicationState.WFSyncUUID,
        "SyncSource" => DrbdReplicationState.SyncSource,
        "SyncTarget" => DrbdReplicationState.SyncTarget,
        "VerifyS" => DrbdReplicationState.VerifyS,
        "VerifyT" => DrbdReplicationState.VerifyT,
        "PausedSyncS" => DrbdReplicationState.PausedSyncS,
        "PausedSyncT" => DrbdReplicationState.PausedSyncT,
        "Ahead" => DrbdReplicationState.Ahead,
        "Behind" => DrbdReplicationState.Behind,
        _ => DrbdReplicationState.Unknown,
    };

    public static DrbdDiskState Disk(string? text) => text switch
    {
        "Diskless" => DrbdDiskState.Diskless,
        "Attaching" => DrbdDiskState.Attaching,
        "Detaching" => DrbdDiskState.Detaching,
        "Failed" => DrbdDiskState.Failed,
        "Negotiating" => DrbdDiskState.Negotiating,
        "Inconsistent" => DrbdDiskState.Inconsistent,
        "Outdated" => DrbdDiskState.Outdated,
        "DUnknown" => DrbdDiskState.DUnknown,
        "Consistent" => DrbdDiskState.Consistent,
        "UpToDate" => DrbdDiskState.UpToDate,
        "Unconfigured" => DrbdDiskState.Unconfigured,
        _ => DrbdDiskState.Unknown,
    };

    /// <summary>
    /// Splits 8.4's combined cstate (/proc/drbd "cs:", sh-status "_cstate"): connection states
    /// stand for themselves, replication states mean "Connected" plus that replication state.
    /// </summary>
    public static (DrbdConnectionState Connection, DrbdReplicationState Replication) CombinedConnectionState(string? text)
    {
        var replication = Replication(text);
        if (replication != DrbdReplicationState.Unknown && replication != DrbdReplicationState.Off)
            return (DrbdConnectionState.Connected, replication);
        if (text == "Connected") return (DrbdConnectionState.Connected, DrbdReplicationState.Established);
        var connection = Connection(text);
        return (connection, connection == DrbdConnectionState.Unknown ? DrbdReplicationState.Unknown : DrbdReplicationState.Off);
    }
}
