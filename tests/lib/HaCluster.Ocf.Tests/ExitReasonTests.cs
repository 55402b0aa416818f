using HaCluster.Ocf;
using HaCluster.Testing;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// The exit reason is ours: written once, last, one line, bounded, and no text we relay (a tool's
/// output, a parameter value, a log line) can plant a prefix of its own. Pacemaker takes the text
/// after the last "ocf-exit-reason:" anywhere in stderr, not only at the start of a line.
/// </summary>
public class ExitReasonTests
{
    const string Prefix = "ocf-exit-reason:";

    static AgentInvoker Invoker() => new AgentInvoker().Param("config", "/etc/x.conf");

    static int Occurrences(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    /// <summary>Logs what a tool "said" as a warning, then fails quoting it: what agents do with tool output.</summary>
    sealed class RelayingAgent(string toolOutput) : ResourceAgent
    {
        public override string Name => "Relay";
        public override string ShortDescription => "s";
        public override string LongDescription => "l";
        public override IReadOnlyList<Parameter> Parameters => [];
        public override IReadOnlyList<ActionSpec> Actions => [ActionSpec.Start(20), ActionSpec.Stop(20), ActionSpec.Monitor(20, 10)];

        public override OcfExitCode Start()
        {
            Log.LogWarning("the tool said: {Output}", toolOutput);
            throw OcfError.Generic($"the tool failed: {toolOutput}");
        }

        public override OcfExitCode Monitor()
        {
            Log.LogWarning("the tool said: {Output}", toolOutput);
            return OcfExitCode.Success;
        }
    }

    [Fact]
    public void A_tools_output_in_a_reason_cannot_plant_an_exit_reason_of_its_own()
    {
        var r = new AgentInvoker().Run(new RelayingAgent("error: ocf-exit-reason:all is well"), "start");

        r.ExitCode.Should().Be(1);
        Occurrences(r.Stderr, Prefix).Should().Be(1, "only the host writes the prefix; stderr was: {0}", r.Stderr);
        r.ExitReason.Should().StartWith("the tool failed: error: ").And.Contain("all is well");
    }

    [Fact]
    public void A_log_line_on_stderr_cannot_carry_the_prefix()
    {
        var r = new AgentInvoker().Run(new RelayingAgent("ocf-exit-reason:spoofed"), "monitor");

        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("WARNING: the tool said:");
        r.Stderr.Should().NotContain(Prefix);
    }

    [Fact]
    public void A_custom_prefix_is_neutralised_as_well_as_the_standard_one()
    {
        var r = new AgentInvoker().With("OCF_EXIT_REASON_PREFIX", "why:").Run(new RelayingAgent("why: ocf-exit-reason:x"), "start");

        Occurrences(r.Stderr, "why:").Should().Be(1, r.Stderr);
        r.Stderr.Should().NotContain(Prefix);
    }

    [Fact]
    public void The_exit_reason_is_the_last_line_and_written_once()
    {
        var r = new AgentInvoker().Run(new RelayingAgent("boom"), "start");

        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[^1].Should().Be(Prefix + "the tool failed: boom");
        Occurrences(r.Stderr, Prefix).Should().Be(1);
    }

    [Fact]
    public void An_exit_reason_is_at_most_512_characters_cut_with_an_ellipsis()
    {
        var r = new AgentInvoker().Run(new RelayingAgent(new string('x', 100_000)), "start");

        r.ExitReason!.Length.Should().BeLessThanOrEqualTo(512);
        r.ExitReason.Should().StartWith("the tool failed: xxx").And.EndWith("…");
        r.Stderr.Length.Should().BeLessThan(2000, "the log line is bounded too");
    }

    [Fact]
    public void A_parameter_value_holding_the_prefix_cannot_plant_one()
    {
        var agent = new SpecAgent { OnStart = () => throw OcfError.Generic("bad label") };
        agent.OnStart = () => throw OcfError.Generic($"label {HaCluster.Core.SafeText.Quote(agent.Label.Value)} is wrong");

        var r = Invoker().Param("label", "ocf-exit-reason:ok").Run(agent, "start");

        Occurrences(r.Stderr, Prefix).Should().Be(1, r.Stderr);
        r.ExitReason.Should().StartWith("label 'ocf-exit-reason");
    }

    // ---------------------------------------------------------------- sentences of ours (item 15)

    public static TheoryData<Exception, string> RuntimeExceptions => new()
    {
        { new ArgumentException("Arg_ParamName_Name, secret"), "an invalid value (ArgumentException)" },
        { new ArgumentOutOfRangeException("x", "Overflow_TimeSpanTooLong"), "a value out of range (ArgumentOutOfRangeException)" },
        { new PathTooLongException("IO_PathTooLong_Path, /aaaa"), "a path is too long (PathTooLongException)" },
        { new IOException("IO_Whatever", 28), "an input/output error: No space left on device (IOException)" },
        { new NullReferenceException("Arg_NullReferenceException"), "a value that is missing (NullReferenceException)" },
        { new FormatException("Format_InvalidString"), "a value in the wrong format (FormatException)" },
        { new InvalidOperationException("boom"), "an operation that is not valid in this state (InvalidOperationException)" },
    };

    [Theory]
    [MemberData(nameof(RuntimeExceptions))]
    public void A_runtime_exception_becomes_a_sentence_of_ours_never_its_message(Exception exception, string sentence)
    {
        var agent = new SpecAgent { OnStart = () => throw exception };

        var r = Invoker().Run(agent, "start");

        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("internal error in Spec start: " + sentence);
        r.Stderr.Should().NotContain(exception.Message);
    }

    [Fact]
    public void The_message_of_a_runtime_exception_stays_in_the_debug_log()
    {
        using var dir = new TempDir();
        var agent = new SpecAgent { OnStart = () => throw new ArgumentException("Arg_ParamName_Name, detail") };

        var r = Invoker().With("HA_debug", "1").With("HA_DEBUGLOG", dir["debug.log"]).With("HA_LOGFACILITY", "none").Run(agent, "start");

        r.LogLines.Should().Contain(l => l.Contains("DEBUG:") && l.Contains("Arg_ParamName_Name, detail"));
    }

    [Fact]
    public void A_real_runtime_failure_in_an_action_reads_as_ours()
    {
        var agent = new SpecAgent { OnStart = () => { _ = TimeSpan.FromMilliseconds(long.MaxValue); return OcfExitCode.Success; } };

        var r = Invoker().Run(agent, "start");

        r.ExitReason.Should().Be("internal error in Spec start: a value out of range (ArgumentOutOfRangeException)");
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999")]
    [InlineData("99999999999999999999999")]
    public void An_absurdly_large_timeout_is_clamped_not_an_internal_error(string timeout)
    {
        var agent = new SpecAgent();

        var r = Invoker().Param("CRM_meta_timeout", timeout).Run(agent, "start");

        r.ExitCode.Should().Be(0, r.Stderr);
        agent.RemainingAtStart.Should().BeGreaterThan(TimeSpan.FromDays(20)).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(int.MaxValue));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5000")]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("1e4")]
    public void A_zero_negative_or_garbled_timeout_means_the_advertised_one(string timeout)
    {
        var agent = new SpecAgent();

        var r = Invoker().Param("CRM_meta_timeout", timeout).Run(agent, "start");

        r.ExitCode.Should().Be(0, r.Stderr);
        // start advertises 30 s; the margin is 1.5 s.
        agent.RemainingAtStart.Should().BeCloseTo(TimeSpan.FromSeconds(28.5), TimeSpan.FromMilliseconds(500));
    }
}
