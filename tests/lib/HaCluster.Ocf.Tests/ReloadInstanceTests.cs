using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// A restart inside reload is exactly a stop with the old values, then a start with the new: each
/// half on an agent instance of its own, made by the agent's factory, so nothing the validation
/// of the new values built (a connection, a parsed record, a cache) reaches the stop.
/// </summary>
public class ReloadInstanceTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    readonly List<SpecAgent> made = [];

    ResourceAgent Create()
    {
        var agent = new SpecAgent();
        made.Add(agent);
        return agent;
    }

    AgentInvoker Invoker(string nic, string label) =>
        new AgentInvoker().With("HA_RSCTMP", dir.Path).Param("config", "/etc/x").Param("nic", nic).Param("label", label);

    [Fact]
    public void Each_half_of_the_restart_runs_on_a_fresh_instance_with_its_own_values()
    {
        Invoker("eth0", "a").Run(Create, "start");
        made.Clear();

        Invoker("eth1", "b").Run(Create, "reload").ExitCode.Should().Be(0);

        made.Should().HaveCount(3);
        made[0].Ran.Should().Equal("validate");
        made[1].Ran.Should().Equal("validate", "stop");
        made[1].Seen.Should().Equal("stop: nic=eth0 label=a");
        made[2].Ran.Should().Equal("validate", "start");
        made[2].Seen.Should().Equal("start: nic=eth1 label=b");
    }

    [Fact]
    public void A_reload_without_a_restart_needs_one_instance()
    {
        Invoker("eth0", "a").Run(Create, "start");
        made.Clear();

        Invoker("eth0", "b").Run(Create, "reload").ExitCode.Should().Be(0);

        made.Should().ContainSingle().Which.Ran.Should().Equal("validate", "reload");
    }

    [Fact]
    public void Other_actions_run_on_one_instance()
    {
        Invoker("eth0", "a").Run(Create, "start").ExitCode.Should().Be(0);

        made.Should().ContainSingle().Which.Ran.Should().Equal("validate", "start");
    }
}
