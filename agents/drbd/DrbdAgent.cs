using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Drbd;
using HaCluster.Ocf;
using HaCluster.Ocf.Cluster;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Drbd;

/// <summary>
/// ocf:hacluster:drbd — a DRBD resource as a promotable clone, a drop-in for ocf:linbit:drbd with
/// the same parameters and decisions. The kernel's state comes from one drbdsetup call and is
/// read as data (<see cref="IDrbdTools"/>); every command and wait is bounded by the action's
/// deadline; the promotion score goes through the library, which starts no process when the
/// score did not change.
/// </summary>
public sealed partial class DrbdAgent : ResourceAgent
{
    readonly Func<IProcessRunner, DrbdToolsOptions, IDrbdTools> createTools;

    /// <param name="createTools">Builds the DRBD binding for the options validation found (tests pass a fake).</param>
    public DrbdAgent(Func<IProcessRunner, DrbdToolsOptions, IDrbdTools>? createTools = null)
    {
        this.createTools = createTools ?? ((runner, options) => new DrbdTools(runner, options));
    }

    public override string Name => "drbd";
    public override string ShortDescription => "Manages a DRBD device as a promotable (master/slave) clone";
    public override string LongDescription => """
        This resource agent manages a DRBD resource as a promotable clone (master/slave
        resource). DRBD is a shared-nothing replicated storage device. It is a drop-in
        replacement for ocf:linbit:drbd with the same parameters, defaults and promotion
        scores, for DRBD 8.4 and 9 kernel modules driven by drbd-utils 9.

        NOTE: to avoid data divergence, enable either DRBD "quorum" and "on-no-quorum io-error"
        (recommended), or proper fencing policies in both DRBD and Pacemaker (fencing
        resource-and-stonith). This cannot be done from this resource agent alone. See the DRBD
        User's Guide, https://docs.linbit.com/

        Promotion scores (adjust_master_score = c r l g, default 0 10 1000 10000): no quorum:
        none; connected to a healthy Primary with remove_master_score_if_peer_primary: none;
        diskless client: g-1 when Primary with a good peer or all peers UpToDate, l-1 when some
        peer is UpToDate, else none; all local disks UpToDate: g when Primary or all peer disks
        known, l when some peer disk is unknown; a peer UpToDate but not the local disk: r; a
        local disk attaching or negotiating: unchanged; all local disks Consistent: c; otherwise
        none. A score of 0 or less is deleted, never written.

        Differences from ocf:linbit:drbd:
        - The meta-data is valid for ocf-tester's DTD and pcs: every parameter has a short
          description, validate-all has a timeout, unfence_extra_args is a string (LINBIT
          declares a boolean with a string default) and wfc_timeout a string (any non-digit
          value means "do not wait", as in LINBIT's agent).
        - A monitor of a running resource starts one process (drbdsetup events2 --now, or
          sh-status on modules older than 8.4.7) instead of about fifty: the module version is
          read from /sys/module/drbd/version, the configuration is consulted only when the kernel
          does not know the resource, and the promotion score is written only when it changed
          (no crm_master per monitor). crm_resource --locate runs only where its answer is used.
        - The status is read as data; nothing is eval'd. A status tool that fails or times out,
          or a role word the agent does not know, is a monitor failure (1) with the reason,
          never "not running".
        - Every loop (start, connect, promote, demote, stop, waiting for device nodes) is bounded
          by the operation's timeout and ends with an exit reason before Pacemaker would kill the
          agent. The promote's 15-second floor against tight recovery loops is bounded too, and
          wfc_timeout (where 0 is DRBD's "forever") never outlasts the start.
        - A probe or monitor reports a resource the kernel runs as running (0 or 8) even when
          this node's drbd.conf is unreadable or lost the resource; LINBIT's answered 5, or for
          a probe 7, hiding a possible Primary.
        - A monitor of a stopped instance deletes the promotion score instead of possibly
          setting it (LINBIT's agent evaluated unset status variables when /proc/drbd was
          missing).
        - Promote refuses at once, with a reason, when DRBD has no access to UpToDate data
          (local disks neither UpToDate nor Consistent and no UpToDate peer); drbdadm primary's
          exit 17 ends the retries at once. While a peer stays Primary and two primaries are
          not configured, promote refuses after 20 seconds (long enough for DRBD to notice a
          dead peer with its default keep-alive settings) with a reason naming the peer;
          LINBIT's agent retried until the operation timed out.
        - After a split-brain DRBD drops the connection and leaves both sides StandAlone,
          which LINBIT's table scores 1000 like any disconnected UpToDate Secondary: Pacemaker
          would promote one side and its next resync would discard the other side's writes.
          This agent reads the kernel log when the resource is StandAlone: while the last
          split-brain of the resource was followed by no connection attempt, a Secondary gets
          no promotion score and promote refuses with a reason (a Primary keeps its score).
        - The start notification adjusts only a running instance. Reload of a stopped instance
          fails with a reason.
        - As in LINBIT's code (${X:=default}), a parameter set to the empty string gets its
          default, also where LINBIT's descriptions promise otherwise (wfc_timeout, the module
          version limits).
        - Truth values that are not OCF truth values are refused (6) instead of read as false;
          a drbd_resource starting with "-" is refused (6), as drbdadm would read it as an option.
        - A stop whose validation failed tries "drbdsetup down" (as LINBIT's does) without the
          5-second sleep, and succeeds at once when the kernel does not know the resource or the
          module is not loaded. DRBD 8.3 modules are not supported (5).
        """;

    // ---------------------------------------------------------------- parameters
    const string NameCharacters = "-%+./0-9:=@A-Z_a-z";

