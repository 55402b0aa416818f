using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// What the agent is: its name, descriptions, parameters and actions. Each parameter is declared
// once, here; the declaration feeds parsing, validation, the meta-data and the man page. The
// parameters are those of ocf:heartbeat:IPaddr2 (and check_link_status of newer resource-agents).
public sealed partial class IPaddr2Agent
{
    public override string Name => "IPaddr2";
    public override string ShortDescription => "Manages virtual IPv4 and IPv6 addresses (Linux specific version)";
    public override string LongDescription => """
        This Linux-specific resource manages IP alias IP addresses. It can add an IP alias, or
        remove one. It is a drop-in replacement for ocf:heartbeat:IPaddr2 with the same
        parameters, written against the kernel's rtnetlink and packet sockets: it starts no ip,
        arping or send_arp process, and a monitor costs one or two netlink requests.

        Differences from ocf:heartbeat:IPaddr2, where the shell agent is wrong:
        - nic detection picks the most specific route, and several routes to one prefix on the
          same interface (NetworkManager noprefixroute setups, resource-agents #1980/#2001) are
          fine; routes on two interfaces are refused with a reason naming them; altnames and
          DOWN links resolve (#2188); an address added with noprefixroute also tells the subnet.
        - The IPv4 broadcast is derived from the prefix when not given (#656).
        - A nic that does not exist on this node is exit 2 (banned from this node), not 6, which
          would stop the resource on every node.
        - arp_interval is honoured for every arp_sender, and send_arp_opts "-A" sends ARP replies
          with any of them (#860); background sending (arp_bg) holds none of the caller's pipes.
        - An IPv6 address whose duplicate address detection fails is removed and start fails
          with a reason (#180).
        - The cluster-IP mode of cloned, not globally unique addresses needed iptables CLUSTERIP,
          which current kernels no longer have: such a configuration is refused (exit 6) instead
          of half working. Clone with unique_clone_address=true instead.
        - check_link_status (from newer resource-agents) makes the monitor report an address on
          an interface without carrier as not running (#2047).
        - A stop with values no start accepts (a multicast or unspecified ip, a nic with a space)
          is not a failure that gets the node fenced: an address no start would add cannot be
          up (0, with a warning), and a usable ip is removed wherever it is.
        - The background sender asks the kernel before every packet whether the address is
          still there and ends once it is gone; stop finds it without its pid file. A pid file
          or HA_RSCTMP that cannot be written or read is a warning, never a failed start or stop.
        """;

    readonly StringParameter ip = new("ip", "IPv4 or IPv6 address",
        "The IPv4 (dotted quad notation) or IPv6 address (colon hexadecimal notation), e.g. \"203.0.113.10\" or \"2001:db8::10\".")
    { Required = true, Unique = true };

    readonly StringParameter nic = new("nic", "Network interface", """
        The base network interface on which the IP address will be brought online. If left empty,
        it is determined from the routing table (or from an address on the node whose subnet covers
        the IP). An interface altname works too. The old form "eth0:label" is accepted: the part
        after the colon is then the label (see iflabel).
        """);

    readonly StringParameter cidrNetmask = new("cidr_netmask", "CIDR netmask", """
        The netmask for the interface in CIDR format (e.g., 24 and not 255.255.255.0; a dotted
        quad is accepted with a warning). If unspecified, it is determined from the routing table.
        """);

    readonly StringParameter broadcast = new("broadcast", "Broadcast address", """
        Broadcast address associated with the IP (IPv4 only). The special symbols '+' and '-'
        derive it by setting or resetting the host bits of the prefix. Empty: '+' for prefixes
        up to /30, none for /31 and /32.
        """);

    readonly StringParameter iflabel = new("iflabel", "Interface label", """
        An additional label for the IPv4 address, appended to the interface name: the kernel
        allows labels of at most 15 characters including the interface name and the colon
        (e.g. eth0:foobar1234). IPv6 addresses have no labels; it is ignored for them.
        """);

    readonly BooleanParameter lvsSupport = new("lvs_support", "Enable support for LVS DR", """
        Enable support for LVS Direct Routing configurations (IPv4). On start a /32 copy of the
        address on the loopback device is removed; on stop the address is moved back to the
        loopback device, so the local node keeps serving requests without advertising it. Not
        allowed for clones. For IPv6 use lvs_ipv6_addrlabel.
        """);

    readonly BooleanParameter lvsIpv6AddrLabel = new("lvs_ipv6_addrlabel", "Enable adding IPv6 address label.", """
        Add an IPv6 address label for the address so that traffic from its interface does not use
        it as the source address (RFC 3484), as LVS-DR health checks need. Ignored for IPv4.
        """);

    readonly IntegerParameter lvsIpv6AddrLabelValue = new("lvs_ipv6_addrlabel_value", "IPv6 address label value.",
        "The IPv6 address label value used when lvs_ipv6_addrlabel is enabled: an unused label in the policy table (`ip addrlabel list`).")
    { Default = 99, Minimum = 0, Maximum = uint.MaxValue - 1 };

    readonly StringParameter mac = new("mac", "Cluster IP MAC address",
        "Only used by the cluster-IP mode (CLUSTERIP) of ocf:heartbeat:IPaddr2, which this agent refuses: accepted for compatibility, otherwise ignored.");

