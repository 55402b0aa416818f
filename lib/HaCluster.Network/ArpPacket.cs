using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network;

/// <summary>
/// An ARP packet for IPv4 (RFC 826) as it follows the link-layer header: what a SOCK_DGRAM packet
/// socket sends and receives. Building and parsing are pure functions.
/// </summary>
internal sealed class ArpPacket
{
    public const ushort OpRequest = 1, OpReply = 2;
    public const ushort ProtocolIPv4 = 0x0800;
    const int HeaderLength = 8;

    public required ushort HardwareType { get; init; }
    public required ushort ProtocolType { get; init; }
    public required ushort Operation { get; init; }
    public required byte[] SenderHardwareAddress { get; init; }
    public required IPAddress SenderAddress { get; init; }
    public required byte[] TargetHardwareAddress { get; init; }
    public required IPAddress TargetAddress { get; init; }

    /// <summary>
    /// A gratuitous ARP for <paramref name="address"/> owned by <paramref name="mac"/>: sender and
    /// target IP are both the address. A request (send_arp's and arping -U's purpose) carries an
    /// all-zero target hardware address (send_arp's form; RFC 5227 §2.3 says it is ignored). A
    /// reply (arping -A, send_arp's second packet) carries the sender's own hardware address as
    /// target, as both of them do: Linux treats a reply as gratuitous only when target and sender
    /// hardware addresses are equal (arp_is_garp), and only then overrides a recently updated
    /// neighbour entry.
    /// </summary>
    public static byte[] Gratuitous(ushort hardwareType, ReadOnlySpan<byte> mac, IPAddress address, bool reply)
    {
        Span<byte> zero = stackalloc byte[mac.Length];
        zero.Clear();
        return Build(hardwareType, reply ? OpReply : OpRequest, mac, address, reply ? mac : zero, address);
    }

    /// <summary>
    /// An ARP probe (RFC 5227 §2.1.1): a request from sender IP 0.0.0.0, sender hardware address
    /// <paramref name="mac"/>, target hardware address all zeros, target IP <paramref name="address"/>.
    /// </summary>
    public static byte[] Probe(ushort hardwareType, ReadOnlySpan<byte> mac, IPAddress address)
    {
        Span<byte> zero = stackalloc byte[mac.Length];
        zero.Clear();
        return Build(hardwareType, OpRequest, mac, IPAddress.Any, zero, address);
    }

    /// <summary>An IPv4 ARP packet: 8 header bytes, then sender and target hardware and protocol addresses.</summary>
    public static byte[] Build(ushort hardwareType, ushort operation,
        ReadOnlySpan<byte> senderMac, IPAddress senderAddress, ReadOnlySpan<byte> targetMac, IPAddress targetAddress)
    {
        if (senderMac.Length is 0 or > 255 || targetMac.Length != senderMac.Length)
            throw new ArgumentException("ARP hardware addresses must have the same, non-zero length.", nameof(targetMac));
        RequireIPv4(senderAddress, nameof(senderAddress));
        RequireIPv4(targetAddress, nameof(targetAddress));

        int hlen = senderMac.Length;
        var packet = new byte[HeaderLength + 2 * (hlen + 4)];
        Span<byte> p = packet;
        BinaryPrimitives.WriteUInt16BigEndian(p, hardwareType);
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], ProtocolIPv4);
        p[4] = (byte)hlen;
        p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p[6..], operation);
        int o = HeaderLength;
        senderMac.CopyTo(p[o..]); o += hlen;
        senderAddress.TryWriteBytes(p[o..], out _); o += 4;
        targetMac.CopyTo(p[o..]); o += hlen;
        targetAddress.TryWriteBytes(p[o..], out _);
        return packet;
    }

    /// <summary>Parses an IPv4 ARP packet (protocol type 0x0800, 4-byte protocol addresses); trailing padding is ignored.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ArpPacket? packet)
    {
        packet = null;
        if (data.Length < HeaderLength)
            return false;
        ushort ptype = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int hlen = data[4], plen = data[5];
        if (ptype != ProtocolIPv4 || plen != 4 || hlen == 0 || data.Length < HeaderLength + 2 * (hlen + 4))
            return false;
        int o = HeaderLength;
        packet = new ArpPacket
        {
            HardwareType = BinaryPrimitives.ReadUInt16BigEndian(data),
            ProtocolType = ptype,
            Operation = BinaryPrimitives.ReadUInt16BigEndian(data[6..]),
            SenderHardwareAddress = data.Slice(o, hlen).ToArray(),
            SenderAddress = new IPAddress(data.Slice(o + hlen, 4)),
            TargetHardwareAddress = data.Slice(o + hlen + 4, hlen).ToArray(),
            TargetAddress = new IPAddress(data.Slice(o + 2 * hlen + 4, 4)),
        };
        return true;
    }

    /// <summary>
    /// Whether this packet, received while probing <paramref name="address"/> from
    /// <paramref name="ownMac"/>, shows that another host uses or claims the address
    /// (RFC 5227 §2.1.1): any request or reply whose sender IP is the address, or another host's
    /// probe for it (sender IP 0.0.0.0, target IP the address). Our own packets never count.
    /// </summary>
    public bool ConflictsWith(IPAddress address, ReadOnlySpan<byte> ownMac)
    {
        if (Operation is not (OpRequest or OpReply))
            return false;
        if (SenderHardwareAddress.AsSpan().SequenceEqual(ownMac))
            return false;
        if (SenderAddress.Equals(address))
            return true;
        return Operation == OpRequest && SenderAddress.Equals(IPAddress.Any) && TargetAddress.Equals(address);
    }

    static void RequireIPv4(IPAddress address, string name)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address.", name);
    }
}
