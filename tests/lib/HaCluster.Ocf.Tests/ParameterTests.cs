using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>How OCF_RESKEY_* values become typed parameter values, and how bad ones are refused.</summary>
public class ParameterTests
{
    static (SpecAgent agent, AgentResult result) Start(params (string name, string value)[] parameters)
    {
        var agent = new SpecAgent();
        var invoker = new AgentInvoker().Param("config", "/etc/x.conf");
        foreach (var (n, v) in parameters) invoker.Param(n, v);
        return (agent, invoker.Run(agent, "start"));
    }

    [Fact]
    public void Unset_parameters_take_their_defaults()
    {
        var (agent, r) = Start();
        r.ExitCode.Should().Be(0);
        agent.Label.Value.Should().Be("none");
        agent.Label.IsSet.Should().BeFalse();
        agent.Count.Value.Should().Be(5);
        agent.Flag.Value.Should().BeTrue();
        agent.Mode.Value.Should().Be("soft");
        agent.Nic.Value.Should().Be("");
    }

    [Fact]
    public void A_value_that_failed_to_bind_reads_as_the_static_default_never_null()
    {
        // stop still runs with values that failed validation; what it reads must not be null
        var agent = new SpecAgent();
        string? config = "unread", label = "unread";
        long count = -1;
        agent.OnStopDespiteInvalid = e => { config = agent.Config.Value; label = agent.Label.Value; count = agent.Count.Value; return OcfExitCode.Success; };

        var r = new AgentInvoker().Param("config", "").Param("label", "a\nb").Param("count", "many").Run(agent, "stop");

        r.ExitCode.Should().Be(0);
        config.Should().Be("");
        label.Should().Be("none");
        count.Should().Be(5);
        agent.Label.Failed.Should().BeTrue("a stop must be able to tell a refused value from the default");
        agent.Count.Failed.Should().BeTrue();
        agent.Flag.Failed.Should().BeFalse();
    }

    [Fact]
    public void An_empty_string_is_a_value_not_the_default()
    {
        var (agent, _) = Start(("label", ""));
        agent.Label.IsSet.Should().BeTrue();
        agent.Label.Value.Should().Be("");
    }

    [Fact]
    public void An_empty_boolean_is_false_as_ocf_is_true_says()
    {
        var (agent, r) = Start(("flag", ""));
        r.ExitCode.Should().Be(0);
        agent.Flag.Value.Should().BeFalse();
    }

