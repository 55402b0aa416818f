using HaCluster.Agents.Dummy;
using HaCluster.Testing;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>
/// Runs ocf:hacluster:Dummy in-process through the real host: HA_RSCTMP in a temporary
/// directory, instance d1, and a manual clock, so op_sleep takes no time and can be measured.
/// </summary>
public abstract class DummyFixture : IDisposable
{
    protected readonly TempDir Dir = new();
    protected readonly ManualClock Clock = new();

    public virtual void Dispose() => Dir.Dispose();

    protected AgentInvoker Invoker() =>
        new AgentInvoker { Clock = Clock }.With("HA_RSCTMP", Dir["rsc"]).With("OCF_RESOURCE_INSTANCE", "d1");

    /// <summary>Runs <paramref name="action"/> with the default parameters.</summary>
    protected AgentResult Run(string action) => Invoker().Run(new DummyAgent(), action);

    /// <summary>The default state file: HA_RSCTMP/Dummy-INSTANCE.state.</summary>
    protected string StateFile => Path.Combine(Dir["rsc"], "Dummy-d1.state");
}
