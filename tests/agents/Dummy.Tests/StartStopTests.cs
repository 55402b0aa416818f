using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>start and stop: the state file comes and goes; both are idempotent.</summary>
public class StartStopTests : DummyFixture
{
    [Fact]
    public void Start_monitor_stop_cycle()
    {
        Run("monitor").ExitCode.Should().Be(7);
        Run("start").ExitCode.Should().Be(0);
        File.ReadAllText(StateFile).Should().Be("dummy\n");
        Run("monitor").ExitCode.Should().Be(0);
        Run("start").ExitCode.Should().Be(0);
        Run("stop").ExitCode.Should().Be(0);
        Run("monitor").ExitCode.Should().Be(7);
        Run("stop").ExitCode.Should().Be(0);
    }

    [Fact]
    public void HA_RSCTMP_is_created_when_missing()
    {
        Directory.Exists(Dir["rsc"]).Should().BeFalse();
        Run("start").ExitCode.Should().Be(0);
        Directory.Exists(Dir["rsc"]).Should().BeTrue();
    }

    [Fact]
    public void An_explicit_state_file_is_used()
    {
        var r = Invoker().Param("state", Dir["my.state"]).Run(new DummyAgent(), "start");
        r.ExitCode.Should().Be(0);
        File.Exists(Dir["my.state"]).Should().BeTrue();
    }

    [Fact]
    public void The_state_file_holds_the_fake_value()
    {
        Invoker().Param("fake", "hello").Run(new DummyAgent(), "start").ExitCode.Should().Be(0);
        File.ReadAllText(StateFile).Should().Be("hello\n");
    }

    [Fact]
    public void A_state_file_in_a_missing_directory_fails_start_with_a_reason()
    {
        var r = Invoker().Param("state", Dir["nope/x.state"]).Run(new DummyAgent(), "start");
        r.Code.Should().Be(OcfExitCode.ErrArgs);
        r.ExitReason.Should().StartWith("cannot write state file");
    }

    [Fact]
    public void Start_and_stop_wait_op_sleep_on_the_actions_clock()
    {
        Invoker().Param("op_sleep", "2.5").Run(new DummyAgent(), "start").ExitCode.Should().Be(0);
        Clock.Slept.Should().Be(TimeSpan.FromSeconds(2.5));

        Invoker().Param("op_sleep", "2.5").Run(new DummyAgent(), "stop").ExitCode.Should().Be(0);
        Clock.Slept.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Op_sleep_longer_than_the_timeout_fails_at_the_deadline_not_at_the_timeout()
    {
        var r = Invoker().Param("op_sleep", "30").Param("CRM_meta_timeout", "1000").Run(new DummyAgent(), "start");

        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("op_sleep of 30 s does not fit in the start timeout");
        Clock.Slept.Should().Be(TimeSpan.FromMilliseconds(800), "1 s less the 200 ms safety margin");
        File.Exists(StateFile).Should().BeFalse();
    }
}
