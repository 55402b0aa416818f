using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Testing;

/// <summary>
/// Runs an agent executable as pacemaker-execd does: a process of its own, leading its own
/// process group (and session), with exactly the environment given (nothing inherited from
/// the test), stdin on /dev/null. For what an in-process run cannot show: signals, process
/// groups, the NativeAOT binary's own behaviour (resource keys, crashes), real exit codes.
/// </summary>
public sealed class AgentProcess
{
    readonly string[] command;

    /// <param name="command">The executable and any arguments before the action (e.g. dotnet and a dll).</param>
    public AgentProcess(params string[] command) => this.command = command;

    /// <summary>The environment the agent gets, and nothing else.</summary>
    public Dictionary<string, string> Env { get; } = new()
    {
        ["OCF_ROOT"] = "/usr/lib/ocf",
        ["OCF_RESOURCE_INSTANCE"] = "r1",
        ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin",
        ["LC_ALL"] = "C",
    };

    /// <summary>How long a run may take before the test gives up on it (and kills it).</summary>
    public TimeSpan Limit { get; set; } = TimeSpan.FromSeconds(60);

    public AgentProcess With(string name, string value) { Env[name] = value; return this; }
    public AgentProcess Param(string name, string value) => With("OCF_RESKEY_" + name, value);

    /// <summary>Runs the agent with <paramref name="arguments"/> (the action first) to its end.</summary>
    public AgentRun Run(params string[] arguments)
    {
        // env -i: exactly Env; setsid: a group and session of its own, like under pacemaker-execd
        // (our child is no group leader, so setsid does not fork: the agent keeps this PID; --wait
        // only matters for a runner whose children lead groups of their own).
        var args = new List<string> { "-i" };
        args.AddRange(Env.Select(kv => kv.Key + "=" + kv.Value));
        args.Add("/usr/bin/setsid");
        args.Add("--wait");
        args.AddRange(command);
        args.AddRange(arguments);
        var started = Stopwatch.GetTimestamp();
        var r = new ProcessRunner().Run(new ProcessSpec("/usr/bin/env", args), Deadline.After(Limit));
        return new AgentRun(r.Outcome, r.ExitCode, r.Signal, r.Stdout, r.Stderr, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Starts <see cref="Run"/> in the background, for a test that signals the agent meanwhile.</summary>
    public Task<AgentRun> Start(params string[] arguments) => Task.Factory.StartNew(() => Run(arguments), TaskCreationOptions.LongRunning);
}

/// <summary>How an agent process ended and what it wrote.</summary>
public sealed record AgentRun(ProcessOutcome Outcome, int ExitCode, int Signal, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Pacemaker's reading: the text after the last "ocf-exit-reason:" anywhere in stderr, to the end of its line.</summary>
    public string? ExitReason
    {
        get
        {
            int at = Stderr.LastIndexOf("ocf-exit-reason:", StringComparison.Ordinal);
            if (at < 0) return null;
            string rest = Stderr[(at + "ocf-exit-reason:".Length)..];
            int end = rest.IndexOf('\n');
            return end < 0 ? rest : rest[..end];
        }
    }

    /// <summary>How often the prefix occurs anywhere in stderr (Pacemaker searches the whole text).</summary>
    public int ExitReasonCount => (Stderr.Length - Stderr.Replace("ocf-exit-reason:", "", StringComparison.Ordinal).Length) / "ocf-exit-reason:".Length;

    public override string ToString() => $"{Outcome} {ExitCode} signal {Signal} in {Elapsed.TotalMilliseconds:0} ms; stderr: {Stderr}";
}
