using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

/// <summary>The resource as the kernel sees it, and the OCF code a monitor reports for it.</summary>
sealed record ResourceState(OcfExitCode Code, DrbdStatus Status)
{
    public DrbdSummary Summary { get; } = Status.Summarize();
    public bool Running => Code != OcfExitCode.NotRunning;
}
