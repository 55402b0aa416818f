using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>monitor: 7 / 0 / 8, the score, and the cost of a steady-state monitor.</summary>
public class StatusTests : DrbdFixture
{
    [Fact]
    public void A_steady_state_monitor_runs_the_status_tool_and_nothing_else()
    {
        Drbd.Running(DrbdRole.Secondary);
        var r = Run("monitor", Recurring);
        r.ExitCode.Should().Be(0, r.Stderr);
        Drbd.Calls.Should().Equal("status r0");
        Processes.Calls.Should().BeEmpty("no crm_master, no drbdadm --version, no sh-dev, no crm_resource");
        Scores.Should().Equal("promotion=10000");
    }

    [Fact]
    public void A_Primary_monitors_8()
    {
        Drbd.Running(DrbdRole.Primary);
        Run("monitor", Recurring, P("CRM_meta_role", "Master")).ExitCode.Should().Be(8);
        Drbd.Calls.Should().Equal("status r0");
        Scores.Should().Equal("promotion=10000");
    }

    [Fact]
    public void A_StandAlone_UpToDate_Secondary_gets_1000_as_in_the_lab()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("monitor", Recurring).ExitCode.Should().Be(0);
        Scores.Should().Equal("promotion=1000");
    }

    [Fact]
    public void A_probe_of_a_stopped_resource_is_7_and_changes_no_score()
    {
        var r = Run("monitor");
        r.ExitCode.Should().Be(7);
        Scores.Should().BeEmpty();
        Drbd.Calls.Should().Equal("status r0", "sh-dev r0");
    }

    [Fact]
    public void A_recurring_monitor_of_a_stopped_resource_is_7_and_removes_the_score()
    {
        Run("monitor", Recurring).ExitCode.Should().Be(7);
        Scores.Should().Equal("promotion deleted");
    }

    [Fact]
    public void Without_the_module_the_resource_is_not_running()
    {
        Drbd.Loaded = false;
        Run("monitor").ExitCode.Should().Be(7);
        Drbd.Calls.Should().NotContain(c => c.StartsWith("status"));
    }

    [Fact]
    public void Without_device_nodes_the_resource_is_not_running_as_in_LINBITs_agent()
    {
        Drbd.Running();
        Drbd.DeviceNodes = false;
        Run("monitor", Recurring).ExitCode.Should().Be(7);
    }

    [Fact]
    public void A_failing_status_tool_is_a_failure_never_not_running()
    {
        Drbd.Running();
        Drbd.StatusOverride = () => throw new DrbdToolException("drbdsetup events2 --now r0", FakeDrbd.Fail(20, "Could not connect to 'drbd' generic netlink family"));
        foreach (var extra in new[] { Recurring, P("CRM_meta_interval", null) })
        {
            var r = Run("monitor", extra);
            r.ExitCode.Should().Be(1);
            r.ExitReason.Should().Be("cannot read the state of DRBD resource r0: drbdsetup events2 --now r0 exited with status 20: Could not connect to 'drbd' generic netlink family");
        }
    }

    [Fact]
    public void An_unknown_role_is_a_failure()
    {
        Drbd.StatusOverride = () => Events2Parser.Parse(DrbdSamples.Drbd9("unknown-words"), "r0");
        var r = Run("monitor", Recurring);
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Contain("role");
    }

    [Theory]
    [InlineData("connected-secondary-inconsistent", 0, "promotion deleted")]
    [InlineData("syncsource-primary", 8, "promotion=10000")]
    [InlineData("synctarget-secondary", 0, "promotion=10")]
    [InlineData("connected-primary-uptodate", 8, "promotion=10000")]
    [InlineData("connected-secondary-uptodate", 0, "promotion=10000")]
    [InlineData("wfconnection-primary", 8, "promotion=10000")]
    [InlineData("standalone-secondary", 0, "promotion=1000")]
    [InlineData("splitbrain-primary-standalone", 8, "promotion=10000")]
    [InlineData("down", 7, "promotion deleted")]
    public void Monitor_on_every_real_84_state(string state, int code, string score)
    {
        Drbd.StatusOverride = () => Events2Parser.Parse(DrbdSamples.Drbd84(state, "events2"), "r0");
        Run("monitor", Recurring).ExitCode.Should().Be(code);
        Scores.Should().Equal(score);
    }

    [Fact]
    public void Remove_if_unexpected_asks_crm_resource_once_when_a_healthy_peer_is_Primary()
    {
        Drbd.StatusOverride = () => Events2Parser.Parse(DrbdSamples.Drbd84("connected-secondary-uptodate", "events2"), "r0");
        Run("monitor", Recurring, P("remove_master_score_if_peer_primary", "unexpected")).ExitCode.Should().Be(0);
        Processes.Calls.Select(c => c.ToString()).Should().Equal("crm_resource --resource drbd_r0 --locate");
        Scores.Should().Equal("promotion deleted");

        Processes.Calls.Clear();
        Cluster.Calls.Clear();
        Processes.Answer = _ => ScriptedProcessRunner.Ok("resource drbd_r0 is running on: node2 Master\nresource drbd_r0 is running on: node1\n");
        Run("monitor", Recurring, P("remove_master_score_if_peer_primary", "unexpected")).ExitCode.Should().Be(0);
        Scores.Should().Equal("promotion=10000");
    }
}

