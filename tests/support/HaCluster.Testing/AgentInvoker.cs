using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Ocf.Cluster;
using HaCluster.Ocf.Logging;

namespace HaCluster.Testing;

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

    /// <summary>Runs one invocation on <paramref name="agent"/> (every part of it on that one instance).</summary>
    public AgentResult Run(ResourceAgent agent, params string[] args) => Run(() => agent, args);

    /// <summary>Runs one invocation as an agent's Main does: the host makes an instance per part of it with <paramref name="create"/>.</summary>
    public AgentResult Run(Func<ResourceAgent> create, params string[] args)
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
        int rc = AgentHost.Run(create, args, services);
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
