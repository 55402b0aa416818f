using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>promote and demote: never without UpToDate data, exit 17, a Primary peer, bounded retries.</summary>
public class PromotionTests : DrbdFixture
{
    [Fact]
    public void Promote_of_an_UpToDate_Secondary_runs_primary_once()
    {
        Drbd.Running();
        Run("promote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("primary r0");
        Drbd.Role.Should().Be(DrbdRole.Primary);
        Elapsed.Should().Be(TimeSpan.Zero, "a successful promote does not wait");
    }

    [Fact]
    public void Exit_17_stops_the_retries_at_once()
    {
        Drbd.Running();
        Drbd.Results["primary"] = () => FakeDrbd.Fail(17, "State change failed: (-2) Need access to UpToDate data");
        var r = Run("promote");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("Refusing to be promoted to Primary without access to UpToDate data");
        Drbd.Commands.Should().Equal("primary r0");
        // The 15-second floor against tight recovery loops, and nothing more.
        Elapsed.Should().Be(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(DrbdDiskState.Inconsistent)]
    [InlineData(DrbdDiskState.Outdated)]
    [InlineData(DrbdDiskState.Diskless)]
    [InlineData(DrbdDiskState.Failed)]
    public void Promote_without_access_to_UpToDate_data_is_refused_without_trying(DrbdDiskState disk)
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Drbd.Disk = disk;
        var r = Run("promote");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be($"Refusing to be promoted to Primary without access to UpToDate data (local disk {disk}, peer disk DUnknown)");
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void A_SyncTarget_reading_from_its_UpToDate_peer_may_be_promoted()
    {
        Drbd.Running(DrbdRole.Secondary);
        Drbd.Disk = DrbdDiskState.Inconsistent;
        Drbd.PeerDisk = DrbdDiskState.UpToDate;
        Run("promote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("primary r0");
    }

    [Fact]
    public void Consistent_data_is_left_to_DRBD_which_fences_or_answers_17()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Drbd.Disk = DrbdDiskState.Consistent;
        Run("promote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("primary r0");
    }

    [Fact]
    public void Promote_of_a_stopped_resource_fails()
    {
        var r = Run("promote");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot promote a resource that was not started");
    }

    [Fact]
    public void A_promote_that_fails_once_is_retried()
    {
        Drbd.Running();
        int n = 0;
        Drbd.Results["primary"] = () => n++ == 0 ? FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config") : null;
        Run("promote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("primary r0", "primary r0");
        Elapsed.Should().Be(TimeSpan.Zero, "the second try follows the first at once, and a success is not followed by a pause");
    }

    [Fact]
    public void With_a_Primary_peer_Pacemaker_does_not_know_fail_early_gives_up_after_one_try()
    {
        Drbd.Running();
        Drbd.PeerRole = DrbdRole.Primary;
        Drbd.Results["primary"] = () => FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
        var r = Run("promote", P("fail_promote_early_if_peer_primary", "true"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("Peer node already/still Primary");
        Drbd.Commands.Should().Equal("primary r0");
        Scores.Should().Equal("promotion deleted");
        Processes.Calls.Select(c => c.ToString()).Should().Equal("crm_resource --resource drbd_r0 --locate");
    }

    [Fact]
    public void With_a_Primary_peer_promote_refuses_after_twenty_seconds_instead_of_at_the_deadline()
    {
        Drbd.Running();
        Drbd.PeerRole = DrbdRole.Primary;
        Drbd.Results["primary"] = () => FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
        var r = Run("promote", P("CRM_meta_timeout", "90000"), P("CRM_meta_notify_promote_uname", "node1"), P("CRM_meta_notify_master_uname", "node2"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("Refusing to promote: peer node2 is still Primary after 20 s and two primaries are not configured: drbdadm primary exited with status 11: State change failed: (-1) Multiple primaries not allowed by config (a peer is Primary and two primaries are not configured)");
        Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(20)).And.BeLessThan(TimeSpan.FromSeconds(25));
        Drbd.Commands.Count().Should().BeInRange(19, 22, "one try a second for twenty seconds");
    }

    [Fact]
    public void A_Primary_peer_Pacemaker_knows_about_is_named_in_the_refusal()
    {
        Drbd.Running();
        Drbd.PeerRole = DrbdRole.Primary;
        Drbd.Results["primary"] = () => FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
        Processes.Answer = _ => ScriptedProcessRunner.Ok("resource drbd_r0 is running on: node2 Master\n");
        var r = Run("promote", P("CRM_meta_timeout", "240000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().StartWith("Refusing to promote: peer node2 is still Primary after 20 s");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public void A_Primary_peer_that_died_is_waited_for_until_DRBD_declares_it_gone()
    {
        // Corosync noticed the death first; DRBD's keep-alive (ping-int 10 s) takes longer.
        Drbd.Running();
        Drbd.PeerRole = DrbdRole.Primary;
        int n = 0;
        Drbd.Results["primary"] = () =>
        {
            if (++n < 15) return FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
            Drbd.PeerConnected = false;
            return null;
        };
        Run("promote", P("CRM_meta_timeout", "90000")).ExitCode.Should().Be(0);
        Drbd.Role.Should().Be(DrbdRole.Primary);
        // One second between failed tries (none after the first); the promote ends as soon as
        // drbdadm primary succeeds: every second after that is a second more of the failover.
        Elapsed.Should().Be(TimeSpan.FromSeconds(13));
    }

    [Fact]
    public void A_peer_that_demotes_within_the_grace_lets_the_promote_succeed()
    {
        Drbd.Running();
        Drbd.PeerRole = DrbdRole.Primary;
        int n = 0;
        Drbd.Results["primary"] = () =>
        {
            if (++n < 4) return FakeDrbd.Fail(11, "State change failed: (-1) Multiple primaries not allowed by config");
            Drbd.PeerRole = DrbdRole.Secondary;
            return null;
        };
        Run("promote", P("CRM_meta_timeout", "90000")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().HaveCount(4);
    }

    [Fact]
    public void Connect_only_after_promote_connects_after_the_promotion()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("promote", P("connect_only_after_promote", "true"), P("CRM_meta_notify_start_uname", "node2")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("primary r0", "adjust r0 --peer=node2");
    }

    [Fact]
    public void Demote_runs_secondary_and_is_idempotent()
    {
        Drbd.Running(DrbdRole.Primary);
        Run("demote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("secondary r0");
        Run("demote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("secondary r0");
    }

    [Fact]
    public void A_demote_that_fails_once_ends_when_secondary_succeeds()
    {
        Drbd.Running(DrbdRole.Primary);
        int n = 0;
        Drbd.Results["secondary"] = () => n++ == 0 ? FakeDrbd.Fail(11, "State change failed: (-12) Device is held open by someone") : null;
        Run("demote").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("secondary r0", "secondary r0");
        Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_demote_that_keeps_failing_ends_before_the_timeout()
    {
        Drbd.Running(DrbdRole.Primary);
        Drbd.Results["secondary"] = () => FakeDrbd.Fail(11, "State change failed: (-12) Device is held open by someone");
        var r = Run("demote", P("CRM_meta_timeout", "90000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().StartWith("DRBD resource r0 is still Primary after the timeout: drbdadm secondary exited with status 11");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Demote_of_a_stopped_resource_fails()
    {
        var r = Run("demote");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot demote a resource that was not started");
    }
}
