using HaCluster.Libvirt;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.VirtualDomain;

// Every log message of the agent and its helper classes, source-generated: the text and level of
// each line are here and nowhere else, and a disabled level costs a comparison. Actions call them
// with the Log property. The integration tests grep some of these texts: change them with care.
public sealed partial class VirtualDomainAgent
{
    // The configuration file.

    [LoggerMessage(Level = LogLevel.Warning, Message = "configuration file {Config} now names domain {Domain}, but this resource started domain {Started}: stopping {Stopping}")]
    static partial void LogConfigNamesAnotherDomain(ILogger logger, string config, string domain, string started, string stopping);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; using domain {Domain} recorded when the resource was started")]
    static partial void LogUsingRecordedDomain(ILogger logger, string reason, string domain);

    // Status and monitor.

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain} is in state {State}, unknown to this agent: taken as running")]
    static partial void LogUnknownState(ILogger logger, string domain, int state);

    [LoggerMessage(Level = LogLevel.Debug, Message = "domain {Domain} is {State}")]
    static partial void LogDomainIs(ILogger logger, string domain, DomainState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; emulator process {Pid} of domain {Domain} is running")]
    static partial void LogEmulatorRunning(ILogger logger, string reason, int pid, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Reason}; no emulator process of domain {Domain}: not running")]
    static partial void LogNoEmulatorNotRunning(ILogger logger, string reason, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "monitor command {Script} for domain {Domain} succeeded")]
    static partial void LogMonitorCommandSucceeded(ILogger logger, string script, string domain);

    // Utilization.

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read the vCPUs and memory of domain {Domain} for its utilization: {Message}")]
    static partial void LogUtilizationUnreadable(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "utilization {Name} not written: {Error}")]
    static partial void LogUtilizationNotWritten(ILogger logger, string name, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot {What} utilization {Name}: {Error}")]
    static partial void LogUtilizationFailed(ILogger logger, string what, string name, string? error);

    // Start.

    [LoggerMessage(Level = LogLevel.Information, Message = "virtual domain {Domain} already running")]
    static partial void LogAlreadyRunning(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "restored domain {Domain} from {StateFile}")]
    static partial void LogRestored(ILogger logger, string domain, string stateFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "started virtual domain {Domain}")]
    static partial void LogStarted(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "destroy of inactive domain {Domain}: {Message}")]
    static partial void LogInactiveDestroyFailed(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot back up {Config}: {Message}")]
    static partial void LogConfigBackupFailed(ILogger logger, string config, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "undefined the old persistent definition of domain {Domain} before starting it")]
    static partial void LogUndefined(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot undefine domain {Domain}: {Message}")]
    static partial void LogUndefineFailed(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "libvirt removed {Config} when undefining domain {Domain}; it was restored")]
    static partial void LogConfigRestored(ILogger logger, string config, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot restore {Config}: {Message}")]
    static partial void LogConfigRestoreFailed(ILogger logger, string config, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cannot read the live XML of {Domain}: {Message}")]
    static partial void LogLiveXmlUnreadable(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot record domain {Domain} under {Directory}: a stop with an unreadable config would not find it")]
    static partial void LogDomainNotRecorded(ILogger logger, string domain, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot write the systemd drop-ins in {Directory}: {Message}")]
    static partial void LogDropInsFailed(ILogger logger, string directory, string message);

    // Stop.

    [LoggerMessage(Level = LogLevel.Information, Message = "{Reason}: the resource cannot be running here; stop succeeds")]
    static partial void LogCannotBeRunningHere(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; stopping domain {Domain} anyway (shutdown, then destroy)")]
    static partial void LogStoppingDespiteInvalidConfiguration(ILogger logger, string reason, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "destroy of crashed domain {Domain}: {Message}")]
    static partial void LogCrashedDestroyFailed(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "domain {Domain} already stopped")]
    static partial void LogAlreadyStopped(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "saved the state of domain {Domain} to {StateFile}")]
    static partial void LogStateSaved(ILogger logger, string domain, string stateFile);

    [LoggerMessage(Level = LogLevel.Error, Message = "failed to save the state of domain {Domain} to {StateFile} on stop: {Message}")]
    static partial void LogStateSaveFailed(ILogger logger, string domain, string stateFile, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "saving the state of domain {Domain} did not finish in time ({Message}); aborting it and destroying the domain")]
    static partial void LogStateSaveTooSlow(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "abort of the save job: {Message}")]
    static partial void LogSaveAbortFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "issuing graceful shutdown request for domain {Domain}")]
    static partial void LogShuttingDown(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "graceful shutdown of domain {Domain} refused: {Message}; destroying it")]
    static partial void LogShutdownRefused(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "domain {Domain} shut down")]
    static partial void LogShutDown(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Information, Message = "domain {Domain} did not shut down gracefully within {Seconds:0.#} s; destroying it")]
    static partial void LogShutdownTooSlow(ILogger logger, string domain, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "issuing forced shutdown (destroy) request for domain {Domain}")]
    static partial void LogDestroying(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "destroy ({Flags}) of {Domain}: {Message}")]
    static partial void LogDestroyFailed(ILogger logger, DomainDestroyFlags flags, string domain, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "graceful destroy of {Domain}: {Message}")]
    static partial void LogGracefulDestroyUnanswered(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; no emulator process of domain {Domain} is running: it is stopped")]
    static partial void LogNoEmulatorStopped(ILogger logger, string reason, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; stopping domain {Domain} by signalling its emulator process {Pids}")]
    static partial void LogSignallingEmulator(ILogger logger, string reason, string domain, string pids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "emulator of domain {Domain} did not exit after SIGTERM; sending SIGKILL")]
    static partial void LogEmulatorIgnoredTerm(ILogger logger, string domain);

    // Migration.

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    static partial void LogMigrationPlanWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "starting live migration of {Domain} to {Target} (destination {Uri}, migration URI {MigrationUri}, flags {Flags})")]
    static partial void LogMigrating(ILogger logger, string domain, string target, string uri, string migrationUri, MigrateFlags flags);

    [LoggerMessage(Level = LogLevel.Information, Message = "live migration of {Domain} to {Target} succeeded (last progress seen: {Processed} of {Total} KiB after {Elapsed} ms)")]
    static partial void LogMigratedWithProgress(ILogger logger, string domain, string target, ulong processed, ulong total, ulong elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "live migration of {Domain} to {Target} succeeded")]
    static partial void LogMigrated(ILogger logger, string domain, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "aborted the migration job of {Domain}")]
    static partial void LogMigrationAborted(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot abort the migration job of {Domain}: {Message}")]
    static partial void LogMigrationAbortFailed(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "start_resources: the pools and networks of {Domain} cannot be started on the target from here ({Problem}); the target's libvirtd must have them running")]
    static partial void LogTargetResourcesNotStarted(ILogger logger, string domain, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "set the maximum migration downtime of {Domain} to {Downtime} ms")]
    internal static partial void LogDowntimeSet(ILogger logger, string domain, long downtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot set the migration downtime of {Domain}: {Message}")]
    internal static partial void LogDowntimeNotSet(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "live migration of {Domain} from {Source} succeeded")]
    static partial void LogMigratedHere(ILogger logger, string domain, string source);

    // save_config_on_stop.

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read the configuration of domain {Domain}: {Message}; config file not updated")]
    static partial void LogLibvirtConfigUnreadable(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain} config has 0 size; skipping config update")]
    static partial void LogLibvirtConfigEmpty(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain} config from libvirt is unusable ({Error}); skipping config update")]
    static partial void LogLibvirtConfigUnusable(ILogger logger, string domain, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain} config failed to validate after dump ({How}); skipping config update")]
    static partial void LogLibvirtConfigInvalid(ILogger logger, string domain, string how);

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain}'s configuration is not saved: {Config} is a symbolic link, which is neither followed nor replaced")]
    static partial void LogConfigIsLink(ILogger logger, string domain, string config);

    [LoggerMessage(Level = LogLevel.Warning, Message = "domain {Domain}'s configuration could not be checked before saving ({Message}); skipping config update")]
    static partial void LogConfigNotValidated(ILogger logger, string domain, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "saved domain {Domain}'s configuration to {Config}")]
    static partial void LogConfigSaved(ILogger logger, string domain, string config);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot write {Config}: {Message}")]
    static partial void LogConfigWriteFailed(ILogger logger, string config, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "syncing {Config} with csync2 failed: {How}")]
    static partial void LogConfigSyncFailed(ILogger logger, string config, string how);
}
