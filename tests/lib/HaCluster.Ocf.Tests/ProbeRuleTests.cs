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
    public void Stop_with_an_invalid_configuration_reports_it_by_default()
    {
        var r = new AgentInvoker().Param("config", "/x").Param("count", "zero").Run(new SpecAgent(), "stop");
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("parameter 'count'");
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
