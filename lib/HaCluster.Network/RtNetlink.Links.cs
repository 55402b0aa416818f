using System.Net.NetworkInformation;
using System.Text;

namespace HaCluster.Network;

/// <summary>Links: list, find by name or index, bring up.</summary>
public sealed partial class RtNetlink
{
    public IReadOnlyList<LinkInfo> Links()
    {
        return Dump(() => new NetlinkMessageWriter(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_DUMP)
                .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC })
                .AttributeU32(Nl.IFLA_EXT_MASK, Nl.RTEXT_FILTER_SKIP_STATS),
            "list links (RTM_GETLINK)", ParseLink);
    }

    public LinkInfo? FindLink(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes >= Nl.ALTIFNAMSIZ || name.Contains('\0')) return null;
        string operation = $"find link {name} (RTM_GETLINK)";

        // The kernel looks names up in one table that holds names and altnames alike; IFLA_IFNAME
        // carries at most 15 bytes, longer altnames go in IFLA_ALT_IFNAME (Linux 5.5).
        bool shortName = bytes < Nl.IFNAMSIZ;
        try
        {
            return GetLink(w => w.AttributeString(shortName ? Nl.IFLA_IFNAME : Nl.IFLA_ALT_IFNAME, name), operation);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
            return null;
        }
        catch (NetlinkException e) when (!shortName && e.Errno == NetlinkException.EINVAL)
        {
            // A kernel without lookups by altname: search the whole list.
            return Links().FirstOrDefault(l => l.Name == name || l.AltNames.Contains(name));
        }
    }

    public LinkInfo? FindLink(int index)
    {
        if (index <= 0) return null;
        try
        {
            return GetLink(null, $"find link #{index} (RTM_GETLINK)", index);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
            return null;
        }
    }

    LinkInfo? GetLink(Action<NetlinkMessageWriter>? attributes, string operation, int index = 0)
    {
        var request = new NetlinkMessageWriter(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC, Index = index });
        attributes?.Invoke(request);
        request.AttributeU32(Nl.IFLA_EXT_MASK, Nl.RTEXT_FILTER_SKIP_STATS);
        LinkInfo? found = null;
        lock (gate)
            socket.Transact(request, operation, dump: false, (in NetlinkMessage m) => found ??= ParseLink(m.Type, m.Payload));
        return found;
    }

    internal static LinkInfo? ParseLink(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != Nl.RTM_NEWLINK || !NetlinkDecode.TryStruct<IfInfoMsg>(payload, out var ifi, out var rest)) return null;
        string? name = null;
        List<string>? altNames = null;
        byte operState = 0;
        PhysicalAddress? address = null, broadcast = null;
        int mtu = 0;
        var attributes = new AttributeReader(rest);
        while (attributes.TryRead(out ushort attribute, out var value))
        {
            switch (attribute)
            {
                case Nl.IFLA_IFNAME: name = NetlinkDecode.String(value); break;
                case Nl.IFLA_OPERSTATE: operState = NetlinkDecode.U8(value); break;
                case Nl.IFLA_MTU: mtu = (int)NetlinkDecode.U32(value); break;
                case Nl.IFLA_ADDRESS: address = new PhysicalAddress(value.ToArray()); break;
                case Nl.IFLA_BROADCAST: broadcast = new PhysicalAddress(value.ToArray()); break;
                case Nl.IFLA_PROP_LIST:
                    var properties = new AttributeReader(value);
                    while (properties.TryRead(out ushort property, out var propertyValue))
                        if (property == Nl.IFLA_ALT_IFNAME) (altNames ??= []).Add(NetlinkDecode.String(propertyValue));
                    break;
            }
        }
        return new LinkInfo(ifi.Index, name ?? "", (IReadOnlyList<string>?)altNames ?? [], ifi.Flags, operState, ifi.Type, address, broadcast, mtu);
    }

    public void SetLinkUp(int linkIndex)
    {
        var request = new NetlinkMessageWriter(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
            .Struct(new IfInfoMsg { Family = Nl.AF_UNSPEC, Index = linkIndex, Flags = Nl.IFF_UP, Change = Nl.IFF_UP });
        Request(request, $"set link #{linkIndex} up (RTM_NEWLINK)");
    }
}
