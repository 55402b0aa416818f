using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HaCluster.Network;

/// <summary>
/// A failed socket call of the neighbour announcer (socket, setsockopt, bind, sendto, recvfrom,
/// poll): the errno and what was attempted.
/// </summary>
public sealed class NeighbourSocketException(int errno, string operation)
    : IOException($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;
    public string Operation { get; } = operation;

    public const int ENXIO = 6, EPERM = 1, ENODEV = 19, ENETDOWN = 100, EADDRNOTAVAIL = 99;
}

/// <summary>The libc socket calls of the announcer (bound at link time in the agents: DirectPInvoke "libc").</summary>
internal static unsafe partial class SocketNative
{
    const string Lib = "libc";

    public const int EINTR = 4, EAGAIN = 11, ENOBUFS = 105;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int MSG_DONTWAIT = 0x40;
    public const short POLLIN = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short Revents; }

    [LibraryImport(Lib, SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, SetLastError = true)] public static partial int bind(int fd, void* address, uint length);
    [LibraryImport(Lib, SetLastError = true)] public static partial int setsockopt(int fd, int level, int name, void* value, uint length);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint sendto(int fd, byte* buffer, nuint length, int flags, void* address, uint addressLength);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, void* address, uint* addressLength);
    [LibraryImport(Lib, SetLastError = true)] public static partial int poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport(Lib, SetLastError = true)] public static partial int ioctl(int fd, ulong request, void* argument);
    [LibraryImport(Lib)] public static partial int close(int fd);

    /// <summary>
    /// sendto, retried on EINTR. False when the kernel had no buffer for the packet
    /// (ENOBUFS/EAGAIN: it is lost, as on a congested wire); other failures throw.
    /// </summary>
    public static bool SendTo(int fd, ReadOnlySpan<byte> packet, void* address, uint addressLength, string what)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = packet)
                n = sendto(fd, p, (nuint)packet.Length, 0, address, addressLength);
            if (n >= 0)
                return true;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
                continue;
            if (errno is ENOBUFS or EAGAIN)
                return false;
            throw new NeighbourSocketException(errno, what);
        }
    }

    public static void SetInt(int fd, int level, int name, int value, string what)
    {
        if (setsockopt(fd, level, name, &value, sizeof(int)) != 0)
            throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), what);
    }

    /// <summary>Monotonic milliseconds left until <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp), rounded up.</summary>
    public static int MillisecondsUntil(long deadline)
    {
        long left = deadline - Stopwatch.GetTimestamp();
        if (left <= 0)
            return 0;
        long ms = (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return ms > int.MaxValue ? int.MaxValue : (int)ms;
    }
}

/// <summary>
/// An AF_PACKET socket (packet(7)): link-layer frames to and from one link, without IP routing,
/// netfilter or the address state getting in the way. SOCK_DGRAM sockets let the kernel build and
/// strip the link-layer header (the destination comes from <see cref="SockaddrLl"/>); SOCK_RAW
/// sockets see whole frames (tests use them to check the Ethernet header).
/// </summary>
/// <remarks>
/// Closing a packet socket waits for an RCU grace period (packet_release calls synchronize_net):
/// 8–20 ms on a HZ=250 kernel, whether it is closed explicitly or by the process's exit.
/// </remarks>
internal sealed unsafe class PacketSocket : IDisposable
{
    public const int AF_PACKET = 17;
    public const int SOCK_RAW = 3, SOCK_DGRAM = 2;
    public const ushort ETH_P_ALL = 0x0003, ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_IPV6 = 0x86DD;
    public const byte PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    const ulong SIOCGSTAMPNS = 0x8907;

    /// <summary>struct sockaddr_ll (20 bytes); the protocol is in network byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    struct Timespec { public long Seconds; public long Nanoseconds; }

    int fd;

    PacketSocket(int fd) => this.fd = fd;

