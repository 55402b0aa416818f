namespace HaCluster.Drbd;

/// <summary>
/// Finds an unresolved DRBD split-brain in the kernel log. After a split-brain DRBD drops the
/// connection and the resource is StandAlone, a state that looks exactly like an administrator's
/// "drbdadm disconnect": no tool reports the divergence afterwards, only the kernel log does.
/// A split-brain counts as unresolved when, for the resource's minors, the last split-brain
/// message ("Split-Brain detected but unresolved, dropping connection!") is not followed by a
/// new connection attempt of the resource ("conn( StandAlone -> ..." after drbdadm connect, also
/// with --discard-my-data, or after down and up). A log that no longer holds the message (ring
/// buffer overwritten) reports nothing: the agent then behaves as ocf:linbit:drbd.
/// </summary>
/// <remarks>
/// 8.4 (captured in the UML lab): "block drbd0: Split-Brain detected but unresolved, dropping
/// connection!" and "drbd r0: conn( StandAlone -> Unconnected )". DRBD 9 prefixes connection
/// messages with "drbd RES PEER:" and device messages with "drbd RES/VOL drbdMINOR PEER:"; those
/// forms are written from DRBD 9's log format, not captured (no DRBD 9 kernel runs here).
/// </remarks>
public static class SplitBrainLog
{
    const string SplitBrain = "Split-Brain detected but unresolved, dropping connection!";
    const string Reconnect = "conn( StandAlone -> ";

    /// <param name="kernelLog">dmesg-style lines ("[  33.55] text", "&lt;6&gt;[  33.55] text" or bare text), oldest first.</param>
    /// <param name="resource">The DRBD resource name.</param>
    /// <param name="minors">The resource's device minors: device messages name the device ("block drbdN:").</param>
    public static bool Unresolved(string? kernelLog, string resource, IEnumerable<int> minors)
    {
        if (string.IsNullOrEmpty(kernelLog)) return false;
        var devicePrefixes = minors.Select(m => $"block drbd{m}:").ToList();
        bool unresolved = false;
        foreach (var raw in kernelLog.Split('\n'))
        {
            var text = MessageText(raw);
            if (text.Contains(SplitBrain, StringComparison.Ordinal))
            {
                if (devicePrefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal)) || IsResourceMessage(text, resource))
                    unresolved = true;
            }
            else if (unresolved && IsResourceMessage(text, resource) && text.Contains(Reconnect, StringComparison.Ordinal))
                unresolved = false;
        }
        return unresolved;
    }

    /// <summary>"drbd RES: ...", "drbd RES PEER: ..." or "drbd RES/VOL drbdN PEER: ...".</summary>
    static bool IsResourceMessage(string text, string resource)
    {
        var prefix = "drbd " + resource;
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || text.Length == prefix.Length) return false;
        return text[prefix.Length] is ':' or ' ' or '/';
    }

    static string MessageText(string line)
    {
        var s = line.TrimEnd('\r');
        if (s.StartsWith('<') && s.IndexOf('>') is > 0 and var gt) s = s[(gt + 1)..];
        if (s.StartsWith('[') && s.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end) s = s[(end + 2)..];
        return s;
    }
}
