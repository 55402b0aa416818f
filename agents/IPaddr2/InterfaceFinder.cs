using System.Net;
using System.Net.Sockets;
using HaCluster.Core;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// findif: the interface and prefix for an address, from the parameters or the routing table.
/// <para>
/// Like resource-agents' findif.sh it picks the most specific matching route (IPv4: link-scope
/// routes only, as `ip route list match IP scope link`; 127.x falls back to the local table).
/// Unlike it: several routes to the same prefix on one interface (NetworkManager's noprefixroute
/// addresses with per-address routes, #1980/#2001) are not an error; routes on two interfaces
/// with the same prefix are, with a reason naming both; altnames and DOWN links resolve by
/// index (#2188); when no route matches, an address on a link whose subnet contains the IP
/// (a noprefixroute address) decides; and the IPv4 broadcast is derived from the prefix when not
/// given (#656), instead of copied from another address that may not exist.
/// </para>
/// </summary>
public static class InterfaceFinder
{
    public static AddressPlacement Find(INetworkStack stack, IPAddress ip, string? nic, int? prefix, string broadcast)
    {
        var family = ip.AddressFamily;
        LinkInfo? link = null;
        if (nic is not null)
        {
            // Not 6: the interface may well exist on the other nodes; 2 bans the resource from this one.
            link = stack.FindLink(nic) ?? throw OcfError.Args($"interface {SafeText.Quote(nic)} (parameter 'nic') does not exist on this node");
        }

        if (link is null || prefix is null)
        {
            var (routeLink, routePrefix) = FromRoutes(stack, ip, link);
            if (routeLink is null)
                throw OcfError.Generic(nic is null
                    ? $"cannot determine the interface for {ip}: no route or address on this node covers it; set 'nic' and 'cidr_netmask'"
                    : $"cannot determine the netmask for {ip} on {nic}: no route or address there covers it; set 'cidr_netmask'");
            if (family == AddressFamily.InterNetworkV6 && nic is null && prefix is not null && prefix != routePrefix)
                throw OcfError.Generic($"cidr_netmask {prefix} does not match the prefix /{routePrefix} of the route to {ip} via {routeLink.Name}; set 'nic' to use it anyway");
            link ??= routeLink;
            prefix ??= routePrefix;
        }

        return new AddressPlacement(link, prefix.Value, family == AddressFamily.InterNetwork ? Broadcast(ip, prefix.Value, broadcast) : null);
    }

    static (LinkInfo? link, int prefix) FromRoutes(INetworkStack stack, IPAddress ip, LinkInfo? onlyLink)
    {
        var family = ip.AddressFamily;
        var candidates = stack.Routes(family, RouteTables.Main)
            .Where(r => r.Type == 1 /* unicast */ && r.DestinationLength > 0 && r.Destination is not null && r.OutputLinkIndex is not null
                        && r.Gateway is null
                        && (family != AddressFamily.InterNetwork || r.Scope == 253 /* link */)
                        && IpAddressText.Contains(r.Destination, r.DestinationLength, ip)
                        && (onlyLink is null || r.OutputLinkIndex == onlyLink.Index))
            .ToList();

        if (candidates.Count == 0 && family == AddressFamily.InterNetwork && ip.GetAddressBytes()[0] == 127)
            candidates = stack.Routes(family, RouteTables.Local)
                .Where(r => r.Type == 2 /* local */ && r.Destination is not null && r.OutputLinkIndex is not null
                            && r.DestinationLength > 0 && r.DestinationLength < 32
                            && IpAddressText.Contains(r.Destination, r.DestinationLength, ip))
                .ToList();

        if (candidates.Count > 0)
        {
            int best = candidates.Max(r => r.DestinationLength);
            var bestRoutes = candidates.Where(r => r.DestinationLength == best).ToList();
            var links = bestRoutes.Select(r => r.OutputLinkIndex!.Value).Distinct().ToList();
            if (links.Count > 1)
            {
                var names = links.Select(i => stack.FindLink(i)?.Name ?? $"#{i}");
                throw OcfError.Generic($"routes to {ip}/{best} exist on several interfaces ({string.Join(", ", names)}); set 'nic' to choose one");
            }
            var link = onlyLink ?? stack.FindLink(links[0]);
            if (link is not null) return (link, best);
        }

        // No route: an address whose subnet covers the IP (added with noprefixroute) still tells.
        var covering = stack.Addresses(family, onlyLink?.Index)
            .Where(a => a.PrefixLength > 0 && a.PrefixLength < (family == AddressFamily.InterNetwork ? 32 : 128)
                        && IpAddressText.Contains(a.Address, a.PrefixLength, ip))
            .ToList();
        if (covering.Count == 0) return (null, 0);
        int longest = covering.Max(a => a.PrefixLength);
        var onLinks = covering.Where(a => a.PrefixLength == longest).Select(a => a.LinkIndex).Distinct().ToList();
        if (onLinks.Count > 1)
        {
            var names = onLinks.Select(i => stack.FindLink(i)?.Name ?? $"#{i}");
            throw OcfError.Generic($"addresses covering {ip}/{longest} exist on several interfaces ({string.Join(", ", names)}); set 'nic' to choose one");
        }
        return (onlyLink ?? stack.FindLink(onLinks[0]), longest);
    }

    /// <summary>
    /// The IPv4 broadcast: as given; '+'/'-' set/clear the host bits (ip-address(8)); empty derives
    /// '+' unless the prefix leaves no host bits worth one (/31, /32).
    /// </summary>
    public static IPAddress? Broadcast(IPAddress ip, int prefix, string broadcast) => broadcast switch
    {
        "" => prefix >= 31 ? null : IpAddressText.HostBits(ip, prefix, set: true),
        "+" => IpAddressText.HostBits(ip, prefix, set: true),
        "-" => IpAddressText.HostBits(ip, prefix, set: false),
        _ => IpAddressText.Parse(broadcast),
    };
}
