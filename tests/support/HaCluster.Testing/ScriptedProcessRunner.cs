using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Testing;

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
