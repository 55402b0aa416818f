using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// Where and how a live migration goes, by the shell agent's rules: the destination libvirt URI
/// (remoteuri, or the hypervisor URI pointed at the target), the migration (data) URI, and
/// migrate_options' virsh flags as libvirt flags. Always peer to peer and live.
/// </summary>
public sealed partial record MigrationPlan(string DestinationUri, string? MigrationUri, MigrateFlags Flags, int? ParallelConnections)
{
    public const MigrateFlags AlwaysOn = MigrateFlags.Live | MigrateFlags.PeerToPeer;

    /// <summary>The settings a plan is made from (the parameters, already parsed).</summary>
    public sealed record Settings(string Hypervisor, string RemoteUri, string Transport, string User, string NetworkSuffix,
        string MigrateUri, string MigrateOptions, long MigratePort);

    /// <summary>migrate_options as parsed: flags, an embedded --migrateuri=, --parallel-connections=.</summary>
    public sealed record Options(MigrateFlags Flags, string? MigrateUri, int? ParallelConnections);

    /// <summary>Parses migrate_options; an option with no libvirt meaning is a configuration error (6).</summary>
    public static Options ParseOptions(string options)
    {
        var flags = MigrateFlags.None;
        string? uri = null;
        int? parallel = null;
        var words = options.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string word = words[i];
            // virsh also takes "--migrateuri URI" and "--parallel-connections N".
            if (word is "--migrateuri" or "--parallel-connections" && i + 1 < words.Length && !words[i + 1].StartsWith('-'))
                word = word + "=" + words[++i];
            switch (word)
            {
                // always on, or without effect on the call
                case "--live" or "--p2p" or "--verbose": break;
                case "--tunnelled" or "--tunneled": flags |= MigrateFlags.Tunnelled; break;
                case "--persistent": flags |= MigrateFlags.PersistDest; break;
                case "--undefinesource": flags |= MigrateFlags.UndefineSource; break;
                case "--compressed": flags |= MigrateFlags.Compressed; break;
                case "--auto-converge": flags |= MigrateFlags.AutoConverge; break;
                case "--abort-on-error": flags |= MigrateFlags.AbortOnError; break;
                case "--unsafe": flags |= MigrateFlags.Unsafe; break;
                case "--postcopy": flags |= MigrateFlags.Postcopy; break;
                case "--tls": flags |= MigrateFlags.Tls; break;
                case "--parallel": flags |= MigrateFlags.Parallel; break;
                case "--copy-storage-all": flags |= MigrateFlags.NonSharedDisk; break;
                case "--copy-storage-inc": flags |= MigrateFlags.NonSharedIncremental; break;
                case "--change-protection": flags |= MigrateFlags.ChangeProtection; break;
                default:
                    if (word.StartsWith("--migrateuri=", StringComparison.Ordinal) && word.Length > "--migrateuri=".Length)
                        uri = word["--migrateuri=".Length..];
                    else if (word.StartsWith("--parallel-connections=", StringComparison.Ordinal)
                        && int.TryParse(word["--parallel-connections=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 256)
                        parallel = n;
                    else
                        throw OcfError.Configured($"parameter 'migrate_options': option {SafeText.Quote(word)} is not supported (this agent migrates through the libvirt API, not virsh)");
                    break;
            }
        }
        return new Options(flags, uri, parallel);
    }

    /// <summary>The plan for a migration to the cluster node <paramref name="target"/>.</summary>
    public static MigrationPlan For(Settings s, string target, Action<string>? warn = null)
    {
        if (!IsHostName(target))
            throw OcfError.Generic($"the migration target {SafeText.Quote(target)} is not a host name");
        var options = ParseOptions(s.MigrateOptions);
        string targetOnNetwork = WithSuffix(target, s.NetworkSuffix);

        string destination;
        if (s.RemoteUri.Length > 0)
            destination = s.RemoteUri.Replace("%n", target, StringComparison.Ordinal);
        else
        {
            string host = targetOnNetwork;
            if (s.User.Length > 0)
            {
                if (UserPattern().IsMatch(s.User)) host = s.User + "@" + host;
                else warn?.Invoke($"migration_user {SafeText.Quote(s.User)} is not a user name; it is ignored");
            }
            destination = ReplaceHost(s.Hypervisor, s.Transport, host)
                ?? throw OcfError.Configured($"cannot derive the target's libvirt URI from hypervisor {SafeText.Quote(s.Hypervisor)}: set remoteuri");
        }

        string? migrationUri;
        if (s.MigrateUri.Length > 0) migrationUri = s.MigrateUri.Replace("%n", targetOnNetwork, StringComparison.Ordinal);
        else if (options.MigrateUri is { } fromOptions) migrationUri = fromOptions.Replace("%n", targetOnNetwork, StringComparison.Ordinal);
        else if (s.NetworkSuffix.Length > 0)
        {
            migrationUri = HypervisorUri.Driver(s.Hypervisor) switch
            {
                "qemu" => $"tcp:{targetOnNetwork}:{s.MigratePort.ToString(CultureInfo.InvariantCulture)}",
                "xen" => targetOnNetwork,
                var other => null,
            };
            if (migrationUri is null) warn?.Invoke($"migration over a dedicated network is not supported for the {HypervisorUri.Driver(s.Hypervisor)} driver; migration_network_suffix only changes the destination URI");
        }
        else migrationUri = null;

        return new MigrationPlan(destination, migrationUri, options.Flags | AlwaysOn, options.ParallelConnections);
    }

    /// <summary>The typed parameters of the PERFORM3_PARAMS call.</summary>
    public IReadOnlyList<TypedParameter> Parameters(long speedMiBs)
    {
        var list = new List<TypedParameter>();
        if (MigrationUri is { } uri) list.Add(TypedParameter.OfString(MigrateParameter.Uri, uri));
        if (speedMiBs > 0) list.Add(TypedParameter.OfULLong(MigrateParameter.Bandwidth, (ulong)speedMiBs));
        if (ParallelConnections is int n) list.Add(TypedParameter.OfInt(MigrateParameter.ParallelConnections, n));
        return list;
    }

    /// <summary>The suffix goes before the first dot of an FQDN: node1.example.com + "-mig" = node1-mig.example.com.</summary>
    public static string WithSuffix(string node, string suffix)
    {
        if (suffix.Length == 0) return node;
        int dot = node.IndexOf('.');
        return dot < 0 ? node + suffix : node[..dot] + suffix + node[dot..];
    }

    /// <summary>
    /// The shell's <c>s,\(.*\)://[^/:]*\(:\?[0-9]*\)/\(.*\),\1+TRANSPORT://HOST\2/\3,</c>: scheme,
    /// transport, new host, the old port and the path with its query (so a unix socket path stays
    /// the source's: such URIs need remoteuri). Null when the URI has no "://…/" form.
    /// </summary>
    public static string? ReplaceHost(string uri, string transport, string host)
    {
        int sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return null;
        string scheme = uri[..sep];
        string rest = uri[(sep + 3)..];
        int slash = rest.IndexOf('/');
        if (slash < 0) return null;
        string authority = rest[..slash];
        string port = "";
        int colon = authority.LastIndexOf(':');
        if (colon >= 0 && authority[(colon + 1)..].All(char.IsAsciiDigit)) port = authority[colon..];
        if (transport.Length > 0) scheme += "+" + transport;
        return $"{scheme}://{host}{port}{rest[slash..]}";
    }

    public static bool IsHostName(string s) => s.Length is > 0 and <= 253 && HostPattern().IsMatch(s);

    [GeneratedRegex("^[a-z][-a-z0-9]*$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$")]
    private static partial Regex HostPattern();
}
