using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Drbd.Tests;

/// <summary>The real binding's command lines, against a scripted process runner: argument arrays, nothing else.</summary>
public class DrbdToolsTests : IDisposable
{
    readonly ScriptedProcessRunner runner = new();
    readonly TempDir dir = new();
    static readonly Deadline Soon = Deadline.After(TimeSpan.FromSeconds(5));
    static readonly DrbdVersion V84 = new(8, 4, 11), V9 = new(9, 2, 12);

    public void Dispose() => dir.Dispose();

    DrbdTools Tools(DrbdVersion? module = null, string? conf = "/etc/drbd.conf", bool stacked = false) =>
        new(runner, new DrbdToolsOptions { ConfigFile = conf, Stacked = stacked, Module = module, SystemRoot = dir.Path });

    string Last => runner.Calls[^1].ToString();
    IEnumerable<string> All => runner.Calls.Select(c => c.ToString());

    [Fact]
    public void Drbdadm_commands_name_the_configuration_and_the_resource()
    {
        var t = Tools(V84);
        t.Primary("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf primary r0");
        t.Secondary("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf secondary r0");
        t.Down("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf down r0");
        t.Outdate("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf outdate r0");
        t.CheckResize("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf check-resize r0");
        t.NewResource("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf new-resource r0");
        t.NewMinor("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf new-minor r0");
        runner.Calls.Should().OnlyContain(c => c.Path == "/usr/sbin/drbdadm");
    }

    [Fact]
    public void Stacked_resources_get_S_and_an_empty_drbdconf_gets_no_c()
    {
        Tools(V84, stacked: true).Primary("r0", Soon);
        Last.Should().Be("drbdadm -c /etc/drbd.conf -S primary r0");
        Tools(V84, conf: "").Primary("r0", Soon);
        Last.Should().Be("drbdadm primary r0");
    }