    readonly StringParameter drbdResource = new("drbd_resource", "drbd resource name",
        "The name of the drbd resource from the drbd.conf file. Only the characters [-%+./0-9:=@A-Z_a-z] are allowed.")
    { Required = true, Unique = true };

    readonly StringParameter drbdconf = new("drbdconf", "Path to drbd.conf",
        "Full path to the drbd.conf file (drbdadm -c); empty means the default. Only the characters [-%+./0-9:=@A-Z_a-z] are allowed.")
    { Default = "/etc/drbd.conf", Reloadable = true };

    readonly StringParameter adjustMasterScore = new("adjust_master_score", "master score adjustments", """
        Space separated list of four master score adjustments for different scenarios:
         - only access to 'consistent' data
         - only remote access to 'uptodate' data
         - currently Secondary, local access to 'uptodate' data, but remote is unknown
         - local access to 'uptodate' data, and currently Primary or remote is known
        Numeric values are expected to be non-decreasing; an invalid list falls back to the
        default with an error in the log. The first value is 0 by default to prevent Pacemaker
        from trying to promote while it is unclear whether the data is really the most recent
        copy (configure fencing both in DRBD and Pacemaker to make this work reliably).
        Intentionally diskless nodes ("Diskless Clients") with access to good data via their
        peers use the 3rd or 4th value minus one.
        """)
    { Default = ScoreTable.DefaultText, Reloadable = true };

    readonly BooleanParameter stopOutdatesSecondary = new("stop_outdates_secondary", "outdate a secondary on stop", """
        Recommended setting: leave at default (disabled). If a Secondary is stopped
        (unconfigured) or a post notification finds the peer unreachable, mark it Outdated in the
        DRBD meta data if the notification data say there is still a Primary elsewhere. This
        depends on OCF_RESKEY_CRM_meta_notify_master_uname being correct, which it was not for
        old Pacemaker versions; it is an additional safety feature besides DRBD's fencing.
        """)
    { Reloadable = true };

    readonly BooleanParameter ignoreMissingNotifications = new("ignore_missing_notifications", "ignore missing notify=true",
        "Some setups do not benefit from notifications. Allow running without the clone's notify=true (otherwise start, promote, demote and notify fail with 6).")
    { Reloadable = true };

    readonly StringParameter wfcTimeout = new("wfc_timeout", "wait for connections with timeout",
        "Unless set to any non-digits, wait (at most) this many seconds for the connection(s) to be established after bringing them up during start; empty means the default, as in ocf:linbit:drbd's code (its description says empty does not wait). The wait never outlasts the start's timeout.")
    { Default = "5", Reloadable = true };

    readonly StringParameter removeMasterScoreIfPeerPrimary = new("remove_master_score_if_peer_primary", "remove master score if we are connected to a primary peer", """
        To prevent a potentially failed promotion attempt in case of cluster split-brain
        (Pacemaker communication loss) while DRBD is still connected to a Primary, remove any
        master score while DRBD is connected to a Primary that looks like it has all disks
        UpToDate. This may delay legitimate failovers after a Primary crash by up to some TCP
        timeout plus one monitoring interval. An OCF truth value (true: remove), or
        "unexpected": assign scores as usual, but remove the score if DRBD sees a healthy
        Primary that Pacemaker does not know about (crm_resource --locate). Anything else: false.
        """)
    { Default = "false", Reloadable = true };

    readonly BooleanParameter failPromoteEarlyIfPeerPrimary = new("fail_promote_early_if_peer_primary", "try promote only once when connected to a primary peer", """
        To avoid a useless retry loop during promotion in case of cluster split-brain while DRBD
        is still connected to a Primary that Pacemaker does not know about, give up after the
        first try. Trying at least once is necessary: it makes DRBD check that the peer is alive.
        """)
    { Reloadable = true };

    readonly BooleanParameter unfenceIfAllUptodate = new("unfence_if_all_uptodate", "call unfence hook once fully UpToDate",
        "If all volumes of this resource report UpToDate on this Primary and its peers, call drbdadm unfence-peer, in case some stale fencing constraint is still around. The hook reads OCF_RESKEY_unfence_extra_args from its environment.")
    { Reloadable = true };

    readonly StringParameter unfenceExtraArgs = new("unfence_extra_args", "Extra arguments for the unfence hook.",
        "Extra hints passed to the unfence hook (in OCF_RESKEY_unfence_extra_args); empty means the default. See unfence_if_all_uptodate.")
    { Default = "--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match", Reloadable = true };

    readonly StringParameter requireVersionGe = new("require_drbd_module_version_ge", "minimum DRBD module version", """
        Fail (5) if the detected DRBD kernel module version is lower than this (inclusive).
        Example: 9.0.16 requires DRBD 9. Required format: x.y.z. Empty means the default, as
        in ocf:linbit:drbd's code.
        """)
    { Default = "8.0.0", Reloadable = true, Check = VersionFormat };

    readonly StringParameter requireVersionLt = new("require_drbd_module_version_lt", "DRBD module version limit", """
        Fail (5) if the detected DRBD kernel module version is not lower than this (exclusive).
        Example: 9.0.0 requires DRBD 8.4. Required format: x.y.z. Empty means the default, as
        in ocf:linbit:drbd's code.
        """)
    { Default = "10.0.0", Reloadable = true, Check = VersionFormat };

    readonly BooleanParameter connectOnlyAfterPromote = new("connect_only_after_promote", "connect only after promote", """
        For "stacked" setups without proper fencing on the lower layer: keep this DRBD instance
        disconnected until it is promoted; after promotion an additional "adjust" initiates the
        connection. This causes a new data generation identifier after the failover of a
        healthy DRBD.
        """)
    { Reloadable = true };

