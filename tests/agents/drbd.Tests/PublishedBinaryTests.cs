using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// The NativeAOT drbd binary as shipped, against stand-in tools (<see cref="StandInTools"/>):
/// Pacemaker's SIGKILL of the agent's process group mid-action leaves no drbdadm behind, and
/// hostile timeouts give OCF codes with reasons of ours, never the runtime's resource keys.
/// </summary>
[Trait("Requires", "root")]
public sealed partial class PublishedBinaryTests : IDisposable
{
    readonly StandInTools tools = new();
    readonly List<int> started = [];

    public void Dispose()
    {
        // Whatever a failed test left running.
        foreach (int pid in started) kill(pid, 9);
        tools.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [GeneratedRegex(@"\b(Arg|Argument|IO|Overflow|Format|InvalidOperation|Arithmetic|NotSupported|ObjectDisposed|UnauthorizedAccess)_\w+")]
    private static partial Regex ResourceKey();

    int WaitForPid(string name)
    {
        Deadline.After(TimeSpan.FromSeconds(60)).WaitUntil(() => File.Exists(tools.PidFile(name)), TimeSpan.FromMilliseconds(20))
            .Should().BeTrue($"the stand-in drbdadm records its {name}");
        int pid = int.Parse(File.ReadAllText(tools.PidFile(name)).Trim());
        started.Add(pid);
        return pid;
    }

    /// <summary>Field 4 of /proc/PID/stat: the parent's pid.</summary>
    static int ParentOf(int pid) => ProcessState.StatField(File.ReadAllText($"/proc/{pid}/stat"), 4);

    [Fact]
    public async Task Pacemakers_SIGKILL_of_the_process_group_mid_start_leaves_no_drbdadm_and_no_grandchild()
    {
        tools.Hang = true;
        var run = tools.Agent().Param("CRM_meta_timeout", "120000").Start("start");
        int child = WaitForPid("child"), grandchild = WaitForPid("grandchild");
        int agent = ParentOf(child);
        File.ReadAllText($"/proc/{agent}/cmdline").Should().Contain("drbd", "drbdadm's parent is the agent itself");
        ProcessState.IsAlive(child).Should().BeTrue("the agent is mid-start, waiting for drbdadm");

        kill(-agent, 9).Should().Be(0, "the agent leads its process group, as under pacemaker-execd");

        var r = await run.WaitAsync(TimeSpan.FromSeconds(60));
        r.Signal.Should().Be(9, r.ToString());
        foreach (int pid in new[] { child, grandchild })
            ProcessState.WaitUntilGone(pid, TimeSpan.FromSeconds(10)).Should().BeTrue($"process {pid} was started by the agent's drbdadm call");
    }

    [Theory]
    [MemberData(nameof(HostileValues.Timeouts), MemberType = typeof(HostileValues))]
    public void A_hostile_timeout_is_an_OCF_code_with_a_reason_of_ours_in_every_action(string timeout)
    {
        foreach (var action in new[] { "start", "stop", "monitor", "promote", "demote", "notify", "reload", "validate-all" })
        {
            var r = tools.Agent().Param("CRM_meta_timeout", timeout).Run(action);

            r.Outcome.Should().Be(ProcessOutcome.Exited, $"{action}: {r}");
            r.ExitCode.Should().BeOneOf([0, 1, 5, 7], $"{action}: {r}");
            ResourceKey().IsMatch(r.Stderr).Should().BeFalse(r.ToString());
            r.Stderr.Should().NotContain("internal error").And.NotContain("   at ");
            r.ExitReasonCount.Should().BeLessThanOrEqualTo(1);
            if (action == "start")
                r.ExitReason.Should().Be("Cannot load the drbd module: modprobe exited with status 1: stand-in: no drbd module here",
                    "the run reached the stand-in tools, not this host's");
        }
    }
}
