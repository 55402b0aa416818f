using HaCluster.Ocf;

namespace HaCluster.Agents.Dummy;

// migrate_to and migrate_from: a stop on the source and a start on the target.
public sealed partial class DummyAgent
{
    public override OcfExitCode MigrateTo()
    {
        LogMigratingTo(Log, Meta.MigrateTarget ?? "(unknown node)");
        return Stop();
    }

    public override OcfExitCode MigrateFrom()
    {
        LogMigratingFrom(Log, Meta.MigrateSource ?? "(unknown node)");
        return Start();
    }
}
