using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HaCluster.Network;

/// <summary>IPv6 address labels: add, delete.</summary>
public sealed partial class RtNetlink
{
    public void AddAddressLabel(IPAddress prefix, int prefixLength, uint label) =>
        AddressLabel(Nl.RTM_NEWADDRLABEL, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, prefix, prefixLength, label, "add");

    public void DeleteAddressLabel(IPAddress prefix, int prefixLength, uint label) =>
        AddressLabel(Nl.RTM_DELADDRLABEL, 0, prefix, prefixLength, label, "delete");

    void AddressLabel(ushort type, ushort flags, IPAddress prefix, int prefixLength, uint label, string verb)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"address labels are for IPv6 prefixes, not {prefix}", nameof(prefix));
        CheckPrefix(prefix, prefixLength, nameof(prefixLength));
        var msg = new NetlinkMessageWriter(type, (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags))
            .Struct(new IfAddrLblMsg { Family = Nl.AF_INET6, PrefixLength = (byte)prefixLength })
            .AttributeAddress(Nl.IFAL_ADDRESS, prefix)
            .AttributeU32(Nl.IFAL_LABEL, label);
        Request(msg, string.Create(CultureInfo.InvariantCulture, $"{verb} address label {label} for {prefix}/{prefixLength} ({Nl.MessageName(type)})"));
    }
}
