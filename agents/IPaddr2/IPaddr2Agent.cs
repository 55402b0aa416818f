using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using HaCluster.Core;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// ocf:hacluster:IPaddr2 — a floating IPv4 or IPv6 address, a drop-in for ocf:heartbeat:IPaddr2.
/// All kernel work goes over rtnetlink and packet sockets: no ip, arping or send_arp process.
/// <para>
/// This file holds the constructor and its seams, the state of one invocation,
/// <see cref="Validate"/> and what several action families share; the other partial files hold
/// the meta-data (IPaddr2Agent.MetaData.cs), one family of actions each (StartStop, Status,
/// Reload), the announcements that start and monitor send (IPaddr2Agent.Announcements.cs) and
/// every log message (IPaddr2Agent.Log.cs).
/// </para>
/// </summary>
public sealed partial class IPaddr2Agent : ResourceAgent
{
    /// <summary>An address label is "nic:label" in at most IFNAMSIZ-1 characters.</summary>
    const int MaximumLabelLength = 15;

    readonly Func<INetworkStack> openStack;
    readonly Func<INeighbourAnnouncer> openAnnouncer;
    readonly AnnouncerProcesses announcers;

    /// <param name="openStack">Opened inside network_namespace (when set): sockets belong to the namespace they were created in.</param>
    /// <param name="openAnnouncer">Sends and probes ARP and NA packets in the foreground (inside network_namespace).</param>
    /// <param name="announcers">Finds and ends the background senders of earlier starts.</param>
    public IPaddr2Agent(Func<INetworkStack>? openStack = null, Func<INeighbourAnnouncer>? openAnnouncer = null, AnnouncerProcesses? announcers = null)
    {
        this.openStack = openStack ?? (() => new RtNetlink());
        this.openAnnouncer = openAnnouncer ?? (() => new NeighbourAnnouncer());
        this.announcers = announcers ?? AnnouncerProcesses.OfThisSystem();
    }

    /// <summary>The configuration of this invocation, as <see cref="Validate"/> found it.</summary>
    IPaddr2Configuration Config => config ?? throw new InvalidOperationException("the IPaddr2 agent has not been validated");
    IPaddr2Configuration? config;

    /// <summary>The kernel, opened on first use (inside network_namespace when one is set).</summary>
    INetworkStack? stack;

    /// <summary>
    /// Checks the parameters and returns them as one immutable record: the host calls this before
    /// every action but meta-data and usage, with the values that action is to use (a reload that
    /// restarts the resource validates the old values before its stop).
    /// </summary>
    public override void Validate() => config = ValidConfiguration();

    IPaddr2Configuration ValidConfiguration()
    {
        var address = ValidAddress();
        bool isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var (baseNic, labelFromNic) = ValidNic(address);
        int? prefix = ValidPrefix(address.AddressFamily);

        if (isV4 && broadcast.Value is { Length: > 0 } b && b != "+" && b != "-" && IpAddressText.Parse(b) is not { AddressFamily: AddressFamily.InterNetwork })
            throw OcfError.Configured($"parameter 'broadcast' is not an IPv4 address, '+' or '-': {SafeText.Quote(b)}");

        string? label = iflabel.Value.Length > 0 ? iflabel.Value : labelFromNic;
        if (label is not null)
        {
            if (label.Any(c => c <= ' ' || c > '~' || c == '/' || c == ':'))
                throw OcfError.Configured($"parameter 'iflabel' may contain only printable ASCII without spaces, '/' or ':': {SafeText.Quote(label)}");
            if (baseNic is not null && baseNic.Length + 1 + label.Length > MaximumLabelLength)
                throw OcfError.Configured($"the address label {baseNic}:{label} is longer than the kernel's {MaximumLabelLength} characters");
            if (label.Length + 2 > MaximumLabelLength)
                throw OcfError.Configured($"parameter 'iflabel' is longer than the kernel's {MaximumLabelLength} characters allow with an interface name: {SafeText.Quote(label, 40)}");
        }

        var sendArpOptions = sendArpOpts.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var option in sendArpOptions)
            if (option is not ("-A" or "-U") && ShouldWarnAboutConfiguration)
                LogSendArpOptionIgnored(Log, option);

        if (networkNamespace.Value.Length > 0 && !File.Exists($"/run/netns/{networkNamespace.Value}"))
            throw OcfError.NotInstalled($"network namespace {SafeText.Quote(networkNamespace.Value)} does not exist (no /run/netns/{networkNamespace.Value})");

