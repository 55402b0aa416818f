using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using HaCluster.Core;
using HaCluster.Core.Native;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary>
/// The real <see cref="ProcessRunner"/> against real programs. /bin/sh appears here only as a
/// fixture that builds process trees; the runner itself never uses a shell.
/// </summary>
public sealed class ProcessRunnerTests : IDisposable
{
    readonly ProcessRunner runner = new();
    readonly TempDir tmp = new();
    readonly List<int> toKill = [];

    static Deadline Generous => Deadline.After(TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        foreach (int pid in toKill) ProcessProbe.KillAndReap(pid);
        tmp.Dispose();
    }

    ProcessResult Run(string path, params string[] args) => runner.Run(new ProcessSpec(path, args), Generous);

    ProcessResult Sh(string script, Deadline? deadline = null) =>
        runner.Run(new ProcessSpec("/bin/sh", "-c", script), deadline ?? Generous);

    // ---------------------------------------------------------------- output and exit status

    [Fact]
    public void Stdout_is_captured()
    {
        var r = Run("/bin/echo", "hello", "world");

        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.ExitCode.Should().Be(0);
        r.Succeeded.Should().BeTrue();
        r.Stdout.Should().Be("hello world\n");
        r.Stderr.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(255)]
    public void The_exit_code_is_captured(int code)
    {
        var r = Sh($"exit {code}");

        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.ExitCode.Should().Be(code);
        r.Succeeded.Should().Be(code == 0);
    }

    [Fact]
    public void Stderr_is_captured_separately_from_stdout()
    {
        var r = Sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 2");

        r.ExitCode.Should().Be(2);
        r.Stdout.Should().Be("out1\nout2\n");
        r.Stderr.Should().Be("err1\nerr2\n");
    }

    [Fact]
    public void Stdin_is_dev_null_so_cat_exits_at_once_with_empty_output()
    {
        var sw = Stopwatch.StartNew();
        var r = Run("/bin/cat");

        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.ExitCode.Should().Be(0);
        r.Stdout.Should().BeEmpty();
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        Run("/usr/bin/readlink", "/proc/self/fd/0").Stdout.Should().Be("/dev/null\n");
    }

    [Fact]
    public void The_child_stays_in_the_callers_process_group_so_that_Pacemakers_kill_of_the_group_reaches_it()
    {
        var r = Sh("cat /proc/$$/stat");

        ProcessState.StatField(r.Stdout, ProcessProbe.PgrpField).Should().Be(ProcessState.StatField(File.ReadAllText("/proc/self/stat"), ProcessProbe.PgrpField));
    }

    [Fact]
    public void Every_child_carries_a_marker_of_its_own_tree()
    {
        var first = Sh("printf %s \"$HACLUSTER_PROCESS_TREE\"").Stdout;
        var second = Sh("printf %s \"$HACLUSTER_PROCESS_TREE\"").Stdout;

        first.Should().StartWith(Environment.ProcessId + ".");
        second.Should().StartWith(Environment.ProcessId + ".").And.NotBe(first);
    }

    [Fact]
    public void The_child_starts_with_no_standard_signal_ignored_or_blocked()
    {
        // The .NET runtime ignores SIGPIPE and may block signals; a tool started from an agent
        // must start with the defaults, as under a shell. glibc's posix_spawn always leaves its
        // two internal real-time signals (32 SIGCANCEL, 33 SIGSETXID) ignored in the child, which
        // no caller can change: only signals 1-31 are checked.
        var r = Run("/bin/cat", "/proc/self/status");

        var masks = r.Stdout.Split('\n').Where(l => l.StartsWith("SigIgn:", StringComparison.Ordinal) || l.StartsWith("SigBlk:", StringComparison.Ordinal))
            .Select(l => l.Split(":\t")).ToDictionary(kv => kv[0], kv => Convert.ToUInt64(kv[1], 16));
        (masks["SigIgn"] & 0x7fff_ffffUL).Should().Be(0, "SigIgn is {0:x16}", masks["SigIgn"]);
        masks["SigBlk"].Should().Be(0);
    }

