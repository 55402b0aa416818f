using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>The interface and prefix of an address: from nic and cidr_netmask, else from the routing table or a covering address.</summary>
public class InterfaceFinderTests : IPaddr2Fixture
{
    [Fact]
    public void Start_finds_nic_and_prefix_from_the_route()
    {
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Net.Calls.Should().Contain("add 203.0.113.10/24 dev 2 brd 203.0.113.255");
    }

    [Fact]
    public void Several_routes_to_one_prefix_on_one_interface_are_fine()
    {
        Net.WithRoute(2, "203.0.113.0/24", metric: 200).WithRoute(2, "203.0.113.0/24", metric: 300);
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Routes_to_one_prefix_on_two_interfaces_need_nic()
    {
        Net.WithRoute(3, "203.0.113.0/24", metric: 50);
        var r = Run("start", ("ip", "203.0.113.10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("routes to 203.0.113.10/24 exist on several interfaces (eth0, eth1); set 'nic' to choose one");
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth1")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void The_most_specific_route_wins()
    {
        Net.WithRoute(3, "203.0.113.0/26");
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.Should().Match<AddressInfo>(a => a.LinkIndex == 3 && a.PrefixLength == 26);
    }

    [Fact]
    public void Routes_through_a_gateway_and_the_default_route_do_not_count()
    {
        var r = Run("start", ("ip", "198.51.100.10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot determine the interface for 198.51.100.10: no route or address on this node covers it; set 'nic' and 'cidr_netmask'");
    }

    [Fact]
    public void A_noprefixroute_address_tells_the_subnet_when_no_route_does()
    {
        Net.WithAddress(3, "198.51.100.1/25", AddressFlags.NoPrefixRoute);
        Run("start", ("ip", "198.51.100.10")).ExitCode.Should().Be(0);
        Vip("198.51.100.10")!.Should().Match<AddressInfo>(a => a.LinkIndex == 3 && a.PrefixLength == 25);
    }

    [Fact]
    public void Loopback_addresses_come_from_the_local_table()
    {
        Run("start", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Vip("127.0.0.5")!.Should().Match<AddressInfo>(a => a.LinkIndex == 1 && a.PrefixLength == 8);
        Processes.Calls.Should().BeEmpty("nothing is announced on loopback");
    }

    [Fact]
    public void A_missing_nic_on_start_bans_the_node_only()
    {
        var r = Run("start", ("ip", "203.0.113.10"), ("nic", "eth9"));
        r.ExitCode.Should().Be(2);
        r.ExitReason.Should().Be("interface 'eth9' (parameter 'nic') does not exist on this node");
    }
}
