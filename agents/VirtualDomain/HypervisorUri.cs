using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// The hypervisor URI when the parameter is unset, by libvirt's own rules instead of running
/// `virsh --quiet uri`: LIBVIRT_DEFAULT_URI, else uri_default in /etc/libvirt/libvirt.conf, else
/// qemu:///system for root (qemu:///session for other users).
/// </summary>
public static class HypervisorUri
{
    public const string SystemConfig = "/etc/libvirt/libvirt.conf";

    public static string Default(Func<string, string?> environment, string configPath = SystemConfig, bool? isRoot = null)
    {
        if (environment("LIBVIRT_DEFAULT_URI") is { Length: > 0 } fromEnv) return fromEnv;
        if (ReadUriDefault(configPath) is { Length: > 0 } fromConf) return fromConf;
        return (isRoot ?? Environment.IsPrivilegedProcess) ? "qemu:///system" : "qemu:///session";
    }

    /// <summary>The uri_default setting of a libvirt.conf (<c>uri_default = "qemu:///system"</c>), or null.</summary>
    public static string? ReadUriDefault(string path)
    {
        string? text;
        // A local file, but still not trusted to be one: never a FIFO that blocks, never unbounded.
        try { text = BoundedFile.ReadAllTextIfExists(path, Deadline.After(TimeSpan.FromSeconds(2)), 256 * 1024, mayBlock: false); }
        catch (FileException) { return null; }
        if (text is null) return null;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("uri_default", StringComparison.Ordinal)) continue;
            string rest = line["uri_default".Length..].TrimStart();
            if (!rest.StartsWith('=')) continue;
            rest = rest[1..].Trim();
            if (rest.Length >= 2 && rest[0] is '"' or '\'' && rest.IndexOf(rest[0], 1) is int end and > 0)
                return rest[1..end];
        }
        return null;
    }

    /// <summary>Why this client cannot open <paramref name="uri"/> (only local daemons), or null.</summary>
    public static string? Problem(string uri)
    {
        // Characters RFC 3986 never allows in a URI: a value with them is no URI (and a hint of
        // something meant for a shell).
        foreach (char c in uri)
            if (char.IsWhiteSpace(c) || c is '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}' || char.IsControl(c))
                return $"it contains {(char.IsWhiteSpace(c) ? "white space" : $"'{c}'")}, which no URI may contain";
        return LibvirtUri.Problem(uri);
    }

    /// <summary>The driver of a URI: "qemu" for qemu+ssh://host/system.</summary>
    public static string Driver(string uri)
    {
        int end = uri.IndexOfAny(['+', ':']);
        return end < 0 ? uri : uri[..end];
    }
}