    /// <summary>
    /// Opens a packet socket. <paramref name="protocol"/> 0 receives nothing (a socket that only
    /// sends); anything else starts receiving at once, so prefer 0 and <see cref="Bind"/>.
    /// </summary>
    public static PacketSocket Open(int type, ushort protocol)
    {
        int fd = SocketNative.socket(AF_PACKET, type | SocketNative.SOCK_CLOEXEC, Htons(protocol));
        if (fd < 0)
            throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), $"socket(AF_PACKET, {(type == SOCK_RAW ? "SOCK_RAW" : "SOCK_DGRAM")})");
        return new PacketSocket(fd);
    }

    /// <summary>Receives only <paramref name="protocol"/> frames of link <paramref name="ifIndex"/>.</summary>
    public void Bind(int ifIndex, ushort protocol)
    {
        SockaddrLl sll = default;
        sll.Family = AF_PACKET;
        sll.Protocol = Htons(protocol);
        sll.IfIndex = ifIndex;
        if (SocketNative.bind(fd, &sll, (uint)sizeof(SockaddrLl)) != 0)
            throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), $"bind(AF_PACKET, ifindex {ifIndex})");
    }

    /// <summary>
    /// Sends one packet to hardware address <paramref name="destination"/> on link
    /// <paramref name="ifIndex"/> with link-layer protocol <paramref name="protocol"/>; false when
    /// the kernel had no buffer for it.
    /// </summary>
    public bool SendTo(ReadOnlySpan<byte> packet, int ifIndex, ushort protocol, ReadOnlySpan<byte> destination)
    {
        SockaddrLl sll = default;
        sll.Family = AF_PACKET;
        sll.Protocol = Htons(protocol);
        sll.IfIndex = ifIndex;
        sll.AddressLength = (byte)Math.Min(destination.Length, 8);
        destination[..sll.AddressLength].CopyTo(new Span<byte>(sll.Address, 8));
        return SocketNative.SendTo(fd, packet, &sll, (uint)sizeof(SockaddrLl), $"sendto(AF_PACKET, ifindex {ifIndex})");
    }

    /// <summary>
    /// Waits until a packet can be read: true when one can, false after the timeout or when a
    /// signal interrupted the wait (callers loop on their own deadline).
    /// </summary>
    public bool WaitReadable(int timeoutMs)
    {
        SocketNative.PollFd pfd = new() { Fd = fd, Events = SocketNative.POLLIN };
        int r = SocketNative.poll(&pfd, 1, timeoutMs);
        if (r > 0)
            return true;
        if (r == 0)
            return false;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == SocketNative.EINTR)
            return false;
        throw new NeighbourSocketException(errno, "poll(AF_PACKET)");
    }

    /// <summary>
    /// Reads one packet without blocking: its length (a longer packet is cut to the buffer), or
    /// -1 when none is queued. <paramref name="from"/> says where it came from (link, source
    /// hardware address, packet type).
    /// </summary>
    public int TryReceive(Span<byte> buffer, out SockaddrLl from)
    {
        SockaddrLl sll = default;
        uint len = (uint)sizeof(SockaddrLl);
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = SocketNative.recvfrom(fd, p, (nuint)buffer.Length, SocketNative.MSG_DONTWAIT, &sll, &len);
            if (n >= 0)
            {
                from = sll;
                return (int)Math.Min(n, buffer.Length);
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == SocketNative.EINTR)
                continue;
            from = default;
            if (errno == SocketNative.EAGAIN)
                return -1;
            throw new NeighbourSocketException(errno, "recvfrom(AF_PACKET)");
        }
    }

    /// <summary>The kernel's receive time (CLOCK_REALTIME) of the packet read last (SIOCGSTAMPNS).</summary>
    public DateTime LastReceiveTime()
    {
        Timespec ts;
        if (SocketNative.ioctl(fd, SIOCGSTAMPNS, &ts) != 0)
            throw new NeighbourSocketException(Marshal.GetLastPInvokeError(), "ioctl(SIOCGSTAMPNS)");
        return DateTime.UnixEpoch.AddTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100);
    }

    public void Dispose()
    {
        if (fd >= 0)
        {
            SocketNative.close(fd);
            fd = -1;
        }
    }

    public static ushort Htons(ushort value) => BitConverter.IsLittleEndian ? (ushort)((value >> 8) | (value << 8)) : value;
}
