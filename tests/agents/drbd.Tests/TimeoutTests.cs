using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// An absurd OCF_RESKEY_CRM_meta_timeout (0, negative, 2^63-1 ms, not a number) is the advertised
/// timeout or clamped by the library: every action of a running Primary still answers as it would,
/// and no wait computed from the deadline (wfc_timeout, the connection wait) overflows.
/// </summary>
public class TimeoutTests : DrbdFixture
{
    [Theory]
    [MemberData(nameof(HostileValues.Timeouts), MemberType = typeof(HostileValues))]
    public void Every_action_answers_as_usual_under_an_absurd_timeout(string timeout)
    {
        var t = P("CRM_meta_timeout", timeout);
        Run("start", t, P("wfc_timeout", "0")).ExitCode.Should().Be(0);
        Drbd.Commands.Should().Contain(c => c.StartsWith("wait-connect /dev/drbd0 ", StringComparison.Ordinal) && !c.EndsWith(" 0", StringComparison.Ordinal),
            "DRBD's 'forever' is capped by the deadline, however far away it is");
        Run("monitor", t, Recurring).ExitCode.Should().Be(0);
        Run("promote", t).ExitCode.Should().Be(0);
        Run("monitor", t, Recurring).ExitCode.Should().Be(8);
        Run("notify", t, P("CRM_meta_notify_type", "post"), P("CRM_meta_notify_operation", "promote")).ExitCode.Should().Be(0);
        Run("reload", t).ExitCode.Should().Be(0);
        Run("validate-all", t).ExitCode.Should().Be(0);
        Run("demote", t).ExitCode.Should().Be(0);
        var stop = Run("stop", t);
        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.Stderr.Should().NotContain("internal error");
        Drbd.Configured.Should().BeFalse();
    }

    [Fact]
    public void A_failure_under_an_absurd_timeout_has_a_reason_of_ours()
    {
        Drbd.Running(DrbdRole.Secondary);
        Drbd.StatusOverride = () => throw new DrbdToolException("drbdsetup events2 --now r0", HaCluster.Testing.ScriptedProcessRunner.Exit(20, "stand-in failure"));

        var r = Run("monitor", P("CRM_meta_timeout", "9223372036854775807"), Recurring);

        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot read the state of DRBD resource r0: drbdsetup events2 --now r0 exited with status 20: stand-in failure");
    }
}
