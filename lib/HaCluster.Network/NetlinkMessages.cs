using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace HaCluster.Network;

/// <summary>Numbers of linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h, linux/if_addrlabel.h.</summary>
internal static class Nl
{
    // nlmsghdr.nlmsg_type: control messages
    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;

    // nlmsghdr.nlmsg_flags
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP_INTR = 0x10, NLM_F_DUMP_FILTERED = 0x20;
    public const ushort NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
    // flags of an NLMSG_ERROR (acknowledgement)
    public const ushort NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
    // nlmsgerr attributes (extended ack)
    public const ushort NLMSGERR_ATTR_MSG = 1;

    // rtnetlink message types
    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public const ushort RTM_NEWADDRLABEL = 72, RTM_DELADDRLABEL = 73, RTM_GETADDRLABEL = 74;

    // IFLA_*
    public const ushort IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_OPERSTATE = 16,
        IFLA_EXT_MASK = 29, IFLA_PROP_LIST = 52, IFLA_ALT_IFNAME = 53;
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;
    public const uint IFF_UP = 0x1;

    // IFA_*
    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_ANYCAST = 5, IFA_CACHEINFO = 6, IFA_FLAGS = 8;

    // RTA_*
    public const ushort RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
        RTA_MULTIPATH = 9, RTA_TABLE = 15;

    // IFAL_*
    public const ushort IFAL_ADDRESS = 1, IFAL_LABEL = 2;

    // attribute type bits
    public const ushort NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000, NLA_TYPE_MASK = 0x3FFF;

    public const byte AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;
    public const int IFNAMSIZ = 16, ALTIFNAMSIZ = 128;

    public const int HeaderSize = 16;

    public static int Align(int length) => (length + 3) & ~3;

    public static byte Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AF_INET,
        AddressFamily.InterNetworkV6 => AF_INET6,
        AddressFamily.Unspecified => AF_UNSPEC,
        _ => throw new ArgumentException($"address family {family} is neither IPv4 nor IPv6", nameof(family)),
    };

    public static AddressFamily Family(byte family) => family switch
    {
        AF_INET => AddressFamily.InterNetwork,
        AF_INET6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unknown,
    };

    public static string MessageName(ushort type) => type switch
    {
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_GETLINK => "RTM_GETLINK",
        RTM_NEWADDR => "RTM_NEWADDR",
        RTM_DELADDR => "RTM_DELADDR",
        RTM_GETADDR => "RTM_GETADDR",
        RTM_GETROUTE => "RTM_GETROUTE",
        RTM_NEWADDRLABEL => "RTM_NEWADDRLABEL",
        RTM_DELADDRLABEL => "RTM_DELADDRLABEL",
        _ => $"netlink message {type}",
    };
}

/// <summary>struct nlmsghdr (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Sequence;
    public uint PortId;
}

/// <summary>struct ifinfomsg (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMsg
{
    public byte Family;
    public byte Pad;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;
}

/// <summary>struct ifaddrmsg (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfAddrMsg
{
    public byte Family;
    public byte PrefixLength;
    public byte Flags;
    public byte Scope;
    public int Index;
}

/// <summary>struct rtmsg (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtMsg
{
    public byte Family;
    public byte DstLength;
    public byte SrcLength;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;
}

/// <summary>struct ifaddrlblmsg (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfAddrLblMsg
{
    public byte Family;
    public byte Reserved;
    public byte PrefixLength;
    public byte Flags;
    public int Index;
    public uint Sequence;
}

/// <summary>struct ifa_cacheinfo (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfaCacheInfo
{
    public uint Preferred;
    public uint Valid;
    public uint CreatedStamp;
    public uint UpdatedStamp;
}

/// <summary>struct rtnexthop (8 bytes), the head of each hop in RTA_MULTIPATH.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtNextHop
{
    public ushort Length;
    public byte Flags;
    public byte Hops;
    public int LinkIndex;
}

/// <summary>
/// Builds one netlink request: the header, the family structure, then attributes (struct rtattr:
/// u16 length, u16 type, the value, padding to 4 bytes), with nesting. Values are in host byte
/// order, addresses in network byte order, as the kernel expects.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    byte[] buffer = new byte[512];
    int length;

    public NetlinkMessageWriter(ushort type, ushort flags)
    {
        Type = type;
        length = Nl.HeaderSize;
        var header = new NlMsgHdr { Type = type, Flags = flags };
        MemoryMarshal.Write(buffer, in header);
    }

    public ushort Type { get; }
    public int Length => length;

    Span<byte> Reserve(int size)
    {
        int aligned = Nl.Align(size);
        if (length + aligned > buffer.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + aligned));
        var span = buffer.AsSpan(length, aligned);
        span.Clear();
        length += aligned;
        return span[..size];
    }

    /// <summary>The family structure (ifinfomsg, ifaddrmsg, ...) right after the header.</summary>
    public NetlinkMessageWriter Struct<T>(in T value) where T : unmanaged
    {
        MemoryMarshal.Write(Reserve(Unsafe.SizeOf<T>()), in value);
        return this;
    }

    public NetlinkMessageWriter Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        if (4 + value.Length > ushort.MaxValue) throw new ArgumentException("netlink attribute too long", nameof(value));
        var span = Reserve(4 + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
        return this;
    }

    public NetlinkMessageWriter Attribute<T>(ushort type, in T value) where T : unmanaged
    {
        Span<byte> bytes = stackalloc byte[Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(bytes, in value);
        return Attribute(type, bytes);
    }

    public NetlinkMessageWriter AttributeU32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BitConverter.TryWriteBytes(bytes, value);
        return Attribute(type, bytes);
    }

    public NetlinkMessageWriter AttributeAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written)) throw new ArgumentException("bad address", nameof(address));
        return Attribute(type, bytes[..written]);
    }

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public NetlinkMessageWriter AttributeString(ushort type, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Span<byte> bytes = count < 512 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        bytes[count] = 0;
        return Attribute(type, bytes);
    }

    /// <summary>Opens a nested attribute; close it with <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | Nl.NLA_F_NESTED));
        return start;
    }

    public void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(start), (ushort)(length - start));

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    public ReadOnlySpan<byte> Finish(uint sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), sequence);
        return buffer.AsSpan(0, length);
    }
}

