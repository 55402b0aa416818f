using System.Net.NetworkInformation;
using System.Text.RegularExpressions;

namespace HaCluster.Network.Tests;

/// <summary>Links of a namespace: lo, a veth pair va/vb (va with an altname), d0 (dummy), all but lo down.</summary>
[Trait("Requires", "root")]
public sealed class LinkTests : IDisposable
{
    readonly TestNamespace ns = new(TestNamespace.Standard);

    public void Dispose() => ns.Dispose();

    /// <summary>`ip -o link show`: index, name, mtu, hardware address and broadcast of every link.</summary>
    Dictionary<string, (int Index, int Mtu, string Mac, string Brd, string Flags)> IpLinks()
    {
        var result = new Dictionary<string, (int, int, string, string, string)>();
        foreach (var line in ns.Ip("-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = Regex.Match(line, @"^(\d+): ([^:@]+)(?:@\S+)?: <([^>]*)> mtu (\d+) .*link/\S+ ([0-9a-f:]+) brd ([0-9a-f:]+)");
            m.Success.Should().BeTrue(line);
            result[m.Groups[2].Value] = (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[4].Value), m.Groups[5].Value, m.Groups[6].Value, m.Groups[3].Value);
        }
        return result;
    }

    [Fact]
    public void Links_lists_every_link_as_ip_does()
    {
        var links = ns.Run(n => n.Links());
        var expected = IpLinks();

        links.Select(l => l.Name).Should().BeEquivalentTo(expected.Keys);
        foreach (var link in links)
        {
            var (index, mtu, mac, brd, _) = expected[link.Name];
            link.Index.Should().Be(index, link.Name);
            link.Mtu.Should().Be(mtu, link.Name);
            link.HardwareAddress.Should().Be(PhysicalAddress.Parse(mac), link.Name);
            link.BroadcastAddress.Should().Be(PhysicalAddress.Parse(brd), link.Name);
        }
    }

    [Fact]
    public void Loopback_is_up_with_loopback_type_and_no_altnames()
    {
        var lo = ns.Run(n => n.Links()).Single(l => l.Name == "lo");
        lo.Index.Should().Be(1);
        lo.IsLoopback.Should().BeTrue();
        lo.IsUp.Should().BeTrue();
        lo.HardwareType.Should().Be(772);
        lo.Mtu.Should().Be(65536);
        lo.HardwareAddress!.GetAddressBytes().Should().Equal(new byte[6]);
        lo.AltNames.Should().BeEmpty();
    }

    [Fact]
    public void Veth_pair_is_ethernet_down_and_carries_its_altname()
    {
        var links = ns.Run(n => n.Links());
        var va = links.Single(l => l.Name == "va");
        var vb = links.Single(l => l.Name == "vb");
        va.AltNames.Should().Equal("longname-va");
        vb.AltNames.Should().BeEmpty();
        foreach (var v in new[] { va, vb })
        {
            v.HardwareType.Should().Be(1);
            v.IsUp.Should().BeFalse();
            v.IsLoopback.Should().BeFalse();
            v.HasCarrier.Should().BeFalse();
            v.OperState.Should().Be(2, "IF_OPER_DOWN");
            v.BroadcastAddress.Should().Be(PhysicalAddress.Parse("ff:ff:ff:ff:ff:ff"));
            v.HardwareAddress!.GetAddressBytes().Should().HaveCount(6);
        }
    }

    [Fact]
    public void Dummy_link_is_down()
    {
        var d0 = ns.Run(n => n.Links()).Single(l => l.Name == "d0");
        d0.IsUp.Should().BeFalse($"d0 is a new {ns.DummyKind} link");
        d0.OperState.Should().Be(2, "IF_OPER_DOWN");
        d0.HardwareType.Should().Be(1);
        d0.Mtu.Should().Be(1500);
    }

    [Fact]
    public void Carrier_and_operational_state_follow_the_peer()
    {
        ns.Ip("link", "set", "va", "up");
        TestNamespace.Eventually(() => ns.Run(n => n.FindLink("va"))!.OperState == 3, TimeSpan.FromSeconds(3))
            .Should().BeTrue("va is up and its peer down: IF_OPER_LOWERLAYERDOWN");
        var va = ns.Run(n => n.FindLink("va"))!;
        va.IsUp.Should().BeTrue();
        va.HasCarrier.Should().BeFalse();

        ns.Ip("link", "set", "vb", "up");
        TestNamespace.Eventually(() => ns.Run(n => n.FindLink("va")) is { OperState: 6, HasCarrier: true }, TimeSpan.FromSeconds(3))
            .Should().BeTrue("both ends are up: IF_OPER_UP with a carrier");
    }

    [Fact]
    public void FindLink_by_name_altname_and_index()
    {
        var (byName, byAltName, byIndex, lo) = ns.Run(n =>
        {
            var va = n.FindLink("va");
            return (va, n.FindLink("longname-va"), n.FindLink(va!.Index), n.FindLink("lo"));
        });
        byName!.Name.Should().Be("va");
        byName.Index.Should().Be(IpLinks()["va"].Index);
        byAltName.Should().Be(byName with { AltNames = byAltName!.AltNames });
        byAltName.AltNames.Should().Equal("longname-va");
        byIndex!.Name.Should().Be("va");
        byIndex.AltNames.Should().Equal("longname-va");
        lo!.Index.Should().Be(1);
    }

    [Fact]
    public void FindLink_finds_an_altname_longer_than_an_interface_name()
    {
        string longName = "an-altname-of-vb-" + new string('x', 40);
        ns.Ip("link", "property", "add", "dev", "vb", "altname", longName);
        var vb = ns.Run(n => n.FindLink(longName));
        vb!.Name.Should().Be("vb");
        vb.AltNames.Should().Contain(longName);
    }

    [Fact]
    public void FindLink_of_a_missing_link_is_null()
    {
        ns.Run(n =>
        {
            n.FindLink("nope").Should().BeNull();
            n.FindLink("a-missing-name-longer-than-15-bytes").Should().BeNull();
            n.FindLink("").Should().BeNull();
            n.FindLink(new string('z', 200)).Should().BeNull();
            n.FindLink("bad\0name").Should().BeNull();
            n.FindLink(9999).Should().BeNull();
            n.FindLink(0).Should().BeNull();
            n.FindLink(-1).Should().BeNull();
        });
    }

    [Fact]
    public void SetLinkUp_brings_a_down_link_up()
    {
        int d0 = ns.Index("d0");
        ns.Run(n =>
        {
            n.FindLink(d0)!.IsUp.Should().BeFalse();
            n.SetLinkUp(d0);
            n.FindLink(d0)!.IsUp.Should().BeTrue();
            n.SetLinkUp(d0); // already up: no error
        });
        ns.Ip("-o", "link", "show", "d0").Should().MatchRegex("<[^>]*\\bUP\\b[^>]*>");
    }

    [Fact]
    public void SetLinkUp_of_a_missing_link_fails_with_ENODEV()
    {
        var act = () => ns.Run(n => n.SetLinkUp(9999));
        act.Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.ENODEV);
    }
}
