using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

/// <summary>
/// Every log line the library itself writes (agents have their own, in their XAgent.Log.cs):
/// source-generated, so a disabled level costs a comparison and no formatting or boxing.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "unhandled exception on another thread")]
    public static partial void UnhandledOnAnotherThread(ILogger log, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Signal} received: ending every program {Action} started")]
    public static partial void TerminationSignal(ILogger log, string signal, string action);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Type} in {Action}")]
    public static partial void InternalError(ILogger log, Exception exception, string? type, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "parameter {Old} is deprecated: use {New}")]
    public static partial void DeprecatedParameter(ILogger log, string old, string @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot record the parameters in {Directory}: {Message}; a later reload cannot tell which parameters changed")]
    public static partial void SnapshotNotSaved(ILogger log, string directory, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "no record of the parameters this resource was started with; applying the reloadable ones")]
    public static partial void ReloadWithoutSnapshot(ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "parameter(s) {Names} changed and cannot be applied to a running resource: restarting it")]
    public static partial void RestartForChangedParameters(ILogger log, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Reason}: the resource cannot be running here; stop succeeds")]
    public static partial void StopWhereMissing(ILogger log, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Reason}: probe reports not running")]
    public static partial void ProbeWhereMissing(ILogger log, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stop: {Reason}; nothing can be running under these values")]
    public static partial void NothingCanBeRunning(ILogger log, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stop: the best-effort stop failed ({What}); applying the library's rule")]
    public static partial void BestEffortStopFailed(ILogger log, string what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Command} {How}")]
    public static partial void ClusterToolFailed(ILogger log, string command, string how);
}
