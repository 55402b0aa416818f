using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Dummy;

// Every log message of the agent, source-generated: the text and level of each line are here and
// nowhere else, and a disabled level costs a comparison. Actions call them with the Log property.
public sealed partial class DummyAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Migrating to {Target}")]
    static partial void LogMigratingTo(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrating from {Source}")]
    static partial void LogMigratingFrom(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reloaded with fake={Fake}")]
    static partial void LogReloaded(ILogger logger, string fake);
}
