using HaCluster.Ocf.Cluster;

namespace HaCluster.Agents.Drbd;

// The promotion score: PromotionScore decides, these write or delete it through the cluster
// binding (which starts no process when the value did not change) and run the unfence hook.
public sealed partial class DrbdAgent
{
    void UpdateScore(ResourceState state)
    {
        if (!state.Summary.Primary && SplitBrainUnresolved(state))
        {
            // LINBIT's table gives a StandAlone UpToDate Secondary 1000: Pacemaker would promote
            // one side of a split-brain and lose the other side's writes at the next resync.
            // A Primary keeps its score: demoting it would only add an outage.
            LogSplitBrainUnresolved(Log, Resource);
            DeleteScore("unresolved split-brain");
            return;
        }
        var decision = PromotionScore.Decide(state.Summary, Config.Scores, Config.PeerPrimaryPolicy, Config.UnfenceIfAllUpToDate,
            () => UnexpectedPrimaryRejectsPromote(state));
        LogScoreDecision(Log, decision.Action.ToString(), decision.Value, decision.Why);
        switch (decision.Action)
        {
            case ScoreAction.Set: Report(Cluster.SetPromotionScore(decision.Value), "set"); break;
            case ScoreAction.Delete: DeleteScore(decision.Why); break;
        }
        if (decision.Unfence)
        {
            var r = tools.UnfencePeer(Resource, Config.UnfenceExtraArgs, Deadline);
            if (!r.Succeeded) LogCommandFailed(Log, "unfence-peer", r.Describe());
        }
    }

    void DeleteScore(string why)
    {
        var w = Cluster.DeletePromotionScore();
        if (!w.Skipped) LogScoreDeleted(Log, why);
        Report(w, "delete");
    }

    void Report(AttributeWrite w, string what)
    {
        // Without a cluster the tools exit 102: the action still reports the resource's state.
        if (!w.Succeeded) LogScoreFailed(Log, what, w.Error ?? "failed");
    }
}
