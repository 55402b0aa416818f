using System.Text.RegularExpressions;
using HaCluster.Drbd;
using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// Issue 13's table for drbd: every parameter with every hostile value. A failed stop gets the
/// node fenced, and Pacemaker's recovery stop after a failed probe runs with exactly such values:
/// stop is 0, with a warning where nothing can be running under the values, and still brings the
/// resource down where the name is one a start could have used. Every other action answers an
/// OCF code with one readable sentence, never an internal error.
/// </summary>
public sealed partial class HostileValueTests : DrbdFixture
{
    readonly TempDir outside = new();
    readonly HostileValues values;

    public HostileValueTests() => values = new HostileValues(Dir, outside);

    public static TheoryData<string, string> EveryParameterAndKind()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in new DrbdAgent().Parameters)
            foreach (var kind in HostileValues.Kinds) data.Add(p.Name, kind);
        return data;
    }

    /// <summary>Resource keys of the runtime's messages (what NativeAOT shows instead of a message).</summary>
    [GeneratedRegex(@"\b(Arg|Argument|IO|Overflow|Format|InvalidOperation|Arithmetic|NotSupported|ObjectDisposed|UnauthorizedAccess)_\w+")]
    private static partial Regex ResourceKey();

    /// <summary>The kinds that are no possible DRBD resource name (a path is one: '/' is allowed).</summary>
    static readonly string[] NoNameKinds = ["empty", "newline", "control", "100KiB", "substitution", "semicolon", "leading-dash", "non-utf8"];

    bool NameUsable(string parameter, string kind) => parameter != "drbd_resource" || !NoNameKinds.Contains(kind);

    [Theory, MemberData(nameof(EveryParameterAndKind))]
    public void Stop_of_a_Primary_with_a_hostile_value_is_0_and_brings_down_what_it_can_trust(string parameter, string kind)
    {
        Drbd.Running(DrbdRole.Primary);

        var r = Run("stop", P(parameter, values.Of(kind)));

        r.ExitCode.Should().Be(0, $"stop with {parameter} {kind}: {r.Stderr}");
        r.ExitReason.Should().BeNull();
        r.Stderr.Should().NotContain("internal error");
        if (NameUsable(parameter, kind))
            Drbd.Configured.Should().BeFalse($"drbd_resource is one a start could have used, so the resource is brought down: {string.Join(", ", Drbd.Calls)}");
        else
        {
            Drbd.Calls.Should().BeEmpty("no start could have brought up a resource of that name");
            r.Stderr.Should().Contain("nothing can be running under these values");
        }
        File.Exists(values.Marker).Should().BeFalse();
        File.ReadAllText(values.Target).Should().Be("not the agent's\n");
    }

    [Theory, MemberData(nameof(EveryParameterAndKind))]
    public void Stop_of_a_stopped_resource_with_a_hostile_value_is_0(string parameter, string kind)
    {
        var r = Run("stop", P(parameter, values.Of(kind)));

        r.ExitCode.Should().Be(0, $"stop with {parameter} {kind}: {r.Stderr}");
        r.ExitReason.Should().BeNull();
    }

    [Theory, MemberData(nameof(EveryParameterAndKind))]
    public void Every_action_with_a_hostile_value_answers_an_OCF_code_with_a_readable_reason(string parameter, string kind)
    {
        foreach (var action in new[] { "start", "monitor", "promote", "demote", "notify", "reload", "validate-all" })
        {
            Drbd.Running();
            var r = Run(action, P(parameter, values.Of(kind)), P("CRM_meta_timeout", "20000"));

            r.ExitCode.Should().BeOneOf([0, 1, 2, 5, 6, 7, 8], $"{action} with {parameter} {kind}: {r.Stderr}");
            r.Stderr.Should().NotContain("internal error");
            r.ExitReasonCount.Should().BeLessThanOrEqualTo(1);
            if (r.ExitCode is not (0 or 7 or 8))
            {
                r.ExitReason.Should().NotBeNullOrWhiteSpace();
                r.ExitReason!.Length.Should().BeLessThanOrEqualTo(512);
                ResourceKey().IsMatch(r.ExitReason).Should().BeFalse(r.ExitReason);
            }
        }
        File.Exists(values.Marker).Should().BeFalse();
        File.ReadAllText(values.Target).Should().Be("not the agent's\n");
    }

    [Fact]
    public void Stop_whose_best_effort_down_fails_is_1_never_6()
    {
        Drbd.Running(DrbdRole.Primary);
        Drbd.Results["setup-down"] = () => FakeDrbd.Fail(11, "State change failed: Device is held open by someone");

        var r = Run("stop", P("stop_outdates_secondary", "maybe"));

        r.ExitCode.Should().Be(1, "a stop that could not stop failed; 6 would stop the resource everywhere for nothing");
        r.ExitReason.Should().Contain("drbdsetup down r0 exited with status 11");
    }

    public override void Dispose()
    {
        outside.Dispose();
        base.Dispose();
    }
}
