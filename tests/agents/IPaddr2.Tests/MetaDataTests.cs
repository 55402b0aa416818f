namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>The meta-data: the parameters of ocf:heartbeat:IPaddr2 and the actions offered.</summary>
public class MetaDataTests : IPaddr2Fixture
{
    [Fact]
    public void Every_parameter_of_heartbeat_IPaddr2_is_declared()
    {
        string[] heartbeat = ["ip", "nic", "cidr_netmask", "broadcast", "iflabel", "lvs_support", "lvs_ipv6_addrlabel", "lvs_ipv6_addrlabel_value",
            "mac", "clusterip_hash", "unique_clone_address", "arp_interval", "arp_count", "arp_count_refresh", "arp_bg", "arp_sender",
            "send_arp_opts", "flush_routes", "run_arping", "nodad", "noprefixroute", "preferred_lft", "network_namespace"];
        new IPaddr2Agent().Parameters.Select(p => p.Name).Should().Contain(heartbeat);
    }

    [Fact]
    public void The_actions_are_those_of_a_primitive_with_reload_and_status()
    {
        var xml = Run("meta-data").Stdout;

        foreach (var action in new[] { "start", "stop", "status", "monitor", "reload", "meta-data", "validate-all" })
            xml.Should().Contain($"<action name=\"{action}\"");
        xml.Should().NotContain("migrate_to").And.NotContain("promote").And.NotContain("notify");
    }

    [Fact]
    public void Ip_is_the_one_required_parameter()
    {
        var xml = Run("meta-data").Stdout;

        xml.Should().Contain("<parameter name=\"ip\" required=\"1\" unique=\"1\">");
        System.Text.RegularExpressions.Regex.Matches(xml, "required=\"1\"").Should().ContainSingle();
    }
}
