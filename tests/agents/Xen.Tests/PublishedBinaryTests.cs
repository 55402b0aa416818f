using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// The NativeAOT binary as shipped (PublishedAgents; HACLUSTER_PUBLISHED_AGENTS reuses a
/// publish), run as pacemaker-execd runs it: its own process group, exactly the environment given.
/// </summary>
public sealed partial class PublishedBinaryTests
{
    static AgentProcess Agent(XlStandin xl, string cfg) =>
        new AgentProcess(PublishedAgents.PathOf("Xen"))
            .With("PATH", xl.Bin + ":/usr/bin:/bin").With("HA_RSCTMP", xl["rsctmp"])
            .With("OCF_RESOURCE_INSTANCE", "rsc-vm1").With("OCF_RESOURCE_TYPE", "Xen")
            .Param("xmfile", cfg);

    static string PvhConfig(XlStandin xl) => xl.Config("vm1.cfg", "name = \"vm1\"\ntype = \"pvh\"\nmemory = 160\n");

    /// <summary>
    /// Pacemaker's timeout or cancel is a SIGKILL of the agent's process group, and nothing of the
    /// agent runs after it: xl (here a stand-in that never ends) and what xl started (ssh for a
    /// migration; here a sleep) must be in that group and die with it.
    /// </summary>
    [Theory]
    [InlineData("migrate_to")]
    [InlineData("start")]
    public async Task Killing_the_agents_group_mid_action_leaves_no_xl_and_no_grandchild(string action)
    {
        using var xl = new XlStandin("xl-hanging");
        var agent = Agent(xl, PvhConfig(xl)).Param("CRM_meta_migrate_target", "node2").Param("CRM_meta_timeout", "120000");
        if (action == "start") xl.Knob("absent", "");
        var run = agent.Start(action);

        string childFile = Path.Combine(xl.State, "child.pid"), grandchildFile = Path.Combine(xl.State, "grandchild.pid");
        var wait = Deadline.After(TimeSpan.FromSeconds(60));
        wait.WaitUntil(() => File.Exists(grandchildFile) || run.IsCompleted, TimeSpan.FromMilliseconds(50));
        File.Exists(grandchildFile).Should().BeTrue(run.IsCompleted ? (await run).ToString() : "xl was not started in time");
        int child = int.Parse(File.ReadAllText(childFile).Trim(), CultureInfo.InvariantCulture);
        int grandchild = int.Parse(File.ReadAllText(grandchildFile).Trim(), CultureInfo.InvariantCulture);
        int agentPid = ParentOf(child);
        ProcessName(agentPid).Should().Be("Xen", "xl is the agent's own child");

        // What pacemaker-execd does at the timeout: SIGKILL to the agent's group, nothing else.
        Kill("-KILL", "-" + agentPid.ToString(CultureInfo.InvariantCulture));

        (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(run, "the agent ends at its group's SIGKILL");
        (await run).Outcome.Should().Be(ProcessOutcome.Signaled);
        Deadline.After(TimeSpan.FromSeconds(5)).WaitUntil(() => !IsAlive(child) && !IsAlive(grandchild), TimeSpan.FromMilliseconds(50));
        try
        {
            IsAlive(child).Should().BeFalse("xl must die with the agent's process group");
            IsAlive(grandchild).Should().BeFalse("what xl started must die with the agent's process group");
        }
        finally
        {
            if (IsAlive(child)) Kill("-KILL", child.ToString(CultureInfo.InvariantCulture));
            if (IsAlive(grandchild)) Kill("-KILL", grandchild.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Resource keys of the runtime's messages: a class prefix, an underscore, a name.</summary>
    [GeneratedRegex(@"\b(Arg|Argument|IO|Overflow|Format|InvalidOperation|Arithmetic|NotSupported|ObjectDisposed|UnauthorizedAccess|Security|Net|Serialization|Threading|PlatformNotSupported)_\w+")]
    private static partial Regex ResourceKey();

    /// <summary>
    /// Every action with every parameter set to hostile values (issue 13, items 9 and 15): an OCF
    /// code, at most one exit reason and that a sentence of ours (no resource key of the runtime,
    /// no internal error), and stop 0.
    /// </summary>
    [Fact]
    public void Hostile_values_give_ocf_codes_and_reasons_of_ours_in_every_action()
    {
        using var xl = new XlStandin();
        string cfg = PvhConfig(xl);
        string fifo = xl["fifo"];
        new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", fifo), Deadline.After(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();
        string[] values = ["", "a\nb", new string('x', 100 * 1024), "$(touch " + xl["pwned"] + ")", "-x", fifo, "/" + new string('d', 100 * 1024)];
        string[] actions = ["start", "stop", "monitor", "validate-all", "migrate_to", "reload"];
        int[] ocfCodes = [0, 1, 2, 3, 4, 5, 6, 7];
        var failures = new List<string>();

        foreach (var parameter in new XenAgent().Parameters.Select(p => p.Name))
        {
            foreach (var value in values)
            {
                foreach (var action in actions)
                {
                    var r = Agent(xl, cfg).Param(parameter, value).Param("CRM_meta_timeout", "1000")
                        .Param("CRM_meta_migrate_target", "node2").Run(action);
                    string what = $"{action} with {parameter}={SafeText.Quote(value)}: {r.ExitCode} {SafeText.Quote(r.ExitReason, 200)}";
                    if (r.Outcome != ProcessOutcome.Exited || !ocfCodes.Contains(r.ExitCode)) failures.Add(what + " (not an OCF code)");
                    else if (ResourceKey().IsMatch(r.Stderr)) failures.Add(what + " (a resource key)");
                    else if (r.Stderr.Contains("internal error", StringComparison.Ordinal) || r.Stderr.Contains("   at ", StringComparison.Ordinal)) failures.Add(what + " (internal error)");
                    else if (r.ExitReasonCount > 1 || (r.ExitReason ?? "").Length > 512) failures.Add(what + " (reason count or length)");
                    else if (action == "stop" && r.ExitCode != 0) failures.Add(what + " (stop must be 0)");
                    else if (r.ExitCode != 0 && r.ExitCode != 7 && string.IsNullOrWhiteSpace(r.ExitReason)) failures.Add(what + " (a failure without a reason)");
                }
            }
        }

        failures.Should().BeEmpty();
        File.Exists(xl["pwned"]).Should().BeFalse();
    }

    static int ParentOf(int pid)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
            if (line.StartsWith("PPid:", StringComparison.Ordinal)) return int.Parse(line[5..].Trim(), CultureInfo.InvariantCulture);
        return 0;
    }

    static string ProcessName(int pid) => File.ReadAllText($"/proc/{pid}/comm").Trim();

    /// <summary>Alive: present and not a zombie (a killed process waits for its reaper a moment).</summary>
    static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException) { return false; }
    }

    static void Kill(string signal, string target) =>
        new ProcessRunner().Run(new ProcessSpec("/bin/kill", signal, "--", target), Deadline.After(TimeSpan.FromSeconds(5)));
}
