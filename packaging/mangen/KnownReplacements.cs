namespace HaCluster.ManGen;

/// <summary>
/// The upstream agents that HaCluster's agents replace (same parameters and actions, provider
/// "hacluster"). Used for the "drop-in replacement" sentence and SEE ALSO of each page.
/// </summary>
internal static class KnownReplacements
{
    private static readonly Dictionary<string, string> Upstream = new(StringComparer.Ordinal)
    {
        ["Dummy"] = "ocf:heartbeat:Dummy",
        ["IPaddr2"] = "ocf:heartbeat:IPaddr2",
        ["VirtualDomain"] = "ocf:heartbeat:VirtualDomain",
        ["Xen"] = "ocf:heartbeat:Xen",
        ["drbd"] = "ocf:linbit:drbd",
    };

    public static string? For(string agent) => Upstream.TryGetValue(agent, out var r) ? r : null;
}