    static string? VersionFormat(string v) => v.Length == 0 || DrbdVersion.ParseExact(v) is not null ? null : "must be a version x.y.z or empty";

    public override IReadOnlyList<Parameter> Parameters =>
    [
        drbdResource, drbdconf, adjustMasterScore, stopOutdatesSecondary, ignoreMissingNotifications, wfcTimeout,
        removeMasterScoreIfPeerPrimary, failPromoteEarlyIfPeerPrimary, unfenceIfAllUptodate, unfenceExtraArgs,
        requireVersionGe, requireVersionLt, connectOnlyAfterPromote,
    ];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(240), ActionSpec.Reload(30), ActionSpec.Promote(90), ActionSpec.Demote(90), ActionSpec.Notify(90),
        ActionSpec.Stop(100), ActionSpec.Monitor(20, 20, role: "Slave"), ActionSpec.Monitor(20, 10, role: "Master"),
        ActionSpec.MetaData(5), ActionSpec.ValidateAll(30),
    ];

    // ---------------------------------------------------------------- validation
    IDrbdTools tools = null!;
    DrbdToolsOptions toolOptions = new();
    DrbdVersion module = DrbdVersion.V84;
    IReadOnlyList<string> devices = [];
    bool configChecked;
    ScoreTable scores = ScoreTable.Default;
    long startTimestamp;

    string Resource => drbdResource.Value;

    /// <summary>
    /// ocf:linbit:drbd assigns its defaults with ${X:=default}: a parameter set to the empty
    /// string gets the default too (whatever its description says about empty values).
    /// </summary>
    static string OrDefault(StringParameter p) => p.Value.Length > 0 ? p.Value : p.Default;

    string ConfigFile => OrDefault(drbdconf);
    bool IsV9 => module.IsV9;

    /// <summary>This node, as Pacemaker names it in the notify lists.</summary>
    string Me => Meta.OnNode ?? Environment.MachineName;

    public override void Validate()
    {
        startTimestamp = Clock.GetTimestamp();
        try
        {
            ValidateCore();
        }
        catch (OcfException e) when (Action == "stop" && e.EnvironmentMissing && IsValidName(Resource) && tools is not null && tools.ModuleLoaded)
        {
            // The resource may still be up in the kernel even though the configuration or a tool
            // is missing: let StopDespiteInvalidConfiguration try drbdsetup down instead of
            // answering "stopped" (the library's rule for a host without the software).
            throw new OcfException(e.Code, e.Reason);
        }
    }

    void ValidateCore()
    {
        // What can never work, whatever the node (6), before anything touches the system.
        if (!IsValidName(Resource))
            throw OcfError.Configured($"Resource name must only contain [{NameCharacters}] and not start with '-': {SafeText.Quote(Resource)}");
        // The binding exists before any other check can fail, so that a stop can still use it.
        toolOptions = DrbdToolsOptions.ForSystem(Processes);
        tools = createTools(Processes, toolOptions);
        if (!IsValidName(ConfigFile))
            throw OcfError.Configured($"drbdconf name must only contain [{NameCharacters}]: {SafeText.Quote(ConfigFile)}");
        tools = createTools(Processes, toolOptions = toolOptions with { ConfigFile = ConfigFile });
        RequireBinary(toolOptions.DrbdAdm, "drbd_resource");
        RequireBinary(toolOptions.DrbdSetup, "drbd_resource");

        module = tools.LoadedModuleVersion() ?? tools.InstalledModuleVersion(Deadline)
            ?? throw OcfError.NotInstalled("DRBD kernel (module) not available?");
        CheckModuleVersion();
        tools = createTools(Processes, toolOptions = toolOptions with { Module = module });

        if (Action != "stop") CheckCloneMeta();

        // A monitor asks the configuration only when the kernel does not know the resource: the
        // steady-state monitor starts the status tool and nothing else, and a running resource
        // is reported as running even when this node's configuration is broken.
        if (Action != "monitor") CheckResourceInConfiguration();

        if (Action is "start" or "promote" && PromotedMax() > 1 && tools.AllowsTwoPrimaries(Resource, Deadline) != true)
            throw OcfError.Configured($"master-max > 1, but DRBD resource {Resource} does not allow-two-primaries.");

        if (Action is not ("stop" or "monitor" or "validate-all") && !ignoreMissingNotifications.Value && !Meta.Notify.Enabled)
            throw OcfError.Configured("you really should enable notify when using this RA (or set ignore_missing_notifications=true)");

        scores = ScoreTable.Parse(OrDefault(adjustMasterScore), out var problem);
        if (problem is not null && ShouldWarnAboutConfiguration)
            LogBadScores(Log, problem);
    }

    /// <summary>The characters ocf:linbit:drbd allows, and no leading '-' (drbdadm would read an option).</summary>
    static bool IsValidName(string s) => s.Length > 0 && s.Length <= 255 && s[0] != '-' && ValidName().IsMatch(s);

    static bool IsReadable(string path)
    {
        try { using var _ = File.OpenRead(path); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    void CheckModuleVersion()
    {
        foreach (var (limit, ge) in new[] { (OrDefault(requireVersionGe), true), (OrDefault(requireVersionLt), false) })
        {
            if (limit.Length == 0) continue;
            var v = DrbdVersion.ParseExact(limit)!;
            if (ge ? module < v : module >= v)
                throw OcfError.NotInstalled($"required DRBD kernel (module) version -{(ge ? "ge" : "lt")} {limit}, but found: {module}");
        }
        if (!module.HasMultiVolume)
            throw OcfError.NotInstalled($"DRBD kernel module {module} is older than 8.4, which this agent does not support");
    }

    void CheckCloneMeta()
    {
        // ocf:linbit:drbd's defaults for unset values: clone-node-max, master-max and
        // master-node-max 1; clone-max has none, so a primitive (not a clone) is refused.
        Expect("clone-node-max", MetaInt("clone_node_max") ?? (Meta.Get("clone_node_max") is null ? 1 : null), "=", 1);
        Expect("master-node-max", MetaInt("promoted_node_max", "master_node_max") ?? (MetaRaw("promoted_node_max", "master_node_max") is null ? 1 : null), "=", 1);
        Expect("master-max", PromotedMaxOrNull(), "-le", 2);
        if (!IsV9 || PromotedMax() == 2)
            Expect("clone-max", MetaInt("clone_max"), "-le", 2);

        void Expect(string what, long? value, string op, long expected)
        {
            bool ok = value is long v && (op == "=" ? v == expected : v <= expected);
            if (!ok)
            {
                string found = MetaRaw(what.Replace("master", "promoted").Replace('-', '_'), what.Replace('-', '_')) is { Length: > 0 } raw ? SafeText.Quote(raw, 32) : "unset";
                throw OcfError.Configured($"meta parameter misconfigured, expected {what} {op} {expected}, but found {found}.");
            }
        }
    }

    string? MetaRaw(params string[] names)
    {
        foreach (var n in names)
            if (Meta.Get(n) is { } v) return v;
        return null;
    }

    long? MetaInt(params string[] names) =>
        MetaRaw(names) is { } raw && long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : null;

    long? PromotedMaxOrNull() => MetaRaw("promoted_max", "master_max") is null ? 1 : MetaInt("promoted_max", "master_max");
    long PromotedMax() => PromotedMaxOrNull() ?? 1;

    /// <summary>The configuration must be readable and define the resource (drbdadm sh-dev, then --stacked).</summary>
    void CheckResourceInConfiguration()
    {
        configChecked = true;
        // Rather than 6, a missing configuration is 5: another node may have a valid one.
        if (!IsReadable(ConfigFile))
            throw OcfError.NotInstalled($"Configuration file {ConfigFile} does not exist or is not readable!");
        var lookup = tools.FindResource(Resource, Deadline);
        if (!lookup.Found)
        {
            if (IsProbe) throw OcfError.NotInstalled($"DRBD resource {Resource} not found in the configuration");
            DeleteScore("the resource is not in the configuration");
            string why = lookup.Failure is { } f ? ": drbdadm sh-dev " + f.Describe() : "";
            throw OcfError.NotInstalled($"DRBD resource {Resource} not found in configuration file {ConfigFile}{why}");
        }
        devices = lookup.Devices;
        if (lookup.Stacked && !toolOptions.Stacked)
            tools = createTools(Processes, toolOptions = toolOptions with { Stacked = true });
    }

    // ---------------------------------------------------------------- status
    /// <summary>The resource as the kernel sees it, and the OCF code a monitor reports for it.</summary>
    sealed record State(OcfExitCode Code, DrbdStatus Status)
    {
        public DrbdSummary Summary { get; } = Status.Summarize();
        public bool Running => Code != OcfExitCode.NotRunning;
    }

    State Current()
    {
        if (!tools.ModuleLoaded) return new State(OcfExitCode.NotRunning, DrbdStatus.NotConfigured(Resource));
        DrbdStatus status;
        try { status = tools.Status(Resource, Deadline); }
        catch (DrbdToolException e) { throw OcfError.Generic($"cannot read the state of DRBD resource {Resource}: {e.Message}"); }
        // A role word we do not know is no evidence either way: neither "stopped" nor "running".
        if (status.Role == DrbdRole.Unknown)
            throw OcfError.Generic($"DRBD reports a role for resource {Resource} that this agent does not know");
        if (!status.IsConfigured) return new State(OcfExitCode.NotRunning, status);
        // As ocf:linbit:drbd: without any device node (udev has not created them yet) the
        // resource does not count as running.
        var minors = status.Volumes.Where(v => v.Minor is not null).Select(v => $"/dev/drbd{v.Minor}").ToList();
        if (minors.Count > 0 && !minors.Any(tools.DeviceNodeExists))
            return new State(OcfExitCode.NotRunning, status);
        return new State(status.Role == DrbdRole.Primary ? OcfExitCode.RunningPromoted : OcfExitCode.Success, status);
    }

    // ---------------------------------------------------------------- monitor
    public override OcfExitCode Monitor()
    {
        var state = Current();
        if (!state.Running)
        {
            if (!configChecked) CheckResourceInConfiguration();
            // A probe that finds the resource stopped changes nothing (Pacemaker's advice);
            // a recurring monitor of a stopped instance takes its score away.
            if (!IsProbe) DeleteScore("the resource is not running");
            return OcfExitCode.NotRunning;
        }
        UpdateScore(state);
        return state.Code;
    }

    // ---------------------------------------------------------------- start
    public override OcfExitCode Start()
    {
        if (!tools.ModuleLoaded)
        {
            var load = tools.LoadModule(Deadline);
            if (!load.Succeeded) throw OcfError.NotInstalled($"Cannot load the drbd module: modprobe {load.Describe()}");
            if (tools.LoadedModuleVersion() is { } loaded && loaded != module)
            {
                module = loaded;
                CheckModuleVersion();
                tools = createTools(Processes, toolOptions = toolOptions with { Module = module });
            }
        }

        bool firstTry = true, attachFailed = false;
        State state;
        while (true)
        {
            if (Deadline.IsExpired) throw OcfError.Generic($"DRBD resource {Resource} did not start within the timeout");
            state = Current();
            if (state.Code == OcfExitCode.Success)
            {
                if (attachFailed && tools.Attach(Resource, Deadline) is { Succeeded: false } again)
                    throw OcfError.Generic($"failed to attach: {again.Describe()}");
                if (!connectOnlyAfterPromote.Value)
                {
                    Connect(state);
                    state = Current();
                }
                break;
            }
            if (state.Code == OcfExitCode.NotRunning)
            {
                if (firstTry) Run(tools.CheckResize(Resource, Deadline), "check-resize");
                CreateDevices();
                var attach = tools.Attach(Resource, Deadline);
                if (!attach.Succeeded)
                {
                    // A second failure is unlikely to get better: do not wait for the timeout.
                    if (!firstTry) throw OcfError.Generic($"failed to attach: {attach.Describe()}");
                    LogCommandFailed(Log, "attach", attach.Describe());
                    attachFailed = true;
                    Pause(TimeSpan.FromSeconds(1));
                }
            }
            else
            {
                LogAlreadyPrimary(Log, Resource);
                Run(tools.Secondary(Resource, Deadline), "secondary");
            }
            if (!firstTry) Pause(TimeSpan.FromSeconds(1));
            firstTry = false;
        }
        // In case no monitor is configured, the score is set at least once here.
        if (state.Running) UpdateScore(state);
        return OcfExitCode.Success;
    }

    void CreateDevices()
    {
        var created = tools.NewResource(Resource, Deadline);
        if (created.Succeeded) created = tools.NewMinor(Resource, Deadline);
        if (!created.Succeeded) throw OcfError.Generic($"cannot create the DRBD resource {Resource}: {created.Describe()}");
        // udev creates the device nodes; wait for them, within the timeout.
        while (!devices.All(tools.DeviceNodeExists))
            if (!Pause(TimeSpan.FromMilliseconds(200)))
                throw OcfError.Generic($"expected device nodes did not appear (in time): {string.Join(' ', devices.Where(d => !tools.DeviceNodeExists(d)))}");
    }

    /// <summary>Bring up the connections and wait (wfc_timeout) for them, towards the Primary Pacemaker knows first on DRBD 9.</summary>
    void Connect(State state)
    {
        int? wait = WfcSeconds();
        if (IsV9)
        {
            if (PromotedPeerKnownToPacemaker() is { } primary)
            {
                Run(tools.Adjust(Resource, new AdjustOptions { ConnectionTo = primary }, Deadline), $"adjust {Resource}:{primary}");
                // The connection exists once adjusted: its peer node id is what drbdsetup waits on
                // (LINBIT's agent got it by rewriting drbdadm's dry-run output into a command).
                var conn = (wait is null ? state : Current()).Status.Connections
                    .FirstOrDefault(c => string.Equals(c.Name, primary, StringComparison.OrdinalIgnoreCase));
                if (wait is int s1 && conn is not null) WaitLogged(tools.WaitConnectConnection(Resource, conn.PeerNodeId, s1, WaitBudget()), "wait-connect-connection");
                else if (wait is not null) LogNoSuchPeer(Log, primary);
            }
            Run(tools.Adjust(Resource, AdjustOptions.None, Deadline), "adjust");
            if (wait is int s) WaitLogged(tools.WaitConnectResource(Resource, s, WaitBudget()), "wait-connect-resource");
        }
        else
        {
            Run(tools.Adjust(Resource, new AdjustOptions { Peer84 = PeerName() }, Deadline), "adjust");
            if (wait is int s)
                foreach (var dev in devices) WaitLogged(tools.WaitConnectDevice(dev, s, WaitBudget()), "wait-connect");
        }
    }

    /// <summary>
    /// wfc_timeout in seconds, or null for "do not wait" (empty or any non-digit, as ocf:linbit:drbd).
    /// drbdsetup is never asked to wait longer than the start may (0 means "forever" to DRBD), so
    /// it returns by itself instead of being killed at the deadline.
    /// </summary>
    int? WfcSeconds()
    {
        var t = OrDefault(wfcTimeout);
        if (t.Length == 0 || !t.All(char.IsAsciiDigit)) return null;
        int asked = t.Length > 9 ? int.MaxValue : int.Parse(t, CultureInfo.InvariantCulture);
        int budget = Math.Max(1, (int)WaitBudget().Remaining.TotalSeconds);
        return asked == 0 ? budget : Math.Min(asked, budget);
    }

    /// <summary>A connection wait leaves a quarter of the time (at most 5 s) for what follows it.</summary>
    Deadline WaitBudget() => Deadline.Reserve(TimeSpan.FromSeconds(Math.Min(5, Deadline.Remaining.TotalSeconds / 4)));

    void WaitLogged(ProcessResult r, string what)
    {
        // Not connected in time is no start failure: the peer may not be started yet.
        if (!r.Succeeded) LogWaitEnded(Log, what, r.Describe());
    }

    // ---------------------------------------------------------------- stop
    public override OcfExitCode Stop()
    {
        bool firstTry = true;
        State? state = null;
        string last = "";
        while (true)
        {
            if (Deadline.IsExpired) throw OcfError.Generic($"DRBD resource {Resource} could not be stopped within the timeout{last}");
            try { state = Current(); }
            catch (OcfException e)
            {
                // The state is unknown: down is idempotent, so try it anyway.
                last = ": " + e.Reason;
                state = null;
            }
            if (state is { Running: false })
            {
                // Just in case it was deconfigured but not yet removed (8.4 and later).
                if (tools.ModuleLoaded) tools.Down(Resource, Deadline);
                break;
            }
            if (state is { Code: OcfExitCode.RunningPromoted })
            {
                LogStillPrimary(Log, Resource);
                last = Describe(tools.Secondary(Resource, Deadline), "secondary");
            }
            else last = Describe(tools.Down(Resource, Deadline), "down");
            if (!firstTry) Pause(TimeSpan.FromSeconds(1));
            firstTry = false;
        }
        MaybeOutdateSelf(state!);
        DeleteScore("stopped");
        return OcfExitCode.Success;
    }

    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        // A failed stop gets this node fenced: try what still works without the configuration.
        if (!IsValidName(Resource) || tools is null || !Processes.IsInstalled(toolOptions.DrbdSetup)) throw validationFailure;
        if (!tools.ModuleLoaded) return OcfExitCode.Success;
        LogStopDespite(Log, validationFailure.Reason, Resource);
        try
        {
            if (!tools.Status(Resource, Deadline).IsConfigured) return OcfExitCode.Success;
        }
        catch (DrbdToolException) { }
        var down = tools.SetupDown(Resource, Deadline);
        if (down.Succeeded)
        {
            LogFencingAvoided(Log);
            return OcfExitCode.Success;
        }
        throw new OcfException(validationFailure.Code, $"{validationFailure.Reason}; drbdsetup down {Resource} {down.Describe()}");
    }

    // ---------------------------------------------------------------- promote / demote
    public override OcfExitCode Promote()
    {
        bool firstTry = true;
        string? failure = null;
        while (failure is null)
        {
            if (Deadline.IsExpired) { failure = $"DRBD resource {Resource} did not become Primary within the timeout{lastPromoteError}"; break; }
            var state = Current();
            if (state.Code == OcfExitCode.RunningPromoted)
            {
                if (connectOnlyAfterPromote.Value)
                    Run(tools.Adjust(Resource, new AdjustOptions { Peer84 = PeerName(), Verbose = true }, Deadline), "adjust");
                return OcfExitCode.Success;
            }
            if (state.Code == OcfExitCode.NotRunning) { failure = "cannot promote a resource that was not started"; break; }
            if (firstTry && SplitBrainUnresolved(state))
            {
                failure = $"Refusing to promote: DRBD dropped the connection of {Resource} after a split-brain that is not resolved; an operator decides whose changes are discarded (drbdadm connect --discard-my-data {Resource} there, drbdadm connect {Resource} on the other node)";
                break;
            }

            var s = state.Summary;
            // Consistent local disks are tried: DRBD then fences the peer and either makes them
            // UpToDate or refuses (17). Anything less has nothing DRBD could promote.
            bool couldHaveUpToDate = s.HasAccessToUpToDateData || (!s.DisklessClient && s.DiskAllConsistent);
            if (!couldHaveUpToDate)
            {
                failure = $"Refusing to be promoted to Primary without access to UpToDate data (local disk {Disks(state.Status)}, peer disk {PeerDisks(state.Status)})";
                break;
            }
            if (!firstTry && UnexpectedPrimaryRejectsPromote(state))
            {
                if (failPromoteEarlyIfPeerPrimary.Value)
                {
                    DeleteScore("a peer is Primary");
                    failure = "Peer node already/still Primary";
                    break;
                }
                LogPeerStillPrimary(Log);
            }
            bool peerPrimary = s.SomePeerPrimary && PromotedMax() < 2;
            if (!peerPrimary) peerPrimarySince = null;
            else if (peerPrimarySince is null) peerPrimarySince = Clock.GetTimestamp();
            else if (Clock.GetElapsedTime(peerPrimarySince.Value) >= PeerDemoteGrace)
            {
                // DRBD cannot promote next to a Primary without allow-two-primaries, and a correct
                // transition demoted the peer before this promote: a peer still Primary now is one
                // Pacemaker does not control. Retrying until the timeout (as LINBIT's agent does)
                // only delays the failure and the recovery.
                failure = $"Refusing to promote: peer {PeerDescription()} is still Primary after {PeerDemoteGrace.TotalSeconds:0} s and two primaries are not configured{lastPromoteError}";
                break;
            }
            var r = tools.Primary(Resource, Deadline);
            if (r is { Outcome: ProcessOutcome.Exited, ExitCode: 17 })
            {
                // All disks inconsistent, or consistent but the peer could not be fenced: retrying cannot help.
                failure = "Refusing to be promoted to Primary without access to UpToDate data";
                break;
            }
            if (!r.Succeeded)
                lastPromoteError = $": drbdadm primary {r.Describe()}" + (peerPrimary ? " (a peer is Primary and two primaries are not configured)" : "");
            if (!firstTry) Pause(TimeSpan.FromSeconds(1));
            firstTry = false;
        }

        // Avoid a too tight Pacemaker-driven recovery loop if promotion keeps failing.
        var elapsed = Clock.GetElapsedTime(startTimestamp);
        if (elapsed < TimeSpan.FromSeconds(15))
        {
            LogPromoteBackoff(Log, (15 - elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
            Pause(TimeSpan.FromSeconds(15) - elapsed);
        }
        throw OcfError.Generic(failure);
    }

    string lastPromoteError = "";

    /// <summary>StandAlone with a split-brain in the kernel log that no connection attempt followed.</summary>
    bool SplitBrainUnresolved(State state) =>
        state.Status.Connections.Any(c => c.State == DrbdConnectionState.StandAlone)
        && tools.SplitBrainUnresolved(Resource, state.Status.Volumes.Where(v => v.Minor is not null).Select(v => v.Minor!.Value));
    long? peerPrimarySince;

    /// <summary>
    /// How long a promote waits for a Primary peer to demote or to be declared dead before it
    /// refuses. A peer that died while Primary stays Primary to DRBD until its keep-alive fails
    /// (8.4 and 9 defaults: ping-int 10 s plus ping-timeout 0.5 s, up to 6 s more for unacked
    /// data), and Corosync may notice the death first: the grace covers that detection.
    /// </summary>
    static readonly TimeSpan PeerDemoteGrace = TimeSpan.FromSeconds(20);

    /// <summary>The Primary peer for an exit reason: its node name where the cluster told us, else DRBD's connection name.</summary>
    string PeerDescription() =>
        PromotedPeerKnownToPacemaker() ?? PeerName() ?? "(the DRBD peer)";

    public override OcfExitCode Demote()
    {
        bool firstTry = true;
        string last = "";
        while (true)
        {
            if (Deadline.IsExpired) throw OcfError.Generic($"DRBD resource {Resource} is still Primary after the timeout{last}");
            var state = Current();
            if (state.Code == OcfExitCode.Success) return OcfExitCode.Success;
            if (state.Code == OcfExitCode.NotRunning) throw OcfError.Generic("cannot demote a resource that was not started");
            last = Describe(tools.Secondary(Resource, Deadline), "secondary");
            if (!firstTry) Pause(TimeSpan.FromSeconds(1));
            firstTry = false;
        }
    }

    /// <summary>
    /// ocf:linbit:drbd's unexpected_primary_rejects_promote: a single-primary configuration, this
    /// node Secondary, a peer Primary according to DRBD, and Pacemaker knowing no Primary.
    /// </summary>
    bool UnexpectedPrimaryRejectsPromote(State state) =>
        PromotedMax() == 1 && !state.Summary.Primary && state.Summary.SomePeerPrimary && PromotedPeerKnownToPacemaker() is null;

    // ---------------------------------------------------------------- notify / reload
    public override OcfExitCode Notify()
    {
        var n = Meta.Notify;
        try
        {
            // As the shell agent's case statement: */start first, other post/* notifications second.
            if (n.Operation == "start")
            {
                // More than two possible peers, or configured for a meanwhile failed one: adjust
                // the network settings when a peer starts. Usually a no-op.
                if (!connectOnlyAfterPromote.Value && Current().Running)
                    Run(tools.Adjust(Resource, new AdjustOptions { Peer84 = PeerName(), Verbose = true }, Deadline), "adjust");
            }
            else if (n.Type == "post")
            {
                var state = Current();
                if (state.Running) UpdateScore(state);
                else DeleteScore("the resource is not running");
                if (state.Summary.PeerDiskAnyUnknown) MaybeOutdateSelf(state);
            }
        }
        catch (OcfException e) when (!e.EnvironmentMissing)
        {
            // Notification failures are logged and ignored by Pacemaker anyway.
            LogNotifyProblem(Log, e.Reason);
        }
        return OcfExitCode.Success;
    }

    public override OcfExitCode Reload()
    {
        var state = Current();
        if (!state.Running)
        {
            DeleteScore("the resource is not running");
            throw OcfError.Generic($"cannot reload DRBD resource {Resource}: it is not running");
        }
        // Adjust in case the reload was requested by hand (a changed drbd.conf).
        Run(tools.Adjust(Resource, AdjustOptions.None, Deadline), "adjust");
        UpdateScore(Current());
        return OcfExitCode.Success;
    }

    // ---------------------------------------------------------------- score
    void UpdateScore(State state)
    {
        if (!state.Summary.Primary && SplitBrainUnresolved(state))
        {
            // LINBIT's table gives a StandAlone UpToDate Secondary 1000: Pacemaker would promote
            // one side of a split-brain and lose the other side's writes at the next resync.
            // A Primary keeps its score: demoting it would only add an outage.
            LogSplitBrainUnresolved(Log, Resource);
            DeleteScore("unresolved split-brain");
            return;
        }
        var policy = removeMasterScoreIfPeerPrimary.Value.Trim() switch
        {
            "unexpected" => PeerPrimaryPolicy.RemoveIfUnexpected,
            var v when CrmMeta.IsTrue(v) => PeerPrimaryPolicy.Remove,
            _ => PeerPrimaryPolicy.Ignore,
        };
        var decision = PromotionScore.Decide(state.Summary, scores, policy, unfenceIfAllUptodate.Value,
            () => UnexpectedPrimaryRejectsPromote(state));
        LogScoreDecision(Log, decision.Action.ToString(), decision.Value, decision.Why);
        switch (decision.Action)
        {
            case ScoreAction.Set: Report(Cluster.SetPromotionScore(decision.Value), "set"); break;
            case ScoreAction.Delete: DeleteScore(decision.Why); break;
        }
        if (decision.Unfence)
        {
            var r = tools.UnfencePeer(Resource, OrDefault(unfenceExtraArgs), Deadline);
            if (!r.Succeeded) LogCommandFailed(Log, "unfence-peer", r.Describe());
        }
    }

    void DeleteScore(string why)
    {
        var w = Cluster.DeletePromotionScore();
        if (!w.Skipped) LogScoreDeleted(Log, why);
        Report(w, "delete");
    }

    void Report(AttributeWrite w, string what)
    {
        // Without a cluster the tools exit 102: the action still reports the resource's state.
        if (!w.Succeeded) LogScoreFailed(Log, what, w.Error ?? "failed");
    }

    /// <summary>
    /// stop_outdates_secondary: this Secondary marks itself Outdated when the notification data say
    /// another node is still Primary and that node is not being stopped.
    /// </summary>
    void MaybeOutdateSelf(State state)
    {
        if (!stopOutdatesSecondary.Value) return;
        var n = Meta.Notify;
        var host = n.Promoted.Unames.FirstOrDefault(u => !IsMe(u));
        if (host is null) return;
        if (n.Stop.Unames.Any(u => u == host)) return; // stale master_uname during its own stop
        if (state.Summary.Primary)
        {
            LogSplitBrain(Log, Me, host, Resource);
            return;
        }
        LogOutdating(Log, Resource, host);
        Run(tools.Outdate(Resource, Deadline), "outdate");
        DeleteScore("outdated");
    }

    // ---------------------------------------------------------------- peers
    bool IsMe(string uname) => string.Equals(uname, Me, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first peer named in the start, promote, master, slave or demote notify lists (for 8.4's --peer).</summary>
    string? PeerName()
    {
        if (IsV9) return null;
        var n = Meta.Notify;
        return n.Start.Unames.Concat(n.Promote.Unames).Concat(n.Promoted.Unames).Concat(n.Unpromoted.Unames).Concat(n.Demote.Unames)
            .FirstOrDefault(u => !IsMe(u) && IsValidName(u));
    }

    string? promotedPeer;
    bool promotedPeerAsked;

    /// <summary>The other node Pacemaker reports this resource promoted on (crm_resource --locate), once per action.</summary>
    string? PromotedPeerKnownToPacemaker()
    {
        if (promotedPeerAsked) return promotedPeer;
        promotedPeerAsked = true;
        var tool = Path.Combine(Env.SbinDir, "crm_resource");
        var r = Processes.Run(new ProcessSpec(tool, "--resource", Instance, "--locate"), Deadline.Within(TimeSpan.FromSeconds(10)));
        if (!r.Succeeded) return promotedPeer = null;
        return promotedPeer = ParseLocate(r.Stdout, Me);
    }

    /// <summary>"resource X is running on: NODE Master" (Pacemaker 2.1; "Promoted" accepted too), other than <paramref name="me"/>.</summary>
    public static string? ParseLocate(string output, string me)
    {
        foreach (var line in output.Split('\n'))
        {
            var m = LocateLine().Match(line.TrimEnd());
            if (m.Success && !string.Equals(m.Groups[1].Value, me, StringComparison.OrdinalIgnoreCase)) return m.Groups[1].Value;
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers
    bool Pause(TimeSpan d) => Deadline.Sleep(d);

    void Run(ProcessResult r, string what)
    {
        if (!r.Succeeded) LogCommandFailed(Log, what, r.Describe());
    }

    string Describe(ProcessResult r, string what)
    {
        Run(r, what);
        return r.Succeeded ? "" : $": drbdadm {what} {r.Describe()}";
    }

    static string Disks(DrbdStatus s) => s.Volumes.Count == 0 ? "none" : string.Join(',', s.Volumes.Select(v => v.Disk));
    static string PeerDisks(DrbdStatus s) =>
        s.Connections.SelectMany(c => c.PeerDevices).Select(p => p.PeerDisk.ToString()).DefaultIfEmpty("none").Aggregate((a, b) => a + "," + b);

    [GeneratedRegex("^[-%+./0-9:=@A-Z_a-z]+$")]
    private static partial Regex ValidName();
    [GeneratedRegex(@"is running on: (\S+) (?:Master|Promoted)$")]
    private static partial Regex LocateLine();

    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}; falling back to default")]
    static partial void LogBadScores(ILogger log, string problem);
    [LoggerMessage(Level = LogLevel.Error, Message = "drbdadm {What} {Result}")]
    static partial void LogCommandFailed(ILogger log, string what, string result);
    [LoggerMessage(Level = LogLevel.Information, Message = "{What} {Result}")]
    static partial void LogWaitEnded(ILogger log, string what, string result);
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} already Primary, demoting.")]
    static partial void LogAlreadyPrimary(ILogger log, string resource);
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} still Primary, demoting.")]
    static partial void LogStillPrimary(ILogger log, string resource);
    [LoggerMessage(Level = LogLevel.Warning, Message = "Please use matching node names for hostname, uname, corosync, pacemaker and DRBD! Not a valid DRBD peer: {Peer}")]
    static partial void LogNoSuchPeer(ILogger log, string peer);
    [LoggerMessage(Level = LogLevel.Error, Message = "validate error on stop ({Reason})! Trying 'drbdsetup down {Resource}' directly to avoid fencing...")]
    static partial void LogStopDespite(ILogger log, string reason, string resource);
    [LoggerMessage(Level = LogLevel.Error, Message = "fencing of this node narrowly avoided. FIX YOUR SETUP!")]
    static partial void LogFencingAvoided(ILogger log);
    [LoggerMessage(Level = LogLevel.Information, Message = "Peer node already/still Primary, promote will likely fail or need several attempts. Retrying anyways.")]
    static partial void LogPeerStillPrimary(ILogger log);
    [LoggerMessage(Level = LogLevel.Warning, Message = "promotion failed; sleep {Seconds} # to prevent tight recovery loop")]
    static partial void LogPromoteBackoff(ILogger log, string seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "notify: {Reason}")]
    static partial void LogNotifyProblem(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Debug, Message = "promotion score: {Action} {Value} ({Why})")]
    static partial void LogScoreDecision(ILogger log, string action, long value, string why);
    [LoggerMessage(Level = LogLevel.Information, Message = "promotion score removed: {Why}")]
    static partial void LogScoreDeleted(ILogger log, string why);
    [LoggerMessage(Level = LogLevel.Error, Message = "cannot {What} the promotion score: {Error}")]
    static partial void LogScoreFailed(ILogger log, string what, string error);
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource}: DRBD detected a split-brain and dropped the connection; no promotion score until an operator resolves it")]
    static partial void LogSplitBrainUnresolved(ILogger log, string resource);

    [LoggerMessage(Level = LogLevel.Critical, Message = "resource internal SPLIT BRAIN: both {Me} and {Host} are Primary for {Resource}, but the replication link is down!")]
    static partial void LogSplitBrain(ILogger log, string me, string host, string resource);
    [LoggerMessage(Level = LogLevel.Information, Message = "outdating {Resource}: according to the notify data, {Host} is still master")]
    static partial void LogOutdating(ILogger log, string resource, string host);
}
