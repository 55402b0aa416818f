using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

/// <summary>
/// ocf:hacluster:Dummy, the reference agent: it keeps a state file and nothing else, like
/// ocf:pacemaker:Dummy, and shows what every agent inherits from the library. It is also the
/// template of an agent's shape (README, "Writing an agent"): this file holds the constructor
/// and its seams, the state of one invocation and <see cref="Validate"/>; the other partial
/// files hold the meta-data (DummyAgent.MetaData.cs), one family of actions each
/// (StartStop, Status, Migration, Reload) and every log message (DummyAgent.Log.cs).
/// </summary>
public sealed partial class DummyAgent : ResourceAgent
{
    /// <summary>
    /// Dummy touches nothing but its state file, so it takes no seams. An agent that talks to a
    /// daemon, a kernel or a tool takes here what tests replace, each parameter defaulting to the
    /// real thing. Time is never such a parameter: every wait is a sleep on the action's
    /// <see cref="ResourceAgent.Deadline"/>, whose clock the host supplies (a test passes a manual
    /// clock to its AgentInvoker).
    /// </summary>
    public DummyAgent() { }

    /// <summary>The configuration of this invocation, as <see cref="Validate"/> found it.</summary>
    DummyConfiguration Config => config ?? throw new InvalidOperationException("the Dummy agent has not been validated");
    DummyConfiguration? config;

    /// <summary>
    /// Checks the parameters and returns them as one immutable record: the host calls this before
    /// every action but meta-data and usage, with the values that action is to use (a reload that
    /// restarts the resource validates the old values before its stop).
    /// </summary>
    public override void Validate() => config = ValidConfiguration();

    DummyConfiguration ValidConfiguration()
    {
        if (state.Value.Length == 0)
            throw OcfError.Configured("parameter 'state' is empty");
        // Host-specific checks belong to validate-all at depth 10, as in ocf:pacemaker:Dummy.
        if (Action == "validate-all" && CheckLevel >= 10 && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(state.Value))))
            throw OcfError.Args($"the directory of state file {SafeText.Quote(state.Value)} does not exist");
        return new DummyConfiguration(state.Value, fake.Value, opSleep.Value);
    }

    // What several action families share.

    /// <summary>The state file: written atomically, read without following a link or blocking on a FIFO.</summary>
    StateFile State => new(Config.StateFile, rscTmp: Env.RscTmp);

    /// <summary>
    /// Running while a regular file is at the state path. Its content does not matter: the shell
    /// agent touches an empty file, and a resource it started must still be found when only the
    /// provider changes. A failed start of ours leaves no file at all (the write is atomic), and a
    /// link, FIFO or directory at the path is not a state anyone's start wrote.
    /// </summary>
    bool Running() => State.ReadOrNull() is not null;

    void WriteState()
    {
        try
        {
            State.Write(Config.Fake + "\n");
        }
        catch (FileException e)
        {
            throw OcfError.Args($"cannot write state file {SafeText.Quote(Config.StateFile)}: {e.Cause}");
        }
    }

    void RemoveState()
    {
        try
        {
            State.Delete();
        }
        catch (FileException e) when (e.Problem == FileProblem.NotRegularFile)
        {
            // A directory at the path was never a state of ours: nothing of ours is running.
        }
        catch (FileException e)
        {
            throw OcfError.Generic($"cannot remove state file {SafeText.Quote(Config.StateFile)}: {e.Cause}");
        }
    }

    /// <summary>op_sleep, but never past the deadline: Pacemaker would kill us there.</summary>
    void Pause()
    {
        if (Config.OpSleep <= TimeSpan.Zero) return;
        if (!Deadline.Sleep(Config.OpSleep))
            throw OcfError.Generic($"op_sleep of {Config.OpSleep.TotalSeconds:0.###} s does not fit in the {Action} timeout");
    }
}
