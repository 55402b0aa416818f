using HaCluster.Agents.Dummy;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>ocf:hacluster:Dummy behaves like ocf:pacemaker:Dummy, within its deadlines.</summary>
public class DummyTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    AgentInvoker Invoker() => new AgentInvoker().With("HA_RSCTMP", dir["rsc"]).With("OCF_RESOURCE_INSTANCE", "d1");
    string StateFile => Path.Combine(dir["rsc"], "Dummy-d1.state");

    [Fact]
    public void Start_monitor_stop_cycle()
    {
        Invoker().Run(new DummyAgent(), "monitor").ExitCode.Should().Be(7);
        Invoker().Run(new DummyAgent(), "start").ExitCode.Should().Be(0);
        File.ReadAllText(StateFile).Should().Be("dummy\n");
        Invoker().Run(new DummyAgent(), "monitor").ExitCode.Should().Be(0);
        Invoker().Run(new DummyAgent(), "start").ExitCode.Should().Be(0);
        Invoker().Run(new DummyAgent(), "stop").ExitCode.Should().Be(0);
        Invoker().Run(new DummyAgent(), "monitor").ExitCode.Should().Be(7);
        Invoker().Run(new DummyAgent(), "stop").ExitCode.Should().Be(0);
    }

    [Fact]
    public void HA_RSCTMP_is_created_when_missing()
    {
        Directory.Exists(dir["rsc"]).Should().BeFalse();
        Invoker().Run(new DummyAgent(), "start").ExitCode.Should().Be(0);
        Directory.Exists(dir["rsc"]).Should().BeTrue();
    }

    [Fact]
    public void Reload_writes_the_new_fake_value()
    {
        Invoker().Run(new DummyAgent(), "start");
        Invoker().Param("fake", "changed").Run(new DummyAgent(), "reload").ExitCode.Should().Be(0);
        File.ReadAllText(StateFile).Should().Be("changed\n");
    }

    [Fact]
    public void An_explicit_state_file_is_used()
    {
        var r = Invoker().Param("state", dir["my.state"]).Run(new DummyAgent(), "start");
        r.ExitCode.Should().Be(0);
        File.Exists(dir["my.state"]).Should().BeTrue();
    }

    [Fact]
    public void A_state_file_in_a_missing_directory_fails_start_with_a_reason()
    {
        var r = Invoker().Param("state", dir["nope/x.state"]).Run(new DummyAgent(), "start");
        r.ExitCode.Should().Be(2);
        r.ExitReason.Should().StartWith("cannot write state file");
    }

    [Fact]
    public void Op_sleep_longer_than_the_timeout_fails_before_the_deadline()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var r = Invoker().Param("op_sleep", "30").Param("CRM_meta_timeout", "1000").Run(new DummyAgent(), "start");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("op_sleep of 30 s does not fit in the start timeout");
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Migration_moves_the_state()
    {
        Invoker().Run(new DummyAgent(), "start");
        Invoker().Param("CRM_meta_migrate_target", "n2").Run(new DummyAgent(), "migrate_to").ExitCode.Should().Be(0);
        File.Exists(StateFile).Should().BeFalse();
        Invoker().Param("CRM_meta_migrate_source", "n1").Run(new DummyAgent(), "migrate_from").ExitCode.Should().Be(0);
        File.Exists(StateFile).Should().BeTrue();
    }

    [Fact]
    public void Validate_all_at_depth_10_checks_the_state_directory()
    {
        Invoker().Param("state", dir["nope/x.state"]).Run(new DummyAgent(), "validate-all").ExitCode.Should().Be(0);
        var r = Invoker().Param("state", dir["nope/x.state"]).With("OCF_CHECK_LEVEL", "10").Run(new DummyAgent(), "validate-all");
        r.ExitCode.Should().Be(2);
    }

    [Fact]
    public void Notify_and_promote_are_not_offered()
    {
        Invoker().Run(new DummyAgent(), "notify").ExitCode.Should().Be(3);
        Invoker().Run(new DummyAgent(), "promote").ExitCode.Should().Be(3);
    }
}
