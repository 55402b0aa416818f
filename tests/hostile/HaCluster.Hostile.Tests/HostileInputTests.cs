using System.Collections.Concurrent;
using System.Text;
using HaCluster.Testing;
using Xunit.Abstractions;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// Issue 13's acceptance table: every action of every agent (as its meta-data lists them, a
/// probe besides the recurring monitor) with each parameter of its meta-data set to each hostile
/// value in turn, the others at working values; and every action with an unusable
/// OCF_RESKEY_CRM_meta_timeout. The NativeAOT binaries as published run in the sandbox; each
/// agent's cases are one test whose failure message lists every failing case by cause.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Requires", "root")]
public sealed class HostileInputTests(Sandbox sandbox, ITestOutputHelper output)
{
    public static TheoryData<string> Agents => new() { "Dummy", "IPaddr2", "VirtualDomain", "Xen", "drbd" };

    static readonly ConcurrentDictionary<string, AgentDescription> descriptions = new();

    CaseRunner Runner => new(sandbox, PublishedAgents.PathOf);

    [Theory]
    [MemberData(nameof(Agents))]
    public void Every_action_with_each_parameter_set_to_each_hostile_value_ends_as_OCF_demands(string agent)
    {
        var description = Describe(agent);
        var cases = ParameterCases(description).ToList();

        var findings = Runner.RunAll(cases);

        Report($"{agent}: hostile parameter values", cases.Count, findings);
    }

    [Theory]
    [MemberData(nameof(Agents))]
    public void Every_action_with_an_unusable_timeout_ends_as_OCF_demands(string agent)
    {
        var description = Describe(agent);
        var cases = TimeoutCases(description).ToList();

        var findings = Runner.RunAll(cases);

        Report($"{agent}: unusable OCF_RESKEY_CRM_meta_timeout", cases.Count, findings);
    }

    /// <summary>Each action once per parameter and value (meta-data, which reads no parameter, once per value with all of them set), and once with working values only.</summary>
    static IEnumerable<HostileCase> ParameterCases(AgentDescription d)
    {
        foreach (var action in Actions(d))
        {
            yield return new HostileCase(d.Agent, action.Name, "baseline", _ => new Dictionary<string, EnvValue>(), Baseline.Timeout);
            foreach (var value in HostileValues.All)
            {
                if (action.Name == "meta-data")
                {
                    yield return new HostileCase(d.Agent, action.Name, "*=" + value.Name, dir => AllAtOnce(d, value, dir), Baseline.Timeout);
                    continue;
                }
                foreach (var parameter in d.Parameters)
                    yield return new HostileCase(d.Agent, action.Name, $"{parameter}={value.Name}",
                        dir => new Dictionary<string, EnvValue> { ["OCF_RESKEY_" + parameter] = value.Make(dir) }, Baseline.Timeout);
            }
        }
    }

    /// <summary>Every parameter set to the value, as many as the kernel takes: 2 MiB of arguments and environment in all.</summary>
    static Dictionary<string, EnvValue> AllAtOnce(AgentDescription d, HostileValue value, RunDirectory dir)
    {
        var all = new Dictionary<string, EnvValue>();
        long size = 0;
        foreach (var p in d.Parameters)
        {
            var v = value.Make(dir);
            size += v.ToBytes().Length + p.Length + 12;
            if (size > 1 << 20) break;
            all["OCF_RESKEY_" + p] = v;
        }
        return all;
    }

    /// <summary>Each action with each unusable timeout: the deadline is then the one the action advertises (20 s without one), or the clamp for a huge one.</summary>
    static IEnumerable<HostileCase> TimeoutCases(AgentDescription d)
    {
        foreach (var action in Actions(d))
            foreach (var (name, value) in HostileValues.Timeouts)
                yield return new HostileCase(d.Agent, action.Name, "timeout=" + name,
                    _ => new Dictionary<string, EnvValue> { ["OCF_RESKEY_CRM_meta_timeout"] = value },
                    name == "huge" ? HaCluster.Ocf.CrmMeta.MaxTimeout : action.Timeout ?? TimeSpan.FromSeconds(20))
                {
                    // A huge timeout is clamped to 24.8 days, not refused: an action that waits
                    // by design (migrate_from for the incoming domain) may wait that long.
                    GiveUpAfter = name == "huge" ? TimeSpan.FromSeconds(15) : null,
                };
    }

    /// <summary>The advertised actions, and a probe (a monitor without interval) beside the recurring monitor.</summary>
    static IEnumerable<AdvertisedAction> Actions(AgentDescription d)
    {
        foreach (var a in d.Actions)
        {
            yield return a;
            if (a.Name == "monitor") yield return a with { Name = "probe" };
        }
    }

    AgentDescription Describe(string agent) => descriptions.GetOrAdd(agent, a =>
    {
        var c = new HostileCase(a, "meta-data", "describe", _ => new Dictionary<string, EnvValue>(), Baseline.Timeout);
        var run = new AgentProcess(sandbox.Command(PublishedAgents.PathOf(a), ownNetwork: false)).Run("meta-data");
        run.ExitCode.Should().Be(0, $"{c}: {run}");
        var d = AgentDescription.Parse(a, run.Stdout);
        d.Parameters.Should().NotBeEmpty();
        d.Actions.Select(x => x.Name).Should().Contain(["start", "stop", "monitor"]);
        return d;
    });

    void Report(string title, int caseCount, IReadOnlyList<Finding> findings)
    {
        string report = FindingReport.Format(title, caseCount, findings);
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("HACLUSTER_HOSTILE_REPORT_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, title.Split(':')[0] + (title.Contains("timeout") ? ".timeouts" : ".parameters") + ".txt"), report, Encoding.UTF8);
        }
        if (findings.Count > 0) Assert.Fail(report);
    }
}
