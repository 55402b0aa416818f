using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>How the host turns argv[1] and the environment into an action and an exit code.</summary>
public class HostTests
{
    static AgentInvoker Invoker() => new AgentInvoker().Param("config", "/etc/x.conf");

    [Fact]
    public void The_action_is_argv1_and_further_arguments_are_ignored()
    {
        var agent = new SpecAgent();
        var r = Invoker().Run(agent, "start", "extra", "--weird");
        r.Code.Should().Be(OcfExitCode.Success);
        agent.Ran.Should().Equal("validate", "start");
    }

    [Fact]
    public void An_unknown_action_exits_3_with_the_usage_on_stderr()
    {
        var agent = new SpecAgent();
        var r = Invoker().Run(agent, "frobnicate");
        r.ExitCode.Should().Be(3);
        r.Stderr.Should().Contain("usage: Spec {start|stop|monitor|reload|meta-data|validate-all");
        r.ExitReason.Should().Be("action 'frobnicate' is not supported by Spec");
        agent.Ran.Should().BeEmpty();
    }

    [Fact]
    public void No_action_at_all_exits_3()
    {
        var r = Invoker().Run(new SpecAgent());
        r.ExitCode.Should().Be(3);
        r.Stderr.Should().Contain("usage:");
    }

    [Fact]
    public void An_action_the_agent_does_not_advertise_exits_3_even_if_it_is_an_OCF_action()
    {
        var r = Invoker().Run(new SpecAgent(), "promote");
        r.ExitCode.Should().Be(3);
    }

