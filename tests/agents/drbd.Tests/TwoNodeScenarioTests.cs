using HaCluster.Agents.Drbd;
using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// The lab's run of ocf:linbit:drbd, step by step (tests/integration/drbd/README.md,
/// "ocf:linbit:drbd step by step"), with two linked fake nodes: the same exit codes and promotion
/// scores are expected from this agent.
/// </summary>
public class TwoNodeScenarioTests : IDisposable
{
    sealed class Node(string name, TempDir dir)
    {
        public readonly FakeDrbd Drbd = new() { PeerName = name == "node1" ? "node2" : "node1" };
        public readonly RecordingCluster Cluster = new();
        public readonly ManualClock Clock = new();
        public readonly string Name = name;
        readonly string rsctmp = Directory.CreateDirectory(Path.Combine(dir.Path, name)).FullName;

        public string? Score => Cluster.Calls.LastOrDefault(c => c.StartsWith("promotion"))?.Replace("promotion=", "") is { } s
            ? (s == "promotion deleted" ? null : s) : null;

        public int Run(string action, params (string, string)[] extra)
        {
            var inv = new AgentInvoker { Processes = new ScriptedProcessRunner(), Cluster = Cluster, Clock = Clock }
                .With("HA_RSCTMP", rsctmp).With("OCF_RESOURCE_INSTANCE", "drbd_r0")
                .Param("drbd_resource", "r0").Param("drbdconf", confPath)
                .Param("CRM_meta_clone_max", "2").Param("CRM_meta_clone_node_max", "1")
                .Param("CRM_meta_master_max", "1").Param("CRM_meta_master_node_max", "1")
                .Param("CRM_meta_notify", "true").Param("CRM_meta_on_node", Name).Param("crm_feature_set", "3.16.2");
            foreach (var (k, v) in extra) inv.Param(k, v);
            // The agent's pauses move this node's clock: retries end at the deadline at once.
            var r = inv.Run(new DrbdAgent((_, _) => Drbd), action);
            return r.ExitCode;
        }

        public static string confPath = "";
    }

    readonly TempDir dir = new();
    readonly Node n1, n2;

    public TwoNodeScenarioTests()
    {
        Node.confPath = dir["drbd.conf"];
        File.WriteAllText(Node.confPath, "resource r0 { }\n");
        n1 = new Node("node1", dir);
        n2 = new Node("node2", dir);
        n1.Drbd.Peer = n2.Drbd;
        n2.Drbd.Peer = n1.Drbd;
    }

    public void Dispose() => dir.Dispose();

    static readonly (string, string) Recurring = ("CRM_meta_interval", "20000");

    [Fact]
    public void The_labs_sequence_gives_LINBITs_codes_and_scores()
    {
        n1.Run("monitor").Should().Be(7);
        n1.Score.Should().BeNull();

        n1.Run("start").Should().Be(0);
        n1.Score.Should().Be("1000", "the peer is not up yet: UpToDate, peer disk unknown");
        n2.Run("start").Should().Be(0);
        n2.Score.Should().Be("10000");
        n1.Run("monitor", Recurring).Should().Be(0);
        n1.Score.Should().Be("10000");

        n1.Run("notify", ("CRM_meta_notify_type", "pre"), ("CRM_meta_notify_operation", "promote"), ("CRM_meta_notify_promote_uname", "node1")).Should().Be(0);
        n2.Run("notify", ("CRM_meta_notify_type", "pre"), ("CRM_meta_notify_operation", "promote"), ("CRM_meta_notify_promote_uname", "node1")).Should().Be(0);
        n1.Run("promote").Should().Be(0);
        n1.Run("monitor", ("CRM_meta_interval", "10000"), ("CRM_meta_role", "Master")).Should().Be(8);
        n2.Run("monitor", Recurring).Should().Be(0);
        (n1.Score, n2.Score).Should().Be(("10000", "10000"));

        // node2: drbdadm disconnect r0
        n2.Drbd.PeerConnected = false;
        n1.Run("monitor", ("CRM_meta_interval", "10000"), ("CRM_meta_role", "Master")).Should().Be(8);
        n2.Run("monitor", Recurring).Should().Be(0);
        (n1.Score, n2.Score).Should().Be(("10000", "1000"));
        n2.Drbd.PeerConnected = true;

        n2.Run("promote").Should().Be(1, "node1 is Primary and two primaries are not configured");
        n1.Run("demote").Should().Be(0);
        n1.Run("stop").Should().Be(0);
        n2.Run("stop").Should().Be(0);
        (n1.Score, n2.Score).Should().Be((null, null));
        n1.Run("monitor").Should().Be(7);
        n1.Drbd.Configured.Should().BeFalse();
    }
}
