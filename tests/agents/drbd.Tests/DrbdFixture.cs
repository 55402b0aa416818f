using HaCluster.Agents.Drbd;
using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// Runs ocf:hacluster:drbd in-process through the real host against a <see cref="FakeDrbd"/>: a
/// two-node promotable clone with notify=true on node1, as Pacemaker 2.1 passes it, a manual
/// clock that only the agent's own pauses move, and a scripted runner for crm_resource.
/// </summary>
public abstract class DrbdFixture : IDisposable
{
    protected readonly TempDir Dir = new();
    protected readonly FakeDrbd Drbd = new();
    protected readonly ScriptedProcessRunner Processes = new();
    protected readonly RecordingCluster Cluster = new();
    protected readonly ManualClock Clock = new();
    protected readonly string Conf;
    readonly long clockStart;

    /// <summary>Parameters and meta attributes (without OCF_RESKEY_); a null value removes one.</summary>
    protected readonly Dictionary<string, string?> Params;

    protected DrbdFixture()
    {
        Conf = Dir["drbd.conf"];
        File.WriteAllText(Conf, "resource r0 { }\n");
        clockStart = Clock.GetTimestamp();
        Params = new()
        {
            ["drbd_resource"] = "r0",
            ["drbdconf"] = Conf,
            ["CRM_meta_clone_max"] = "2",
            ["CRM_meta_clone_node_max"] = "1",
            ["CRM_meta_promoted_max"] = "1",
            ["CRM_meta_promoted_node_max"] = "1",
            ["CRM_meta_master_max"] = "1",
            ["CRM_meta_master_node_max"] = "1",
            ["CRM_meta_notify"] = "true",
            ["CRM_meta_on_node"] = "node1",
        };
        // crm_resource --locate: Pacemaker knows no promoted instance unless a test says so.
        Processes.Answer = _ => ScriptedProcessRunner.Ok("");
    }

    public virtual void Dispose() => Dir.Dispose();

    /// <summary>Time the agent spent pausing (the manual clock moves only then).</summary>
    protected TimeSpan Elapsed => Clock.GetElapsedTime(clockStart);

    protected DrbdAgent NewAgent() => new((runner, options) => { Drbd.OptionsSeen.Add(options); return Drbd; });

    protected AgentResult Run(string action, params (string Key, string? Value)[] extra)
    {
        var invoker = new AgentInvoker { Processes = Processes, Cluster = Cluster, Clock = Clock }
            .With("HA_RSCTMP", Dir.Path).With("OCF_RESOURCE_INSTANCE", "drbd_r0");
        var all = new Dictionary<string, string?>(Params);
        foreach (var (k, v) in extra) all[k] = v;
        foreach (var (k, v) in all)
            if (v is not null) invoker.Param(k, v);
        // As Program.cs: a fresh agent for each part of the invocation (the halves of a restart).
        return invoker.Run(() => NewAgent(), action);
    }

    protected static (string, string?) P(string key, string? value) => (key, value);
    protected static readonly (string, string?) Recurring = ("CRM_meta_interval", "20000");

    /// <summary>The promotion score calls the agent made.</summary>
    protected IReadOnlyList<string> Scores => Cluster.Calls.Where(c => c.StartsWith("promotion", StringComparison.Ordinal)).ToList();
}
