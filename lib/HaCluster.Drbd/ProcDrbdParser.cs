using System.Globalization;
using System.Text.RegularExpressions;

namespace HaCluster.Drbd;

/// <summary>
/// Parses /proc/drbd. Its first line gives the loaded module's version (8.4 and 9); on 8.4 it
/// also has one line per minor: <c> 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----</c>,
/// a counters line (<c>oos:</c> = KiB out of sync), and while syncing a progress line.
/// /proc/drbd names no resource: <see cref="ToStatus"/> needs the resource's minors.
/// </summary>
internal static partial class ProcDrbdParser
{
    public sealed record Minor(int Number, string ConnectionWord, DrbdRole Role, DrbdRole PeerRole, DrbdDiskState Disk, DrbdDiskState PeerDisk)
    {
        public long? OutOfSyncKiB { get; init; }
        public double? SyncedPercent { get; init; }
        public bool IsUnconfigured => ConnectionWord == "Unconfigured";
    }

    public sealed record Contents(DrbdVersion? Version, IReadOnlyList<Minor> Minors);

    public static Contents Parse(string text)
    {
        DrbdVersion? version = null;
        var minors = new List<Minor>();
        foreach (var line in text.Split('\n'))
        {
            if (version is null && line.StartsWith("version:", StringComparison.Ordinal))
            {
                version = DrbdVersion.TryParse(line["version:".Length..].Trim());
                continue;
            }
            var m = MinorLine().Match(line);
            if (m.Success)
            {
                var fields = Fields(m.Groups[2].Value);
                var (role, peerRole) = Pair(fields.GetValueOrDefault("ro"));
                var (disk, peerDisk) = Pair(fields.GetValueOrDefault("ds"));
                // A number no kernel writes (more digits than an int holds) names no minor.
                if (!int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int minor)) continue;
                minors.Add(new Minor(minor, fields.GetValueOrDefault("cs") ?? "",
                    DrbdStateText.Role(role), DrbdStateText.Role(peerRole), DrbdStateText.Disk(disk), DrbdStateText.Disk(peerDisk)));
                continue;
            }
            if (minors.Count == 0) continue;
            var last = minors[^1];
            var oos = OutOfSync().Match(line);
            if (oos.Success && long.TryParse(oos.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                minors[^1] = last with { OutOfSyncKiB = kib };
            var synced = Synced().Match(line);
            if (synced.Success && double.TryParse(synced.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent))
                minors[^1] = minors[^1] with { SyncedPercent = percent };
        }
        return new Contents(version, minors);
    }

    /// <summary>The status of a resource made of <paramref name="minors"/>, from the 8.4 per-minor lines.</summary>
    public static DrbdStatus ToStatus(Contents contents, string resource, IReadOnlyList<int> minors)
    {
        var volumes = new List<DrbdVolume>();
        var peerDevices = new List<DrbdPeerDevice>();
        var roles = new List<Minor>();
        DrbdConnectionState? connection = null;
        int volume = 0;
        foreach (int number in minors)
        {
            var m = contents.Minors.FirstOrDefault(x => x.Number == number);
            if (m is null || m.IsUnconfigured) { volume++; continue; }
            roles.Add(m);
            var (conn, repl) = DrbdStateText.CombinedConnectionState(m.ConnectionWord);
            connection ??= conn;
            volumes.Add(new DrbdVolume(volume, number, m.Disk));
            peerDevices.Add(new DrbdPeerDevice(volume, repl, m.PeerDisk));
            volume++;
        }
        if (roles.Count == 0) return DrbdStatus.NotConfigured(resource);
        var role = roles.Any(r => r.Role == DrbdRole.Primary) ? DrbdRole.Primary
            : roles.Any(r => r.Role == DrbdRole.Secondary) ? DrbdRole.Secondary : DrbdRole.Unknown;
        var peerRole = roles.Any(r => r.PeerRole == DrbdRole.Primary) ? DrbdRole.Primary
            : roles.Any(r => r.PeerRole == DrbdRole.Secondary) ? DrbdRole.Secondary : DrbdRole.Unknown;
        return new DrbdStatus(resource, role, volumes, [new DrbdConnection(0, null, connection ?? DrbdConnectionState.Unknown, peerRole, peerDevices)]);
    }

    static Dictionary<string, string> Fields(string rest)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var w in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = w.IndexOf(':');
            if (colon > 0) d.TryAdd(w[..colon], w[(colon + 1)..]);
        }
        return d;
    }

    static (string?, string?) Pair(string? v)
    {
        if (v is null) return (null, null);
        int slash = v.IndexOf('/');
        return slash < 0 ? (v, null) : (v[..slash], v[(slash + 1)..]);
    }

    [GeneratedRegex(@"^\s*(\d+):\s+(cs:.*)$")]
    private static partial Regex MinorLine();
    [GeneratedRegex(@"\boos:(\d+)")]
    private static partial Regex OutOfSync();
    [GeneratedRegex(@"sync'ed:\s*([0-9.]+)%")]
    private static partial Regex Synced();
}
