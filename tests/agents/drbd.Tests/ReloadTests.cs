using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// reload: adjust a running resource and recompute its score; a stopped one is a failure. No
/// parameter of drbd needs a restart: every one but drbd_resource is applied by reload, and
/// drbd_resource is unique, so Pacemaker restarts for it itself (the host never does).
/// </summary>
public class ReloadTests : DrbdFixture
{
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

    /// <summary>A new value for each parameter reload applies, one a start accepts.</summary>
    public static TheoryData<string, string> ReloadableChanges => new()
    {
        { "drbdconf", "other.conf" },
        { "adjust_master_score", "1 2 3 4" },
        { "stop_outdates_secondary", "true" },
        { "ignore_missing_notifications", "true" },
        { "wfc_timeout", "7" },
        { "remove_master_score_if_peer_primary", "unexpected" },
        { "fail_promote_early_if_peer_primary", "true" },
        { "unfence_if_all_uptodate", "true" },
        { "unfence_extra_args", "--quiet" },
        { "require_drbd_module_version_ge", "8.4.0" },
        { "require_drbd_module_version_lt", "9.9.9" },
        { "connect_only_after_promote", "true" },
    };

    [Fact]
    public void Every_parameter_but_the_unique_drbd_resource_is_reloadable_so_no_change_needs_a_restart()
    {
        var parameters = new DrbdAgent().Parameters;
        parameters.Where(p => !p.Reloadable).Select(p => p.Name).Should().Equal("drbd_resource");
        parameters.Single(p => p.Name == "drbd_resource").Unique.Should().BeTrue("Pacemaker restarts for a unique parameter itself");
        ReloadableChanges.Select(row => (string)row[0]).Should().BeEquivalentTo(parameters.Where(p => p.Reloadable).Select(p => p.Name));
    }

    [Theory, MemberData(nameof(ReloadableChanges))]
    public void A_reload_for_a_changed_parameter_never_restarts_the_resource(string parameter, string value)
    {
        if (parameter == "drbdconf")
        {
            value = Dir[value];
            File.WriteAllText(value, "resource r0 { }\n");
        }
        Run("start").ExitCode.Should().Be(0);
        Drbd.Calls.Clear();

        var r = Run("reload", P(parameter, value));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().NotContain("restart");
        Drbd.Commands.Should().Equal("adjust r0");
        Drbd.Configured.Should().BeTrue();
        if (parameter == "drbdconf") Drbd.OptionsSeen[^1].ConfigFile.Should().Be(value, "the adjust reads the new configuration");
    }
}
