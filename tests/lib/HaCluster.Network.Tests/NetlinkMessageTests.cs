using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HaCluster.Network.Tests;

/// <summary>Building and parsing netlink messages, without the kernel.</summary>
public sealed class NetlinkMessageTests
{
    static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
    static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    [Fact]
    public void A_request_has_its_header_structure_and_aligned_attributes()
    {
        var w = new NetlinkMessageWriter(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
            .Struct(new IfAddrMsg { Family = Nl.AF_INET, PrefixLength = 24, Index = 3 })
            .AttributeAddress(Nl.IFA_LOCAL, IPAddress.Parse("198.51.100.10"))
            .AttributeString(Nl.IFA_LABEL, "eth0:x")
            .AttributeU32(Nl.IFA_FLAGS, 0x200);
        var m = w.Finish(77).ToArray();

        m.Length.Should().Be(16 + 8 + 8 + 12 + 8);
        U32(m, 0).Should().Be((uint)m.Length);
        U16(m, 4).Should().Be(Nl.RTM_NEWADDR);
        U16(m, 6).Should().Be(0x605);
        U32(m, 8).Should().Be(77u);
        m[16].Should().Be(Nl.AF_INET);
        m[17].Should().Be(24);
        U32(m, 20).Should().Be(3u);
        // IFA_LOCAL: 4 + 4 bytes
        U16(m, 24).Should().Be(8);
        U16(m, 26).Should().Be(Nl.IFA_LOCAL);
        m[28..32].Should().Equal(198, 51, 100, 10);
        // IFA_LABEL: 4 + "eth0:x\0" = 11, padded to 12
        U16(m, 32).Should().Be(11);
        U16(m, 34).Should().Be(Nl.IFA_LABEL);
        Encoding.ASCII.GetString(m, 36, 7).Should().Be("eth0:x\0");
        m[43].Should().Be(0);
        // IFA_FLAGS
        U16(m, 44).Should().Be(8);
        U32(m, 48).Should().Be(0x200u);
    }

    [Fact]
    public void A_nested_attribute_covers_its_children()
    {
        var w = new NetlinkMessageWriter(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST).Struct(new IfInfoMsg());
        int nest = w.BeginNested(Nl.IFLA_PROP_LIST);
        w.AttributeString(Nl.IFLA_ALT_IFNAME, "abc");
        w.AttributeString(Nl.IFLA_ALT_IFNAME, "defgh");
        w.EndNested(nest);
        var m = w.Finish(1).ToArray();

        U16(m, 32).Should().Be((ushort)(4 + 8 + 12));
        U16(m, 34).Should().Be((ushort)(Nl.IFLA_PROP_LIST | Nl.NLA_F_NESTED));
        m.Length.Should().Be(32 + 24);
    }

    static byte[] Datagram(params byte[][] messages) => messages.SelectMany(x => x).ToArray();

    static byte[] LinkMessage(int index, string name, params string[] altNames)
    {
        var w = new NetlinkMessageWriter(Nl.RTM_NEWLINK, Nl.NLM_F_MULTI)
            .Struct(new IfInfoMsg { Index = index, Type = 1, Flags = 0x11043 })
            .AttributeString(Nl.IFLA_IFNAME, name)
            .AttributeU32(Nl.IFLA_MTU, 9000)
            .Attribute(Nl.IFLA_OPERSTATE, [6])
            .Attribute(Nl.IFLA_ADDRESS, [2, 0, 0, 0, 0, 1])
            .Attribute(Nl.IFLA_BROADCAST, [255, 255, 255, 255, 255, 255]);
        int nest = w.BeginNested(Nl.IFLA_PROP_LIST);
        foreach (var alt in altNames) w.AttributeString(Nl.IFLA_ALT_IFNAME, alt);
        w.EndNested(nest);
        return w.Finish(5).ToArray();
    }

    [Fact]
    public void Link_messages_of_a_datagram_are_parsed_with_their_altnames()
    {
        var datagram = Datagram(LinkMessage(2, "eth0", "enp0s3", "a-very-long-alternative-name"), LinkMessage(3, "eth1"));
        var links = new List<LinkInfo>();
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var m))
        {
            m.Sequence.Should().Be(5u);
            links.Add(RtNetlink.ParseLink(m.Type, m.Payload)!);
        }

