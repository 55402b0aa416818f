using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HaCluster.Agents.IPaddr2;

/// <summary>Strict parsing of the address texts IPaddr2 takes (IPAddress.TryParse accepts "1" as 0.0.0.1).</summary>
public static class IpAddressText
{
    /// <summary>A dotted quad (four decimal numbers 0-255) or an IPv6 address without a zone; null otherwise.</summary>
    public static IPAddress? Parse(string text)
    {
        if (text.Contains(':'))
        {
            if (text.Contains('%') || text.Contains('/')) return null;
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }
        var parts = text.Split('.');
        if (parts.Length != 4) return null;
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            // Leading zeros are refused as inet_pton refuses them: some parsers read them as octal.
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit) || (parts[i].Length > 1 && parts[i][0] == '0')) return null;
            int v = int.Parse(parts[i], CultureInfo.InvariantCulture);
            if (v > 255) return null;
            bytes[i] = (byte)v;
        }
        return new IPAddress(bytes);
    }

    /// <summary>
    /// Why an address cannot be a service address (unspecified, broadcast, multicast, IPv6
    /// loopback, IPv4-mapped IPv6), or null when it can.
    /// </summary>
    public static string? NotAHostAddress(IPAddress a)
    {
        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)) return "the unspecified address";
        if (a.Equals(IPAddress.Broadcast)) return "the broadcast address";
        if (a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[0] >= 224) return a.GetAddressBytes()[0] < 240 ? "a multicast address" : "a reserved address";
        if (a.IsIPv6Multicast) return "a multicast address";
        if (a.Equals(IPAddress.IPv6Loopback)) return "the IPv6 loopback address";
        if (a.IsIPv4MappedToIPv6) return "an IPv4-mapped IPv6 address (use the IPv4 address)";
        return null;
    }

    /// <summary>Prefix length from "24" or (IPv4) a dotted-quad netmask "255.255.255.0"; null when invalid.</summary>
    public static int? ParsePrefix(string text, AddressFamily family, out bool wasDottedQuad)
    {
        wasDottedQuad = false;
        int max = family == AddressFamily.InterNetwork ? 32 : 128;
        if (text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit))
        {
            int p = int.Parse(text, CultureInfo.InvariantCulture);
            return p <= max ? p : null;
        }
        if (family != AddressFamily.InterNetwork || Parse(text) is not { AddressFamily: AddressFamily.InterNetwork } mask) return null;
        uint m = ToUInt32(mask);
        int len = System.Numerics.BitOperations.PopCount(m);
        if (len < 32 && m != uint.MaxValue << (32 - len)) return null; // not contiguous
        if (len == 0 && m != 0) return null;
        wasDottedQuad = true;
        return len;
    }

    public static bool Contains(IPAddress network, int prefixLength, IPAddress address)
    {
        if (network.AddressFamily != address.AddressFamily) return false;
        var n = network.GetAddressBytes();
        var a = address.GetAddressBytes();
        int full = prefixLength / 8, rest = prefixLength % 8;
        for (int i = 0; i < full; i++) if (n[i] != a[i]) return false;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (n[full] & mask) == (a[full] & mask);
    }

    /// <summary>The IPv4 broadcast address of address/prefix with the host bits set ('+') or cleared ('-').</summary>
    public static IPAddress HostBits(IPAddress address, int prefixLength, bool set)
    {
        uint a = ToUInt32(address);
        uint hostMask = prefixLength >= 32 ? 0 : uint.MaxValue >> prefixLength;
        return FromUInt32(set ? a | hostMask : a & ~hostMask);
    }

    /// <summary>The address with <paramref name="add"/> added to its last octet (unique_clone_address), or null on overflow.</summary>
    public static IPAddress? AddToLastOctet(IPAddress address, int add)
    {
        var b = address.GetAddressBytes();
        int last = b[^1] + add;
        if (last > 255 || last < 0) return null;
        b[^1] = (byte)last;
        return new IPAddress(b);
    }

    static uint ToUInt32(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    static IPAddress FromUInt32(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
