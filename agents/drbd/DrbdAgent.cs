using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

/// <summary>
/// ocf:hacluster:drbd — a DRBD resource as a promotable clone, a drop-in for ocf:linbit:drbd with
/// the same parameters and decisions. The kernel's state comes from one drbdsetup call and is
/// read as data (<see cref="IDrbdTools"/>); every command and wait is bounded by the action's
/// deadline; the promotion score goes through the library, which starts no process when the
/// score did not change.
/// </summary>
/// <remarks>
/// Laid out as every agent is (README, "Writing an agent"): this file holds the constructor and
/// its seam, the state of one invocation, <see cref="Validate"/> and the helpers several action
/// families share; DrbdAgent.MetaData.cs the parameters; one partial file per family of actions
/// (Status, StartStop, Promotion, Notify, Reload) and the promotion score (Scores); every log
/// message is in DrbdAgent.Log.cs.
/// </remarks>
public sealed partial class DrbdAgent : ResourceAgent
{
    readonly Func<IProcessRunner, DrbdToolsOptions, IDrbdTools> createTools;

    /// <param name="createTools">Builds the DRBD binding for the options validation found (tests pass a fake).</param>
    public DrbdAgent(Func<IProcessRunner, DrbdToolsOptions, IDrbdTools>? createTools = null)
    {
        this.createTools = createTools ?? ((runner, options) => new DrbdTools(runner, options));
    }

    /// <summary>The configuration of this invocation, as <see cref="Validate"/> found it.</summary>
    DrbdConfiguration Config => config ?? throw new InvalidOperationException("the drbd agent has not been validated");
    DrbdConfiguration? config;

    // What this invocation learns about the node beyond the parameters. The binding follows what
    // is found: the configuration file, the module version (which a start may load), a stacked
    // resource; a stop whose validation failed still uses the binding made so far.
    IDrbdTools tools = null!;
    DrbdToolsOptions toolOptions = new();
    DrbdVersion module = DrbdVersion.V84;
    IReadOnlyList<string> devices = [];
    bool configChecked;

    /// <summary>When validation began: the promote's floor against tight recovery loops counts from here.</summary>
    long startTimestamp;

    /// <summary>Why the last drbdadm primary failed, for the promote's exit reason.</summary>
    string lastPromoteError = "";

    /// <summary>Since when a promote has seen a Primary peer without two primaries configured.</summary>
    long? peerPrimarySince;

    string? promotedPeer;
    bool promotedPeerAsked;

    string Resource => Config.Resource;
    bool IsV9 => module.IsV9;

    /// <summary>This node, as Pacemaker names it in the notify lists.</summary>
    string Me => Meta.OnNode ?? Environment.MachineName;

    const string NameCharacters = "-%+./0-9:=@A-Z_a-z";

    /// <summary>
    /// Checks the parameters, the tools, the module and the configuration, and keeps the
    /// parameters as one immutable record. A stop whose check failed for lack of the software or
    /// the configuration still gets its best-effort down while the module is loaded.
    /// </summary>
    public override void Validate()
    {
        startTimestamp = Clock.GetTimestamp();
        try
        {
            config = ValidConfiguration();
        }
        catch (OcfException e) when (Action == "stop" && e.EnvironmentMissing && IsValidName(drbdResource.Value) && tools is not null && tools.ModuleLoaded)
        {
            // The resource may still be up in the kernel even though the configuration or a tool
            // is missing: let StopDespiteInvalidConfiguration try drbdsetup down instead of
            // answering "stopped" (the library's rule for a host without the software).
            throw new OcfException(e.Code, e.Reason);
        }
    }

