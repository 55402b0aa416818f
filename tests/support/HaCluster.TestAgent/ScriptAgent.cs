using HaCluster.Core.Processes;
using HaCluster.Ocf;

namespace HaCluster.TestAgent;

/// <summary>
/// start: starts <c>detached</c> (if given) as a detached program, then runs <c>script</c> to
/// its end under the action's deadline, then fails if <c>fail</c> is true. Both through
/// /bin/sh -c: process trees of any shape, for tests.
/// </summary>
public sealed class ScriptAgent : ResourceAgent
{
    readonly StringParameter script = new("script", "Script", "Run by start, to its end.");
    readonly StringParameter detached = new("detached", "Detached script", "Started detached by start.");
    readonly BooleanParameter fail = new("fail", "Fail", "Make start fail after the scripts.") { Default = false };

    public override string Name => "TestAgent";
    public override string ShortDescription => "Runs scripts, for tests";
    public override string LongDescription => "Runs the shell scripts it is given, for tests of process handling.";
    public override IReadOnlyList<Parameter> Parameters => [script, detached, fail];
    public override IReadOnlyList<ActionSpec> Actions => [ActionSpec.Start(20), ActionSpec.Stop(20), ActionSpec.Monitor(20, 10), ActionSpec.MetaData(5)];

    public override OcfExitCode Start()
    {
        if (detached.Value.Length > 0) Processes.StartDetached(new ProcessSpec("/bin/sh", "-c", detached.Value));
        if (script.Value.Length > 0)
        {
            var r = Processes.Run(new ProcessSpec("/bin/sh", "-c", script.Value), Deadline);
            if (!r.Succeeded) throw OcfError.Generic("the script " + r.Describe());
        }
        if (fail.Value) throw OcfError.Generic("failing as asked");
        return OcfExitCode.Success;
    }

    public override OcfExitCode Stop() => OcfExitCode.Success;
    public override OcfExitCode Monitor() => OcfExitCode.NotRunning;
}
