using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network.Tests;

/// <summary>IPv6 address labels and the route cache, in a namespace.</summary>
[Trait("Requires", "root")]
public sealed class AddressLabelTests : IDisposable
{
    readonly TestNamespace ns = new(withDummy: false, "link set lo up");

    public void Dispose() => ns.Dispose();

    string Labels() => ns.Ip("addrlabel", "list");

    [Fact]
    public void Address_labels_are_added_and_deleted()
    {
        var prefix = IPAddress.Parse("2001:db8:7::");
        ns.Run(n => n.AddAddressLabel(prefix, 48, 100));
        Labels().Should().Contain("prefix 2001:db8:7::/48 label 100");

        ns.Run(n => n.Invoking(x => x.AddAddressLabel(prefix, 48, 100))
            .Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.EEXIST));

        ns.Run(n => n.DeleteAddressLabel(prefix, 48, 100));
        Labels().Should().NotContain("2001:db8:7::/48");
        ns.Run(n => n.Invoking(x => x.DeleteAddressLabel(prefix, 48, 100)).Should().Throw<NetlinkException>());
    }

    [Fact]
    public void A_label_for_one_address()
    {
        var address = IPAddress.Parse("2001:db8:7::10");
        ns.Run(n => n.AddAddressLabel(address, 128, 7));
        Labels().Should().Contain("prefix 2001:db8:7::10/128 label 7");
        ns.Run(n => n.DeleteAddressLabel(address, 128, 7));
        Labels().Should().NotContain("2001:db8:7::10/128");
    }

    [Fact]
    public void Address_labels_are_for_IPv6_only()
    {
        ns.Run(n =>
        {
            n.Invoking(x => x.AddAddressLabel(IPAddress.Parse("198.51.100.1"), 32, 1)).Should().Throw<ArgumentException>();
            n.Invoking(x => x.AddAddressLabel(IPAddress.Parse("2001:db8::"), 129, 1)).Should().Throw<ArgumentOutOfRangeException>();
        });
    }

    [Fact]
    public void FlushRouteCache_does_not_throw()
    {
        ns.Run(n =>
        {
            n.FlushRouteCache(AddressFamily.InterNetwork);
            n.FlushRouteCache(AddressFamily.InterNetworkV6);
            n.Invoking(x => x.FlushRouteCache(AddressFamily.Unix)).Should().Throw<ArgumentException>();
        });
    }
}
