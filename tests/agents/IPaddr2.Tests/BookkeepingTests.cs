using HaCluster.Testing;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// The address comes first (issue 13, items 10 and 11): the background sender's pid file and
/// the other state under HA_RSCTMP are records, and neither a read-only or full HA_RSCTMP nor a
/// directory or FIFO at the pid file's path fails, or hangs, a start, a stop or a probe.
/// </summary>
public class BookkeepingTests : IPaddr2Fixture
{
    string PidFile => Path.Combine(RscTmp, "hacluster-Test-vip.announcer.pid");

    /// <summary>Runs an action on a thread of its own: a read that blocks must fail the test, not hang it.</summary>
    AgentResult RunWithin(TimeSpan limit, string action, params (string, string)[] parameters)
    {
        var run = Task.Factory.StartNew(() => Run(action, parameters), TaskCreationOptions.LongRunning);
        run.Wait(limit).Should().BeTrue($"{action} must not block on what is at the pid file's path");
        return run.Result;
    }

    /// <summary>
    /// Starts and stops the address where the pid file cannot be written: both are 0, the start
    /// warns that the sender goes unrecorded, and the address comes and goes all the same.
    /// </summary>
    AgentResult StartAndStopWithAnUnwritablePidFile()
    {
        var start = Run("start", ("ip", "203.0.113.10"));
        start.ExitCode.Should().Be(0, start.Stderr);
        start.Stderr.Should().Contain("WARNING: the background sender (pid 99999) is not recorded");
        Vip("203.0.113.10").Should().NotBeNull();

        var stop = Run("stop", ("ip", "203.0.113.10"));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Vip("203.0.113.10").Should().BeNull();
        return stop;
    }

    [Fact]
    public void A_directory_at_the_pid_files_path_fails_neither_start_nor_stop()
    {
        Directory.CreateDirectory(PidFile);

        var stop = StartAndStopWithAnUnwritablePidFile();
        stop.Stderr.Should().Contain("WARNING: the background sender's pid file is unusable");
    }

    [Fact]
    public void A_FIFO_at_the_pid_files_path_hangs_neither_stop_nor_probe()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        using (var mkfifo = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [PidFile])) mkfifo.WaitForExit();

        RunWithin(TimeSpan.FromSeconds(20), "monitor", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        var stop = RunWithin(TimeSpan.FromSeconds(20), "stop", ("ip", "203.0.113.10"));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Vip("203.0.113.10").Should().BeNull();
        RunWithin(TimeSpan.FromSeconds(20), "monitor", ("ip", "203.0.113.10")).ExitCode.Should().Be(7);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_read_only_HA_RSCTMP_fails_neither_start_nor_stop()
    {
        using var tmpfs = new PrivateTmpfs();
        RscTmp = tmpfs.Path;
        tmpfs.MakeReadOnly();

        StartAndStopWithAnUnwritablePidFile();
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_pid_file_that_cannot_be_removed_from_a_read_only_HA_RSCTMP_is_a_warning()
    {
        using var tmpfs = new PrivateTmpfs();
        RscTmp = tmpfs.Path;
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        File.Exists(PidFile).Should().BeTrue();
        tmpfs.MakeReadOnly();

        var stop = Run("stop", ("ip", "203.0.113.10"));

        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.Stderr.Should().Contain("WARNING: the background sender's pid file is unusable");
        Vip("203.0.113.10").Should().BeNull();
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_full_HA_RSCTMP_fails_neither_start_nor_stop()
    {
        using var tmpfs = new PrivateTmpfs();
        RscTmp = tmpfs.Path;
        tmpfs.Fill();

        StartAndStopWithAnUnwritablePidFile();
    }
}
