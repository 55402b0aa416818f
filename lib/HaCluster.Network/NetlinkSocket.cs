using System.Runtime.InteropServices;

namespace HaCluster.Network;

/// <summary>Gets each message of a reply; the payload is only valid during the call.</summary>
internal delegate void NetlinkMessageHandler(in NetlinkMessage message);

/// <summary>
/// A raw AF_NETLINK socket talking to the kernel: one request at a time, each with its own
/// sequence number, its answer read until NLMSG_DONE or the acknowledgement. The socket belongs
/// to the network namespace of the thread that created it, for its whole life.
/// </summary>
/// <remarks>Not thread-safe: one request at a time (the owner serialises).</remarks>
internal sealed unsafe partial class NetlinkSocket : IDisposable
{
    public const int NETLINK_ROUTE = 0;
    public static readonly TimeSpan DefaultReceiveTimeout = TimeSpan.FromSeconds(5);

    const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    const int SOL_SOCKET = 1, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21;
    const int SOL_NETLINK = 270, NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;
    const int MSG_PEEK = 0x2, MSG_TRUNC = 0x20;
    internal const int EINTR = 4, EAGAIN = 11, ENOBUFS = 105, EBUSY = 16;

    /// <summary>The kernel caps dump datagrams at 32 KiB; bigger single messages grow the buffer.</summary>
    const int InitialBufferSize = 64 * 1024;

