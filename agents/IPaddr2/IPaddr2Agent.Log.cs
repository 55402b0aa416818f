using System.Net;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.IPaddr2;

// Every log message of the agent, source-generated: the text and level of each line are here and
// nowhere else, and a disabled level costs a comparison. Actions call them with the Log property.
public sealed partial class IPaddr2Agent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "added {Address}/{Prefix} to {Link}")]
    static partial void LogAdded(ILogger logger, IPAddress address, int prefix, string link);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed {Address}")]
    static partial void LogRemoved(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Link} is down or has no carrier: reporting {Address} as not running")]
    static partial void LogLinkDown(ILogger logger, string link, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stop: {Reason}; removing {Address} wherever it is")]
    static partial void LogStopDespiteInvalidValues(ILogger logger, string reason, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the background sender (pid {Pid}) is not recorded: {Problem}; stop finds it without the record")]
    static partial void LogAnnouncerNotRecorded(ILogger logger, int pid, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the background sender's pid file is unusable: {Problem}")]
    static partial void LogAnnouncerPidFileUnusable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nic {Nic} with a label is deprecated: use nic={Base} and iflabel={Label}")]
    static partial void LogNicWithLabelDeprecated(ILogger logger, string nic, string @base, string label);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cidr_netmask {Mask} is a dotted quad: use the prefix length {Prefix}")]
    static partial void LogDottedQuadNetmask(ILogger logger, string mask, int prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "send_arp_opts option {Option} has no native meaning and is ignored")]
    static partial void LogSendArpOptionIgnored(ILogger logger, string option);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Link} is an InfiniBand link: no native unsolicited ARP is sent for {Address}")]
    static partial void LogInfiniBandNotAnnounced(ILogger logger, string link, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sent {Sent} of {Count} announcements for {Address} before the deadline")]
    static partial void LogAnnouncementsCut(ILogger logger, int sent, int count, IPAddress address);
}
