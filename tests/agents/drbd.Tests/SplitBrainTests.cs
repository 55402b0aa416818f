using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// A split-brain that DRBD detected and nobody resolved: StandAlone like any disconnect, told
/// apart only by the kernel log. The agent must not make such a Secondary promotable.
/// </summary>
public class SplitBrainTests : DrbdFixture
{
    static string Capture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "drbd84", name));

    [Fact]
    public void The_kernel_log_of_a_split_brain_in_the_UML_lab_is_unresolved_for_its_resource_and_minor()
    {
        var log = Capture("split-brain.dmesg.txt");
        SplitBrainLog.Unresolved(log, "r0", [0]).Should().BeTrue();
        SplitBrainLog.Unresolved(log, "r1", [1]).Should().BeFalse("another resource and minor");
    }

    [Fact]
    public void A_connect_after_the_split_brain_resolves_it()
    {
        SplitBrainLog.Unresolved(Capture("split-brain-resolved.dmesg.txt"), "r0", [0]).Should().BeFalse();
    }

    [Fact]
    public void A_new_split_brain_after_a_resolution_counts_again()
    {
        var log = Capture("split-brain-resolved.dmesg.txt") + "\n[  99.000000] block drbd0: Split-Brain detected but unresolved, dropping connection!\n";
        SplitBrainLog.Unresolved(log, "r0", [0]).Should().BeTrue();
    }

    [Theory]
    [InlineData("<3>[   33.550000] block drbd0: Split-Brain detected but unresolved, dropping connection!", true)]
    [InlineData("block drbd0: Split-Brain detected but unresolved, dropping connection!", true)]
    [InlineData("[ 1.0] drbd r0 node2: Split-Brain detected but unresolved, dropping connection!", true)]
    [InlineData("[ 1.0] drbd r0/0 drbd0 node2: Split-Brain detected but unresolved, dropping connection!", true)]
    [InlineData("[ 1.0] drbd r00: Split-Brain detected but unresolved, dropping connection!", false)]
    [InlineData("[ 1.0] block drbd10: Split-Brain detected but unresolved, dropping connection!", false)]
    [InlineData("[ 1.0] block drbd0: Split-Brain detected, 1 primaries, automatically solved. Sync from this node", false)]
    [InlineData("", false)]
    public void Message_forms_of_84_and_9(string log, bool unresolved) =>
        SplitBrainLog.Unresolved(log, "r0", [0]).Should().Be(unresolved);

    [Theory]
    [InlineData("[ 2.0] drbd r0: conn( StandAlone -> Unconnected )")]
    [InlineData("[ 2.0] drbd r0 node2: conn( StandAlone -> Unconnected ) [connect]")]
    public void A_connection_attempt_of_the_resource_ends_it(string reconnect) =>
        SplitBrainLog.Unresolved("[ 1.0] block drbd0: Split-Brain detected but unresolved, dropping connection!\n" + reconnect, "r0", [0]).Should().BeFalse();

    [Fact]
    public void Another_resource_reconnecting_does_not_end_it() =>
        SplitBrainLog.Unresolved("[ 1.0] block drbd0: Split-Brain detected but unresolved, dropping connection!\n[ 2.0] drbd r1: conn( StandAlone -> Unconnected )", "r0", [0]).Should().BeTrue();

    [Fact]
    public void The_Secondary_of_an_unresolved_split_brain_gets_no_promotion_score()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Drbd.SplitBrainLogged = true;
        var r = Run("monitor", Recurring);
        r.ExitCode.Should().Be(0);
        Scores.Should().Equal("promotion deleted");
        r.Stderr.Should().Contain("DRBD detected a split-brain and dropped the connection");
    }

    [Fact]
    public void The_Primary_of_an_unresolved_split_brain_keeps_its_score()
    {
        Drbd.Running(DrbdRole.Primary, connected: false);
        Drbd.SplitBrainLogged = true;
        Run("monitor", Recurring).ExitCode.Should().Be(8);
        Scores.Should().Equal("promotion=10000");
    }

    [Fact]
    public void A_plain_disconnect_is_scored_as_LINBIT_does()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Run("monitor", Recurring).ExitCode.Should().Be(0);
        Scores.Should().Equal("promotion=1000");
    }

    [Fact]
    public void Promote_of_the_split_brain_Secondary_is_refused_without_trying()
    {
        Drbd.Running(DrbdRole.Secondary, connected: false);
        Drbd.SplitBrainLogged = true;
        var r = Run("promote");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().StartWith("Refusing to promote: DRBD dropped the connection of r0 after a split-brain that is not resolved");
        Drbd.Commands.Should().BeEmpty();
    }
}
