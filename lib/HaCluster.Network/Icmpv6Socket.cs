using System.Net;
using System.Runtime.InteropServices;

namespace HaCluster.Network;

/// <summary>
/// A raw ICMPv6 socket (raw(7), ipv6(7)) that sends from one local address to a link-local
/// multicast group out of one link: the kernel writes the IPv6 header (the bound source, hop limit
/// from IPV6_MULTICAST_HOPS) and the ICMPv6 checksum, and maps the group to the link's multicast
/// address. It receives nothing (ICMP6_FILTER blocks every type) and does not loop its packets
/// back to this host.
/// </summary>
/// <remarks>Closing it costs microseconds (a packet socket's close waits for an RCU grace period).</remarks>
internal sealed unsafe class Icmpv6Socket : IDisposable
{
    const int AF_INET6 = 10, SOCK_RAW = 3, IPPROTO_IPV6 = 41, IPPROTO_ICMPV6 = 58;
    const int ICMP6_FILTER = 1, IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19;

    /// <summary>struct sockaddr_in6 (28 bytes); port and flow info in network byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct SockaddrIn6
    {
        public ushort Family;
        public ushort Port;
        public uint FlowInfo;
        public fixed byte Address[16];
        public uint ScopeId;
    }

    int fd;

    Icmpv6Socket(int fd) => this.fd = fd;

    /// <summary>
    /// A socket bound to <paramref name="source"/> (which must be assigned to this host and not
    /// tentative: EADDRNOTAVAIL otherwise) that sends multicast out of link <paramref name="ifIndex"/>
    /// with hop limit <paramref name="hopLimit"/>.
    /// </summary>
    public static Icmpv6Socket OpenMulticastSender(int ifIndex, IPAddress source, int hopLimit)
    {
        int fd = SocketNative.socket(AF_INET6, SOCK_RAW | SocketNative.SOCK_CLOEXEC, IPPROTO_ICMPV6);
        if (fd < 0)
            throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)");
        var s = new Icmpv6Socket(fd);
        try
        {
            uint* blockAll = stackalloc uint[8];
            new Span<uint>(blockAll, 8).Fill(uint.MaxValue);
            if (SocketNative.setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, blockAll, 32) != 0)
                throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), "setsockopt(ICMP6_FILTER)");
            SocketNative.SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifIndex, $"setsockopt(IPV6_MULTICAST_IF, ifindex {ifIndex})");
            SocketNative.SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hopLimit, "setsockopt(IPV6_MULTICAST_HOPS)");
            SocketNative.SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "setsockopt(IPV6_MULTICAST_LOOP)");

            // A link-local source needs its link as scope; other scopes ignore it.
            SockaddrIn6 sa = Sockaddr(source, source.IsIPv6LinkLocal ? (uint)ifIndex : 0);
            if (SocketNative.bind(fd, &sa, (uint)sizeof(SockaddrIn6)) != 0)
                throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), $"bind(AF_INET6 raw ICMPv6, {source})");
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Sends one ICMPv6 message (checksum field zero: the kernel fills it in); false when the kernel had no buffer.</summary>
    public bool SendTo(ReadOnlySpan<byte> message, IPAddress destination, int ifIndex)
    {
        SockaddrIn6 sa = Sockaddr(destination, (uint)ifIndex);
        return SocketNative.SendTo(fd, message, &sa, (uint)sizeof(SockaddrIn6), $"sendto(AF_INET6 raw ICMPv6, {destination}%{ifIndex})");
    }

    static SockaddrIn6 Sockaddr(IPAddress address, uint scopeId)
    {
        SockaddrIn6 sa = default;
        sa.Family = AF_INET6;
        address.TryWriteBytes(new Span<byte>(sa.Address, 16), out _);
        sa.ScopeId = scopeId;
        return sa;
    }

    public void Dispose()
    {
        if (fd >= 0)
        {
            SocketNative.close(fd);
            fd = -1;
        }
    }
}
