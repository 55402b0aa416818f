using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network.Tests;

/// <summary>Routing tables of a namespace with va/vb up.</summary>
[Trait("Requires", "root")]
public sealed class RouteTests : IDisposable
{
    readonly TestNamespace ns = new([.. TestNamespace.Standard, "link set va up", "link set vb up"]);
    readonly int va, vb;

    public RouteTests()
    {
        try
        {
            va = ns.Index("va");
            vb = ns.Index("vb");
        }
        catch
        {
            ns.Dispose(); // xunit disposes only what it constructed
            throw;
        }
    }

    public void Dispose() => ns.Dispose();

    static IPAddress Ip(string s) => IPAddress.Parse(s);

    static string Cidr(RouteInfo r) => $"{r.Destination}/{r.DestinationLength}";

    [Fact]
    public void Connected_routes_of_addresses_appear_in_main()
    {
        var routes = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.10"), 24));
            return n.Routes(AddressFamily.InterNetwork);
        });

        routes.Should().ContainSingle(r => Cidr(r) == "198.51.100.0/24").Which.Should().BeEquivalentTo(new
        {
            Family = AddressFamily.InterNetwork, OutputLinkIndex = (int?)va, Gateway = (IPAddress?)null, PreferredSource = Ip("198.51.100.10"),
            Table = RouteTables.Main, Type = (byte)1, Protocol = (byte)2, Scope = (byte)253,
        });
        routes.Should().OnlyContain(r => r.Table == RouteTables.Main && r.Family == AddressFamily.InterNetwork);
        routes.Should().HaveCount(ns.Ip("-4", "route", "show", "table", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_static_route_has_its_metric()
    {
        ns.Ip("route", "add", "203.0.113.128/25", "dev", "va", "metric", "50");
        var route = ns.Run(n => n.Routes(AddressFamily.InterNetwork)).Single(r => Cidr(r) == "203.0.113.128/25");
        route.Metric.Should().Be(50);
        route.OutputLinkIndex.Should().Be(va);
        route.Protocol.Should().Be(3, "RTPROT_BOOT, as ip route add sets it");
        route.Scope.Should().Be(253);
        route.Type.Should().Be(1);
    }

    [Fact]
    public void Routes_to_one_prefix_on_two_links_with_different_metrics()
    {
        ns.Batch("route add 203.0.113.0/26 dev va metric 10", "route add 203.0.113.0/26 dev vb metric 20",
            "route add 2001:db8:9::/64 dev va metric 10", "route add 2001:db8:9::/64 dev vb metric 20");
        var v4 = ns.Run(n => n.Routes(AddressFamily.InterNetwork)).Where(r => Cidr(r) == "203.0.113.0/26");
        v4.Select(r => (r.OutputLinkIndex, r.Metric)).Should().BeEquivalentTo(new (int?, uint?)[] { (va, 10), (vb, 20) });
        var v6 = ns.Run(n => n.Routes(AddressFamily.InterNetworkV6)).Where(r => Cidr(r) == "2001:db8:9::/64");
        v6.Select(r => (r.OutputLinkIndex, r.Metric)).Should().BeEquivalentTo(new (int?, uint?)[] { (va, 10), (vb, 20) });
    }

    [Fact]
    public void An_address_with_noprefixroute_adds_no_route()
    {
        var (v4, v6) = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("203.0.113.10"), 24) { Flags = AddressFlags.NoPrefixRoute });
            n.AddAddress(new AddressRequest(va, Ip("2001:db8:5::1"), 64) { Flags = AddressFlags.NoDad | AddressFlags.NoPrefixRoute });
            n.AddAddress(new AddressRequest(va, Ip("2001:db8:6::1"), 64) { Flags = AddressFlags.NoDad });
            return (n.Routes(AddressFamily.InterNetwork), n.Routes(AddressFamily.InterNetworkV6));
        });
        v4.Should().NotContain(r => Cidr(r) == "203.0.113.0/24");
        v6.Should().NotContain(r => Cidr(r) == "2001:db8:5::/64");
        v6.Should().ContainSingle(r => Cidr(r) == "2001:db8:6::/64").Which.Should().BeEquivalentTo(new
        {
            OutputLinkIndex = (int?)va, Metric = (uint?)256, Protocol = (byte)2, Type = (byte)1, Table = RouteTables.Main,
        });
    }

    [Fact]
    public void The_local_table_has_the_local_routes()
    {
        var (local, main, local6) = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.10"), 24) { Broadcast = Ip("198.51.100.255") });
            return (n.Routes(AddressFamily.InterNetwork, RouteTables.Local), n.Routes(AddressFamily.InterNetwork), n.Routes(AddressFamily.InterNetworkV6, RouteTables.Local));
        });

        local.Should().OnlyContain(r => r.Table == RouteTables.Local);
        local.Should().ContainSingle(r => Cidr(r) == "198.51.100.10/32").Which.Should().BeEquivalentTo(new
        {
            Type = (byte)2, Scope = (byte)254, OutputLinkIndex = (int?)va, PreferredSource = Ip("198.51.100.10"), Protocol = (byte)2,
        });
        local.Should().Contain(r => Cidr(r) == "127.0.0.0/8" && r.Type == 2 && r.OutputLinkIndex == 1);
        local.Should().Contain(r => Cidr(r) == "198.51.100.255/32" && r.Type == 3 /* broadcast */);
        local.Should().HaveCount(ns.Ip("-4", "route", "show", "table", "local").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        main.Should().NotContain(r => r.Type == 2);
        local6.Should().Contain(r => Cidr(r) == "::1/128" && r.Type == 2 && r.Table == RouteTables.Local);
    }

    [Fact]
    public void A_default_route_has_its_gateway_and_no_destination_bits()
    {
        ns.Batch("address add 198.51.100.10/24 dev va", "route add default via 198.51.100.1 dev va");
        var route = ns.Run(n => n.Routes(AddressFamily.InterNetwork)).Single(r => r.DestinationLength == 0);
        route.Destination.Should().Be(IPAddress.Any);
        route.Gateway.Should().Be(Ip("198.51.100.1"));
        route.OutputLinkIndex.Should().Be(va);
        route.Metric.Should().BeNull("IPv4 routes of metric 0 carry no RTA_PRIORITY");
        route.Scope.Should().Be(0);
    }

    [Fact]
    public void A_multipath_route_has_no_single_link()
    {
        ns.Batch("address add 198.51.100.10/24 dev va", "address add 203.0.113.10/24 dev vb");
        ns.Ip("route", "add", "203.0.113.64/26", "nexthop", "via", "198.51.100.1", "dev", "va", "nexthop", "via", "203.0.113.1", "dev", "vb");
        var route = ns.Run(n => n.Routes(AddressFamily.InterNetwork)).Single(r => Cidr(r) == "203.0.113.64/26");
        route.OutputLinkIndex.Should().BeNull();
        route.Gateway.Should().BeNull();
    }

    [Fact]
    public void A_table_that_does_not_exist_has_no_routes()
    {
        ns.Run(n =>
        {
            n.Routes(AddressFamily.InterNetwork, 100).Should().BeEmpty();
            n.Routes(AddressFamily.InterNetworkV6, 100).Should().BeEmpty();
        });
    }

    [Fact]
    public void Routes_of_a_table_above_255()
    {
        ns.Ip("route", "add", "203.0.113.0/24", "dev", "va", "table", "1000");
        var routes = ns.Run(n => n.Routes(AddressFamily.InterNetwork, 1000));
        routes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Table = 1000, OutputLinkIndex = (int?)va, DestinationLength = 24 });
        ns.Run(n => n.Routes(AddressFamily.InterNetwork)).Should().NotContain(r => Cidr(r) == "203.0.113.0/24");
    }
}
