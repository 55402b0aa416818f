using System.Globalization;
using System.Net;
using System.Text;
using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;

namespace HaCluster.Agents.IPaddr2;

/// <summary>
/// The background senders (arp_bg) of one resource instance and address, found in /proc rather
/// than through a pid file: a pid file that could not be written, or was lost with its
/// directory, must not leave a sender announcing an address that has moved to another node.
/// A process counts only if all of these hold: its argv[1] is <see cref="BackgroundAnnouncement.Marker"/>
/// with this instance and address, it runs as our user, and its executable is ours. So a
/// process of another user that copies the command line is never signalled.
/// </summary>
public sealed class AnnouncerProcesses(string procRoot, string? ownExecutable, Action<int, int> send)
{
    /// <summary>The real /proc, this process's executable and real signals.</summary>
    public static AnnouncerProcesses OfThisSystem() =>
        new("/proc", LinkTarget("/proc/self/exe"), (pid, signal) => ProcessSignals.Send(pid, signal));

    /// <summary>The PIDs of the senders for <paramref name="instance"/> and <paramref name="address"/>.</summary>
    public IReadOnlyList<int> Find(string instance, IPAddress address)
    {
        var found = new List<int>();
        if (ownExecutable is null) return found;
        string? ownUid = UidLine("self");
        if (ownUid is null) return found;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories(procRoot).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId) continue;
            if (IsSenderFor(pid, instance, address, ownUid)) found.Add(pid);
        }
        return found;
    }

    /// <summary>Whether <paramref name="pid"/> is a sender for this instance and address (the pid file's hint is checked the same way).</summary>
    public bool IsSenderFor(int pid, string instance, IPAddress address) =>
        ownExecutable is not null && UidLine("self") is { } ownUid && IsSenderFor(pid, instance, address, ownUid);

    bool IsSenderFor(int pid, string instance, IPAddress address, string ownUid)
    {
        string p = pid.ToString(CultureInfo.InvariantCulture);
        if (Read(p, "cmdline", 64 * 1024) is not { } cmdline) return false;
        var args = cmdline.TrimEnd('\0').Split('\0');
        if (!BackgroundAnnouncement.IsCommandFor(args, instance, address)) return false;
        if (UidLine(p) != ownUid) return false;
        var exe = LinkTarget(Path.Combine(procRoot, p, "exe"));
        // A package upgrade replaces the file under a running sender: it is still ours.
        return exe is not null && (exe == ownExecutable || exe == ownExecutable + " (deleted)");
    }

    /// <summary>
    /// Ends <paramref name="pid"/>: SIGTERM, then SIGKILL when it is still there after a second
    /// (or what <paramref name="deadline"/> leaves of it).
    /// </summary>
    public void End(int pid, Deadline deadline)
    {
        send(pid, ProcessSignals.Term);
        var wait = deadline.Within(TimeSpan.FromSeconds(1));
        if (!wait.WaitUntil(() => !IsAlive(pid), TimeSpan.FromMilliseconds(20)))
            send(pid, ProcessSignals.Kill);
    }

    /// <summary>Present in /proc and not a zombie.</summary>
    bool IsAlive(int pid)
    {
        var stat = Read(pid.ToString(CultureInfo.InvariantCulture), "stat", 4096);
        if (stat is null) return false;
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
    }

    /// <summary>The "Uid:" line of /proc/PID/status: real, effective, saved and file system uid.</summary>
    string? UidLine(string pid) =>
        Read(pid, "status", 64 * 1024)?.Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));

    string? Read(string pid, string file, int maxBytes)
    {
        try
        {
            var bytes = BoundedFile.ReadAllBytes(Path.Combine(procRoot, pid, file), Deadline.After(TimeSpan.FromSeconds(1)), maxBytes, mayBlock: false);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (FileException) { return null; }
    }

    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