    [Fact]
    public void Usage_goes_to_stdout_and_exits_0()
    {
        var r = new AgentInvoker().Run(new SpecAgent(), "usage");
        r.ExitCode.Should().Be(0);
        r.Stdout.Should().StartWith("usage: Spec {");
        r.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void Meta_data_needs_no_parameters_and_never_validates()
    {
        var agent = new SpecAgent();
        var invoker = new AgentInvoker();
        invoker.Env.Clear();
        var r = invoker.Run(agent, "meta-data");
        r.ExitCode.Should().Be(0);
        r.Stdout.Should().Contain("<resource-agent name=\"Spec\"");
        agent.Ran.Should().BeEmpty();
    }

    [Fact]
    public void Validate_all_runs_validation_only()
    {
        var agent = new SpecAgent();
        var r = Invoker().Run(agent, "validate-all");
        r.ExitCode.Should().Be(0);
        agent.Ran.Should().Equal("validate");
    }

    [Fact]
    public void A_thrown_OcfException_gives_its_code_and_one_exit_reason()
    {
        var agent = new SpecAgent { OnStart = () => throw OcfError.Generic("the widget would not start") };
        var r = Invoker().Run(agent, "start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("the widget would not start");
        r.ExitReasonCount.Should().Be(1);
    }

    [Fact]
    public void An_unexpected_exception_becomes_exit_1_with_a_reason_and_no_stack_trace()
    {
        var agent = new SpecAgent { OnStart = () => throw new InvalidOperationException("boom") };
        var r = Invoker().Run(agent, "start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("internal error in Spec start: an operation that is not valid in this state (InvalidOperationException)");
        r.Stdout.Should().BeEmpty();
        r.Stderr.Should().NotContain("   at ");
        r.LogLines.Should().NotContain(l => l.Contains("   at "));
    }

    [Fact]
    public void The_stack_trace_of_an_unexpected_exception_goes_to_the_debug_log_only()
    {
        using var dir = new TempDir();
        var agent = new SpecAgent { OnStart = () => throw new InvalidOperationException("boom") };
        var r = Invoker().With("HA_debug", "1").With("HA_DEBUGLOG", dir["debug.log"]).With("HA_LOGFACILITY", "none")
            .Run(agent, "start");
        r.ExitCode.Should().Be(1);
        r.LogLines.Should().Contain(l => l.Contains("DEBUG:") && l.Contains("InvalidOperationException") && l.Contains("at "));
        r.Stderr.Should().NotContain(" at HaCluster");
    }

    [Fact]
    public void A_failure_code_returned_without_a_reason_still_gets_one()
    {
        var agent = new SpecAgent { OnStart = () => OcfExitCode.ErrGeneric };
        var r = Invoker().Run(agent, "start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("start failed (ErrGeneric)");
    }

    [Fact]
    public void Start_returning_not_running_is_a_failure()
    {
        var agent = new SpecAgent { OnStart = () => OcfExitCode.NotRunning };
        var r = Invoker().Run(agent, "start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().NotBeNull();
    }

    [Theory]
    [InlineData(OcfExitCode.Success)]
    [InlineData(OcfExitCode.NotRunning)]
    [InlineData(OcfExitCode.RunningPromoted)]
    [InlineData(OcfExitCode.Degraded)]
    [InlineData(OcfExitCode.DegradedPromoted)]
    public void Monitor_answers_that_are_not_failures_carry_no_exit_reason(OcfExitCode answer)
    {
        var agent = new SpecAgent { OnMonitor = () => answer };
        var r = Invoker().Param("CRM_meta_interval", "10000").Run(agent, "monitor");
        r.Code.Should().Be(answer);
        r.ExitReason.Should().BeNull();
    }

    [Fact]
    public void The_exit_reason_prefix_comes_from_OCF_EXIT_REASON_PREFIX()
    {
        var agent = new SpecAgent { OnStart = () => throw OcfError.Generic("nope") };
        var r = Invoker().With("OCF_EXIT_REASON_PREFIX", "why:").Run(agent, "start");
        r.Stderr.Should().Contain("why:nope\n");
    }

    [Fact]
    public void An_exit_reason_is_always_one_line()
    {
        var agent = new SpecAgent { OnStart = () => throw OcfError.Generic("line one\nline two\r\nthree") };
        var r = Invoker().Run(agent, "start");
        r.ExitReason.Should().Be("line one line two  three");
        r.Stderr.Split('\n').Count(l => l.Contains("line two")).Should().Be(1);
    }

    [Fact]
    public void The_deadline_is_the_operation_timeout_less_the_safety_margin()
    {
        var agent = new SpecAgent();
        Invoker().Param("CRM_meta_timeout", "20000").Run(agent, "start");
        agent.RemainingAtStart.Should().BeCloseTo(TimeSpan.FromSeconds(19), TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Without_a_timeout_variable_the_advertised_action_timeout_applies()
    {
        var agent = new SpecAgent();
        Invoker().Run(agent, "stop");
        // stop advertises 40 s; the margin is 2 s.
        agent.RemainingAtStart.Should().BeCloseTo(TimeSpan.FromSeconds(38), TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Logging_from_an_action_uses_the_ocf_log_tag()
    {
        using var dir = new TempDir();
        var agent = new SpecAgent();
        var r = Invoker().With("HA_LOGFILE", dir["ha.log"]).With("HA_LOGFACILITY", "none").Run(agent, "start");
        r.LogLines.Should().ContainSingle(l => l.Contains(" Test(r1)[4711]:    INFO: running start"));
    }

    [Fact]
    public void An_exception_on_another_thread_is_reported_as_exit_1_with_a_reason()
    {
        var sinks = new RecordingSinks();
        var env = OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESOURCE_INSTANCE"] = "r1" });
        var logger = new HaCluster.Ocf.Logging.OcfLogger(HaCluster.Ocf.Logging.OcfLogSettings.From(env, 1, false), sinks);
        int rc = AgentHost.ReportUnhandled(new AgentHost.LastWord(logger), "Spec", "monitor", new TimeoutException("late"));
        rc.Should().Be(1);
        sinks.Stderr.Should().Equal("ocf-exit-reason:internal error in Spec monitor: an operation that timed out (TimeoutException)\n");
    }
}
