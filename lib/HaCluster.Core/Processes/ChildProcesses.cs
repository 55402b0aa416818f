using System.Runtime.InteropServices;
using HaCluster.Core.Files;
using HaCluster.Core.Native;

namespace HaCluster.Core.Processes;

/// <summary>
/// Makes sure no program an agent started outlives it against its will, whichever way the
/// action ends. The design, and why:
/// <list type="bullet">
/// <item>Children stay in the agent's process group. At a timeout or a cancel pacemaker-execd
/// SIGKILLs that group, with no warning the agent could act on; only membership makes the tools
/// (and whatever they forked without leaving the group) die in the same instant. A child in a
/// group of its own, as before, survived: an <c>xl migrate</c> or <c>drbdadm primary</c> went
/// on after Pacemaker had recorded the operation as failed.</item>
/// <item>The agent is a child subreaper (PR_SET_CHILD_SUBREAPER), so a grandchild orphaned by
/// its parent's exit is re-parented to the agent rather than to init: it can still be found
/// (in /proc, by parent) and killed.</item>
/// <item>Our own deadline kills one child with everything it started: its descendants by
/// parent, and orphans re-parented to the agent that carry the child's tree marker, an
/// environment variable (<see cref="TreeVariable"/>) every child gets and passes on. A tool
/// that forks a helper into a session of its own is found either way; one that also clears
/// its environment and is orphaned is not (it still dies with the process group unless it left
/// it).</item>
/// <item>SIGTERM, SIGINT and SIGHUP (a cancel by hand, a shutdown) are caught once the agent
/// has started a child: every descendant is killed, then the <see cref="TerminationHandler"/>
/// (the OCF host) writes its exit reason and exits.</item>
/// <item>No PR_SET_PDEATHSIG: posix_spawn cannot set it, and it fires when the spawning
/// <em>thread</em> ends, not the process, which is a hazard of its own in a runtime that
/// may run code on pool threads; group membership covers the SIGKILL case, the handler the
/// others.</item>
/// </list>
/// The cost falls on actions that start programs: nothing is set up before the first child.
/// </summary>
public static class ChildProcesses
{
    /// <summary>The variable that marks every process of one child's tree.</summary>
    public const string TreeVariable = "HACLUSTER_PROCESS_TREE";

    static readonly Lock gate = new();
    static bool prepared;
    static int sequence;
    static PosixSignalRegistration[] registrations = [];

    /// <summary>
    /// Called on SIGTERM, SIGINT or SIGHUP when the process has started children; it should call
    /// <see cref="KillAll"/> and end the process. Set before the first child is started (the
    /// OCF host does); without one, the signals keep their default action.
    /// </summary>
    public static Action<PosixSignal>? TerminationHandler { get; set; }

    /// <summary>True once termination signals are caught (a handler was set before the first child).</summary>
    public static bool CatchesTerminationSignals => Volatile.Read(ref prepared) && registrations.Length > 0;

    /// <summary>A new marker for one child's tree (this process's PID and a sequence number).</summary>
    internal static string NewTreeMarker() => $"{Environment.ProcessId}.{Interlocked.Increment(ref sequence)}";

