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
public sealed record LinkInfo(
    int Index,
    string Name,
    IReadOnlyList<string> AltNames,
    /// <summary>IFF_* flags: IFF_UP = 0x1, IFF_LOOPBACK = 0x8, IFF_LOWER_UP = 0x10000.</summary>
    uint Flags,
    /// <summary>IF_OPER_*: 0 unknown, 2 down, 3 lowerlayerdown, 5 dormant, 6 up (as IFLA_OPERSTATE).</summary>
    byte OperState,
    /// <summary>ARPHRD_*: 1 ethernet, 772 loopback, 32 infiniband, ...</summary>
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
public sealed record AddressInfo(
    int LinkIndex,
    AddressFamily Family,
    IPAddress Address,
    int PrefixLength,
    IPAddress? Broadcast,
    string? Label,
    /// <summary>IFA_F_* flags (from IFA_FLAGS when present): TENTATIVE 0x40, DADFAILED 0x08, NODAD 0x02, DEPRECATED 0x20, PERMANENT 0x80, NOPREFIXROUTE 0x200.</summary>
    uint Flags,
    byte Scope,
    /// <summary>Seconds, uint.MaxValue = forever (IFA_CACHEINFO).</summary>
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
public sealed record RouteInfo(
    AddressFamily Family,
    IPAddress? Destination,
    int DestinationLength,
    int? OutputLinkIndex,
    IPAddress? Gateway,
    IPAddress? PreferredSource,
    uint? Metric,
    int Table,
    /// <summary>RTN_*: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit.</summary>
    byte Type,
    /// <summary>RTPROT_*: 2 kernel, 3 boot, 4 static, ...</summary>
    byte Protocol,
    /// <summary>RT_SCOPE_*: 0 universe, 253 link, 254 host.</summary>
    byte Scope,
    /// <summary>RTNH_F_* flags (rtm_flags): LINKDOWN 0x10.</summary>
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
