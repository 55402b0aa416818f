using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using HaCluster.Core;

namespace HaCluster.Network;

/// <summary>
/// <see cref="INeighbourAnnouncer"/> over sockets, no process and no shell: gratuitous ARP and ARP
/// probes on an AF_PACKET SOCK_DGRAM socket (frames built by <see cref="ArpPacket"/>, the kernel
/// adds the link-layer header for the destination given with each packet), neighbour
/// advertisements on a raw ICMPv6 socket (message built by <see cref="NeighbourAdvertisement"/>,
/// the kernel adds the IPv6 header and checksum).
/// </summary>
/// <remarks>
/// <para>Why a raw ICMPv6 socket for the advertisements rather than a hand-made IPv6 packet on a
/// packet socket (both were built and tested): it sends exactly as the kernel's own neighbour
/// discovery does (its route to ff02::1 on the link, the link's multicast mapping, its
/// checksum, the bound source checked to be ours), and it closes in microseconds, while closing a
/// packet socket waits for an RCU grace period (synchronize_net in packet_release: 8–20 ms per
/// socket on this kernel, paid by the caller or by the process's exit). ARP has no other way
/// out than a packet socket, so IPv4 pays that once per call. The raw socket's one condition is
/// that the address be assigned and no longer tentative (bind fails with EADDRNOTAVAIL
/// otherwise) — the agent announces only after DAD or with nodad, and an advertisement for a
/// tentative address would be wrong anyway (RFC 4862 §5.4).</para>
/// <para>Only links that resolve neighbours with 6-byte hardware addresses (Ethernet and its
/// relatives: bridges, bonds, VLANs, veth, macvlan, vxlan, tap) are announced on. Loopback,
/// links without a hardware address (tun, GRE, SIT, ARPHRD_NONE), NOARP links and InfiniBand
/// (20-byte addresses, which IPaddr2 leaves to ipoibarping) send nothing and return 0: the
/// caller decides what to say about that.</para>
/// <para>Interval: packet i leaves at start + i × interval on the clock (the system's monotonic
/// clock unless the constructor is given another: every wait goes through
/// <see cref="Clock.Sleep"/>), so the gaps are the interval asked for (never shorter; later by the
/// scheduler's latency only) and do not drift; there is no wait after the last packet. <c>stop</c> is asked before every packet and
/// at least every 100 ms while waiting; once it says true nothing more is sent.</para>
/// <para>Failures of the socket calls throw <see cref="NeighbourSocketException"/> with the errno
/// (EPERM without CAP_NET_RAW, ENXIO/ENODEV for a vanished link, ENETDOWN for a link that is
/// down, EADDRNOTAVAIL for an IPv6 address that is not assigned or still tentative). A packet
/// the kernel had no buffer for (ENOBUFS) is not counted and the next one is still sent.</para>
/// </remarks>
public sealed class NeighbourAnnouncer(Clock? clock = null) : INeighbourAnnouncer
{
    readonly Clock clock = clock ?? Clock.System;

    const ushort ARPHRD_ETHER = 1, ARPHRD_IEEE802 = 6, ARPHRD_FDDI = 774;
    const uint IFF_LOOPBACK = 0x8, IFF_NOARP = 0x80;
    static readonly TimeSpan StopPollSlice = TimeSpan.FromMilliseconds(100);
    static readonly byte[] EthernetBroadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    public int AnnounceIPv4(LinkInfo link, IPAddress address, int count, TimeSpan interval, bool reply, Func<bool>? stop = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        RequireFamily(address, AddressFamily.InterNetwork);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        if (count <= 0 || !TryGetArpHardware(link, out ushort htype, out byte[] mac) || stop?.Invoke() == true)
            return 0;

        byte[] packet = ArpPacket.Gratuitous(htype, mac, address, reply);
        byte[] destination = BroadcastOf(link, mac.Length);
        using var socket = PacketSocket.Open(PacketSocket.SOCK_DGRAM, 0);
        return SendRepeatedly(() => socket.SendTo(packet, link.Index, PacketSocket.ETH_P_ARP, destination), count, interval, stop);
    }

    public int AnnounceIPv6(LinkInfo link, IPAddress address, int count, TimeSpan interval, Func<bool>? stop = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        RequireFamily(address, AddressFamily.InterNetworkV6);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        if (count <= 0 || !TryGetArpHardware(link, out _, out byte[] mac) || stop?.Invoke() == true)
            return 0;

        byte[] message = NeighbourAdvertisement.UnsolicitedMessage(address, mac);
        using var socket = Icmpv6Socket.OpenMulticastSender(link.Index, address, hopLimit: 255);
        return SendRepeatedly(() => socket.SendTo(message, NeighbourAdvertisement.AllNodes, link.Index), count, interval, stop);
    }

