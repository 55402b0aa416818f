using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>Validate, validate-all and the actions Dummy does not offer.</summary>
public class ValidationTests : DummyFixture
{
    [Fact]
    public void Validate_all_at_depth_10_checks_the_state_directory()
    {
        Invoker().Param("state", Dir["nope/x.state"]).Run(new DummyAgent(), "validate-all").ExitCode.Should().Be(0);
        var r = Invoker().Param("state", Dir["nope/x.state"]).With("OCF_CHECK_LEVEL", "10").Run(new DummyAgent(), "validate-all");
        r.Code.Should().Be(OcfExitCode.ErrArgs);
        r.ExitReason.Should().StartWith("the directory of state file '").And.EndWith("' does not exist");
    }

    [Fact]
    public void Op_sleep_that_is_not_a_number_is_a_configuration_error()
    {
        var r = Invoker().Param("op_sleep", "soon").Run(new DummyAgent(), "start");

        r.Code.Should().Be(OcfExitCode.ErrConfigured);
        r.ExitReason.Should().Contain("op_sleep");
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("")]
    [InlineData("x\u001b[2J")]
    public void Stop_with_a_state_value_no_start_accepts_succeeds_with_a_warning(string value)
    {
        var r = Invoker().Param("state", value).Run(new DummyAgent(), "stop");

        r.Code.Should().Be(OcfExitCode.Success, "nothing can be running under a state path no start accepted");
        r.ExitReason.Should().BeNull();
        r.Stderr.Should().Contain("WARNING: stop: ").And.Contain("nothing can be running under these values");
    }

    [Fact]
    public void Start_with_a_state_value_holding_a_newline_is_a_configuration_error()
    {
        var r = Invoker().Param("state", "a\nb").Run(new DummyAgent(), "start");

        r.Code.Should().Be(OcfExitCode.ErrConfigured);
    }

    [Fact]
    public void Notify_and_promote_are_not_offered()
    {
        Run("notify").ExitCode.Should().Be(3);
        Run("promote").ExitCode.Should().Be(3);
    }

    [Fact]
    public void Meta_data_lists_the_four_parameters_and_the_migration_actions()
    {
        var xml = Run("meta-data").Stdout;

        foreach (var parameter in new[] { "state", "passwd", "fake", "op_sleep" })
            xml.Should().Contain($"<parameter name=\"{parameter}\"");
        xml.Should().Contain("<action name=\"migrate_to\"").And.Contain("<action name=\"migrate_from\"");
    }
}
