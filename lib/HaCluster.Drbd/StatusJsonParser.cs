using System.Text.Json;

namespace HaCluster.Drbd;

/// <summary>
/// Parses DRBD 9's <c>drbdsetup status --json [RES]</c>: an array of resources, each with
/// "role", "devices" (volume, minor, disk-state, client, quorum) and "connections" (peer-node-id,
/// name, connection-state, peer-role, peer_devices: volume, replication-state, peer-disk-state,
/// peer-client). The same model as events2 (DRBD 8.4's drbdsetup has no --json). The agent reads
/// events2, as ocf:linbit:drbd does; this is the second source a DRBD 9 test can check it against.
/// </summary>
internal static class StatusJsonParser
{
    public static DrbdStatus Parse(string json, string resource)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("drbdsetup status --json: not an array of resources");
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object || Str(r, "name") != resource) continue;
            var volumes = new List<DrbdVolume>();
            foreach (var d in Array(r, "devices"))
                volumes.Add(new DrbdVolume(Int(d, "volume") ?? 0, Int(d, "minor"), DrbdStateText.Disk(Str(d, "disk-state")))
                {
                    IsClient = Bool(d, "client") == true,
                    HasQuorum = Bool(d, "quorum") != false,
                });
            var connections = new List<DrbdConnection>();
            foreach (var c in Array(r, "connections"))
            {
                var peerDevices = Array(c, "peer_devices").Select(p => new DrbdPeerDevice(Int(p, "volume") ?? 0,
                    DrbdStateText.Replication(Str(p, "replication-state")), DrbdStateText.Disk(Str(p, "peer-disk-state")))
                { PeerIsClient = Bool(p, "peer-client") == true }).ToList();
                connections.Add(new DrbdConnection(Int(c, "peer-node-id") ?? -1, Str(c, "name"),
                    DrbdStateText.Connection(Str(c, "connection-state")), DrbdStateText.Role(Str(c, "peer-role")), peerDevices));
            }
            return new DrbdStatus(resource, DrbdStateText.Role(Str(r, "role")), volumes, connections);
        }
        return DrbdStatus.NotConfigured(resource);
    }

    static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object).ToList() : [];

    static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;

    static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;
}
