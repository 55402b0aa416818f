using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>notify and reload.</summary>
public class NotifyReloadTests : AgentFixture
{
    static (string, string?)[] Notify(string type, string op, params (string, string?)[] more) =>
        [("CRM_meta_notify_type", type), ("CRM_meta_notify_operation", op), .. more];

    [Fact]
    public void A_start_notification_adjusts_towards_the_starting_peer()
    {
        Drbd.Running();
        Run("notify", Notify("pre", "start", ("CRM_meta_notify_start_uname", "node2"))).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("adjust r0 --peer=node2");
        Scores.Should().BeEmpty("a pre notification does not touch the score");
    }

    [Fact]
    public void A_post_start_notification_adjusts_but_leaves_the_score_to_the_monitor_as_LINBITs_case_does()
    {
        Drbd.Running();
        Run("notify", Notify("post", "start", ("CRM_meta_notify_start_uname", "node2"))).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("adjust r0 --peer=node2");
        Scores.Should().BeEmpty();
    }

    [Fact]
    public void A_start_notification_does_not_bring_up_a_stopped_instance()
    {
        Run("notify", Notify("pre", "start", ("CRM_meta_notify_start_uname", "node2"))).ExitCode.Should().Be(0);
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void Post_notifications_recompute_the_score()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("notify", Notify("post", "promote", ("CRM_meta_notify_promote_uname", "node2"))).ExitCode.Should().Be(0);
        Scores.Should().Equal("promotion=1000");
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void A_post_notification_with_the_peer_unreachable_outdates_a_Secondary_when_asked()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("notify", Notify("post", "promote", ("CRM_meta_notify_master_uname", "node2"), ("stop_outdates_secondary", "yes"))).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("outdate r0");
        Scores.Should().Equal("promotion=1000", "promotion deleted");
    }

    [Fact]
    public void Two_Primaries_without_a_link_are_logged_as_split_brain_not_outdated()
    {
        Drbd.Running(DrbdRole.Primary, connected: false);
        var r = Run("notify", Notify("post", "promote", ("CRM_meta_notify_master_uname", "node1 node2"), ("stop_outdates_secondary", "true")));
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("resource internal SPLIT BRAIN: both node1 and node2 are Primary for r0");
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void Notify_never_fails()
    {
        Drbd.Running();
        Drbd.StatusOverride = () => throw new DrbdToolException("drbdsetup events2 --now r0", FakeDrbd.Fail(20, "netlink"));
        var r = Run("notify", Notify("post", "demote"));
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("notify: cannot read the state of DRBD resource r0");
    }

    [Fact]
    public void Reload_adjusts_a_running_resource_and_recomputes_the_score()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("reload", P("adjust_master_score", "1 2 3 4")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("adjust r0");
        Scores.Should().ContainSingle().Which.Should().Be("promotion=4", "adjust connected the peer, so all peer disks are known");
    }

    [Fact]
    public void Reload_of_a_stopped_resource_fails_with_a_reason()
    {
        var r = Run("reload");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot reload DRBD resource r0: it is not running");
    }
}

/// <summary>Empty values get the defaults, as LINBIT's ${X:=default} gives them.</summary>
public class EmptyValueTests : AgentFixture
{
    [Fact]
    public void Empty_adjust_master_score_and_unfence_extra_args_are_the_defaults_without_complaint()
    {
        Drbd.Running(DrbdRole.Secondary);
        var r = Run("start", P("adjust_master_score", ""));
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().NotContain("adjust_master_score");
        Scores.Should().Equal("promotion=10000");

        Drbd.Running(DrbdRole.Primary);
        Run("monitor", P("unfence_extra_args", ""), P("unfence_if_all_uptodate", "1"), Recurring).ExitCode.Should().Be(8);
        Drbd.Commands.Should().Contain("unfence-peer r0 [--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match]");
    }
}