    /// <remarks>
    /// Up to three probes (RFC 5227 PROBE_NUM), the first at once and the others
    /// min(1 s, <paramref name="wait"/> / 3) apart, on a socket that already listens to the link's
    /// ARP traffic; returns at the first conflicting packet or when <paramref name="wait"/> is over.
    /// Links that cannot carry ARP (see the class remarks) answer null at once.
    /// </remarks>
    public PhysicalAddress? ProbeIPv4(LinkInfo link, IPAddress address, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(link);
        RequireFamily(address, AddressFamily.InterNetwork);
        if (wait < TimeSpan.Zero)
            wait = TimeSpan.Zero;
        if (!TryGetArpHardware(link, out ushort htype, out byte[] mac))
            return null;

        byte[] probe = ArpPacket.Probe(htype, mac, address);
        byte[] destination = BroadcastOf(link, mac.Length);
        const int probeCount = 3;
        long start = Stopwatch.GetTimestamp();
        long deadline = start + ToStopwatchTicks(wait);
        long spacing = ToStopwatchTicks(TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, wait.Ticks / probeCount)));

        // Protocol 0 receives nothing until bound, so every packet read is the link's ARP.
        using var socket = PacketSocket.Open(PacketSocket.SOCK_DGRAM, 0);
        socket.Bind(link.Index, PacketSocket.ETH_P_ARP);

        Span<byte> buffer = stackalloc byte[256];
        int sent = 0;
        long nextProbe = start;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (sent < probeCount && now >= nextProbe)
            {
                socket.SendTo(probe, link.Index, PacketSocket.ETH_P_ARP, destination);
                sent++;
                nextProbe += spacing;
            }

            int length;
            while ((length = socket.TryReceive(buffer, out var from)) >= 0)
            {
                if (from.PacketType == PacketSocket.PACKET_OUTGOING || from.IfIndex != link.Index)
                    continue;
                if (ArpPacket.TryParse(buffer[..length], out var arp)
                    && arp.HardwareType == htype
                    && arp.SenderHardwareAddress.Length == mac.Length
                    && arp.ConflictsWith(address, mac))
                    return new PhysicalAddress(arp.SenderHardwareAddress);
            }

            if (Stopwatch.GetTimestamp() >= deadline)
                return null;
            long wakeUp = sent < probeCount ? Math.Min(nextProbe, deadline) : deadline;
            socket.WaitReadable(SocketNative.MillisecondsUntil(wakeUp));
        }
    }

    /// <summary>Calls <paramref name="send"/> <paramref name="count"/> times, <paramref name="interval"/> apart; how many went out.</summary>
    internal int SendRepeatedly(Func<bool> send, int count, TimeSpan interval, Func<bool>? stop)
    {
        long start = clock.GetTimestamp();
        long step = ToClockTicks(interval);
        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            if (i > 0 && (!SleepUntil(DueTime(start, step, i), stop) || stop?.Invoke() == true))
                break;
            if (send())
                sent++;
        }
        return sent;
    }

    /// <summary>Sleeps until <paramref name="due"/> on the clock; false when <paramref name="stop"/> said true meanwhile.</summary>
    bool SleepUntil(long due, Func<bool>? stop)
    {
        while (true)
        {
            long left = due - clock.GetTimestamp();
            if (left <= 0)
                return true;
            var wait = TimeSpan.FromSeconds(left / (double)clock.TimestampFrequency);
            // Thread.Sleep counts whole milliseconds: round up so that the due time has passed.
            wait = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
            if (stop is not null)
            {
                clock.Sleep(wait < StopPollSlice ? wait : StopPollSlice);
                if (clock.GetTimestamp() < due && stop())
                    return false;
            }
            else
                clock.Sleep(wait);
        }
    }

    /// <summary>
    /// The ARP hardware type and the hardware address of a link that resolves neighbours with
    /// 6-byte addresses; false for loopback, NOARP links, links without a hardware address and
    /// other hardware (InfiniBand).
    /// </summary>
    internal static bool TryGetArpHardware(LinkInfo link, out ushort hardwareType, out byte[] mac)
    {
        hardwareType = 0;
        mac = [];
        if ((link.Flags & (IFF_LOOPBACK | IFF_NOARP)) != 0)
            return false;
        if (link.HardwareType is not (ARPHRD_ETHER or ARPHRD_IEEE802 or ARPHRD_FDDI))
            return false;
        byte[]? bytes = link.HardwareAddress?.GetAddressBytes();
        if (bytes is not { Length: 6 } || bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            return false;
        // FDDI carries Ethernet's ARP hardware type (as arping does).
        hardwareType = link.HardwareType == ARPHRD_FDDI ? ARPHRD_ETHER : link.HardwareType;
        mac = bytes;
        return true;
    }

    /// <summary>The link's broadcast hardware address, or ff:ff:ff:ff:ff:ff when it has none of the right length.</summary>
    static byte[] BroadcastOf(LinkInfo link, int length)
    {
        byte[]? broadcast = link.BroadcastAddress?.GetAddressBytes();
        return broadcast is not null && broadcast.Length == length && broadcast.AsSpan().IndexOfAnyExcept((byte)0) >= 0
            ? broadcast
            : EthernetBroadcast;
    }

    static long DueTime(long start, long step, int i)
        => step == 0 ? start : i > (long.MaxValue - start) / step ? long.MaxValue : start + i * step;

    static long ToStopwatchTicks(TimeSpan span)
        => (long)Math.Min(span.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond, long.MaxValue / 4);

    long ToClockTicks(TimeSpan span)
        => (long)Math.Min(span.Ticks * (double)clock.TimestampFrequency / TimeSpan.TicksPerSecond, long.MaxValue / 4);

    static void RequireFamily(IPAddress address, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != family)
            throw new ArgumentException($"{address} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.", nameof(address));
    }
}
