using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace HaCluster.Network.Tests;

/// <summary>
/// The announcer against the real kernel: two network namespaces joined by a veth pair; the
/// announcer runs in A (link va), a packet capture and the neighbour table are looked at in B
/// (link vb). The root namespace is never touched.
/// </summary>
[Trait("Requires", "root")]
public sealed class NeighbourAnnouncerTests(VethPairFixture net) : IClassFixture<VethPairFixture>
{
    static readonly IPAddress A4 = IPAddress.Parse("203.0.113.10"), B4 = IPAddress.Parse("203.0.113.20");
    static readonly IPAddress A6 = IPAddress.Parse("2001:db8:1::10");
    static readonly byte[] WrongMac = Convert.FromHexString("020000000099");

    readonly NeighbourAnnouncer announcer = new();

    int AnnounceIPv4(int count, int intervalMs, bool reply = false, Func<bool>? stop = null)
        => NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv4(net.LinkA, A4, count, TimeSpan.FromMilliseconds(intervalMs), reply, stop));

    int AnnounceIPv6(int count, int intervalMs, Func<bool>? stop = null)
        => NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv6(net.LinkA, A6, count, TimeSpan.FromMilliseconds(intervalMs), stop));

    /// <summary>Captured Ethernet frames carrying ARP for A's address.</summary>
    static List<(Capture.Frame Frame, ArpPacket Arp)> ArpFor(IEnumerable<Capture.Frame> frames, IPAddress address)
        => [.. frames
            .Where(f => f.EtherType == 0x0806 && ArpPacket.TryParse(f.Payload, out var a) && a.SenderAddress.Equals(address))
            .Select(f => { ArpPacket.TryParse(f.Payload, out var a); return (f, a!); })];

    static List<(Capture.Frame Frame, NeighbourAdvertisement Na)> NaFor(IEnumerable<Capture.Frame> frames, IPAddress target)
        => [.. frames
            .Where(f => f.EtherType == 0x86DD && NeighbourAdvertisement.TryParse(f.Payload, out var n) && n.Target.Equals(target))
            .Select(f => { NeighbourAdvertisement.TryParse(f.Payload, out var n); return (f, n!); })];

    static double[] GapsMs(IEnumerable<Capture.Frame> frames)
        => [.. frames.Zip(frames.Skip(1), (a, b) => (b.Time - a.Time).TotalMilliseconds)];

    [Fact]
    public void Five_gratuitous_requests_200_ms_apart_reach_the_peer_as_send_arp_would_send_them()
    {
        using var capture = Capture.Start(net.B, "vb", 0x0806);
        AnnounceIPv4(5, 200).Should().Be(5);
        var arps = ArpFor(capture.Stop(), A4);

        arps.Should().HaveCount(5);
        GapsMs(arps.Select(a => a.Frame)).Should().HaveCount(4).And.OnlyContain(g => g >= 150 && g <= 400);
        foreach (var (frame, arp) in arps)
        {
            frame.Destination.Should().Equal(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
            frame.Source.Should().Equal(net.MacA);
            frame.PacketType.Should().Be(PacketSocket.PACKET_BROADCAST);
            arp.HardwareType.Should().Be(1);
            arp.ProtocolType.Should().Be(0x0800);
            arp.Operation.Should().Be(ArpPacket.OpRequest);
            arp.SenderHardwareAddress.Should().Equal(net.MacA);
            arp.SenderAddress.Should().Be(A4);
            arp.TargetHardwareAddress.Should().Equal(new byte[6]);
            arp.TargetAddress.Should().Be(A4);
        }
    }

    [Fact]
    public void A_50_ms_interval_is_honoured_unlike_send_arp()
    {
        using var capture = Capture.Start(net.B, "vb", 0x0806);
        var clock = Stopwatch.StartNew();
        AnnounceIPv4(5, 50).Should().Be(5);
        clock.Elapsed.TotalMilliseconds.Should().BeInRange(195, 600, "four waits of 50 ms and none after the last");
        var arps = ArpFor(capture.Stop(), A4);

        arps.Should().HaveCount(5);
        GapsMs(arps.Select(a => a.Frame)).Should().OnlyContain(g => g >= 40 && g <= 150);
    }

    [Fact]
    public void Replies_carry_op_2_and_the_senders_own_mac_as_target()
    {
        using var capture = Capture.Start(net.B, "vb", 0x0806);
        AnnounceIPv4(2, 20, reply: true).Should().Be(2);
        var arps = ArpFor(capture.Stop(), A4);

        arps.Should().HaveCount(2);
        arps.Should().OnlyContain(a => a.Arp.Operation == ArpPacket.OpReply
            && a.Arp.TargetHardwareAddress.SequenceEqual(net.MacA)
            && a.Arp.TargetAddress.Equals(A4)
            && a.Frame.Destination.All(b => b == 0xff));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_peer_replaces_a_stale_mac_at_once(bool reply)
    {
        // The failover case: B still has the previous owner's MAC, updated a moment ago (inside
        // the kernel's 1 s locktime, which only a gratuitous ARP may override).
        net.Ip("-n", net.B, "neigh", "replace", A4.ToString(), "lladdr", Mac(WrongMac), "dev", "vb", "nud", "stale");
        net.NeighbourMac(A4).Should().Equal(WrongMac);

        AnnounceIPv4(1, 0, reply).Should().Be(1);

        WaitFor(() => net.NeighbourMac(A4)?.SequenceEqual(net.MacA) == true)
            .Should().BeTrue($"B learns {Mac(net.MacA)} for {A4}, has {Mac(net.NeighbourMac(A4))}");
    }

    [Fact]
    public void Stop_is_asked_before_every_packet()
    {
        using var capture = Capture.Start(net.B, "vb", 0x0806);
        int calls = 0;
        AnnounceIPv4(5, 30, stop: () => ++calls > 2).Should().Be(2);
        ArpFor(capture.Stop(), A4).Should().HaveCount(2);
    }

    [Fact]
    public void A_long_interval_is_cut_short_by_stop()
    {
        var clock = Stopwatch.StartNew();
        AnnounceIPv4(3, 5000, stop: () => clock.ElapsedMilliseconds > 150).Should().Be(1);
        clock.ElapsedMilliseconds.Should().BeLessThan(1000);
    }

    [Fact]
    public void Probing_the_peers_address_returns_the_peers_mac()
    {
        var clock = Stopwatch.StartNew();
        var mac = NetworkNamespace.Run(net.A, () => announcer.ProbeIPv4(net.LinkA, B4, TimeSpan.FromSeconds(2)));
        mac.Should().NotBeNull();
        mac!.GetAddressBytes().Should().Equal(net.MacB);
        clock.ElapsedMilliseconds.Should().BeLessThan(1000, "the answer ends the probe");
    }

    [Fact]
    public void Probing_an_unused_address_returns_null_after_the_wait()
    {
        using var capture = Capture.Start(net.B, "vb", 0x0806);
        var clock = Stopwatch.StartNew();
        NetworkNamespace.Run(net.A, () => announcer.ProbeIPv4(net.LinkA, IPAddress.Parse("203.0.113.99"), TimeSpan.FromMilliseconds(300)))
            .Should().BeNull();
        clock.Elapsed.TotalMilliseconds.Should().BeInRange(290, 500);

        var probes = capture.Stop().Where(f => f.EtherType == 0x0806 && f.PacketType != PacketSocket.PACKET_OUTGOING)
            .Select(f => { ArpPacket.TryParse(f.Payload, out var a); return a; }).ToList();
        probes.Should().HaveCount(3);
        probes.Should().OnlyContain(a => a != null && a.Operation == ArpPacket.OpRequest
            && a.SenderAddress.Equals(IPAddress.Any) && a.SenderHardwareAddress.SequenceEqual(net.MacA)
            && a.TargetHardwareAddress.SequenceEqual(new byte[6]) && a.TargetAddress.Equals(IPAddress.Parse("203.0.113.99")));
    }

    [Fact]
    public void Neighbour_advertisements_reach_the_peer_exactly_as_rfc_4861_asks()
    {
        using var capture = Capture.Start(net.B, "vb", 0x86DD);
        AnnounceIPv6(3, 100).Should().Be(3);
        var nas = NaFor(capture.Stop(), A6);

        nas.Should().HaveCount(3);
        GapsMs(nas.Select(n => n.Frame)).Should().OnlyContain(g => g >= 75 && g <= 250);
        foreach (var (frame, na) in nas)
        {
            frame.Destination.Should().Equal(0x33, 0x33, 0, 0, 0, 1);
            frame.Source.Should().Equal(net.MacA);
            frame.PacketType.Should().Be(PacketSocket.PACKET_MULTICAST);
            na.Source.Should().Be(A6);
            na.Destination.Should().Be(IPAddress.Parse("ff02::1"));
            na.HopLimit.Should().Be(255);
            na.Type.Should().Be(136);
            na.Code.Should().Be(0);
            na.Flags.Should().Be(NeighbourAdvertisement.FlagOverride, "Override, neither Solicited nor Router");
            na.TargetLinkLayerAddress.Should().Equal(net.MacA);
            na.ChecksumValid.Should().BeTrue();
        }
    }

    [Fact]
    public void A_link_local_address_is_announced_with_its_link_as_scope()
    {
        var linkLocal = IPAddress.Parse("fe80::10");
        net.Ip("-n", net.A, "addr", "add", "fe80::10/64", "dev", "va", "nodad");
        try
        {
            using var capture = Capture.Start(net.B, "vb", 0x86DD);
            NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv6(net.LinkA, linkLocal, 1, TimeSpan.Zero)).Should().Be(1);
            var nas = NaFor(capture.Stop(), linkLocal);
            nas.Should().ContainSingle().Which.Na.Source.Should().Be(linkLocal);
        }
        finally
        {
            net.Ip("-n", net.A, "addr", "del", "fe80::10/64", "dev", "va");
        }
    }

    [Fact]
    public void The_peer_replaces_a_stale_mac_on_a_neighbour_advertisement()
    {
        net.Ip("-n", net.B, "neigh", "replace", A6.ToString(), "lladdr", Mac(WrongMac), "dev", "vb", "nud", "stale");
        net.NeighbourMac(A6).Should().Equal(WrongMac);

        AnnounceIPv6(1, 0).Should().Be(1);

        WaitFor(() => net.NeighbourMac(A6)?.SequenceEqual(net.MacA) == true)
            .Should().BeTrue($"B's kernel accepts the advertisement (hop limit, checksum, flags) and learns {Mac(net.MacA)}");
    }

    [Fact]
    public void Loopback_sends_nothing()
    {
        var lo = net.Link(net.A, "lo");
        NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv4(lo, IPAddress.Parse("127.0.0.2"), 3, TimeSpan.FromMilliseconds(10), false)).Should().Be(0);
        NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv6(lo, IPAddress.Parse("::1"), 3, TimeSpan.FromMilliseconds(10))).Should().Be(0);
        NetworkNamespace.Run(net.A, () => announcer.ProbeIPv4(lo, IPAddress.Parse("127.0.0.2"), TimeSpan.FromSeconds(5))).Should().BeNull();
    }

    [Fact]
    public void A_vanished_link_is_an_error_naming_the_call()
    {
        var gone = net.LinkA with { Index = 9999 };
        var act = () => NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv4(gone, A4, 1, TimeSpan.Zero, false));
        act.Should().Throw<NeighbourSocketException>().Where(e => e.Errno == 6 /* ENXIO */ || e.Errno == 19 /* ENODEV */)
            .WithMessage("sendto(AF_PACKET, ifindex 9999)*");
    }

    [Fact]
    public void An_ipv6_address_that_is_not_ours_or_still_tentative_is_refused_by_the_kernel()
    {
        var unassigned = () => AnnounceIPv6WithAddress("2001:db8:1::77");
        unassigned.Should().Throw<NeighbourSocketException>().Where(e => e.Errno == NeighbourSocketException.EADDRNOTAVAIL);

        // Without nodad the address stays tentative for at least a second (DAD).
        net.Ip("-n", net.A, "addr", "add", "2001:db8:1::11/64", "dev", "va");
        try
        {
            var tentative = () => AnnounceIPv6WithAddress("2001:db8:1::11");
            tentative.Should().Throw<NeighbourSocketException>().Where(e => e.Errno == NeighbourSocketException.EADDRNOTAVAIL)
                .WithMessage("bind(AF_INET6 raw ICMPv6, 2001:db8:1::11)*");
        }
        finally
        {
            net.Ip("-n", net.A, "addr", "del", "2001:db8:1::11/64", "dev", "va");
        }
    }

    int AnnounceIPv6WithAddress(string address)
        => NetworkNamespace.Run(net.A, () => announcer.AnnounceIPv6(net.LinkA, IPAddress.Parse(address), 1, TimeSpan.Zero));

    static string Mac(byte[]? mac) => mac is null ? "(none)" : string.Join(":", mac.Select(b => b.ToString("x2")));

    static bool WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > 2000)
                return false;
            Thread.Sleep(10);
        }
        return true;
    }
}

