using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// start and stop: ocf:linbit:drbd's sequences (create, attach, connect; demote, down), each
// retried once a second until it takes or the action's deadline ends it with an exit reason.
public sealed partial class DrbdAgent
{
    public override OcfExitCode Start()
    {
        if (!tools.ModuleLoaded)
        {
            var load = tools.LoadModule(Deadline);
            if (!load.Succeeded) throw OcfError.NotInstalled($"Cannot load the drbd module: modprobe {load.Describe()}");
            if (tools.LoadedModuleVersion() is { } loaded && loaded != module)
            {
                module = loaded;
                CheckModuleVersion(Config);
                Bind(toolOptions with { Module = module });
            }
        }

        bool firstTry = true, attachFailed = false;
        ResourceState state;
        while (true)
        {
            if (Deadline.IsExpired) throw OcfError.Generic($"DRBD resource {Resource} did not start within the timeout");
            state = Current();
            if (state.Code == OcfExitCode.Success)
            {
                if (attachFailed && tools.Attach(Resource, Deadline) is { Succeeded: false } again)
                    throw OcfError.Generic($"failed to attach: {again.Describe()}");
                if (!Config.ConnectOnlyAfterPromote)
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
    void Connect(ResourceState state)
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
    /// wfc_timeout in seconds, or null for "do not wait". drbdsetup is never asked to wait longer
    /// than the start may (0 means "forever" to DRBD), so it returns by itself instead of being
    /// killed at the deadline.
    /// </summary>
    int? WfcSeconds()
    {
        if (Config.WfcTimeout is not int asked) return null;
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

    public override OcfExitCode Stop()
    {
        bool firstTry = true;
        ResourceState? state = null;
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
        // Only the resource's name is trusted, and only a name a start could have used: under any
        // other (empty, a line break, "-x", shell syntax) nothing can have been brought up.
        // Validation did not finish, so the name comes from the parameter, not from the record;
        // binding leaves the value null when it refused it (empty, a control character).
        string resource = drbdResource.Value ?? "";
        if (!IsValidName(resource)) return base.StopDespiteInvalidConfiguration(validationFailure);
        // Validation may have ended before it made the binding (another parameter did not parse):
        // drbdsetup down needs neither the configuration file nor any other parameter.
        if (tools is null) Bind(DrbdToolsOptions.ForSystem(Processes));
        var drbd = tools!; // made by Validate or just now
        if (!drbd.ModuleLoaded)
        {
            LogNothingUpWithoutModule(Log, validationFailure.Reason);
            return OcfExitCode.Success;
        }
        if (!Processes.IsInstalled(toolOptions.DrbdSetup))
            throw StopFailed(validationFailure, $"{toolOptions.DrbdSetup} is not installed");
        LogStopDespite(Log, validationFailure.Reason, resource);
        try
        {
            if (!drbd.Status(resource, Deadline).IsConfigured) return OcfExitCode.Success;
        }
        catch (DrbdToolException) { }
        // drbdsetup down demotes a Primary before it takes the resource down.
        var down = drbd.SetupDown(resource, Deadline);
        if (down.Succeeded)
        {
            LogFencingAvoided(Log);
            return OcfExitCode.Success;
        }
        throw StopFailed(validationFailure, $"drbdsetup down {resource} {down.Describe()}");
    }

    /// <summary>
    /// The best effort could not stop the resource: a failed stop (1), never 6, which would
    /// make Pacemaker stop the resource on every node for what is a problem of this one.
    /// </summary>
    static OcfException StopFailed(OcfException validationFailure, string what) => new(
        validationFailure.Code is OcfExitCode.ErrConfigured or OcfExitCode.ErrArgs ? OcfExitCode.ErrGeneric : validationFailure.Code,
        $"{validationFailure.Reason}; {what}");
}
