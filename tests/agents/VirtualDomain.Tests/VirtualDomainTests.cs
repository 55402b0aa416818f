using HaCluster.Agents.VirtualDomain;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>ocf:hacluster:VirtualDomain's decisions, against a fake libvirt daemon and fake emulator processes.</summary>
public class VirtualDomainTests : IDisposable
{
    const string Uri = "qemu+unix:///system?socket=/nonexistent/libvirt-sock";
    readonly TempDir dir = new();
    readonly ManualClock clock = new();
    readonly FakeLibvirt libvirt;
    readonly FakeEmulators emulators = new();
    readonly ScriptedProcessRunner processes = new();
    readonly RecordingCluster cluster = new();
    readonly Dictionary<string, string> extraEnv = [];
    TimeSpan elapsed;

    public VirtualDomainTests()
    {
        libvirt = new FakeLibvirt(clock);
        WriteConfig(FakeLibvirt.DomainXml("vm1"));
    }

    public void Dispose() => dir.Dispose();

    string ConfigPath => dir["vm1.xml"];
    string RscTmp => dir["rsctmp"];
    void WriteConfig(string xml) => File.WriteAllText(ConfigPath, xml);

    AgentResult Run(string action, params (string Name, string Value)[] parameters)
    {
        var invoker = new AgentInvoker { Processes = processes, Cluster = cluster, Clock = clock }
            .With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "vm")
            .Param("config", ConfigPath).Param("hypervisor", Uri);
        foreach (var (k, v) in extraEnv) invoker.With(k, v);
        foreach (var (k, v) in parameters)
        {
            if (v is null) invoker.Env.Remove("OCF_RESKEY_" + k);
            else invoker.Param(k, v);
        }
        long before = clock.GetTimestamp();
        var result = invoker.Run(new VirtualDomainAgent(libvirt.Open, emulators, dir["libvirt.conf"], systemdUnitDir: null), action);
        elapsed = TimeSpan.FromTicks(clock.GetTimestamp() - before);
        return result;
    }

    static (string, string) Timeout(int ms) => ("CRM_meta_timeout", ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
    static readonly (string, string) Recurring = ("CRM_meta_interval", "10000");
    static readonly (string, string) NoUtilization = ("autoset_utilization_cpu", "false");
    static (string, string)[] UtilizationOff =>
        [("autoset_utilization_cpu", "false"), ("autoset_utilization_host_memory", "false"), ("autoset_utilization_hv_memory", "false")];

    static void ShouldFail(AgentResult r, OcfExitCode code, string reasonPart)
    {
        r.Code.Should().Be(code, r.Stderr);
        r.ExitReasonCount.Should().Be(1, r.Stderr);
        r.ExitReason.Should().Contain(reasonPart);
        r.Stderr.Should().NotContain("   at ", "no stack traces");
    }

    // ================================================================ meta-data and parameters

    [Fact]
    public void Meta_data_has_every_parameter_of_the_shell_agent_with_its_type_and_default()
    {
        var r = Run("meta-data");
        r.ExitCode.Should().Be(0);
        var doc = System.Xml.Linq.XDocument.Parse(r.Stdout);
        var parameters = doc.Descendants("parameter").ToDictionary(
            p => (string)p.Attribute("name")!,
            p => ((string?)p.Element("content")!.Attribute("type"), (string?)p.Element("content")!.Attribute("default")));
        var expected = new (string Name, string Type, string? Default)[]
        {
            ("config", "string", ""), ("hypervisor", "string", null), ("force_stop", "boolean", "false"),
            ("migration_transport", "string", ""), ("migration_user", "string", ""), ("migration_downtime", "integer", "0"),
            ("migration_speed", "integer", "0"), ("migration_network_suffix", "string", ""), ("migrateuri", "string", ""),
            ("migrate_options", "string", ""), ("monitor_scripts", "string", ""), ("autoset_utilization_cpu", "boolean", "true"),
            ("autoset_utilization_host_memory", "boolean", "true"), ("autoset_utilization_hv_memory", "boolean", "true"),
            ("unset_utilization_cpu", "boolean", "false"), ("unset_utilization_host_memory", "boolean", "false"),
            ("unset_utilization_hv_memory", "boolean", "false"), ("migrateport", "integer", null), ("remoteuri", "string", ""),
            ("save_config_on_stop", "boolean", "false"), ("sync_config_on_stop", "boolean", "false"), ("snapshot", "string", ""),
            ("backingfile", "string", ""), ("stateless", "boolean", "false"), ("copyindirs", "string", ""),
            ("shutdown_mode", "string", ""), ("start_resources", "boolean", "false"),
        };
        parameters.Keys.Should().Equal(expected.Select(e => e.Name));
        foreach (var e in expected)
        {
            parameters[e.Name].Item1.Should().Be(e.Type, e.Name);
            (parameters[e.Name].Item2 ?? "").Should().Be(e.Default ?? "", e.Name);
        }
        var config = doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "config");
        ((string?)config.Attribute("unique")).Should().Be("1");
        ((string?)config.Attribute("required")).Should().Be("1");
        doc.Descendants("parameter").Where(p => (string?)p.Attribute("unique") == "1").Should().ContainSingle("only config identifies the resource");
    }

    [Fact]
    public void Meta_data_has_the_shell_agents_actions_and_timeouts_plus_reload()
    {
        var doc = System.Xml.Linq.XDocument.Parse(Run("meta-data").Stdout);
        var actions = doc.Descendants("action").Select(a => $"{a.Attribute("name")!.Value} {a.Attribute("timeout")!.Value} {(string?)a.Attribute("interval")}".Trim()).ToList();
        actions.Should().BeEquivalentTo("start 90s", "stop 90s", "status 30s 10s", "monitor 30s 10s", "migrate_from 60s", "migrate_to 120s",
            "reload 90s", "meta-data 5s", "validate-all 5s");
        ((string)doc.Root!.Element("version")!).Should().Be("1.0");
        doc.Root.Element("longdesc")!.Value.Should().Contain("Differences from ocf:heartbeat:VirtualDomain").And.Contain("shutdown_mode");
    }

    // ================================================================ validation and hostile values

    [Fact]
    public void Force_stop_with_snapshot_is_a_configuration_error()
        => ShouldFail(Run("validate-all", ("force_stop", "true"), ("snapshot", dir.Path)), OcfExitCode.ErrConfigured, "'force_stop' and 'snapshot'");

    [Fact]
    public void Stateless_without_backingfile_is_a_configuration_error()
        => ShouldFail(Run("validate-all", ("stateless", "1")), OcfExitCode.ErrConfigured, "backing file");

    [Theory]
    [InlineData("migration_speed", "fast", "whole number")]
    [InlineData("migration_downtime", "-5", "at least 0")]
    [InlineData("migrateport", "70000", "between 1 and 65535")]
    [InlineData("shutdown_mode", "acpi,reboot", "'reboot'")]
    [InlineData("migration_transport", "ssh;rm", "letters, digits")]
    [InlineData("migration_network_suffix", "-mig/x", "letters, digits")]
    [InlineData("remoteuri", "qemu+ssh://%n/system; reboot", "no white space")]
    [InlineData("migrateuri", "tcp://%n:49152 --x", "no white space")]
    public void Malformed_values_are_configuration_errors_naming_the_parameter(string name, string value, string why)
    {
        var r = Run("validate-all", (name, value));
        ShouldFail(r, OcfExitCode.ErrConfigured, why);
        r.ExitReason.Should().Contain(name);
    }

    [Fact]
    public void An_unknown_migrate_option_fails_validate_all_naming_it_but_not_the_monitor()
    {
        libvirt.Add("vm1");
        ShouldFail(Run("validate-all", ("migrate_options", "--live --frobnicate")), OcfExitCode.ErrConfigured, "'--frobnicate'");
        Run("monitor", ("migrate_options", "--live --frobnicate"), Recurring).Code.Should().Be(OcfExitCode.Success);
    }

    [Fact]
    public void Sync_config_on_stop_needs_csync2_for_validate_all_and_start_but_stop_still_stops()
    {
        foreach (var d in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin" })
            processes.Missing.Add(d + "/csync2");
        ShouldFail(Run("validate-all", ("sync_config_on_stop", "true")), OcfExitCode.ErrInstalled, "csync2");
        ShouldFail(Run("start", ("sync_config_on_stop", "true")), OcfExitCode.ErrInstalled, "csync2");
        libvirt.Add("vm1");
        Run("stop", ("sync_config_on_stop", "true")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Domains.Should().BeEmpty("the stop must not skip the domain because a sync tool is missing");
    }

    [Theory]
    [InlineData("$(touch /tmp/hacluster-vd-pwned)")]
    [InlineData("qemu:///system; touch /tmp/hacluster-vd-pwned")]
    [InlineData("qemu+ssh://root@203.0.113.7/system")]
    [InlineData("`id`")]
    public void A_hypervisor_uri_this_agent_cannot_open_is_refused_without_running_anything(string value)
    {
        var r = Run("start", ("hypervisor", value));
        ShouldFail(r, OcfExitCode.ErrConfigured, "hypervisor URI");
        processes.Calls.Should().BeEmpty();
        libvirt.OpenedUris.Should().BeEmpty();
        File.Exists("/tmp/hacluster-vd-pwned").Should().BeFalse();
    }

    [Fact]
    public void Control_characters_in_a_parameter_are_refused()
    {
        var r = Run("validate-all", ("migrate_options", "--live\n--tunnelled"));
        ShouldFail(r, OcfExitCode.ErrConfigured, "migrate_options");
        r.ExitReason.Should().NotContain("\n");
    }

    [Fact]
    public void A_4_KiB_config_path_is_not_installed_with_a_short_reason()
    {
        string path = "/" + new string('a', 4096);
        var r = Run("start", ("config", path));
        ShouldFail(r, OcfExitCode.ErrInstalled, "configuration file");
        r.ExitReason!.Length.Should().BeLessThan(600);
    }

    [Fact]
    public void Hostile_monitor_scripts_run_as_literal_argument_arrays_never_through_a_shell()
    {
        libvirt.Add("vm1");
        processes.Answer = spec => ScriptedProcessRunner.Exit(127, "not found");
        var r = Run("monitor", ("monitor_scripts", "$(touch /tmp/hacluster-vd-pwned) ;reboot"), Recurring);
        ShouldFail(r, OcfExitCode.ErrGeneric, "monitor command '$(touch'");
        processes.Calls.Should().ContainSingle("the first failing script ends the monitor");
        processes.Calls[0].Path.Should().EndWith("/$(touch");
        processes.Calls[0].Arguments.Should().BeEmpty();
        processes.Calls.Should().NotContain(c => c.Path.EndsWith("/sh", StringComparison.Ordinal) || c.Path.EndsWith("/bash", StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_ascii_domain_name_works()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm-ünïcode-名前"));
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Domains.Keys.Should().Equal("vm-ünïcode-名前");
        Run("monitor", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
    }

    // ================================================================ the config file

    [Fact]
    public void The_domain_name_comes_from_an_xml_parse_not_a_line_regex()
    {
        WriteConfig("<?xml version='1.0'?>\n<!-- <name>old</name> -->\n<domain type='kvm'><uuid>x</uuid><name>\n  real-vm  \n</name><devices><emulator>/usr/bin/qemu-kvm</emulator><interface type='network'><source network='br0net'/></interface><disk><source pool='p1' volume='v'/></disk></devices></domain>");
        var c = DomainConfig.Parse(File.ReadAllText(ConfigPath), out var error)!;
        error.Should().BeNull();
        c.Name.Should().Be("real-vm");
        c.Emulator.Should().Be("/usr/bin/qemu-kvm");
        c.Networks.Should().Equal("br0net");
        c.Pools.Should().Equal("p1");
    }

    [Theory]
    [InlineData("<domain><uuid>x</uuid></domain>", "no /domain/name")]
    [InlineData("<network><name>n</name></network>", "root element")]
    [InlineData("<domain><name>a/b</name></domain>", "contains '/'")]
    [InlineData("<domain><name>vm", "not well-formed")]
    [InlineData("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>", "not well-formed")]
    public void A_config_that_is_no_usable_domain_xml_is_not_installed(string xml, string why)
    {
        WriteConfig(xml);
        ShouldFail(Run("start"), OcfExitCode.ErrInstalled, why);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning, "probe rule");
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    [InlineData("/proc/self/status")]
    public void A_config_that_is_no_regular_file_is_never_read(string path)
    {
        var r = Run("start", ("config", path));
        ShouldFail(r, OcfExitCode.ErrInstalled, "not a regular file");
        elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_config_fifo_does_not_block()
    {
        string fifo = dir["vm.fifo"];
        await System.Diagnostics.Process.Start("mkfifo", fifo)!.WaitForExitAsync();
        File.Exists(fifo).Should().BeTrue();
        var task = Task.Run(() => Run("start", ("config", fifo)));
        var first = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10)));
        first.Should().BeSameAs(task, "reading a FIFO would block until a writer comes");
        (await task).Code.Should().Be(OcfExitCode.ErrInstalled);
    }

    [Fact]
    public void A_missing_config_follows_the_probe_rule()
    {
        File.Delete(ConfigPath);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        ShouldFail(Run("start"), OcfExitCode.ErrInstalled, "does not exist");
        ShouldFail(Run("monitor", Recurring), OcfExitCode.ErrGeneric, "does not exist");
        libvirt.OpenedUris.Should().BeEmpty();
    }

    [Fact]
    public void A_started_domain_is_remembered_so_stop_and_monitor_reach_it_when_the_config_is_gone()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        File.Delete(ConfigPath);
        Run("monitor", [.. UtilizationOff, Recurring]).Code.Should().Be(OcfExitCode.Success);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Domains.Should().BeEmpty();
        libvirt.Count("shutdown vm1").Should().Be(1);
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning, "the record goes with the stop");
    }

    [Fact]
    public void Stop_is_for_the_domain_that_was_started_even_if_the_config_now_names_another()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        WriteConfig(FakeLibvirt.DomainXml("vm1-renamed"));
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain("shutdown vm1 0");
        libvirt.Domains.Should().BeEmpty();
    }

    // ================================================================ hypervisor default

    [Fact]
    public void The_default_hypervisor_follows_libvirts_rules()
    {
        string conf = dir["client.conf"];
        HypervisorUri.Default(_ => null, conf, isRoot: true).Should().Be("qemu:///system");
        HypervisorUri.Default(_ => null, conf, isRoot: false).Should().Be("qemu:///session");
        File.WriteAllText(conf, "# uri_default = \"xen:///system\"\nuri_default = \"test:///default\"  # comment\n");
        HypervisorUri.Default(_ => null, conf, isRoot: true).Should().Be("test:///default");
        HypervisorUri.Default(n => n == "LIBVIRT_DEFAULT_URI" ? "lxc:///system" : null, conf, isRoot: true).Should().Be("lxc:///system");
    }

    [Fact]
    public void Without_hypervisor_the_agent_connects_to_the_default_uri()
    {
        extraEnv["LIBVIRT_DEFAULT_URI"] = "test+unix:///default?socket=/nonexistent/sock";
        libvirt.Add("vm1");
        Run("monitor", ("hypervisor", null!)).Code.Should().Be(OcfExitCode.Success);
        libvirt.OpenedUris.Should().Equal("test+unix:///default?socket=/nonexistent/sock");
    }

    // ================================================================ monitor

    [Theory]
    [InlineData(DomainState.Running, OcfExitCode.Success)]
    [InlineData(DomainState.Blocked, OcfExitCode.Success)]
    [InlineData(DomainState.Paused, OcfExitCode.Success)]
    [InlineData(DomainState.Shutdown, OcfExitCode.Success)]
    [InlineData(DomainState.PmSuspended, OcfExitCode.Success)]
    [InlineData(DomainState.NoState, OcfExitCode.Success)]
    [InlineData(DomainState.Shutoff, OcfExitCode.NotRunning)]
    [InlineData(DomainState.Crashed, OcfExitCode.NotRunning)]
    public void Monitor_maps_libvirt_states(DomainState state, OcfExitCode expected)
    {
        libvirt.Add("vm1", state, persistent: true);
        Run("monitor", Recurring).Code.Should().Be(expected);
        Run("monitor").Code.Should().Be(expected);
    }

    [Fact]
    public void An_unknown_state_value_never_loops_and_counts_as_running()
    {
        libvirt.Add("vm1", (DomainState)42);
        var r = Run("monitor", [.. UtilizationOff, Recurring]);
        r.Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("getstate").Should().Be(1);
    }

    [Fact]
    public void No_domain_is_not_running_and_so_is_no_domain_from_getstate_after_a_power_off()
    {
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        libvirt.Add("vm1");
        libvirt.NoDomainOnGetState = true;
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("shutdown").Should().Be(0);
    }

    [Fact]
    public void A_monitor_makes_one_connection_with_lookup_getstate_and_getinfo_and_starts_no_process()
    {
        libvirt.Add("vm1");
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        libvirt.OpenedUris.Should().ContainSingle().Which.Should().Be(Uri);
        libvirt.Calls.Should().Equal("lookup vm1", "getstate vm1", "getinfo vm1", "close");
        processes.Calls.Should().BeEmpty();

        libvirt.Calls.Clear();
        Run("monitor", [.. UtilizationOff, Recurring]).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Equal("lookup vm1", "getstate vm1", "close");
    }

    [Fact]
    public void Utilization_is_the_vcpus_and_max_memory_in_MiB_and_unset_removes_it()
    {
        var d = libvirt.Add("vm1");
        d.Vcpus = 4;
        d.MaxMemoryKiB = 2 * 1024 * 1024 + 512;
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        cluster.Calls.Should().Equal("utilization cpu=4", "utilization host_memory=2048", "utilization hv_memory=2048");

        cluster.Calls.Clear();
        Run("monitor", ("autoset_utilization_cpu", "false"), ("unset_utilization_cpu", "true"), ("autoset_utilization_hv_memory", "no"), Recurring);
        cluster.Calls.Should().Equal("utilization host_memory=2048", "utilization cpu deleted");
    }

    [Fact]
    public void Monitor_scripts_run_after_a_good_status_and_a_failure_is_an_error_with_its_reason()
    {
        libvirt.Add("vm1");
        processes.Answer = spec => spec.Path == "/opt/check-b" ? ScriptedProcessRunner.Exit(3, "service b is down") : ScriptedProcessRunner.Ok("");
        var r = Run("monitor", ("monitor_scripts", "/opt/check-a /opt/check-b /opt/check-c"), NoUtilization, Recurring);
        ShouldFail(r, OcfExitCode.ErrGeneric, "monitor command '/opt/check-b' for domain 'vm1' exited with status 3: service b is down");
        processes.Calls.Select(c => c.Path).Should().Equal("/opt/check-a", "/opt/check-b");

        processes.Calls.Clear();
        libvirt.Domains.Clear();
        Run("monitor", ("monitor_scripts", "/opt/check-a"), Recurring).Code.Should().Be(OcfExitCode.NotRunning);
        processes.Calls.Should().BeEmpty("scripts check services in a running domain only");
    }

    [Fact]
    public void Hung_libvirtd_monitor_answers_from_the_emulator_process()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Hung = true;
        emulators.Running[4242] = "vm1";
        Run("monitor", Recurring, Timeout(30000)).Code.Should().Be(OcfExitCode.Success);
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        emulators.EmulatorsAskedFor.Should().OnlyContain(e => e == libvirt.LiveEmulator, "the emulator recorded at start");

        emulators.Running.Clear();
        Run("monitor", Timeout(30000)).Code.Should().Be(OcfExitCode.NotRunning, "a probe: no emulator, no domain");
        var r = Run("monitor", Recurring, Timeout(30000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "libvirtd did not answer");
        r.ExitReason.Should().Contain("no emulator process of domain 'vm1'");
        System.Text.RegularExpressions.Regex.Matches(r.ExitReason!, "did not answer").Should().ContainSingle();
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Hung_libvirtd_monitor_still_runs_the_monitor_scripts_of_a_running_domain()
    {
        libvirt.Hung = true;
        emulators.Running[4242] = "vm1";
        processes.Answer = _ => ScriptedProcessRunner.Exit(2, "web service down");
        ShouldFail(Run("monitor", ("monitor_scripts", "/opt/check-web"), Recurring), OcfExitCode.ErrGeneric, "web service down");
        processes.Calls.Should().ContainSingle();
    }

    [Fact]
    public void Refused_connection_monitor_also_falls_back_to_the_process_check()
    {
        libvirt.Refused = true;
        emulators.Running[77] = "vm1";
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        emulators.EmulatorsAskedFor.Should().Equal("/usr/bin/qemu-system-x86_64");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a refused socket is retried only briefly");
    }

    [Fact]
    public void Without_libvirt_a_non_process_driver_cannot_be_judged_and_fails()
    {
        libvirt.Refused = true;
        ShouldFail(Run("monitor", ("hypervisor", "xen:///system")), OcfExitCode.ErrGeneric, "cannot be determined");
    }

    [Fact]
    public void Status_reports_the_state_without_scripts()
    {
        libvirt.Add("vm1");
        Run("status", ("monitor_scripts", "/opt/check")).Code.Should().Be(OcfExitCode.Success);
        processes.Calls.Should().BeEmpty();
    }

    // ================================================================ start

    [Fact]
    public void Start_creates_a_transient_domain_from_the_config_and_returns_when_it_runs()
    {
        var r = Run("start", UtilizationOff);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Domains["vm1"].Persistent.Should().BeFalse();
        libvirt.Domains["vm1"].Xml.Should().Contain("<name>vm1</name>");
        libvirt.Count("createxml").Should().Be(1);
        File.ReadAllText(Path.Combine(RscTmp, "hacluster-Test-vm.domain")).Should().Be("vm1\n/usr/bin/qemu-system-x86_64\n");
    }

    [Fact]
    public void Start_of_a_running_domain_creates_nothing()
    {
        libvirt.Add("vm1");
        Run("start").Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("createxml").Should().Be(0);
    }

    [Fact]
    public void Start_undefines_a_persistent_definition_and_puts_back_a_config_libvirt_deleted()
    {
        libvirt.Add("vm1", DomainState.Shutoff, persistent: true);
        libvirt.UndefineDeletesFile = ConfigPath;
        string original = File.ReadAllText(ConfigPath);
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().ContainInOrder("undefine vm1", "createxml");
        File.ReadAllText(ConfigPath).Should().Be(original);
        libvirt.Domains["vm1"].Persistent.Should().BeFalse();
    }

    [Fact]
    public void Start_resources_starts_inactive_pools_and_networks_and_refreshes_active_pools()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk><disk><source pool='p2' volume='b'/></disk><interface type='network'><source network='n1'/></interface>"));
        libvirt.Pools["p1"] = false;
        libvirt.Pools["p2"] = true;
        libvirt.Networks["n1"] = false;
        Run("start", [.. UtilizationOff, ("start_resources", "true")]).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().ContainInOrder("pool-start p1", "pool-refresh p2", "net-start n1", "createxml");
        libvirt.Networks["n1"].Should().BeTrue();

        libvirt.Domains.Clear();
        libvirt.Pools.Remove("p2");
        ShouldFail(Run("start", ("start_resources", "true")), OcfExitCode.ErrGeneric, "storage pool 'p2'");
    }

    [Fact]
    public void Start_restores_a_snapshot_and_removes_its_state_file()
    {
        string state = Path.Combine(dir.Path, "vm1.state");
        File.WriteAllText(state, FakeLibvirt.DomainXml("vm1"));
        Run("start", [.. UtilizationOff, ("snapshot", dir.Path)]).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain($"restore {state}").And.NotContain("createxml");
        File.Exists(state).Should().BeFalse();
    }

    [Fact]
    public void Backingfile_creates_the_overlay_with_qemu_img_then_defines_and_starts()
    {
        processes.Answer = spec => spec.Arguments.FirstOrDefault() == "info" ? ScriptedProcessRunner.Ok("{\"format\": \"raw\", \"virtual-size\": 1}") : ScriptedProcessRunner.Ok("");
        var r = Run("start", [.. UtilizationOff, ("backingfile", "/images/base.img"), ("copyindirs", "/srv/a /srv/b")]);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        processes.Calls.Select(c => c.ToString()).Should().Equal(
            "qemu-img info --output=json -- /images/base.img",
            $"qemu-img create -f qcow2 -F raw -b /images/base.img -- {dir["vm1.qcow2"]}",
            $"virt-copy-in -c {Uri} -d vm1 /srv/a /srv/b /");
        libvirt.Calls.Should().ContainInOrder("definexml", "create vm1");
        libvirt.Domains["vm1"].Persistent.Should().BeTrue();
    }

    [Fact]
    public void Backingfile_without_qemu_img_is_not_installed()
    {
        foreach (var d in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin" })
            processes.Missing.Add(d + "/qemu-img");
        ShouldFail(Run("start", ("backingfile", "/images/base.img")), OcfExitCode.ErrInstalled, "qemu-img is not installed");
        libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Start_waits_until_monitor_scripts_pass()
    {
        int calls = 0;
        processes.Answer = _ => ++calls < 3 ? ScriptedProcessRunner.Exit(1, "not yet") : ScriptedProcessRunner.Ok("");
        Run("start", [.. UtilizationOff, ("monitor_scripts", "/opt/check")]).Code.Should().Be(OcfExitCode.Success);
        calls.Should().Be(3);
    }

    [Fact]
    public void Start_fails_at_its_deadline_when_monitor_scripts_never_pass()
    {
        processes.Answer = _ => ScriptedProcessRunner.Exit(1, "service down");
        var r = Run("start", [.. UtilizationOff, ("monitor_scripts", "/opt/check"), Timeout(20000)]);
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not pass its monitor before the start timeout");
        r.ExitReason.Should().Contain("service down");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Start_reports_libvirts_reason_when_creation_fails()
    {
        libvirt.CreateError = new LibvirtException(LibvirtErrorCode.InternalError, "internal error: process exited while connecting to monitor");
        ShouldFail(Run("start"), OcfExitCode.ErrGeneric, "failed to start virtual domain 'vm1': internal error: process exited");
    }

    [Fact]
    public void Start_fails_at_once_when_the_domain_dies_right_after_creation()
    {
        libvirt.DomainsDieAtOnce = true;
        ShouldFail(Run("start", UtilizationOff), OcfExitCode.ErrGeneric, "stopped right after it was started");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Start_with_libvirtd_down_fails_with_the_connection_reason()
    {
        libvirt.Refused = true;
        ShouldFail(Run("start"), OcfExitCode.ErrGeneric, "cannot connect to libvirt");
    }

    // ================================================================ stop

    [Fact]
    public void Stop_of_a_stopped_domain_succeeds_without_a_shutdown()
    {
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("shutdown").Should().Be(0);
    }

    [Theory]
    [InlineData("", 0u)]
    [InlineData("acpi", 1u)]
    [InlineData("acpi,agent", 3u)]
    [InlineData("signal,paravirt,initctl", 28u)]
    public void Stop_shuts_down_gracefully_with_shutdown_mode_applied(string mode, uint flags)
    {
        libvirt.Add("vm1");
        Run("stop", ("shutdown_mode", mode)).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain($"shutdown vm1 {flags}").And.NotContain(c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Fact]
    public void Stop_escalates_to_destroy_leaving_a_reserve_of_the_deadline()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownIgnored = true;
        var r = Run("stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Calls.Should().ContainInOrder("shutdown vm1 0", "destroy vm1 Graceful");
        libvirt.Domains.Should().BeEmpty();
        // 90 s less the 2 s margin, less max(5 s, 15 %) for destroy: the graceful wait ends near 74.8 s.
        elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(70)).And.BeLessThan(TimeSpan.FromSeconds(80));
    }

    [Fact]
    public void Stop_tries_a_default_destroy_when_the_graceful_one_fails()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownIgnored = true;
        libvirt.GracefulDestroyFails = true;
        Run("stop", Timeout(15000)).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().ContainInOrder("destroy vm1 Graceful", "destroy vm1 Default");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Stop_with_force_stop_destroys_without_a_shutdown()
    {
        libvirt.Add("vm1");
        Run("stop", ("force_stop", "yes")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("shutdown").Should().Be(0);
        libvirt.Count("destroy vm1").Should().Be(1);
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_refused_shutdown_mode_goes_to_destroy_at_once()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownError = new LibvirtException(LibvirtErrorCode.ArgumentUnsupported, "argument unsupported: QEMU guest agent is not configured");
        Run("stop", ("shutdown_mode", "agent")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain("shutdown vm1 2").And.Contain("destroy vm1 Graceful");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void No_domain_from_getstate_during_the_shutdown_wait_means_stopped()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownIgnored = true;
        // The guest powers off: the lookup still finds it, getstate says NO_DOMAIN
        // (tests/integration/libvirt/README.md, "NO_DOMAIN after a power-off").
        var r = RunWith(c => new AfterShutdown(c, () => libvirt.NoDomainOnGetState = true), "stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Count("destroy").Should().Be(0);
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    AgentResult RunWith(Func<ILibvirtConnection, ILibvirtConnection> wrap, string action, params (string, string)[] parameters)
    {
        var agent = new VirtualDomainAgent((uri, d) => wrap(libvirt.Open(uri, d)), emulators, dir["libvirt.conf"], null);
        var invoker = new AgentInvoker { Processes = processes, Cluster = cluster, Clock = clock }
            .With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "vm").Param("config", ConfigPath).Param("hypervisor", Uri);
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        long before = clock.GetTimestamp();
        var r = invoker.Run(agent, action);
        elapsed = TimeSpan.FromTicks(clock.GetTimestamp() - before);
        return r;
    }

    [Fact]
    public void Stop_with_snapshot_saves_the_state_instead_of_shutting_down()
    {
        libvirt.Add("vm1");
        Run("stop", ("snapshot", dir.Path)).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain($"save vm1 {Path.Combine(dir.Path, "vm1.state")}");
        libvirt.Count("shutdown").Should().Be(0);
        File.Exists(Path.Combine(dir.Path, "vm1.state")).Should().BeTrue();
    }

    [Fact]
    public void A_snapshot_save_that_outlives_the_stop_is_aborted_its_file_removed_and_the_domain_destroyed()
    {
        libvirt.Add("vm1");
        libvirt.SaveHangs = true;
        var r = Run("stop", ("snapshot", dir.Path), Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Calls.Should().ContainInOrder("abortjob vm1", "destroy vm1 Graceful");
        File.Exists(Path.Combine(dir.Path, "vm1.state")).Should().BeFalse("a half-written state must not be restored");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Save_config_on_stop_writes_the_changed_inactive_xml_back()
    {
        libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");
        Run("stop", ("save_config_on_stop", "true")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain("getxml vm1 Secure, Inactive");
        File.ReadAllText(ConfigPath).Should().Contain("<disk type='file'/>");
    }

    [Fact]
    public void Hung_libvirtd_stop_terminates_the_emulator_process_and_succeeds()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Hung = true;
        emulators.Running[4242] = "vm1";
        var r = Run("stop", Timeout(90000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        emulators.Signals.Should().Equal("15 4242");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void Hung_libvirtd_stop_kills_an_emulator_that_ignores_sigterm_within_the_deadline()
    {
        libvirt.Hung = true;
        emulators.IgnoresTerm = true;
        emulators.Running[4242] = "vm1";
        Run("stop", Timeout(20000)).Code.Should().Be(OcfExitCode.Success);
        emulators.Signals.Should().Equal("15 4242", "9 4242");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Hung_libvirtd_stop_without_an_emulator_process_succeeds()
    {
        libvirt.Hung = true;
        Run("stop", Timeout(20000)).Code.Should().Be(OcfExitCode.Success);
        emulators.Signals.Should().BeEmpty();
    }

    [Fact]
    public void Libvirtd_hanging_after_the_shutdown_request_still_ends_in_the_emulator_kill()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownIgnored = true;
        emulators.Running[4242] = "vm1";
        var r = RunWith(c => new AfterShutdown(c, () => libvirt.Hung = true), "stop", Timeout(30000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        emulators.Signals.Should().Equal("15 4242");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    /// <summary>A connection that changes the daemon once a shutdown was requested.</summary>
    sealed class AfterShutdown(ILibvirtConnection inner, Action then) : ILibvirtConnection
    {
        public string Name => inner.Name;
        public bool IsBroken => inner.IsBroken;
        public DomainRef LookupByName(string name, Deadline deadline) => inner.LookupByName(name, deadline);
        public DomainStateInfo GetState(DomainRef domain, Deadline deadline) => inner.GetState(domain, deadline);
        public DomainInfo GetInfo(DomainRef domain, Deadline deadline) => inner.GetInfo(domain, deadline);
        public string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline) => inner.GetXmlDesc(domain, flags, deadline);
        public DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline) => inner.CreateXml(xml, flags, deadline);
        public DomainRef DefineXml(string xml, Deadline deadline) => inner.DefineXml(xml, deadline);
        public void Create(DomainRef domain, Deadline deadline) => inner.Create(domain, deadline);
        public void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline) => inner.Undefine(domain, flags, deadline);
        public bool IsPersistent(DomainRef domain, Deadline deadline) => inner.IsPersistent(domain, deadline);
        public void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline)
        {
            inner.Shutdown(domain, mode, deadline);
            then();
        }
        public void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline) => inner.Destroy(domain, flags, deadline);
        public void Save(DomainRef domain, string toPath, Deadline deadline) => inner.Save(domain, toPath, deadline);
        public void Restore(string fromPath, Deadline deadline) => inner.Restore(fromPath, deadline);
        public DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline) => inner.GetJobInfo(domain, deadline);
        public void AbortJob(DomainRef domain, Deadline deadline) => inner.AbortJob(domain, deadline);
        public void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline) => inner.MigratePeerToPeer(domain, destinationUri, parameters, flags, deadline);
        public void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline) => inner.MigrateSetMaxDowntime(domain, downtimeMs, deadline);
        public NamedObjectRef NetworkLookupByName(string name, Deadline deadline) => inner.NetworkLookupByName(name, deadline);
        public void NetworkCreate(NamedObjectRef network, Deadline deadline) => inner.NetworkCreate(network, deadline);
        public bool NetworkIsActive(NamedObjectRef network, Deadline deadline) => inner.NetworkIsActive(network, deadline);
        public NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline) => inner.StoragePoolLookupByName(name, deadline);
        public void StoragePoolCreate(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolCreate(pool, deadline);
        public void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolRefresh(pool, deadline);
        public bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolIsActive(pool, deadline);
        public void Close(Deadline deadline) => inner.Close(deadline);
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void No_domain_from_the_shutdown_call_means_stopped()
    {
        libvirt.Add("vm1");
        libvirt.ShutdownError = new LibvirtException(LibvirtErrorCode.NoDomain, "Domain not found: no domain with matching uuid");
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Count("destroy").Should().Be(0);
    }

    [Fact]
    public void Hung_libvirtd_stop_of_a_driver_without_an_emulator_process_fails_rather_than_lie()
    {
        libvirt.Hung = true;
        var r = Run("stop", ("hypervisor", "xen:///system"), Timeout(20000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "cannot be stopped without it");
    }

    [Fact]
    public void Monitor_with_save_config_on_stop_keeps_the_config_file_current_like_the_shell_agent()
    {
        libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<!--changed-->");
        Run("monitor", ("save_config_on_stop", "yes"), Recurring).Code.Should().Be(OcfExitCode.Success);
        File.ReadAllText(ConfigPath).Should().Contain("<!--changed-->");
        processes.Calls.Where(c => !c.Path.EndsWith("virt-xml-validate", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Fact]
    public void A_stop_with_a_parameter_made_invalid_still_stops_the_domain_the_plain_way()
    {
        libvirt.Add("vm1");
        var r = Run("stop", ("shutdown_mode", "acpi,bogus"), ("snapshot", dir.Path), ("force_stop", "false"), ("migration_speed", "fast"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Calls.Should().Contain("shutdown vm1 0").And.NotContain(c => c.StartsWith("save", StringComparison.Ordinal));
        libvirt.Domains.Should().BeEmpty();

        libvirt.Add("vm1");
        Run("stop", ("force_stop", "true"), ("snapshot", dir.Path)).Code.Should().Be(OcfExitCode.Success);
        libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void A_stop_whose_hypervisor_is_unusable_still_fails()
    {
        libvirt.Add("vm1");
        ShouldFail(Run("stop", ("hypervisor", "qemu:///system\nx")), OcfExitCode.ErrConfigured, "hypervisor");
        libvirt.Domains.Should().ContainKey("vm1");
    }

    [Fact]
    public void A_crashed_domain_is_destroyed_on_stop()
    {
        libvirt.Add("vm1", DomainState.Crashed);
        Run("stop").Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().Contain("destroy vm1 Default");
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(10000)]
    [InlineData(90000)]
    [InlineData(600000)]
    public void The_destroy_reserve_is_at_least_5_s_or_15_percent_and_at_most_half(int ms)
    {
        var left = TimeSpan.FromMilliseconds(ms);
        var reserve = VirtualDomainAgent.DestroyReserve(left);
        reserve.Should().BeLessThanOrEqualTo(left / 2);
        if (left >= TimeSpan.FromSeconds(10)) reserve.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
        reserve.Should().BeGreaterThanOrEqualTo(TimeSpan.FromTicks(Math.Min(left.Ticks / 2, (long)(left.Ticks * 0.15))));
    }

    // ================================================================ migration

    static readonly (string, string) ToNode2 = ("CRM_meta_migrate_target", "node2");

    [Fact]
    public void Migrate_to_is_one_live_peer_to_peer_call_to_remoteuri_with_the_options_mapped()
    {
        libvirt.Add("vm1");
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+tls://%n.example.com/system"),
            ("migrate_options", "--p2p --tunnelled --compressed --auto-converge --persistent --undefinesource --abort-on-error --unsafe --postcopy --tls --parallel --copy-storage-all --migrateuri=tcp://%n-mig:49160"),
            ("migration_speed", "100"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        var call = libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal));
        var flags = MigrateFlags.Live | MigrateFlags.PeerToPeer | MigrateFlags.Tunnelled | MigrateFlags.Compressed | MigrateFlags.AutoConverge
            | MigrateFlags.PersistDest | MigrateFlags.UndefineSource | MigrateFlags.AbortOnError | MigrateFlags.Unsafe | MigrateFlags.Postcopy
            | MigrateFlags.Tls | MigrateFlags.Parallel | MigrateFlags.NonSharedDisk;
        call.Should().Be($"migrate vm1 to qemu+tls://node2.example.com/system [migrate_uri=tcp://node2-mig:49160,bandwidth=100] {flags}");
        libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Migrate_to_derives_the_destination_from_the_hypervisor_uri_by_the_shell_rules()
    {
        libvirt.Add("vm1");
        Run("migrate_to", ("CRM_meta_migrate_target", "node2.example.com"), ("hypervisor", "qemu:///system"), ("migration_transport", "ssh"),
            ("migration_user", "admin"), ("migration_network_suffix", "-mig"), ("migrateport", "49155")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should()
            .StartWith("migrate vm1 to qemu+ssh://admin@node2-mig.example.com/system [migrate_uri=tcp:node2-mig.example.com:49155]");
    }

    [Fact]
    public void Migration_plan_rules()
    {
        MigrationPlan.WithSuffix("node1", "-mig").Should().Be("node1-mig");
        MigrationPlan.WithSuffix("node1.example.com", "-mig").Should().Be("node1-mig.example.com");
        MigrationPlan.ReplaceHost("qemu://old:9999/system", "tcp", "new").Should().Be("qemu+tcp://new:9999/system");
        MigrationPlan.ReplaceHost("qemu+unix:///system?socket=/a/sock", "", "n2").Should().Be("qemu+unix://n2/system?socket=/a/sock");
        var s = new MigrationPlan.Settings("xen:///system", "", "", "Bad User", "-m", "", "", 49152);
        var plan = MigrationPlan.For(s, "n2");
        plan.DestinationUri.Should().Be("xen://n2-m/system", "a user name that is not one is ignored");
        plan.MigrationUri.Should().Be("n2-m");
        MigrationPlan.ParseOptions("--migrateuri tcp://x:1 --parallel-connections 3 --live").Should()
            .Be(new MigrationPlan.Options(MigrateFlags.None, "tcp://x:1", 3));
        var act = () => MigrationPlan.For(s, "n2;reboot");
        act.Should().Throw<OcfException>().Which.Code.Should().Be(OcfExitCode.ErrGeneric);
    }

    [Fact]
    public void Migrate_to_an_unknown_option_is_a_configuration_error()
    {
        libvirt.Add("vm1");
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("migrate_options", "--live --dname=x")), OcfExitCode.ErrConfigured, "'--dname=x'");
        libvirt.Count("migrate").Should().Be(0);
    }

    [Fact]
    public void Migrate_to_needs_a_locally_running_domain_and_a_target()
    {
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "not active locally");
        libvirt.Add("vm1");
        ShouldFail(Run("migrate_to", ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "migrate_target");
    }

    [Fact]
    public void A_failed_migration_is_an_error_with_libvirts_reason()
    {
        libvirt.Add("vm1");
        libvirt.MigrateError = new LibvirtException(LibvirtErrorCode.OperationFailed, "operation failed: migration out job: unexpectedly failed");
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "live migration of 'vm1' to node2 failed: operation failed");
        libvirt.Domains.Should().ContainKey("vm1");
    }

    [Fact]
    public void A_migration_that_outlives_the_deadline_is_aborted_and_fails()
    {
        libvirt.Add("vm1");
        libvirt.MigrateHangs = true;
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), Timeout(120000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not finish within the migrate_to timeout and was aborted");
        libvirt.Calls.Should().Contain("abortjob vm1");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(120));
    }

    [Fact]
    public void Migration_downtime_is_set_on_a_second_connection_while_the_job_runs()
    {
        libvirt.Add("vm1");
        libvirt.MigrationWaitsForDowntime = true;
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("migration_downtime", "250"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.Calls.Should().Contain("setmaxdowntime vm1 250");
        libvirt.OpenedUris.Should().HaveCountGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void Migrate_to_starts_resources_on_a_local_destination_and_saves_the_config_first()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk>"));
        libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk><!--saved-->");
        libvirt.Pools["p1"] = false;
        const string destination = "qemu+unix:///system?socket=/nonexistent/node2-sock";
        var r = Run("migrate_to", ToNode2, ("remoteuri", destination), ("start_resources", "true"), ("save_config_on_stop", "true"),
            ("migrate_options", "--parallel --parallel-connections=4"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.OpenedUris.Should().Contain(destination);
        libvirt.Calls.Should().ContainInOrder("getxml vm1 Secure, Inactive", "pool-start p1");
        libvirt.Calls.FindIndex(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should().BeGreaterThan(libvirt.Calls.IndexOf("pool-start p1"));
        libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should().Contain("[parallel.connections=4]");
        File.ReadAllText(ConfigPath).Should().Contain("<!--saved-->");
    }

    [Fact]
    public void Migrate_to_a_remote_destination_only_warns_about_start_resources()
    {
        libvirt.Add("vm1");
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("start_resources", "true"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        r.Stderr.Should().Contain("cannot be started on the target from here");
        libvirt.OpenedUris.Should().NotContain(u => u.Contains("ssh", StringComparison.Ordinal) && !u.StartsWith(Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void Migrate_from_succeeds_when_the_domain_is_here_and_records_it()
    {
        libvirt.Add("vm1");
        Run("migrate_from", ("CRM_meta_migrate_source", "node1")).Code.Should().Be(OcfExitCode.Success);
        File.Exists(Path.Combine(RscTmp, "hacluster-Test-vm.domain")).Should().BeTrue();
    }

    [Fact]
    public void Migrate_from_gives_up_at_its_deadline_when_the_domain_never_arrives()
    {
        var r = Run("migrate_from", Timeout(60000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not become active here within the migrate_from timeout");
        elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(50)).And.BeLessThan(TimeSpan.FromSeconds(60));
    }

    // ================================================================ reload

    [Fact]
    public void Reload_of_a_reloadable_parameter_leaves_the_domain_running()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Clear();
        Run("reload", [.. UtilizationOff, ("monitor_scripts", "/opt/check"), ("shutdown_mode", "acpi")]).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().NotContain(c => c.StartsWith("shutdown", StringComparison.Ordinal) || c.StartsWith("destroy", StringComparison.Ordinal) || c == "createxml");
    }

    [Fact]
    public void Reload_with_another_hypervisor_stops_on_the_old_daemon_and_starts_on_the_new()
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.OpenedUris.Clear();
        const string other = "qemu+unix:///system?socket=/nonexistent/other-sock";
        var r = Run("reload", [.. UtilizationOff, ("hypervisor", other)]);
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        libvirt.OpenedUris.First().Should().Be(Uri, "the stop runs with the values the domain was started with");
        libvirt.OpenedUris.Last().Should().Be(other);
        libvirt.Calls.Should().ContainInOrder("shutdown vm1 0", "createxml");
    }

    // ================================================================ odds and ends

    [Fact]
    public void Where_systemd_runs_start_writes_the_drop_ins_once()
    {
        string units = dir["systemd"];
        Directory.CreateDirectory(units);
        var agent = () => new VirtualDomainAgent(libvirt.Open, emulators, dir["libvirt.conf"], units);
        var invoker = new AgentInvoker { Processes = processes, Cluster = cluster, Clock = clock }
            .With("HA_RSCTMP", RscTmp).With("PATH", "/usr/bin").Param("config", ConfigPath).Param("hypervisor", Uri);
        invoker.Run(agent(), "start").Code.Should().Be(OcfExitCode.Success);
        File.ReadAllText(Path.Combine(units, "resource-agents-deps.target.d", "99-VirtualDomain-libvirt.conf")).Should().Be("[Unit]\nAfter=libvirtd.service\n");
        File.ReadAllText(Path.Combine(units, "resource-agents-deps.target.d", "99-VirtualDomain-machines.conf")).Should().Be("[Unit]\nWants=virt-guest-shutdown.target\n");
        processes.Calls.Select(c => c.ToString()).Should().Equal("systemctl daemon-reload", "systemctl start virt-guest-shutdown.target");

        processes.Calls.Clear();
        libvirt.Domains.Clear();
        invoker.Run(agent(), "start").Code.Should().Be(OcfExitCode.Success);
        processes.Calls.Select(c => c.ToString()).Should().Equal("systemctl start virt-guest-shutdown.target");
    }

    [Fact]
    public void Snapshot_and_save_config_on_stop_save_the_config_before_the_state()
    {
        libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk type='file'/>");
        Run("stop", ("snapshot", dir.Path), ("save_config_on_stop", "1")).Code.Should().Be(OcfExitCode.Success);
        libvirt.Calls.Should().ContainInOrder("getxml vm1 Secure, Inactive", $"save vm1 {Path.Combine(dir.Path, "vm1.state")}");
        File.ReadAllText(ConfigPath).Should().Contain("<disk type='file'/>");
    }

    [Fact]
    public void A_domain_name_with_shell_characters_is_used_literally()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm; rm -rf $HOME `id`"));
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        libvirt.Domains.Keys.Should().Equal("vm; rm -rf $HOME `id`");
        Run("stop", ("snapshot", dir.Path)).Code.Should().Be(OcfExitCode.Success);
        File.Exists(Path.Combine(dir.Path, "vm; rm -rf $HOME `id`.state")).Should().BeTrue();
        processes.Calls.Should().BeEmpty();
    }

    // ================================================================ emulator processes in /proc

    [Theory]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on", "-S" }, "vm1", null, true)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on" }, "vm", null, false)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=a,,b,debug-threads=on" }, "a,b", null, true)]
    [InlineData(new[] { "/usr/bin/qemu-kvm", "-name", "vm1", "-m", "64" }, "vm1", "/usr/bin/qemu-kvm", true)]
    [InlineData(new[] { "/usr/lib/libvirt/libvirt_lxc", "-name", "ct1", "--console" }, "ct1", null, true)]
    [InlineData(new[] { "/usr/bin/python3", "-name", "vm1", "x" }, "vm1", null, false)]
    [InlineData(new[] { "/usr/bin/grep", "-name", "guest=vm1" }, "vm1", "/usr/bin/qemu-system-x86_64", false)]
    public void The_emulator_is_found_by_its_name_argument(string[] argv, string domain, string? emulator, bool matches)
        => ProcEmulatorProcesses.Matches(argv, domain, emulator).Should().Be(matches);

    [Fact]
    public void The_proc_scan_finds_an_emulator_in_a_proc_tree()
    {
        Directory.CreateDirectory(dir["proc/123"]);
        Directory.CreateDirectory(dir["proc/456"]);
        Directory.CreateDirectory(dir["proc/self"]);
        File.WriteAllText(dir["proc/123/cmdline"], "/usr/bin/qemu-system-x86_64\0-name\0guest=vm1,debug-threads=on\0-S\0");
        File.WriteAllText(dir["proc/456/cmdline"], "/usr/bin/qemu-system-x86_64\0-name\0guest=vm2,debug-threads=on\0");
        var procs = new ProcEmulatorProcesses(dir["proc"]);
        procs.Find("vm1", null).Should().Equal(123);
        procs.IsStill(456, "vm1", null).Should().BeFalse();
    }
}