        return new IPaddr2Configuration
        {
            Address = address,
            Nic = baseNic,
            Label = isV4 ? label : null,
            PrefixLength = prefix,
            Broadcast = isV4 ? broadcast.Value : "",
            LvsSupport = lvsSupport.Value,
            AddressLabel = !isV4 && lvsIpv6AddrLabel.Value ? (uint)lvsIpv6AddrLabelValue.Value : null,
            ArpCount = (int)arpCount.Value,
            ArpCountRefresh = isV4 ? (int)arpCountRefresh.Value : 0,
            ArpInterval = TimeSpan.FromMilliseconds(arpInterval.Value),
            AnnounceInBackground = arpBg.Value.Length == 0 ? isV4 : CrmMeta.IsTrue(arpBg.Value),
            ArpReplies = sendArpOptions.Contains("-A"),
            FlushRoutes = flushRoutes.Value,
            RunArping = isV4 && runArping.Value,
            NoDad = !isV4 && nodad.Value,
            NoPrefixRoute = noprefixroute.Value,
            PreferredLifetime = !isV4 && preferredLft.Value != "forever" ? uint.Parse(preferredLft.Value, CultureInfo.InvariantCulture) : null,
            NetworkNamespace = networkNamespace.Value,
            CheckLinkStatus = checkLinkStatus.Value,
        };
    }

    public override OcfExitCode ValidateAll()
    {
        // validate-all checks this host too: the interface and netmask must be determinable.
        Place();
        return OcfExitCode.Success;
    }

    /// <summary>ip, refused when no host can serve it, with the clone number added for unique_clone_address.</summary>
    IPAddress ValidAddress()
    {
        var address = IpAddressText.Parse(ip.Value) ?? throw OcfError.Configured($"parameter 'ip' is not an IPv4 or IPv6 address: {SafeText.Quote(ip.Value)}");
        if (IpAddressText.NotAHostAddress(address) is { } notHost)
            throw OcfError.Configured($"parameter 'ip' is {notHost}: {address}");

        // A clone without unique addresses is ocf:heartbeat:IPaddr2's cluster-IP mode.
        if (Meta.IsClone && Meta.CloneMax > 1 && !uniqueCloneAddress.Value)
            throw OcfError.Configured("a cloned IPaddr2 needs unique_clone_address=true: the cluster-IP mode it would use (iptables CLUSTERIP) no longer exists in current kernels");
        if (Meta.IsClone && lvsSupport.Value)
            throw OcfError.Configured("lvs_support cannot be used with a cloned IPaddr2");
        if (uniqueCloneAddress.Value && Meta.CloneNumber is int n && n > 0)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork) throw OcfError.Configured("unique_clone_address works for IPv4 addresses only");
            address = IpAddressText.AddToLastOctet(address, n)
                ?? throw OcfError.Configured($"unique_clone_address: {ip.Value} plus clone number {n} is not an address");
        }
        return address;
    }

    /// <summary>nic split into the interface and the label of its deprecated "eth0:label" form.</summary>
    (string? Nic, string? Label) ValidNic(IPAddress address)
    {
        string? baseNic = nic.Value.Length == 0 ? null : nic.Value;
        string? label = null;
        if (baseNic is not null && baseNic.Contains(':'))
        {
            label = baseNic[(baseNic.IndexOf(':') + 1)..];
            baseNic = baseNic[..baseNic.IndexOf(':')];
            if (ShouldWarnAboutConfiguration) LogNicWithLabelDeprecated(Log, nic.Value, baseNic, label);
        }
        if (baseNic is not null && (baseNic.Length is 0 or > 127 || baseNic.Any(c => c == '/' || char.IsWhiteSpace(c))))
            throw OcfError.Configured($"parameter 'nic' is not an interface name: {SafeText.Quote(nic.Value)}");
        if (baseNic is null && address.AddressFamily != AddressFamily.InterNetwork && address.IsIPv6LinkLocal)
            throw OcfError.Configured($"parameter 'nic' is required for the link-local address {address}");
        return (baseNic, label);
    }

    /// <summary>cidr_netmask as a prefix length; null when it is to come from the routing table.</summary>
    int? ValidPrefix(AddressFamily family)
    {
        if (cidrNetmask.Value.Length == 0) return null;
        int prefix = IpAddressText.ParsePrefix(cidrNetmask.Value, family, out bool dotted)
            ?? throw OcfError.Configured($"parameter 'cidr_netmask' is not a prefix length for {(family == AddressFamily.InterNetwork ? "IPv4 (0-32)" : "IPv6 (0-128)")}: {SafeText.Quote(cidrNetmask.Value)}");
        if (dotted && ShouldWarnAboutConfiguration) LogDottedQuadNetmask(Log, cidrNetmask.Value, prefix);
        return prefix;
    }

    // What several action families share.

    IPAddress Address => Config.Address;
    AddressFamily Family => Config.Family;
    bool IsV4 => Config.IsV4;

    /// <summary>The kernel, inside network_namespace when one is set.</summary>
    INetworkStack Stack => stack ??= InNamespace(openStack);

    /// <summary>
    /// Runs <paramref name="work"/> so that the sockets it opens belong to network_namespace: on a
    /// thread of its own that enters it. The calling thread never changes namespace, so nothing
    /// opened for one half of a reload's restart (a stop in the old namespace) can land in the other.
    /// </summary>
    T InNamespace<T>(Func<T> work)
    {
        string name = Config.NetworkNamespace;
        if (name.Length == 0) return work();
        ExceptionDispatchInfo? failed = null;
        T result;
        try
        {
            result = NetworkNamespace.Run(name, () =>
            {
                try { return work(); }
                catch (Exception e) { failed = ExceptionDispatchInfo.Capture(e); return default!; }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // NetworkNamespace words these failures itself, errno included.
            throw OcfError.NotInstalled($"cannot enter network namespace {SafeText.Quote(name)}: {SafeText.Bound(SafeText.OneLine(e.Message), 200)}");
        }
        failed?.Throw();
        return result;
    }

    /// <summary>Where the address goes: the interface, prefix and broadcast, from the parameters or the routing table.</summary>
    AddressPlacement Place() => InterfaceFinder.Find(Stack, Address, Config.Nic, Config.PrefixLength, Config.Broadcast);

    /// <summary>The address on <paramref name="link"/>, with the configured prefix length if there is one.</summary>
    AddressInfo? Find(LinkInfo link) =>
        Stack.Addresses(Family, link.Index).FirstOrDefault(a => a.Address.Equals(Address) && (Config.PrefixLength is null || a.PrefixLength == Config.PrefixLength));

    /// <summary>With lvs_support, stop leaves a /32 copy on loopback: that copy is not the running resource.</summary>
    bool IsLvsLoopbackCopy(AddressInfo a) => Config.LvsSupport && a.PrefixLength == 32 && Stack.FindLink(a.LinkIndex) is { IsLoopback: true };
}
