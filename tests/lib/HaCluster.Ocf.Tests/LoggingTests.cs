using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using HaCluster.Ocf.Logging;
using HaCluster.Testing;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Tests;

/// <summary>Messages as agents write them: through the LoggerMessage source generator.</summary>
static partial class LoggingTestMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "started {Domain} in {Milliseconds} ms")]
    public static partial void Started(ILogger logger, string domain, int milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Domain} is slow to shut down")]
    public static partial void Slow(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "state of {Domain}: {State}")]
    public static partial void State(ILogger logger, string domain, string state);
}

/// <summary>
/// <see cref="OcfLogger"/> writes where and how ocf-shellfuncs' ocf_log / ha_debug /
/// ocf_exit_reason write, given the HA_* variables (lib/HaCluster.Ocf/README.md, "Logging like
/// ocf_log").
/// </summary>
public sealed class LoggingTests
{
    const string Argv0 = "/usr/lib/ocf/resource.d/heartbeat/IPaddr2";
    const int Pid = 4711;
    const string Tag = "IPaddr2(vip)[4711]";
    /// <summary>A date format without conversions, so that lines can be compared exactly.</summary>
    const string FixedDate = "DATE ";
    const string LogFile = "/var/log/pacemaker/pacemaker.log";
    const string DebugLog = "/var/log/ha-debug";

    readonly RecordingSinks sinks = new();
    readonly Dictionary<string, string> env = new()
    {
        ["OCF_RESOURCE_INSTANCE"] = "vip",
        ["HA_DATEFMT"] = FixedDate,
    };

    LoggingTests With(string name, string? value)
    {
        if (value is null) env.Remove(name);
        else env[name] = value;
        return this;
    }

    OcfLogSettings Settings(bool tty = false, string argv0 = Argv0) =>
        OcfLogSettings.From(OcfEnvironment.FromDictionary(env, argv0), Pid, tty);

    OcfLogger Logger(bool tty = false, string argv0 = Argv0) => new(Settings(tty, argv0), sinks);

    List<string> FileLines(string path) => sinks.Files.TryGetValue(path, out var l) ? l : [];

    // ---------------------------------------------------------------- the tag

