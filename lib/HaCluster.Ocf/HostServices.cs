using HaCluster.Core;
using HaCluster.Core.Native;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Cluster;
using HaCluster.Ocf.Logging;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

/// <summary>What the host uses of the system; tests substitute parts of it.</summary>
public sealed class HostServices
{
    public required OcfEnvironment Environment { get; init; }
    public Action<string> Stdout { get; init; } = s => StdStreams.Out(s);
    public Action<string> Stderr { get; init; } = s => StdStreams.Err(s);
    /// <summary>The clock of the action's deadline and of every wait (tests pass a manual one).</summary>
    public Clock Clock { get; init; } = Clock.System;
    public IOcfLogSinks? LogSinks { get; init; }
    public bool StdinIsTerminal { get; init; }
    public int ProcessId { get; init; } = System.Environment.ProcessId;
    public Func<OcfEnvironment, IProcessRunner> CreateProcessRunner { get; init; } = env => new ProcessRunner(env.FailHaveBinary);
    public Func<OcfEnvironment, IProcessRunner, Deadline, ILogger, IClusterAttributes> CreateCluster { get; init; } = DefaultCluster;

    public static HostServices ForProcess(OcfEnvironment env) => new() { Environment = env, StdinIsTerminal = StdStreams.StdinIsTerminal, IsProcess = true };

    /// <summary>
    /// True when the host owns the process: it may then exit it on an unhandled exception, and it
    /// catches termination signals once the agent has started a program.
    /// </summary>
    public bool IsProcess { get; init; }

    internal OcfLogger CreateLogger(OcfEnvironment env) =>
        new(OcfLogSettings.From(env, ProcessId, StdinIsTerminal), LogSinks ?? new StderrRedirectingSinks(OcfLogSinks.System, Stderr));

    static IClusterAttributes DefaultCluster(OcfEnvironment env, IProcessRunner runner, Deadline deadline, ILogger log) =>
        new CrmAttributes(env, runner, deadline, log,
            new AttributeCache(AttributeCache.PathFor(env), () => AttributeCache.CurrentIncarnation(CurrentProcess.ParentId, env.Get("CIB_file"))));

    /// <summary>The system sinks, with stderr going where this host's stderr goes.</summary>
    sealed class StderrRedirectingSinks(IOcfLogSinks inner, Action<string> stderr) : IOcfLogSinks
    {
        public void Stderr(string text) => stderr(text);
        public void Syslog(int facility, SyslogSeverity severity, string tag, string message) => inner.Syslog(facility, severity, tag, message);
        public void AppendFile(string path, string text) => inner.AppendFile(path, text);
    }
}
