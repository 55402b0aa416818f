using HaCluster.Agents.Drbd;
using HaCluster.Drbd;
using HaCluster.Testing;
using static HaCluster.Drbd.DrbdDiskState;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>LINBIT's promotion score table, case by case, on real 8.4 states and documented DRBD 9 ones.</summary>
public class PromotionScoreTests
{
    static DrbdSummary Real(string state) => Events2Parser.Parse(DrbdSamples.Drbd84(state, "events2"), "r0").Summarize();
    static DrbdSummary Nine(string name) => Events2Parser.Parse(DrbdSamples.Drbd9(name), "r0").Summarize();

    static ScoreDecision Decide(DrbdSummary s, PeerPrimaryPolicy policy = PeerPrimaryPolicy.Ignore, bool unfence = false, bool unexpected = false, ScoreTable? table = null) =>
        PromotionScore.Decide(s, table ?? ScoreTable.Default, policy, unfence, () => unexpected);

    [Theory]
    [InlineData("connected-secondary-inconsistent", ScoreAction.Delete, 0)]  // no access to good data
    [InlineData("syncsource-primary", ScoreAction.Set, 10000)]               // Primary, local UpToDate
    [InlineData("synctarget-secondary", ScoreAction.Set, 10)]                // only the peer is UpToDate
    [InlineData("connected-primary-uptodate", ScoreAction.Set, 10000)]
    [InlineData("connected-secondary-uptodate", ScoreAction.Set, 10000)]     // lab: 10000 for both nodes
    [InlineData("wfconnection-primary", ScoreAction.Set, 10000)]             // Primary: peer unknown does not matter
    [InlineData("standalone-secondary", ScoreAction.Set, 1000)]              // lab: LINBIT's agent set 1000 here
    [InlineData("splitbrain-primary-standalone", ScoreAction.Set, 10000)]
    public void Every_real_84_state(string state, ScoreAction action, long value)
    {
        var d = Decide(Real(state));
        (d.Action, d.Value).Should().Be((action, value), d.Why);
    }

    [Fact]
    public void No_quorum_deletes_the_score()
    {
        var d = Decide(Nine("secondary-no-quorum"));
        d.Action.Should().Be(ScoreAction.Delete);
        d.Why.Should().Be("no quorum");
    }

    [Fact]
    public void A_diskless_client_with_all_peers_UpToDate_gets_g_minus_1()
    {
        var d = Decide(Nine("diskless-client-secondary"));
        (d.Action, d.Value).Should().Be((ScoreAction.Set, 9999));
    }

    static DrbdStatus Client(DrbdRole role, params DrbdDiskState[] peerDisks) => new("r0", role,
        [new DrbdVolume(0, 0, Diskless) { IsClient = true }],
        peerDisks.Select((pd, i) => new DrbdConnection(i + 1, $"n{i + 1}", pd == DUnknown ? DrbdConnectionState.Connecting : DrbdConnectionState.Connected,
            pd == DUnknown ? DrbdRole.Unknown : DrbdRole.Secondary, [new DrbdPeerDevice(0, pd == DUnknown ? DrbdReplicationState.Off : DrbdReplicationState.Established, pd)])).ToList());

    [Fact]
    public void Diskless_client_cases()
    {
        Decide(Client(DrbdRole.Secondary, UpToDate, DUnknown).Summarize()).Value.Should().Be(999, "some peer UpToDate: l-1");
        Decide(Client(DrbdRole.Primary, UpToDate, DUnknown).Summarize()).Value.Should().Be(9999, "Primary with a good peer: g-1");
        Decide(Client(DrbdRole.Secondary, Outdated, DUnknown).Summarize()).Action.Should().Be(ScoreAction.Delete);
        Decide(Client(DrbdRole.Secondary).Summarize()).Action.Should().Be(ScoreAction.Delete, "no peer at all");
    }

    [Fact]
    public void A_Secondary_with_one_peer_unknown_gets_l()
    {
        Decide(Nine("secondary-one-peer-connecting")).Value.Should().Be(1000);
    }

    [Fact]
    public void A_peer_that_is_a_diskless_client_does_not_count_as_unknown_or_as_good_data()
    {
        var s = Nine("secondary-peer-is-diskless-client");
        (s.PeerDiskAnyUnknown, s.SomePeerAllUpToDate, s.PeerDisksAllUpToDate).Should().Be((false, true, true));
        Decide(s).Value.Should().Be(10000);
    }

    [Fact]
    public void A_disk_attaching_leaves_the_score_alone()
    {
        Decide(Nine("two-volumes-one-attaching")).Action.Should().Be(ScoreAction.Leave);
    }

