using HaCluster.Core;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// What the agent needs from a libvirt domain XML: the domain's name, its emulator, and the
/// storage pools and networks it uses. A real XML parse (no DTDs, no external entities), not the
/// shell agent's line regex, so a name on the same line as other elements or a commented-out
/// &lt;name&gt; is read correctly.
/// </summary>
public sealed record DomainConfig(string Name, string? Emulator, IReadOnlyList<string> Pools, IReadOnlyList<string> Networks)
{
    /// <summary>libvirt's strings are at most 1 MiB on the wire; a domain XML larger than a few MiB is not one.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>Parses <paramref name="xml"/> (<see cref="DomainXml"/>); returns null and why when it is not a usable domain XML.</summary>
    public static DomainConfig? Parse(string xml, out string? error)
    {
        error = null;
        string? name = null, emulator = null;
        // Lists keep the document's order; the sets make each name's check constant time, so
        // a config naming 100 000 pools is read in linear time (List.Contains made it quadratic).
        var pools = new List<string>();
        var networks = new List<string>();
        var seenPools = new HashSet<string>(StringComparer.Ordinal);
        var seenNetworks = new HashSet<string>(StringComparer.Ordinal);
        string? root = null;
        try
        {
            DomainXml.Read(xml, e =>
            {
                switch (e.Depth)
                {
                    case 0: root = e.Name; break;
                    case 1 when e.Name == "name": name ??= e.Text.Trim(); break;
                    case 2 when e.Name == "emulator": emulator ??= e.Text.Trim(); break;
                }
                if (e.Name == "source")
                {
                    if (e.Attributes.GetValueOrDefault("pool") is { Length: > 0 } pool && seenPools.Add(pool)) pools.Add(pool);
                    if (e.Attributes.GetValueOrDefault("network") is { Length: > 0 } net && seenNetworks.Add(net)) networks.Add(net);
                }
            });
        }
        catch (DomainXmlException e)
        {
            error = $"it is not well-formed XML ({e.Message})";
            return null;
        }
        if (root != "domain")
        {
            error = "its root element is not <domain>";
            return null;
        }
        if (string.IsNullOrEmpty(name))
        {
            error = "it has no /domain/name";
            return null;
        }
        if (NameProblem(name) is { } problem)
        {
            error = $"its domain name {SafeText.Quote(name)} {problem}";
            return null;
        }
        return new DomainConfig(name, string.IsNullOrEmpty(emulator) ? null : emulator, pools, networks);
    }

    /// <summary>
    /// Names become file names (snapshot state files, the cache) and are matched in qemu's
    /// command line: refuse what libvirt refuses too ('/') and what cannot be a file name.
    /// </summary>
    public static string? NameProblem(string name)
    {
        if (name is "." or "..") return "is not usable as a file name";
        if (name.Contains('/')) return "contains '/'";
        foreach (char c in name)
            if (char.IsControl(c)) return "contains a control character";
        if (name.Length > 1024) return "is longer than 1024 characters";
        return null;
    }
}
