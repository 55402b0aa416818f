namespace HaCluster.Libvirt;

/// <summary>virDomainCreateFlags (for <see cref="LibvirtConnection.CreateXml"/>).</summary>
[Flags]
public enum DomainCreateFlags : uint
{
    /// <summary>Start the domain running.</summary>
    None = 0,
    /// <summary>Start it with its CPUs paused.</summary>
    StartPaused = 1,
    /// <summary>Destroy it when the connection that started it closes.</summary>
    AutoDestroy = 2,
    /// <summary>Restore a saved image without filling the host's file cache.</summary>
    BypassCache = 4,
    /// <summary>Boot afresh, discarding a managed save image.</summary>
    ForceBoot = 8,
    /// <summary>Validate the XML against the schema first.</summary>
    Validate = 16,
}

/// <summary>virDomainShutdownFlagValues: which method(s) the hypervisor may use; none = its choice.</summary>
[Flags]
public enum DomainShutdownMode : uint
{
    /// <summary>The hypervisor's choice.</summary>
    Default = 0,
    /// <summary>An ACPI power button press.</summary>
    AcpiPowerButton = 1,
    /// <summary>The guest agent's shutdown command.</summary>
    GuestAgent = 2,
    /// <summary>A container's init control.</summary>
    Initctl = 4,
    /// <summary>A signal to a container's init.</summary>
    Signal = 8,
    /// <summary>A paravirtual shutdown request (Xen).</summary>
    Paravirt = 16,
}

/// <summary>virDomainDestroyFlagsValues.</summary>
[Flags]
public enum DomainDestroyFlags : uint
{
    /// <summary>SIGTERM, then SIGKILL if the emulator does not exit.</summary>
    Default = 0,
    /// <summary>Only SIGTERM, no SIGKILL.</summary>
    Graceful = 1,
    /// <summary>Also remove the domain's log files.</summary>
    RemoveLogs = 2,
}

/// <summary>virDomainUndefineFlagsValues: what goes with a persistent definition.</summary>
[Flags]
public enum DomainUndefineFlags : uint
{
    /// <summary>The definition only.</summary>
    None = 0,
    /// <summary>Also its managed save image.</summary>
    ManagedSave = 1,
    /// <summary>Also its snapshots' metadata.</summary>
    SnapshotsMetadata = 2,
    /// <summary>Also its NVRAM file.</summary>
    Nvram = 4,
    /// <summary>Keep its NVRAM file.</summary>
    KeepNvram = 8,
    /// <summary>Also its checkpoints' metadata.</summary>
    CheckpointsMetadata = 16,
    /// <summary>Also its TPM state.</summary>
    Tpm = 32,
    /// <summary>Keep its TPM state.</summary>
    KeepTpm = 64,
}

/// <summary>virDomainXMLFlags: which form of a domain's XML.</summary>
[Flags]
public enum DomainXmlFlags : uint
{
    /// <summary>The live definition, without secrets.</summary>
    None = 0,
    /// <summary>With security-sensitive data (passwords).</summary>
    Secure = 1,
    /// <summary>The persistent definition rather than the live one.</summary>
    Inactive = 2,
    /// <summary>With the guest CPU updated to what the host provides.</summary>
    UpdateCpu = 4,
    /// <summary>Fit for another host: without what the hypervisor added on this one.</summary>
    Migratable = 8,
}

/// <summary>virConnectListAllDomainsFlags (a few): which domains to list.</summary>
[Flags]
public enum ListDomainsFlags : uint
{
    /// <summary>Every domain.</summary>
    All = 0,
    /// <summary>Running ones.</summary>
    Active = 1,
    /// <summary>Ones that do not run.</summary>
    Inactive = 2,
    /// <summary>Ones with a persistent definition.</summary>
    Persistent = 4,
    /// <summary>Ones without one.</summary>
    Transient = 8,
}

/// <summary>virDomainMigrateFlags.</summary>
[Flags]
public enum MigrateFlags : uint
{
    /// <summary>None of the options below.</summary>
    None = 0,
    /// <summary>Keep the guest running while its memory is copied.</summary>
    Live = 1 << 0,
    /// <summary>The source daemon connects to the destination itself and drives the migration.</summary>
    PeerToPeer = 1 << 1,
    /// <summary>Carry the migration data through the daemons' connection.</summary>
    Tunnelled = 1 << 2,
    /// <summary>Define the domain persistently on the destination.</summary>
    PersistDest = 1 << 3,
    /// <summary>Remove the source's persistent definition once migrated.</summary>
    UndefineSource = 1 << 4,
    /// <summary>Leave the domain paused on the destination.</summary>
    Paused = 1 << 5,
    /// <summary>Copy whole disks (no shared storage).</summary>
    NonSharedDisk = 1 << 6,
    /// <summary>Copy disks' changes over a base image both hosts have.</summary>
    NonSharedIncremental = 1 << 7,
    /// <summary>Refuse changes to the domain's configuration while it migrates.</summary>
    ChangeProtection = 1 << 8,
    /// <summary>Migrate even where libvirt finds it unsafe (e.g. disk cache modes).</summary>
    Unsafe = 1 << 9,
    /// <summary>Migrate the definition only, not a running domain.</summary>
    Offline = 1 << 10,
    /// <summary>Compress the migration data.</summary>
    Compressed = 1 << 11,
    /// <summary>Abort on I/O errors during the migration.</summary>
    AbortOnError = 1 << 12,
    /// <summary>Slow the guest's CPUs down when the copy does not converge.</summary>
    AutoConverge = 1 << 13,
    /// <summary>Allow switching to post-copy.</summary>
    Postcopy = 1 << 15,
    /// <summary>Encrypt the migration data with TLS.</summary>
    Tls = 1 << 16,
    /// <summary>Copy over several connections at once.</summary>
    Parallel = 1 << 17,
}
