using HaCluster.Testing;
using static HaCluster.Drbd.DrbdDiskState;

namespace HaCluster.Drbd.Tests;

/// <summary>The three status sources, read from the real DRBD 8.4 outputs and the documented DRBD 9 format.</summary>
public class ParserTests
{
    // state, role, disk, connection, peer role, replication, peer disk: what each REAL capture says.
    public static TheoryData<string, DrbdRole, DrbdDiskState, DrbdConnectionState, DrbdRole, DrbdReplicationState, DrbdDiskState> Real84 => new()
    {
        { "connected-secondary-inconsistent", DrbdRole.Secondary, Inconsistent, DrbdConnectionState.Connected, DrbdRole.Secondary, DrbdReplicationState.Established, Inconsistent },
        { "syncsource-primary", DrbdRole.Primary, UpToDate, DrbdConnectionState.Connected, DrbdRole.Secondary, DrbdReplicationState.SyncSource, Inconsistent },
        { "synctarget-secondary", DrbdRole.Secondary, Inconsistent, DrbdConnectionState.Connected, DrbdRole.Primary, DrbdReplicationState.SyncTarget, UpToDate },
        { "connected-primary-uptodate", DrbdRole.Primary, UpToDate, DrbdConnectionState.Connected, DrbdRole.Secondary, DrbdReplicationState.Established, UpToDate },
        { "connected-secondary-uptodate", DrbdRole.Secondary, UpToDate, DrbdConnectionState.Connected, DrbdRole.Primary, DrbdReplicationState.Established, UpToDate },
        { "wfconnection-primary", DrbdRole.Primary, UpToDate, DrbdConnectionState.Connecting, DrbdRole.Unknown, DrbdReplicationState.Off, DUnknown },
        { "standalone-secondary", DrbdRole.Secondary, UpToDate, DrbdConnectionState.StandAlone, DrbdRole.Unknown, DrbdReplicationState.Off, DUnknown },
        { "splitbrain-primary-standalone", DrbdRole.Primary, UpToDate, DrbdConnectionState.StandAlone, DrbdRole.Unknown, DrbdReplicationState.Off, DUnknown },
    };

    [Theory, MemberData(nameof(Real84))]
    public void Events2_of_every_real_84_state(string state, DrbdRole role, DrbdDiskState disk, DrbdConnectionState conn, DrbdRole peerRole, DrbdReplicationState repl, DrbdDiskState peerDisk)
    {
        var s = Events2Parser.Parse(DrbdSamples.Drbd84(state, "events2"), "r0");
        s.Role.Should().Be(role);
        s.IsConfigured.Should().BeTrue();
        s.Volumes.Should().ContainSingle().Which.Should().Be(new DrbdVolume(0, 0, disk));
        var c = s.Connections.Should().ContainSingle().Subject;
        c.PeerNodeId.Should().Be(0);
        c.State.Should().Be(conn);
        c.PeerRole.Should().Be(peerRole);
        c.PeerDevices.Should().ContainSingle().Which.Should().Be(new DrbdPeerDevice(0, repl, peerDisk));
    }

    [Theory, MemberData(nameof(Real84))]
    public void Proc_drbd_of_every_real_84_state_says_the_same(string state, DrbdRole role, DrbdDiskState disk, DrbdConnectionState conn, DrbdRole peerRole, DrbdReplicationState repl, DrbdDiskState peerDisk)
    {
        var proc = ProcDrbdParser.Parse(DrbdSamples.Drbd84(state, "proc"));
        proc.Version.Should().Be(new DrbdVersion(8, 4, 11));
        var m = proc.Minors.Should().ContainSingle().Subject;
        (m.Number, m.Role, m.Disk, m.PeerDisk).Should().Be((0, role, disk, peerDisk));
        // /proc/drbd prints "Unknown" for an unreachable peer's role, which is Unknown here too.
        m.PeerRole.Should().Be(peerRole);

        var s = ProcDrbdParser.ToStatus(proc, "r0", [0]);
        s.Role.Should().Be(role);
        s.Connections.Single().State.Should().Be(conn);
        s.Connections.Single().PeerDevices.Single().Replication.Should().Be(repl);
        // Both sources must lead to the same decisions.
        s.Summarize().Should().Be(Events2Parser.Parse(DrbdSamples.Drbd84(state, "events2"), "r0").Summarize());
    }

