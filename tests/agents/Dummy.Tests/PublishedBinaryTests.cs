using System.Text.RegularExpressions;
using HaCluster.Testing;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>
/// The NativeAOT binary as shipped, with hostile environments: it is built with
/// UseSystemResourceKeys, so a runtime exception message would read "Overflow_TimeSpanTooLong"
/// there and nowhere else. Every exit reason must be a sentence of ours, every answer an OCF code.
/// </summary>
public sealed partial class PublishedBinaryTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>Resource keys of the runtime's messages: a class prefix, an underscore, a name.</summary>
    [GeneratedRegex(@"\b(Arg|Argument|IO|Overflow|Format|InvalidOperation|Arithmetic|NotSupported|ObjectDisposed|UnauthorizedAccess|Security|Net|Serialization|Threading|PlatformNotSupported)_\w+")]
    private static partial Regex ResourceKey();

    AgentProcess Dummy() => new AgentProcess(PublishedAgents.PathOf("Dummy"))
        .With("HA_RSCTMP", dir["rsc"]).With("OCF_RESOURCE_INSTANCE", "d1").With("OCF_RESOURCE_TYPE", "Dummy");

    static void OursOnly(AgentRun r)
    {
        r.Outcome.Should().Be(HaCluster.Core.Processes.ProcessOutcome.Exited, r.ToString());
        ResourceKey().IsMatch(r.Stderr).Should().BeFalse(r.ToString());
        r.Stderr.Should().NotContain("internal error").And.NotContain("   at ");
        r.ExitReasonCount.Should().BeLessThanOrEqualTo(1);
        (r.ExitReason ?? "").Length.Should().BeLessThanOrEqualTo(512);
    }

    [Theory]
    [MemberData(nameof(HostileValues.Timeouts), MemberType = typeof(HostileValues))]
    public void A_hostile_timeout_is_no_internal_error_in_any_action(string timeout)
    {
        foreach (var action in new[] { "start", "monitor", "stop", "validate-all" })
        {
            var r = Dummy().Param("CRM_meta_timeout", timeout).Run(action);

            OursOnly(r);
            (action == "monitor" ? new[] { 0, 7 } : [0]).Should().Contain(r.ExitCode, $"{action}: {r}");
        }
    }

    [Fact]
    public void A_100_KiB_state_path_gives_a_short_reason_of_ours()
    {
        var r = Dummy().Param("state", dir["nope"] + "/" + new string('a', 100 * 1024)).Run("start");

        OursOnly(r);
        r.ExitCode.Should().Be(2, r.ToString());
        r.ExitReason.Should().StartWith("cannot write state file");
        r.Stderr.Length.Should().BeLessThan(4096);
    }

    [Fact]
    public void Stop_with_a_newline_in_state_is_0()
    {
        var r = Dummy().Param("state", "a\nb").Run("stop");

        OursOnly(r);
        r.ExitCode.Should().Be(0, r.ToString());
    }

    [Fact]
    public void The_binary_answers_meta_data_as_the_in_process_agent_does()
    {
        var r = Dummy().Run("meta-data");

        r.ExitCode.Should().Be(0);
        r.Stdout.Should().Be(new AgentInvoker().Run(new DummyAgent(), "meta-data").Stdout);
    }
}
