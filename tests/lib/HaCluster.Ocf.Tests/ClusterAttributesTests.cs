using System.Xml.Linq;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Cluster;
using HaCluster.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// <see cref="CrmAttributes"/>: which Pacemaker tool runs with which arguments, and when a write
/// is skipped because the value did not change (lib/HaCluster.Ocf/README.md, "Cluster attributes
/// and the attribute cache").
/// </summary>
public sealed class ClusterAttributesTests : IDisposable
{
    readonly TempDir tmp = new();
    readonly ScriptedProcessRunner runner = new();
    readonly Dictionary<string, string> env = new()
    {
        ["OCF_RESOURCE_INSTANCE"] = "vm1",
    };
    int incarnationLookups;

    public void Dispose() => tmp.Dispose();

    string CacheFile => tmp["hacluster-VirtualDomain-vm1.attributes"];

    /// <summary>One agent process: a fresh CrmAttributes and cache object over the same cache file.</summary>
    CrmAttributes Attributes(string incarnation = "1234:5678:") =>
        new(OcfEnvironment.FromDictionary(env, "/usr/lib/ocf/resource.d/hacluster/VirtualDomain"), runner,
            Deadline.After(TimeSpan.FromSeconds(10)), NullLogger.Instance,
            new AttributeCache(CacheFile, () => { incarnationLookups++; return incarnation; }));

    static readonly ProcessResult NoCib = ScriptedProcessRunner.Exit(102, "Could not connect to the CIB: Transport endpoint is not connected\n");

    IEnumerable<string> Commands => runner.Calls.Select(c => c.Path + " " + string.Join(' ', c.Arguments));

    // ---------------------------------------------------------------- promotion scores

    [Fact]
    public void SetPromotionScore_runs_crm_attribute_promotion_lifetime_reboot_update()
    {
        var result = Attributes().SetPromotionScore(10);

        result.Should().Be(AttributeWrite.Done);
        runner.Calls.Should().ContainSingle();
        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_attribute");
        runner.Calls[0].Arguments.Should().Equal("--promotion=vm1", "--lifetime=reboot", "--update=10");
    }

    [Fact]
    public void A_negative_promotion_score_is_written_in_invariant_digits()
    {
        Attributes().SetPromotionScore(-2000);

        runner.Calls[0].Arguments.Should().Equal("--promotion=vm1", "--lifetime=reboot", "--update=-2000");
    }

    [Fact]
    public void DeletePromotionScore_runs_crm_attribute_promotion_delete()
    {
        Attributes().DeletePromotionScore().Succeeded.Should().BeTrue();

        runner.Calls.Should().ContainSingle();
        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_attribute");
        runner.Calls[0].Arguments.Should().Equal("--promotion=vm1", "--lifetime=reboot", "--delete");
    }

    [Fact]
    public void GetPromotionScore_queries_quietly_and_returns_the_value()
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok("100\n");

        var read = Attributes().GetPromotionScore();