    [Fact]
    public void An_empty_integer_or_select_counts_as_unset()
    {
        var (agent, r) = Start(("count", ""), ("mode", ""));
        r.ExitCode.Should().Be(0);
        agent.Count.Value.Should().Be(5);
        agent.Mode.Value.Should().Be("soft");
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("YES", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("on", true)]
    [InlineData("ja", true)]
    [InlineData("y", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("nein", false)]
    [InlineData("N", false)]
    public void Booleans_accept_the_OCF_truth_values(string raw, bool expected)
    {
        var (agent, r) = Start(("flag", raw));
        r.ExitCode.Should().Be(0);
        agent.Flag.Value.Should().Be(expected);
    }

    [Fact]
    public void A_boolean_that_is_neither_true_nor_false_is_a_configuration_error()
    {
        var (agent, r) = Start(("flag", "maybe"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("parameter 'flag' must be a truth value (true/false, yes/no, 1/0, on/off), not 'maybe'");
        agent.Ran.Should().NotContain("start");
    }

    [Theory]
    [InlineData("abc", "parameter 'count' must be a whole number, not 'abc'")]
    [InlineData("0", "parameter 'count' must be between 1 and 100, not '0'")]
    [InlineData("101", "parameter 'count' must be between 1 and 100, not '101'")]
    [InlineData("5.5", "parameter 'count' must be a whole number, not '5.5'")]
    [InlineData("99999999999999999999999", "parameter 'count' must be a whole number, not '99999999999999999999999'")]
    public void Integers_are_checked_for_form_and_range(string raw, string reason)
    {
        var (_, r) = Start(("count", raw));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be(reason);
    }

    [Fact]
    public void A_select_accepts_only_its_options()
    {
        Start(("mode", "hard")).result.ExitCode.Should().Be(0);
        var (_, r) = Start(("mode", "HARD"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("parameter 'mode' must be one of soft, hard, not 'HARD'");
    }

    [Fact]
    public void A_missing_required_parameter_is_a_configuration_error()
    {
        var agent = new SpecAgent();
        var r = new AgentInvoker().Run(agent, "start");
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("required parameter 'config' is not set");
    }

    [Fact]
    public void An_empty_required_parameter_is_a_configuration_error()
    {
        var r = new AgentInvoker().Param("config", "").Run(new SpecAgent(), "start");
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("required parameter 'config' is empty");
    }

    [Fact]
    public void A_deprecated_parameter_supplies_its_replacement_when_that_is_unset()
    {
        var (agent, r) = Start(("netmask", "24"));
        r.ExitCode.Should().Be(0);
        agent.Cidr.Value.Should().Be("24");
        agent.Cidr.SuppliedBy.Should().Be("netmask");
    }

    [Fact]
    public void The_replacement_wins_over_the_deprecated_parameter()
    {
        var (agent, _) = Start(("netmask", "24"), ("cidr", "16"));
        agent.Cidr.Value.Should().Be("16");
    }

    // Hostile values: the right code, one clear reason, nothing run, nothing long.
    [Theory]
    [InlineData("$(touch /tmp/hacluster-pwned)")]
    [InlineData("`id`")]
    [InlineData("; rm -rf /")]
    [InlineData("a' || '")]
    public void Shell_metacharacters_are_plain_text(string hostile)
    {
        var (agent, r) = Start(("label", hostile));
        r.ExitCode.Should().Be(0);
        agent.Label.Value.Should().Be(hostile);
        File.Exists("/tmp/hacluster-pwned").Should().BeFalse();
    }

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    [InlineData("escape\u001b[31m")]
    public void Control_characters_are_refused_with_a_one_line_reason(string hostile)
    {
        var (agent, r) = Start(("label", hostile));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("parameter 'label' contains a control character");
        r.ExitReasonCount.Should().Be(1);
        r.Stderr.Split('\n').Where(l => l.StartsWith("ocf-exit-reason:")).Single().Should().NotContain("\r");
        agent.Ran.Should().NotContain("start");
    }

    [Fact]
    public void A_4KiB_value_is_cut_in_the_exit_reason()
    {
        string big = new string('x', 4096) + "\n";
        var (_, r) = Start(("label", big));
        r.ExitCode.Should().Be(6);
        r.ExitReason!.Length.Should().BeLessThan(200);
        r.ExitReason.Should().Contain("(4097 characters)");
    }

    [Fact]
    public void A_4KiB_integer_is_refused_briefly()
    {
        var (_, r) = Start(("count", new string('9', 4096)));
        r.ExitCode.Should().Be(6);
        r.ExitReason!.Length.Should().BeLessThan(200);
    }

    [Fact]
    public void Non_ASCII_values_pass_through_unchanged()
    {
        var (agent, r) = Start(("label", "Größe ☃ 日本"));
        r.ExitCode.Should().Be(0);
        agent.Label.Value.Should().Be("Größe ☃ 日本");
    }

    [Fact]
    public void Non_ASCII_invalid_values_are_quoted_intact()
    {
        var (_, r) = Start(("count", "☃☃"));
        r.ExitReason.Should().Be("parameter 'count' must be a whole number, not '☃☃'");
    }

    [Fact]
    public void A_private_value_never_appears_in_the_exit_reason_or_logs()
    {
        using var dir = new TempDir();
        var agent = new SpecAgent();
        var invoker = new AgentInvoker().Param("config", "/x").Param("secret", "hunter2\nx")
            .With("HA_LOGFILE", dir["log"]).With("HA_LOGFACILITY", "none");
        var r = invoker.Run(agent, "start");
        r.ExitCode.Should().Be(6);
        r.Stderr.Should().NotContain("hunter2");
        r.LogLines.Should().NotContain(l => l.Contains("hunter2"));
    }

    [Fact]
    public void Reading_a_parameter_before_the_environment_is_parsed_is_a_programming_error()
    {
        var agent = new SpecAgent();
        var read = () => agent.Count.Value;
        read.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_first_invalid_parameter_is_the_one_reported()
    {
        var (_, r) = Start(("count", "x"), ("flag", "maybe"));
        r.ExitReason.Should().StartWith("parameter 'count'");
    }

    [Fact]
    public void Seconds_parameters_take_fractions()
    {
        var p = new SecondsParameter("s", "s", "s");
        var env = OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESKEY_s"] = "0.25" });
        AgentHost.BindParameters([p], env, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        p.Value.Should().Be(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public void Deprecation_warnings_are_logged_on_start_but_not_on_every_monitor()
    {
        using var dir = new TempDir();
        AgentResult RunWith(string action) => new AgentInvoker().Param("config", "/x").Param("netmask", "24")
            .Param("CRM_meta_interval", "10000").With("HA_LOGFILE", dir["log"]).With("HA_LOGFACILITY", "none").Run(new SpecAgent(), action);
        RunWith("start").LogLines.Should().Contain(l => l.Contains("WARNING: parameter netmask is deprecated: use cidr"));
        RunWith("monitor").LogLines.Should().NotContain(l => l.Contains("deprecated"));
    }
}
