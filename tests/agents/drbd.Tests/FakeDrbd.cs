using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Drbd;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// An in-memory DRBD for the agent's logic: a kernel that knows the resource or not, one local
/// volume (minor 0) and one peer, changed by the commands the agent issues as DRBD would change
/// it. A test sets the state, overrides single command results and reads the calls back.
/// </summary>
public sealed class FakeDrbd : IDrbdTools
{
    public List<string> Calls { get; } = [];
    public List<DrbdToolsOptions> OptionsSeen { get; } = [];

    // The module and the configuration.
    public bool Loaded { get; set; } = true;
    public DrbdVersion? Version { get; set; } = new(8, 4, 11);
    public DrbdVersion? Modinfo { get; set; } = new(8, 4, 11);
    public bool LoadModuleWorks { get; set; } = true;
    public bool InConfiguration { get; set; } = true;
    public bool StackedOnly { get; set; }
    public bool? TwoPrimaries { get; set; } = false;
    public bool DeviceNodes { get; set; } = true;

    // The kernel's state of the resource.
    public bool Configured { get; set; }
    public bool Attached { get; set; }
    public DrbdRole Role { get; set; } = DrbdRole.Secondary;
    public DrbdDiskState Disk { get; set; } = DrbdDiskState.UpToDate;
    public bool PeerConnected { get; set; }
    public DrbdRole PeerRole { get; set; } = DrbdRole.Secondary;
    public DrbdDiskState PeerDisk { get; set; } = DrbdDiskState.UpToDate;
    public string PeerName { get; set; } = "node2";

    /// <summary>
    /// The other node's fake, for two-node scenarios: the peer's role and disk are then its
    /// state, and the connection is up only while both sides are configured and connected.
    /// </summary>
    public FakeDrbd? Peer { get; set; }

    bool LinkUp => Peer is null ? PeerConnected : PeerConnected && Peer.PeerConnected && Peer.Configured && Configured;
    DrbdRole PeerRoleNow => Peer is null ? PeerRole : Peer.Role;
    DrbdDiskState PeerDiskNow => Peer is null ? PeerDisk : Peer.Attached ? Peer.Disk : DrbdDiskState.Diskless;

    /// <summary>Replaces the computed status (a parsed sample), or throws from Status when it is an exception.</summary>
    public Func<DrbdStatus>? StatusOverride { get; set; }

    /// <summary>Results by command word ("primary", "attach", "down" …); null = let the fake act.</summary>
    public Dictionary<string, Func<ProcessResult?>> Results { get; } = [];

    public FakeDrbd Running(DrbdRole role = DrbdRole.Secondary, bool connected = true)
    {
        Configured = Attached = true;
        Role = role;
        PeerConnected = connected;
        return this;
    }

    public int StatusCalls => Calls.Count(c => c.StartsWith("status", StringComparison.Ordinal));

    static ProcessResult Ok => ScriptedProcessRunner.Ok("");
    public static ProcessResult Fail(int code, string stderr = "failed") => ScriptedProcessRunner.Exit(code, stderr);

    ProcessResult Do(string call, Action effect)
    {
        Calls.Add(call);
        string word = call.Split(' ')[0];
        if (Results.TryGetValue(word, out var f) && f() is { } r)
        {
            if (r.Succeeded) effect();
            return r;
        }
        effect();
        return Ok;
    }

    public bool ModuleLoaded => Loaded;
    public DrbdVersion? LoadedModuleVersion() => Loaded ? Version : null;

    /// <summary>The kernel log has a split-brain of the resource: unresolved while the link is down.</summary>
    public bool SplitBrainLogged { get; set; }
    public bool SplitBrainUnresolved(string resource, IEnumerable<int> minors) => SplitBrainLogged && !LinkUp;
    public bool DeviceNodeExists(string path) => DeviceNodes;
    public DrbdVersion? InstalledModuleVersion(Deadline deadline) { Calls.Add("modinfo"); return Modinfo; }

    public ProcessResult LoadModule(Deadline deadline)
    {
        Calls.Add("modprobe");
        if (!LoadModuleWorks) return Fail(1, "modprobe: FATAL: Module drbd not found");
        Loaded = true;
        Version ??= Modinfo;
        return Ok;
    }

