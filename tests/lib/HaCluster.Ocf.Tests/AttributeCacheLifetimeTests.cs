using HaCluster.Core;
using HaCluster.Ocf;
using HaCluster.Ocf.Cluster;
using HaCluster.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// The attribute cache is per node, but utilization lives in the CIB for the whole cluster: another
/// node or an administrator may have changed it since this node last wrote it. So the cluster-wide
/// entries are forgotten at start, migrate_from and stop, and the next write really runs.
/// </summary>
public sealed class AttributeCacheLifetimeTests : IDisposable
{
    readonly TempDir tmp = new();
    readonly ScriptedProcessRunner runner = new();
    public void Dispose() => tmp.Dispose();

    /// <summary>Writes its utilization and promotion score in every action, as VirtualDomain and drbd do.</summary>
    sealed class WritingAgent : ResourceAgent
    {
        public override string Name => "VirtualDomain";
        public override string ShortDescription => "s";
        public override string LongDescription => "l";
        public override IReadOnlyList<Parameter> Parameters => [];
        public override IReadOnlyList<ActionSpec> Actions =>
            [ActionSpec.Start(20), ActionSpec.Stop(20), ActionSpec.Monitor(20, 10), ActionSpec.MigrateTo(20), ActionSpec.MigrateFrom(20)];

        OcfExitCode Write()
        {
            Cluster.SetUtilization("cpu", "2");
            Cluster.SetPromotionScore(5);
            return OcfExitCode.Success;
        }

        public override OcfExitCode Start() => Write();
        public override OcfExitCode Stop() => Write();
        public override OcfExitCode Monitor() => Write();
        public override OcfExitCode MigrateTo() => Write();
        public override OcfExitCode MigrateFrom() => Write();
    }

    /// <summary>One agent process: a fresh attributes object over the same cache file, as the host builds it.</summary>
    int Run(string action)
    {
        var env = OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESOURCE_INSTANCE"] = "vm1" }, "/x/VirtualDomain");
        var invoker = new AgentInvoker
        {
            Cluster = new CrmAttributes(env, runner, Deadline.After(TimeSpan.FromSeconds(10)), NullLogger.Instance,
                new AttributeCache(tmp["hacluster-VirtualDomain-vm1.attributes"], () => "1:2:")),
        };
        int before = runner.Calls.Count;
        invoker.Run(new WritingAgent(), action).ExitCode.Should().Be(0);
        return runner.Calls.Count(c => c.Path.EndsWith("crm_resource", StringComparison.Ordinal)) - runner.Calls.Take(before).Count(c => c.Path.EndsWith("crm_resource", StringComparison.Ordinal));
    }

    [Fact]
    public void A_monitor_repeating_the_utilization_starts_no_tool()
    {
        Run("start");
        Run("monitor").Should().Be(0);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("migrate_from")]
    public void Start_stop_and_migrate_from_write_the_utilization_again(string action)
    {
        Run("start");
        Run("monitor");

        Run(action).Should().Be(1, "the CIB may hold another value by now, written by another node or an administrator");
        Run("monitor").Should().Be(0, "the value just written is cached again");
    }

    [Fact]
    public void The_promotion_score_stays_cached_it_is_this_nodes_own()
    {
        Run("start");
        int scores = runner.Calls.Count(c => c.Path.EndsWith("crm_attribute", StringComparison.Ordinal));

        Run("stop");

        runner.Calls.Count(c => c.Path.EndsWith("crm_attribute", StringComparison.Ordinal)).Should().Be(scores);
    }
}