/// <summary>One message of a datagram: its header fields and its payload (after nlmsghdr).</summary>
internal readonly ref struct NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
{
    public ushort Type { get; } = type;
    public ushort Flags { get; } = flags;
    public uint Sequence { get; } = sequence;
    public uint PortId { get; } = portId;
    public ReadOnlySpan<byte> Payload { get; } = payload;
}

/// <summary>Walks the messages of one received datagram (NLMSG_OK / NLMSG_NEXT).</summary>
internal ref struct NetlinkMessageReader(ReadOnlySpan<byte> datagram)
{
    ReadOnlySpan<byte> rest = datagram;

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (rest.Length < Nl.HeaderSize) return false;
        var header = MemoryMarshal.Read<NlMsgHdr>(rest);
        if (header.Length < Nl.HeaderSize || header.Length > rest.Length)
            throw new InvalidDataException($"malformed netlink message: length {header.Length} of {rest.Length} bytes");
        message = new NetlinkMessage(header.Type, header.Flags, header.Sequence, header.PortId,
            rest[Nl.HeaderSize..(int)header.Length]);
        int next = Nl.Align((int)header.Length);
        rest = next >= rest.Length ? [] : rest[next..];
        return true;
    }
}

/// <summary>Walks a sequence of attributes (RTA_OK / RTA_NEXT); a truncated attribute ends it.</summary>
internal ref struct AttributeReader(ReadOnlySpan<byte> attributes)
{
    ReadOnlySpan<byte> rest = attributes;

    /// <summary>The next attribute: its type without the NESTED / NET_BYTEORDER bits, and its value.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (rest.Length < 4) return false;
        int length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
        if (length < 4 || length > rest.Length) { rest = []; return false; }
        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(rest[2..]) & Nl.NLA_TYPE_MASK);
        value = rest[4..length];
        int next = Nl.Align(length);
        rest = next >= rest.Length ? [] : rest[next..];
        return true;
    }
}

/// <summary>Decoding of attribute values and family structures.</summary>
internal static class NetlinkDecode
{
    /// <summary>The family structure at the start of a payload, or null when the payload is too short.</summary>
    public static bool TryStruct<T>(ReadOnlySpan<byte> payload, out T value, out ReadOnlySpan<byte> attributes) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (payload.Length < size) { value = default; attributes = default; return false; }
        value = MemoryMarshal.Read<T>(payload);
        int start = Nl.Align(size);
        attributes = start >= payload.Length ? [] : payload[start..];
        return true;
    }

    public static uint U32(ReadOnlySpan<byte> value) => value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(value) : 0;

    public static byte U8(ReadOnlySpan<byte> value) => value.Length >= 1 ? value[0] : (byte)0;

    /// <summary>A string up to its first NUL.</summary>
    public static string String(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? value[..nul] : value);
    }

    /// <summary>An IPv4 or IPv6 address (4 or 16 bytes), else null.</summary>
    public static IPAddress? Address(ReadOnlySpan<byte> value) =>
        value.Length is 4 or 16 ? new IPAddress(value) : null;

    /// <summary>The errno of an NLMSG_ERROR payload (struct nlmsgerr: int error, then the request's header): 0 for an ACK.</summary>
    public static int Error(ReadOnlySpan<byte> payload) => payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;

    /// <summary>
    /// The kernel's explanation in an extended ACK (NLMSGERR_ATTR_MSG), or null. The TLVs follow
    /// the echoed request: only its header when NLM_F_CAPPED, else the whole request.
    /// </summary>
    public static string? ExtendedAckMessage(ushort flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & Nl.NLM_F_ACK_TLVS) == 0 || payload.Length < 4 + Nl.HeaderSize) return null;
        int offset = 4 + Nl.HeaderSize;
        if ((flags & Nl.NLM_F_CAPPED) == 0)
        {
            uint requestLength = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
            offset = 4 + Nl.Align((int)Math.Min(requestLength, (uint)payload.Length));
        }
        if (offset >= payload.Length) return null;
        var attributes = new AttributeReader(payload[offset..]);
        while (attributes.TryRead(out ushort type, out var value))
            if (type == Nl.NLMSGERR_ATTR_MSG)
            {
                var text = String(value).Trim();
                return text.Length > 0 ? text : null;
            }
        return null;
    }

    /// <summary>The error carried by NLMSG_DONE (an int after the header of a failed dump), 0 when none.</summary>
    public static int DoneError(ReadOnlySpan<byte> payload) =>
        payload.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(payload) < 0 ? -BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;
}
