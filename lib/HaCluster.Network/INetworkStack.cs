using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace HaCluster.Network;

/// <summary>
/// The kernel's view of links, addresses and routes of the current network namespace, read and
/// changed over rtnetlink (no `ip` process). Every call is one request and its answer.
/// Failures throw <see cref="NetlinkException"/> with the kernel's errno.
/// </summary>
public interface INetworkStack
{
    /// <summary>All links (RTM_GETLINK dump).</summary>
    IReadOnlyList<LinkInfo> Links();

    /// <summary>The link called <paramref name="name"/> (its name or one of its altnames), or null.</summary>
    LinkInfo? FindLink(string name);

    /// <summary>The link with this index, or null.</summary>
    LinkInfo? FindLink(int index);

    /// <summary>Addresses of one family (RTM_GETADDR dump), optionally of one link only.</summary>
    IReadOnlyList<AddressInfo> Addresses(AddressFamily family, int? linkIndex = null);

    /// <summary>Adds an address (RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL: EEXIST when it is there).</summary>
    void AddAddress(AddressRequest request);

    /// <summary>Deletes an address (RTM_DELADDR); ENOENT/EADDRNOTAVAIL when it is not there.</summary>
    void DeleteAddress(int linkIndex, IPAddress address, int prefixLength);

    /// <summary>Routes of one family in one routing table (RTM_GETROUTE dump; main = 254, local = 255).</summary>
    IReadOnlyList<RouteInfo> Routes(AddressFamily family, int table = RouteTables.Main);

    /// <summary>Sets a link administratively up (RTM_NEWLINK with IFF_UP).</summary>
    void SetLinkUp(int linkIndex);

    /// <summary>Adds an IPv6 address label (RTM_NEWADDRLABEL) for prefix/len.</summary>
    void AddAddressLabel(IPAddress prefix, int prefixLength, uint label);

    /// <summary>Deletes an IPv6 address label (RTM_DELADDRLABEL).</summary>
    void DeleteAddressLabel(IPAddress prefix, int prefixLength, uint label);

    /// <summary>Flushes the routing cache of a family (what `ip route flush cache` does).</summary>
    void FlushRouteCache(AddressFamily family);
}

public static class RouteTables
{
    public const int Main = 254;
    public const int Local = 255;
}

/// <summary>A network link (interface).</summary>
/// <param name="Index">The interface index.</param>
/// <param name="Name">The interface name (IFLA_IFNAME).</param>
/// <param name="AltNames">Alternative names (IFLA_PROP_LIST of IFLA_ALT_IFNAME).</param>
/// <param name="Flags">IFF_* flags: IFF_UP = 0x1, IFF_LOOPBACK = 0x8, IFF_LOWER_UP = 0x10000.</param>
/// <param name="OperState">IF_OPER_*: 0 unknown, 2 down, 3 lowerlayerdown, 5 dormant, 6 up (as IFLA_OPERSTATE).</param>
/// <param name="HardwareType">ARPHRD_*: 1 ethernet, 772 loopback, 32 infiniband, ...</param>
/// <param name="HardwareAddress">The link-layer address (IFLA_ADDRESS), if any.</param>
/// <param name="BroadcastAddress">The link-layer broadcast address (IFLA_BROADCAST), if any.</param>
/// <param name="Mtu">The MTU (IFLA_MTU).</param>
public sealed record LinkInfo(
    int Index,
    string Name,
    IReadOnlyList<string> AltNames,
    uint Flags,
    byte OperState,
    ushort HardwareType,
    PhysicalAddress? HardwareAddress,
    PhysicalAddress? BroadcastAddress,
    int Mtu)
{
    public bool IsUp => (Flags & 0x1) != 0;
    public bool IsLoopback => (Flags & 0x8) != 0;
    public bool HasCarrier => (Flags & 0x10000) != 0;
}

/// <summary>An address on a link.</summary>
/// <param name="LinkIndex">The index of the link that holds it.</param>
/// <param name="Family">IPv4 or IPv6.</param>
/// <param name="Address">The address itself (IFA_LOCAL, else IFA_ADDRESS).</param>
/// <param name="PrefixLength">The prefix length.</param>
/// <param name="Broadcast">The IPv4 broadcast address (IFA_BROADCAST), if any.</param>
/// <param name="Label">The IPv4 label (IFA_LABEL), if any.</param>
/// <param name="Flags">IFA_F_* flags (from IFA_FLAGS when present): TENTATIVE 0x40, DADFAILED 0x08, NODAD 0x02, DEPRECATED 0x20, PERMANENT 0x80, NOPREFIXROUTE 0x200.</param>
/// <param name="Scope">RT_SCOPE_*: 0 universe, 253 link, 254 host.</param>
/// <param name="PreferredLifetime">Seconds, uint.MaxValue = forever (IFA_CACHEINFO).</param>
/// <param name="ValidLifetime">Seconds, uint.MaxValue = forever (IFA_CACHEINFO).</param>
public sealed record AddressInfo(
    int LinkIndex,
    AddressFamily Family,
    IPAddress Address,
    int PrefixLength,
    IPAddress? Broadcast,
    string? Label,
    uint Flags,
    byte Scope,
    uint PreferredLifetime,
    uint ValidLifetime)
{
    public bool IsTentative => (Flags & AddressFlags.Tentative) != 0;
    public bool IsDadFailed => (Flags & AddressFlags.DadFailed) != 0;
}

