using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// The free-text parameters: an empty value gets the default, as LINBIT's ${X:=default} gives
/// it; a hostile value is data, passed literally or ignored, never run.
/// </summary>
public class ParameterValueTests : DrbdFixture
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

    [Theory]
    [InlineData("wfc_timeout", "$(touch /tmp/hacluster-drbd-y)")]
    [InlineData("wfc_timeout", "5;reboot")]
    [InlineData("adjust_master_score", "0 10 $(reboot) 10000")]
    [InlineData("remove_master_score_if_peer_primary", "`reboot`")]
    [InlineData("unfence_extra_args", "--quiet; touch /tmp/hacluster-drbd-y")]
    [InlineData("unfence_extra_args", "é ü ß 日本")]
    public void Start_and_monitor_treat_them_as_words(string parameter, string value)
    {
        Run("start", P(parameter, value)).ExitCode.Should().Be(0);
        Run("monitor", P(parameter, value), Recurring).ExitCode.Should().Be(0);
        Drbd.Commands.Should().OnlyContain(c => !c.Contains("reboot") && !c.Contains("touch"));
        File.Exists("/tmp/hacluster-drbd-y").Should().BeFalse();
    }

    [Fact]
    public void A_4_KiB_wfc_timeout_of_digits_is_capped_by_the_deadline()
    {
        Run("start", P("wfc_timeout", new string('9', 4096))).ExitCode.Should().Be(0);
        Drbd.Commands.Single(c => c.StartsWith("wait-connect")).Should().Be("wait-connect /dev/drbd0 233", "240 s less the 2 s margin and the 5 s reserve");
    }

    [Fact]
    public void Unfence_extra_args_reach_the_hook_unchanged()
    {
        Drbd.Running(DrbdRole.Primary);
        Run("monitor", P("unfence_if_all_uptodate", "true"), P("unfence_extra_args", "--a $(b) ;c"), Recurring).ExitCode.Should().Be(8);
        Drbd.Commands.Should().Equal("unfence-peer r0 [--a $(b) ;c]");
    }
}
