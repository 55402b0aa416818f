namespace HaCluster.Agents.Drbd.Tests;

/// <summary>crm_resource --locate: which other node runs the clone promoted.</summary>
public class LocateOutputTests
{
    [Theory]
    [InlineData("resource drbd_r0 is running on: node2 Master", "node2")]
    [InlineData("resource drbd_r0 is running on: node2 Promoted", "node2")]
    [InlineData("resource drbd_r0 is running on: node1 Master", null)]
    [InlineData("resource drbd_r0 is running on: NODE1 Master", null)]
    [InlineData("resource drbd_r0 is running on: node2", null)]
    [InlineData("", null)]
    public void Locate_output_names_the_promoted_peer(string output, string? peer) =>
        LocateOutput.PromotedPeer(output, "node1").Should().Be(peer);
}
