using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd;

/// <summary>remove_master_score_if_peer_primary: an OCF truth value, or the literal "unexpected".</summary>
public enum PeerPrimaryPolicy { Ignore, Remove, RemoveIfUnexpected }

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