/// <summary>
/// The steady-state monitor with the library's real cluster binding (crm_attribute through a
/// scripted runner, the score cache in a temp dir): the score is written once, then repeated
/// monitors start nothing but the status tool.
/// </summary>
public class SteadyStateCostTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Repeated_monitors_write_an_unchanged_score_once()
    {
        var drbd = new FakeDrbd().Running(DrbdRole.Secondary);
        File.WriteAllText(dir["drbd.conf"], "resource r0 { }\n");
        var processes = new ScriptedProcessRunner();
        var vars = new Dictionary<string, string>
        {
            ["OCF_ROOT"] = "/usr/lib/ocf", ["OCF_RESOURCE_INSTANCE"] = "drbd_r0", ["HA_RSCTMP"] = dir.Path, ["HA_SBIN_DIR"] = "/usr/sbin",
            ["OCF_RESKEY_drbd_resource"] = "r0", ["OCF_RESKEY_drbdconf"] = dir["drbd.conf"], ["OCF_RESKEY_CRM_meta_clone_max"] = "2",
            ["OCF_RESKEY_CRM_meta_interval"] = "20000", ["OCF_RESKEY_CRM_meta_on_node"] = "node1",
        };
        int Monitor()
        {
            var env = HaCluster.Ocf.OcfEnvironment.FromDictionary(vars);
            var services = new HaCluster.Ocf.HostServices
            {
                Environment = env,
                Stdout = _ => { },
                Stderr = _ => { },
                LogSinks = new RecordingSinks(),
                CreateProcessRunner = _ => processes,
                CreateCluster = (e, runner, deadline, log) => new HaCluster.Ocf.Cluster.CrmAttributes(e, runner, deadline, log,
                    new HaCluster.Ocf.Cluster.AttributeCache(HaCluster.Ocf.Cluster.AttributeCache.PathFor(e), () => "execd 4711 started 1")),
            };
            return HaCluster.Ocf.AgentHost.Run(new HaCluster.Agents.Drbd.DrbdAgent((_, _) => drbd), ["monitor"], services);
        }

        Monitor().Should().Be(0);
        processes.Calls.Select(c => c.ToString()).Should().Equal("crm_attribute --promotion=drbd_r0 --lifetime=reboot --update=10000");
        for (int i = 0; i < 3; i++) Monitor().Should().Be(0);
        processes.Calls.Should().HaveCount(1, "an unchanged score starts no process");
        drbd.StatusCalls.Should().Be(4, "one status tool per monitor, and nothing else");
        drbd.Calls.Should().OnlyContain(c => c == "status r0");

        drbd.PeerConnected = false;   // the peer goes away: 1000
        Monitor().Should().Be(0);
        processes.Calls.Select(c => c.ToString()).Last().Should().Be("crm_attribute --promotion=drbd_r0 --lifetime=reboot --update=1000");
    }
}
