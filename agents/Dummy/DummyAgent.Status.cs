using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

// monitor (and status, which answers as monitor does): running while the state file exists.
public sealed partial class DummyAgent
{
    public override OcfExitCode Monitor()
    {
        Pause();
        return Running() ? OcfExitCode.Success : OcfExitCode.NotRunning;
    }
}
