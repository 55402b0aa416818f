using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>notify: adjust towards a starting peer, recompute the score, outdate when asked, never fail.</summary>
public class NotifyTests : DrbdFixture
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
}