    DrbdConfiguration ValidConfiguration()
    {
        var c = ParsedParameters(out string? scoresProblem);
        // What can never work, whatever the node (6), before anything touches the system.
        if (!IsValidName(c.Resource))
            throw OcfError.Configured($"Resource name must only contain [{NameCharacters}] and not start with '-': {SafeText.Quote(c.Resource)}");
        // The binding exists before any other check can fail, so that a stop can still use it.
        Bind(DrbdToolsOptions.ForSystem(Processes));
        if (!IsValidName(c.ConfigFile))
            throw OcfError.Configured($"drbdconf name must only contain [{NameCharacters}]: {SafeText.Quote(c.ConfigFile)}");
        Bind(toolOptions with { ConfigFile = c.ConfigFile });
        RequireBinary(toolOptions.DrbdAdm, "drbd_resource");
        RequireBinary(toolOptions.DrbdSetup, "drbd_resource");

        module = tools.LoadedModuleVersion() ?? tools.InstalledModuleVersion(Deadline)
            ?? throw OcfError.NotInstalled("DRBD kernel (module) not available?");
        CheckModuleVersion(c);
        Bind(toolOptions with { Module = module });

        if (Action != "stop") CheckCloneMeta(c);

        // A monitor asks the configuration only when the kernel does not know the resource: the
        // steady-state monitor starts the status tool and nothing else, and a running resource
        // is reported as running even when this node's configuration is broken.
        if (Action != "monitor") CheckResourceInConfiguration(c);

        if (Action is "start" or "promote" && c.PromotedMax > 1 && tools.AllowsTwoPrimaries(c.Resource, Deadline) != true)
            throw OcfError.Configured($"master-max > 1, but DRBD resource {c.Resource} does not allow-two-primaries.");

        if (Action is not ("stop" or "monitor" or "validate-all") && !ignoreMissingNotifications.Value && !Meta.Notify.Enabled)
            throw OcfError.Configured("you really should enable notify when using this RA (or set ignore_missing_notifications=true)");

        if (scoresProblem is not null && ShouldWarnAboutConfiguration)
            LogBadScores(Log, scoresProblem);
        return c;
    }

    /// <summary>The parameters as the actions use them; reading them checks nothing on this node.</summary>
    DrbdConfiguration ParsedParameters(out string? scoresProblem) => new(
        Resource: drbdResource.Value,
        ConfigFile: OrDefault(drbdconf),
        Scores: ScoreTable.Parse(OrDefault(adjustMasterScore), out scoresProblem),
        PeerPrimaryPolicy: removeMasterScoreIfPeerPrimary.Value.Trim() switch
        {
            "unexpected" => PeerPrimaryPolicy.RemoveIfUnexpected,
            var v when CrmMeta.IsTrue(v) => PeerPrimaryPolicy.Remove,
            _ => PeerPrimaryPolicy.Ignore,
        },
        StopOutdatesSecondary: stopOutdatesSecondary.Value,
        WfcTimeout: WfcTimeoutSeconds(OrDefault(wfcTimeout)),
        FailPromoteEarlyIfPeerPrimary: failPromoteEarlyIfPeerPrimary.Value,
        UnfenceIfAllUpToDate: unfenceIfAllUptodate.Value,
        UnfenceExtraArgs: OrDefault(unfenceExtraArgs),
        ModuleVersionGe: OrDefault(requireVersionGe),
        ModuleVersionLt: OrDefault(requireVersionLt),
        ConnectOnlyAfterPromote: connectOnlyAfterPromote.Value,
        PromotedMax: PromotedMaxOrNull() ?? 1);

    /// <summary>
    /// ocf:linbit:drbd assigns its defaults with ${X:=default}: a parameter set to the empty
    /// string gets the default too (whatever its description says about empty values).
    /// </summary>
    static string OrDefault(StringParameter p) => p.Value.Length > 0 ? p.Value : p.Default;

    /// <summary>wfc_timeout's seconds, or null for "do not wait": empty or any non-digit, as ocf:linbit:drbd.</summary>
    static int? WfcTimeoutSeconds(string text) =>
        text.Length == 0 || !text.All(char.IsAsciiDigit) ? null
        : text.Length > 9 ? int.MaxValue
        : int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>The characters ocf:linbit:drbd allows, and no leading '-' (drbdadm would read an option).</summary>
    static bool IsValidName(string s) => s.Length > 0 && s.Length <= 255 && s[0] != '-' && ValidName().IsMatch(s);

    /// <summary>
    /// Why the configuration file cannot be read, or null when it can: opened without blocking (a
    /// FIFO there cannot hang the action), a regular file, read under the deadline. What it
    /// includes is drbdadm's to read.
    /// </summary>
    string? ConfigurationProblem(string path)
    {
        try
        {
            BoundedFile.ReadAllBytes(path, Deadline.Within(TimeSpan.FromSeconds(10)));
            return null;
        }
        catch (FileException e) when (e.Problem == FileProblem.TooLarge)
        {
            return null; // readable; its size is drbdadm's concern
        }
        catch (FileException e)
        {
            return e.Problem == FileProblem.NotFound ? "does not exist or is not readable!" : $"is not readable: {e.Cause}";
        }
    }

    /// <summary>A new binding for <paramref name="options"/>: each finding of validation or start narrows the options.</summary>
    void Bind(DrbdToolsOptions options)
    {
        toolOptions = options;
        tools = createTools(Processes, options);
    }

