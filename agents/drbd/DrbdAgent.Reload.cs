using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// reload: every parameter but drbd_resource can change without a restart. The agent reads them
// at each action anyway; reload adjusts in case drbd.conf changed, and recomputes the score.
public sealed partial class DrbdAgent
{
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
}
