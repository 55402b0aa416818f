using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using HaCluster.Testing;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// Runs cases in the sandbox, a bounded number at a time, each in a run directory of its own,
/// and judges each run (<see cref="Verdict"/>): the findings are what the tests report.
/// </summary>
public sealed class CaseRunner(Sandbox sandbox, Func<string, string> agentPath)
{
    static int nextId;

    /// <summary>Runs at a time: the agents mostly wait (for a socket nobody answers, a FIFO, a deadline), so many more than the cores.</summary>
    public static int Parallelism =>
        int.TryParse(Environment.GetEnvironmentVariable("HACLUSTER_HOSTILE_PARALLEL"), out int n) && n > 0 ? n : 16;

    /// <summary>How much later than its deadline a run may end (process start, a loaded machine) before it counts as late.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1500);

    public IReadOnlyList<Finding> RunAll(IEnumerable<HostileCase> cases)
    {
        var findings = new ConcurrentBag<Finding>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, c =>
        {
            foreach (var p in Run(c)) findings.Add(new Finding(c, p));
        });
        return [.. findings];
    }

    /// <summary>Runs one case and returns what was wrong with it (nothing: it held).</summary>
    public IReadOnlyList<Problem> Run(HostileCase c)
    {
        int id = Interlocked.Increment(ref nextId);
        using var dir = new RunDirectory(sandbox, id);
        string marker = $"{Environment.ProcessId}.{id}";
        var agent = new AgentProcess(sandbox.Command(agentPath(c.Agent), ownNetwork: c.Agent == "IPaddr2"))
        {
            Limit = c.GiveUpAfter ?? c.Deadline + Slack + TimeSpan.FromSeconds(2),
        };
        agent.Env.Clear();
        foreach (var (name, value) in Baseline.Variables(c, dir))
            agent.WithBytes(name, value.ToBytes());
        var variables = c.Variables(dir);
        foreach (var (name, value) in variables)
            agent.WithBytes(name, value.ToBytes());
        // The paths the hostile values name, relative to the run directory; those named by a
        // parameter that is the agent's own file by definition (Dummy's state) are its to replace
        // or remove (never to follow: the canary behind a link stays checked).
        string? Relative(string? t) => t is not null && t.StartsWith(dir.Path + "/", StringComparison.Ordinal) ? Path.GetRelativePath(dir.Path, t) : null;
        var named = variables.Values.Select(v => Relative(v.Text)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var own = variables.Where(v => OwnFileParameters.Contains((c.Agent, v.Key)))
            .Select(v => Relative(v.Value.Text)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        agent.WithBytes(MarkerVariable, Encoding.UTF8.GetBytes(marker));
        agent.WorkingDirectory = dir.WorkingDirectory;

        long startedTicks = ProcessTable.Now();
        AgentRun run;
        try { run = agent.Run(c.Verb); }
        catch (IOException e) { return [new Problem("could not be started", e.Message)]; }
        var problems = Verdict.Judge(c, run).ToList();
        // Writing or removing the very file a parameter names (a state file at a FIFO's or a
        // symlink's path, replaced rather than followed) is told apart from touching anything
        // else, the canary behind the symlink above all.
        problems.AddRange(dir.Changes().Where(change => !own.Contains(change.Path)).Select(change => named.Contains(change.Path)
            ? new Problem("replaced or removed the path a parameter names (outside HA_RSCTMP)", change.What)
            : new Problem("touched a file outside HA_RSCTMP", change.What)));
        problems.AddRange(FullFsChanges());
        var left = ProcessTable.LeftBehind(marker, run.Pid, startedTicks);
        // A start that succeeded may leave what it started to outlive it (an ARP announcer).
        bool mayLeave = run.ExitCode == 0 && c.Verb is "start" or "migrate_from" or "reload";
        if (left.Count > 0 && !mayLeave)
            problems.Add(new Problem("left processes behind", string.Join(", ", left.Select(p => $"{p.Command} ({p.Pid})"))));
        ProcessTable.Kill(left);
        return problems;
    }

    public const string MarkerVariable = "HACLUSTER_HOSTILE_RUN";

    /// <summary>Parameters that name the agent's own file: what is at that path is the agent's to replace.</summary>
    static readonly HashSet<(string Agent, string Variable)> OwnFileParameters = [("Dummy", "OCF_RESKEY_state")];

    IEnumerable<Problem> FullFsChanges()
    {
        string[] names;
        try { names = [.. Directory.EnumerateFileSystemEntries(sandbox.FullMountFromOutside).Select(Path.GetFileName).OfType<string>()]; }
        catch (IOException) { yield break; }
        foreach (var name in names.Where(n => n != "filler"))
        {
            string path = Path.Combine(sandbox.FullMountFromOutside, name);
            yield return new Problem("touched a file outside HA_RSCTMP", $"created {name} on the full file system");
            try
            {
                if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(path, true);
                else File.Delete(path);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>The variables every run of an agent gets: an OCF environment as pacemaker-execd sets it, valid values of the required parameters.</summary>
public static class Baseline
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(4000);

    public static IEnumerable<(string Name, EnvValue Value)> Variables(HostileCase c, RunDirectory dir)
    {
        yield return ("OCF_ROOT", "/usr/lib/ocf");
        yield return ("OCF_RA_VERSION_MAJOR", "1");
        yield return ("OCF_RA_VERSION_MINOR", "1");
        yield return ("OCF_RESOURCE_INSTANCE", "hostile");
        yield return ("OCF_RESOURCE_TYPE", c.Agent);
        yield return ("OCF_RESOURCE_PROVIDER", "hacluster");
        yield return ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        yield return ("LC_ALL", "C");
        yield return ("HA_RSCTMP", dir.RscTmp);
        yield return ("TMPDIR", dir.TempDirectory);
        yield return ("OCF_RESKEY_crm_feature_set", "3.16.1");
        yield return ("OCF_RESKEY_CRM_meta_timeout", ((long)Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        yield return ("OCF_RESKEY_CRM_meta_on_node", "hostile-node");
        yield return ("OCF_RESKEY_CRM_meta_on_node_uuid", "1");
        // A probe carries no interval (as under Pacemaker 2.1.5); a recurring monitor does.
        if (c.Action is "monitor" or "status") yield return ("OCF_RESKEY_CRM_meta_interval", "10000");
        if (c.Action is "migrate_to" or "migrate_from")
        {
            yield return ("OCF_RESKEY_CRM_meta_migrate_source", "hostile-node");
            yield return ("OCF_RESKEY_CRM_meta_migrate_target", "hostile-peer");
        }
        if (c.Action == "notify")
        {
            yield return ("OCF_RESKEY_CRM_meta_notify_type", "pre");
            yield return ("OCF_RESKEY_CRM_meta_notify_operation", "start");
            foreach (var set in new[] { "start", "stop", "active", "promote", "demote", "promoted", "unpromoted" })
            {
                yield return ($"OCF_RESKEY_CRM_meta_notify_{set}_resource", " ");
                yield return ($"OCF_RESKEY_CRM_meta_notify_{set}_uname", " ");
            }
        }
        switch (c.Agent)
        {
            case "IPaddr2":
                yield return ("OCF_RESKEY_ip", "198.51.100.10");
                break;
            case "VirtualDomain":
                yield return ("OCF_RESKEY_config", dir.DomainXml);
                yield return ("OCF_RESKEY_hypervisor", "qemu:///system?socket=" + dir.NoLibvirtdSocket);
                break;
            case "Xen":
                yield return ("OCF_RESKEY_xmfile", dir.XenConfig);
                break;
            case "drbd":
                yield return ("OCF_RESKEY_drbd_resource", "hostile");
                // A promotable clone with notifications, as the agent is always configured.
                yield return ("OCF_RESKEY_CRM_meta_clone_max", "2");
                yield return ("OCF_RESKEY_CRM_meta_clone_node_max", "1");
                yield return ("OCF_RESKEY_CRM_meta_promoted_max", "1");
                yield return ("OCF_RESKEY_CRM_meta_promoted_node_max", "1");
                yield return ("OCF_RESKEY_CRM_meta_notify", "true");
                yield return ("OCF_RESKEY_CRM_meta_globally_unique", "false");
                break;
        }
    }
}