    readonly StringParameter clusteripHash = new("clusterip_hash", "Cluster IP hashing function",
        "Only used by the cluster-IP mode (CLUSTERIP) of ocf:heartbeat:IPaddr2, which this agent refuses: accepted for compatibility, otherwise ignored.")
    { Default = "sourceip-sourceport" };

    readonly BooleanParameter uniqueCloneAddress = new("unique_clone_address", "Create a unique address for cloned instances",
        "If true, add the clone number to the last octet of the IPv4 address, so every clone instance manages its own address.");

    readonly IntegerParameter arpInterval = new("arp_interval", "ARP/NA packet interval in ms",
        "The interval between unsolicited ARP (IPv4) or NA (IPv6) packets, in milliseconds. Honoured for every arp_sender.")
    { Default = 200, Minimum = 1, Maximum = 60_000, Reloadable = true };

    readonly IntegerParameter arpCount = new("arp_count", "ARP/NA packet count sent during initialization",
        "Number of unsolicited ARP (IPv4) or NA (IPv6) packets to send when the address is started.")
    { Default = 5, Minimum = 1, Maximum = 1000, Reloadable = true };

    readonly IntegerParameter arpCountRefresh = new("arp_count_refresh", "ARP packet count sent during monitoring",
        "For IPv4, number of unsolicited ARP packets to send on every successful monitor, against stuck ARP caches after a split brain.")
    { Default = 0, Minimum = 0, Maximum = 1000, Reloadable = true };

    readonly StringParameter arpBg = new("arp_bg", "ARP/NA from background", """
        Whether to send the ARP (IPv4) or NA (IPv6) packets in the background, so that start
        returns at once. Empty: true for IPv4, false for IPv6. The background sender is this
        agent itself in its own session, with no handle on the caller's output.
        """)
    { Reloadable = true, Check = v => v.Length == 0 || OcfBoolean.TryParse(v, out _) ? null : "must be empty or a truth value" };

    readonly SelectParameter arpSender = new("arp_sender", "ARP sender", """
        Which ARP sender ocf:heartbeat:IPaddr2 would run. This agent sends the packets itself for
        all of them; the names are accepted for compatibility. ipoibarping (InfiniBand) cannot be
        done natively: on InfiniBand links no ARP is sent and a warning is logged.
        """, "send_arp", "iputils_arping", "libnet_arping", "ipoibarping")
    { Reloadable = true };

    readonly StringParameter sendArpOpts = new("send_arp_opts", "Options for ARP sender", """
        Extra options of the ARP sender. "-A" (iputils arping) sends ARP replies instead of
        requests as gratuitous ARPs, "-U" requests (the default); other options have no native
        meaning and are ignored with a warning.
        """)
    { Reloadable = true };

    readonly BooleanParameter flushRoutes = new("flush_routes", "Flush kernel routing table on stop",
        "Flush the routing cache on stop, so that local applications stop using a shortcut to the removed address at once.")
    { Reloadable = true };

    readonly BooleanParameter runArping = new("run_arping", "Run arping for IPv4 collision detection check",
        "For IPv4, probe the address with ARP before adding it (RFC 5227) and fail the start if another host answers.")
    { Reloadable = true };

    readonly BooleanParameter nodad = new("nodad", "Use nodad flag", "For IPv6, do not perform Duplicate Address Detection when adding the address.");

    readonly BooleanParameter noprefixroute = new("noprefixroute", "Use noprefixroute flag", "Add the address with the noprefixroute flag (see 'man ip-address').");

    readonly StringParameter preferredLft = new("preferred_lft", "IPv6 preferred lifetime", """
        For IPv6, the preferred lifetime of the address in seconds, or "forever". 0 keeps the
        address from being chosen as a source address (RFC 4862, 5.5.4).
        """)
    { Default = "forever", Check = v => v == "forever" || (v.Length is > 0 and <= 10 && v.All(char.IsAsciiDigit) && ulong.Parse(v) < uint.MaxValue) ? null : "must be a number of seconds or \"forever\"" };

    readonly StringParameter networkNamespace = new("network_namespace", "Network namespace to use", """
        The network namespace (a name under /run/netns) to operate within. It must exist, and the
        interface must be within it. All kernel work happens inside it; the agent is not re-run
        through `ip netns exec`.
        """)
    { Check = v => v.Length == 0 || NetworkNamespace.IsValidName(v) ? null : "is not a network namespace name" };

    readonly BooleanParameter checkLinkStatus = new("check_link_status", "Consider the link status in monitor", """
        When true, an address on an interface that is down or has no carrier is reported as not
        running, so that Pacemaker recovers it (resource-agents #2047).
        """)
    { Default = true, Reloadable = true };

    public override IReadOnlyList<Parameter> Parameters =>
    [
        ip, nic, cidrNetmask, broadcast, iflabel, lvsSupport, lvsIpv6AddrLabel, lvsIpv6AddrLabelValue, mac, clusteripHash,
        uniqueCloneAddress, arpInterval, arpCount, arpCountRefresh, arpBg, arpSender, sendArpOpts, flushRoutes, runArping,
        nodad, noprefixroute, preferredLft, networkNamespace, checkLinkStatus,
    ];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(20), ActionSpec.Stop(20), ActionSpec.Status(20, 10), ActionSpec.Monitor(20, 10),
        ActionSpec.Reload(20), ActionSpec.MetaData(5), ActionSpec.ValidateAll(20),
    ];
}