    [Fact]
    public void Attach_is_attach_on_84_and_adjust_skip_net_on_9()
    {
        Tools(V84).Attach("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf attach r0");
        Tools(V9).Attach("r0", Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf adjust --skip-net r0");
    }

    [Fact]
    public void Peer_goes_to_84_only_and_the_connection_form_to_9_only()
    {
        var o = new AdjustOptions { Peer84 = "node2", ConnectionTo = "node2", Verbose = true };
        Tools(V84).Adjust("r0", o, Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf --peer node2 -v adjust r0");
        Tools(V9).Adjust("r0", o, Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf -v adjust r0:node2");
        Tools(V9).Adjust("r0", AdjustOptions.None, Soon); Last.Should().Be("drbdadm -c /etc/drbd.conf adjust r0");
    }

    [Fact]
    public void Waits_pass_the_three_timeouts_to_drbdsetup()
    {
        var t = Tools(V84);
        t.WaitConnectDevice("/dev/drbd0", 5, Soon);
        Last.Should().Be("drbdsetup wait-connect /dev/drbd0 --wfc-timeout=5 --degr-wfc-timeout=5 --outdated-wfc-timeout=5");
        t.WaitConnectResource("r0", 7, Soon);
        Last.Should().Be("drbdsetup wait-connect-resource r0 --wfc-timeout=7 --degr-wfc-timeout=7 --outdated-wfc-timeout=7");
        t.WaitConnectConnection("r0", 2, 7, Soon);
        Last.Should().Be("drbdsetup wait-connect-connection r0 2 --wfc-timeout=7 --degr-wfc-timeout=7 --outdated-wfc-timeout=7");
        t.SetupDown("r0", Soon);
        Last.Should().Be("drbdsetup down r0");
    }

    [Fact]
    public void Unfence_passes_the_extra_arguments_in_the_environment_not_on_the_command_line()
    {
        Tools(V9).UnfencePeer("r0", "--quiet --flock-required", Soon);
        Last.Should().Be("drbdadm -c /etc/drbd.conf unfence-peer r0");
        runner.Calls[^1].Environment!["OCF_RESKEY_unfence_extra_args"].Should().Be("--quiet --flock-required");
    }

    [Fact]
    public void Status_is_one_events2_call_on_9_and_847_and_sh_status_before()
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok(DrbdSamples.Drbd84("connected-primary-uptodate", "events2"));
        Tools(V84).Status("r0", Soon).Role.Should().Be(DrbdRole.Primary);
        Last.Should().Be("drbdsetup events2 --now r0");
        Tools(V9).Status("r0", Soon);
        Last.Should().Be("drbdsetup events2 --now r0");

        runner.Answer = _ => ScriptedProcessRunner.Ok(DrbdSamples.Drbd84("connected-primary-uptodate", "sh-status"));
        Tools(new DrbdVersion(8, 4, 5)).Status("r0", Soon).Role.Should().Be(DrbdRole.Primary);
        Last.Should().Be("drbdsetup sh-status r0");
        runner.Calls.Should().HaveCount(3, "each status is exactly one process");
    }

    [Fact]
    public void No_such_resource_is_not_configured_but_any_other_failure_throws()
    {
        runner.Answer = _ => new ProcessResult(ProcessOutcome.Exited, 10, 0, "", "r0: No such resource\n", TimeSpan.Zero);
        Tools(V84).Status("r0", Soon).IsConfigured.Should().BeFalse();

        runner.Answer = _ => ScriptedProcessRunner.Exit(20, "Could not connect to 'drbd' generic netlink family");
        var act = () => Tools(V84).Status("r0", Soon);
        act.Should().Throw<DrbdToolException>().WithMessage("drbdsetup events2 --now r0 exited with status 20: Could not connect*");

        runner.Answer = _ => new ProcessResult(ProcessOutcome.TimedOut, -1, 9, "", "", TimeSpan.FromSeconds(19));
        act.Should().Throw<DrbdToolException>().WithMessage("*did not finish within 19 s*");
    }

    [Fact]
    public void Find_resource_tries_stacked_second_and_keeps_only_device_paths()
    {
        runner.Answer = s => s.Arguments.Contains("-S") ? ScriptedProcessRunner.Ok("/dev/drbd10\n") : ScriptedProcessRunner.Exit(10, "'r0' not defined in your config");
        var found = Tools(V84).FindResource("r0", Soon);
        found.Should().BeEquivalentTo(new DrbdConfigLookup(true, true, ["/dev/drbd10"]));
        All.Should().Equal("drbdadm -c /etc/drbd.conf sh-dev r0", "drbdadm -c /etc/drbd.conf -S sh-dev r0");

        runner.Answer = _ => ScriptedProcessRunner.Ok("/dev/drbd0\n/dev/drbd1\n$(reboot)\n");
        Tools(V84).FindResource("r0", Soon).Devices.Should().Equal("/dev/drbd0", "/dev/drbd1");

        runner.Answer = _ => ScriptedProcessRunner.Exit(10, "not defined");
        var missing = Tools(V84).FindResource("r0", Soon);
        missing.Found.Should().BeFalse();
        missing.Failure!.ExitCode.Should().Be(10);
    }

    [Fact]
    public void Allow_two_primaries_is_read_from_the_dump()
    {
        runner.Answer = _ => ScriptedProcessRunner.Ok("resource r0 {\n    net {\n        allow-two-primaries yes;\n    }\n}\n");
        Tools(V84).AllowsTwoPrimaries("r0", Soon).Should().BeTrue();
        Last.Should().Be("drbdadm -c /etc/drbd.conf -d -v dump r0");
        runner.Answer = _ => ScriptedProcessRunner.Ok("resource r0 {\n    net {\n        protocol C;\n        # allow-two-primaries yes;\n    }\n}\n");
        Tools(V84).AllowsTwoPrimaries("r0", Soon).Should().BeFalse();
        runner.Answer = _ => ScriptedProcessRunner.Exit(1);
        Tools(V84).AllowsTwoPrimaries("r0", Soon).Should().BeNull();
    }

    [Fact]
    public void Load_module_passes_only_name_value_options_from_sh_mod_parms()
    {
        runner.Answer = s => s.Arguments.Contains("sh-mod-parms") ? ScriptedProcessRunner.Ok("minor_count=32 ;reboot $(id) usermode_helper=/sbin/drbdadm\n") : ScriptedProcessRunner.Ok("");
        Tools(V84).LoadModule(Soon).Succeeded.Should().BeTrue();
        All.Should().Equal("drbdadm -c /etc/drbd.conf sh-mod-parms", "modprobe -s drbd minor_count=32 usermode_helper=/sbin/drbdadm");
    }

    [Fact]
    public void Module_version_comes_from_sysfs_then_proc_drbd_then_modinfo()
    {
        var t = Tools();
        t.ModuleLoaded.Should().BeFalse();
        t.LoadedModuleVersion().Should().BeNull();

        Directory.CreateDirectory(dir["proc"]);
        File.WriteAllText(dir["proc/drbd"], DrbdSamples.Drbd84("down", "proc"));
        t.ModuleLoaded.Should().BeTrue();
        t.LoadedModuleVersion().Should().Be(new DrbdVersion(8, 4, 11));

        Directory.CreateDirectory(dir["sys/module/drbd"]);
        File.WriteAllText(dir["sys/module/drbd/version"], "9.2.12\n");
        t.LoadedModuleVersion().Should().Be(new DrbdVersion(9, 2, 12));
        runner.Calls.Should().BeEmpty("the loaded module's version costs no process");

        runner.Answer = _ => ScriptedProcessRunner.Ok("8.4.11\n");
        t.InstalledModuleVersion(Soon).Should().Be(new DrbdVersion(8, 4, 11));
        Last.Should().Be("modinfo -F version drbd");
        runner.Answer = _ => ScriptedProcessRunner.Exit(1, "modinfo: ERROR: Module drbd not found.");
        t.InstalledModuleVersion(Soon).Should().BeNull();
    }

    [Fact]
    public void Device_nodes_are_looked_up_under_the_system_root()
    {
        var t = Tools(V84);
        t.DeviceNodeExists("/dev/drbd0").Should().BeFalse();
        Directory.CreateDirectory(dir["dev"]);
        File.WriteAllText(dir["dev/drbd0"], "");
        t.DeviceNodeExists("/dev/drbd0").Should().BeTrue();
    }

    [Fact]
    public void Tools_are_found_in_the_usual_directories()
    {
        DrbdToolsOptions.Locate("drbdadm", p => p == "/sbin/drbdadm").Should().Be("/sbin/drbdadm");
        DrbdToolsOptions.Locate("drbdadm", p => p is "/usr/sbin/drbdadm" or "/sbin/drbdadm").Should().Be("/usr/sbin/drbdadm");
        DrbdToolsOptions.Locate("drbdadm", _ => false).Should().Be("/usr/sbin/drbdadm");
    }

    [Fact]
    public void Every_call_runs_under_the_given_deadline()
    {
        var seen = new List<Deadline>();
        var recording = new DeadlineRecorder(seen);
        var t = new DrbdTools(recording, new DrbdToolsOptions { Module = V84 });
        var d = Deadline.After(TimeSpan.FromSeconds(3));
        t.Primary("r0", d); t.Status("r0", d); t.WaitConnectDevice("/dev/drbd0", 5, d); t.FindResource("r0", d);
        seen.Should().NotBeEmpty().And.OnlyContain(x => ReferenceEquals(x, d));
    }

    sealed class DeadlineRecorder(List<Deadline> seen) : IProcessRunner
    {
        public bool IsInstalled(string path) => true;
        public ProcessResult Run(ProcessSpec spec, Deadline deadline) { seen.Add(deadline); return ScriptedProcessRunner.Ok("/dev/drbd0\n"); }
        public int StartDetached(ProcessSpec spec) => throw new InvalidOperationException("the binding never detaches");
    }
}
