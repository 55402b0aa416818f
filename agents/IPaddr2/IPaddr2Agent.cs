using System.Net;
using System.Net.Sockets;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Network;
using HaCluster.Ocf;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// ocf:hacluster:IPaddr2 — a floating IPv4 or IPv6 address, a drop-in for ocf:heartbeat:IPaddr2.
/// All kernel work goes over rtnetlink and packet sockets: no ip, arping or send_arp process.
/// </summary>
public sealed partial class IPaddr2Agent : ResourceAgent
{
    readonly Func<INetworkStack> openStack;
    readonly Func<INeighbourAnnouncer> openAnnouncer;
    INetworkStack? stack;

    /// <param name="openStack">Opened after the network namespace is entered: sockets belong to the namespace they were created in.</param>
    public IPaddr2Agent(Func<INetworkStack>? openStack = null, Func<INeighbourAnnouncer>? openAnnouncer = null)
    {
        this.openStack = openStack ?? (() => new RtNetlink());
        this.openAnnouncer = openAnnouncer ?? (() => new NeighbourAnnouncer());
    }

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
        """;

    // ---------------------------------------------------------------- parameters
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

    // ---------------------------------------------------------------- the configuration, as parsed
    IPAddress address = IPAddress.None;
    AddressFamily Family => address.AddressFamily;
    bool IsV4 => Family == AddressFamily.InterNetwork;
    string? baseNic;
    string? labelFromNic;
    int? prefix;

    public override void Validate()
    {
        address = IpAddressText.Parse(ip.Value) ?? throw OcfError.Configured($"parameter 'ip' is not an IPv4 or IPv6 address: {SafeText.Quote(ip.Value)}");
        if (IpAddressText.NotAHostAddress(address) is { } notHost)
            throw OcfError.Configured($"parameter 'ip' is {notHost}: {address}");

        // A clone without unique addresses is ocf:heartbeat:IPaddr2's cluster-IP mode.
        if (Meta.IsClone && Meta.CloneMax > 1 && !uniqueCloneAddress.Value)
            throw OcfError.Configured("a cloned IPaddr2 needs unique_clone_address=true: the cluster-IP mode it would use (iptables CLUSTERIP) no longer exists in current kernels");
        if (Meta.IsClone && lvsSupport.Value)
            throw OcfError.Configured("lvs_support cannot be used with a cloned IPaddr2");
        if (uniqueCloneAddress.Value && Meta.CloneNumber is int n && n > 0)
        {
            if (!IsV4) throw OcfError.Configured("unique_clone_address works for IPv4 addresses only");
            address = IpAddressText.AddToLastOctet(address, n)
                ?? throw OcfError.Configured($"unique_clone_address: {ip.Value} plus clone number {n} is not an address");
        }

        baseNic = nic.Value.Length == 0 ? null : nic.Value;
        if (baseNic is not null && baseNic.Contains(':'))
        {
            // The deprecated "eth0:label" form.
            labelFromNic = baseNic[(baseNic.IndexOf(':') + 1)..];
            baseNic = baseNic[..baseNic.IndexOf(':')];
            if (ShouldWarnAboutConfiguration) Log.LogWarning("nic {Nic} with a label is deprecated: use nic={Base} and iflabel={Label}", nic.Value, baseNic, labelFromNic);
        }
        if (baseNic is not null && (baseNic.Length is 0 or > 127 || baseNic.Any(c => c == '/' || char.IsWhiteSpace(c))))
            throw OcfError.Configured($"parameter 'nic' is not an interface name: {SafeText.Quote(nic.Value)}");
        if (baseNic is null && !IsV4 && address.IsIPv6LinkLocal)
            throw OcfError.Configured($"parameter 'nic' is required for the link-local address {address}");

        prefix = null;
        if (cidrNetmask.Value.Length > 0)
        {
            prefix = IpAddressText.ParsePrefix(cidrNetmask.Value, Family, out bool dotted)
                ?? throw OcfError.Configured($"parameter 'cidr_netmask' is not a prefix length for {(IsV4 ? "IPv4 (0-32)" : "IPv6 (0-128)")}: {SafeText.Quote(cidrNetmask.Value)}");
            if (dotted && ShouldWarnAboutConfiguration) Log.LogWarning("cidr_netmask {Mask} is a dotted quad: use the prefix length {Prefix}", cidrNetmask.Value, prefix);
        }

        if (IsV4 && broadcast.Value is { Length: > 0 } b && b != "+" && b != "-" && IpAddressText.Parse(b) is not { AddressFamily: AddressFamily.InterNetwork })
            throw OcfError.Configured($"parameter 'broadcast' is not an IPv4 address, '+' or '-': {SafeText.Quote(b)}");

        if (Label is { } label)
        {
            if (label.Any(c => c <= ' ' || c > '~' || c == '/' || c == ':'))
                throw OcfError.Configured($"parameter 'iflabel' may contain only printable ASCII without spaces, '/' or ':': {SafeText.Quote(label)}");
            if (baseNic is not null && baseNic.Length + 1 + label.Length > 15)
                throw OcfError.Configured($"the address label {baseNic}:{label} is longer than the kernel's 15 characters");
        }

        foreach (var option in SendArpOptions())
            if (option is not ("-A" or "-U") && ShouldWarnAboutConfiguration)
                Log.LogWarning("send_arp_opts option {Option} has no native meaning and is ignored", option);

        if (networkNamespace.Value.Length > 0 && !File.Exists($"/run/netns/{networkNamespace.Value}"))
            throw OcfError.NotInstalled($"network namespace {SafeText.Quote(networkNamespace.Value)} does not exist (no /run/netns/{networkNamespace.Value})");
    }

    string? Label => iflabel.Value.Length > 0 ? iflabel.Value : labelFromNic;
    IEnumerable<string> SendArpOptions() => sendArpOpts.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    bool AnnounceInBackground => arpBg.Value.Length == 0 ? IsV4 : CrmMeta.IsTrue(arpBg.Value);
    TimeSpan ArpInterval => TimeSpan.FromMilliseconds(arpInterval.Value);

    /// <summary>The kernel, inside network_namespace when one is set.</summary>
    INetworkStack Stack
    {
        get
        {
            if (stack is not null) return stack;
            if (networkNamespace.Value.Length > 0)
            {
                try { NetworkNamespace.Enter(networkNamespace.Value); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    throw OcfError.NotInstalled($"cannot enter network namespace {SafeText.Quote(networkNamespace.Value)}: {e.Message}");
                }
            }
            return stack = openStack();
        }
    }

    // ---------------------------------------------------------------- actions
    public override OcfExitCode Start()
    {
        var placement = Place();
        var link = placement.Link;
        if (IsV4 && placement.PrefixLength <= 30 &&
            (address.Equals(IpAddressText.HostBits(address, placement.PrefixLength, set: false)) || address.Equals(IpAddressText.HostBits(address, placement.PrefixLength, set: true))))
            throw OcfError.Configured($"parameter 'ip' {address} is the network or broadcast address of its /{placement.PrefixLength} subnet");
        var present = Find(link);
        if (present is not null) return OcfExitCode.Success;

        var elsewhere = Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(address));
        if (elsewhere is not null)
        {
            var other = Stack.FindLink(elsewhere.LinkIndex);
            if (elsewhere.LinkIndex == link.Index)
                throw OcfError.Generic($"{address} is already on {link.Name} with prefix /{elsewhere.PrefixLength}, not /{placement.PrefixLength}");
            if (lvsSupport.Value && other is { IsLoopback: true })
                Stack.DeleteAddress(elsewhere.LinkIndex, address, elsewhere.PrefixLength);
            else
                throw OcfError.Generic($"{address} is already on interface {other?.Name ?? "#" + elsewhere.LinkIndex}, not on {link.Name}");
        }

        if (IsV4 && runArping.Value)
        {
            var owner = openAnnouncer().ProbeIPv4(link, address, Deadline.Within(TimeSpan.FromSeconds(1)).Remaining);
            if (owner is not null)
                throw OcfError.Generic($"{address} is already in use on the network by {string.Join(':', owner.GetAddressBytes().Select(b => b.ToString("x2")))}");
        }

        try
        {
            Stack.AddAddress(new AddressRequest(link.Index, address, placement.PrefixLength)
            {
                Broadcast = placement.Broadcast,
                Label = IsV4 && Label is { } l ? $"{link.Name}:{l}" : null,
                Flags = (nodad.Value && !IsV4 ? AddressFlags.NoDad : 0) | (noprefixroute.Value ? AddressFlags.NoPrefixRoute : 0),
                PreferredLifetime = !IsV4 && preferredLft.Value != "forever" ? uint.Parse(preferredLft.Value) : null,
            });
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
        catch (NetlinkException e)
        {
            throw OcfError.Generic($"cannot add {address}/{placement.PrefixLength} to {link.Name}: {e.Message}");
        }
        LogAdded(Log, address, placement.PrefixLength, link.Name);
        if (!link.IsUp) Stack.SetLinkUp(link.Index);

        if (!IsV4) WaitForDuplicateAddressDetection(link, placement.PrefixLength);
        if (!IsV4 && lvsIpv6AddrLabel.Value)
        {
            try { Stack.AddAddressLabel(address, 128, (uint)lvsIpv6AddrLabelValue.Value); }
            catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
        }

        Announce(Stack.FindLink(link.Index) ?? link, (int)arpCount.Value, AnnounceInBackground);
        return OcfExitCode.Success;
    }

    public override OcfExitCode Stop()
    {
        StopBackgroundAnnouncer();
        var link = baseNic is null ? null : Stack.FindLink(baseNic);
        var present = link is null ? Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(address) && !IsLvsLoopbackCopy(a)) : Find(link);
        if (present is not null)
        {
            try { Stack.DeleteAddress(present.LinkIndex, address, present.PrefixLength); }
            catch (NetlinkException e) when (e.Errno is NetlinkException.EADDRNOTAVAIL or NetlinkException.ENOENT or NetlinkException.ENODEV) { }
            catch (NetlinkException e) { throw OcfError.Generic($"cannot remove {address}: {e.Message}"); }
            LogRemoved(Log, address);
        }
        if (flushRoutes.Value) Stack.FlushRouteCache(Family);
        if (!IsV4 && lvsIpv6AddrLabel.Value)
        {
            try { Stack.DeleteAddressLabel(address, 128, (uint)lvsIpv6AddrLabelValue.Value); }
            catch (NetlinkException) { }
        }
        if (IsV4 && lvsSupport.Value) RestoreOnLoopback();
        return OcfExitCode.Success;
    }

    public override OcfExitCode Monitor()
    {
        LinkInfo? link = null;
        if (baseNic is not null)
        {
            link = Stack.FindLink(baseNic);
            if (link is null)
            {
                if (IsProbe) return OcfExitCode.NotRunning;
                throw OcfError.Generic($"interface {baseNic} no longer exists");
            }
        }
        var present = link is not null ? Find(link) : Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(address) && (prefix is null || a.PrefixLength == prefix) && !IsLvsLoopbackCopy(a));
        if (present is null) return OcfExitCode.NotRunning;
        link ??= Stack.FindLink(present.LinkIndex);
        if (link is null) return OcfExitCode.NotRunning;

        if (checkLinkStatus.Value && (!link.IsUp || !link.HasCarrier))
        {
            LogLinkDown(Log, link.Name, address);
            return OcfExitCode.NotRunning;
        }
        if (IsV4 && Label is { } label && present.Label != $"{link.Name}:{label}")
            throw OcfError.Generic($"{address} is on {link.Name} with label {SafeText.Quote(present.Label ?? "")} instead of {link.Name}:{label}");
        if (!IsV4 && present.IsDadFailed)
            throw OcfError.Generic($"{address} failed duplicate address detection on {link.Name}");

        if (IsV4 && arpCountRefresh.Value > 0 && !IsProbe)
            Announce(link, (int)arpCountRefresh.Value, background: false);
        return OcfExitCode.Success;
    }

    public override OcfExitCode Status()
    {
        var rc = Monitor();
        Print(rc == OcfExitCode.Success ? "running\n" : "stopped\n");
        return rc;
    }

    public override OcfExitCode Reload() => OcfExitCode.Success; // the reloadable parameters take effect at the next action

    public override OcfExitCode ValidateAll()
    {
        // validate-all checks this host too: the interface and netmask must be determinable.
        Place();
        return OcfExitCode.Success;
    }

    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        // An address that does not parse cannot have been added by this agent; nothing to stop.
        if (IpAddressText.Parse(ip.RawValue ?? "") is null) { Log.LogWarning("stop: {Reason}; nothing to remove", validationFailure.Reason); return OcfExitCode.Success; }
        throw validationFailure;
    }

    // ---------------------------------------------------------------- helpers
    AddressPlacement Place() => InterfaceFinder.Find(Stack, address, baseNic, prefix, IsV4 ? broadcast.Value : "");

    AddressInfo? Find(LinkInfo link) =>
        Stack.Addresses(Family, link.Index).FirstOrDefault(a => a.Address.Equals(address) && (prefix is null || a.PrefixLength == prefix));

    /// <summary>With lvs_support, stop leaves a /32 copy on loopback: that copy is not the running resource.</summary>
    bool IsLvsLoopbackCopy(AddressInfo a) => lvsSupport.Value && a.PrefixLength == 32 && Stack.FindLink(a.LinkIndex) is { IsLoopback: true };

    void WaitForDuplicateAddressDetection(LinkInfo link, int prefixLength)
    {
        if (nodad.Value) return;
        // DAD takes about a second (1 probe, RetransTimer 1 s); never spend more than 10 s or
        // what the deadline leaves after a second for the announcements.
        var reserve = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Deadline.Remaining.Ticks / 4));
        var wait = Deadline.Reserve(reserve).Within(TimeSpan.FromSeconds(10));
        AddressInfo? state = null;
        // A failed address keeps its tentative flag ("tentative dadfailed"): stop at either.
        wait.WaitUntil(() => (state = Find(link)) is null or { IsTentative: false } or { IsDadFailed: true }, TimeSpan.FromMilliseconds(100));
        if (state is { IsDadFailed: true })
        {
            try { Stack.DeleteAddress(link.Index, address, prefixLength); } catch (NetlinkException) { }
            throw OcfError.Generic($"{address} is already in use on the network: duplicate address detection failed on {link.Name}");
        }
        if (state is { IsTentative: true })
        {
            try { Stack.DeleteAddress(link.Index, address, prefixLength); } catch (NetlinkException) { }
            throw OcfError.Generic($"duplicate address detection of {address} on {link.Name} did not finish in time");
        }
    }

    void Announce(LinkInfo link, int count, bool background)
    {
        if (link.IsLoopback || link.HardwareAddress is null || link.HardwareAddress.GetAddressBytes().Length == 0) return;
        if (link.HardwareType == 32 /* ARPHRD_INFINIBAND */)
        {
            Log.LogWarning("{Link} is an InfiniBand link: no native unsolicited ARP is sent for {Address}", link.Name, address);
            return;
        }
        bool reply = SendArpOptions().Contains("-A");
        if (background)
        {
            StopBackgroundAnnouncer();
            int pid = Processes.StartDetached(BackgroundAnnouncement.Command(
                Environment.ProcessPath ?? Env.Argv0, networkNamespace.Value, link.Index, address, count, ArpInterval, reply));
            File.WriteAllText(AnnouncerPidFile, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        var announcer = openAnnouncer();
        int sent = IsV4
            ? announcer.AnnounceIPv4(link, address, count, ArpInterval, reply, () => Deadline.IsExpired)
            : announcer.AnnounceIPv6(link, address, count, ArpInterval, () => Deadline.IsExpired);
        if (sent < count) Log.LogWarning("sent {Sent} of {Count} announcements for {Address} before the deadline", sent, count, address);
    }

    string AnnouncerPidFile
    {
        get
        {
            StateFiles.EnsureDirectory(Env.RscTmp);
            return StateFiles.PathFor(Env, "announcer.pid");
        }
    }

    /// <summary>Ends a background sender left from an earlier start, checked by its command line (PIDs get reused).</summary>
    void StopBackgroundAnnouncer()
    {
        string file = StateFiles.PathFor(Env, "announcer.pid");
        if (!File.Exists(file)) return;
        if (int.TryParse(File.ReadAllText(file).Trim(), out int pid) && BackgroundAnnouncement.IsRunning(pid))
            BackgroundAnnouncement.Kill(pid);
        File.Delete(file);
    }

    void RestoreOnLoopback()
    {
        var lo = Stack.Links().FirstOrDefault(l => l.IsLoopback);
        if (lo is null) return;
        try { Stack.AddAddress(new AddressRequest(lo.Index, address, 32)); }
        catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "added {Address}/{Prefix} to {Link}")]
    static partial void LogAdded(ILogger logger, IPAddress address, int prefix, string link);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed {Address}")]
    static partial void LogRemoved(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Link} is down or has no carrier: reporting {Address} as not running")]
    static partial void LogLinkDown(ILogger logger, string link, IPAddress address);
}
