using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

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
public sealed class RtNetlink : INetworkStack, IDisposable
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

    // ------------------------------------------------------------------ links

    public IReadOnlyList<LinkInfo> Links()
    {
        return Dump(() => new NetlinkMessageWriter(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_DUMP)
                .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC })
                .AttributeU32(Nl.IFLA_EXT_MASK, Nl.RTEXT_FILTER_SKIP_STATS),
            "list links (RTM_GETLINK)", ParseLink);
    }

    public LinkInfo? FindLink(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes >= Nl.ALTIFNAMSIZ || name.Contains('\0')) return null;
        string operation = $"find link {name} (RTM_GETLINK)";

        // The kernel looks names up in one table that holds names and altnames alike; IFLA_IFNAME
        // carries at most 15 bytes, longer altnames go in IFLA_ALT_IFNAME (Linux 5.5).
        bool shortName = bytes < Nl.IFNAMSIZ;
        try
        {
            return GetLink(w => w.AttributeString(shortName ? Nl.IFLA_IFNAME : Nl.IFLA_ALT_IFNAME, name), operation);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
            return null;
        }
        catch (NetlinkException e) when (!shortName && e.Errno == NetlinkException.EINVAL)
        {
            // A kernel without lookups by altname: search the whole list.
            return Links().FirstOrDefault(l => l.Name == name || l.AltNames.Contains(name));
        }
    }

    public LinkInfo? FindLink(int index)
    {
        if (index <= 0) return null;
        try
        {
            return GetLink(null, $"find link #{index} (RTM_GETLINK)", index);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
            return null;
        }
    }

    LinkInfo? GetLink(Action<NetlinkMessageWriter>? attributes, string operation, int index = 0)
    {
        var request = new NetlinkMessageWriter(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC, Index = index });
        attributes?.Invoke(request);
        request.AttributeU32(Nl.IFLA_EXT_MASK, Nl.RTEXT_FILTER_SKIP_STATS);
        LinkInfo? found = null;
        lock (gate)
            socket.Transact(request, operation, dump: false, (in NetlinkMessage m) => found ??= ParseLink(m.Type, m.Payload));
        return found;
    }

    internal static LinkInfo? ParseLink(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != Nl.RTM_NEWLINK || !NetlinkDecode.TryStruct<IfInfoMsg>(payload, out var ifi, out var rest)) return null;
        string? name = null;
        List<string>? altNames = null;
        byte operState = 0;
        PhysicalAddress? address = null, broadcast = null;
        int mtu = 0;
        var attributes = new AttributeReader(rest);
        while (attributes.TryRead(out ushort attribute, out var value))
        {
            switch (attribute)
            {
                case Nl.IFLA_IFNAME: name = NetlinkDecode.String(value); break;
                case Nl.IFLA_OPERSTATE: operState = NetlinkDecode.U8(value); break;
                case Nl.IFLA_MTU: mtu = (int)NetlinkDecode.U32(value); break;
                case Nl.IFLA_ADDRESS: address = new PhysicalAddress(value.ToArray()); break;
                case Nl.IFLA_BROADCAST: broadcast = new PhysicalAddress(value.ToArray()); break;
                case Nl.IFLA_PROP_LIST:
                    var properties = new AttributeReader(value);
                    while (properties.TryRead(out ushort property, out var propertyValue))
                        if (property == Nl.IFLA_ALT_IFNAME) (altNames ??= []).Add(NetlinkDecode.String(propertyValue));
                    break;
            }
        }
        return new LinkInfo(ifi.Index, name ?? "", (IReadOnlyList<string>?)altNames ?? [], ifi.Flags, operState, ifi.Type, address, broadcast, mtu);
    }

    public void SetLinkUp(int linkIndex)
    {
        var request = new NetlinkMessageWriter(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC, Index = linkIndex, Flags = Nl.IFF_UP, Change = Nl.IFF_UP });
        Request(request, $"set link #{linkIndex} up (RTM_NEWLINK)");
    }

    // -------------------------------------------------------------- addresses

    public IReadOnlyList<AddressInfo> Addresses(AddressFamily family, int? linkIndex = null)
    {
        byte af = Nl.Family(family);
        // The link is filtered here, not by the kernel (ifa_index with strict checking): a dump
        // filtered by link does not report NLM_F_DUMP_INTR (Linux 6.18 at least) and can then
        // skip or repeat addresses while they change. Kernels without strict checking also
        // send every family.
        var all = Dump(() => new NetlinkMessageWriter(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_DUMP)
                .Struct(new IfAddrMsg { Family = af }),
            "list addresses (RTM_GETADDR)", ParseAddress);
        if (linkIndex is null && all.TrueForAll(a => af == Nl.AF_UNSPEC || a.Family == family)) return all;
        return all.FindAll(a => (af == Nl.AF_UNSPEC || a.Family == family) && (linkIndex is not { } i || a.LinkIndex == i));
    }

    internal static AddressInfo? ParseAddress(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != Nl.RTM_NEWADDR || !NetlinkDecode.TryStruct<IfAddrMsg>(payload, out var ifa, out var rest)) return null;
        IPAddress? address = null, local = null, broadcast = null;
        string? label = null;
        uint flags = ifa.Flags;
        uint preferred = uint.MaxValue, valid = uint.MaxValue;
        var attributes = new AttributeReader(rest);
        while (attributes.TryRead(out ushort attribute, out var value))
        {
            switch (attribute)
            {
                case Nl.IFA_ADDRESS: address = NetlinkDecode.Address(value); break;
                case Nl.IFA_LOCAL: local = NetlinkDecode.Address(value); break;
                case Nl.IFA_BROADCAST: broadcast = NetlinkDecode.Address(value); break;
                case Nl.IFA_LABEL: label = NetlinkDecode.String(value); break;
                case Nl.IFA_FLAGS: if (value.Length >= 4) flags = NetlinkDecode.U32(value); break;
                case Nl.IFA_CACHEINFO:
                    if (NetlinkDecode.TryStruct<IfaCacheInfo>(value, out var cache, out _))
                    {
                        preferred = cache.Preferred;
                        valid = cache.Valid;
                    }
                    break;
            }
        }
        // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links (and
        // the only one IPv6 sends otherwise).
        var own = local ?? address;
        if (own is null) return null;
        return new AddressInfo(ifa.Index, Nl.Family(ifa.Family), own, ifa.PrefixLength, broadcast, label, flags, ifa.Scope, preferred, valid);
    }

    public void AddAddress(AddressRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var address = request.Address;
        byte af = AddressFamilyOf(address, nameof(request));
        CheckPrefix(address, request.PrefixLength, nameof(request));
        bool v4 = af == Nl.AF_INET;
        if (request.Broadcast is { } b && b.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"broadcast {b} is not an IPv4 address", nameof(request));
        if (request.Broadcast is not null && !v4)
            throw new ArgumentException("a broadcast address is for IPv4 only", nameof(request));
        if (request.Label is { } l && (!v4 || l.Length == 0 || Encoding.UTF8.GetByteCount(l) >= Nl.IFNAMSIZ || l.Contains('\0')))
            throw new ArgumentException($"label {l} is not an IPv4 label of 1 to 15 bytes", nameof(request));

        var msg = new NetlinkMessageWriter(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
            .Struct(new IfAddrMsg
            {
                Family = af,
                PrefixLength = (byte)request.PrefixLength,
                Flags = (byte)request.Flags,
                // As ip(8): 127.0.0.0/8 is host scope; IPv6 derives the scope itself.
                Scope = v4 && address.GetAddressBytes()[0] == 127 ? (byte)254 : (byte)0,
                Index = request.LinkIndex,
            })
            .AttributeAddress(Nl.IFA_LOCAL, address)
            .AttributeAddress(Nl.IFA_ADDRESS, address);
        if (request.Broadcast is not null) msg.AttributeAddress(Nl.IFA_BROADCAST, request.Broadcast);
        if (request.Label is not null) msg.AttributeString(Nl.IFA_LABEL, request.Label);
        if (request.Flags != 0) msg.AttributeU32(Nl.IFA_FLAGS, request.Flags);
        if (request.PreferredLifetime is { } preferred)
            msg.Attribute(Nl.IFA_CACHEINFO, new IfaCacheInfo { Preferred = preferred, Valid = uint.MaxValue });
        Request(msg, $"add address {address}/{request.PrefixLength} to link #{request.LinkIndex} (RTM_NEWADDR)");
    }

    public void DeleteAddress(int linkIndex, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte af = AddressFamilyOf(address, nameof(address));
        CheckPrefix(address, prefixLength, nameof(prefixLength));
        var msg = new NetlinkMessageWriter(Nl.RTM_DELADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfAddrMsg { Family = af, PrefixLength = (byte)prefixLength, Index = linkIndex })
            .AttributeAddress(Nl.IFA_LOCAL, address);
        // IPv4 matches IFA_ADDRESS against the address's prefix (and so checks the prefix length).
        if (af == Nl.AF_INET) msg.AttributeAddress(Nl.IFA_ADDRESS, address);
        Request(msg, $"delete address {address}/{prefixLength} from link #{linkIndex} (RTM_DELADDR)");
    }

    // ----------------------------------------------------------------- routes

    public IReadOnlyList<RouteInfo> Routes(AddressFamily family, int table = RouteTables.Main)
    {
        byte af = Nl.Family(family);
        if (table is <= 0) throw new ArgumentOutOfRangeException(nameof(table), "routing tables are numbered from 1");
        List<RouteInfo> routes;
        try
        {
            // With strict checking the kernel dumps that table only (and says so with
            // NLM_F_DUMP_FILTERED); older kernels send every table.
            routes = Dump(() => new NetlinkMessageWriter(Nl.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_DUMP)
                    .Struct(new RtMsg { Family = af, Table = table < 256 ? (byte)table : (byte)0 })
                    .AttributeU32(Nl.RTA_TABLE, (uint)table),
                "list routes (RTM_GETROUTE)", ParseRoute);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENOENT)
        {
            return []; // "FIB table does not exist"
        }
        return routes.Where(r => r.Table == table && (af == Nl.AF_UNSPEC || r.Family == family)).ToList();
    }

    internal static RouteInfo? ParseRoute(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != Nl.RTM_NEWROUTE || !NetlinkDecode.TryStruct<RtMsg>(payload, out var rtm, out var rest)) return null;
        IPAddress? destination = null, gateway = null, source = null;
        int? outputLink = null;
        uint? metric = null;
        int table = rtm.Table;
        bool multipath = false;
        var attributes = new AttributeReader(rest);
        while (attributes.TryRead(out ushort attribute, out var value))
        {
            switch (attribute)
            {
                case Nl.RTA_DST: destination = NetlinkDecode.Address(value); break;
                case Nl.RTA_OIF: outputLink = (int)NetlinkDecode.U32(value); break;
                case Nl.RTA_GATEWAY: gateway = NetlinkDecode.Address(value); break;
                case Nl.RTA_PREFSRC: source = NetlinkDecode.Address(value); break;
                case Nl.RTA_PRIORITY: metric = NetlinkDecode.U32(value); break;
                case Nl.RTA_TABLE: table = (int)NetlinkDecode.U32(value); break;
                case Nl.RTA_MULTIPATH: multipath = true; break;
            }
        }
        var family = Nl.Family(rtm.Family);
        // No RTA_DST: the default route (0.0.0.0/0, ::/0).
        destination ??= family switch
        {
            AddressFamily.InterNetwork => IPAddress.Any,
            AddressFamily.InterNetworkV6 => IPAddress.IPv6Any,
            _ => null,
        };
        // A multipath route has several links and gateways (in RTA_MULTIPATH): it reports none.
        if (multipath && outputLink is null) gateway = null;
        return new RouteInfo(family, destination, rtm.DstLength, outputLink, gateway, source, metric, table,
            rtm.Type, rtm.Protocol, rtm.Scope, rtm.Flags);
    }

    public void FlushRouteCache(AddressFamily family)
    {
        string path = family switch
        {
            AddressFamily.InterNetwork => "/proc/sys/net/ipv4/route/flush",
            AddressFamily.InterNetworkV6 => "/proc/sys/net/ipv6/route/flush",
            _ => throw new ArgumentException($"address family {family} is neither IPv4 nor IPv6", nameof(family)),
        };
        // /proc/sys/net is the network namespace of the calling thread, as the socket is.
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            file.Write("1\n"u8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // No IPv6, or no route cache to flush.
        }
    }

    // ---------------------------------------------------------- address labels

    public void AddAddressLabel(IPAddress prefix, int prefixLength, uint label) =>
        AddressLabel(Nl.RTM_NEWADDRLABEL, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, prefix, prefixLength, label, "add");

    public void DeleteAddressLabel(IPAddress prefix, int prefixLength, uint label) =>
        AddressLabel(Nl.RTM_DELADDRLABEL, 0, prefix, prefixLength, label, "delete");

    void AddressLabel(ushort type, ushort flags, IPAddress prefix, int prefixLength, uint label, string verb)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"address labels are for IPv6 prefixes, not {prefix}", nameof(prefix));
        CheckPrefix(prefix, prefixLength, nameof(prefixLength));
        var msg = new NetlinkMessageWriter(type, (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags))
            .Struct(new IfAddrLblMsg { Family = Nl.AF_INET6, PrefixLength = (byte)prefixLength })
            .AttributeAddress(Nl.IFAL_ADDRESS, prefix)
            .AttributeU32(Nl.IFAL_LABEL, label);
        Request(msg, string.Create(CultureInfo.InvariantCulture, $"{verb} address label {label} for {prefix}/{prefixLength} ({Nl.MessageName(type)})"));
    }

    // ---------------------------------------------------------------- helpers

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
                if (attempt > 2) Thread.Sleep(Math.Min(attempt - 2, 10));
            }
        }
    }
}
