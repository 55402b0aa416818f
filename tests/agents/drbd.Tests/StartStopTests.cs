using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>start and stop: LINBIT's sequences, bounded by the deadline.</summary>
public class StartStopTests : DrbdFixture
{
    static readonly (string, string?) PeerStarting = ("CRM_meta_notify_start_uname", "node1 node2");

    [Fact]
    public void Start_on_84_creates_attaches_connects_to_the_peer_and_waits()
    {
        var r = Run("start", PeerStarting);
        r.ExitCode.Should().Be(0, r.Stderr);
        Drbd.Commands.Should().Equal(
            "check-resize r0", "new-resource r0", "new-minor r0", "attach r0",
            "adjust r0 --peer=node2", "wait-connect /dev/drbd0 5");
        Scores.Should().Equal("promotion=10000");
        Processes.Calls.Should().BeEmpty("8.4 does not need crm_resource --locate");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData("", "wait-connect /dev/drbd0 5")]      // LINBIT's ${wfc_timeout:=5}: empty is the default
    [InlineData("abc", null)]
    [InlineData("5s", null)]
    [InlineData("12", "wait-connect /dev/drbd0 12")]
    [InlineData("0", "wait-connect /dev/drbd0 233")]   // DRBD's "forever" becomes the start's budget: 240 s less the 2 s margin and the 5 s reserve
    public void Wfc_timeout_digits_wait_other_words_do_not_and_empty_is_the_default(string value, string? wait)
    {
        Run("start", P("wfc_timeout", value)).ExitCode.Should().Be(0);
        var waits = Drbd.Commands.Where(c => c.StartsWith("wait-connect")).ToList();
        if (wait is null) waits.Should().BeEmpty();
        else waits.Should().Equal(wait);
    }

    [Fact]
    public void Start_on_9_connects_to_the_Primary_Pacemaker_knows_first()
    {
        Drbd.Version = new(9, 2, 12);
        Drbd.Configured = true;        // as after new-resource/new-minor on 9: configured Secondary
        Drbd.Attached = true;
        Drbd.PeerConnected = true;
        Drbd.PeerName = "node2";
        Processes.Answer = _ => ScriptedProcessRunner.Ok("resource drbd_r0 is running on: node2 Master\n");
        Run("start").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("adjust r0 to=node2", "wait-connect-connection r0 0 5", "adjust r0", "wait-connect-resource r0 5");
        Processes.Calls.Select(c => c.ToString()).Should().Equal("crm_resource --resource drbd_r0 --locate");
    }

    [Fact]
    public void Start_of_a_running_resource_only_adjusts()
    {
        Drbd.Running();
        Run("start").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("adjust r0", "wait-connect /dev/drbd0 5");
    }

    [Fact]
    public void Start_of_a_Primary_demotes_it_first()
    {
        Drbd.Running(DrbdRole.Primary);
        Run("start").ExitCode.Should().Be(0);
        Drbd.Commands.Should().StartWith("secondary r0");
        Drbd.Role.Should().Be(DrbdRole.Secondary);
    }

    [Fact]
    public void Connect_only_after_promote_leaves_the_resource_disconnected()
    {
        Run("start", P("connect_only_after_promote", "true")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().NotContain(c => c.StartsWith("adjust") || c.StartsWith("wait"));
        Scores.Should().ContainSingle().Which.Should().Be("promotion=1000", "StandAlone with UpToDate data");
    }

    [Fact]
    public void A_second_attach_failure_fails_the_start_at_once()
    {
        Drbd.Results["attach"] = () => FakeDrbd.Fail(10, "Failure: (114) Lower device is already claimed.");
        var r = Run("start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("failed to attach: exited with status 10: Failure: (114) Lower device is already claimed.");
        Drbd.Commands.Count(c => c == "attach r0").Should().Be(2);
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void An_attach_that_works_the_second_time_starts()
    {
        int n = 0;
        Drbd.Results["attach"] = () => n++ == 0 ? FakeDrbd.Fail(10, "busy") : null;
        Run("start").ExitCode.Should().Be(0);
        Drbd.Attached.Should().BeTrue();
    }

    [Fact]
    public void Start_loads_the_module_when_needed_and_fails_5_when_it_cannot()
    {
        Drbd.Loaded = false;
        Run("start").ExitCode.Should().Be(0);
        Drbd.Calls.Should().Contain("modprobe");

        Drbd.Loaded = false;
        Drbd.LoadModuleWorks = false;
        var r = Run("start");
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().StartWith("Cannot load the drbd module: modprobe exited with status 1");
    }

    [Fact]
    public void Device_nodes_that_never_appear_fail_the_start_within_its_timeout()
    {
        Drbd.DeviceNodes = false;
        var r = Run("start", P("CRM_meta_timeout", "30000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("expected device nodes did not appear (in time): /dev/drbd0");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_resource_that_cannot_be_created_fails_the_start()
    {
        Drbd.Results["new-minor"] = () => FakeDrbd.Fail(10, "Minor or volume exists already (delete it first)");
        var r = Run("start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Contain("cannot create the DRBD resource r0").And.Contain("Minor or volume exists already");
    }

    [Fact]
    public void Stop_demotes_a_Primary_downs_it_and_removes_the_score()
    {
        Drbd.Running(DrbdRole.Primary);
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("secondary r0", "down r0", "down r0");
        Drbd.Configured.Should().BeFalse();
        Scores.Should().Equal("promotion deleted");
    }

    [Fact]
    public void Stop_of_a_stopped_resource_downs_it_anyway_and_succeeds()
    {
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("down r0");
    }

    [Fact]
    public void A_down_that_keeps_failing_fails_the_stop_before_pacemaker_kills_it()
    {
        Drbd.Running(DrbdRole.Secondary);
        Drbd.Results["down"] = () => FakeDrbd.Fail(11, "State change failed: (-12) Device is held open by someone");
        var r = Run("stop", P("CRM_meta_timeout", "20000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("DRBD resource r0 could not be stopped within the timeout: drbdadm down exited with status 11: State change failed: (-12) Device is held open by someone");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Stop_outdates_a_Secondary_while_another_node_is_Primary_when_asked()
    {
        Drbd.Running(DrbdRole.Secondary);
        var master = P("CRM_meta_notify_master_uname", "node2");
        Run("stop", master).ExitCode.Should().Be(0);
        Drbd.Commands.Should().NotContain("outdate r0", "stop_outdates_secondary is off by default");

        Drbd.Running(DrbdRole.Secondary);
        Run("stop", master, P("stop_outdates_secondary", "true")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Contain("outdate r0");

        Drbd.Calls.Clear();
        Drbd.Running(DrbdRole.Secondary);
        Run("stop", master, P("stop_outdates_secondary", "true"), P("CRM_meta_notify_stop_uname", "node2")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().NotContain("outdate r0", "node2 is being stopped itself");
    }

    [Fact]
    public void Stop_without_the_module_loaded_runs_no_down()
    {
        Drbd.Loaded = false;
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void Stop_tries_down_even_when_the_status_cannot_be_read()
    {
        Drbd.Running();
        int n = 0;
        Drbd.StatusOverride = () => n++ == 0 ? throw new DrbdToolException("drbdsetup events2 --now r0", FakeDrbd.Fail(20, "netlink")) : DrbdStatus.NotConfigured("r0");
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().StartWith("down r0");
    }
}