    [Fact]
    public unsafe void The_child_inherits_no_descriptor_of_the_agent_beyond_stdin_stdout_and_stderr()
    {
        int* fds = stackalloc int[2];
        Libc.pipe2(fds, 0).Should().Be(0, "an inheritable pipe, as an agent may have got from its caller");
        ProcessResult r;
        try { r = Sh("ls /proc/$$/fd"); }
        finally
        {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }

        var open = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        open.Should().Contain(["0", "1", "2"]);
        open.Should().NotContain([fds[0].ToString(), fds[1].ToString()]);
    }

    // ---------------------------------------------------------------- arguments: an array, never a shell

    public static TheoryData<string> HostileArguments => new()
    {
        "$(touch PWNED)",
        "`touch PWNED`",
        "; touch PWNED",
        "| touch PWNED",
        "&& touch PWNED #",
        "'single' \"double\" \\back\\slash",
        "line one\nline two\n",
        "tab\there\r\ncarriage",
        "*",
        "~",
        "$HOME ${PATH} $$",
        "  leading and trailing spaces  ",
        "",
        "-n",
        "--help",
        "grüße ☃ 日本語 😀 ÿ",
        new string('x', 4096),
        string.Concat(Enumerable.Repeat("äöü☃😀", 400)),
    };

    [Theory]
    [MemberData(nameof(HostileArguments))]
    public void An_argument_arrives_byte_exact_and_is_never_interpreted_by_a_shell(string template)
    {
        string marker = tmp["PWNED"];
        string argument = template.Replace("PWNED", marker, StringComparison.Ordinal);

        // printf prints each following argument verbatim (%s), NUL-terminated.
        var r = Run("/usr/bin/printf", "%s\\0", argument);

        r.ExitCode.Should().Be(0);
        Encoding.UTF8.GetBytes(r.Stdout).Should().Equal([.. Encoding.UTF8.GetBytes(argument), (byte)0]);
        File.Exists(marker).Should().BeFalse("the argument must not have been run by a shell");
    }

    [Fact]
    public void Many_arguments_keep_their_order_and_boundaries()
    {
        string marker = tmp["PWNED"];
        string[] args = ["a b", "", "c;d", $"$(touch {marker})", "e\nf", "-x", "g"];

        var r = Run("/usr/bin/printf", ["%s\\0", .. args]);

        r.Stdout.Split('\0').Should().Equal([.. args, ""]);
        File.Exists(marker).Should().BeFalse();
    }

    [Fact]
    public void Echo_of_a_command_substitution_prints_it_instead_of_running_it()
    {
        string marker = tmp["created-by-a-shell"];

        var r = Run("/bin/echo", $"$(touch {marker})", ";", "touch", marker);

        r.Stdout.Should().Be($"$(touch {marker}) ; touch {marker}\n");
        File.Exists(marker).Should().BeFalse();
    }

    // ---------------------------------------------------------------- not installed

    [Fact]
    public void A_missing_program_is_NotInstalled()
    {
        runner.IsInstalled("/nonexistent/bin/tool").Should().BeFalse();

        var r = Run("/nonexistent/bin/tool", "arg");

        r.Outcome.Should().Be(ProcessOutcome.NotInstalled);
        r.Succeeded.Should().BeFalse();
        r.Describe().Should().Be("is not installed");
    }