    [Fact]
    public void The_tag_is_TYPE_INSTANCE_PID_with_TYPE_the_basename_of_argv0()
    {
        Settings().Tag.Should().Be("IPaddr2(vip)[4711]");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_an_instance_the_tag_is_TYPE_PID(string? instance)
    {
        With("OCF_RESOURCE_INSTANCE", instance);

        Settings().Tag.Should().Be("IPaddr2[4711]");
    }

    [Fact]
    public void The_tag_uses_the_script_name_even_when_OCF_RESOURCE_TYPE_differs()
    {
        With("OCF_RESOURCE_TYPE", "Other");

        Settings(argv0: "/opt/agents/vdom").Tag.Should().Be("vdom(vip)[4711]");
    }

    [Fact]
    public void HA_LOGTAG_overrides_the_tag()
    {
        With("HA_LOGTAG", "mytag").With("HA_LOGFILE", LogFile);

        Logger().LogInformation("hello");

        Settings().Tag.Should().Be("mytag");
        FileLines(LogFile).Should().Equal("DATE  mytag:    INFO: hello\n");
    }

    [Fact]
    public void An_empty_HA_LOGTAG_is_ignored()
    {
        With("HA_LOGTAG", "");

        Settings().Tag.Should().Be(Tag);
    }

    // ---------------------------------------------------------------- syslog

    [Theory]
    [InlineData(LogLevel.Information, "INFO", SyslogSeverity.Info)]
    [InlineData(LogLevel.Warning, "WARNING", SyslogSeverity.Warning)]
    [InlineData(LogLevel.Error, "ERROR", SyslogSeverity.Err)]
    [InlineData(LogLevel.Critical, "CRIT", SyslogSeverity.Notice)] // __ha_log knows no crit: notice
    public void HA_LOGFACILITY_daemon_logs_to_syslog_with_facility_24_and_the_severity_from_the_text(LogLevel level, string word, SyslogSeverity severity)
    {
        With("HA_LOGFACILITY", "daemon");

        Logger().Log(level, "the message");

        sinks.Syslog.Should().Equal($"24/{severity} {Tag}: {word}: the message");
        sinks.Stderr.Should().BeEmpty("with a facility and no tty nothing goes to stderr");
    }

    [Fact]
    public void The_syslog_severity_comes_from_the_text_like_the_shell_case_pattern()
    {
        With("HA_LOGFACILITY", "daemon");

        Logger().LogInformation("no ERROR here, really");

        sinks.Syslog.Should().Equal($"24/Err {Tag}: INFO: no ERROR here, really");
    }

    [Theory]
    [InlineData("local3", 19 * 8)]
    [InlineData("user", 8)]
    [InlineData("authpriv", 80)]
    [InlineData("LOCAL7", 23 * 8)]
    [InlineData("no-such-facility", 24)]
    public void Facility_names_map_to_syslog_codes(string name, int code)
    {
        With("HA_LOGFACILITY", name);

        Settings().SyslogFacility.Should().Be(code);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("")]
    [InlineData(null)]
    public void HA_LOGFACILITY_none_or_unset_means_no_syslog(string? facility)
    {
        With("HA_LOGFACILITY", facility).With("HA_LOGFILE", LogFile);

        Logger().LogError("broken");

        Settings().SyslogFacility.Should().BeNull();
        sinks.Syslog.Should().BeEmpty();
        FileLines(LogFile).Should().HaveCount(1);
    }

    [Fact]
    public void The_older_HA_logfacility_spelling_is_honoured_when_HA_LOGFACILITY_is_unset()
    {
        With("HA_logfacility", "daemon");

        Logger().LogInformation("x");

        sinks.Syslog.Should().Equal($"24/Info {Tag}: INFO: x");
    }

    // ---------------------------------------------------------------- HA_LOGFILE and stderr

    [Fact]
    public void HA_LOGFILE_gets_date_tag_and_message_with_four_spaces()
    {
        With("HA_LOGFILE", LogFile);

        Logger().LogInformation("hello");

        FileLines(LogFile).Should().Equal("DATE  IPaddr2(vip)[4711]:    INFO: hello\n");
        sinks.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void The_default_date_format_is_month_day_time_and_a_space()
    {
        With("HA_DATEFMT", null).With("HA_LOGFILE", LogFile);

        Logger().LogWarning("careful");

        FileLines(LogFile).Should().ContainSingle()
            .Which.Should().MatchRegex(@"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d  IPaddr2\(vip\)\[4711\]:    WARNING: careful\n$");
    }

    [Fact]
    public void HA_DATEFMT_is_honoured()
    {
        With("HA_DATEFMT", "[%Y|%%|%Q] ").With("HA_LOGFILE", LogFile);

        Logger().LogInformation("hello");

        FileLines(LogFile).Should().ContainSingle()
            .Which.Should().MatchRegex(@"^\[\d{4}\|%\|%Q\]  IPaddr2\(vip\)\[4711\]:    INFO: hello\n$");
    }

    [Fact]
    public void The_date_comes_from_the_settings_clock()
    {
        var settings = new OcfLogSettings { Tag = Tag, LogFile = LogFile, Now = () => new DateTime(2024, 11, 22, 3, 22, 41) };

        new OcfLogger(settings, sinks).LogInformation("msg");

        FileLines(LogFile).Should().Equal("Nov 22 03:22:41  IPaddr2(vip)[4711]:    INFO: msg\n");
    }

    [Fact]
    public void Without_facility_and_file_lines_go_to_stderr_as_date_and_message()
    {
        Logger().LogWarning("careful");

        sinks.Stderr.Should().Equal("DATE WARNING: careful\n");
        sinks.Syslog.Should().BeEmpty();
        sinks.Files.Should().BeEmpty();
    }

    [Fact]
    public void With_a_facility_or_a_file_nothing_goes_to_stderr()
    {
        With("HA_LOGFACILITY", "daemon").With("HA_LOGFILE", LogFile);

        Logger().LogError("broken");

        sinks.Stderr.Should().BeEmpty();
        sinks.Syslog.Should().Equal($"24/Err {Tag}: ERROR: broken");
        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    ERROR: broken\n");
    }

    [Fact]
    public void HA_DEBUGLOG_different_from_HA_LOGFILE_gets_tag_tab_date_and_message()
    {
        With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", DebugLog);

        Logger().LogInformation("hello");

        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    INFO: hello\n");
        FileLines(DebugLog).Should().Equal($"{Tag}:\tDATE INFO: hello\n");
    }

    [Fact]
    public void HA_DEBUGLOG_equal_to_HA_LOGFILE_gets_each_line_once()
    {
        With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", LogFile);

        Logger().LogInformation("hello");

        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    INFO: hello\n");
    }

    [Fact]
    public void HA_DEBUGLOG_alone_does_not_keep_lines_off_stderr()
    {
        With("HA_DEBUGLOG", DebugLog);

        Logger().LogInformation("hello");

        sinks.Stderr.Should().Equal("DATE INFO: hello\n");
        FileLines(DebugLog).Should().Equal($"{Tag}:\tDATE INFO: hello\n");
    }

    [Fact]
    public void Source_generated_messages_are_formatted_with_their_values()
    {
        With("HA_LOGFILE", LogFile);
        var log = Logger();

        LoggingTestMessages.Started(log, "vm1", 250);
        LoggingTestMessages.Slow(log, "vm1");

        FileLines(LogFile).Should().Equal(
            $"DATE  {Tag}:    INFO: started vm1 in 250 ms\n",
            $"DATE  {Tag}:    WARNING: vm1 is slow to shut down\n");
    }

    [Fact]
    public void A_message_with_line_breaks_becomes_one_line()
    {
        With("HA_LOGFILE", LogFile);

        Logger().LogError("first line\nsecond line\r\nthird\tpart\n");

        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    ERROR: first line second line  third part\n");
    }

    [Fact]
    public void An_exception_passed_to_an_error_does_not_add_lines()
    {
        With("HA_LOGFILE", LogFile);

        Logger().LogError(new InvalidOperationException("inner\ndetail"), "operation failed");

        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    ERROR: operation failed\n");
    }

    // ---------------------------------------------------------------- debug

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    public void Debug_lines_are_dropped_unless_HA_debug_is_set_and_not_0(string? haDebug)
    {
        With("HA_debug", haDebug).With("HA_LOGFACILITY", "daemon").With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", DebugLog);
        var log = Logger();

        log.LogDebug("detail");
        log.LogTrace("more detail");
        LoggingTestMessages.State(log, "vm1", "running");

        log.IsEnabled(LogLevel.Debug).Should().BeFalse();
        sinks.Syslog.Should().BeEmpty();
        sinks.Files.Should().BeEmpty();
        sinks.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void HA_DEBUG_in_capitals_is_not_an_input()
    {
        With("HA_DEBUG", "1").With("HA_LOGFILE", LogFile);

        Logger().LogDebug("detail");

        Logger().IsEnabled(LogLevel.Debug).Should().BeFalse();
        sinks.Files.Should().BeEmpty();
    }

    [Theory]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("2")]
    public void With_HA_debug_debug_lines_go_to_syslog_and_HA_DEBUGLOG_but_not_HA_LOGFILE(string haDebug)
    {
        With("HA_debug", haDebug).With("HA_LOGFACILITY", "daemon").With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", DebugLog);
        var log = Logger();

        LoggingTestMessages.State(log, "vm1", "running");

        log.IsEnabled(LogLevel.Debug).Should().BeTrue();
        sinks.Syslog.Should().Equal($"24/Debug {Tag}: DEBUG: state of vm1: running");
        FileLines(DebugLog).Should().Equal($"{Tag}:\tDATE DEBUG: state of vm1: running\n");
        FileLines(LogFile).Should().BeEmpty();
        sinks.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void Trace_is_logged_as_debug()
    {
        With("HA_debug", "1").With("HA_DEBUGLOG", DebugLog);

        Logger().LogTrace("fine detail");

        FileLines(DebugLog).Should().Equal($"{Tag}:\tDATE DEBUG: fine detail\n");
    }

    [Fact]
    public void Debug_lines_go_to_HA_DEBUGLOG_even_when_it_is_HA_LOGFILE()
    {
        With("HA_debug", "1").With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", LogFile);

        Logger().LogDebug("detail");

        FileLines(LogFile).Should().Equal($"{Tag}:\tDATE DEBUG: detail\n");
    }

    [Fact]
    public void Debug_without_facility_and_debug_log_goes_nowhere_not_to_stderr_nor_HA_LOGFILE()
    {
        With("HA_debug", "1").With("HA_LOGFILE", LogFile);

        Logger().LogDebug("detail");

        // ocf-directories defaults HA_DEBUGLOG to /dev/null, so ha_debug's stderr branch
        // (echo "$HA_LOGTAG: ..." >&2) never runs in the shell agents either.
        sinks.Stderr.Should().BeEmpty();
        FileLines(LogFile).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- a terminal on stdin

    [Fact]
    public void With_a_terminal_on_stdin_lines_go_to_stderr_only()
    {
        With("HA_LOGFACILITY", "daemon").With("HA_LOGFILE", LogFile).With("HA_DEBUGLOG", DebugLog);

        Logger(tty: true).LogInformation("hello");

        sinks.Stderr.Should().Equal("INFO: hello\n");
        sinks.Syslog.Should().BeEmpty();
        sinks.Files.Should().BeEmpty();
    }

    [Fact]
    public void With_a_terminal_an_explicit_HA_LOGTAG_prefixes_the_line()
    {
        With("HA_LOGTAG", "mytag");

        Logger(tty: true).LogWarning("careful");

        sinks.Stderr.Should().Equal("mytag: WARNING: careful\n");
    }

    [Fact]
    public void With_a_terminal_debug_lines_appear_only_when_enabled()
    {
        Logger(tty: true).LogDebug("hidden");
        sinks.Stderr.Should().BeEmpty();

        With("HA_debug", "1").With("HA_DEBUGLOG", DebugLog);
        Logger(tty: true).LogDebug("shown");

        sinks.Stderr.Should().Equal("DEBUG: shown\n");
        sinks.Files.Should().BeEmpty();
    }

    [Fact]
    public void With_a_terminal_the_exit_reason_is_written_once_and_not_logged_again()
    {
        With("HA_LOGFACILITY", "daemon").With("HA_LOGFILE", LogFile);

        Logger(tty: true).ExitReason("boom");

        sinks.Stderr.Should().Equal("ocf-exit-reason:boom\n");
        sinks.Syslog.Should().BeEmpty();
        sinks.Files.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- exit reasons

    [Fact]
    public void ExitReason_writes_the_prefixed_reason_to_stderr_once_and_logs_ERROR_to_the_file()
    {
        With("HA_LOGFILE", LogFile);

        Logger().ExitReason("could not bind 203.0.113.1");

        sinks.Stderr.Should().Equal("ocf-exit-reason:could not bind 203.0.113.1\n");
        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    ERROR: could not bind 203.0.113.1\n");
    }

    [Fact]
    public void ExitReason_without_facility_and_file_does_not_copy_ERROR_to_stderr()
    {
        Logger().ExitReason("boom");

        sinks.Stderr.Should().Equal("ocf-exit-reason:boom\n");
    }

    [Fact]
    public void ExitReason_goes_to_syslog_as_an_error()
    {
        With("HA_LOGFACILITY", "daemon");

        Logger().ExitReason("boom");

        sinks.Syslog.Should().Equal($"24/Err {Tag}: ERROR: boom");
        sinks.Stderr.Should().Equal("ocf-exit-reason:boom\n");
    }

    [Fact]
    public void ExitReason_honours_OCF_EXIT_REASON_PREFIX()
    {
        With("OCF_EXIT_REASON_PREFIX", "reason>");

        Logger().ExitReason("boom");

        sinks.Stderr.Should().Equal("reason>boom\n");
    }

    [Fact]
    public void An_empty_OCF_EXIT_REASON_PREFIX_falls_back_to_the_default()
    {
        With("OCF_EXIT_REASON_PREFIX", "");

        Logger().ExitReason("boom");

        sinks.Stderr.Should().Equal("ocf-exit-reason:boom\n");
    }

    [Fact]
    public void An_exit_reason_with_line_breaks_stays_one_line_and_a_forged_prefix_in_it_is_defused()
    {
        With("HA_LOGFILE", LogFile);

        Logger().ExitReason("line one\nocf-exit-reason:forged\n");

        sinks.Stderr.Should().Equal("ocf-exit-reason:line one ocf-exit-reason :forged\n");
        FileLines(LogFile).Should().Equal($"DATE  {Tag}:    ERROR: line one ocf-exit-reason :forged\n");
    }
}

/// <summary>The real sinks: appended files and an RFC 3164 datagram to a syslog socket.</summary>
public sealed class LoggingRealSinkTests : IDisposable
{
    readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    Socket Listen(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 3000 };
        s.Bind(new UnixDomainSocketEndPoint(path));
        return s;
    }

    static string Receive(Socket s)
    {
        var buffer = new byte[65536];
        int n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    // syslog (RFC 3164) pads the day with a space ("Dec  1"); HA_LOGFILE lines use ocf_log's
    // default HA_DATEFMT "%b %d %T " and pad it with a zero ("Dec 01").
    const string StampPattern = @"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d\d:\d\d:\d\d";
    const string FileStampPattern = @"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-3]\d \d\d:\d\d:\d\d";

    [Fact]
    public void AppendFile_creates_the_file_and_appends()
    {
        var sinks = new OcfLogSinks(tmp["no-socket"]);
        string file = tmp["pacemaker.log"];

        sinks.AppendFile(file, "one\n");
        sinks.AppendFile(file, "two\n");

        File.ReadAllText(file).Should().Be("one\ntwo\n");
    }

    [Fact]
    public void AppendFile_keeps_what_the_file_already_held()
    {
        string file = tmp["existing.log"];
        File.WriteAllText(file, "older line\n");

        new OcfLogSinks(tmp["no-socket"]).AppendFile(file, "new line ☃\n");

        File.ReadAllText(file).Should().Be("older line\nnew line ☃\n");
    }

    [Fact]
    public void AppendFile_into_a_missing_directory_throws_nothing()
    {
        var sinks = new OcfLogSinks(tmp["no-socket"]);
        string file = Path.Combine(tmp.Path, "missing", "dir", "x.log");

        sinks.Invoking(s => s.AppendFile(file, "line\n")).Should().NotThrow();
        File.Exists(file).Should().BeFalse();
    }

    [Fact]
    public void Syslog_sends_an_RFC3164_datagram_with_priority_stamp_tag_and_message()
    {
        string path = tmp["log"];
        using var listener = Listen(path);
        var sinks = new OcfLogSinks(path);

        sinks.Syslog(24, SyslogSeverity.Info, "IPaddr2(vip)[4711]", "INFO: hello");

        Receive(listener).Should().MatchRegex($@"^<30>{StampPattern} IPaddr2\(vip\)\[4711\]: INFO: hello$");
    }

    [Fact]
    public void The_logger_reaches_a_real_syslog_socket_and_a_real_file()
    {
        string path = tmp["log"], logFile = tmp["pacemaker.log"];
        using var listener = Listen(path);
        var env = OcfEnvironment.FromDictionary(new Dictionary<string, string>
        {
            ["OCF_RESOURCE_INSTANCE"] = "vip",
            ["HA_LOGFACILITY"] = "local0",
            ["HA_LOGFILE"] = logFile,
        }, "/usr/lib/ocf/resource.d/heartbeat/IPaddr2");
        var logger = new OcfLogger(OcfLogSettings.From(env, 4711, stdinIsTerminal: false), new OcfLogSinks(path));

        logger.LogWarning("grüße ☃ from {Who}", "node1");

        // local0 (16 * 8) + warning (4)
        Receive(listener).Should().MatchRegex($@"^<132>{StampPattern} IPaddr2\(vip\)\[4711\]: WARNING: grüße ☃ from node1$");
        File.ReadAllText(logFile).Should().MatchRegex($@"^{FileStampPattern}  IPaddr2\(vip\)\[4711\]:    WARNING: grüße ☃ from node1\n$");
    }

    [Fact]
    public void Successive_lines_go_out_as_separate_datagrams()
    {
        string path = tmp["log"];
        using var listener = Listen(path);
        var sinks = new OcfLogSinks(path);

        sinks.Syslog(24, SyslogSeverity.Err, "t", "ERROR: one");
        sinks.Syslog(24, SyslogSeverity.Debug, "t", "DEBUG: two");

        Receive(listener).Should().StartWith("<27>").And.EndWith(" t: ERROR: one");
        Receive(listener).Should().StartWith("<31>").And.EndWith(" t: DEBUG: two");
    }

    [Fact]
    public void A_missing_syslog_socket_throws_nothing_and_is_not_looked_for_again()
    {
        string path = tmp["log"];
        var sinks = new OcfLogSinks(path);

        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: lost")).Should().NotThrow();

        // One stat per process at most: a socket appearing later is not picked up.
        using var listener = Listen(path);
        listener.ReceiveTimeout = 200;
        sinks.Syslog(24, SyslogSeverity.Info, "t", "INFO: also lost");
        listener.Available.Should().Be(0);
    }

    [Fact]
    public void A_regular_file_in_place_of_the_socket_throws_nothing()
    {
        string path = tmp["log"];
        File.WriteAllText(path, "not a socket");
        var sinks = new OcfLogSinks(path);

        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: one")).Should().NotThrow();
        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: two")).Should().NotThrow();
        File.ReadAllText(path).Should().Be("not a socket");
    }

    [Fact]
    public void A_socket_nobody_listens_on_any_more_throws_nothing()
    {
        // Bound, then closed, with the socket file left behind (as by a crashed syslog daemon):
        // .NET unlinks what it bound on Dispose, so the file is moved away first.
        string path = tmp["log"];
        using (Listen(tmp["bound"])) File.Move(tmp["bound"], path);
        File.Exists(path).Should().BeTrue("precondition: the stale socket file is still there");
        var sinks = new OcfLogSinks(path);

        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: one")).Should().NotThrow();
        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: two")).Should().NotThrow();
    }

    [Fact]
    public void A_stream_socket_in_place_of_the_datagram_socket_throws_nothing()
    {
        string path = tmp["log"];
        using var stream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stream.Bind(new UnixDomainSocketEndPoint(path));
        stream.Listen();
        var sinks = new OcfLogSinks(path);

        sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: one")).Should().NotThrow();
    }

    [Fact]
    public void A_syslog_socket_that_is_not_read_drops_lines_instead_of_blocking()
    {
        string path = tmp["log"];
        using var listener = Listen(path);
        var sinks = new OcfLogSinks(path);
        var sw = Stopwatch.StartNew();

        for (int i = 0; i < 2000; i++)
            sinks.Syslog(24, SyslogSeverity.Info, "t", "INFO: line " + i);

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        Receive(listener).Should().EndWith(" t: INFO: line 0", "the first lines were queued before the buffer filled");
    }

    [Fact]
    public void A_listener_that_goes_away_after_the_first_line_costs_nothing_and_throws_nothing()
    {
        string path = tmp["log"];
        var sinks = new OcfLogSinks(path);
        using (var first = Listen(path))
        {
            sinks.Syslog(24, SyslogSeverity.Info, "t", "INFO: one");
            Receive(first).Should().EndWith("INFO: one");
        }

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 100; i++)
            sinks.Invoking(s => s.Syslog(24, SyslogSeverity.Info, "t", "INFO: lost")).Should().NotThrow();
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }
}

/// <summary>The strftime conversions HA_DATEFMT may use.</summary>
public sealed class LoggingStrfTimeTests
{
    static readonly DateTime T = new(2024, 3, 5, 7, 8, 9, 123);

    [Theory]
    [InlineData("%b", "Mar")]
    [InlineData("%h", "Mar")]
    [InlineData("%d", "05")]
    [InlineData("%e", " 5")]
    [InlineData("%T", "07:08:09")]
    [InlineData("%Y", "2024")]
    [InlineData("%m", "03")]
    [InlineData("%H", "07")]
    [InlineData("%M", "08")]
    [InlineData("%S", "09")]
    [InlineData("%F", "2024-03-05")]
    [InlineData("%D", "03/05/24")]
    [InlineData("%y", "24")]
    [InlineData("%a", "Tue")]
    [InlineData("%j", "065")]
    [InlineData("%N", "123000000")]
    [InlineData("%%", "%")]
    [InlineData("%b %d %T ", "Mar 05 07:08:09 ")]
    [InlineData("%Y-%m-%dT%H:%M:%S", "2024-03-05T07:08:09")]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    public void Conversions_format_like_date(string format, string expected)
    {
        StrfTime.Format(format, T).Should().Be(expected);
    }

    [Theory]
    [InlineData("%Q", "%Q")]
    [InlineData("%k%", "%k%")]
    [InlineData("100%", "100%")]
    [InlineData("%%Y", "%Y")]
    public void Unknown_conversions_and_a_trailing_percent_are_copied_as_they_are(string format, string expected)
    {
        StrfTime.Format(format, T).Should().Be(expected);
    }

    [Fact]
    public void Two_digit_days_and_late_hours_are_not_padded_further()
    {
        var t = new DateTime(2023, 12, 25, 23, 59, 58);

        StrfTime.Format("%b %e %d %T", t).Should().Be("Dec 25 25 23:59:58");
    }

    [Fact]
    public void Percent_s_is_seconds_since_the_epoch()
    {
        StrfTime.Format("%s", DateTime.UnixEpoch.AddSeconds(1_000_000_000)).Should().Be("1000000000");
    }
}
