using System.Text.RegularExpressions;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// What every run must do, whatever the values: end within its deadline with an OCF code and no
/// signal, say why in one readable sentence when it failed, never show .NET internals, answer
/// 0 to stop (nothing can be running in the sandbox) and never 1 to a probe.
/// </summary>
public static partial class Verdict
{
    static readonly HashSet<int> OcfCodes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191];

    const string Prefix = "ocf-exit-reason:";

    /// <summary>The most an exit reason may be: Pacemaker shows it in crm_mon's one-line failure list.</summary>
    public const int MaxReasonLength = 512;

    [GeneratedRegex(@"\b(Arg|Argument|IO|Overflow|Format|InvalidOperation|Arithmetic|NotSupported|ObjectDisposed|UnauthorizedAccess|Security|Net|Serialization|Threading|PlatformNotSupported|Xml|Cryptography|Interop)_\w+")]
    private static partial Regex ResourceKey();

    [GeneratedRegex(@"^\s+at \S+.*\)", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    public static IEnumerable<Problem> Judge(HostileCase c, AgentRun run)
    {
        string rc = run.Outcome == ProcessOutcome.Exited ? $"rc {run.ExitCode}" : run.Outcome.ToString();
        if (run.Outcome == ProcessOutcome.TimedOut && c.GiveUpAfter is not null) yield break;
        if (run.Outcome == ProcessOutcome.TimedOut)
        {
            yield return new Problem("ran past its deadline and was killed", $"deadline {c.Deadline.TotalSeconds:0.#} s");
            yield break;
        }
        if (run.Elapsed > c.Deadline + CaseRunner.Slack)
            yield return new Problem("ended after its deadline", $"{run.Elapsed.TotalSeconds:0.0} s for a deadline of {c.Deadline.TotalSeconds:0.#} s");
        if (run.Outcome == ProcessOutcome.Signaled)
        {
            yield return new Problem($"killed by signal {run.Signal}", Tail(run.Stderr));
            yield break;
        }
        if (!OcfCodes.Contains(run.ExitCode))
            yield return new Problem($"exit code {run.ExitCode} is no OCF code", Tail(run.Stderr));

        string reason = run.ExitReason ?? "";
        switch (c.Action)
        {
            case "stop" when run.ExitCode != 0:
                yield return new Problem($"stop answered {run.ExitCode} where nothing can be running", reason);
                break;
            case "probe" when run.ExitCode == 1:
                yield return new Problem("probe answered 1", reason);
                break;
            case "meta-data" when run.ExitCode != 0:
                yield return new Problem($"meta-data answered {run.ExitCode}", reason);
                break;
            case "validate-all" when run.ExitCode is not (0 or 2 or 5 or 6):
                yield return new Problem($"validate-all answered {run.ExitCode}", reason);
                break;
        }

        if (reason.Contains("internal error", StringComparison.Ordinal))
            yield return new Problem("internal error", reason);
        foreach (var p in ReasonProblems(c, run)) yield return p;

        string output = c.Action == "meta-data" ? run.Stderr : run.Stdout + "\n" + run.Stderr;
        if (ResourceKey().Match(output) is { Success: true } key)
            yield return new Problem("a runtime resource key in the output", Line(output, key.Value));
        if (StackFrame().Match(output) is { Success: true } frame)
            yield return new Problem("a stack trace in the output", frame.Value.Trim());
        if (!reason.Contains("internal error", StringComparison.Ordinal) && output.Contains("Exception", StringComparison.Ordinal))
            yield return new Problem("'Exception' in the output", Line(output, "Exception"));
    }

    /// <summary>A failure (not 0, not "not running" from a monitor, not a promoted or degraded state) needs one exit reason, last, short and readable.</summary>
    static IEnumerable<Problem> ReasonProblems(HostileCase c, AgentRun run)
    {
        bool monitorLike = c.Verb is "monitor" or "status";
        bool failure = run.ExitCode switch
        {
            0 or 8 or 190 or 191 => false,
            7 => !monitorLike,
            _ => true,
        };
        if (!failure)
        {
            if (run.ExitReasonCount > 0 && run.ExitCode is 0)
                yield return new Problem("an exit reason on success", run.ExitReason ?? "");
            yield break;
        }
        string[] lines = run.Stderr.TrimEnd('\n').Split('\n');
        string last = lines[^1];
        if (run.ExitReasonCount == 0)
        {
            yield return new Problem($"no exit reason for rc {run.ExitCode}", Tail(run.Stderr));
            yield break;
        }
        if (run.ExitReasonCount > 1)
            yield return new Problem("more than one exit reason", $"{run.ExitReasonCount} in stderr");
        if (!last.StartsWith(Prefix, StringComparison.Ordinal))
            yield return new Problem("the exit reason is not the last stderr line", Clip(last));
        string reason = run.ExitReason ?? "";
        if (reason.Trim().Length == 0)
            yield return new Problem("an empty exit reason", "");
        if (reason.Length > MaxReasonLength)
            yield return new Problem($"an exit reason longer than {MaxReasonLength} characters", $"{reason.Length} characters: {Clip(reason)}");
        if (reason.Any(ch => char.IsControl(ch) && ch != '\t'))
            yield return new Problem("control characters in the exit reason", Clip(reason));
    }

    static string Tail(string stderr)
    {
        var lines = stderr.TrimEnd('\n').Split('\n');
        return Clip(lines[^1]);
    }

    static string Line(string text, string word)
    {
        int at = text.IndexOf(word, StringComparison.Ordinal);
        int start = text.LastIndexOf('\n', Math.Max(0, at)) + 1;
        int end = text.IndexOf('\n', at);
        return Clip(text[start..(end < 0 ? text.Length : end)]);
    }

    /// <summary>At most 160 characters, control characters shown as escapes.</summary>
    public static string Clip(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char ch in s.Length > 160 ? s[..160] : s)
            sb.Append(char.IsControl(ch) ? $"\\x{(int)ch:x2}" : ch.ToString());
        if (s.Length > 160) sb.Append($"…(+{s.Length - 160})");
        return sb.ToString();
    }
}
