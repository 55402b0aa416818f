using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Drbd;

/// <summary>
/// Everything the drbd agent asks of the system: the kernel module's facts (read from files, no
/// process), the resource's status (one drbdsetup process), and the drbdadm/drbdsetup commands
/// it issues, each bounded by a deadline. The real one is <see cref="DrbdTools"/>; tests and the
/// agent's logic use fakes. Command results are the process runner's, so a failure can be
/// reported with the tool's own words.
/// </summary>
public interface IDrbdTools
{
    /// <summary>The DRBD module is loaded (/proc/drbd exists).</summary>
    bool ModuleLoaded { get; }

    /// <summary>The loaded module's version (/sys/module/drbd/version, else /proc/drbd's first line); null when not loaded.</summary>
    DrbdVersion? LoadedModuleVersion();

    /// <summary>A block device node exists at <paramref name="path"/> (udev created it).</summary>
    bool DeviceNodeExists(string path);

    /// <summary>The version of the module that modprobe would load (<c>modinfo -F version drbd</c>); null if none.</summary>
    DrbdVersion? InstalledModuleVersion(Deadline deadline);

    /// <summary><c>modprobe -s drbd</c> with the options <c>drbdadm sh-mod-parms</c> names.</summary>
    ProcessResult LoadModule(Deadline deadline);

    /// <summary>Whether the configuration defines the resource (<c>drbdadm sh-dev</c>, then <c>--stacked</c>), and its devices.</summary>
    DrbdConfigLookup FindResource(string resource, Deadline deadline);

    /// <summary>The configuration allows two primaries (<c>drbdadm -d -v dump</c> has allow-two-primaries); null if dump failed.</summary>
    bool? AllowsTwoPrimaries(string resource, Deadline deadline);

    /// <summary>
    /// The kernel's view of the resource: one <c>drbdsetup events2 --now RES</c> (DRBD 9 and
    /// 8.4.7+), or <c>drbdsetup sh-status RES</c> on older 8.4. A resource the kernel does not
    /// know is <see cref="DrbdStatus.NotConfigured"/>; a tool that fails throws <see cref="DrbdToolException"/>.
    /// </summary>
    DrbdStatus Status(string resource, Deadline deadline);

    /// <summary>
    /// DRBD logged a split-brain of the resource (on one of <paramref name="minors"/>) and no
    /// connection attempt since (<see cref="SplitBrainLog"/>); false when the log cannot be read.
    /// </summary>
    bool SplitBrainUnresolved(string resource, IEnumerable<int> minors);

    ProcessResult CheckResize(string resource, Deadline deadline);
    ProcessResult NewResource(string resource, Deadline deadline);
    ProcessResult NewMinor(string resource, Deadline deadline);
    /// <summary>8.4: <c>drbdadm attach</c>; 9: <c>drbdadm adjust --skip-net</c> (a no-op for diskless clients).</summary>
    ProcessResult Attach(string resource, Deadline deadline);
    ProcessResult Adjust(string resource, AdjustOptions options, Deadline deadline);
    ProcessResult Primary(string resource, Deadline deadline);
    ProcessResult Secondary(string resource, Deadline deadline);
    ProcessResult Down(string resource, Deadline deadline);
    ProcessResult Outdate(string resource, Deadline deadline);
    /// <summary><c>drbdadm unfence-peer RES</c>; the hook reads OCF_RESKEY_unfence_extra_args from its environment.</summary>
    ProcessResult UnfencePeer(string resource, string extraArgs, Deadline deadline);
    /// <summary>8.4: <c>drbdsetup wait-connect DEVICE --wfc-timeout=S --degr-wfc-timeout=S --outdated-wfc-timeout=S</c>.</summary>
    ProcessResult WaitConnectDevice(string device, int seconds, Deadline deadline);
    /// <summary>9: <c>drbdsetup wait-connect-resource RES</c> with the three timeouts.</summary>
    ProcessResult WaitConnectResource(string resource, int seconds, Deadline deadline);
    /// <summary>9: <c>drbdsetup wait-connect-connection RES PEER-NODE-ID</c> with the three timeouts.</summary>
    ProcessResult WaitConnectConnection(string resource, int peerNodeId, int seconds, Deadline deadline);
    /// <summary><c>drbdsetup down RES</c>, without the configuration: the stop of last resort.</summary>
    ProcessResult SetupDown(string resource, Deadline deadline);
}

/// <summary>How <c>drbdadm adjust</c> is aimed.</summary>
public sealed record AdjustOptions
{
    public static readonly AdjustOptions None = new();
    /// <summary>8.4 only: <c>--peer NODE</c> (drbd-utils ≥ 9.21 reject it with a 9 module).</summary>
    public string? Peer84 { get; init; }
    /// <summary>9 only: adjust just the connection to this peer (<c>RES:PEER</c>).</summary>
    public string? ConnectionTo { get; init; }
    /// <summary><c>-v</c>: drbdadm prints the drbdsetup commands it runs (they land in the debug log).</summary>
    public bool Verbose { get; init; }
}

/// <summary>What drbdadm sh-dev said: the resource is defined (maybe as a stacked one) with these devices.</summary>
public sealed record DrbdConfigLookup(bool Found, bool Stacked, IReadOnlyList<string> Devices, ProcessResult? Failure = null)
{
    public static DrbdConfigLookup NotFound(ProcessResult failure) => new(false, false, [], failure);
}

/// <summary>A status tool failed or timed out: the resource's state is unknown (never "not running").</summary>
public sealed class DrbdToolException(string command, ProcessResult result)
    : Exception($"{command} {result.Describe()}")
{
    public ProcessResult Result { get; } = result;
    public string Command { get; } = command;
}
