namespace HaCluster.Libvirt;

/// <summary>virDomainState.</summary>
public enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    /// <summary>Being shut down (still running).</summary>
    Shutdown = 4,
    Shutoff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

/// <summary>remote_nonnull_domain: what the daemon identifies a domain by (echoed back verbatim).</summary>
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
        if (uuid.Length != RemoteProtocol.UuidLength) throw new ArgumentException("a UUID is 16 bytes", nameof(uuid));
        writer.WriteFixedOpaque(uuid);
    }
}

/// <summary>remote_nonnull_network / remote_nonnull_storage_pool: a name and a UUID.</summary>
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

/// <summary>virDomainGetState: the state and its reason (a per-state enum, e.g. running/booted = 1).</summary>
public readonly record struct DomainStateInfo(DomainState State, int Reason)
{
    /// <summary>Running as far as a cluster is concerned: running, blocked, paused, in shutdown, pm-suspended.</summary>
    public bool IsActive => State is DomainState.Running or DomainState.Blocked or DomainState.Paused
        or DomainState.Shutdown or DomainState.PmSuspended;
}

/// <summary>virDomainInfo: memory in KiB, CPU time in nanoseconds.</summary>
public readonly record struct DomainInfo(DomainState State, ulong MaxMemoryKiB, ulong MemoryKiB, int VirtCpuCount, ulong CpuTimeNs);

/// <summary>virDomainJobInfo (times in ms, data in bytes). Type 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5 cancelled.</summary>
public readonly record struct DomainJobInfo(int Type, ulong TimeElapsedMs, ulong TimeRemainingMs,
    ulong DataTotal, ulong DataProcessed, ulong DataRemaining,
    ulong MemoryTotal, ulong MemoryProcessed, ulong MemoryRemaining,
    ulong FileTotal, ulong FileProcessed, ulong FileRemaining);

/// <summary>virDomainGetJobStatsFlags.</summary>
[Flags]
public enum JobStatsFlags : uint
{
    /// <summary>The job in progress.</summary>
    Current = 0,
    /// <summary>The last completed job (on a migration's destination: the migration).</summary>
    Completed = 1,
    KeepCompleted = 2,
}

/// <summary>
/// virDomainGetJobStats: the job type (as <see cref="DomainJobInfo.Type"/>) and its typed
/// parameters, e.g. <c>time_elapsed</c> and <c>downtime</c> (ms), <c>data_processed</c> (bytes).
/// </summary>
public sealed record DomainJobStats(int Type, IReadOnlyList<TypedParameter> Parameters)
{
    /// <summary>An unsigned statistic by name (VIR_DOMAIN_JOB_*), or null when the daemon did not report it.</summary>
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
        public const string TimeElapsed = "time_elapsed";
        public const string Downtime = "downtime";
        public const string DataProcessed = "data_processed";
        public const string DataTotal = "data_total";
    }
}
