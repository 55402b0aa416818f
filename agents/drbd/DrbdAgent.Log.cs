using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Drbd;

// Every log message of the agent, source-generated: the text and level of each line are here and
// nowhere else (tests/integration's DRBD scripts grep some of them). Actions call them with the
// Log property.
public sealed partial class DrbdAgent
{
    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}; falling back to default")]
    static partial void LogBadScores(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "drbdadm {What} {Result}")]
    static partial void LogCommandFailed(ILogger logger, string what, string result);

    [LoggerMessage(Level = LogLevel.Information, Message = "{What} {Result}")]
    static partial void LogWaitEnded(ILogger logger, string what, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} already Primary, demoting.")]
    static partial void LogAlreadyPrimary(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} still Primary, demoting.")]
    static partial void LogStillPrimary(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Please use matching node names for hostname, uname, corosync, pacemaker and DRBD! Not a valid DRBD peer: {Peer}")]
    static partial void LogNoSuchPeer(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Error, Message = "validate error on stop ({Reason})! Trying 'drbdsetup down {Resource}' directly to avoid fencing...")]
    static partial void LogStopDespite(ILogger logger, string reason, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stop: {Reason}; the DRBD module is not loaded, so nothing can be running")]
    static partial void LogNothingUpWithoutModule(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "fencing of this node narrowly avoided. FIX YOUR SETUP!")]
    static partial void LogFencingAvoided(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer node already/still Primary, promote will likely fail or need several attempts. Retrying anyways.")]
    static partial void LogPeerStillPrimary(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "promotion failed; sleep {Seconds} # to prevent tight recovery loop")]
    static partial void LogPromoteBackoff(ILogger logger, string seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "notify: {Reason}")]
    static partial void LogNotifyProblem(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "promotion score: {Action} {Value} ({Why})")]
    static partial void LogScoreDecision(ILogger logger, string action, long value, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "promotion score removed: {Why}")]
    static partial void LogScoreDeleted(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot {What} the promotion score: {Error}")]
    static partial void LogScoreFailed(ILogger logger, string what, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource}: DRBD detected a split-brain and dropped the connection; no promotion score until an operator resolves it")]
    static partial void LogSplitBrainUnresolved(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Critical, Message = "resource internal SPLIT BRAIN: both {Me} and {Host} are Primary for {Resource}, but the replication link is down!")]
    static partial void LogSplitBrain(ILogger logger, string me, string host, string resource);

    [LoggerMessage(Level = LogLevel.Information, Message = "outdating {Resource}: according to the notify data, {Host} is still master")]
    static partial void LogOutdating(ILogger logger, string resource, string host);
}
