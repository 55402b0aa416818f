using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// reload: the host calls it when only reloadable parameters (the arp_* ones, send_arp_opts,
// flush_routes, run_arping, check_link_status) changed.
public sealed partial class IPaddr2Agent
{
    /// <summary>Nothing to apply now: every action reads those parameters afresh, so the next one uses the new values.</summary>
    public override OcfExitCode Reload() => OcfExitCode.Success;
}
