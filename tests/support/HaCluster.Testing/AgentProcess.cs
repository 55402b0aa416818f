using HaCluster.Core.Processes;

namespace HaCluster.Testing;

/// <summary>
/// Runs an agent executable as pacemaker-execd does: a process of its own, leading its own
/// process group (and session), with exactly the environment given (nothing inherited from
/// the test; values may be raw bytes), stdin on /dev/null, cwd /. For what an in-process run cannot show: signals, process
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

    /// <summary>
    /// Variables whose values are bytes rather than text (not UTF-8, say); they win over
    /// <see cref="Env"/> entries of the same name.
    /// </summary>
    public Dictionary<string, byte[]> RawEnv { get; } = new();

    /// <summary>The agent's working directory.</summary>
    public string WorkingDirectory { get; set; } = "/";

    public AgentProcess WithBytes(string name, byte[] value) { RawEnv[name] = value; return this; }

    /// <summary>Runs the agent with <paramref name="arguments"/> (the action first) to its end.</summary>
    public AgentRun Run(params string[] arguments)
    {
        // posix_spawn with exactly Env (nothing inherited from the test) in a session and process
        // group of its own, like under pacemaker-execd; raw bytes so RawEnv can hold any value.
        var argv = command.Concat(arguments).Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        var envp = Env.Where(kv => !RawEnv.ContainsKey(kv.Key)).Select(kv => RawSpawn.Variable(kv.Key, kv.Value))
            .Concat(RawEnv.Select(kv => RawSpawn.Variable(kv.Key, kv.Value))).ToList();
        return RawSpawn.Run(argv, envp, Limit, WorkingDirectory);
    }

    /// <summary>Starts <see cref="Run"/> in the background, for a test that signals the agent meanwhile.</summary>
    public Task<AgentRun> Start(params string[] arguments) => Task.Factory.StartNew(() => Run(arguments), TaskCreationOptions.LongRunning);
}

/// <summary>How an agent process ended and what it wrote.</summary>
public sealed record AgentRun(ProcessOutcome Outcome, int ExitCode, int Signal, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>The agent's process ID (also its process group and session).</summary>
    public int Pid { get; init; }

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
