using HaCluster.Core;
using HaCluster.Ocf;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Dummy;

/// <summary>
/// ocf:hacluster:Dummy, the reference agent: it keeps a state file and nothing else, like
/// ocf:pacemaker:Dummy, and shows what every agent inherits from the library.
/// </summary>
public sealed partial class DummyAgent : ResourceAgent
{
    public override string Name => "Dummy";
    public override string AgentVersion => "1.0";
    public override string ShortDescription => "Example stateless resource agent";
    public override string LongDescription => """
        This is a dummy OCF resource agent. It does nothing except keep track of whether it is
        running, in a state file. It is the reference agent of the hacluster provider: it shows
        the OCF behaviour every hacluster agent shares (deadlines, exit reasons, probes, logging,
        reload). Unlike ocf:pacemaker:Dummy, op_sleep never makes an action outlive its timeout:
        an action that would sleep past its deadline fails with an exit reason instead of being
        killed by Pacemaker.
        """;

    readonly StringParameter state = new("state", "State file", "Location to store the resource state in.")
    {
        Unique = true,
        DefaultFrom = env => Path.Combine(env.RscTmp, $"Dummy-{env.ResourceInstance ?? "Dummy"}.state"),
        DefaultDescription = "${HA_RSCTMP}/Dummy-${OCF_RESOURCE_INSTANCE}.state",
    };

    readonly StringParameter passwd = new("passwd", "Password", "Fake password field.")
    {
        Private = true,
        Reloadable = true,
    };

    readonly StringParameter fake = new("fake", "Fake attribute that can be changed to cause a reload",
        "Fake attribute that can be changed to cause a reload. Its value is written into the state file.")
    {
        Default = "dummy",
        Reloadable = true,
    };

    readonly SecondsParameter opSleep = new("op_sleep", "Operation sleep duration in seconds.",
        "Number of seconds to sleep during start, stop, monitor and migration. This can be used to see how the cluster reacts to slow operations.")
    {
        Reloadable = true,
    };

    public override IReadOnlyList<Parameter> Parameters => [state, passwd, fake, opSleep];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(20),
        ActionSpec.Stop(20),
        ActionSpec.Monitor(20, intervalSeconds: 10),
        ActionSpec.Reload(20),
        ActionSpec.MigrateTo(20),
        ActionSpec.MigrateFrom(20),
        ActionSpec.MetaData(5),
        ActionSpec.ValidateAll(20),
    ];

    public override void Validate()
    {
        if (state.Value.Length == 0)
            throw OcfError.Configured("parameter 'state' is empty");
        // Host-specific checks belong to validate-all at depth 10, as in ocf:pacemaker:Dummy.
        if (Action == "validate-all" && CheckLevel >= 10 && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(state.Value))))
            throw OcfError.Args($"the directory of state file {SafeText.Quote(state.Value)} does not exist");
    }

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
        if (Running()) File.Delete(state.Value);
        return OcfExitCode.Success;
    }

    public override OcfExitCode Monitor()
    {
        Pause();
        return Running() ? OcfExitCode.Success : OcfExitCode.NotRunning;
    }

    public override OcfExitCode Reload()
    {
        if (Running()) WriteState();
        LogReloaded(Log, fake.Value);
        return OcfExitCode.Success;
    }

    public override OcfExitCode MigrateTo()
    {
        LogMigratingTo(Log, Meta.MigrateTarget ?? "(unknown node)");
        return Stop();
    }

    public override OcfExitCode MigrateFrom()
    {
        LogMigratingFrom(Log, Meta.MigrateSource ?? "(unknown node)");
        return Start();
    }

    bool Running() => File.Exists(state.Value);

    void WriteState()
    {
        string path = state.Value;
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory == Env.RscTmp) StateFiles.EnsureDirectory(directory);
        try
        {
            File.WriteAllText(path, fake.Value + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OcfError.Args($"cannot write state file {SafeText.Quote(path)}: {e.Message}");
        }
    }

    /// <summary>op_sleep, but never past the deadline: Pacemaker would kill us there.</summary>
    void Pause()
    {
        if (opSleep.Value <= TimeSpan.Zero) return;
        if (!Deadline.Sleep(opSleep.Value))
            throw OcfError.Generic($"op_sleep of {opSleep.Value.TotalSeconds:0.###} s does not fit in the {Action} timeout");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrating to {Target}")]
    static partial void LogMigratingTo(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrating from {Source}")]
    static partial void LogMigratingFrom(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reloaded with fake={Fake}")]
    static partial void LogReloaded(ILogger logger, string fake);
}
