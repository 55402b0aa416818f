using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Ocf.Cluster;
using HaCluster.Ocf.Logging;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Tests;

/// <summary>What one agent invocation did: its exit code and everything it wrote.</summary>
public sealed record AgentResult(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> LogLines, IReadOnlyList<string> SyslogLines)
{
    public OcfExitCode Code => (OcfExitCode)ExitCode;

    /// <summary>What crm_mon would show: the last stderr line with the prefix, without it.</summary>
    public string? ExitReason =>
        Stderr.Split('\n').LastOrDefault(l => l.StartsWith("ocf-exit-reason:", StringComparison.Ordinal))?["ocf-exit-reason:".Length..];

    public int ExitReasonCount => Stderr.Split('\n').Count(l => l.StartsWith("ocf-exit-reason:", StringComparison.Ordinal));
}

/// <summary>Log sinks that remember what was written.</summary>
public sealed class RecordingSinks : IOcfLogSinks
{
    public List<string> Stderr { get; } = [];
    public List<string> Syslog { get; } = [];
    public Dictionary<string, List<string>> Files { get; } = [];

    void IOcfLogSinks.Stderr(string text) => Stderr.Add(text);
    void IOcfLogSinks.Syslog(int facility, SyslogSeverity severity, string tag, string message) => Syslog.Add($"{facility}/{severity} {tag}: {message}");
    void IOcfLogSinks.AppendFile(string path, string text)
    {
        if (!Files.TryGetValue(path, out var l)) Files[path] = l = [];
        l.Add(text);
    }
}

/// <summary>Runs an agent in-process through the real host, with a recorded environment and output.</summary>
public sealed class AgentInvoker
{
    public Dictionary<string, string> Env { get; } = new()
    {
        ["OCF_ROOT"] = "/usr/lib/ocf",
        ["OCF_RESOURCE_INSTANCE"] = "r1",
    };

    public IProcessRunner? Processes { get; set; }
    public IClusterAttributes? Cluster { get; set; }
    public Clock Clock { get; set; } = Clock.System;
    public string Argv0 { get; set; } = "/usr/lib/ocf/resource.d/hacluster/Test";
    public bool StdinIsTerminal { get; set; }

    public AgentInvoker With(string name, string value) { Env[name] = value; return this; }
    public AgentInvoker Param(string name, string value) => With("OCF_RESKEY_" + name, value);

    public AgentResult Run(ResourceAgent agent, params string[] args)
    {
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        var sinks = new RecordingSinks();
        var services = new HostServices
        {
            Environment = OcfEnvironment.FromDictionary(new Dictionary<string, string>(Env), Argv0),
            Stdout = s => stdout.Append(s),
            Stderr = s => stderr.Append(s),
            Clock = Clock,
            StdinIsTerminal = StdinIsTerminal,
            ProcessId = 4711,
            LogSinks = new StderrAlso(sinks, s => stderr.Append(s)),
            CreateProcessRunner = env => Processes ?? new ProcessRunner(env.FailHaveBinary),
            CreateCluster = (env, runner, deadline, log) => Cluster ?? new RecordingCluster(),
        };
        int rc = AgentHost.Run(agent, args, services);
        var files = sinks.Files.SelectMany(kv => kv.Value).ToList();
        return new AgentResult(rc, stdout.ToString(), stderr.ToString(), files, sinks.Syslog);
    }

    /// <summary>Recording sinks whose stderr also lands in the invocation's stderr.</summary>
    sealed class StderrAlso(RecordingSinks inner, Action<string> stderr) : IOcfLogSinks
    {
        public void Stderr(string text) { ((IOcfLogSinks)inner).Stderr(text); stderr(text); }
        public void Syslog(int facility, SyslogSeverity severity, string tag, string message) => ((IOcfLogSinks)inner).Syslog(facility, severity, tag, message);
        public void AppendFile(string path, string text) => ((IOcfLogSinks)inner).AppendFile(path, text);
    }
}

/// <summary>An <see cref="IClusterAttributes"/> that only remembers (for agents' logic tests).</summary>
public sealed class RecordingCluster : IClusterAttributes
{
    public List<string> Calls { get; } = [];
    public string? NodeName { get; set; } = "node1";
    public string? LocalNodeName() => NodeName;
    public AttributeWrite SetPromotionScore(long score) { Calls.Add($"promotion={score}"); return AttributeWrite.Done; }
    public AttributeWrite DeletePromotionScore() { Calls.Add("promotion deleted"); return AttributeWrite.Done; }
    public AttributeRead GetPromotionScore(string? node = null) => AttributeRead.Absent;
    public AttributeRead GetNodeAttribute(string name, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever) => AttributeRead.Absent;
    public AttributeWrite SetNodeAttribute(string name, string value, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever) { Calls.Add($"node {name}={value}"); return AttributeWrite.Done; }
    public AttributeWrite SetUtilization(string name, string value) { Calls.Add($"utilization {name}={value}"); return AttributeWrite.Done; }
    public AttributeWrite DeleteUtilization(string name) { Calls.Add($"utilization {name} deleted"); return AttributeWrite.Done; }
}

/// <summary>A process runner that answers from a script and records every call.</summary>
public sealed class ScriptedProcessRunner : IProcessRunner
{
    public List<ProcessSpec> Calls { get; } = [];
    public Func<ProcessSpec, ProcessResult> Answer { get; set; } = _ => Ok("");
    public HashSet<string> Missing { get; } = [];

    public static ProcessResult Ok(string stdout) => new(ProcessOutcome.Exited, 0, 0, stdout, "", TimeSpan.Zero);
    public static ProcessResult Exit(int code, string stderr = "") => new(ProcessOutcome.Exited, code, 0, "", stderr, TimeSpan.Zero);

    public bool IsInstalled(string path) => !Missing.Contains(path);
    public ProcessResult Run(ProcessSpec spec, Deadline deadline) { Calls.Add(spec); return Answer(spec); }
    public int StartDetached(ProcessSpec spec) { Calls.Add(spec); return 99999; }
}

/// <summary>A clock the test moves by hand; a sleep on it moves it at once.</summary>
public sealed class ManualClock : Clock
{
    long ticks = 1_000_000;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => ticks;
    public void Advance(TimeSpan by) => ticks += by.Ticks;
    public override void Sleep(TimeSpan duration)
    {
        if (duration > TimeSpan.Zero) Advance(duration);
    }
}

/// <summary>A temporary directory removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hacluster-test-").FullName;
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