    void CheckModuleVersion(DrbdConfiguration c)
    {
        foreach (var (limit, ge) in new[] { (c.ModuleVersionGe, true), (c.ModuleVersionLt, false) })
        {
            if (limit.Length == 0) continue;
            var v = DrbdVersion.ParseExact(limit)!;
            if (ge ? module < v : module >= v)
                throw OcfError.NotInstalled($"required DRBD kernel (module) version -{(ge ? "ge" : "lt")} {limit}, but found: {module}");
        }
        if (!module.HasMultiVolume)
            throw OcfError.NotInstalled($"DRBD kernel module {module} is older than 8.4, which this agent does not support");
    }

    void CheckCloneMeta(DrbdConfiguration c)
    {
        // ocf:linbit:drbd's defaults for unset values: clone-node-max, master-max and
        // master-node-max 1; clone-max has none, so a primitive (not a clone) is refused.
        Expect("clone-node-max", MetaInt("clone_node_max") ?? (Meta.Get("clone_node_max") is null ? 1 : null), "=", 1);
        Expect("master-node-max", MetaInt("promoted_node_max", "master_node_max") ?? (MetaRaw("promoted_node_max", "master_node_max") is null ? 1 : null), "=", 1);
        Expect("master-max", PromotedMaxOrNull(), "-le", 2);
        if (!IsV9 || c.PromotedMax == 2)
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

    /// <summary>promoted-max (master-max): 1 when unset, null when set to something that is no number.</summary>
    long? PromotedMaxOrNull() => MetaRaw("promoted_max", "master_max") is null ? 1 : MetaInt("promoted_max", "master_max");

    /// <summary>The configuration must be readable and define the resource (drbdadm sh-dev, then --stacked).</summary>
    void CheckResourceInConfiguration(DrbdConfiguration c)
    {
        configChecked = true;
        // Rather than 6, a missing configuration is 5: another node may have a valid one.
        if (ConfigurationProblem(c.ConfigFile) is { } problem)
            throw OcfError.NotInstalled($"Configuration file {c.ConfigFile} {problem}");
        var lookup = tools.FindResource(c.Resource, Deadline);
        if (!lookup.Found)
        {
            if (IsProbe) throw OcfError.NotInstalled($"DRBD resource {c.Resource} not found in the configuration");
            DeleteScore("the resource is not in the configuration");
            string why = lookup.Failure is { } f ? ": drbdadm sh-dev " + f.Describe() : "";
            throw OcfError.NotInstalled($"DRBD resource {c.Resource} not found in configuration file {c.ConfigFile}{why}");
        }
        devices = lookup.Devices;
        if (lookup.Stacked && !toolOptions.Stacked)
            Bind(toolOptions with { Stacked = true });
    }

    // What several action families share.

    bool Pause(TimeSpan d) => Deadline.Sleep(d);

    /// <summary>Logs a failed command; the action goes on (its next status read decides).</summary>
    void Run(ProcessResult r, string what)
    {
        if (!r.Succeeded) LogCommandFailed(Log, what, r.Describe());
    }

    /// <summary>As <see cref="Run"/>, and the failure as the tail of an exit reason ("" on success).</summary>
    string Describe(ProcessResult r, string what)
    {
        Run(r, what);
        return r.Succeeded ? "" : $": drbdadm {what} {r.Describe()}";
    }

    bool IsMe(string uname) => string.Equals(uname, Me, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first peer named in the start, promote, master, slave or demote notify lists (for 8.4's --peer).</summary>
    string? PeerName()
    {
        if (IsV9) return null;
        var n = Meta.Notify;
        return n.Start.Unames.Concat(n.Promote.Unames).Concat(n.Promoted.Unames).Concat(n.Unpromoted.Unames).Concat(n.Demote.Unames)
            .FirstOrDefault(u => !IsMe(u) && IsValidName(u));
    }

    /// <summary>The other node Pacemaker reports this resource promoted on (crm_resource --locate), once per action.</summary>
    string? PromotedPeerKnownToPacemaker()
    {
        if (promotedPeerAsked) return promotedPeer;
        promotedPeerAsked = true;
        var tool = Path.Combine(Env.SbinDir, "crm_resource");
        var r = Processes.Run(new ProcessSpec(tool, "--resource", Instance, "--locate"), Deadline.Within(TimeSpan.FromSeconds(10)));
        if (!r.Succeeded) return promotedPeer = null;
        return promotedPeer = LocateOutput.PromotedPeer(r.Stdout, Me);
    }

    [GeneratedRegex("^[-%+./0-9:=@A-Z_a-z]+$")]
    private static partial Regex ValidName();
}
