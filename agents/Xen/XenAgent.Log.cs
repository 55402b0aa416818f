using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Xen;

// Every log message of the agent, source-generated: the text and level of each line are here and
// nowhere else, and a disabled level costs a comparison. Actions call them with the Log property.
// Several texts are those of ocf:heartbeat:Xen, which operators and the integration tests
// (tests/integration/xen-real.sh, tests/integration/xen/) look for: change none of them lightly.
public sealed partial class XenAgent
{
    // Validation: the xmfile and the domain name found in it.

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read the xmfile {File}: {Problem}")]
    static partial void LogXmfileUnreadable(ILogger logger, string file, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the name {Name} in the xmfile is not usable; using the resource id {Id}")]
    static partial void LogUnusableNameInXmfile(ILogger logger, string name, string id);

    // Status: monitor, the reboot window, utilization.

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain} reported as not running, but it is expected to be running! Retrying for {Seconds} seconds ...")]
    static partial void LogExpectedRunningRetrying(ILogger logger, string domain, int seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "domain {Domain} reported as not running, waiting {Seconds} seconds ...")]
    static partial void LogNotRunningWaiting(ILogger logger, string domain, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Xen domain {Domain} stopped")]
    static partial void LogMonitoredDomainStopped(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xl list printed no row for domain {Domain}: utilization not updated")]
    static partial void LogNoRowForUtilization(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unable to set utilization attribute {Name}: {Error}")]
    static partial void LogUtilizationNotSet(ILogger logger, string name, string? error);

    // Start and stop.

    [LoggerMessage(Level = LogLevel.Information, Message = "Xen domain {Domain} already running.")]
    static partial void LogAlreadyRunning(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "New memory for virtual domains: {Memory}")]
    static partial void LogNewDomainMemory(ILogger logger, long memory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Xen domain {Domain} started.")]
    static partial void LogStarted(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Xen domain {Domain} is left here by an interrupted migration as {Leftover}: destroying it")]
    static partial void LogStoppingMigrationLeftover(ILogger logger, string domain, string leftover);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stop: {Problem}; stopping domain {Domain} with the defaults in place of the values that cannot be used")]
    static partial void LogStoppingDespiteInvalidValues(ILogger logger, string problem, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "Xen domain {Domain} already stopped.")]
    static partial void LogAlreadyStopped(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "the stop timeout leaves {Seconds:0.#} s of the {Graceful:0.#} s for the orderly shutdown; the rest is kept for xl destroy")]
    static partial void LogOrderlyShutdownCut(ILogger logger, double seconds, double graceful);

    [LoggerMessage(Level = LogLevel.Information, Message = "Xen domain {Domain} will be stopped (timeout: {Seconds:0}s)")]
    static partial void LogStopping(ILogger logger, string domain, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Xen domain {Domain} stopped.")]
    static partial void LogStopped(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xl {Command} {Domain} {Failure}: destroying it")]
    static partial void LogShutdownRequestFailed(ILogger logger, string command, string domain, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Xen domain {Domain} will be destroyed!")]
    static partial void LogDestroying(ILogger logger, string domain);

    // Migration.

    [LoggerMessage(Level = LogLevel.Information, Message = "{Domain}: Starting xl migrate to {Target}")]
    static partial void LogMigrating(ILogger logger, string domain, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Domain}: xl migrate to {Target} succeeded.")]
    static partial void LogMigrated(ILogger logger, string domain, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read node attribute {Attribute} of {Target}: {Error}; migrating to the node name")]
    static partial void LogNodeAddressUnreadable(ILogger logger, string attribute, string target, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Domain}: {Target} is using address {Address}")]
    static partial void LogMigrationAddress(ILogger logger, string domain, string target, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Domain}: Not yet active locally, waiting")]
    static partial void LogNotYetActive(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Domain}: Active locally, migration successful")]
    static partial void LogActiveAfterMigration(ILogger logger, string domain);

    // Memory management.

    [LoggerMessage(Level = LogLevel.Warning, Message = "memory not adjusted: xl list {Failure}")]
    static partial void LogMemoryNotAdjustedList(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "memory not adjusted: xl info gave no total_memory ({Failure})")]
    static partial void LogMemoryNotAdjustedInfo(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "memory not adjusted: reserved_Dom0_memory ({Reserved} MiB) leaves nothing of the {Total} MiB for the domUs")]
    static partial void LogMemoryNotAdjustedReserve(ILogger logger, long reserved, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xl mem-set {Domain} {Memory} {Failure}")]
    static partial void LogMemSetFailed(ILogger logger, string domain, long memory, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adjusted memory to: {Memory}, for the following {Count} domains: {Domains}")]
    static partial void LogMemoryAdjusted(ILogger logger, long memory, int count, string domains);

    // Reload.

    [LoggerMessage(Level = LogLevel.Debug, Message = "reloaded: the new parameter values apply from the next action on")]
    static partial void LogReloaded(ILogger logger);
}
