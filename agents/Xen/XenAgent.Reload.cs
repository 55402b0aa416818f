using HaCluster.Ocf;

namespace HaCluster.Agents.Xen;

// reload: the host calls it when only reloadable parameters changed (all but xmfile and name).
public sealed partial class XenAgent
{
    public override OcfExitCode Reload()
    {
        // Every reloadable parameter is read when an action runs: nothing to apply now.
        LogReloaded(Log);
        return OcfExitCode.Success;
    }
}
