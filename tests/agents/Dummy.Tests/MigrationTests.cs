namespace HaCluster.Agents.Dummy.Tests;

/// <summary>migrate_to stops on the source, migrate_from starts on the target.</summary>
public class MigrationTests : DummyFixture
{
    [Fact]
    public void Migration_moves_the_state()
    {
        Run("start");
        Invoker().Param("CRM_meta_migrate_target", "n2").Run(new DummyAgent(), "migrate_to").ExitCode.Should().Be(0);
        File.Exists(StateFile).Should().BeFalse();
        Invoker().Param("CRM_meta_migrate_source", "n1").Run(new DummyAgent(), "migrate_from").ExitCode.Should().Be(0);
        File.Exists(StateFile).Should().BeTrue();
    }

    [Fact]
    public void Both_ends_log_the_other_node()
    {
        Run("start");
        var to = Invoker().Param("CRM_meta_migrate_target", "n2").Run(new DummyAgent(), "migrate_to");
        var from = Invoker().Param("CRM_meta_migrate_source", "n1").Run(new DummyAgent(), "migrate_from");

        to.Stderr.Should().Contain("INFO: Migrating to n2");
        from.Stderr.Should().Contain("INFO: Migrating from n1");
    }
}