    [StructLayout(LayoutKind.Sequential)]
    struct SockAddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static partial int bind(int fd, SockAddrNl* address, uint length);
    [LibraryImport("libc", SetLastError = true)] private static partial int setsockopt(int fd, int level, int name, void* value, uint length);
    [LibraryImport("libc", SetLastError = true)] private static partial nint sendto(int fd, byte* buffer, nuint length, int flags, SockAddrNl* address, uint addressLength);
    [LibraryImport("libc", SetLastError = true)] private static partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, SockAddrNl* address, uint* addressLength);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);

    int fd;
    byte[] buffer = new byte[InitialBufferSize];
    uint sequence = (uint)Environment.TickCount;

    /// <param name="protocol">NETLINK_ROUTE for rtnetlink.</param>
    /// <param name="receiveTimeout">How long one receive may wait for the kernel (SO_RCVTIMEO); <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    public NetlinkSocket(int protocol = NETLINK_ROUTE, TimeSpan? receiveTimeout = null)
    {
        var timeout = receiveTimeout ?? DefaultReceiveTimeout;
        if (timeout != Timeout.InfiniteTimeSpan && timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(receiveTimeout), "the receive timeout must be positive");

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new NetlinkException(Marshal.GetLastPInvokeError(), "open netlink socket");
        try
        {
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                long us = Math.Max(1, (long)(timeout.TotalMicroseconds));
                var tv = new TimeVal { Seconds = us / 1_000_000, Microseconds = us % 1_000_000 };
                if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, (uint)sizeof(TimeVal)) < 0)
                    throw new NetlinkException(Marshal.GetLastPInvokeError(), "set SO_RCVTIMEO on the netlink socket");
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, (uint)sizeof(TimeVal));
            }
            // Best effort, each: errors shortened to their header (CAP_ACK), the kernel's reason
            // (EXT_ACK, Linux 4.12), and strict checking so that dumps are filtered in the kernel
            // (GET_STRICT_CHK, Linux 4.20). Older kernels refuse them with ENOPROTOOPT.
            int one = 1;
            setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(int));
            setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(int));
            StrictChecking = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(int)) == 0;

            var local = new SockAddrNl { Family = AF_NETLINK };
            if (bind(fd, &local, (uint)sizeof(SockAddrNl)) < 0)
                throw new NetlinkException(Marshal.GetLastPInvokeError(), "bind netlink socket");
        }
        catch
        {
            close(fd);
            fd = -1;
            throw;
        }
    }

    /// <summary>Whether the kernel checks requests strictly and filters dumps by their header (Linux ≥ 4.20).</summary>
    public bool StrictChecking { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and reads its answer: every message other than
    /// NLMSG_DONE/NLMSG_ERROR/NLMSG_NOOP goes to <paramref name="handler"/>. Ends at NLMSG_DONE
    /// (dumps) or the acknowledgement. An NLMSG_ERROR with an error, or an error in NLMSG_DONE,
    /// throws <see cref="NetlinkException"/>; no answer within the receive timeout throws
    /// <see cref="TimeoutException"/>.
    /// </summary>
    /// <returns>
    /// False when a dump must be repeated: it was interrupted by a change (NLM_F_DUMP_INTR) or
    /// messages were lost (ENOBUFS). The answer has then been read to its end all the same.
    /// </returns>
    public bool Transact(NetlinkMessageWriter request, string operation, bool dump, NetlinkMessageHandler? handler)
    {
        ObjectDisposedException.ThrowIf(fd < 0, this);
        uint seq = ++sequence;
        if (seq == 0) seq = ++sequence;
        Send(request.Finish(seq), operation);

        bool complete = true;
        while (true)
        {
            int received = Receive(operation, out bool lost);
            if (lost)
            {
                // The socket overflowed and messages were dropped: a dump is read to its end and
                // repeated; for a plain request the ACK itself may be gone.
                if (!dump) throw new NetlinkException(ENOBUFS, operation);
                complete = false;
                continue;
            }
            var messages = new NetlinkMessageReader(buffer.AsSpan(0, received));
            while (messages.TryRead(out var message))
            {
                if (message.Sequence != seq) continue; // the rest of an earlier, abandoned request
                if ((message.Flags & Nl.NLM_F_DUMP_INTR) != 0) complete = false;
                switch (message.Type)
                {
                    case Nl.NLMSG_NOOP:
                        continue;
                    case Nl.NLMSG_ERROR:
                        int errno = NetlinkDecode.Error(message.Payload);
                        if (errno != 0) throw Failure(errno, operation, message.Flags, message.Payload);
                        return complete;
                    case Nl.NLMSG_DONE:
                        int doneErrno = NetlinkDecode.DoneError(message.Payload);
                        if (doneErrno != 0) throw new NetlinkException(doneErrno, operation);
                        return complete;
                    case Nl.NLMSG_OVERRUN:
                        if (!dump) throw new NetlinkException(ENOBUFS, operation);
                        complete = false;
                        continue;
                    default:
                        handler?.Invoke(in message);
                        break;
                }
            }
        }
    }

    static NetlinkException Failure(int errno, string operation, ushort flags, ReadOnlySpan<byte> payload)
    {
        var reason = NetlinkDecode.ExtendedAckMessage(flags, payload);
        return new NetlinkException(errno, reason is null ? operation : $"{operation} [kernel: {reason}]");
    }

    void Send(ReadOnlySpan<byte> message, string operation)
    {
        var kernel = new SockAddrNl { Family = AF_NETLINK };
        fixed (byte* p = message)
        {
            while (true)
            {
                nint sent = sendto(fd, p, (nuint)message.Length, 0, &kernel, (uint)sizeof(SockAddrNl));
                if (sent >= 0) return;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                if (errno == EAGAIN) throw new TimeoutException($"{operation}: the kernel did not take the netlink request in time");
                throw new NetlinkException(errno, operation);
            }
        }
    }

    /// <summary>
    /// Receives one datagram from the kernel into the buffer (grown to fit: its size is peeked
    /// first with MSG_PEEK|MSG_TRUNC) and returns its length. <paramref name="lost"/>: the socket
    /// reported ENOBUFS (messages were dropped) instead.
    /// </summary>
    internal int Receive(string operation, out bool lost)
    {
        lost = false;
        while (true)
        {
            nint size = recvfrom(fd, null, 0, MSG_PEEK | MSG_TRUNC, null, null);
            if (size < 0)
            {
                if (ReceiveFailed(operation)) { lost = true; return 0; }
                continue;
            }
            if (size > buffer.Length) buffer = new byte[Nl.Align((int)size) + 4096];

            var from = default(SockAddrNl);
            uint fromLength = (uint)sizeof(SockAddrNl);
            nint received;
            fixed (byte* p = buffer)
                received = recvfrom(fd, p, (nuint)buffer.Length, 0, &from, &fromLength);
            if (received < 0)
            {
                if (ReceiveFailed(operation)) { lost = true; return 0; }
                continue;
            }
            if (from.PortId != 0) continue; // not from the kernel
            return (int)received;
        }
    }

    /// <summary>Handles a failed receive: true for ENOBUFS, false to retry (EINTR); throws otherwise.</summary>
    static bool ReceiveFailed(string operation)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            EINTR => false,
            ENOBUFS => true,
            EAGAIN => throw new TimeoutException($"{operation}: no answer from the kernel within the netlink receive timeout"),
            _ => throw new NetlinkException(errno, operation),
        };
    }

    public void Dispose()
    {
        if (fd >= 0)
        {
            close(fd);
            fd = -1;
        }
    }
}
