using HaCluster.Core;
using HaCluster.Core.Native;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Logging;

/// <summary>
/// An <see cref="ILogger"/> that writes exactly where and how resource-agents' <c>ocf_log</c>
/// writes (ocf-shellfuncs' __ha_log and ha_debug), so our agents' lines sit beside the shell
/// agents' in pacemaker.log and syslog. No LoggerFactory: building one costs ~2 ms per process.
/// </summary>
public sealed class OcfLogger : ILogger
{
    readonly OcfLogSettings settings;
    readonly IOcfLogSinks sinks;

    public OcfLogger(OcfLogSettings settings, IOcfLogSinks? sinks = null)
    {
        this.settings = settings;
        this.sinks = sinks ?? OcfLogSinks.System;
    }

    public OcfLogSettings Settings => settings;

    public bool IsEnabled(LogLevel logLevel) => logLevel switch
    {
        LogLevel.None => false,
        LogLevel.Trace or LogLevel.Debug => settings.DebugEnabled,
        _ => true,
    };

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <summary>The longest exit reason written; a longer one is cut with an ellipsis.</summary>
    public const int MaxExitReasonChars = 512;

    /// <summary>The longest log line written (debug lines, which carry stack traces, may be longer).</summary>
    public const int MaxLogLineChars = 1024;

    const int MaxDebugLineChars = 16384;

    /// <summary>The prefix Pacemaker looks for, whatever OCF_EXIT_REASON_PREFIX says.</summary>
    const string StandardPrefix = "ocf-exit-reason:";

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        if (logLevel <= LogLevel.Debug)
        {
            Debug("DEBUG: " + Clean(formatter(state, exception), MaxDebugLineChars));
            if (exception is not null) Debug("DEBUG: " + Clean(exception.ToString(), MaxDebugLineChars));
        }
        else
        {
            Write(PriorityWord(logLevel) + ": " + Clean(formatter(state, exception), MaxLogLineChars), ignoreStderr: false);
        }
    }

    /// <summary>
    /// ocf_exit_reason: the reason line on stderr (the last one is what crm_mon shows) and
    /// "ERROR: reason" through the normal log path, without a second copy on stderr. One line,
    /// at most <see cref="MaxExitReasonChars"/> characters, and the only place the prefix is
    /// written: the host calls it once, as the last thing an invocation writes.
    /// </summary>
    public void ExitReason(string reason)
    {
        string text = Clean(reason, MaxExitReasonChars);
        sinks.Stderr(settings.ExitReasonPrefix + text + "\n");
        Write("ERROR: " + text, ignoreStderr: true);
    }

    /// <summary>
    /// One line, bounded, and with every exit-reason prefix defused. pacemaker-execd takes the
    /// text after the last prefix anywhere in stderr, not only at the start of a line: a tool's
    /// output or a parameter value that we relay must not be able to plant one.
    /// </summary>
    string Clean(string text, int maxChars) => SafeText.Bound(Defuse(SafeText.OneLine(text), settings.ExitReasonPrefix), maxChars);

    /// <summary>Breaks every occurrence of the standard and the configured prefix with a space before its last character.</summary>
    internal static string Defuse(string text, string configuredPrefix)
    {
        text = DefuseOne(text, StandardPrefix);
        return configuredPrefix.Length >= 2 && configuredPrefix != StandardPrefix ? DefuseOne(text, configuredPrefix) : text;
    }

    static string DefuseOne(string text, string prefix)
    {
        string broken = prefix[..^1] + " " + prefix[^1];
        // A replacement could in theory form a new occurrence across its boundary: repeat, a few times at most.
        for (int i = 0; i < 4 && text.Contains(prefix, StringComparison.Ordinal); i++)
            text = text.Replace(prefix, broken, StringComparison.Ordinal);
        return text;
    }

    static string PriorityWord(LogLevel level) => level switch
    {
        LogLevel.Critical => "CRIT",
        LogLevel.Error => "ERROR",
        LogLevel.Warning => "WARNING",
        _ => "INFO",
    };

    // __ha_log
    void Write(string message, bool ignoreStderr)
    {
        if (settings.StdinIsTerminal)
        {
            // Someone runs the agent by hand: stderr only.
            if (!ignoreStderr) sinks.Stderr((settings.ExplicitTag is { } t ? t + ": " : "") + message + "\n");
            return;
        }
        if (settings.SyslogFacility is { } facility)
            sinks.Syslog(facility, SyslogSeverityOf(message), settings.Tag, message);
        if (settings.LogFile is { } file)
            sinks.AppendFile(file, settings.Date() + " " + settings.Tag + ":    " + message + "\n");
        if (settings.SyslogFacility is null && settings.LogFile is null && !ignoreStderr)
            sinks.Stderr(settings.Date() + message + "\n");
        if (settings.DebugLog is { } debugLog && debugLog != settings.LogFile)
            sinks.AppendFile(debugLog, settings.Tag + ":\t" + settings.Date() + message + "\n");
    }

    // ha_debug (only reached when HA_debug is set and not 0)
    void Debug(string message)
    {
        if (settings.StdinIsTerminal)
        {
            sinks.Stderr((settings.ExplicitTag is { } t ? t + ": " : "") + message + "\n");
            return;
        }
        if (settings.SyslogFacility is { } facility)
            sinks.Syslog(facility, SyslogSeverity.Debug, settings.Tag, message);
        // ocf-directories defaults HA_DEBUGLOG to /dev/null, so ha_debug's stderr branch never
        // runs: without a facility or a debug log, debug lines go nowhere.
        if (settings.DebugLog is { } debugLog)
            sinks.AppendFile(debugLog, settings.Tag + ":\t" + settings.Date() + message + "\n");
    }

    /// <summary>__ha_log picks the syslog level from the text: ERROR → err, WARN → warning, INFO → info, else notice.</summary>
    internal static SyslogSeverity SyslogSeverityOf(string message) =>
        message.Contains("ERROR", StringComparison.Ordinal) ? SyslogSeverity.Err
        : message.Contains("WARN", StringComparison.Ordinal) ? SyslogSeverity.Warning
        : message.Contains("INFO", StringComparison.Ordinal) ? SyslogSeverity.Info
        : SyslogSeverity.Notice;
}

