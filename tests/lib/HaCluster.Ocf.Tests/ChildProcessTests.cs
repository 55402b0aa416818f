using System.Runtime.InteropServices;
using HaCluster.Core;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// Children never outlive the agent against its will: a real agent process (TestAgent, whose
/// start runs a shell script that forks a sleeping grandchild and an orphan) is killed the way
/// Pacemaker kills it, and every process it started must be gone.
/// </summary>
public sealed partial class ChildProcessTests : IDisposable
{
    readonly TempDir dir = new();
    readonly List<int> started = [];

    public void Dispose()
    {
        // Whatever a failed test left running.
        foreach (int pid in started) kill(pid, 9);
        dir.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    static string TestAgentPath => Path.Combine(AppContext.BaseDirectory, "TestAgent");

    AgentProcess Agent() => new AgentProcess(TestAgentPath).With("HA_RSCTMP", dir["rsc"]);

    /// <summary>
    /// A child that forks a grandchild, an orphan (its parent subshell exits) and an escaped orphan
    /// (one that also left the process group with setsid), records their PIDs, and waits.
    /// </summary>
    string TreeScript => string.Join("; ",
        $"sleep 300 & echo $! > {dir["grandchild"]}.tmp; mv {dir["grandchild"]}.tmp {dir["grandchild"]}",
        $"(sleep 300 & echo $! > {dir["orphan"]}.tmp; mv {dir["orphan"]}.tmp {dir["orphan"]})",
        $"(setsid sleep 300 & echo $! > {dir["escaped"]}.tmp; mv {dir["escaped"]}.tmp {dir["escaped"]})",
        $"echo $$ > {dir["child"]}.tmp; mv {dir["child"]}.tmp {dir["child"]}",
        "wait");

    int WaitForPid(string name)
    {
        Deadline.After(TimeSpan.FromSeconds(30)).WaitUntil(() => File.Exists(dir[name]), TimeSpan.FromMilliseconds(20))
            .Should().BeTrue($"the script records {name}");
        int pid = int.Parse(File.ReadAllText(dir[name]).Trim());
        started.Add(pid);
        return pid;
    }

    static int ParentOf(int pid) => ProcessState.StatField(File.ReadAllText($"/proc/{pid}/stat"), 4);

    void AllGone(params int[] pids)
    {
        foreach (int pid in pids)
            ProcessState.WaitUntilGone(pid, TimeSpan.FromSeconds(5)).Should().BeTrue($"process {pid} was started by the agent");
    }

    [Fact]
    public async Task Pacemakers_SIGKILL_of_the_agents_process_group_mid_action_leaves_no_descendant()
    {
        var run = Agent().Param("script", TreeScript).Start("start");
        int child = WaitForPid("child"), grandchild = WaitForPid("grandchild"), orphan = WaitForPid("orphan");
        WaitForPid("escaped");
        int agent = ParentOf(child);

        kill(-agent, 9).Should().Be(0, "the agent leads its process group, as under pacemaker-execd");

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        AllGone(child, grandchild, orphan);
        // The escaped orphan left the group: only the agent could have ended it, and the agent was
        // killed without warning. The one case membership cannot cover (Dispose kills it).
    }

    [Fact]
    public async Task SIGTERM_of_the_agent_ends_every_descendant_and_exits_with_a_reason()
    {
        var run = Agent().Param("script", TreeScript).Start("start");
        int child = WaitForPid("child"), grandchild = WaitForPid("grandchild"), orphan = WaitForPid("orphan"), escaped = WaitForPid("escaped");
        int agent = ParentOf(child);

        kill(agent, 15).Should().Be(0);

        var r = await run.WaitAsync(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(1, r.ToString());
        r.ExitReason.Should().Be("start was interrupted by SIGTERM; the programs it had started were ended");
        AllGone(child, grandchild, orphan, escaped);
    }

    [Fact]
    public void At_the_deadline_the_child_is_killed_with_its_grandchild_and_its_orphans()
    {
        var r = Agent().Param("script", TreeScript).Param("CRM_meta_timeout", "3000").Run("start");
        int child = WaitForPid("child"), grandchild = WaitForPid("grandchild"), orphan = WaitForPid("orphan"), escaped = WaitForPid("escaped");

        r.ExitCode.Should().Be(1, r.ToString());
        r.ExitReason.Should().StartWith("the script did not finish within");
        AllGone(child, grandchild, orphan, escaped);
    }

    [Fact]
    public void A_detached_program_keeps_running_after_a_successful_action()
    {
        var r = Agent().Param("detached", $"echo $$ > {dir["detached"]}; exec sleep 300").Run("start");
        int detached = WaitForPid("detached");

        r.ExitCode.Should().Be(0, r.ToString());
        ProcessState.IsAlive(detached).Should().BeTrue("the action succeeded, so what it started in the background stays");
    }

    [Fact]
    public async Task A_detached_program_dies_with_an_action_Pacemaker_kills()
    {
        var run = Agent()
            .Param("detached", $"echo $$ > {dir["detached"]}; exec sleep 300")
            .Param("script", TreeScript).Start("start");
        int detached = WaitForPid("detached"), child = WaitForPid("child"), grandchild = WaitForPid("grandchild"), orphan = WaitForPid("orphan");
        WaitForPid("escaped");
        int agent = ParentOf(child);

        kill(-agent, 9).Should().Be(0);

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        AllGone(detached, child, grandchild, orphan);
    }

    [Fact]
    public void A_detached_program_dies_with_an_action_that_fails()
    {
        var r = Agent().Param("detached", $"echo $$ > {dir["detached"]}; exec sleep 300").Param("fail", "true").Run("start");
        int detached = WaitForPid("detached");

        r.ExitCode.Should().Be(1, r.ToString());
        AllGone(detached);
    }
}
