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
        RemoveState(Config.StateFile);
        return OcfExitCode.Success;
    }

    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        // The state path is all a start wrote: when it is one a start could have used, a
        // resource started before another parameter went bad is still stopped. (The value is
        // null when binding refused it: nothing can be running under that.)
        if (state.Value is { Length: > 0 } path && validationFailure.Code is OcfExitCode.ErrConfigured or OcfExitCode.ErrArgs)
            RemoveState(path);
        return base.StopDespiteInvalidConfiguration(validationFailure);
    }
}
