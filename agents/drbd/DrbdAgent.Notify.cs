using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// notify: adjust towards a starting peer, recompute the score after every other change, and
// outdate this Secondary when asked to and the notification data say another node is Primary.
public sealed partial class DrbdAgent
{
    public override OcfExitCode Notify()
    {
        var n = Meta.Notify;
        try
        {
            // As the shell agent's case statement: */start first, other post/* notifications second.
            if (n.Operation == "start")
            {
                // More than two possible peers, or configured for a meanwhile failed one: adjust
                // the network settings when a peer starts. Usually a no-op.
                if (!Config.ConnectOnlyAfterPromote && Current().Running)
                    Run(tools.Adjust(Resource, new AdjustOptions { Peer84 = PeerName(), Verbose = true }, Deadline), "adjust");
            }
            else if (n.Type == "post")
            {
                var state = Current();
                if (state.Running) UpdateScore(state);
                else DeleteScore("the resource is not running");
                if (state.Summary.PeerDiskAnyUnknown) MaybeOutdateSelf(state);
            }
        }
        catch (OcfException e) when (!e.EnvironmentMissing)
        {
            // Notification failures are logged and ignored by Pacemaker anyway.
            LogNotifyProblem(Log, e.Reason);
        }
        return OcfExitCode.Success;
    }

    /// <summary>
    /// stop_outdates_secondary: this Secondary marks itself Outdated when the notification data say
    /// another node is still Primary and that node is not being stopped.
    /// </summary>
    void MaybeOutdateSelf(ResourceState state)
    {
        if (!Config.StopOutdatesSecondary) return;
        var n = Meta.Notify;
        var host = n.Promoted.Unames.FirstOrDefault(u => !IsMe(u));
        if (host is null) return;
        if (n.Stop.Unames.Any(u => u == host)) return; // stale master_uname during its own stop
        if (state.Summary.Primary)
        {
            LogSplitBrain(Log, Me, host, Resource);
            return;
        }
        LogOutdating(Log, Resource, host);
        Run(tools.Outdate(Resource, Deadline), "outdate");
        DeleteScore("outdated");
    }
}
