using System.Net;
using System.Net.Sockets;
using HaCluster.Core;

namespace HaCluster.Network;

/// <summary>
/// <see cref="INetworkStack"/> over an rtnetlink socket (NETLINK_ROUTE): every call is one
/// request with its own sequence number and NLM_F_ACK, read until its acknowledgement or
/// NLMSG_DONE. Dumps interrupted by a concurrent change (NLM_F_DUMP_INTR) or that lost messages
/// (ENOBUFS) are repeated.
/// </summary>
/// <remarks>
/// The socket is opened by the constructor and belongs to the network namespace of the thread
/// that constructs the object: enter a namespace (<see cref="NetworkNamespace.Enter"/>) before
/// creating it. Calls are serialised; one instance may be shared between threads.
/// </remarks>
public sealed partial class RtNetlink : INetworkStack, IDisposable
{
    /// <summary>How often a dump interrupted by concurrent changes is tried before it fails with EINTR.</summary>
    const int DumpAttempts = 16;

    readonly NetlinkSocket socket;
    readonly object gate = new();

    /// <summary>How many dumps were repeated because the kernel flagged them interrupted or messages were lost (for tests).</summary>
    internal int DumpRepeats { get; private set; }

    /// <param name="receiveTimeout">
    /// How long one receive may wait for the kernel (SO_RCVTIMEO), 5 s when null; a request that
    /// gets no answer throws <see cref="TimeoutException"/>.
    /// </param>
    public RtNetlink(TimeSpan? receiveTimeout = null)
    {
        socket = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, receiveTimeout);
    }

    public void Dispose()
    {
        lock (gate) socket.Dispose();
    }

    static byte AddressFamilyOf(IPAddress address, string parameter) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => Nl.AF_INET,
        AddressFamily.InterNetworkV6 => Nl.AF_INET6,
        _ => throw new ArgumentException($"{address} is neither an IPv4 nor an IPv6 address", parameter),
    };

    static void CheckPrefix(IPAddress address, int prefixLength, string parameter)
    {
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
            throw new ArgumentOutOfRangeException(parameter, $"prefix length {prefixLength} is not between 0 and {max}");
    }

    /// <summary>A request answered by an acknowledgement only.</summary>
    void Request(NetlinkMessageWriter request, string operation)
    {
        lock (gate) socket.Transact(request, operation, dump: false, null);
    }

    internal delegate T? Parser<T>(ushort type, ReadOnlySpan<byte> payload) where T : class;

    /// <summary>
    /// A dump, repeated (after a short, growing pause) while the kernel reports it interrupted by
    /// a concurrent change or messages were lost; its answer might skip or repeat entries. Fails
    /// with EINTR when it never gets through.
    /// </summary>
    List<T> Dump<T>(Func<NetlinkMessageWriter> build, string operation, Parser<T> parse) where T : class
    {
        var results = new List<T>();
        lock (gate)
        {
            for (int attempt = 1; ; attempt++)
            {
                results.Clear();
                bool complete = socket.Transact(build(), operation, dump: true, (in NetlinkMessage m) =>
                {
                    if (parse(m.Type, m.Payload) is { } item) results.Add(item);
                });
                if (complete) return results;
                if (attempt == DumpAttempts)
                    throw new NetlinkException(NetlinkSocket.EINTR, $"{operation} [interrupted by concurrent changes {DumpAttempts} times]");
                DumpRepeats++;
                if (attempt > 2) Clock.System.Sleep(TimeSpan.FromMilliseconds(Math.Min(attempt - 2, 10)));
            }
        }
    }
}
