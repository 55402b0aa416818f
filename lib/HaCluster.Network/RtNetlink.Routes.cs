using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network;

/// <summary>Routes: list a table, flush the route cache.</summary>
public sealed partial class RtNetlink
{
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
}
