using System.Net;
using System.Net.NetworkInformation;

namespace HaCluster.Network.Tests;

/// <summary>The ARP and neighbour-advertisement frames, byte for byte, without any socket.</summary>
public class NeighbourFrameTests
{
    static readonly byte[] Mac = Convert.FromHexString("525400123456");
    static readonly IPAddress V4 = IPAddress.Parse("203.0.113.10");
    static readonly IPAddress V6 = IPAddress.Parse("2001:db8:1::10");

    static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void A_gratuitous_request_is_send_arps_form()
    {
        ArpPacket.Gratuitous(1, Mac, V4, reply: false).Should().Equal(Hex(
            "0001 0800 06 04 0001" +      // ethernet, IPv4, hlen 6, plen 4, request
            "525400123456 cb00710a" +     // sender: the link's MAC, the address
            "000000000000 cb00710a"));    // target: zeros, the address
    }

    [Fact]
    public void A_gratuitous_reply_names_the_sender_as_target_as_arping_A_does()
    {
        ArpPacket.Gratuitous(1, Mac, V4, reply: true).Should().Equal(Hex(
            "0001 0800 06 04 0002" +
            "525400123456 cb00710a" +
            "525400123456 cb00710a"));
    }

    [Fact]
    public void A_probe_comes_from_0_0_0_0_and_asks_for_the_address()
    {
        ArpPacket.Probe(1, Mac, V4).Should().Equal(Hex(
            "0001 0800 06 04 0001" +
            "525400123456 00000000" +
            "000000000000 cb00710a"));
    }

