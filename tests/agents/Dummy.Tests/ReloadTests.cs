namespace HaCluster.Agents.Dummy.Tests;

/// <summary>reload applies fake, passwd and op_sleep; a change of state restarts (Pacemaker's own doing).</summary>
public class ReloadTests : DummyFixture
{
    [Fact]
    public void Reload_writes_the_new_fake_value()
    {
        Run("start");
        Invoker().Param("fake", "changed").Run(new DummyAgent(), "reload").ExitCode.Should().Be(0);
        File.ReadAllText(StateFile).Should().Be("changed\n");
    }

    [Fact]
    public void Reload_of_a_stopped_resource_succeeds_and_starts_nothing()
    {
        Invoker().Param("fake", "changed").Run(new DummyAgent(), "reload").ExitCode.Should().Be(0);
        File.Exists(StateFile).Should().BeFalse();
    }

    [Fact]
    public void Reload_logs_the_new_value_at_debug_level_only()
    {
        Run("start");
        var quiet = Invoker().With("HA_DEBUGLOG", Dir["debug.log"]).Param("fake", "x").Run(new DummyAgent(), "reload");
        var verbose = Invoker().With("HA_DEBUGLOG", Dir["debug.log"]).With("HA_debug", "1").Param("fake", "y").Run(new DummyAgent(), "reload");

        quiet.LogLines.Should().NotContain(l => l.Contains("Reloaded with"));
        verbose.LogLines.Should().ContainSingle(l => l.EndsWith("DEBUG: Reloaded with fake=y\n", StringComparison.Ordinal));
    }
}
