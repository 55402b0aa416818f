using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network;

/// <summary>
/// ICMPv6 Neighbour Advertisements (RFC 4861 §4.4): the message a raw ICMPv6 socket sends, and
/// the whole IPv6 packet as it appears on the wire (header and checksum included) for checking
/// and parsing captured frames. Pure functions.
/// </summary>
internal sealed class NeighbourAdvertisement
{
    public const byte IcmpTypeNeighbourAdvertisement = 136;
    public const byte FlagRouter = 0x80, FlagSolicited = 0x40, FlagOverride = 0x20;
    public const byte OptionTargetLinkLayerAddress = 2;
    public const byte NextHeaderIcmpv6 = 58;
    const int Ipv6HeaderLength = 40, NaLength = 24;

    /// <summary>ff02::1, the all-nodes link-local multicast group.</summary>
    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    public required IPAddress Source { get; init; }
    public required IPAddress Destination { get; init; }
    public required byte HopLimit { get; init; }
    public required byte Type { get; init; }
    public required byte Code { get; init; }
    /// <summary>The R, S and O bits as the first byte of the flags word (<see cref="FlagOverride"/>, …).</summary>
    public required byte Flags { get; init; }
    public required IPAddress Target { get; init; }
    /// <summary>The target link-layer address option's address (padding included), or null without one.</summary>
    public required byte[]? TargetLinkLayerAddress { get; init; }
    public required bool ChecksumValid { get; init; }

    /// <summary>
    /// The ICMPv6 message of an unsolicited neighbour advertisement (RFC 4861 §7.2.6) for
    /// <paramref name="address"/> owned by <paramref name="mac"/>: type 136, code 0, Override set,
    /// Solicited and Router clear, target = the address, target link-layer address option = the
    /// MAC. The checksum field is zero: a raw ICMPv6 socket computes it.
    /// </summary>
    public static byte[] UnsolicitedMessage(IPAddress address, ReadOnlySpan<byte> mac)
        => Message(address, FlagOverride, mac);

    /// <summary>
    /// The whole IPv6 packet the kernel makes of <see cref="UnsolicitedMessage"/>: from the address
    /// itself to ff02::1, hop limit 255, checksum filled in.
    /// </summary>
    public static byte[] Unsolicited(IPAddress address, ReadOnlySpan<byte> mac)
        => Build(address, AllNodes, address, FlagOverride, mac, hopLimit: 255);

    /// <summary>A neighbour advertisement message with its checksum field zero.</summary>
    public static byte[] Message(IPAddress target, byte flags, ReadOnlySpan<byte> targetLinkLayerAddress)
    {
        RequireIPv6(target, nameof(target));
        // Option: type, length in units of 8 octets, the address, zero padding.
        int optionLength = targetLinkLayerAddress.IsEmpty ? 0 : (2 + targetLinkLayerAddress.Length + 7) / 8 * 8;
        if (optionLength > 255 * 8)
            throw new ArgumentException("Link-layer address too long.", nameof(targetLinkLayerAddress));
        var icmp = new byte[NaLength + optionLength];
        icmp[0] = IcmpTypeNeighbourAdvertisement;
        icmp[1] = 0;
        icmp[4] = flags;
        target.TryWriteBytes(icmp.AsSpan(8), out _);
        if (optionLength > 0)
        {
            icmp[NaLength] = OptionTargetLinkLayerAddress;
            icmp[NaLength + 1] = (byte)(optionLength / 8);
            targetLinkLayerAddress.CopyTo(icmp.AsSpan(NaLength + 2));
        }
        return icmp;
    }

    /// <summary>An IPv6 packet carrying a neighbour advertisement, checksum included.</summary>
    public static byte[] Build(IPAddress source, IPAddress destination, IPAddress target, byte flags,
        ReadOnlySpan<byte> targetLinkLayerAddress, byte hopLimit)
    {
        RequireIPv6(source, nameof(source));
        RequireIPv6(destination, nameof(destination));
        byte[] icmp = Message(target, flags, targetLinkLayerAddress);
        var packet = new byte[Ipv6HeaderLength + icmp.Length];
        Span<byte> p = packet;

        // IPv6 header: version 6, traffic class 0, flow label 0.
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p[4..], (ushort)icmp.Length);
        p[6] = NextHeaderIcmpv6;
        p[7] = hopLimit;
        source.TryWriteBytes(p[8..], out _);
        destination.TryWriteBytes(p[24..], out _);
        icmp.CopyTo(p[Ipv6HeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(p[(Ipv6HeaderLength + 2)..], Checksum(p[8..24], p[24..40], p[Ipv6HeaderLength..]));
        return packet;
    }

    /// <summary>
    /// The ICMPv6 checksum (RFC 4443 §2.3): the one's complement of the one's complement sum over
    /// the pseudo-header (source, destination, upper-layer length, next header 58) and the message,
    /// with the message's checksum field taken as it is (zero when computing, the sent value when
    /// checking: a valid message then sums to 0).
    /// </summary>
    public static ushort Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        ulong sum = 0;
        sum = Add(sum, source);
        sum = Add(sum, destination);
        sum += (uint)message.Length >> 16;
        sum += (uint)message.Length & 0xFFFF;
        sum += NextHeaderIcmpv6;
        sum = Add(sum, message);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;

        static ulong Add(ulong sum, ReadOnlySpan<byte> data)
        {
            int i = 0;
            for (; i + 1 < data.Length; i += 2)
                sum += (uint)(data[i] << 8 | data[i + 1]);
            if (i < data.Length)
                sum += (uint)(data[i] << 8);
            return sum;
        }
    }

    /// <summary>
    /// Parses an IPv6 packet that carries a neighbour advertisement directly (no extension
    /// headers); false for anything else.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NeighbourAdvertisement? na)
    {
        na = null;
        if (data.Length < Ipv6HeaderLength + NaLength || data[0] >> 4 != 6 || data[6] != NextHeaderIcmpv6)
            return false;
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        if (payloadLength < NaLength || data.Length < Ipv6HeaderLength + payloadLength)
            return false;
        ReadOnlySpan<byte> icmp = data.Slice(Ipv6HeaderLength, payloadLength);
        if (icmp[0] != IcmpTypeNeighbourAdvertisement)
            return false;

        byte[]? tlla = null;
        for (int o = NaLength; o + 2 <= icmp.Length;)
        {
            int length = icmp[o + 1] * 8;
            if (length == 0 || o + length > icmp.Length)
                return false;
            if (icmp[o] == OptionTargetLinkLayerAddress && tlla is null)
                tlla = icmp.Slice(o + 2, length - 2).ToArray();
            o += length;
        }

        na = new NeighbourAdvertisement
        {
            Source = new IPAddress(data.Slice(8, 16)),
            Destination = new IPAddress(data.Slice(24, 16)),
            HopLimit = data[7],
            Type = icmp[0],
            Code = icmp[1],
            Flags = (byte)(icmp[4] & 0xE0),
            Target = new IPAddress(icmp.Slice(8, 16)),
            TargetLinkLayerAddress = tlla,
            ChecksumValid = Checksum(data.Slice(8, 16), data.Slice(24, 16), icmp) == 0,
        };
        return true;
    }

    static void RequireIPv6(IPAddress address, string name)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"{address} is not an IPv6 address.", name);
    }
}
