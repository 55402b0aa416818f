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

/// <summary>virDomainCreateFlags (for <see cref="LibvirtConnection.CreateXml"/>).</summary>
[Flags]
public enum DomainCreateFlags : uint
{
    None = 0,
    StartPaused = 1,
    AutoDestroy = 2,
    BypassCache = 4,
    ForceBoot = 8,
    Validate = 16,
}

/// <summary>virDomainShutdownFlagValues: which method(s) the hypervisor may use; none = its choice.</summary>
[Flags]
public enum DomainShutdownMode : uint
{
    Default = 0,
    AcpiPowerButton = 1,
    GuestAgent = 2,
    Initctl = 4,
    Signal = 8,
    Paravirt = 16,
}

/// <summary>virDomainDestroyFlagsValues.</summary>
[Flags]
public enum DomainDestroyFlags : uint
{
    Default = 0,
    /// <summary>Only SIGTERM, no SIGKILL.</summary>
    Graceful = 1,
    RemoveLogs = 2,
}

/// <summary>virDomainUndefineFlagsValues.</summary>
[Flags]
public enum DomainUndefineFlags : uint
{
    None = 0,
    ManagedSave = 1,
    SnapshotsMetadata = 2,
    Nvram = 4,
    KeepNvram = 8,
    CheckpointsMetadata = 16,
    Tpm = 32,
    KeepTpm = 64,
}

/// <summary>virDomainXMLFlags.</summary>
[Flags]
public enum DomainXmlFlags : uint
{
    None = 0,
    Secure = 1,
    Inactive = 2,
    UpdateCpu = 4,
    Migratable = 8,
}

/// <summary>virConnectListAllDomainsFlags (a few).</summary>
[Flags]
public enum ListDomainsFlags : uint
{
    All = 0,
    Active = 1,
    Inactive = 2,
    Persistent = 4,
    Transient = 8,
}

/// <summary>virDomainMigrateFlags.</summary>
[Flags]
public enum MigrateFlags : uint
{
    None = 0,
    Live = 1 << 0,
    PeerToPeer = 1 << 1,
    Tunnelled = 1 << 2,
    PersistDest = 1 << 3,
    UndefineSource = 1 << 4,
    Paused = 1 << 5,
    NonSharedDisk = 1 << 6,
    NonSharedIncremental = 1 << 7,
    ChangeProtection = 1 << 8,
    Unsafe = 1 << 9,
    Offline = 1 << 10,
    Compressed = 1 << 11,
    AbortOnError = 1 << 12,
    AutoConverge = 1 << 13,
    Postcopy = 1 << 15,
    Tls = 1 << 16,
    Parallel = 1 << 17,
}

/// <summary>virTypedParameterType.</summary>
public enum TypedParameterType
{
    Int = 1,
    UInt = 2,
    LLong = 3,
    ULLong = 4,
    Double = 5,
    Boolean = 6,
    String = 7,
}

/// <summary>remote_typed_param: a field name and a value of one of the seven types.</summary>
public readonly record struct TypedParameter(string Field, TypedParameterType Type, long Integer, double Double, string? Text)
{
    public static TypedParameter OfInt(string field, int value) => new(field, TypedParameterType.Int, value, 0, null);
    public static TypedParameter OfUInt(string field, uint value) => new(field, TypedParameterType.UInt, value, 0, null);
    public static TypedParameter OfLLong(string field, long value) => new(field, TypedParameterType.LLong, value, 0, null);
    public static TypedParameter OfULLong(string field, ulong value) => new(field, TypedParameterType.ULLong, unchecked((long)value), 0, null);
    public static TypedParameter OfDouble(string field, double value) => new(field, TypedParameterType.Double, 0, value, null);
    public static TypedParameter OfBoolean(string field, bool value) => new(field, TypedParameterType.Boolean, value ? 1 : 0, 0, null);
    public static TypedParameter OfString(string field, string value) => new(field, TypedParameterType.String, 0, 0, value);

    internal void Write(XdrWriter writer)
    {
        writer.WriteString(Field);
        writer.WriteInt((int)Type);
        switch (Type)
        {
            case TypedParameterType.Int: writer.WriteInt((int)Integer); break;
            case TypedParameterType.UInt: writer.WriteUInt((uint)Integer); break;
            case TypedParameterType.LLong: writer.WriteHyper(Integer); break;
            case TypedParameterType.ULLong: writer.WriteUHyper(unchecked((ulong)Integer)); break;
            case TypedParameterType.Double: writer.WriteDouble(Double); break;
            case TypedParameterType.Boolean: writer.WriteInt(Integer != 0 ? 1 : 0); break;
            case TypedParameterType.String: writer.WriteString(Text ?? ""); break;
            default: throw new ArgumentException($"typed parameter '{Field}' has no valid type ({(int)Type})");
        }
    }

    internal static TypedParameter Read(ref XdrReader reader)
    {
        string field = reader.ReadString();
        var type = (TypedParameterType)reader.ReadInt();
        return type switch
        {
            TypedParameterType.Int => OfInt(field, reader.ReadInt()),
            TypedParameterType.UInt => OfUInt(field, reader.ReadUInt()),
            TypedParameterType.LLong => OfLLong(field, reader.ReadHyper()),
            TypedParameterType.ULLong => OfULLong(field, reader.ReadUHyper()),
            TypedParameterType.Double => OfDouble(field, reader.ReadDouble()),
            TypedParameterType.Boolean => OfBoolean(field, reader.ReadInt() != 0),
            TypedParameterType.String => OfString(field, reader.ReadString()),
            _ => throw new XdrException($"typed parameter '{field}' has unknown type {(int)type}"),
        };
    }
}

/// <summary>The VIR_MIGRATE_PARAM_* names.</summary>
public static class MigrateParameter
{
    public const string Uri = "migrate_uri";
    public const string DestinationName = "destination_name";
    public const string DestinationXml = "destination_xml";
    public const string PersistentXml = "persistent_xml";
    /// <summary>MiB/s, ULLONG.</summary>
    public const string Bandwidth = "bandwidth";
    public const string GraphicsUri = "graphics_uri";
    public const string ListenAddress = "listen_address";
    public const string DisksPort = "disks_port";
    public const string ParallelConnections = "parallel.connections";
}
