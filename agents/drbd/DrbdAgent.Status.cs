using HaCluster.Core;
using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// monitor: 7, 0 or 8 from one status read, and the promotion score of a running instance. Every
// other action starts from the same read (Current).
public sealed partial class DrbdAgent
{
    public override OcfExitCode Monitor()
    {
        var state = Current();
        if (!state.Running)
        {
            if (!configChecked) CheckResourceInConfiguration(Config);
            // A probe that finds the resource stopped changes nothing (Pacemaker's advice);
            // a recurring monitor of a stopped instance takes its score away.
            if (!IsProbe) DeleteScore("the resource is not running");
            return OcfExitCode.NotRunning;
        }
        UpdateScore(state);
        return state.Code;
    }

    ResourceState Current()
    {
        if (!tools.ModuleLoaded) return new ResourceState(OcfExitCode.NotRunning, DrbdStatus.NotConfigured(Resource));
        DrbdStatus status;
        try { status = tools.Status(Resource, Deadline); }
        catch (DrbdToolException e) { throw OcfError.Generic($"cannot read the state of DRBD resource {Resource}: {ExceptionText.Describe(e)}"); }
        // A role word we do not know is no evidence either way: neither "stopped" nor "running".
        if (status.Role == DrbdRole.Unknown)
            throw OcfError.Generic($"DRBD reports a role for resource {Resource} that this agent does not know");
        if (!status.IsConfigured) return new ResourceState(OcfExitCode.NotRunning, status);
        // As ocf:linbit:drbd: without any device node (udev has not created them yet) the
        // resource does not count as running.
        var minors = status.Volumes.Where(v => v.Minor is not null).Select(v => $"/dev/drbd{v.Minor}").ToList();
        if (minors.Count > 0 && !minors.Any(tools.DeviceNodeExists))
            return new ResourceState(OcfExitCode.NotRunning, status);
        return new ResourceState(status.Role == DrbdRole.Primary ? OcfExitCode.RunningPromoted : OcfExitCode.Success, status);
    }

    /// <summary>StandAlone with a split-brain in the kernel log that no connection attempt followed.</summary>
    bool SplitBrainUnresolved(ResourceState state) =>
        state.Status.Connections.Any(c => c.State == DrbdConnectionState.StandAlone)
        && tools.SplitBrainUnresolved(Resource, state.Status.Volumes.Where(v => v.Minor is not null).Select(v => v.Minor!.Value));
}
