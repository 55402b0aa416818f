using System.Net;
using System.Net.Sockets;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// What <see cref="IPaddr2Agent.Validate"/> made of the parameters: the values every action of one
/// invocation works with, checked once and immutable after that. Where the address family makes
/// a parameter meaningless (a label on IPv6, a preferred lifetime on IPv4), the value here is
/// already the one the actions use.
/// </summary>
sealed record IPaddr2Configuration
{
    /// <summary>The address to manage, with the clone number added for unique_clone_address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The base interface named by nic (without a label), or null to find it from the routing table.</summary>
    public required string? Nic { get; init; }

    /// <summary>iflabel, or the label of the deprecated "eth0:label" form of nic; null for none.</summary>
    public required string? Label { get; init; }

    /// <summary>The prefix length from cidr_netmask, or null to take it from the routing table.</summary>
    public required int? PrefixLength { get; init; }

    /// <summary>The broadcast parameter for an IPv4 address ('+', '-', an address or empty); empty for IPv6.</summary>
    public required string Broadcast { get; init; }

    /// <summary>lvs_support: the address moves to loopback on stop and back on start.</summary>
    public required bool LvsSupport { get; init; }

    /// <summary>The RFC 3484 label value to add for the address (lvs_ipv6_addrlabel on IPv6); null for none.</summary>
    public required uint? AddressLabel { get; init; }

    /// <summary>How many announcements start sends (arp_count).</summary>
    public required int ArpCount { get; init; }

    /// <summary>How many announcements each recurring monitor sends (arp_count_refresh).</summary>
    public required int ArpCountRefresh { get; init; }

    /// <summary>The time between two announcements (arp_interval).</summary>
    public required TimeSpan ArpInterval { get; init; }

    /// <summary>arp_bg, with its empty value resolved by the address family.</summary>
    public required bool AnnounceInBackground { get; init; }

    /// <summary>send_arp_opts has "-A": gratuitous ARPs are replies, not requests.</summary>
    public required bool ArpReplies { get; init; }

    /// <summary>flush_routes: flush the route cache on stop.</summary>
    public required bool FlushRoutes { get; init; }

    /// <summary>run_arping: probe an IPv4 address with ARP before adding it.</summary>
    public required bool RunArping { get; init; }

    /// <summary>nodad: no duplicate address detection for an IPv6 address.</summary>
    public required bool NoDad { get; init; }

    /// <summary>noprefixroute: the kernel adds no route for the address's prefix.</summary>
    public required bool NoPrefixRoute { get; init; }

    /// <summary>preferred_lft of an IPv6 address in seconds; null for "forever" and for IPv4.</summary>
    public required uint? PreferredLifetime { get; init; }

    /// <summary>The network namespace to work in (a name under /run/netns); empty for the agent's own.</summary>
    public required string NetworkNamespace { get; init; }

    /// <summary>check_link_status: an address on a link without carrier is not running.</summary>
    public required bool CheckLinkStatus { get; init; }

    public AddressFamily Family => Address.AddressFamily;
    public bool IsV4 => Family == AddressFamily.InterNetwork;
}