    static DrbdSummary Local(DrbdRole role, DrbdDiskState disk, DrbdDiskState peer) => new DrbdStatus("r0", role, [new DrbdVolume(0, 0, disk)],
        [new DrbdConnection(0, null, DrbdConnectionState.Connected, DrbdRole.Secondary, [new DrbdPeerDevice(0, DrbdReplicationState.Established, peer)])]).Summarize();

    [Fact]
    public void Consistent_only_gets_c_which_by_default_is_no_score()
    {
        var s = Local(DrbdRole.Secondary, Consistent, Outdated);
        Decide(s).Action.Should().Be(ScoreAction.Delete, "0 is never written");
        (Decide(s, table: new ScoreTable(5, 10, 1000, 10000)).Action, Decide(s, table: new ScoreTable(5, 10, 1000, 10000)).Value).Should().Be((ScoreAction.Set, 5L));
    }

    [Theory]
    [InlineData(Outdated)]
    [InlineData(Failed)]
    [InlineData(Diskless)]
    [InlineData(Inconsistent)]
    [InlineData(Detaching)]
    [InlineData(DrbdDiskState.Unknown)]
    public void Local_disks_without_good_data_and_no_good_peer_get_no_score(DrbdDiskState disk)
    {
        Decide(Local(DrbdRole.Secondary, disk, Outdated)).Action.Should().Be(ScoreAction.Delete);
    }

    [Fact]
    public void The_adjusted_table_is_used()
    {
        var t = ScoreTable.Parse("1 2 3 4", out var problem);
        problem.Should().BeNull();
        Decide(Real("connected-secondary-uptodate"), table: t).Value.Should().Be(4);
        Decide(Real("standalone-secondary"), table: t).Value.Should().Be(3);
        Decide(Real("synctarget-secondary"), table: t).Value.Should().Be(2);
    }

    [Theory]
    [InlineData("", "Not enough adjust_master_score values (0 != 4)")]
    [InlineData("0 10 1000", "Not enough adjust_master_score values (3 != 4)")]
    [InlineData("0 10 1000 10000 20000", "Not enough adjust_master_score values (5 != 4)")]
    [InlineData("0 10 x 10000", "BAD adjust_master_score value 'x'")]
    [InlineData("0 -10 1000 10000", "BAD adjust_master_score value '-10'")]
    [InlineData("0 1000 10 10000", "BAD adjust_master_score value 1000 > 10")]
    [InlineData("0 10 1000 99999999999999999999", "BAD adjust_master_score value '99999999999999999999'")]
    public void Bad_score_lists_fall_back_to_the_defaults(string text, string problem)
    {
        ScoreTable.Parse(text, out var why).Should().Be(ScoreTable.Default);
        why.Should().Be(problem);
    }

    [Fact]
    public void Remove_if_peer_primary_true_deletes_while_connected_to_a_healthy_Primary()
    {
        var s = Real("connected-secondary-uptodate");
        Decide(s, PeerPrimaryPolicy.Remove).Action.Should().Be(ScoreAction.Delete);
        Decide(Real("synctarget-secondary"), PeerPrimaryPolicy.Remove).Action.Should().Be(ScoreAction.Delete);
        Decide(Real("connected-primary-uptodate"), PeerPrimaryPolicy.Remove).Value.Should().Be(10000, "a Primary keeps its score");
        Decide(Real("standalone-secondary"), PeerPrimaryPolicy.Remove).Value.Should().Be(1000, "no Primary peer seen");
    }

    [Fact]
    public void Remove_if_unexpected_asks_pacemaker_only_when_it_matters()
    {
        var s = Real("connected-secondary-uptodate");
        Decide(s, PeerPrimaryPolicy.RemoveIfUnexpected, unexpected: true).Action.Should().Be(ScoreAction.Delete);
        Decide(s, PeerPrimaryPolicy.RemoveIfUnexpected, unexpected: false).Value.Should().Be(10000);
        int asked = 0;
        PromotionScore.Decide(Real("standalone-secondary"), ScoreTable.Default, PeerPrimaryPolicy.RemoveIfUnexpected, false, () => { asked++; return true; });
        PromotionScore.Decide(s, ScoreTable.Default, PeerPrimaryPolicy.Ignore, false, () => { asked++; return true; });
        asked.Should().Be(0, "crm_resource --locate runs only for a Secondary that sees a healthy Primary");
    }

    [Fact]
    public void Unfence_only_as_Primary_with_every_peer_disk_UpToDate_and_when_asked()
    {
        Decide(Real("connected-primary-uptodate"), unfence: true).Unfence.Should().BeTrue();
        Decide(Real("connected-primary-uptodate"), unfence: false).Unfence.Should().BeFalse();
        Decide(Real("wfconnection-primary"), unfence: true).Unfence.Should().BeFalse();
        Decide(Real("connected-secondary-uptodate"), unfence: true).Unfence.Should().BeFalse();
    }
}