    public DrbdConfigLookup FindResource(string resource, Deadline deadline)
    {
        Calls.Add($"sh-dev {resource}");
        if (!InConfiguration) return DrbdConfigLookup.NotFound(Fail(10, $"'{resource}' not defined in your config (for this host)."));
        return new DrbdConfigLookup(true, StackedOnly, ["/dev/drbd0"]);
    }

    public bool? AllowsTwoPrimaries(string resource, Deadline deadline) { Calls.Add($"dump {resource}"); return TwoPrimaries; }

    public DrbdStatus Status(string resource, Deadline deadline)
    {
        Calls.Add($"status {resource}");
        if (StatusOverride is not null) return StatusOverride();
        if (!Loaded || !Configured) return DrbdStatus.NotConfigured(resource);
        var volume = new DrbdVolume(0, 0, Attached ? Disk : DrbdDiskState.Diskless);
        var conn = LinkUp
            ? new DrbdConnection(0, PeerName, DrbdConnectionState.Connected, PeerRoleNow, [new DrbdPeerDevice(0, DrbdReplicationState.Established, PeerDiskNow)])
            : new DrbdConnection(0, null, DrbdConnectionState.StandAlone, DrbdRole.Unknown, [new DrbdPeerDevice(0, DrbdReplicationState.Off, DrbdDiskState.DUnknown)]);
        return new DrbdStatus(resource, Role, [volume], [conn]);
    }

    public ProcessResult CheckResize(string r, Deadline d) => Do($"check-resize {r}", () => { });
    public ProcessResult NewResource(string r, Deadline d) => Do($"new-resource {r}", () => { Configured = true; Role = DrbdRole.Secondary; });
    public ProcessResult NewMinor(string r, Deadline d) => Do($"new-minor {r}", () => { });
    public ProcessResult Attach(string r, Deadline d) => Do($"attach {r}", () => Attached = true);

    public ProcessResult Adjust(string r, AdjustOptions o, Deadline d)
    {
        var words = new List<string> { "adjust", r };
        if (o.Peer84 is { } p) words.Add("--peer=" + p);
        if (o.ConnectionTo is { } c) words.Add("to=" + c);
        return Do(string.Join(' ', words), () => { if (Configured) { Attached = true; PeerConnected = true; } });
    }

    public ProcessResult Primary(string r, Deadline d)
    {
        // What the kernel refuses, unless a test scripted the result itself.
        if (!Results.ContainsKey("primary"))
        {
            if (Peer is not null && LinkUp && Peer.Role == DrbdRole.Primary && TwoPrimaries != true)
            {
                Calls.Add($"primary {r}");
                return Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
            }
            if (Disk is not (DrbdDiskState.UpToDate or DrbdDiskState.Consistent) && !(LinkUp && PeerDiskNow == DrbdDiskState.UpToDate))
            {
                Calls.Add($"primary {r}");
                return Fail(17, "State change failed: (-2) Need access to UpToDate data");
            }
        }
        return Do($"primary {r}", () => Role = DrbdRole.Primary);
    }
    public ProcessResult Secondary(string r, Deadline d) => Do($"secondary {r}", () => Role = DrbdRole.Secondary);
    public ProcessResult Down(string r, Deadline d) => Do($"down {r}", () => { Configured = Attached = PeerConnected = false; Role = DrbdRole.Secondary; });
    public ProcessResult Outdate(string r, Deadline d) => Do($"outdate {r}", () => Disk = DrbdDiskState.Outdated);
    public ProcessResult UnfencePeer(string r, string extra, Deadline d) => Do($"unfence-peer {r} [{extra}]", () => { });
    public ProcessResult WaitConnectDevice(string dev, int s, Deadline d) => Do($"wait-connect {dev} {s}", () => { });
    public ProcessResult WaitConnectResource(string r, int s, Deadline d) => Do($"wait-connect-resource {r} {s}", () => { });
    public ProcessResult WaitConnectConnection(string r, int id, int s, Deadline d) => Do($"wait-connect-connection {r} {id} {s}", () => { });
    public ProcessResult SetupDown(string r, Deadline d) => Do($"setup-down {r}", () => { Configured = Attached = PeerConnected = false; });

    /// <summary>The commands that change something (no status reads, no lookups).</summary>
    public IEnumerable<string> Commands => Calls.Where(c => !c.StartsWith("status", StringComparison.Ordinal) && !c.StartsWith("sh-dev", StringComparison.Ordinal) && c != "modinfo");
}