    [Fact]
    public void Arp_packets_parse_back_and_padding_is_ignored()
    {
        byte[] frame = [.. ArpPacket.Gratuitous(1, Mac, V4, reply: true), .. new byte[18]];
        ArpPacket.TryParse(frame, out var arp).Should().BeTrue();
        arp!.HardwareType.Should().Be(1);
        arp.ProtocolType.Should().Be(0x0800);
        arp.Operation.Should().Be(ArpPacket.OpReply);
        arp.SenderHardwareAddress.Should().Equal(Mac);
        arp.SenderAddress.Should().Be(V4);
        arp.TargetHardwareAddress.Should().Equal(Mac);
        arp.TargetAddress.Should().Be(V4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0001 0800 06 04 0001")]                                               // header only
    [InlineData("0001 0800 06 04 0001 525400123456 cb00710a 000000000000 cb0071")]    // truncated
    [InlineData("0001 86dd 06 04 0001 525400123456 cb00710a 000000000000 cb00710a")]  // not IPv4
    [InlineData("0001 0800 06 10 0001 525400123456 cb00710a 000000000000 cb00710a")]  // plen 16
    public void Malformed_or_foreign_arp_is_refused(string hex)
    {
        ArpPacket.TryParse(Hex(hex), out _).Should().BeFalse();
    }

    [Fact]
    public void Builders_refuse_the_wrong_family_and_mismatched_hardware_addresses()
    {
        FluentActions.Invoking(() => ArpPacket.Gratuitous(1, Mac, V6, false)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ArpPacket.Build(1, 1, Mac, V4, new byte[4], V4)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => NeighbourAdvertisement.Unsolicited(V4, Mac)).Should().Throw<ArgumentException>();
    }

    static ArpPacket Arp(ushort op, string senderMac, string senderIp, string targetIp)
    {
        ArpPacket.TryParse(ArpPacket.Build(1, op, Convert.FromHexString(senderMac), IPAddress.Parse(senderIp), new byte[6], IPAddress.Parse(targetIp)), out var arp)
            .Should().BeTrue();
        return arp!;
    }

    [Theory]
    [InlineData(ArpPacket.OpReply, "020000000002", "203.0.113.10", "0.0.0.0", true)]          // the owner answers the probe
    [InlineData(ArpPacket.OpRequest, "020000000002", "203.0.113.10", "203.0.113.10", true)]   // the owner announces it
    [InlineData(ArpPacket.OpRequest, "020000000002", "203.0.113.10", "203.0.113.1", true)]    // the owner asks for someone else
    [InlineData(ArpPacket.OpRequest, "020000000002", "0.0.0.0", "203.0.113.10", true)]        // another host probes for it
    [InlineData(ArpPacket.OpRequest, "020000000002", "0.0.0.0", "203.0.113.11", false)]       // a probe for another address
    [InlineData(ArpPacket.OpRequest, "020000000002", "203.0.113.20", "203.0.113.10", false)]  // somebody asks who has it
    [InlineData(ArpPacket.OpReply, "525400123456", "203.0.113.10", "0.0.0.0", false)]         // our own MAC
    [InlineData(3, "020000000002", "203.0.113.10", "0.0.0.0", false)]                          // RARP request
    public void A_probe_conflicts_with_whoever_uses_or_claims_the_address(ushort op, string mac, string sender, string target, bool conflict)
    {
        Arp(op, mac, sender, target).ConflictsWith(V4, Mac).Should().Be(conflict);
    }

    [Fact]
    public void An_unsolicited_neighbour_advertisement_is_exact_with_its_checksum()
    {
        // Expected bytes and checksum 0x744f computed independently (Python, RFC 4443 pseudo-header).
        NeighbourAdvertisement.Unsolicited(V6, Mac).Should().Equal(Hex(
            "6000 0000 0020 3a ff" +                            // IPv6, payload 32, ICMPv6, hop limit 255
            "20010db8000100000000000000000010" +                // source: the address
            "ff020000000000000000000000000001" +                // destination: all nodes
            "88 00 744f" +                                      // type 136, code 0, checksum
            "20000000" +                                        // Override only
            "20010db8000100000000000000000010" +                // target
            "02 01 525400123456"));                             // target link-layer address option
    }

    [Fact]
    public void Neighbour_advertisements_parse_back_and_a_damaged_one_fails_its_checksum()
    {
        byte[] packet = NeighbourAdvertisement.Unsolicited(V6, Mac);
        NeighbourAdvertisement.TryParse(packet, out var na).Should().BeTrue();
        na!.Source.Should().Be(V6);
        na.Destination.Should().Be(IPAddress.Parse("ff02::1"));
        na.HopLimit.Should().Be(255);
        na.Type.Should().Be(136);
        na.Code.Should().Be(0);
        na.Flags.Should().Be(NeighbourAdvertisement.FlagOverride);
        na.Target.Should().Be(V6);
        na.TargetLinkLayerAddress.Should().Equal(Mac);
        na.ChecksumValid.Should().BeTrue();

        packet[^1] ^= 0x01;
        NeighbourAdvertisement.TryParse(packet, out na).Should().BeTrue();
        na!.ChecksumValid.Should().BeFalse();
    }

    [Fact]
    public void Other_icmpv6_and_truncated_packets_are_not_advertisements()
    {
        byte[] packet = NeighbourAdvertisement.Unsolicited(V6, Mac);
        NeighbourAdvertisement.TryParse(packet.AsSpan(0, 60), out _).Should().BeFalse();
        byte[] solicitation = (byte[])packet.Clone();
        solicitation[40] = 135;
        NeighbourAdvertisement.TryParse(solicitation, out _).Should().BeFalse();
        byte[] zeroLengthOption = (byte[])packet.Clone();
        zeroLengthOption[65] = 0;
        NeighbourAdvertisement.TryParse(zeroLengthOption, out _).Should().BeFalse();
    }

    [Fact]
    public void The_message_for_the_raw_socket_is_the_same_advertisement_with_the_checksum_left_to_the_kernel()
    {
        NeighbourAdvertisement.UnsolicitedMessage(V6, Mac).Should().Equal(Hex(
            "88 00 0000" +
            "20000000" +
            "20010db8000100000000000000000010" +
            "02 01 525400123456"));
        NeighbourAdvertisement.Unsolicited(V6, Mac)[44..].Should().Equal(NeighbourAdvertisement.UnsolicitedMessage(V6, Mac)[4..]);
    }

    static LinkInfo Link(ushort type, string? mac, uint flags = 0x1043, string? brd = "ffffffffffff")
        => new(7, "x0", [], flags, 6, type,
            mac is null ? null : new PhysicalAddress(Convert.FromHexString(mac)),
            brd is null ? null : new PhysicalAddress(Convert.FromHexString(brd)), 1500);

    [Theory]
    [InlineData((ushort)1, "525400123456", 0x1043u, true)]                                          // ethernet
    [InlineData((ushort)774, "525400123456", 0x1043u, true)]                                        // FDDI, as ethernet
    [InlineData((ushort)772, "000000000000", 0x49u, false)]                                         // loopback
    [InlineData((ushort)1, "525400123456", 0x10cbu, false)]                                         // NOARP (dummy)
    [InlineData((ushort)65534, null, 0x10d1u, false)]                                               // ARPHRD_NONE (tun)
    [InlineData((ushort)778, "cb00710a", 0x10c1u, false)]                                           // GRE
    [InlineData((ushort)32, "00000048fe800000000000000002c9030001a2b3", 0x1043u, false)]            // InfiniBand
    [InlineData((ushort)1, "000000000000", 0x1043u, false)]                                         // no address yet
    public void Only_links_with_ethernet_like_addresses_are_announced_on(ushort type, string? mac, uint flags, bool usable)
    {
        NeighbourAnnouncer.TryGetArpHardware(Link(type, mac, flags), out ushort htype, out byte[] hw).Should().Be(usable);
        if (usable)
        {
            htype.Should().Be(1);
            hw.Should().Equal(Convert.FromHexString(mac!));
        }
    }

    [Fact]
    public void Links_without_arp_send_nothing_and_do_not_throw()
    {
        var announcer = new NeighbourAnnouncer();
        LinkInfo[] links =
        [
            Link(772, "000000000000", 0x49, "000000000000"),
            Link(65534, null, 0x10d1, null),
            Link(32, "00000048fe800000000000000002c9030001a2b3", 0x1043, "00ffffffff12401bffff00000000000000000000ffffffff"),
        ];
        foreach (var link in links)
        {
            announcer.AnnounceIPv4(link, V4, 5, TimeSpan.FromSeconds(1), reply: false).Should().Be(0);
            announcer.AnnounceIPv6(link, V6, 5, TimeSpan.FromSeconds(1)).Should().Be(0);
            announcer.ProbeIPv4(link, V4, TimeSpan.FromSeconds(1)).Should().BeNull();
        }
    }

    [Fact]
    public void A_count_of_zero_or_an_immediate_stop_sends_nothing()
    {
        var announcer = new NeighbourAnnouncer();
        var eth = Link(1, "525400123456");
        announcer.AnnounceIPv4(eth, V4, 0, TimeSpan.Zero, reply: false).Should().Be(0);
        announcer.AnnounceIPv4(eth, V4, 5, TimeSpan.Zero, reply: false, stop: () => true).Should().Be(0);
        announcer.AnnounceIPv6(eth, V6, 5, TimeSpan.Zero, stop: () => true).Should().Be(0);
    }

    [Fact]
    public void The_wrong_address_family_is_an_argument_error()
    {
        var announcer = new NeighbourAnnouncer();
        var eth = Link(1, "525400123456");
        FluentActions.Invoking(() => announcer.AnnounceIPv4(eth, V6, 1, TimeSpan.Zero, false)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => announcer.AnnounceIPv6(eth, V4, 1, TimeSpan.Zero)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => announcer.ProbeIPv4(eth, V6, TimeSpan.Zero)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => announcer.AnnounceIPv4(eth, V4, 1, TimeSpan.FromMilliseconds(-1), false)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
