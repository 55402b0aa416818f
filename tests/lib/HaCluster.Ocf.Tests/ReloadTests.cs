using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// Pacemaker sends reload to an OCF 1.0 agent for a change of any non-unique parameter; the host
/// applies reloadable changes through the agent's Reload and restarts for the others.
/// </summary>
public class ReloadTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    AgentInvoker Invoker(string nic, string label) =>
        new AgentInvoker().With("HA_RSCTMP", dir.Path).Param("config", "/etc/x").Param("nic", nic).Param("label", label);

    [Fact]
    public void Start_records_the_parameters_privately()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start").ExitCode.Should().Be(0);
        var file = Path.Combine(dir.Path, "hacluster-Test-r1.parameters");
        File.Exists(file).Should().BeTrue();
        File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_reloadable_change_goes_to_the_agents_reload()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent();
        Invoker("eth0", "b").Run(agent, "reload").ExitCode.Should().Be(0);
        agent.Ran.Should().Equal("validate", "reload");
    }

    [Fact]
    public void A_change_needing_a_restart_stops_with_the_old_values_and_starts_with_the_new()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent();
        var r = Invoker("eth1", "b").Run(agent, "reload");
        r.ExitCode.Should().Be(0);
        agent.Seen.Should().Equal("stop: nic=eth0 label=a", "start: nic=eth1 label=b");
    }

    [Fact]
    public void The_restart_validates_the_old_values_before_the_stop_and_the_new_ones_before_the_start()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent();
        var validated = new List<string>();
        agent.OnValidate = () => validated.Add(agent.Nic.Value);

        Invoker("eth1", "a").Run(agent, "reload").ExitCode.Should().Be(0);

        agent.Ran.Should().Equal("validate", "validate", "stop", "validate", "start");
        validated.Should().Equal("eth1", "eth0", "eth1");
    }

    [Fact]
    public void The_restart_runs_its_halves_as_a_stop_action_and_a_start_action()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent();

        Invoker("eth1", "a").Run(agent, "reload").ExitCode.Should().Be(0);

        agent.RanAs.Should().Equal("validate:reload", "validate:stop", "stop:stop", "validate:start", "start:start");
    }

    [Fact]
    public void Old_values_that_no_longer_validate_get_the_agents_best_effort_stop()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent { OnStopDespiteInvalid = _ => OcfExitCode.Success };
        agent.OnValidate = () =>
        {
            if (agent.Nic.Value == "eth0") throw OcfError.Args("eth0 is gone");
        };

        Invoker("eth1", "a").Run(agent, "reload").ExitCode.Should().Be(0);

        agent.Ran.Should().Equal("validate", "validate", "stop-despite-invalid", "validate", "start");
    }

    [Fact]
    public void After_a_restart_the_new_values_are_the_recorded_ones()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        Invoker("eth1", "a").Run(new SpecAgent(), "reload");
        var agent = new SpecAgent();
        Invoker("eth1", "c").Run(agent, "reload");
        agent.Ran.Should().Equal("validate", "reload");
    }

    [Fact]
    public void A_failed_stop_during_the_restart_fails_the_reload_with_a_reason()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        var agent = new SpecAgent { OnStop = () => OcfExitCode.ErrGeneric };
        var r = Invoker("eth1", "a").Run(agent, "reload");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Contain("nic");
        agent.Ran.Should().NotContain("start");
    }

    [Fact]
    public void Without_a_record_reload_applies_what_it_can()
    {
        var agent = new SpecAgent();
        Invoker("eth1", "b").Run(agent, "reload").ExitCode.Should().Be(0);
        agent.Ran.Should().Equal("validate", "reload");
    }

    [Fact]
    public void Stop_forgets_the_record()
    {
        Invoker("eth0", "a").Run(new SpecAgent(), "start");
        Invoker("eth0", "a").Run(new SpecAgent(), "stop");
        File.Exists(Path.Combine(dir.Path, "hacluster-Test-r1.parameters")).Should().BeFalse();
    }
}