    [Fact]
    public void A_file_without_execute_permission_is_NotInstalled()
    {
        string script = tmp["not-executable"];
        File.WriteAllText(script, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        runner.IsInstalled(script).Should().BeFalse();
        Run(script).Outcome.Should().Be(ProcessOutcome.NotInstalled);
    }

    [Fact]
    public void An_executable_script_with_a_shebang_runs()
    {
        string script = tmp["executable"];
        File.WriteAllText(script, "#!/bin/sh\necho ran \"$1\"\nexit 5\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        runner.IsInstalled(script).Should().BeTrue();
        var r = Run(script, "x y");
        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.ExitCode.Should().Be(5);
        r.Stdout.Should().Be("ran x y\n");
    }

    [Fact]
    public void An_executable_file_the_kernel_cannot_run_is_NotInstalled()
    {
        string junk = tmp["junk"];
        File.WriteAllBytes(junk, [0x00, 0x01, 0x02, 0x03, 0xff, 0xfe]);
        File.SetUnixFileMode(junk, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Run(junk).Outcome.Should().Be(ProcessOutcome.NotInstalled);
    }

    [Fact]
    public void A_relative_program_name_is_NotInstalled_because_PATH_is_never_searched()
    {
        runner.IsInstalled("echo").Should().BeFalse();
        Run("echo", "hi").Outcome.Should().Be(ProcessOutcome.NotInstalled);
    }

    [Fact]
    public void A_directory_is_NotInstalled()
    {
        runner.IsInstalled(tmp.Path).Should().BeFalse();
        Run(tmp.Path).Outcome.Should().Be(ProcessOutcome.NotInstalled);
    }

    [Fact]
    public void With_failHaveBinary_every_program_is_NotInstalled()
    {
        var failing = new ProcessRunner(failHaveBinary: true);

        failing.IsInstalled("/bin/true").Should().BeFalse();
        failing.Run(new ProcessSpec("/bin/true"), Generous).Outcome.Should().Be(ProcessOutcome.NotInstalled);
        var start = () => failing.StartDetached(new ProcessSpec("/bin/true"));
        start.Should().Throw<ProgramNotInstalledException>().Which.ProgramPath.Should().Be("/bin/true");
    }

    [Fact]
    public void Without_failHaveBinary_bin_true_is_installed_and_succeeds()
    {
        runner.IsInstalled("/bin/true").Should().BeTrue();
        Run("/bin/true").Succeeded.Should().BeTrue();
    }

    // ---------------------------------------------------------------- environment

    static Dictionary<string, string> ParseEnv(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");

    [Fact]
    public void An_environment_override_sets_a_variable_on_top_of_the_inherited_ones()
    {
        Environment.GetEnvironmentVariable("PATH").Should().NotBeNull("precondition: the test process has PATH");

        var r = runner.Run(new ProcessSpec("/usr/bin/env")
        {
            Environment = new Dictionary<string, string?> { ["HACLUSTER_TEST_VAR"] = "a value; $(x)" },
        }, Generous);

        var env = ParseEnv(r.Stdout);
        env.Should().Contain("HACLUSTER_TEST_VAR", "a value; $(x)");
        env.Should().Contain("PATH", Environment.GetEnvironmentVariable("PATH")!);
    }

    [Fact]
    public void A_null_override_removes_an_inherited_variable()
    {
        Environment.GetEnvironmentVariable("PATH").Should().NotBeNull("precondition: the test process has PATH");

        var r = runner.Run(new ProcessSpec("/usr/bin/env")
        {
            Environment = new Dictionary<string, string?> { ["PATH"] = null },
        }, Generous);

        ParseEnv(r.Stdout).Should().NotContainKey("PATH");
    }

    [Fact]
    public void LC_ALL_is_always_C()
    {
        var r = Run("/usr/bin/env");

        ParseEnv(r.Stdout).Should().Contain("LC_ALL", "C");
    }

    [Fact]
    public void An_explicit_LC_ALL_override_wins()
    {
        var r = runner.Run(new ProcessSpec("/usr/bin/env")
        {
            Environment = new Dictionary<string, string?> { ["LC_ALL"] = "POSIX" },
        }, Generous);

        ParseEnv(r.Stdout).Should().Contain("LC_ALL", "POSIX");
    }

    // ---------------------------------------------------------------- deadlines and process trees

    [Fact]
    public void At_the_deadline_the_whole_process_group_is_killed_including_a_grandchild()
    {
        string pidFile = tmp["grandchild.pid"];
        var sw = Stopwatch.StartNew();

        var r = Sh($"sleep 30 & echo $! > {pidFile}; wait", Deadline.After(TimeSpan.FromMilliseconds(300)));

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
        r.Succeeded.Should().BeFalse();
        r.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        toKill.Add(grandchild);
        ProcessState.WaitUntilGone(grandchild, TimeSpan.FromSeconds(2)).Should().BeTrue("the grandchild was in the child's process group");
    }

    [Fact]
    public void At_the_deadline_an_orphan_that_also_left_the_process_group_is_killed()
    {
        // The subshell exits at once: its setsid-ed child is orphaned, re-parented to us (a
        // subreaper), outside the child's process group; only its tree marker ties it to the child.
        string pidFile = tmp["escaped.pid"];

        var r = Sh($"(setsid sleep 30 & echo $! > {pidFile}.tmp; mv {pidFile}.tmp {pidFile}); exec sleep 30", Deadline.After(TimeSpan.FromMilliseconds(500)));

        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
        int escaped = int.Parse(File.ReadAllText(pidFile).Trim());
        toKill.Add(escaped);
        ProcessState.WaitUntilGone(escaped, TimeSpan.FromSeconds(2)).Should().BeTrue("it was started by the child that timed out");
    }

    [Fact]
    public void At_the_deadline_a_grandchild_in_a_session_of_its_own_is_killed()
    {
        string pidFile = tmp["session.pid"];

        var r = Sh($"setsid sleep 30 & echo $! > {pidFile}.tmp; mv {pidFile}.tmp {pidFile}; wait", Deadline.After(TimeSpan.FromMilliseconds(500)));

        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        toKill.Add(grandchild);
        ProcessState.WaitUntilGone(grandchild, TimeSpan.FromSeconds(2)).Should().BeTrue();
    }

    [Fact]
    public void The_deadline_of_one_child_spares_what_another_child_left_behind()
    {
        var left = Sh("sleep 30 & echo $!");
        int leftover = int.Parse(left.Stdout.Trim());
        toKill.Add(leftover);

        Sh("exec sleep 30", Deadline.After(TimeSpan.FromMilliseconds(300))).Outcome.Should().Be(ProcessOutcome.TimedOut);

        ProcessState.IsAlive(leftover).Should().BeTrue("it belongs to another child's tree");
    }

    [Fact]
    public void The_output_written_before_the_deadline_is_kept()
    {
        var r = Sh("echo started; echo warming up >&2; exec sleep 30", Deadline.After(TimeSpan.FromMilliseconds(300)));

        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
        r.Stdout.Should().Be("started\n");
        r.Stderr.Should().Be("warming up\n");
        r.Describe().Should().StartWith("did not finish within").And.Contain("warming up");
    }

    [Fact]
    public void An_already_expired_deadline_kills_the_program_at_once()
    {
        var sw = Stopwatch.StartNew();
        var r = runner.Run(new ProcessSpec("/bin/sleep", "30"), Deadline.After(TimeSpan.Zero));

        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_child_that_exits_while_a_background_grandchild_holds_stdout_returns_promptly_with_its_exit_code()
    {
        var sw = Stopwatch.StartNew();

        var r = Sh("sleep 20 & echo $!; echo bye >&2; exit 4");

        var elapsed = sw.Elapsed;
        int grandchild = int.Parse(r.Stdout.Split('\n')[0]);
        toKill.Add(grandchild);
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "the run ends when the child exits, not at EOF");
        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.ExitCode.Should().Be(4);
        r.Stderr.Should().Be("bye\n");
        ProcessState.IsAlive(grandchild).Should().BeTrue("like pacemaker-execd, the runner neither waits for nor kills what the child left behind");
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("KILL", 9)]
    [InlineData("SEGV", 11)]
    public void A_child_killed_by_a_signal_is_Signaled_with_that_signal(string name, int number)
    {
        var r = Sh($"echo before; kill -{name} $$; echo after");

        r.Outcome.Should().Be(ProcessOutcome.Signaled);
        r.Signal.Should().Be(number);
        r.Succeeded.Should().BeFalse();
        r.Stdout.Should().Be("before\n");
        r.Describe().Should().StartWith($"was killed by signal {number}");
    }

    // ---------------------------------------------------------------- large output

    [Fact]
    public void Several_megabytes_on_stdout_are_capped_at_MaxOutputBytes_without_blocking_the_child()
    {
        var spec = new ProcessSpec("/bin/sh", "-c", "head -c 6000000 /dev/zero | tr '\\0' x; echo done >&2")
        {
            MaxOutputBytes = 1 << 20,
        };
        var sw = Stopwatch.StartNew();

        var r = runner.Run(spec, Generous);

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        r.Outcome.Should().Be(ProcessOutcome.Exited, "the rest was read and dropped, so the child finished normally");
        r.ExitCode.Should().Be(0);
        r.Stdout.Length.Should().Be(1 << 20);
        r.Stdout.Should().MatchRegex("^x+$");
        r.Stderr.Should().Be("done\n");
    }

    [Fact]
    public void Several_megabytes_on_both_streams_at_once_do_not_deadlock()
    {
        var spec = new ProcessSpec("/bin/sh", "-c",
            "(head -c 3000000 /dev/zero | tr '\\0' e >&2) & head -c 3000000 /dev/zero | tr '\\0' o; wait");

        var r = runner.Run(spec, Generous);

        r.Outcome.Should().Be(ProcessOutcome.Exited);
        r.Stdout.Length.Should().Be(3_000_000);
        r.Stderr.Length.Should().Be(3_000_000);
        r.Stdout.Should().MatchRegex("^o+$");
        r.Stderr.Should().MatchRegex("^e+$");
    }

    [Fact]
    public void The_default_cap_is_4_MiB_per_stream()
    {
        new ProcessSpec("/bin/true").MaxOutputBytes.Should().Be(4 << 20);

        var r = Sh("head -c 5000000 /dev/zero | tr '\\0' y");

        r.ExitCode.Should().Be(0);
        r.Stdout.Length.Should().Be(4 << 20);
    }

    // ---------------------------------------------------------------- detached children

    [Fact]
    public void StartDetached_returns_at_once_and_the_child_stays_in_the_callers_process_group()
    {
        var sw = Stopwatch.StartNew();
        int pid = runner.StartDetached(new ProcessSpec("/bin/sleep", "30"));
        toKill.Add(pid);

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        ProcessState.IsAlive(pid).Should().BeTrue();
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string self = File.ReadAllText("/proc/self/stat");
        ProcessState.StatField(stat, ProcessProbe.PgrpField).Should().Be(ProcessState.StatField(self, ProcessProbe.PgrpField),
            "Pacemaker's kill of the agent's group mid-action must reach it");
    }

    [Fact]
    public void KillDetached_ends_what_StartDetached_started()
    {
        int pid = runner.StartDetached(new ProcessSpec("/bin/sh", "-c", "sleep 30 & exec sleep 30"));
        toKill.Add(pid);

        runner.KillDetached();

        ProcessState.WaitUntilGone(pid, TimeSpan.FromSeconds(2)).Should().BeTrue();
    }

    [Fact]
    public void StartDetached_puts_stdin_stdout_and_stderr_on_dev_null()
    {
        int pid = runner.StartDetached(new ProcessSpec("/bin/sleep", "30"));
        toKill.Add(pid);

        for (int fd = 0; fd <= 2; fd++)
            ProcessProbe.FdTarget(pid, fd).Should().Be("/dev/null", $"fd {fd}");
    }

    [Fact]
    public unsafe void StartDetached_holds_no_pipe_of_the_caller()
    {
        // Whatever the agent process has open (its stdout pipe to ocf-tester, descriptors it
        // inherited without close-on-exec), the detached child must keep none of it open.
        // An inheritable pipe of our own makes sure there is something to leak.
        int* fds = stackalloc int[2];
        Libc.pipe2(fds, 0).Should().Be(0);
        int pid;
        try
        {
            pid = runner.StartDetached(new ProcessSpec("/bin/sleep", "30"));
            toKill.Add(pid);
        }
        finally
        {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }

        // StartDetached may return while its child is still between fork and exec, closing the
        // descriptors it must not keep: look once the child is /bin/sleep.
        Deadline.After(TimeSpan.FromSeconds(5)).WaitUntil(
            () => File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("/bin/sleep\0", StringComparison.Ordinal),
            TimeSpan.FromMilliseconds(5)).Should().BeTrue("the detached child execs /bin/sleep");
        // A descriptor that is gone by the time its link is read (the dynamic loader opening a
        // library) has no target: it was not inherited, so only those still there are checked.
        var targets = Directory.GetFiles($"/proc/{pid}/fd").ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).LinkTarget)
            .Where(kv => kv.Value is not null).ToDictionary();
        targets.Should().NotBeEmpty();
        targets.Values.Should().OnlyContain(t => t == "/dev/null", "fds: {0}", string.Join(", ", targets.Select(kv => $"{kv.Key}->{kv.Value}")));
    }

    [Fact]
    public void StartDetached_passes_arguments_and_environment()
    {
        string output = tmp["detached.out"];
        var spec = new ProcessSpec("/bin/sh", "-c", "printf '%s|%s|%s' \"$1\" \"$HACLUSTER_DETACHED\" \"$LC_ALL\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\"", "sh", "a b;c", output)
        {
            Environment = new Dictionary<string, string?> { ["HACLUSTER_DETACHED"] = "yes" },
        };

        int pid = runner.StartDetached(spec);
        toKill.Add(pid);

        Deadline.After(TimeSpan.FromSeconds(5)).WaitUntil(() => File.Exists(output), TimeSpan.FromMilliseconds(10)).Should().BeTrue();
        File.ReadAllText(output).Should().Be("a b;c|yes|C");
    }

    [Fact]
    public void StartDetached_of_a_missing_program_throws_ProgramNotInstalled()
    {
        var start = () => runner.StartDetached(new ProcessSpec("/nonexistent/send_arp"));

        var e = start.Should().Throw<ProgramNotInstalledException>().Which;
        e.ProgramPath.Should().Be("/nonexistent/send_arp");
        e.Message.Should().Be("/nonexistent/send_arp is not installed");
    }

    // ---------------------------------------------------------------- describing results

    [Fact]
    public void Describe_gives_the_status_and_the_first_non_blank_line_of_stderr()
    {
        var r = new ProcessResult(ProcessOutcome.Exited, 3, 0, "stdout line\n", "\n  first problem  \nsecond\n", TimeSpan.Zero);

        r.Describe().Should().Be("exited with status 3: first problem");
    }

    [Fact]
    public void Describe_falls_back_to_stdout_and_cuts_long_lines()
    {
        var r = new ProcessResult(ProcessOutcome.Exited, 1, 0, new string('z', 500) + "\n", "", TimeSpan.Zero);

        r.Describe().Should().Be("exited with status 1: " + new string('z', 200));
    }

    [Fact]
    public void Describe_makes_control_characters_harmless()
    {
        var r = new ProcessResult(ProcessOutcome.Exited, 1, 0, "", "bad\tthing\u0007 here\n", TimeSpan.Zero);

        r.Describe().Should().Be("exited with status 1: bad thing  here");
    }
}

/// <summary>Looks at processes through /proc (beyond <see cref="ProcessState"/>), and cleans up after tests.</summary>
static class ProcessProbe
{
    // Fields of /proc/PID/stat, counted from 1 (state is 3).
    public const int PgrpField = 5, SessionField = 6, TtyField = 7;

    public static string? FdTarget(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget;

    /// <summary>SIGKILLs a process the test started (by its recorded PID) and reaps it if it is our child.</summary>
    public static unsafe void KillAndReap(int pid)
    {
        if (pid <= 1) return;
        Libc.kill(pid, Libc.SIGKILL);
        var until = Deadline.After(TimeSpan.FromSeconds(2));
        int status;
        while (true)
        {
            int r = Libc.waitpid(pid, &status, Libc.WNOHANG);
            if (r == pid) return;
            if (r < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR) return; // not our child: init reaps it
            if (until.IsExpired) return;
            Thread.Sleep(5);
        }
    }
}
