using HaCluster.Core;
using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd;

/// <summary>The four values of adjust_master_score.</summary>
public sealed record ScoreTable(long OnlyConsistent, long OnlyRemote, long LocalOk, long AsGoodAsItGets)
{
    public static readonly ScoreTable Default = new(0, 10, 1000, 10000);
    public const string DefaultText = "0 10 1000 10000";

    /// <summary>
    /// Four non-negative whole numbers, non-decreasing, separated by blanks; otherwise the
    /// problem (the caller then falls back to the defaults, as ocf:linbit:drbd does).
    /// </summary>
    public static ScoreTable Parse(string text, out string? problem)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        problem = null;
        var values = new List<long>();
        foreach (var w in words)
        {
            if (w.Length > 18 || !w.All(char.IsAsciiDigit)) { problem = $"BAD adjust_master_score value {SafeText.Quote(w, 20)}"; break; }
            long v = long.Parse(w, System.Globalization.CultureInfo.InvariantCulture);
            if (values.Count > 0 && v < values[^1]) { problem = $"BAD adjust_master_score value {values[^1]} > {v}"; break; }
            values.Add(v);
        }
        if (problem is null && values.Count != 4) problem = $"Not enough adjust_master_score values ({values.Count} != 4)";
        return problem is null ? new ScoreTable(values[0], values[1], values[2], values[3]) : Default;
    }
}

/// <summary>remove_master_score_if_peer_primary: an OCF truth value, or the literal "unexpected".</summary>
public enum PeerPrimaryPolicy { Ignore, Remove, RemoveIfUnexpected }

public enum ScoreAction { Set, Delete, Leave }

/// <summary>What to do with the promotion score, and why (for the debug log and the tests).</summary>
public sealed record ScoreDecision(ScoreAction Action, long Value, string Why)
{
    /// <summary>Primary with every disk UpToDate everywhere and unfence_if_all_uptodate: run the unfence hook.</summary>
    public bool Unfence { get; init; }

    public static ScoreDecision SetTo(long value, string why) =>
        value <= 0 ? new(ScoreAction.Delete, 0, why + $" (score {value}: deleted, never set to 0 or less)") : new(ScoreAction.Set, value, why);
    public static ScoreDecision Delete(string why) => new(ScoreAction.Delete, 0, why);
    public static ScoreDecision Leave(string why) => new(ScoreAction.Leave, 0, why);
}

/// <summary>
/// ocf:linbit:drbd's drbd_update_master_score, decision by decision, as a pure function of the
/// status summary. A score of 0 or less is a deletion: negative scores made Pacemaker stop and
/// restart instances, and 0 means "do not promote" just as no score does.
/// </summary>
public static class PromotionScore
{
    /// <param name="unexpectedPrimary">
    /// Asked only when the policy is RemoveIfUnexpected and a healthy peer is Primary: true when
    /// Pacemaker knows no promoted instance (it starts crm_resource, so it is called lazily).
    /// </param>
    public static ScoreDecision Decide(DrbdSummary s, ScoreTable t, PeerPrimaryPolicy policy, bool unfenceIfAllUpToDate, Func<bool> unexpectedPrimary)
    {
        if (!s.HaveQuorum) return ScoreDecision.Delete("no quorum");

        if (policy != PeerPrimaryPolicy.Ignore && !s.Primary && s.SomePeerPrimary && s.SomePeerAllUpToDate)
        {
            if (policy == PeerPrimaryPolicy.Remove)
                return ScoreDecision.Delete("connected to a healthy Primary peer (remove_master_score_if_peer_primary)");
            if (unexpectedPrimary())
                return ScoreDecision.Delete("connected to a healthy Primary peer that Pacemaker does not know about");
        }

        if (s.DisklessClient)
        {
            if (s.Primary && s.SomePeerAllUpToDate) return ScoreDecision.SetTo(t.AsGoodAsItGets - 1, "diskless client, Primary, a peer has UpToDate data");
            if (s.PeerDisksAllUpToDate) return ScoreDecision.SetTo(t.AsGoodAsItGets - 1, "diskless client, all peer disks UpToDate");
            if (s.SomePeerAllUpToDate) return ScoreDecision.SetTo(t.LocalOk - 1, "diskless client, some peer has UpToDate data");
            return ScoreDecision.Delete("diskless client without access to UpToDate data");
        }

        if (s.DiskAllUpToDate)
        {
            if (s.Primary)
                return ScoreDecision.SetTo(t.AsGoodAsItGets, "Primary with UpToDate disks") with { Unfence = unfenceIfAllUpToDate && s.PeerDisksAllUpToDate };
            return s.PeerDiskAnyUnknown
                ? ScoreDecision.SetTo(t.LocalOk, "Secondary with UpToDate disks, some peer disk unknown")
                : ScoreDecision.SetTo(t.AsGoodAsItGets, "Secondary with UpToDate disks, all peer disks known");
        }

        if (s.SomePeerAllUpToDate) return ScoreDecision.SetTo(t.OnlyRemote, "local disk not UpToDate, a peer has UpToDate data");
        if (s.DiskTransitional) return ScoreDecision.Leave("local disk attaching or negotiating");
        if (s.DiskAllConsistent) return ScoreDecision.SetTo(t.OnlyConsistent, "local disks Consistent only");
        return ScoreDecision.Delete("no access to good data");
    }
}
