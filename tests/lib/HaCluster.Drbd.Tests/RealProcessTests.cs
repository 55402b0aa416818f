using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Drbd.Tests;

/// <summary>
/// The binding through the library's real process runner, against stand-in drbdadm/drbdsetup
/// executables written by the test: the arguments arrive as separate words, exit codes and
/// output come back, and a tool that hangs is killed at the deadline.
/// </summary>
public class RealProcessTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>A stand-in tool: records its argv one word per line, then runs <paramref name="body"/>.</summary>
    string Tool(string name, string body)
    {
        var path = dir[name];
        File.WriteAllText(path, $"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{dir[name + ".argv"]}'\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    DrbdTools Tools(string adm, string setup) =>
        new(new ProcessRunner(), new DrbdToolsOptions { DrbdAdm = adm, DrbdSetup = setup, ConfigFile = "/etc/drbd.conf", Module = new DrbdVersion(8, 4, 11) });

    [Fact]
    public void Events2_output_of_a_real_process_is_parsed()
    {
        File.WriteAllText(dir["events2.txt"], DrbdSamples.Drbd84("connected-primary-uptodate", "events2"));
        var setup = Tool("drbdsetup", $"cat '{dir["events2.txt"]}'");
        var s = Tools(dir["none"], setup).Status("r0", Deadline.After(TimeSpan.FromSeconds(10)));
        s.Role.Should().Be(DrbdRole.Primary);
        File.ReadAllLines(dir["drbdsetup.argv"]).Should().Equal("events2", "--now", "r0");
    }

    [Fact]
    public void A_down_resource_reported_by_exit_10_is_not_configured()
    {
        var setup = Tool("drbdsetup", "echo 'r0: No such resource' >&2; exit 10");
        Tools(dir["none"], setup).Status("r0", Deadline.After(TimeSpan.FromSeconds(10))).IsConfigured.Should().BeFalse();
    }

    [Fact]
    public void Values_travel_as_single_words_never_through_a_shell()
    {
        var adm = Tool("drbdadm", "exit 0");
        var t = new DrbdTools(new ProcessRunner(), new DrbdToolsOptions { DrbdAdm = adm, ConfigFile = "/etc/my drbd;$(id).conf", Module = new DrbdVersion(8, 4, 11) });
        t.Adjust("r0", new AdjustOptions { Peer84 = "node 2;`id`" }, Deadline.After(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();
        File.ReadAllLines(dir["drbdadm.argv"]).Should().Equal("-c", "/etc/my drbd;$(id).conf", "--peer", "node 2;`id`", "adjust", "r0");
    }

    [Fact]
    public void A_hanging_wait_connect_is_killed_at_the_deadline()
    {
        var setup = Tool("drbdsetup", "exec sleep 30");
        var sw = Stopwatch.StartNew();
        var r = Tools(dir["none"], setup).WaitConnectDevice("/dev/drbd0", 5, Deadline.After(TimeSpan.FromMilliseconds(500)));
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        r.Outcome.Should().Be(ProcessOutcome.TimedOut);
    }

    [Fact]
    public void A_status_tool_that_hangs_is_a_DrbdToolException_not_a_hang()
    {
        var setup = Tool("drbdsetup", "exec sleep 30");
        var act = () => Tools(dir["none"], setup).Status("r0", Deadline.After(TimeSpan.FromMilliseconds(500)));
        act.Should().Throw<DrbdToolException>().Which.Result.Outcome.Should().Be(ProcessOutcome.TimedOut);
    }

    [Fact]
    public void A_missing_tool_is_a_result_not_an_exception()
    {
        var r = Tools(dir["no-drbdadm"], dir["no-drbdsetup"]).Primary("r0", Deadline.After(TimeSpan.FromSeconds(1)));
        r.Outcome.Should().Be(ProcessOutcome.NotInstalled);
        var exit17 = Tools(Tool("drbdadm", "echo 'State change failed: (-2) Need access to UpToDate data' >&2; exit 17"), dir["x"])
            .Primary("r0", Deadline.After(TimeSpan.FromSeconds(10)));
        (exit17.Outcome, exit17.ExitCode).Should().Be((ProcessOutcome.Exited, 17));
        exit17.Stderr.Should().Contain("Need access to UpToDate data");
    }
}