/// <summary>
/// Two fresh namespaces hc-arp-RANDOM-a/-b joined by veth va/vb with documentation addresses,
/// deleted again when the tests are done (or when setting them up failed half-way).
/// </summary>
public sealed class VethPairFixture : IDisposable
{
    public string A { get; }
    public string B { get; }
    public LinkInfo LinkA { get; }
    public byte[] MacA { get; }
    public byte[] MacB { get; }

    public VethPairFixture()
    {
        string id = Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 4)).ToLowerInvariant();
        A = $"hc-arp-{id}-a";
        B = $"hc-arp-{id}-b";
        try
        {
            Ip("netns", "add", A);
            Ip("netns", "add", B);
            // Both ends are created inside their namespaces: nothing appears in the root namespace.
            Ip("link", "add", "va", "netns", A, "type", "veth", "peer", "name", "vb", "netns", B);
            Ip("-n", A, "addr", "add", "203.0.113.10/24", "dev", "va");
            Ip("-n", A, "addr", "add", "2001:db8:1::10/64", "dev", "va", "nodad");
            Ip("-n", B, "addr", "add", "203.0.113.20/24", "dev", "vb");
            Ip("-n", B, "addr", "add", "2001:db8:1::20/64", "dev", "vb", "nodad");
            Ip("-n", A, "link", "set", "lo", "up");
            Ip("-n", B, "link", "set", "lo", "up");
            Ip("-n", A, "link", "set", "va", "up");
            Ip("-n", B, "link", "set", "vb", "up");
            LinkA = Link(A, "va");
            MacA = LinkA.HardwareAddress!.GetAddressBytes();
            MacB = Link(B, "vb").HardwareAddress!.GetAddressBytes();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
            if (File.Exists($"/run/netns/{ns}"))
                Run("ip", ["netns", "del", ns], check: false);
    }

    public string Ip(params string[] args) => Run("ip", args, check: true);

    /// <summary>B's neighbour entry for <paramref name="address"/> on vb: its MAC, or null.</summary>
    public byte[]? NeighbourMac(IPAddress address)
    {
        using var json = JsonDocument.Parse(Ip("-j", "-n", B, "neigh", "show", address.ToString(), "dev", "vb"));
        foreach (var entry in json.RootElement.EnumerateArray())
            if (entry.TryGetProperty("lladdr", out var lladdr))
                return PhysicalAddress.Parse(lladdr.GetString()!.Replace(':', '-').ToUpperInvariant()).GetAddressBytes();
        return null;
    }

    /// <summary>A link as the agent passes it: read over rtnetlink inside the namespace.</summary>
    public LinkInfo Link(string ns, string name) => NetworkNamespace.Run(ns, () =>
    {
        using var netlink = new RtNetlink();
        return netlink.FindLink(name) ?? throw new InvalidOperationException($"no link {name} in {ns}");
    });

    static string Run(string file, string[] args, bool check)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr.Trim()}");
        return stdout.Result;
    }
}

