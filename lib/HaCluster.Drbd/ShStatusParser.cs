namespace HaCluster.Drbd;

/// <summary>
/// Parses DRBD 8.4's <c>drbdsetup sh-status RES</c>: shell assignments (<c>_minor=0
/// _res_name=r0 _volume=0 _cstate=Connected _role=Primary _peer=Secondary _disk=UpToDate
/// _pdsk=UpToDate …</c>) with one <c>_sh_status_process</c> word after each volume, which the
/// shell agent evals. Here the words are read as data: only the known names are kept, values are
/// never executed, and like the shell's variables a value carries over to the next volume
/// unless that volume sets it again.
/// </summary>
internal static class ShStatusParser
{
    public static DrbdStatus Parse(string output, string resource)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var records = new List<Dictionary<string, string>>();
        foreach (var word in output.Split([' ', '\t', '\n', '\r', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word == "_sh_status_process") { records.Add(new Dictionary<string, string>(vars)); continue; }
            int eq = word.IndexOf('=');
            if (eq <= 0 || word[0] != '_') continue;
            vars[word[..eq]] = Unquote(word[(eq + 1)..]);
        }

        var volumes = new List<DrbdVolume>();
        var peerDevices = new List<DrbdPeerDevice>();
        var roles = new List<DrbdRole>();
        var peerRoles = new List<DrbdRole>();
        DrbdConnectionState? connection = null;
        foreach (var r in records)
        {
            // drbdsetup shell-escapes the name (a backslash before special characters).
            if (r.TryGetValue("_res_name", out var name) && name.Length > 0 && Unescape(name) != resource) continue;
            // Unconfigured or not yet created volumes stay in, as in the shell agent: their empty
            // role and disk read as Unconfigured and keep "all disks UpToDate" false.
            int volume = Events2Parser.Int(r.GetValueOrDefault("_volume")) ?? 0;
            // Not-yet-created volumes are reported as -1 (the shell agent files them under 1<<16).
            if (volume < 0) volume = 1 << 16;
            var role = NonEmpty(r, "_role") is { } rt ? DrbdStateText.Role(rt) : DrbdRole.Unconfigured;
            roles.Add(role);
            peerRoles.Add(NonEmpty(r, "_peer") is { } pr ? DrbdStateText.Role(pr) : DrbdRole.Unknown);
            var (conn, repl) = DrbdStateText.CombinedConnectionState(NonEmpty(r, "_cstate"));
            connection ??= conn;
            volumes.Add(new DrbdVolume(volume, Events2Parser.Int(r.GetValueOrDefault("_minor")),
                NonEmpty(r, "_disk") is { } d ? DrbdStateText.Disk(d) : DrbdDiskState.Unconfigured));
            peerDevices.Add(new DrbdPeerDevice(volume, repl,
                NonEmpty(r, "_pdsk") is { } p ? DrbdStateText.Disk(p) : DrbdDiskState.DUnknown));
        }

        // The shell agent: any volume Primary => Primary; any Secondary => configured.
        var resourceRole = roles.Contains(DrbdRole.Primary) ? DrbdRole.Primary
            : roles.Contains(DrbdRole.Secondary) ? DrbdRole.Secondary : DrbdRole.Unconfigured;
        if (resourceRole == DrbdRole.Unconfigured) return DrbdStatus.NotConfigured(resource);
        var peerRole = peerRoles.Contains(DrbdRole.Primary) ? DrbdRole.Primary
            : peerRoles.Contains(DrbdRole.Secondary) ? DrbdRole.Secondary : DrbdRole.Unknown;
        return new DrbdStatus(resource, resourceRole, volumes,
            [new DrbdConnection(0, null, connection ?? DrbdConnectionState.Unknown, peerRole, peerDevices)]);
    }

    static string? NonEmpty(Dictionary<string, string> r, string key) =>
        r.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    static string Unescape(string v) => v.Contains('\\') ? System.Text.RegularExpressions.Regex.Replace(v, @"\\(.)", "$1") : v;

    static string Unquote(string v) =>
        v.Length >= 2 && (v[0] == '\'' || v[0] == '"') && v[^1] == v[0] ? v[1..^1] : v;
}