        links.Should().HaveCount(2);
        links[0].Should().BeEquivalentTo(new
        {
            Index = 2, Name = "eth0", Flags = 0x11043u, OperState = (byte)6, HardwareType = (ushort)1, Mtu = 9000,
            IsUp = true, HasCarrier = true, IsLoopback = false,
        });
        links[0].AltNames.Should().Equal("enp0s3", "a-very-long-alternative-name");
        links[0].HardwareAddress!.ToString().Should().Be("020000000001");
        links[1].AltNames.Should().BeEmpty();
    }

    [Fact]
    public void An_IPv4_point_to_point_address_is_its_local_one()
    {
        var m = new NetlinkMessageWriter(Nl.RTM_NEWADDR, 0)
            .Struct(new IfAddrMsg { Family = Nl.AF_INET, PrefixLength = 32, Flags = 0x80, Scope = 0, Index = 4 })
            .AttributeAddress(Nl.IFA_ADDRESS, IPAddress.Parse("203.0.113.1"))
            .AttributeAddress(Nl.IFA_LOCAL, IPAddress.Parse("198.51.100.1"))
            .AttributeString(Nl.IFA_LABEL, "ppp0")
            .AttributeU32(Nl.IFA_FLAGS, 0x280)
            .Attribute(Nl.IFA_CACHEINFO, new IfaCacheInfo { Preferred = 10, Valid = 20 })
            .Finish(1).ToArray();
        var reader = new NetlinkMessageReader(m);
        reader.TryRead(out var message).Should().BeTrue();
        var a = RtNetlink.ParseAddress(message.Type, message.Payload)!;
        a.Address.Should().Be(IPAddress.Parse("198.51.100.1"));
        a.Label.Should().Be("ppp0");
        a.Flags.Should().Be(0x280u, "IFA_FLAGS wins over the 8-bit ifa_flags");
        a.PreferredLifetime.Should().Be(10);
        a.ValidLifetime.Should().Be(20);
        a.LinkIndex.Should().Be(4);
    }

    [Fact]
    public void Routes_take_their_table_from_RTA_TABLE_and_multipath_has_no_link()
    {
        var w = new NetlinkMessageWriter(Nl.RTM_NEWROUTE, 0)
            .Struct(new RtMsg { Family = Nl.AF_INET, DstLength = 0, Table = 252, Protocol = 4, Type = 1 })
            .AttributeU32(Nl.RTA_TABLE, 1000)
            .AttributeU32(Nl.RTA_PRIORITY, 5);
        int nest = w.BeginNested(Nl.RTA_MULTIPATH);
        w.Struct(new RtNextHop { Length = 8, LinkIndex = 2 });
        w.EndNested(nest);
        var bytes = w.Finish(1).ToArray();
        var reader = new NetlinkMessageReader(bytes);
        reader.TryRead(out var message).Should().BeTrue();
        var r = RtNetlink.ParseRoute(message.Type, message.Payload)!;
        r.Table.Should().Be(1000);
        r.Destination.Should().Be(IPAddress.Any);
        r.DestinationLength.Should().Be(0);
        r.OutputLinkIndex.Should().BeNull();
        r.Metric.Should().Be(5);
        r.Family.Should().Be(AddressFamily.InterNetwork);
    }

    [Fact]
    public void Errors_and_extended_acks_are_decoded()
    {
        // struct nlmsgerr { int error = -17; struct nlmsghdr msg; } then NLMSGERR_ATTR_MSG (capped ack)
        var payload = new byte[4 + 16 + 4 + 12];
        BinaryPrimitives.WriteInt32LittleEndian(payload, -17);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), 40);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(20), 4 + 11);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(22), Nl.NLMSGERR_ATTR_MSG);
        Encoding.ASCII.GetBytes("It exists\0").CopyTo(payload, 24);

        NetlinkDecode.Error(payload).Should().Be(17);
        NetlinkDecode.ExtendedAckMessage(Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS, payload).Should().Be("It exists");
        NetlinkDecode.ExtendedAckMessage(Nl.NLM_F_CAPPED, payload).Should().BeNull();
        NetlinkDecode.Error([0, 0, 0, 0]).Should().Be(0);
        NetlinkDecode.DoneError([0xEA, 0xFF, 0xFF, 0xFF]).Should().Be(22);
        NetlinkDecode.DoneError([0, 0, 0, 0]).Should().Be(0);
    }

    [Fact]
    public void A_truncated_attribute_ends_the_attributes_and_a_truncated_message_is_an_error()
    {
        byte[] attributes = [8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0, 9];
        var reader = new AttributeReader(attributes);
        reader.TryRead(out var type, out var value).Should().BeTrue();
        type.Should().Be(1);
        value.Length.Should().Be(4);
        reader.TryRead(out _, out _).Should().BeFalse();

        var message = new NetlinkMessageWriter(Nl.RTM_NEWLINK, 0).Struct(new IfInfoMsg()).Finish(1).ToArray();
        var act = () =>
        {
            var r = new NetlinkMessageReader(message.AsSpan(0, 20));
            r.TryRead(out _);
        };
        act.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void A_request_without_an_answer_times_out()
    {
        using var socket = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var act = () => socket.Receive("wait for nothing", out _);
        act.Should().Throw<TimeoutException>().WithMessage("wait for nothing*");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void The_receive_timeout_must_be_positive()
    {
        var act = () => new RtNetlink(TimeSpan.Zero);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
