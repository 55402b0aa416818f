namespace HaCluster.Libvirt;

/// <summary>virDomainState: what a domain is doing.</summary>
public enum DomainState
{
    /// <summary>The hypervisor reports no state.</summary>
    NoState = 0,
    /// <summary>Running.</summary>
    Running = 1,
    /// <summary>Blocked on a resource (still running).</summary>
    Blocked = 2,
    /// <summary>Paused by a user or by libvirt (still has its memory).</summary>
    Paused = 3,
    /// <summary>Being shut down (still running).</summary>
    Shutdown = 4,
    /// <summary>Not running.</summary>
    Shutoff = 5,
    /// <summary>Crashed (not running).</summary>
    Crashed = 6,
    /// <summary>Suspended by the guest's power management.</summary>
    PmSuspended = 7,
}

/// <summary>remote_nonnull_domain: what the daemon identifies a domain by (echoed back verbatim).</summary>
/// <param name="Name">The domain's name.</param>
/// <param name="Uuid">The domain's UUID, 16 bytes.</param>
/// <param name="Id">The hypervisor's id of a running domain; -1 when it does not run.</param>
public sealed record DomainRef(string Name, byte[] Uuid, int Id)
{
    /// <summary>The UUID in its usual text form.</summary>
    public string UuidString => FormatUuid(Uuid);

    internal static string FormatUuid(ReadOnlySpan<byte> uuid)
    {
        string hex = Convert.ToHexStringLower(uuid);
        return hex.Length == 32 ? $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}" : hex;
    }

    internal void Write(XdrWriter writer)
    {
        writer.WriteString(Name);
        WriteUuid(writer, Uuid);
        writer.WriteInt(Id);
    }

    internal static DomainRef Read(ref XdrReader reader)
    {
        string name = reader.ReadString();
        byte[] uuid = reader.ReadFixedOpaque(RemoteProtocol.UuidLength).ToArray();
        return new DomainRef(name, uuid, reader.ReadInt());
    }

    internal static void WriteUuid(XdrWriter writer, byte[] uuid)
    {
        ArgumentNullException.ThrowIfNull(uuid);
        if (uuid.Length != RemoteProtocol.UuidLength) throw new ArgumentException("a UUID is 16 bytes", nameof(uuid));
        writer.WriteFixedOpaque(uuid);
    }
}

/// <summary>remote_nonnull_network / remote_nonnull_storage_pool: a name and a UUID.</summary>
/// <param name="Name">The network's or pool's name.</param>
/// <param name="Uuid">Its UUID, 16 bytes.</param>
public sealed record NamedObjectRef(string Name, byte[] Uuid)
{
    internal void Write(XdrWriter writer)
    {
        writer.WriteString(Name);
        DomainRef.WriteUuid(writer, Uuid);
    }

    internal static NamedObjectRef Read(ref XdrReader reader)
        => new(reader.ReadString(), reader.ReadFixedOpaque(RemoteProtocol.UuidLength).ToArray());
}

/// <summary>virDomainGetState: the state and its reason.</summary>
/// <param name="State">The domain's state.</param>
/// <param name="Reason">Why it is in that state: an enum per state (e.g. running/booted = 1, running/migrated = 2).</param>
public readonly record struct DomainStateInfo(DomainState State, int Reason)
{
    /// <summary>Running as far as a cluster is concerned: running, blocked, paused, in shutdown, pm-suspended.</summary>
    public bool IsActive => State is DomainState.Running or DomainState.Blocked or DomainState.Paused
        or DomainState.Shutdown or DomainState.PmSuspended;
}

/// <summary>virDomainInfo: a domain's state and size.</summary>
/// <param name="State">The domain's state.</param>
/// <param name="MaxMemoryKiB">The most memory it may have, in KiB.</param>
/// <param name="MemoryKiB">The memory it has, in KiB.</param>
/// <param name="VirtCpuCount">Its virtual CPUs.</param>
/// <param name="CpuTimeNs">The CPU time it used, in nanoseconds.</param>
public readonly record struct DomainInfo(DomainState State, ulong MaxMemoryKiB, ulong MemoryKiB, int VirtCpuCount, ulong CpuTimeNs);

/// <summary>virDomainJobInfo: the progress of a domain's job (times in ms, data in bytes).</summary>
/// <param name="Type">0 none, 1 bounded, 2 unbounded (both: running), 3 completed, 4 failed, 5 cancelled.</param>
/// <param name="TimeElapsedMs">Time since the job started.</param>
/// <param name="TimeRemainingMs">Time the job expects to need still (bounded jobs).</param>
/// <param name="DataTotal">All data the job moves: memory and files.</param>
/// <param name="DataProcessed">Data moved so far.</param>
/// <param name="DataRemaining">Data still to move.</param>
/// <param name="MemoryTotal">Memory to move.</param>
/// <param name="MemoryProcessed">Memory moved so far.</param>
/// <param name="MemoryRemaining">Memory still to move.</param>
/// <param name="FileTotal">File (disk) data to move.</param>
/// <param name="FileProcessed">File data moved so far.</param>
/// <param name="FileRemaining">File data still to move.</param>
public readonly record struct DomainJobInfo(int Type, ulong TimeElapsedMs, ulong TimeRemainingMs,
    ulong DataTotal, ulong DataProcessed, ulong DataRemaining,
    ulong MemoryTotal, ulong MemoryProcessed, ulong MemoryRemaining,
    ulong FileTotal, ulong FileProcessed, ulong FileRemaining);

/// <summary>virDomainGetJobStatsFlags: which job's statistics.</summary>
[Flags]
public enum JobStatsFlags : uint
{
    /// <summary>The job in progress.</summary>
    Current = 0,
    /// <summary>The last completed job (on a migration's destination: the migration).</summary>
    Completed = 1,
    /// <summary>Keep the completed job's statistics for later calls instead of dropping them once read.</summary>
    KeepCompleted = 2,
}

/// <summary>
/// virDomainGetJobStats: the job type (as <see cref="DomainJobInfo.Type"/>) and its typed
/// parameters, e.g. <c>time_elapsed</c> and <c>downtime</c> (ms), <c>data_processed</c> (bytes).
/// </summary>
/// <param name="Type">The job's type, as <see cref="DomainJobInfo.Type"/>.</param>
/// <param name="Parameters">The statistics the daemon reported (names in <see cref="Field"/>).</param>
public sealed record DomainJobStats(int Type, IReadOnlyList<TypedParameter> Parameters)
{
    /// <summary>An unsigned statistic by name (VIR_DOMAIN_JOB_*), or null when the daemon did not report it.</summary>
    /// <param name="field">The statistic's name (<see cref="Field"/>).</param>
    public ulong? Get(string field)
    {
        foreach (var p in Parameters)
            if (p.Field == field && p.Type is TypedParameterType.ULLong or TypedParameterType.LLong or TypedParameterType.UInt or TypedParameterType.Int)
                return unchecked((ulong)p.Integer);
        return null;
    }

    /// <summary>The VIR_DOMAIN_JOB_* statistics used here.</summary>
    public static class Field
    {
        /// <summary>Milliseconds since the job started.</summary>
        public const string TimeElapsed = "time_elapsed";
        /// <summary>Milliseconds the guest was paused for a migration's switch-over.</summary>
        public const string Downtime = "downtime";
        /// <summary>Bytes moved so far.</summary>
        public const string DataProcessed = "data_processed";
        /// <summary>Bytes the job moves in all.</summary>
        public const string DataTotal = "data_total";
    }
}
