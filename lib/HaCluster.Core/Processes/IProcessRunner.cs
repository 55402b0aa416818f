namespace HaCluster.Core.Processes;

/// <summary>
/// Starts programs: always an argument array (never a shell), stdin /dev/null, bounded by a
/// deadline. Agents reach every external tool through this, so tests can replace it and the
/// real one can be tested against real programs.
/// </summary>
public interface IProcessRunner
{
    /// <summary>True when <paramref name="path"/> is an executable file (and OCF_TESTER_FAIL_HAVE_BINARY is not 1).</summary>
    bool IsInstalled(string path);

    /// <summary>
    /// Runs the program to completion or until the deadline; at the deadline the child is killed
    /// with everything it started. The result is complete when the child exits, even if a
    /// grandchild it left behind still holds the output pipes.
    /// </summary>
    ProcessResult Run(ProcessSpec spec, Deadline deadline);

    /// <summary>
    /// Starts a program that outlives a successful action (a background ARP sender):
    /// stdin/stdout/stderr on /dev/null so it holds none of the caller's pipes, in the agent's
    /// process group so that it dies if Pacemaker kills the action. Returns its PID; throws
    /// <see cref="ProgramNotInstalledException"/> when the program is missing.
    /// </summary>
    int StartDetached(ProcessSpec spec);

    /// <summary>
    /// Kills the programs <see cref="StartDetached"/> started, with what they started: the
    /// action that started them failed. The OCF host calls it for every failed action.
    /// </summary>
    void KillDetached() { }
}

/// <summary>What to run: an absolute path, the arguments (argv[1..]) and environment changes.</summary>
public sealed record ProcessSpec(string Path, IReadOnlyList<string> Arguments)
{
    public ProcessSpec(string path, params string[] arguments) : this(path, (IReadOnlyList<string>)arguments) { }

    /// <summary>Variables to set (a null value removes one) on top of the agent's environment. LC_ALL=C is always set unless given here.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Output kept per stream; the rest is read and dropped so the child never blocks on a full pipe.</summary>
    public int MaxOutputBytes { get; init; } = 4 << 20;

    public override string ToString() => System.IO.Path.GetFileName(Path) + (Arguments.Count > 0 ? " " + string.Join(' ', Arguments) : "");
}

public enum ProcessOutcome
{
    Exited,
    /// <summary>Ended by a signal it did not get from us.</summary>
    Signaled,
    /// <summary>Killed by us at the deadline.</summary>
    TimedOut,
    /// <summary>The program does not exist or cannot be executed.</summary>
    NotInstalled,
}

public sealed record ProcessResult(ProcessOutcome Outcome, int ExitCode, int Signal, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public bool Succeeded => Outcome == ProcessOutcome.Exited && ExitCode == 0;

    /// <summary>How it ended, in a few words with the first line of its error output, for exit reasons.</summary>
    public string Describe()
    {
        string how = Outcome switch
        {
            ProcessOutcome.Exited => $"exited with status {ExitCode}",
            ProcessOutcome.Signaled => $"was killed by signal {Signal}",
            ProcessOutcome.TimedOut => $"did not finish within {Elapsed.TotalSeconds:0.#} s and was killed",
            _ => "is not installed",
        };
        string detail = FirstLine(Stderr) ?? FirstLine(Stdout) ?? "";
        return detail.Length == 0 ? how : $"{how}: {SafeText.OneLine(detail.Length > 200 ? detail[..200] : detail)}";
    }

    static string? FirstLine(string s)
    {
        foreach (var line in s.Split('\n'))
            if (line.Trim().Length > 0) return line.Trim();
        return null;
    }
}

/// <summary>
/// A program to start is missing or not executable. The OCF host reports it as "not installed"
/// (exit 5, under the probe rule), like every other missing piece of this host.
/// </summary>
public sealed class ProgramNotInstalledException(string path)
    : Exception($"{path} is not installed")
{
    public string ProgramPath { get; } = path;
}

/// <summary>Signals to processes the agent started itself (found again by PID and checked by the caller).</summary>
public static class ProcessSignals
{
    public const int Term = 15, Kill = 9;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it does not exist.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && Native.Libc.kill(pid, signal) == 0;
}