        read.Found.Should().BeTrue();
        read.Value.Should().Be("100");
        runner.Calls[0].Arguments.Should().Equal("--promotion=vm1", "--lifetime=reboot", "--query", "--quiet");
    }

    [Fact]
    public void GetPromotionScore_of_another_node_adds_the_node()
    {
        Attributes().GetPromotionScore("node2");

        runner.Calls[0].Arguments.Should().Equal("--promotion=vm1", "--lifetime=reboot", "--query", "--quiet", "--node=node2");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("(null)\n")]
    public void An_empty_query_answer_means_absent(string stdout)
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok(stdout);

        var read = Attributes().GetPromotionScore();

        read.Succeeded.Should().BeTrue();
        read.Found.Should().BeFalse();
        read.Value.Should().BeNull();
    }

    [Fact]
    public void A_query_answered_with_105_means_absent()
    {
        runner.Answer = _ => ScriptedProcessRunner.Exit(105, "crm_attribute: Error performing operation: No such device or address\n");

        var read = Attributes().GetPromotionScore();

        read.Should().Be(AttributeRead.Absent);
    }

    [Fact]
    public void A_query_without_a_cluster_fails_and_says_so()
    {
        runner.Answer = _ => NoCib;

        var read = Attributes().GetPromotionScore();

        read.Succeeded.Should().BeFalse();
        read.Error.Should().Contain("cluster is not running").And.Contain("Could not connect to the CIB");
    }

    [Fact]
    public void Without_OCF_RESOURCE_INSTANCE_the_resource_type_names_the_attribute()
    {
        env.Remove("OCF_RESOURCE_INSTANCE");

        Attributes().SetPromotionScore(5);

        runner.Calls[0].Arguments[0].Should().Be("--promotion=VirtualDomain");
    }

    // ---------------------------------------------------------------- node attributes

    [Fact]
    public void SetNodeAttribute_defaults_to_lifetime_forever_on_this_node()
    {
        Attributes().SetNodeAttribute("site", "A").Should().Be(AttributeWrite.Done);

        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_attribute");
        runner.Calls[0].Arguments.Should().Equal("--type=nodes", "--name=site", "--lifetime=forever", "--update=A");
    }

    [Fact]
    public void SetNodeAttribute_with_node_and_lifetime_reboot()
    {
        Attributes().SetNodeAttribute("drbd-state", "UpToDate", "node2", AttributeLifetime.Reboot);

        runner.Calls[0].Arguments.Should().Equal("--type=nodes", "--name=drbd-state", "--lifetime=reboot", "--update=UpToDate", "--node=node2");
    }

    [Fact]
    public void GetNodeAttribute_queries_quietly()
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok("A\n");

        var read = Attributes().GetNodeAttribute("site", "node2", AttributeLifetime.Reboot);

        read.Value.Should().Be("A");
        runner.Calls[0].Arguments.Should().Equal("--type=nodes", "--name=site", "--lifetime=reboot", "--query", "--quiet", "--node=node2");
    }

    [Fact]
    public void A_node_attribute_update_answered_with_105_is_a_failure()
    {
        // crm_attribute: Could not map name=nosuchnode to a UUID
        runner.Answer = _ => ScriptedProcessRunner.Exit(105, "crm_attribute: Error performing operation: No such device or address\n");

        var write = Attributes().SetNodeAttribute("site", "A", "nosuchnode");

        write.Succeeded.Should().BeFalse();
        write.Error.Should().Contain("105");
    }

    // ---------------------------------------------------------------- utilization

    [Fact]
    public void SetUtilization_runs_crm_resource_utilization_set_parameter()
    {
        Attributes().SetUtilization("hv_memory", "2048").Should().Be(AttributeWrite.Done);

        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_resource");
        runner.Calls[0].Arguments.Should().Equal("--resource=vm1", "--utilization", "--set-parameter=hv_memory", "--parameter-value=2048");
    }

    [Fact]
    public void DeleteUtilization_runs_crm_resource_utilization_delete_parameter()
    {
        Attributes().DeleteUtilization("hv_memory").Succeeded.Should().BeTrue();

        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_resource");
        runner.Calls[0].Arguments.Should().Equal("--resource=vm1", "--utilization", "--delete-parameter=hv_memory");
    }

    [Fact]
    public void A_utilization_update_answered_with_105_is_a_failure_and_not_cached()
    {
        // crm_resource: Resource 'vm1' not found / Error performing operation: No such object
        runner.Answer = _ => ScriptedProcessRunner.Exit(105, "crm_resource: Resource 'vm1' not found\n");

        Attributes().SetUtilization("cpu", "2").Succeeded.Should().BeFalse();
        Attributes().SetUtilization("cpu", "2").Skipped.Should().BeFalse();

        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void A_delete_answered_with_105_by_an_older_Pacemaker_counts_as_done()
    {
        runner.Answer = _ => ScriptedProcessRunner.Exit(105);

        Attributes().DeleteUtilization("cpu").Should().Be(AttributeWrite.Done);
        Attributes().DeletePromotionScore().Should().Be(AttributeWrite.Done);
    }

    // ---------------------------------------------------------------- HA_SBIN_DIR

    [Fact]
    public void Every_tool_runs_from_a_custom_HA_SBIN_DIR()
    {
        env["HA_SBIN_DIR"] = "/opt/pacemaker/sbin";
        var attributes = Attributes();

        attributes.SetPromotionScore(1);
        attributes.GetPromotionScore();
        attributes.SetNodeAttribute("a", "b");
        attributes.SetUtilization("cpu", "1");
        attributes.LocalNodeName();

        runner.Calls.Select(c => c.Path).Should().Equal(
            "/opt/pacemaker/sbin/crm_attribute", "/opt/pacemaker/sbin/crm_attribute", "/opt/pacemaker/sbin/crm_attribute",
            "/opt/pacemaker/sbin/crm_resource", "/opt/pacemaker/sbin/crm_node");
    }

    [Fact]
    public void An_empty_HA_SBIN_DIR_means_usr_sbin()
    {
        env["HA_SBIN_DIR"] = "";

        Attributes().SetPromotionScore(1);

        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_attribute");
    }

    // ---------------------------------------------------------------- writes that repeat the last value

    [Fact]
    public void Writing_the_same_promotion_score_twice_starts_one_process()
    {
        var attributes = Attributes();

        attributes.SetPromotionScore(10).Should().Be(AttributeWrite.Done);
        attributes.SetPromotionScore(10).Should().Be(AttributeWrite.Unchanged);

        runner.Calls.Should().ContainSingle();
    }

    [Fact]
    public void The_last_value_is_remembered_across_agent_processes_of_the_same_incarnation()
    {
        Attributes().SetUtilization("cpu", "4");
        var second = Attributes().SetUtilization("cpu", "4");

        second.Skipped.Should().BeTrue();
        second.Succeeded.Should().BeTrue();
        runner.Calls.Should().ContainSingle();
        File.Exists(CacheFile).Should().BeTrue();
    }

    [Fact]
    public void A_different_value_is_written_again()
    {
        Attributes().SetPromotionScore(10);
        Attributes().SetPromotionScore(20).Should().Be(AttributeWrite.Done);
        Attributes().SetPromotionScore(10).Should().Be(AttributeWrite.Done);

        Commands.Should().Equal(
            "/usr/sbin/crm_attribute --promotion=vm1 --lifetime=reboot --update=10",
            "/usr/sbin/crm_attribute --promotion=vm1 --lifetime=reboot --update=20",
            "/usr/sbin/crm_attribute --promotion=vm1 --lifetime=reboot --update=10");
    }

    [Fact]
    public void A_failed_write_is_reported_and_not_cached()
    {
        runner.Answer = _ => NoCib;

        var first = Attributes().SetPromotionScore(10);

        first.Succeeded.Should().BeFalse();
        first.Skipped.Should().BeFalse();
        first.Error.Should().Contain("cluster is not running").And.Contain("102");

        runner.Answer = _ => ScriptedProcessRunner.Ok("");
        Attributes().SetPromotionScore(10).Should().Be(AttributeWrite.Done);
        runner.Calls.Should().HaveCount(2, "the failed write did not count as written");
    }

    [Fact]
    public void After_a_failed_change_the_old_value_is_written_again()
    {
        Attributes().SetUtilization("cpu", "4");
        runner.Answer = _ => NoCib;
        Attributes().SetUtilization("cpu", "8").Succeeded.Should().BeFalse();
        runner.Answer = _ => ScriptedProcessRunner.Ok("");

        // Whether 8 reached the CIB is unknown: 4 must be written, not assumed.
        Attributes().SetUtilization("cpu", "4").Should().Be(AttributeWrite.Done);
        runner.Calls.Should().HaveCount(3);
    }

    [Fact]
    public void A_timed_out_write_is_a_failure_and_not_cached()
    {
        runner.Answer = _ => new ProcessResult(ProcessOutcome.TimedOut, -1, 9, "", "", TimeSpan.FromSeconds(5));

        var write = Attributes().SetPromotionScore(10);

        write.Succeeded.Should().BeFalse();
        write.Error.Should().Contain("did not finish");
        Attributes().SetPromotionScore(10);
        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void After_the_incarnation_changes_the_same_value_is_written_again()
    {
        Attributes("1234:5678:").SetPromotionScore(10);
        Attributes("1234:5678:").SetPromotionScore(10).Skipped.Should().BeTrue();

        // pacemaker-execd restarted (another PID or start time): its transient attributes are gone.
        Attributes("4321:9999:").SetPromotionScore(10).Should().Be(AttributeWrite.Done);

        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void Delete_after_set_runs_and_a_second_delete_is_skipped()
    {
        Attributes().SetPromotionScore(10);

        Attributes().DeletePromotionScore().Should().Be(AttributeWrite.Done);
        Attributes().DeletePromotionScore().Should().Be(AttributeWrite.Unchanged);

        Commands.Should().Equal(
            "/usr/sbin/crm_attribute --promotion=vm1 --lifetime=reboot --update=10",
            "/usr/sbin/crm_attribute --promotion=vm1 --lifetime=reboot --delete");
    }

    [Fact]
    public void Set_after_delete_runs()
    {
        Attributes().DeleteUtilization("cpu");

        Attributes().SetUtilization("cpu", "2").Should().Be(AttributeWrite.Done);

        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void Each_utilization_attribute_and_the_promotion_score_are_cached_separately()
    {
        var a = Attributes();

        a.SetUtilization("cpu", "2");
        a.SetUtilization("hv_memory", "2");
        a.SetPromotionScore(2);
        a.SetUtilization("cpu", "2").Skipped.Should().BeTrue();
        a.SetUtilization("hv_memory", "2").Skipped.Should().BeTrue();
        a.SetPromotionScore(2).Skipped.Should().BeTrue();

        runner.Calls.Should().HaveCount(3);
    }

    [Fact]
    public void Node_attribute_writes_always_run()
    {
        // Not cached: other nodes' agents and the administrator change node attributes too.
        Attributes().SetNodeAttribute("site", "A");
        Attributes().SetNodeAttribute("site", "A");

        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void An_unwritable_cache_only_costs_the_optimisation()
    {
        File.WriteAllText(tmp["not-a-directory"], "");
        var attributes = new CrmAttributes(OcfEnvironment.FromDictionary(env), runner, Deadline.After(TimeSpan.FromSeconds(10)),
            NullLogger.Instance, new AttributeCache(Path.Combine(tmp["not-a-directory"], "sub", "x.attributes"), () => "i"));

        attributes.SetPromotionScore(1).Should().Be(AttributeWrite.Done);
        new CrmAttributes(OcfEnvironment.FromDictionary(env), runner, Deadline.After(TimeSpan.FromSeconds(10)),
            NullLogger.Instance, new AttributeCache(Path.Combine(tmp["not-a-directory"], "sub", "x.attributes"), () => "i"))
            .SetPromotionScore(1).Should().Be(AttributeWrite.Done);

        runner.Calls.Should().HaveCount(2);
    }

    [Fact]
    public void Reads_and_the_node_name_never_look_up_the_incarnation()
    {
        var a = Attributes();

        a.GetPromotionScore();
        a.GetNodeAttribute("site");
        a.LocalNodeName();
        a.SetNodeAttribute("site", "A");

        incarnationLookups.Should().Be(0, "the parent's /proc entry is read only when a cached write needs it");
    }

    // ---------------------------------------------------------------- the local node's name

    [Fact]
    public void LocalNodeName_is_CRM_meta_on_node_without_starting_a_process()
    {
        env["OCF_RESKEY_CRM_meta_on_node"] = "node7";

        Attributes().LocalNodeName().Should().Be("node7");

        runner.Calls.Should().BeEmpty();
    }

    [Fact]
    public void LocalNodeName_otherwise_asks_crm_node_n()
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok("node3\n");

        Attributes().LocalNodeName().Should().Be("node3");

        runner.Calls.Should().ContainSingle();
        runner.Calls[0].Path.Should().Be("/usr/sbin/crm_node");
        runner.Calls[0].Arguments.Should().Equal("-n");
    }

    [Theory]
    [InlineData(102, "")]
    [InlineData(0, "")]
    [InlineData(0, "  \n")]
    public void LocalNodeName_is_null_when_crm_node_cannot_tell(int exitCode, string stdout)
    {
        runner.Answer = _ => new ProcessResult(ProcessOutcome.Exited, exitCode, 0, stdout, "", TimeSpan.Zero);

        Attributes().LocalNodeName().Should().BeNull();
    }

    // ---------------------------------------------------------------- the cache's incarnation

    [Fact]
    public void The_incarnation_is_pid_start_time_and_CIB_file()
    {
        int pid = Environment.ProcessId;
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string startTime = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]; // field 22

        AttributeCache.CurrentIncarnation(pid, null).Should().Be($"{pid}:{startTime}:");
        AttributeCache.CurrentIncarnation(pid, "/tmp/cib.xml").Should().Be($"{pid}:{startTime}:/tmp/cib.xml");
    }

    [Fact]
    public void The_incarnation_of_a_vanished_process_has_no_start_time()
    {
        AttributeCache.CurrentIncarnation(int.MaxValue, null).Should().Be($"{int.MaxValue}:?:");
    }
}

/// <summary>
/// <see cref="CrmAttributes"/> against the real pacemaker-cli-utils tools, on an offline CIB
/// (CIB_file) in a temporary directory: nothing here touches a live cluster.
/// </summary>
public sealed class ClusterAttributesRealToolTests : IDisposable
{
    readonly TempDir tmp = new();
    readonly string cibFile;
    readonly CibFileRunner runner;
    readonly string localNode = File.ReadAllText("/proc/sys/kernel/hostname").Trim();

    public ClusterAttributesRealToolTests()
    {
        cibFile = tmp["cib.xml"];
        // crm_feature_set must not exceed the tools' own (3.16.1 for Pacemaker 2.1.5): a CIB that
        // claims 3.16.2 can be read but every update is refused ("Protocol violated", exit 76).
        // The status section holds a node_state for this host: promotion scores (lifetime reboot)
        // are transient attributes, and offline crm_attribute maps "this node" through uname -n.
        File.WriteAllText(cibFile, $"""
            <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration><crm_config/>
                <nodes><node id="1" uname="node1"/><node id="2" uname="{localNode}"/></nodes>
                <resources><primitive id="vm1" class="ocf" provider="heartbeat" type="VirtualDomain">
                  <utilization id="vm1-u"><nvpair id="vm1-u-cpu" name="cpu" value="1"/>
                    <nvpair id="vm1-u-hm" name="host_memory" value="128"/><nvpair id="vm1-u-hv" name="hv_memory" value="128"/>
                  </utilization></primitive></resources>
                <constraints/></configuration>
              <status><node_state id="2" uname="{localNode}"/></status></cib>
            """);
        runner = new CibFileRunner(new ProcessRunner(), cibFile);
    }

    public void Dispose() => tmp.Dispose();

    CrmAttributes Attributes(string instance = "vm1", string cacheIncarnation = "real") =>
        new(OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESOURCE_INSTANCE"] = instance }), runner,
            Deadline.After(TimeSpan.FromSeconds(10)), NullLogger.Instance,
            new AttributeCache(tmp[$"{instance}.attributes"], () => cacheIncarnation));

    XDocument Cib => XDocument.Load(cibFile);

    IEnumerable<XElement> Utilization(string name) =>
        Cib.Descendants("primitive").Single(p => (string?)p.Attribute("id") == "vm1")
            .Elements("utilization").Elements("nvpair").Where(n => (string?)n.Attribute("name") == name);

    IEnumerable<XElement> NodeAttribute(string uname, string name) =>
        Cib.Descendants("nodes").Elements("node").Single(n => (string?)n.Attribute("uname") == uname)
            .Elements("instance_attributes").Elements("nvpair").Where(n => (string?)n.Attribute("name") == name);

    IEnumerable<XElement> TransientAttribute(string uname, string name) =>
        Cib.Descendants("node_state").Single(n => (string?)n.Attribute("uname") == uname)
            .Descendants("nvpair").Where(n => (string?)n.Attribute("name") == name);

    [Fact]
    public void SetUtilization_changes_an_existing_utilization_attribute_in_the_CIB()
    {
        Attributes().SetUtilization("cpu", "4").Should().Be(AttributeWrite.Done);

        Utilization("cpu").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("4");
        Utilization("hv_memory").Single().Attribute("value")!.Value.Should().Be("128", "the other attributes stay");
    }

    [Fact]
    public void SetUtilization_adds_set_again_and_delete_a_new_attribute()
    {
        Attributes().SetUtilization("gpu", "1").Should().Be(AttributeWrite.Done);
        Utilization("gpu").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("1");

        Attributes().SetUtilization("gpu", "2").Should().Be(AttributeWrite.Done);
        Utilization("gpu").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("2");

        Attributes().DeleteUtilization("gpu").Should().Be(AttributeWrite.Done);
        Utilization("gpu").Should().BeEmpty();
        runner.Calls.Should().HaveCount(3);
    }

    [Fact]
    public void Setting_the_same_utilization_again_starts_no_tool()
    {
        Attributes().SetUtilization("cpu", "3");
        long epochAfterFirst = (long)Cib.Root!.Attribute("epoch")!;

        Attributes().SetUtilization("cpu", "3").Should().Be(AttributeWrite.Unchanged);

        runner.Calls.Should().ContainSingle();
        ((long)Cib.Root!.Attribute("epoch")!).Should().Be(epochAfterFirst);
    }

    [Fact]
    public void Deleting_an_absent_utilization_attribute_succeeds()
    {
        Attributes().DeleteUtilization("never-set").Should().Be(AttributeWrite.Done);

        runner.Calls.Should().ContainSingle();
    }

    [Fact]
    public void SetUtilization_of_a_resource_missing_from_the_CIB_fails()
    {
        var write = Attributes(instance: "ghost").SetUtilization("cpu", "1");

        write.Succeeded.Should().BeFalse();
        write.Error.Should().Contain("ghost");
        Cib.Descendants("primitive").Should().ContainSingle("nothing was added");
    }

    [Fact]
    public void A_node_attribute_with_lifetime_forever_is_set_read_and_changed_offline()
    {
        var attributes = Attributes();

        attributes.SetNodeAttribute("site", "A", "node1").Should().Be(AttributeWrite.Done);
        NodeAttribute("node1", "site").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("A");
        attributes.GetNodeAttribute("site", "node1").Value.Should().Be("A");

        attributes.SetNodeAttribute("site", "B", "node1").Should().Be(AttributeWrite.Done);
        NodeAttribute("node1", "site").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("B");
    }

    [Fact]
    public void A_node_attribute_without_a_node_goes_to_this_host()
    {
        Attributes().SetNodeAttribute("rack", "r7").Should().Be(AttributeWrite.Done);

        NodeAttribute(localNode, "rack").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("r7");
        NodeAttribute("node1", "rack").Should().BeEmpty();
    }

    [Fact]
    public void An_absent_node_attribute_reads_as_absent()
    {
        var read = Attributes().GetNodeAttribute("nothing-here", "node1");

        read.Succeeded.Should().BeTrue();
        read.Found.Should().BeFalse();
    }

    [Fact]
    public void A_node_attribute_for_a_node_missing_from_the_CIB_fails()
    {
        var write = Attributes().SetNodeAttribute("site", "A", "no-such-node");

        write.Succeeded.Should().BeFalse();
        Cib.Descendants("nvpair").Where(n => (string?)n.Attribute("name") == "site").Should().BeEmpty();
    }

    [Fact]
    public void The_promotion_score_is_set_read_and_deleted_as_a_transient_attribute_of_this_host()
    {
        var attributes = Attributes();

        attributes.SetPromotionScore(10).Should().Be(AttributeWrite.Done);
        TransientAttribute(localNode, "master-vm1").Should().ContainSingle().Which.Attribute("value")!.Value.Should().Be("10");
        attributes.GetPromotionScore().Value.Should().Be("10");
        attributes.GetPromotionScore(localNode).Value.Should().Be("10");

        attributes.DeletePromotionScore().Should().Be(AttributeWrite.Done);
        TransientAttribute(localNode, "master-vm1").Should().BeEmpty();
        attributes.GetPromotionScore().Should().Be(AttributeRead.Absent);
    }

    [Fact]
    public void The_promotion_score_of_a_node_without_status_reads_as_absent()
    {
        Attributes().GetPromotionScore("node1").Should().Be(AttributeRead.Absent);
    }

    /// <summary>Sends every tool to the offline CIB through the spec's environment.</summary>
    sealed class CibFileRunner(IProcessRunner inner, string cibFile) : IProcessRunner
    {
        public List<ProcessSpec> Calls { get; } = [];

        public bool IsInstalled(string path) => inner.IsInstalled(path);

        public ProcessResult Run(ProcessSpec spec, Deadline deadline)
        {
            Calls.Add(spec);
            var environment = new Dictionary<string, string?>(spec.Environment ?? new Dictionary<string, string?>())
            {
                ["CIB_file"] = cibFile,
                ["CIB_shadow"] = null,
            };
            return inner.Run(spec with { Environment = environment }, deadline);
        }

        public int StartDetached(ProcessSpec spec) => throw new NotSupportedException("no detached tools here");
    }
}
