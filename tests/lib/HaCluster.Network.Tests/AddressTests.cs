using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace HaCluster.Network.Tests;

/// <summary>Addresses in a namespace: documentation prefixes only (198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).</summary>
[Trait("Requires", "root")]
public sealed class AddressTests : IDisposable
{
    readonly TestNamespace ns = new([.. TestNamespace.Standard, "link set va up", "link set vb up"]);

    public void Dispose() => ns.Dispose();

    static IPAddress Ip(string s) => IPAddress.Parse(s);

    /// <summary>`ip -o -4 addr show`: (link index, address/prefix, broadcast, label) of each address.</summary>
    HashSet<(int, string, string?, string)> IpV4Addresses()
    {
        var result = new HashSet<(int, string, string?, string)>();
        foreach (var line in ns.Ip("-o", "-4", "addr", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = Regex.Match(line, @"^(\d+): \S+\s+inet (\S+)(?: brd (\S+))? scope \S+(?: \S+)*? (\S+)\\");
            m.Success.Should().BeTrue(line);
            result.Add((int.Parse(m.Groups[1].Value), m.Groups[2].Value, m.Groups[3].Success ? m.Groups[3].Value : null, m.Groups[4].Value));
        }
        return result;
    }

    [Fact]
    public void IPv4_addresses_with_broadcast_and_label_are_added_listed_and_deleted_as_ip_shows_them()
    {
        int va = ns.Index("va");
        var listed = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.10"), 24) { Broadcast = Ip("198.51.100.255"), Label = "va:vip" });
            n.AddAddress(new AddressRequest(va, Ip("203.0.113.5"), 25));
            return n.Addresses(AddressFamily.InterNetwork);
        });

        listed.Select(a => (a.LinkIndex, $"{a.Address}/{a.PrefixLength}", a.Broadcast?.ToString(), a.Label!))
            .Should().BeEquivalentTo(IpV4Addresses());
        var vip = listed.Single(a => a.Address.Equals(Ip("198.51.100.10")));
        vip.Should().BeEquivalentTo(new
        {
            LinkIndex = va, Family = AddressFamily.InterNetwork, PrefixLength = 24, Broadcast = Ip("198.51.100.255"), Label = "va:vip",
            Scope = (byte)0, PreferredLifetime = uint.MaxValue, ValidLifetime = uint.MaxValue,
        });
        (vip.Flags & AddressFlags.Permanent).Should().NotBe(0);
        vip.IsTentative.Should().BeFalse();
        var plain = listed.Single(a => a.Address.Equals(Ip("203.0.113.5")));
        plain.Broadcast.Should().BeNull();
        plain.Label.Should().Be("va", "the kernel labels an address with its link's name");
        listed.Should().Contain(a => a.Address.Equals(IPAddress.Loopback) && a.LinkIndex == 1 && a.PrefixLength == 8 && a.Scope == 254);

