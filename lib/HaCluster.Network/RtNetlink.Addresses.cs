using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HaCluster.Network;

/// <summary>Addresses: list, add, delete.</summary>
public sealed partial class RtNetlink
{
    public IReadOnlyList<AddressInfo> Addresses(AddressFamily family, int? linkIndex = null)
    {
        byte af = Nl.Family(family);
        // The link is filtered here, not by the kernel (ifa_index with strict checking): a dump
        // filtered by link does not report NLM_F_DUMP_INTR (Linux 6.18 at least) and can then
        // skip or repeat addresses while they change. Kernels without strict checking also
        // send every family.
        var all = Dump(() => new NetlinkMessageWriter(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_DUMP)
                .Struct(new IfAddrMsg { Family = af }),
            "list addresses (RTM_GETADDR)", ParseAddress);
        if (linkIndex is null && all.TrueForAll(a => af == Nl.AF_UNSPEC || a.Family == family)) return all;
        return all.FindAll(a => (af == Nl.AF_UNSPEC || a.Family == family) && (linkIndex is not { } i || a.LinkIndex == i));
    }

    internal static AddressInfo? ParseAddress(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != Nl.RTM_NEWADDR || !NetlinkDecode.TryStruct<IfAddrMsg>(payload, out var ifa, out var rest)) return null;
        IPAddress? address = null, local = null, broadcast = null;
        string? label = null;
        uint flags = ifa.Flags;
        uint preferred = uint.MaxValue, valid = uint.MaxValue;
        var attributes = new AttributeReader(rest);
        while (attributes.TryRead(out ushort attribute, out var value))
        {
            switch (attribute)
            {
                case Nl.IFA_ADDRESS: address = NetlinkDecode.Address(value); break;
                case Nl.IFA_LOCAL: local = NetlinkDecode.Address(value); break;
                case Nl.IFA_BROADCAST: broadcast = NetlinkDecode.Address(value); break;
                case Nl.IFA_LABEL: label = NetlinkDecode.String(value); break;
                case Nl.IFA_FLAGS: if (value.Length >= 4) flags = NetlinkDecode.U32(value); break;
                case Nl.IFA_CACHEINFO:
                    if (NetlinkDecode.TryStruct<IfaCacheInfo>(value, out var cache, out _))
                    {
                        preferred = cache.Preferred;
                        valid = cache.Valid;
                    }
                    break;
            }
        }
        // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links (and
        // the only one IPv6 sends otherwise).
        var own = local ?? address;
        if (own is null) return null;
        return new AddressInfo(ifa.Index, Nl.Family(ifa.Family), own, ifa.PrefixLength, broadcast, label, flags, ifa.Scope, preferred, valid);
    }

    public void AddAddress(AddressRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var address = request.Address;
        byte af = AddressFamilyOf(address, nameof(request));
        CheckPrefix(address, request.PrefixLength, nameof(request));
        bool v4 = af == Nl.AF_INET;
        if (request.Broadcast is { } b && b.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"broadcast {b} is not an IPv4 address", nameof(request));
        if (request.Broadcast is not null && !v4)
            throw new ArgumentException("a broadcast address is for IPv4 only", nameof(request));
        if (request.Label is { } l && (!v4 || l.Length == 0 || Encoding.UTF8.GetByteCount(l) >= Nl.IFNAMSIZ || l.Contains('\0')))
            throw new ArgumentException($"label {l} is not an IPv4 label of 1 to 15 bytes", nameof(request));

        var msg = new NetlinkMessageWriter(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
            .Struct(new IfAddrMsg
            {
                Family = af,
                PrefixLength = (byte)request.PrefixLength,
                Flags = (byte)request.Flags,
                // As ip(8): 127.0.0.0/8 is host scope; IPv6 derives the scope itself.
                Scope = v4 && address.GetAddressBytes()[0] == 127 ? (byte)254 : (byte)0,
                Index = request.LinkIndex,
            })
            .AttributeAddress(Nl.IFA_LOCAL, address)
            .AttributeAddress(Nl.IFA_ADDRESS, address);
        if (request.Broadcast is not null) msg.AttributeAddress(Nl.IFA_BROADCAST, request.Broadcast);
        if (request.Label is not null) msg.AttributeString(Nl.IFA_LABEL, request.Label);
        if (request.Flags != 0) msg.AttributeU32(Nl.IFA_FLAGS, request.Flags);
        if (request.PreferredLifetime is { } preferred)
            msg.Attribute(Nl.IFA_CACHEINFO, new IfaCacheInfo { Preferred = preferred, Valid = uint.MaxValue });
        Request(msg, $"add address {address}/{request.PrefixLength} to link #{request.LinkIndex} (RTM_NEWADDR)");
    }

    public void DeleteAddress(int linkIndex, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte af = AddressFamilyOf(address, nameof(address));
        CheckPrefix(address, prefixLength, nameof(prefixLength));
        var msg = new NetlinkMessageWriter(Nl.RTM_DELADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfAddrMsg { Family = af, PrefixLength = (byte)prefixLength, Index = linkIndex })
            .AttributeAddress(Nl.IFA_LOCAL, address);
        // IPv4 matches IFA_ADDRESS against the address's prefix (and so checks the prefix length).
        if (af == Nl.AF_INET) msg.AttributeAddress(Nl.IFA_ADDRESS, address);
        Request(msg, $"delete address {address}/{prefixLength} from link #{linkIndex} (RTM_DELADDR)");
    }
}