public static class AddressFlags
{
    public const uint NoDad = 0x02, DadFailed = 0x08, Deprecated = 0x20, Tentative = 0x40, Permanent = 0x80, NoPrefixRoute = 0x200;
}

/// <summary>What to add: an address with its options.</summary>
public sealed record AddressRequest(int LinkIndex, IPAddress Address, int PrefixLength)
{
    /// <summary>IPv4 broadcast (IFA_BROADCAST); null for none.</summary>
    public IPAddress? Broadcast { get; init; }
    /// <summary>IPv4 label (IFA_LABEL), e.g. "eth0:vip" (at most 15 characters).</summary>
    public string? Label { get; init; }
    /// <summary>IFA_F_NODAD / IFA_F_NOPREFIXROUTE, sent in IFA_FLAGS.</summary>
    public uint Flags { get; init; }
    /// <summary>Seconds (IFA_CACHEINFO); null = forever. Setting it makes the valid lifetime forever too.</summary>
    public uint? PreferredLifetime { get; init; }
}

/// <summary>A route.</summary>
/// <param name="Family">IPv4 or IPv6.</param>
/// <param name="Destination">The destination prefix (RTA_DST; the unspecified address for a default route).</param>
/// <param name="DestinationLength">The destination prefix length.</param>
/// <param name="OutputLinkIndex">The output link (RTA_OIF), if any.</param>
/// <param name="Gateway">The next hop (RTA_GATEWAY), if any.</param>
/// <param name="PreferredSource">The preferred source address (RTA_PREFSRC), if any.</param>
/// <param name="Metric">The priority (RTA_PRIORITY), if given.</param>
/// <param name="Table">The routing table (RTA_TABLE, else rtm_table).</param>
/// <param name="Type">RTN_*: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit.</param>
/// <param name="Protocol">RTPROT_*: 2 kernel, 3 boot, 4 static, ...</param>
/// <param name="Scope">RT_SCOPE_*: 0 universe, 253 link, 254 host.</param>
/// <param name="Flags">RTNH_F_* flags (rtm_flags): LINKDOWN 0x10.</param>
public sealed record RouteInfo(
    AddressFamily Family,
    IPAddress? Destination,
    int DestinationLength,
    int? OutputLinkIndex,
    IPAddress? Gateway,
    IPAddress? PreferredSource,
    uint? Metric,
    int Table,
    byte Type,
    byte Protocol,
    byte Scope,
    uint Flags);

/// <summary>A failed netlink request: the kernel's errno and what was asked.</summary>
public sealed class NetlinkException(int errno, string operation)
    : Exception($"{operation}: {ErrnoText(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;
    public string Operation { get; } = operation;

    public const int EPERM = 1, ENOENT = 2, ENODEV = 19, EEXIST = 17, EINVAL = 22, EADDRNOTAVAIL = 99, EOPNOTSUPP = 95, EACCES = 13;

    static string ErrnoText(int errno) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
}

/// <summary>
/// Sends unsolicited ARP (IPv4) and neighbour advertisements (IPv6) so that peers update their
/// caches for a moved address, and probes an IPv4 address for duplicates. Packet and raw
/// sockets, no arping/send_arp process.
/// </summary>
public interface INeighbourAnnouncer
{
    /// <summary>
    /// Sends <paramref name="count"/> gratuitous ARPs for <paramref name="address"/> out of the link,
    /// <paramref name="interval"/> apart (the last one without a wait after it). <paramref name="reply"/>:
    /// ARP replies instead of requests (iputils arping -A). Stops early when <paramref name="stop"/> says so.
    /// Returns how many were sent.
    /// </summary>
    int AnnounceIPv4(LinkInfo link, IPAddress address, int count, TimeSpan interval, bool reply, Func<bool>? stop = null);

    /// <summary>Sends unsolicited neighbour advertisements (override flag, target link-layer address) to ff02::1.</summary>
    int AnnounceIPv6(LinkInfo link, IPAddress address, int count, TimeSpan interval, Func<bool>? stop = null);

    /// <summary>
    /// ARP duplicate-address probe (RFC 5227, sender 0.0.0.0): the hardware address of whoever
    /// answers for <paramref name="address"/> within <paramref name="wait"/>, or null.
    /// </summary>
    PhysicalAddress? ProbeIPv4(LinkInfo link, IPAddress address, TimeSpan wait);
}
