using System.Globalization;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// Finds what a run left running after the agent exited: processes in the agent's session, or
/// started since the run began with the run's marker variable in their environment (which
/// every child inherits unless it clears its environment).
/// </summary>
public static class ProcessTable
{
    public sealed record Left(int Pid, string Command);

    /// <summary>Now, in clock ticks since boot (the unit of a process's start time in /proc/PID/stat).</summary>
    public static long Now()
    {
        string uptime = File.ReadAllText("/proc/uptime").Split(' ')[0];
        return (long)(double.Parse(uptime, CultureInfo.InvariantCulture) * 100);
    }

    public static IReadOnlyList<Left> LeftBehind(string marker, int agentPid, long startedTicks)
    {
        var found = Scan(marker, agentPid, startedTicks);
        if (found.Count == 0) return found;
        // A child killed at the agent's exit may take a moment to go: look again before blaming.
        Thread.Sleep(300);
        return Scan(marker, agentPid, startedTicks);
    }

    static List<Left> Scan(string marker, int agentPid, long startedTicks)
    {
        var left = new List<Left>();
        byte[] needle = System.Text.Encoding.UTF8.GetBytes(CaseRunner.MarkerVariable + "=" + marker + "\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || pid == agentPid) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (f[0] is "Z" or "X") continue;
                int session = int.Parse(f[3], CultureInfo.InvariantCulture);
                long start = long.Parse(f[19], CultureInfo.InvariantCulture);
                bool ours = session == agentPid && agentPid > 0;
                if (!ours && start + 1 >= startedTicks)
                    ours = File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(needle) >= 0;
                if (ours) left.Add(new Left(pid, File.ReadAllText(Path.Combine(dir, "comm")).Trim()));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            catch (FormatException) { }
            catch (IndexOutOfRangeException) { }
        }
        return left;
    }

    /// <summary>Ends what a run left behind (descendants of this test, by PID).</summary>
    public static void Kill(IEnumerable<Left> processes)
    {
        foreach (var p in processes) Native.kill(p.Pid, 9);
    }
}

static partial class Native
{
    [System.Runtime.InteropServices.LibraryImport("libc")]
    internal static partial int kill(int pid, int signal);
}
