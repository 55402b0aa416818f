using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>monitor: 0 while the state file exists, 7 otherwise, for probes and recurring monitors alike.</summary>
public class StatusTests : DummyFixture
{
    [Fact]
    public void A_stopped_resource_is_not_running()
    {
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning);
    }

    [Fact]
    public void A_started_resource_is_running()
    {
        Run("start");
        Run("monitor").Code.Should().Be(OcfExitCode.Success);
    }

    [Fact]
    public void Status_is_not_advertised_and_not_answered()
    {
        Run("status").Code.Should().Be(OcfExitCode.Unimplemented);
    }

    [Fact]
    public void A_recurring_monitor_of_a_stopped_resource_answers_7_without_an_exit_reason()
    {
        var r = Invoker().Param("CRM_meta_interval", "10000").Run(new DummyAgent(), "monitor");

        r.Code.Should().Be(OcfExitCode.NotRunning);
        r.ExitReason.Should().BeNull();
    }

    [Fact]
    public void Monitor_waits_op_sleep_before_it_answers()
    {
        Run("start");
        Invoker().Param("op_sleep", "1").Run(new DummyAgent(), "monitor").ExitCode.Should().Be(0);
        Clock.Slept.Should().Be(TimeSpan.FromSeconds(1));
    }
}