/// <summary>
/// Whole frames seen on one link of a namespace (AF_PACKET SOCK_RAW, bound to the link and one
/// ethertype), with the kernel's receive time of each, collected on a thread until stopped.
/// </summary>
sealed partial class Capture : IDisposable
{
    public sealed record Frame(DateTime Time, byte PacketType, byte[] Bytes)
    {
        public byte[] Destination => Bytes[..6];
        public byte[] Source => Bytes[6..12];
        public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan(12));
        public byte[] Payload => Bytes[14..];
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)] private static partial int if_nametoindex(string name);

    readonly PacketSocket socket;
    readonly List<Frame> frames = [];
    readonly Thread reader;
    volatile bool stopping;

    Capture(PacketSocket socket)
    {
        this.socket = socket;
        reader = new Thread(Read) { IsBackground = true };
        reader.Start();
    }

    /// <summary>Listens on <paramref name="link"/> in <paramref name="ns"/> before returning.</summary>
    public static Capture Start(string ns, string link, ushort etherType)
        => new(NetworkNamespace.Run(ns, () =>
        {
            int index = if_nametoindex(link);
            if (index == 0)
                throw new IOException($"no link {link} in {ns}");
            var s = PacketSocket.Open(PacketSocket.SOCK_RAW, 0);
            s.Bind(index, etherType);
            return s;
        }));

    void Read()
    {
        var buffer = new byte[2048];
        while (!stopping)
        {
            if (!socket.WaitReadable(20))
                continue;
            int n;
            while ((n = socket.TryReceive(buffer, out var from)) >= 14)
                lock (frames)
                    frames.Add(new Frame(socket.LastReceiveTime(), from.PacketType, buffer[..n]));
        }
    }

    /// <summary>Stops after a short settling time and returns every frame seen.</summary>
    public List<Frame> Stop(int settleMs = 50)
    {
        Thread.Sleep(settleMs);
        stopping = true;
        reader.Join();
        lock (frames)
            return [.. frames];
    }

    public void Dispose()
    {
        stopping = true;
        reader.Join();
        socket.Dispose();
    }
}
