using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

// What the agent is: its name, descriptions, parameters and actions. Each parameter is declared
// once, here; the declaration feeds parsing, validation, the meta-data and the man page.
public sealed partial class DummyAgent
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
}