public enum SyslogSeverity { Emerg = 0, Alert = 1, Crit = 2, Err = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 }

/// <summary>Where log lines go. The system implementation writes to fd 2, /dev/log and files.</summary>
public interface IOcfLogSinks
{
    void Stderr(string text);
    void Syslog(int facility, SyslogSeverity severity, string tag, string message);
    void AppendFile(string path, string text);
}

/// <summary>The logging configuration ocf-shellfuncs derives from HA_* variables.</summary>
public sealed class OcfLogSettings
{
    public required string Tag { get; init; }
    /// <summary>HA_LOGTAG when the caller set one (the tty path prints only that).</summary>
    public string? ExplicitTag { get; init; }
    /// <summary>The syslog facility code (already multiplied by 8), or null for none.</summary>
    public int? SyslogFacility { get; init; }
    public string? LogFile { get; init; }
    public string? DebugLog { get; init; }
    public bool DebugEnabled { get; init; }
    public bool StdinIsTerminal { get; init; }
    public string DateFormat { get; init; } = "%b %d %T ";
    public string ExitReasonPrefix { get; init; } = "ocf-exit-reason:";
    public Func<DateTime> Now { get; init; } = () => DateTime.Now;

    public string Date() => StrfTime.Format(DateFormat, Now());

    /// <summary>The settings ocf-shellfuncs would use in this environment.</summary>
    public static OcfLogSettings From(OcfEnvironment env, int pid, bool stdinIsTerminal)
    {
        string? explicitTag = OcfEnvironment.NullIfEmpty(env.Get("HA_LOGTAG"));
        string script = Path.GetFileName(env.Argv0);
        string tag = explicitTag ?? (env.ResourceInstance is { } inst ? $"{script}({inst})[{pid}]" : $"{script}[{pid}]");
        // Pacemaker sets HA_LOGFACILITY; HA_logfacility is the older spelling it also passes.
        string? facilityName = OcfEnvironment.NullIfEmpty(env.Get("HA_LOGFACILITY")) ?? OcfEnvironment.NullIfEmpty(env.Get("HA_logfacility"));
        string? debug = env.Get("HA_debug");
        return new OcfLogSettings
        {
            Tag = tag,
            ExplicitTag = explicitTag,
            SyslogFacility = facilityName is null || facilityName == "none" ? null : SyslogFacilities.Code(facilityName),
            LogFile = OcfEnvironment.NullIfEmpty(env.Get("HA_LOGFILE")),
            DebugLog = OcfEnvironment.NullIfEmpty(env.Get("HA_DEBUGLOG")),
            DebugEnabled = !string.IsNullOrEmpty(debug) && debug != "0",
            StdinIsTerminal = stdinIsTerminal,
            DateFormat = env.Get("HA_DATEFMT") is { Length: > 0 } fmt ? fmt : "%b %d %T ",
            ExitReasonPrefix = env.ExitReasonPrefix,
        };
    }
}

/// <summary>syslog facility names as logger(1) knows them.</summary>
public static class SyslogFacilities
{
    /// <summary>The facility code for a name; an unknown name falls back to daemon (Pacemaker's default) rather than losing the lines.</summary>
    public static int Code(string name) => name.ToLowerInvariant() switch
    {
        "kern" => 0,
        "user" => 1,
        "mail" => 2,
        "daemon" => 3,
        "auth" or "security" => 4,
        "syslog" => 5,
        "lpr" => 6,
        "news" => 7,
        "uucp" => 8,
        "cron" => 9,
        "authpriv" => 10,
        "ftp" => 11,
        "local0" => 16,
        "local1" => 17,
        "local2" => 18,
        "local3" => 19,
        "local4" => 20,
        "local5" => 21,
        "local6" => 22,
        "local7" => 23,
        _ => 3,
    } * 8;
}
