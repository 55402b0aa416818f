using HaCluster.Core;

namespace HaCluster.Testing;

/// <summary>Reads process states from /proc: whether a process a test started is still there, and who it belongs to.</summary>
public static class ProcessState
{
    /// <summary>A numeric field (1-based, as in proc(5)) of a /proc/PID/stat line; comm may hold spaces.</summary>
    public static int StatField(string stat, int field)
    {
        int close = stat.LastIndexOf(')');
        var rest = stat[(close + 2)..].Split(' ');
        return int.Parse(rest[field - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            char state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }

    public static bool WaitUntilGone(int pid, TimeSpan limit) =>
        Deadline.After(limit).WaitUntil(() => !IsAlive(pid), TimeSpan.FromMilliseconds(10));
}
