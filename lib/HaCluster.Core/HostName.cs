using System.Net;
using System.Net.Sockets;

namespace HaCluster.Core;

/// <summary>
/// Whether a value may stand for a network host where a tool passes it on to a shell or takes
/// a leading '-' as an option (xl migrate runs <c>sh -c "exec ssh HOST …"</c>; virsh and ssh
/// read options): only a host name or an IP address, nothing a shell or a parser could misread.
/// </summary>
public static class HostName
{
    /// <summary>The longest DNS name (RFC 1035, without the final dot).</summary>
    public const int MaxLength = 253;

    /// <summary>
    /// True for a host name (letters, digits, '-', '_' and '.'; beginning and ending with a
    /// letter, digit or '_') or an IPv4 or IPv6 address (without a zone: "%eth0" is refused).
    /// </summary>
    public static bool IsNameOrAddress(string? value) => IsName(value) || IsIPv6Address(value);

    /// <summary>A host name or a dotted IPv4 address (which has the form of a name too).</summary>
    public static bool IsName(string? value)
    {
        if (value is null || value.Length is 0 or > MaxLength) return false;
        if (!IsNameStart(value[0]) || !IsNameStart(value[^1])) return false;
        foreach (char c in value)
            if (!IsNameStart(c) && c is not ('-' or '.')) return false;
        return true;
    }

    static bool IsNameStart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    static bool IsIPv6Address(string? value)
    {
        if (value is null || value.Length is < 2 or > 45) return false;
        foreach (char c in value)
            if (!char.IsAsciiHexDigit(c) && c is not (':' or '.')) return false;
        return IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }
}
