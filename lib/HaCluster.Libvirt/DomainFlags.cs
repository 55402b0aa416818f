namespace HaCluster.Libvirt;

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