    /// <summary>Before a spawn: become a subreaper and catch termination signals, once.</summary>
    internal static void Prepare()
    {
        if (Volatile.Read(ref prepared)) return;
        lock (gate)
        {
            if (prepared) return;
            Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            if (TerminationHandler is not null)
                registrations = [Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGINT), Register(PosixSignal.SIGHUP)];
            Volatile.Write(ref prepared, true);
        }
    }

    static PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        if (TerminationHandler is not { } handler) return;
        context.Cancel = true;
        handler(context.Signal);
    });

    /// <summary>
    /// Kills every descendant of this process: the tools running now, what they left behind, the
    /// detached programs. For a termination signal: nothing the agent started may outlive it.
    /// </summary>
    public static void KillAll()
    {
        int self = Environment.ProcessId;
        for (int round = 0; round < 50; round++)
        {
            var table = ProcessTable.Read();
            var victims = table.Descendants(self);
            if (!KillLiving(victims, table)) return;
        }
    }

    /// <summary>
    /// Kills <paramref name="root"/> and everything it started: its descendants, and the orphans
    /// re-parented to this process that carry its <paramref name="marker"/>. Repeated until none
    /// is left, since a process may fork while we look; what we killed and adopted is reaped.
    /// </summary>
    internal static void KillTree(int root, string marker)
    {
        int self = Environment.ProcessId;
        for (int round = 0; round < 50; round++)
        {
            var table = ProcessTable.Read();
            var victims = new HashSet<int>();
            if (table.Contains(root)) victims.Add(root);
            victims.UnionWith(table.Descendants(root));
            foreach (int child in table.ChildrenOf(self))
            {
                if (child == root || victims.Contains(child) || !HasMarker(child, marker)) continue;
                victims.Add(child);
                victims.UnionWith(table.Descendants(child));
            }
            // Adopted zombies of this tree: ours to reap (the root is its runner's).
            foreach (int pid in victims)
                if (pid != root && table.IsZombie(pid) && table.ParentOf(pid) == self) Reap(pid);
            if (!KillLiving(victims, table)) return;
        }
    }

    static bool KillLiving(IEnumerable<int> victims, ProcessTable table)
    {
        bool any = false;
        foreach (int pid in victims)
        {
            if (table.IsZombie(pid)) continue;
            Libc.kill(pid, Libc.SIGKILL);
            any = true;
        }
        // Let the kernel deliver the kills and re-parent the orphans before the next look.
        if (any) Thread.Yield();
        return any;
    }

    static unsafe void Reap(int pid)
    {
        int status;
        Libc.waitpid(pid, &status, Libc.WNOHANG);
    }

    /// <summary>True when /proc/PID/environ holds <see cref="TreeVariable"/>=<paramref name="marker"/>.</summary>
    internal static bool HasMarker(int pid, string marker)
    {
        byte[] environ;
        try { environ = BoundedFile.ReadAllBytes($"/proc/{pid}/environ", Deadline.After(TimeSpan.FromSeconds(1)), maxBytes: 1 << 20, mayBlock: false); }
        catch (FileException) { return false; }
        var wanted = System.Text.Encoding.ASCII.GetBytes(TreeVariable + "=" + marker);
        var span = environ.AsSpan();
        while (span.Length > 0)
        {
            int end = span.IndexOf((byte)0);
            var entry = end < 0 ? span : span[..end];
            if (entry.SequenceEqual(wanted)) return true;
            if (end < 0) break;
            span = span[(end + 1)..];
        }
        return false;
    }
}

/// <summary>One look at /proc: every process with its parent and whether it is a zombie.</summary>
internal sealed class ProcessTable
{
    readonly Dictionary<int, (int Parent, bool Zombie)> processes = [];
    readonly Dictionary<int, List<int>> children = [];

    public static ProcessTable Read()
    {
        var table = new ProcessTable();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            string name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; } // gone meanwhile
            catch (UnauthorizedAccessException) { continue; }
            // comm (field 2) may contain spaces and parentheses: fields after the last ')'.
            int close = stat.LastIndexOf(')');
            if (close < 0 || close + 4 > stat.Length) continue;
            char state = stat[close + 2];
            var rest = stat.AsSpan(close + 4);
            int space = rest.IndexOf(' ');
            if (space < 0 || !int.TryParse(rest[..space], out int parent)) continue;
            table.processes[pid] = (parent, state is 'Z' or 'X');
            if (!table.children.TryGetValue(parent, out var list)) table.children[parent] = list = [];
            list.Add(pid);
        }
        return table;
    }

    public bool Contains(int pid) => processes.ContainsKey(pid);
    public bool IsZombie(int pid) => !processes.TryGetValue(pid, out var p) || p.Zombie;
    public int ParentOf(int pid) => processes.TryGetValue(pid, out var p) ? p.Parent : 0;
    public IReadOnlyList<int> ChildrenOf(int pid) => children.TryGetValue(pid, out var list) ? list : [];

    /// <summary>Every process below <paramref name="pid"/>, by parent, not including it.</summary>
    public HashSet<int> Descendants(int pid)
    {
        var found = new HashSet<int>();
        var queue = new Queue<int>();
        queue.Enqueue(pid);
        while (queue.TryDequeue(out int current))
            foreach (int child in ChildrenOf(current))
                if (found.Add(child)) queue.Enqueue(child);
        return found;
    }
}
