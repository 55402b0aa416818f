using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// When validation finds this host lacking (binary not installed, config unreadable): stop 0,
/// probe 7, recurring monitor 1 with a reason, other actions the validation code.
/// </summary>
public class ProbeRuleTests
{
    static SpecAgent MissingBinaryAgent() => new() { OnValidate = () => throw OcfError.NotInstalled("/usr/sbin/widgetd is not installed") };
    static AgentInvoker Invoker() => new AgentInvoker().Param("config", "/etc/x.conf");

    [Fact]
    public void A_probe_without_an_interval_variable_answers_not_running()
    {
        var r = Invoker().Run(MissingBinaryAgent(), "monitor");
        r.ExitCode.Should().Be(7);
        r.ExitReason.Should().BeNull();
    }

    [Fact]
    public void A_probe_with_interval_0_answers_not_running()
    {
        var r = Invoker().Param("CRM_meta_interval", "0").Run(MissingBinaryAgent(), "monitor");
        r.ExitCode.Should().Be(7);
    }

    [Fact]
    public void A_recurring_monitor_fails_with_the_reason()
    {
        var r = Invoker().Param("CRM_meta_interval", "10000").Run(MissingBinaryAgent(), "monitor");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("/usr/sbin/widgetd is not installed");
    }

    [Fact]
    public void Stop_succeeds()
    {
        var agent = MissingBinaryAgent();
        var r = Invoker().Run(agent, "stop");
        r.ExitCode.Should().Be(0);
        r.ExitReason.Should().BeNull();
        agent.Ran.Should().NotContain("stop");
    }

    [Theory]
    [InlineData("start")]
    [InlineData("validate-all")]
    [InlineData("reload")]
    public void Other_actions_answer_the_validation_code(string action)
    {
        var r = Invoker().Run(MissingBinaryAgent(), action);
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().Be("/usr/sbin/widgetd is not installed");
    }

    [Fact]
    public void The_rule_also_holds_when_the_action_itself_finds_the_host_lacking()
    {
        var agent = new SpecAgent { OnMonitor = () => throw OcfError.NotInstalled("config on shared storage is not mounted") };
        Invoker().Run(agent, "monitor").ExitCode.Should().Be(7);
        Invoker().Param("CRM_meta_interval", "5000").Run(agent, "monitor").ExitCode.Should().Be(1);
    }

    [Fact]
    public void A_program_the_process_runner_cannot_find_follows_the_rule_too()
    {
        var agent = new SpecAgent
        {
            OnStart = () => throw new ProgramNotInstalledException("/usr/sbin/send_arp"),
            OnMonitor = () => throw new ProgramNotInstalledException("/usr/sbin/send_arp"),
        };

        var start = Invoker().Run(agent, "start");
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be("/usr/sbin/send_arp is not installed");
        Invoker().Run(agent, "monitor").ExitCode.Should().Be(7);
        Invoker().Param("CRM_meta_interval", "5000").Run(agent, "monitor").ExitCode.Should().Be(1);
    }

    [Fact]
    public void A_configuration_error_is_not_softened_on_a_probe()
    {
        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(new SpecAgent(), "monitor");
        r.ExitCode.Should().Be(6);
    }

    [Fact]
    public void Stop_with_an_invalid_configuration_asks_the_agent_for_a_best_effort_stop()
    {
        var agent = new SpecAgent { OnStopDespiteInvalid = _ => OcfExitCode.Success };
        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(agent, "stop");
        r.ExitCode.Should().Be(0);
        agent.Ran.Should().Contain("stop-despite-invalid");
    }

    [Fact]
    public void Stop_with_values_no_start_could_have_accepted_succeeds_with_a_warning_by_default()
    {
        var agent = new SpecAgent();

        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(agent, "stop");

        r.ExitCode.Should().Be(0, "nothing can be running under values that never validated; a failed stop would fence the node");
        r.ExitReason.Should().BeNull();
        r.Stderr.Should().Contain("WARNING: stop: parameter 'count'").And.Contain("nothing can be running under these values");
        agent.Ran.Should().NotContain("stop");
    }