        ns.Run(n =>
        {
            n.DeleteAddress(va, Ip("198.51.100.10"), 24);
            n.Addresses(AddressFamily.InterNetwork).Should().NotContain(a => a.Address.Equals(Ip("198.51.100.10")));
        });
        IpV4Addresses().Should().NotContain(a => a.Item2 == "198.51.100.10/24")
            .And.Contain((va, "203.0.113.5/25", null, "va"));
    }

    [Fact]
    public void Addresses_of_one_link_and_one_family()
    {
        int va = ns.Index("va"), vb = ns.Index("vb");
        ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.1"), 24));
            n.AddAddress(new AddressRequest(vb, Ip("198.51.100.2"), 24));
            n.AddAddress(new AddressRequest(vb, Ip("2001:db8:1::2"), 64) { Flags = AddressFlags.NoDad });

            n.Addresses(AddressFamily.InterNetwork, vb).Should().ContainSingle().Which.Address.Should().Be(Ip("198.51.100.2"));
            n.Addresses(AddressFamily.InterNetwork, 1).Should().ContainSingle().Which.Address.Should().Be(IPAddress.Loopback);
            n.Addresses(AddressFamily.InterNetworkV6, vb).Select(a => a.Address).Should().Contain(Ip("2001:db8:1::2"))
                .And.OnlyContain(a => a.AddressFamily == AddressFamily.InterNetworkV6);
            n.Addresses(AddressFamily.InterNetworkV6).Should().OnlyContain(a => a.Family == AddressFamily.InterNetworkV6)
                .And.Contain(a => a.Address.Equals(IPAddress.IPv6Loopback) && a.LinkIndex == 1 && a.PrefixLength == 128);
            n.Addresses(AddressFamily.InterNetwork, 9999).Should().BeEmpty();
        });
    }

    [Fact]
    public void IPv6_address_with_nodad_noprefixroute_and_no_preferred_lifetime_is_deprecated()
    {
        int va = ns.Index("va");
        var a = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("2001:db8:1::10"), 64)
            { Flags = AddressFlags.NoDad | AddressFlags.NoPrefixRoute, PreferredLifetime = 0 });
            return n.Addresses(AddressFamily.InterNetworkV6, va).Single(x => x.Address.Equals(Ip("2001:db8:1::10")));
        });

        a.PrefixLength.Should().Be(64);
        (a.Flags & (AddressFlags.NoDad | AddressFlags.NoPrefixRoute | AddressFlags.Deprecated)).Should().Be(AddressFlags.NoDad | AddressFlags.NoPrefixRoute | AddressFlags.Deprecated);
        a.IsTentative.Should().BeFalse();
        a.IsDadFailed.Should().BeFalse();
        a.PreferredLifetime.Should().Be(0);
        a.ValidLifetime.Should().Be(uint.MaxValue);
        a.Label.Should().BeNull();
        a.Broadcast.Should().BeNull();

        var ip = ns.Ip("-o", "-6", "addr", "show", "dev", "va", "to", "2001:db8:1::10/128");
        ip.Should().Contain("2001:db8:1::10/64").And.Contain("deprecated").And.Contain("nodad").And.Contain("noprefixroute")
            .And.Contain("preferred_lft 0sec").And.Contain("valid_lft forever");

        ns.Run(n => n.DeleteAddress(va, Ip("2001:db8:1::10"), 64));
        ns.Ip("-o", "-6", "addr", "show", "dev", "va", "to", "2001:db8:1::10/128").Should().BeEmpty();
    }

    [Fact]
    public void IPv4_preferred_lifetime_zero_is_deprecated_too()
    {
        int va = ns.Index("va");
        var a = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("203.0.113.9"), 24) { PreferredLifetime = 0 });
            return n.Addresses(AddressFamily.InterNetwork, va).Single();
        });
        (a.Flags & AddressFlags.Deprecated).Should().Be(AddressFlags.Deprecated);
        // IPv4 reports the lifetimes of a permanent address (valid for ever) as forever.
        (a.Flags & AddressFlags.Permanent).Should().Be(AddressFlags.Permanent);
        a.ValidLifetime.Should().Be(uint.MaxValue);
        ns.Ip("-o", "-4", "addr", "show", "dev", "va").Should().Contain("203.0.113.9/24 scope global deprecated va");
    }

    [Fact]
    public void Adding_an_address_twice_fails_with_EEXIST()
    {
        int va = ns.Index("va");
        ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.20"), 24));
            n.Invoking(x => x.AddAddress(new AddressRequest(va, Ip("198.51.100.20"), 24)))
                .Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.EEXIST);

            n.AddAddress(new AddressRequest(va, Ip("2001:db8:2::20"), 64) { Flags = AddressFlags.NoDad });
            var e = n.Invoking(x => x.AddAddress(new AddressRequest(va, Ip("2001:db8:2::20"), 64) { Flags = AddressFlags.NoDad }))
                .Should().Throw<NetlinkException>().Which;
            e.Errno.Should().Be(NetlinkException.EEXIST);
            e.Operation.Should().Contain("2001:db8:2::20/64");
            e.Message.Should().Contain("File exists");
        });
    }

    [Fact]
    public void Deleting_a_missing_address_fails()
    {
        int va = ns.Index("va");
        ns.Run(n =>
        {
            n.Invoking(x => x.DeleteAddress(va, Ip("198.51.100.99"), 24))
                .Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.EADDRNOTAVAIL);
            n.Invoking(x => x.DeleteAddress(va, Ip("2001:db8:2::99"), 64))
                .Should().Throw<NetlinkException>().Which.Errno.Should().BeOneOf(NetlinkException.EADDRNOTAVAIL, NetlinkException.ENOENT);

            // IPv4 matches the prefix length too.
            n.AddAddress(new AddressRequest(va, Ip("198.51.100.30"), 24));
            n.Invoking(x => x.DeleteAddress(va, Ip("198.51.100.30"), 25)).Should().Throw<NetlinkException>();
            n.Addresses(AddressFamily.InterNetwork, va).Should().ContainSingle();
        });
    }

    [Fact]
    public void Adding_to_a_missing_link_fails_with_ENODEV()
    {
        ns.Run(n => n.Invoking(x => x.AddAddress(new AddressRequest(9999, Ip("198.51.100.40"), 24)))
            .Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.ENODEV));
    }

    [Fact]
    public void Bad_requests_are_refused_before_the_kernel()
    {
        ns.Run(n =>
        {
            n.Invoking(x => x.AddAddress(new AddressRequest(1, Ip("198.51.100.40"), 33))).Should().Throw<ArgumentOutOfRangeException>();
            n.Invoking(x => x.AddAddress(new AddressRequest(1, Ip("2001:db8::1"), 64) { Label = "lo:x" })).Should().Throw<ArgumentException>();
            n.Invoking(x => x.AddAddress(new AddressRequest(1, Ip("198.51.100.40"), 24) { Label = "a-label-of-16-by" })).Should().Throw<ArgumentException>();
            n.Invoking(x => x.AddAddress(new AddressRequest(1, Ip("2001:db8::1"), 64) { Broadcast = Ip("198.51.100.255") })).Should().Throw<ArgumentException>();
            n.Invoking(x => x.Addresses(AddressFamily.AppleTalk)).Should().Throw<ArgumentException>();
        });
    }

    [Fact]
    public void IPv6_address_added_without_nodad_on_a_link_with_a_peer_is_tentative()
    {
        int va = ns.Index("va");
        ns.Sysctl("net.ipv6.conf.va.accept_dad", "1");
        TestNamespace.Eventually(() => ns.Run(n => n.FindLink(va))!.HasCarrier, TimeSpan.FromSeconds(3)).Should().BeTrue();
        var a = ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(va, Ip("2001:db8:3::1"), 64));
            return n.Addresses(AddressFamily.InterNetworkV6, va).Single(x => x.Address.Equals(Ip("2001:db8:3::1")));
        });
        a.IsTentative.Should().BeTrue("duplicate address detection takes a second");
        ns.Ip("-o", "-6", "addr", "show", "dev", "va").Should().MatchRegex(@"2001:db8:3::1/64 scope global tentative");
    }

    [Fact]
    public void IPv6_address_already_on_the_peer_fails_duplicate_address_detection()
    {
        int va = ns.Index("va"), vb = ns.Index("vb");
        foreach (var link in new[] { "va", "vb" })
        {
            ns.Sysctl($"net.ipv6.conf.{link}.accept_dad", "1");
            ns.Sysctl($"net.ipv6.conf.{link}.dad_transmits", "1");
            ns.Sysctl($"net.ipv6.conf.{link}.router_solicitation_delay", "0");
            ns.Sysctl($"net.ipv6.neigh.{link}.retrans_time_ms", "100");
        }
        TestNamespace.Eventually(() => ns.Run(n => n.FindLink(va))!.HasCarrier, TimeSpan.FromSeconds(3)).Should().BeTrue();
        var address = Ip("2001:db8:4::1");
        ns.Run(n =>
        {
            n.AddAddress(new AddressRequest(vb, address, 64) { Flags = AddressFlags.NoDad });
            n.AddAddress(new AddressRequest(va, address, 64));
        });

        AddressInfo? last = null;
        TestNamespace.Eventually(() => (last = ns.Run(n => n.Addresses(AddressFamily.InterNetworkV6, va)).Single(x => x.Address.Equals(address))).IsDadFailed,
            TimeSpan.FromSeconds(5)).Should().BeTrue($"vb answers for {address}; flags now 0x{last?.Flags:x}");
        ns.Ip("-o", "-6", "addr", "show", "dev", "va").Should().Contain("dadfailed");
        ns.Run(n => n.Addresses(AddressFamily.InterNetworkV6, vb).Single(x => x.Address.Equals(address)).IsDadFailed).Should().BeFalse();
    }
}
