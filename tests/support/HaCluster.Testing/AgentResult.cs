using HaCluster.Ocf;

namespace HaCluster.Testing;

/// <summary>What one agent invocation did: its exit code and everything it wrote.</summary>
public sealed record AgentResult(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> LogLines, IReadOnlyList<string> SyslogLines)
{
    public OcfExitCode Code => (OcfExitCode)ExitCode;

    /// <summary>What crm_mon would show: the last stderr line with the prefix, without it.</summary>
    public string? ExitReason =>
        Stderr.Split('\n').LastOrDefault(l => l.StartsWith("ocf-exit-reason:", StringComparison.Ordinal))?["ocf-exit-reason:".Length..];

    public int ExitReasonCount => Stderr.Split('\n').Count(l => l.StartsWith("ocf-exit-reason:", StringComparison.Ordinal));
}