    [Theory]
    [InlineData("count", "zero")]
    [InlineData("config", "")]
    [InlineData("config", "a\nb")]
    [InlineData("mode", "brutal")]
    [InlineData("flag", "maybe")]
    public void Stop_is_0_for_every_value_binding_refuses(string parameter, string value)
    {
        var r = new AgentInvoker().Param("config", "/x").Param(parameter, value).Run(new SpecAgent(), "stop");

        r.ExitCode.Should().Be(0, r.Stderr);
    }

    [Theory]
    [InlineData(OcfExitCode.ErrConfigured)]
    [InlineData(OcfExitCode.ErrArgs)]
    public void Stop_is_0_when_the_agents_own_validation_finds_the_values_unusable(OcfExitCode code)
    {
        var agent = new SpecAgent { OnValidate = () => throw new OcfException(code, "the widget name is not a widget name") };

        var r = new AgentInvoker().Param("config", "/x").Run(agent, "stop");

        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("WARNING: stop: the widget name is not a widget name");
    }

    [Fact]
    public void Stop_still_fails_when_validation_fails_for_another_reason()
    {
        var agent = new SpecAgent { OnValidate = () => throw OcfError.Perm("not root") };

        var r = new AgentInvoker().Param("config", "/x").Run(agent, "stop");

        r.ExitCode.Should().Be(4);
        r.ExitReason.Should().Be("not root");
    }

    [Fact]
    public void A_parse_failure_in_validation_is_no_internal_error_on_stop()
    {
        var agent = new SpecAgent { OnValidate = () => throw new NullReferenceException() };

        var r = new AgentInvoker().Param("config", "/x").Run(agent, "stop");

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain("WARNING: stop:");
    }

    [Fact]
    public void A_best_effort_stop_that_crashes_falls_back_to_the_rule()
    {
        var agent = new SpecAgent { OnStopDespiteInvalid = _ => throw new NullReferenceException() };

        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(agent, "stop");

        r.ExitCode.Should().Be(0, r.Stderr);
    }

    [Fact]
    public void An_agent_that_may_still_run_something_keeps_its_best_effort_answer()
    {
        var agent = new SpecAgent { OnStopDespiteInvalid = e => throw new OcfException(OcfExitCode.ErrGeneric, "could not take it down: " + e.Reason) };

        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(agent, "stop");

        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().StartWith("could not take it down: parameter 'count'");
    }

    [Fact]
    public void RequireBinary_honours_OCF_TESTER_FAIL_HAVE_BINARY()
    {
        var agent = new BinaryAgent();
        new AgentInvoker().Run(agent, "start").ExitCode.Should().Be(0);
        var probe = new AgentInvoker().With("OCF_TESTER_FAIL_HAVE_BINARY", "1").Param("CRM_meta_interval", "0").Run(new BinaryAgent(), "monitor");
        probe.ExitCode.Should().Be(7);
        var start = new AgentInvoker().With("OCF_TESTER_FAIL_HAVE_BINARY", "1").Run(new BinaryAgent(), "start");
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be("/bin/true is not installed (needed for testing)");
    }

    sealed class BinaryAgent : ResourceAgent
    {
        public override string Name => "Bin";
        public override string ShortDescription => "s";
        public override string LongDescription => "l";
        public override IReadOnlyList<Parameter> Parameters => [];
        public override IReadOnlyList<ActionSpec> Actions => [ActionSpec.Start(5), ActionSpec.Stop(5), ActionSpec.Monitor(5, 5)];
        public override void Validate() => RequireBinary("/bin/true", "testing");
        public override OcfExitCode Start() => OcfExitCode.Success;
        public override OcfExitCode Monitor() => OcfExitCode.Success;
    }
}
