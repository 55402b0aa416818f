using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

// reload: the host calls it when only reloadable parameters (fake, passwd, op_sleep) changed.
public sealed partial class DummyAgent
{
    public override OcfExitCode Reload()
    {
        if (Running()) WriteState();
        LogReloaded(Log, Config.Fake);
        return OcfExitCode.Success;
    }
}
