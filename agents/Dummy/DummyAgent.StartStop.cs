using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

// start and stop: both succeed when the resource already is where they would take it.
public sealed partial class DummyAgent
{
    public override OcfExitCode Start()
    {
        if (Running()) return OcfExitCode.Success;
        Pause();
        WriteState();
        return OcfExitCode.Success;
    }

    public override OcfExitCode Stop()
    {
        Pause();
        RemoveState();
        return OcfExitCode.Success;
    }
}
