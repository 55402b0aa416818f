using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>reload: adjust a running resource and recompute its score; a stopped one is a failure.</summary>
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
}
