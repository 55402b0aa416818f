using System.Globalization;

namespace HaCluster.Drbd;

/// <summary>
/// Parses <c>drbdsetup events2 --now RES</c>: one "exists" line per object (resource,
/// connection, device, peer-device) and a closing "exists -". The same format comes from DRBD 9
/// and from DRBD 8.4 (drbd-utils 9 forwards it to drbdsetup-84), where there is exactly one
/// connection with peer-node-id 0 and no quorum or client fields. Fields are key:value words;
/// unknown keys are ignored, unknown state words become the enums' Unknown.
/// </summary>
public static class Events2Parser
{
    /// <summary>The status of <paramref name="resource"/>; lines about other resources are ignored.</summary>
    public static DrbdStatus Parse(string output, string resource)
    {
        var role = DrbdRole.Unconfigured;
        bool resourceSeen = false;
        var volumes = new List<DrbdVolume>();
        var connections = new SortedDictionary<int, (string? Name, DrbdConnectionState State, DrbdRole PeerRole)>();
        var peerDevices = new Dictionary<int, List<DrbdPeerDevice>>();

        foreach (var rawLine in output.Split('\n'))
        {
            var words = rawLine.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            // With --timestamps every line starts with the time: skip it.
            if (words.Length > 2 && words[0] != "exists" && words[1] == "exists") words = words[1..];
            if (words.Length < 2 || words[0] != "exists") continue;
            if (words[1] == "-") break;
            var fields = Fields(words, 2);
            if (!fields.TryGetValue("name", out var name) || name != resource) continue;

            switch (words[1])
            {
                case "resource":
                    resourceSeen = true;
                    role = DrbdStateText.Role(fields.GetValueOrDefault("role"));
                    break;
                case "connection":
                {
                    int id = Int(fields.GetValueOrDefault("peer-node-id")) ?? -1;
                    connections[id] = (fields.GetValueOrDefault("conn-name"),
                        DrbdStateText.Connection(fields.GetValueOrDefault("connection")),
                        DrbdStateText.Role(fields.GetValueOrDefault("role")));
                    break;
                }
                case "device":
                    volumes.Add(new DrbdVolume(Int(fields.GetValueOrDefault("volume")) ?? 0, Int(fields.GetValueOrDefault("minor")),
                        DrbdStateText.Disk(fields.GetValueOrDefault("disk")))
                    {
                        IsClient = fields.GetValueOrDefault("client") == "yes",
                        HasQuorum = fields.GetValueOrDefault("quorum") != "no",
                    });
                    break;
                case "peer-device":
                {
                    int id = Int(fields.GetValueOrDefault("peer-node-id")) ?? -1;
                    if (!peerDevices.TryGetValue(id, out var list)) peerDevices[id] = list = [];
                    list.Add(new DrbdPeerDevice(Int(fields.GetValueOrDefault("volume")) ?? 0,
                        DrbdStateText.Replication(fields.GetValueOrDefault("replication")),
                        DrbdStateText.Disk(fields.GetValueOrDefault("peer-disk")))
                    {
                        PeerIsClient = fields.GetValueOrDefault("peer-client") == "yes",
                    });
                    break;
                }
            }
        }

        if (!resourceSeen) return DrbdStatus.NotConfigured(resource);
        var conns = connections.Select(kv => new DrbdConnection(kv.Key, kv.Value.Name, kv.Value.State, kv.Value.PeerRole,
            peerDevices.TryGetValue(kv.Key, out var l) ? l : [])).ToList();
        return new DrbdStatus(resource, role, volumes, conns);
    }

    static Dictionary<string, string> Fields(string[] words, int from)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = from; i < words.Length; i++)
        {
            int colon = words[i].IndexOf(':');
            if (colon <= 0) continue;
            d.TryAdd(words[i][..colon], words[i][(colon + 1)..]);
        }
        return d;
    }

    internal static int? Int(string? s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : null;
}
