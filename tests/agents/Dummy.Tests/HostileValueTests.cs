using HaCluster.Agents.Dummy;
using HaCluster.Testing;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>
/// Issue 13's table for Dummy: every parameter with every hostile value. Stop is 0 (a failed
/// stop fences), with a warning where nothing can be running under the values; a resource
/// started before another parameter went bad is still stopped (its state file removed), since
/// the state path is what a start used. Every other action answers an OCF code with one
/// readable sentence.
/// </summary>
public sealed class HostileValueTests : DummyFixture
{
    readonly TempDir outside = new();
    readonly HostileValues values;

    public HostileValueTests() => values = new HostileValues(Dir, outside);

    /// <summary>The kinds that are relative paths: a start would write them in its working directory.</summary>
    static readonly string[] RelativeKinds = ["100KiB", "substitution", "semicolon", "leading-dash", "non-utf8"];

    public static TheoryData<string, string> EveryParameterAndKind()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in new DummyAgent().Parameters)
            foreach (var kind in HostileValues.Kinds) data.Add(p.Name, kind);
        return data;
    }

    [Theory, MemberData(nameof(EveryParameterAndKind))]
    public void Stop_of_a_started_resource_with_a_hostile_value_is_0_and_stops_what_it_can_trust(string parameter, string kind)
    {
        Run("start").ExitCode.Should().Be(0);

        var r = Invoker().Param(parameter, values.Of(kind)).Run(new DummyAgent(), "stop");

        r.ExitCode.Should().Be(0, $"stop with {parameter} {kind}: {r.Stderr}");
        r.ExitReason.Should().BeNull();
        r.Stderr.Should().NotContain("internal error");
        if (parameter != "state")
            File.Exists(StateFile).Should().BeFalse("the state path is trusted, so the resource started under it is stopped");
        File.Exists(values.Marker).Should().BeFalse();
        File.ReadAllText(values.Target).Should().Be("not the agent's\n");
    }

    [Theory, MemberData(nameof(EveryParameterAndKind))]
    public void Every_action_with_a_hostile_value_answers_an_OCF_code_with_a_readable_reason(string parameter, string kind)
    {
        var actions = parameter == "state" && RelativeKinds.Contains(kind)
            ? new[] { "monitor", "reload", "migrate_to", "validate-all" } // a start would write in the test's working directory
            : ["start", "monitor", "reload", "migrate_to", "migrate_from", "validate-all"];
        foreach (var action in actions)
        {
            var r = Invoker().Param(parameter, values.Of(kind)).Run(new DummyAgent(), action);

            r.ExitCode.Should().BeOneOf([0, 1, 2, 5, 6, 7], $"{action} with {parameter} {kind}: {r.Stderr}");
            r.Stderr.Should().NotContain("internal error");
            r.ExitReasonCount.Should().BeLessThanOrEqualTo(1);
            if (r.ExitCode is not (0 or 7))
            {
                r.ExitReason.Should().NotBeNullOrWhiteSpace();
                r.ExitReason!.Length.Should().BeLessThanOrEqualTo(512);
            }
        }
        File.Exists(values.Marker).Should().BeFalse();
        File.ReadAllText(values.Target).Should().Be("not the agent's\n");
    }

    public override void Dispose()
    {
        outside.Dispose();
        base.Dispose();
    }
}