    [Fact]
    public void Proc_drbd_reads_the_sync_progress_and_the_out_of_sync_amount()
    {
        var source = ProcDrbdParser.Parse(DrbdSamples.Drbd84("syncsource-primary", "proc")).Minors.Single();
        source.OutOfSyncKiB.Should().Be(53208);
        source.SyncedPercent.Should().Be(25.0);
        var target = ProcDrbdParser.Parse(DrbdSamples.Drbd84("synctarget-secondary", "proc")).Minors.Single();
        (target.OutOfSyncKiB, target.SyncedPercent).Should().Be((61400L, 12.5));
        ProcDrbdParser.Parse(DrbdSamples.Drbd84("connected-primary-uptodate", "proc")).Minors.Single().SyncedPercent.Should().BeNull();
    }

    [Fact]
    public void A_down_resource_is_not_configured_in_events2_and_proc_drbd()
    {
        Events2Parser.Parse(DrbdSamples.Drbd84("down", "events2"), "r0").Should().Be(DrbdStatus.NotConfigured("r0"));
        var proc = ProcDrbdParser.Parse(DrbdSamples.Drbd84("down", "proc"));
        proc.Version.Should().Be(new DrbdVersion(8, 4, 11));
        proc.Minors.Should().BeEmpty();
        ProcDrbdParser.ToStatus(proc, "r0", [0]).IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Sh_status_of_the_real_connected_primary()
    {
        var s = ShStatusParser.Parse(DrbdSamples.Drbd84("connected-primary-uptodate", "sh-status"), "r0");
        s.Role.Should().Be(DrbdRole.Primary);
        s.Volumes.Single().Should().Be(new DrbdVolume(0, 0, UpToDate));
        var c = s.Connections.Single();
        (c.State, c.PeerRole).Should().Be((DrbdConnectionState.Connected, DrbdRole.Secondary));
        c.PeerDevices.Single().Should().Be(new DrbdPeerDevice(0, DrbdReplicationState.Established, UpToDate));
        s.Summarize().Should().Be(Events2Parser.Parse(DrbdSamples.Drbd84("connected-primary-uptodate", "events2"), "r0").Summarize());
    }

    [Fact]
    public void Sh_status_in_drbdsetup_84s_exact_layout_with_an_unconfigured_minor()
    {
        // The layout of drbdsetup_84.c's sh_status_scmd: one assignment per line, blank lines
        // between groups, "_known=NA # not available or not yet created" for a minor not created.
        var text = "_minor=0\n_res_name=my\\=res\n_volume=0\n_known=Configured\n\n_cstate=WFConnection\n_role=Secondary\n_peer=Unknown\n" +
                   "_disk=UpToDate\n_pdsk=DUnknown\n\n_flags_susp=\n_flags_aftr_isp=\n_flags_peer_isp=\n_flags_user_isp=\n\n_resynced_percent=\n\n_sh_status_process\n\n\n" +
                   "_minor=1\n_res_name=my\\=res\n_volume=-1\n_known=NA # not available or not yet created\n\n_cstate=Unconfigured\n_role=\n_peer=\n_disk=\n_pdsk=\n" +
                   "_flags_susp=\n_flags_aftr_isp=\n_flags_peer_isp=\n_flags_user_isp=\n_resynced_percent=\n\n_sh_status_process\n\n\n";
        var s = ShStatusParser.Parse(text, "my=res");
        s.Role.Should().Be(DrbdRole.Secondary);
        // The minor not yet created stays in (volume 1<<16), as in the shell agent, and keeps
        // the resource from counting as all UpToDate.
        s.Volumes.Should().Equal(new DrbdVolume(0, 0, UpToDate), new DrbdVolume(1 << 16, 1, Unconfigured));
        var c = s.Connections.Single();
        (c.State, c.PeerRole, c.PeerDevices[0].PeerDisk).Should().Be((DrbdConnectionState.Connecting, DrbdRole.Unknown, DUnknown));
        var sum = s.Summarize();
        (sum.PeerDiskAnyUnknown, sum.DiskAllUpToDate, sum.DiskAllConsistent).Should().Be((true, false, true));

        var down = "_minor=0\n_res_name=r0\n_volume=0\n_known=Unconfigured\n\n_cstate=Unconfigured\n_role=\n_peer=\n_disk=\n_pdsk=\n_resynced_percent=\n\n_sh_status_process\n\n\n";
        ShStatusParser.Parse(down, "r0").IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Sh_status_values_are_data_never_commands()
    {
        // The shell agent evals this output; a value that is a command stays a word here.
        var text = "_minor=0 _res_name=r0 _volume=0 _known=Configured _cstate=$(touch${IFS}/tmp/x) _role=Secondary;reboot _peer=`id` _disk=UpToDate _pdsk=DUnknown _sh_status_process";
        var s = ShStatusParser.Parse(text, "r0");
        s.Connections.Single().State.Should().Be(DrbdConnectionState.Unknown);
        s.Connections.Single().PeerRole.Should().Be(DrbdRole.Unknown);
        s.Role.Should().Be(DrbdRole.Secondary, "';' only separates words, as it separates assignments in the shell");
        File.Exists("/tmp/x").Should().BeFalse();
    }

    [Fact]
    public void Sh_status_carries_values_over_between_volumes_like_shell_variables_and_ignores_other_resources()
    {
        var text = """
            _minor=0 _res_name=r0 _volume=0 _known=Configured _cstate=SyncSource _role=Primary _peer=Secondary _disk=UpToDate _pdsk=Inconsistent _sh_status_process
            _minor=1 _res_name=r0 _volume=1 _disk=Consistent _sh_status_process
            _minor=2 _res_name=r9 _volume=0 _known=Configured _disk=Diskless _sh_status_process
            """;
        var s = ShStatusParser.Parse(text, "r0");
        s.Volumes.Should().Equal(new DrbdVolume(0, 0, UpToDate), new DrbdVolume(1, 1, Consistent));
        s.Connections.Single().PeerDevices.Should().Equal(
            new DrbdPeerDevice(0, DrbdReplicationState.SyncSource, Inconsistent), new DrbdPeerDevice(1, DrbdReplicationState.SyncSource, Inconsistent));
        ShStatusParser.Parse("", "r0").IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Events2_with_timestamps_is_read_too_and_other_verbs_are_ignored()
    {
        // The timestamped stream has "create"/"change" lines only: no "exists" listing, so no status.
        Events2Parser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData/drbd84/up-through-first-sync.events2-timestamps.txt")), "r0")
            .IsConfigured.Should().BeFalse();
        var stamped = string.Join('\n', DrbdSamples.Drbd84("connected-primary-uptodate", "events2").Split('\n')
            .Where(l => l.Length > 0).Select(l => "2026-11-22T03:37:38.934231+00:00 " + l));
        Events2Parser.Parse(stamped, "r0").Should().BeEquivalentTo(Events2Parser.Parse(DrbdSamples.Drbd84("connected-primary-uptodate", "events2"), "r0"));
    }

    [Fact]
    public void Events2_keeps_only_the_asked_resource_and_stops_at_the_end_marker()
    {
        var s = Events2Parser.Parse(DrbdSamples.Drbd9("two-resources"), "r0");
        s.Role.Should().Be(DrbdRole.Secondary, "the line after 'exists -' is not part of the listing");
        s.Volumes.Single().Should().Be(new DrbdVolume(0, 0, UpToDate));
        s.Connections.Single().PeerRole.Should().Be(DrbdRole.Primary);
        Events2Parser.Parse(DrbdSamples.Drbd9("two-resources"), "r1").Volumes.Single().Disk.Should().Be(Inconsistent);
        Events2Parser.Parse(DrbdSamples.Drbd9("two-resources"), "r2").IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Unknown_words_become_Unknown_and_count_as_not_good()
    {
        var s = Events2Parser.Parse(DrbdSamples.Drbd9("unknown-words"), "r0");
        s.Role.Should().Be(DrbdRole.Unknown);
        s.IsConfigured.Should().BeFalse("only Primary and Secondary are roles of a configured resource (the agent reports an Unknown role as a failure)");
        s.Volumes.Single().Disk.Should().Be(DrbdDiskState.Unknown);
        var c = s.Connections.Single();
        (c.State, c.PeerRole, c.PeerDevices.Single().Replication, c.PeerDevices.Single().PeerDisk)
            .Should().Be((DrbdConnectionState.Unknown, DrbdRole.Unknown, DrbdReplicationState.Unknown, DrbdDiskState.Unknown));
        var sum = s.Summarize();
        (sum.DiskAllUpToDate, sum.DiskAllConsistent, sum.SomePeerAllUpToDate, sum.PeerDiskAnyUnknown).Should().Be((false, false, false, true));
    }

    [Fact]
    public void Drbd9_documented_format_several_peers_clients_and_quorum()
    {
        var three = Events2Parser.Parse(DrbdSamples.Drbd9("primary-three-nodes-uptodate"), "r0");
        three.Connections.Select(c => (c.PeerNodeId, c.Name)).Should().Equal((1, "node2"), (2, "node3"));
        three.Volumes.Single().Should().Be(new DrbdVolume(0, 0, UpToDate) { IsClient = false, HasQuorum = true });

        var client = Events2Parser.Parse(DrbdSamples.Drbd9("diskless-client-secondary"), "r0");
        client.Volumes.Single().IsClient.Should().BeTrue();
        client.Summarize().DisklessClient.Should().BeTrue();

        Events2Parser.Parse(DrbdSamples.Drbd9("secondary-no-quorum"), "r0").Volumes.Single().HasQuorum.Should().BeFalse();
        Events2Parser.Parse(DrbdSamples.Drbd9("secondary-peer-is-diskless-client"), "r0").Connections[1].PeerDevices.Single().PeerIsClient.Should().BeTrue();
    }

    [Theory]
    [InlineData("8.4.11", 8, 4, 11)]
    [InlineData("9.2.12-1\n", 9, 2, 12)]
    [InlineData("8.4.11 (api:1/proto:86-101)", 8, 4, 11)]
    public void Versions_are_read_from_their_leading_numbers(string text, int a, int b, int c)
    {
        DrbdVersion.TryParse(text).Should().Be(new DrbdVersion(a, b, c));
        DrbdVersion.TryParse(text)!.Code.Should().Be(a << 16 | b << 8 | c);
    }

    [Theory]
    [InlineData("9.0")]
    [InlineData("9.0.0.1")]
    [InlineData(" 9.0.0")]
    [InlineData("v9.0.0")]
    [InlineData("9.0.300")]
    public void Version_limits_must_be_exactly_x_y_z(string text) => DrbdVersion.ParseExact(text).Should().BeNull();

    [Fact]
    public void Versions_compare_by_their_code()
    {
        (new DrbdVersion(8, 4, 11) < new DrbdVersion(9, 0, 0)).Should().BeTrue();
        (new DrbdVersion(8, 4, 11) >= new DrbdVersion(8, 0, 0)).Should().BeTrue();
        new DrbdVersion(8, 4, 6).HasEvents2.Should().BeFalse();
        new DrbdVersion(8, 4, 7).HasEvents2.Should().BeTrue();
    }
}

/// <summary>DRBD 9's status --json, in the documented format, against events2 of the same state.</summary>
public class StatusJsonTests
{
    static string Json(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "drbd9", name + ".status.json"));

    [Fact]
    public void Json_and_events2_of_the_same_state_give_the_same_status()
    {
        var json = StatusJsonParser.Parse(Json("secondary-one-peer-connecting"), "r0");
        var events2 = Events2Parser.Parse(DrbdSamples.Drbd9("secondary-one-peer-connecting"), "r0");
        json.Should().BeEquivalentTo(events2, o => o.WithStrictOrdering());
        json.Summarize().Should().Be(events2.Summarize());
    }

    [Fact]
    public void Json_of_another_resource_or_an_empty_list_is_not_configured()
    {
        StatusJsonParser.Parse(Json("secondary-one-peer-connecting"), "r1").IsConfigured.Should().BeFalse();
        StatusJsonParser.Parse("[]", "r0").IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Json_with_unknown_words_and_wrong_types_maps_to_Unknown()
    {
        var s = StatusJsonParser.Parse("""[{"name":"r0","role":"Kaiser","devices":[{"volume":"x","disk-state":7,"quorum":"maybe"}],"connections":[{"connection-state":"Warp","peer_devices":[{}]}]}]""", "r0");
        s.Role.Should().Be(DrbdRole.Unknown);
        s.Volumes.Single().Should().Be(new DrbdVolume(0, null, DrbdDiskState.Unknown));
        s.Connections.Single().State.Should().Be(DrbdConnectionState.Unknown);
        var act = () => StatusJsonParser.Parse("{\"name\":\"r0\"}", "r0");
        act.Should().Throw<FormatException>();
    }
}
