using System.Globalization;
using HaCluster.Core.Processes;
using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// promote and demote: never without access to UpToDate data, never past the deadline, and never
// for long next to a Primary peer that Pacemaker does not control.
public sealed partial class DrbdAgent
{
    public override OcfExitCode Promote()
    {
        bool firstTry = true;
        string? failure = null;
        while (failure is null)
        {
            if (Deadline.IsExpired) { failure = $"DRBD resource {Resource} did not become Primary within the timeout{lastPromoteError}"; break; }
            var state = Current();
            if (state.Code == OcfExitCode.RunningPromoted)
            {
                if (Config.ConnectOnlyAfterPromote)
                    Run(tools.Adjust(Resource, new AdjustOptions { Peer84 = PeerName(), Verbose = true }, Deadline), "adjust");
                return OcfExitCode.Success;
            }
            if (state.Code == OcfExitCode.NotRunning) { failure = "cannot promote a resource that was not started"; break; }
            if (firstTry && SplitBrainUnresolved(state))
            {
                failure = $"Refusing to promote: DRBD dropped the connection of {Resource} after a split-brain that is not resolved; an operator decides whose changes are discarded (drbdadm connect --discard-my-data {Resource} there, drbdadm connect {Resource} on the other node)";
                break;
            }

            var s = state.Summary;
            // Consistent local disks are tried: DRBD then fences the peer and either makes them
            // UpToDate or refuses (17). Anything less has nothing DRBD could promote.
            bool couldHaveUpToDate = s.HasAccessToUpToDateData || (!s.DisklessClient && s.DiskAllConsistent);
            if (!couldHaveUpToDate)
            {
                failure = $"Refusing to be promoted to Primary without access to UpToDate data (local disk {Disks(state.Status)}, peer disk {PeerDisks(state.Status)})";
                break;
            }
            if (!firstTry && UnexpectedPrimaryRejectsPromote(state))
            {
                if (Config.FailPromoteEarlyIfPeerPrimary)
                {
                    DeleteScore("a peer is Primary");
                    failure = "Peer node already/still Primary";
                    break;
                }
                LogPeerStillPrimary(Log);
            }
            bool peerPrimary = s.SomePeerPrimary && Config.PromotedMax < 2;
            if (!peerPrimary) peerPrimarySince = null;
            else if (peerPrimarySince is null) peerPrimarySince = Clock.GetTimestamp();
            else if (Clock.GetElapsedTime(peerPrimarySince.Value) >= PeerDemoteGrace)
            {
                // DRBD cannot promote next to a Primary without allow-two-primaries, and a correct
                // transition demoted the peer before this promote: a peer still Primary now is one
                // Pacemaker does not control. Retrying until the timeout (as LINBIT's agent does)
                // only delays the failure and the recovery.
                failure = $"Refusing to promote: peer {PeerDescription()} is still Primary after {PeerDemoteGrace.TotalSeconds:0} s and two primaries are not configured{lastPromoteError}";
                break;
            }
            var r = tools.Primary(Resource, Deadline);
            if (r is { Outcome: ProcessOutcome.Exited, ExitCode: 17 })
            {
                // All disks inconsistent, or consistent but the peer could not be fenced: retrying cannot help.
                failure = "Refusing to be promoted to Primary without access to UpToDate data";
                break;
            }
            if (!r.Succeeded)
            {
                lastPromoteError = $": drbdadm primary {r.Describe()}" + (peerPrimary ? " (a peer is Primary and two primaries are not configured)" : "");
                // ocf:linbit:drbd sleeps a second after every try but the first, also after one
                // that succeeded: on a failover that second is a second more of outage.
                if (!firstTry) Pause(TimeSpan.FromSeconds(1));
            }
            firstTry = false;
        }

        // Avoid a too tight Pacemaker-driven recovery loop if promotion keeps failing.
        var elapsed = Clock.GetElapsedTime(startTimestamp);
        if (elapsed < TimeSpan.FromSeconds(15))
        {
            LogPromoteBackoff(Log, (15 - elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
            Pause(TimeSpan.FromSeconds(15) - elapsed);
        }
        throw OcfError.Generic(failure);
    }

    /// <summary>
    /// How long a promote waits for a Primary peer to demote or to be declared dead before it
    /// refuses. A peer that died while Primary stays Primary to DRBD until its keep-alive fails
    /// (8.4 and 9 defaults: ping-int 10 s plus ping-timeout 0.5 s, up to 6 s more for unacked
    /// data), and Corosync may notice the death first: the grace covers that detection.
    /// </summary>
    static readonly TimeSpan PeerDemoteGrace = TimeSpan.FromSeconds(20);

    /// <summary>The Primary peer for an exit reason: its node name where the cluster told us, else DRBD's connection name.</summary>
    string PeerDescription() =>
        PromotedPeerKnownToPacemaker() ?? PeerName() ?? "(the DRBD peer)";

    public override OcfExitCode Demote()
    {
        bool firstTry = true;
        string last = "";
        while (true)
        {
            if (Deadline.IsExpired) throw OcfError.Generic($"DRBD resource {Resource} is still Primary after the timeout{last}");
            var state = Current();
            if (state.Code == OcfExitCode.Success) return OcfExitCode.Success;
            if (state.Code == OcfExitCode.NotRunning) throw OcfError.Generic("cannot demote a resource that was not started");
            var r = tools.Secondary(Resource, Deadline);
            last = Describe(r, "secondary");
            if (!r.Succeeded && !firstTry) Pause(TimeSpan.FromSeconds(1));
            firstTry = false;
        }
    }

    /// <summary>
    /// ocf:linbit:drbd's unexpected_primary_rejects_promote: a single-primary configuration, this
    /// node Secondary, a peer Primary according to DRBD, and Pacemaker knowing no Primary.
    /// </summary>
    bool UnexpectedPrimaryRejectsPromote(ResourceState state) =>
        Config.PromotedMax == 1 && !state.Summary.Primary && state.Summary.SomePeerPrimary && PromotedPeerKnownToPacemaker() is null;

    static string Disks(DrbdStatus s) => s.Volumes.Count == 0 ? "none" : string.Join(',', s.Volumes.Select(v => v.Disk));
    static string PeerDisks(DrbdStatus s) =>
        s.Connections.SelectMany(c => c.PeerDevices).Select(p => p.PeerDisk.ToString()).DefaultIfEmpty("none").Aggregate((a, b) => a + "," + b);
}
