using System.Diagnostics;
using HaCluster.Agents.Xen;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Testing;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>An in-memory <see cref="IXlToolstack"/>: domains by name, every call recorded with its time.</summary>
public sealed class FakeXl : IXlToolstack
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    public Dictionary<string, XlDomainRow> Domains { get; } = [];
    public HashSet<string> IgnoreShutdown { get; } = [];
    public List<(TimeSpan At, string Call)> Calls { get; } = [];
    public string Path => "/usr/sbin/xl";
    public long TotalMemory { get; set; } = 4096;
    public string VirtCaps { get; set; } = "pv hvm hap shadow gnttab-v1 gnttab-v2";

    static XlResult Ok(string stderr = "") => new(new ProcessResult(ProcessOutcome.Exited, 0, 0, "", stderr, TimeSpan.Zero));
    static XlResult Invalid(string name) => new(new ProcessResult(ProcessOutcome.Exited, 1, 0, "", $"{name} is an invalid domain identifier (rc=-6)\n", TimeSpan.Zero));
    void Record(string call) => Calls.Add((clock.Elapsed, call));

    public void Add(string name, long mem = 160, int vcpus = 1) => Domains[name] = new XlDomainRow(name, Domains.Count + 1, mem, vcpus, "-b----", 1.0);

    public XlListing List(string name, Deadline deadline)
    {
        Record($"list {name}");
        return Domains.TryGetValue(name, out var row) ? new(XlDomainState.Exists, row, Ok()) : new(XlDomainState.NoSuchDomain, null, Invalid(name));
    }
    public XlTable ListAll(Deadline deadline) { Record("list"); return new([.. Domains.Values], Ok()); }
    public XlResult Create(string configFile, IReadOnlyList<string> settings, Deadline deadline)
    {
        Record($"create {configFile} {string.Join(' ', settings)}");
        string name = XlConfig.Parse(settings[0]).Name!;
        Add(name);
        return Ok("Parsing config from " + configFile);
    }
    public XlResult Shutdown(string name, bool wait, Deadline deadline)
    {
        Record($"shutdown {name}");
        if (!Domains.ContainsKey(name)) return Invalid(name);
        if (!IgnoreShutdown.Contains(name)) Domains.Remove(name);
        return Ok();
    }
    public XlResult TriggerPower(string name, Deadline deadline) { Record($"trigger {name} power"); return Shutdown(name, false, deadline); }
    public XlResult Destroy(string name, Deadline deadline) { Record($"destroy {name}"); return Domains.Remove(name) ? Ok() : Invalid(name); }
    public XlResult Migrate(string name, string host, Deadline deadline) { Record($"migrate {name} {host}"); Domains.Remove(name); return Ok(); }
    public XlResult MemSet(string name, long mebibytes, Deadline deadline) { Record($"mem-set {name} {mebibytes}"); return Ok(); }
    public XlInfo Info(Deadline deadline)
    {
        Record("info");
        return new(new Dictionary<string, string> { ["total_memory"] = TotalMemory.ToString(System.Globalization.CultureInfo.InvariantCulture), ["virt_caps"] = VirtCaps }, Ok());
    }
}

/// <summary>ocf:hacluster:Xen's decisions (budgets, memory shares, validation), against <see cref="FakeXl"/>.</summary>
public class XenSpecTests : IDisposable
{
    readonly TempDir dir = new();
    readonly FakeXl xl = new();
    readonly ScriptedProcessRunner processes = new();
    readonly string cfg;

    public XenSpecTests()
    {
        cfg = dir["vm1.cfg"];
        File.WriteAllText(cfg, "name = \"vm1\"\nmemory = 160\n");
    }

    public void Dispose() => dir.Dispose();

    AgentResult Run(string action, params (string, string)[] parameters)
    {
        var invoker = new AgentInvoker { Processes = processes, Cluster = new XenTestCluster() }
            .With("HA_RSCTMP", dir["rsctmp"]).With("OCF_RESOURCE_INSTANCE", "rsc-vm1").With("PATH", "/usr/sbin:/usr/bin");
        invoker.Param("xmfile", cfg);
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        return invoker.Run(new XenAgent((_, _) => xl), action);
    }

    [Fact]
    public void Stop_cuts_a_long_shutdown_timeout_short_so_destroy_keeps_its_share()
    {
        xl.Add("vm1");
        xl.IgnoreShutdown.Add("vm1");
        var sw = Stopwatch.StartNew();
        var r = Run("stop", ("CRM_meta_timeout", "8000"), ("shutdown_timeout", "300"));
        r.ExitCode.Should().Be(0, r.Stderr);
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8));
        var destroy = xl.Calls.First(c => c.Call == "destroy vm1").At;
        // deadline = 8 s - 0.4 s margin; a quarter of it (at least 2 s) is kept for destroy.
        destroy.Should().BeGreaterThan(TimeSpan.FromSeconds(4.5)).And.BeLessThan(TimeSpan.FromSeconds(6.5));
        r.Stderr.Should().Contain("the rest is kept for xl destroy");
    }

    [Fact]
    public void Without_shutdown_timeout_two_thirds_of_the_stop_timeout_are_graceful()
    {
        xl.Add("vm1");
        xl.IgnoreShutdown.Add("vm1");
        var r = Run("stop", ("CRM_meta_timeout", "6000"));
        r.ExitCode.Should().Be(0, r.Stderr);
        // 2/3 of 6 s = 4 s, and the destroy reserve (2 s of the 5.7 s deadline) permits 3.7 s.
        xl.Calls.First(c => c.Call == "destroy vm1").At.Should().BeGreaterThan(TimeSpan.FromSeconds(3.2)).And.BeLessThan(TimeSpan.FromSeconds(4.4));
    }

    [Fact]
    public void A_stop_of_a_stopped_domain_looks_again_through_the_reboot_window_then_succeeds()
    {
        var r = Run("stop");
        r.ExitCode.Should().Be(0);
        xl.Calls.Select(c => c.Call).Should().Equal(
            ["list vm1", "list migrating-vm1", "list vm1", "list vm1", "list vm1", "list vm1", "list vm1", "list vm1"],
            "one look, the migrating name, then 5 retries a second apart as the shell agent does");
    }

    [Fact]
    public void A_recurring_monitor_of_a_vanished_domain_retries_5_times_then_reports_7()
    {
        var sw = Stopwatch.StartNew();
        var r = Run("monitor", ("CRM_meta_interval", "10000"));
        r.ExitCode.Should().Be(7);
        sw.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(4.5)).And.BeLessThan(TimeSpan.FromSeconds(8));
        xl.Calls.Should().HaveCount(6, "one look and 5 retries a second apart");
        r.Stderr.Should().Contain("Xen domain vm1 stopped");
    }

    [Fact]
    public void The_reboot_retries_never_outlast_a_short_monitor_timeout()
    {
        var sw = Stopwatch.StartNew();
        Run("monitor", ("CRM_meta_interval", "10000"), ("CRM_meta_timeout", "2500")).ExitCode.Should().Be(7);
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public void Memory_share_with_no_other_domain_on_stop_divides_by_one()
    {
        xl.Add("vm1");
        xl.TotalMemory = 2048;
        Run("stop", ("allow_mem_management", "true")).ExitCode.Should().Be(0);
        xl.Calls.Select(c => c.Call).Should().ContainInOrder("shutdown vm1", "list", "info").And.NotContain(c => c.StartsWith("mem-set"));
    }

    [Fact]
    public void A_reserve_larger_than_the_host_leaves_memory_alone_and_the_domain_still_starts()
    {
        xl.TotalMemory = 1024;
        var r = Run("start", ("allow_mem_management", "true"), ("reserved_Dom0_memory", "4096"));
        r.ExitCode.Should().Be(0, r.Stderr);
        xl.Calls.Select(c => c.Call).Should().Contain($"create {cfg} name=\"vm1\"");
        r.Stderr.Should().Contain("leaves nothing of the 1024 MiB");
    }

    [Fact]
    public void A_pvh_guest_is_migrated_without_asking_xl_info()
    {
        File.WriteAllText(cfg, "name = \"vm1\"\ntype = \"pvh\"\n");
        xl.Add("vm1");
        xl.VirtCaps = "pv hvm hap gnttab-v1 gnttab-v2";
        Run("migrate_to", ("CRM_meta_migrate_target", "node2")).ExitCode.Should().Be(0);
        xl.Calls.Select(c => c.Call).Should().Equal("list vm1", "migrate vm1 node2");
    }

    [Fact]
    public void A_pv_guest_is_migrated_where_the_hypervisor_has_shadow_paging()
    {
        xl.Add("vm1");
        Run("migrate_to", ("CRM_meta_migrate_target", "node2")).ExitCode.Should().Be(0);
        xl.Calls.Select(c => c.Call).Should().Equal("list vm1", "info", "migrate vm1 node2");
    }

    [Fact]
    public void A_failed_node_attribute_read_migrates_to_the_node_name()
    {
        xl.Add("vm1");
        var invoker = new AgentInvoker { Processes = processes, Cluster = new XenTestCluster { NodeAttributesFail = true } }
            .With("HA_RSCTMP", dir["rsctmp"]).With("PATH", "/usr/sbin").Param("xmfile", cfg)
            .Param("node_ip_attribute", "mig").Param("CRM_meta_migrate_target", "node2");
        var r = invoker.Run(new XenAgent((_, _) => xl), "migrate_to");
        r.ExitCode.Should().Be(0);
        xl.Calls.Select(c => c.Call).Should().Contain("migrate vm1 node2");
        r.Stderr.Should().Contain("cannot read node attribute mig of node2");
    }

    [Fact]
    public void Meta_data_has_every_parameter_of_the_shell_agent_and_its_timeouts()
    {
        var r = Run("meta-data");
        r.ExitCode.Should().Be(0);
        var doc = System.Xml.Linq.XDocument.Parse(r.Stdout);
        doc.Descendants("parameter").Select(p => (string)p.Attribute("name")!).Should().Equal(
            "xmfile", "name", "shutdown_timeout", "shutdown_acpi", "allow_mem_management", "node_ip_attribute",
            "reserved_Dom0_memory", "autoset_utilization_cpu", "autoset_utilization_hv_memory", "monitor_scripts");
        var timeouts = doc.Descendants("action").ToDictionary(a => (string)a.Attribute("name")!, a => (string)a.Attribute("timeout")!);
        timeouts.Should().Contain(new Dictionary<string, string>
        {
            ["start"] = "60s", ["stop"] = "40s", ["migrate_from"] = "120s", ["migrate_to"] = "120s",
            ["monitor"] = "30s", ["meta-data"] = "5s", ["validate-all"] = "5s",
        });
        timeouts.Should().ContainKey("reload");
        doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "xmfile").Attribute("unique")!.Value.Should().Be("1");
        doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "reserved_Dom0_memory").Element("content")!.Attribute("default")!.Value.Should().Be("512");
        doc.Root!.Element("longdesc")!.Value.Should().Contain("Differences from ocf:heartbeat:Xen");
    }
}

/// <summary>Hostile and malformed parameter values: the right code, one clear reason, nothing through a shell.</summary>
public class XenHostileValueTests : IDisposable
{
    readonly XlStandin xl = new();
    readonly string cfg;
    readonly string marker;

    public XenHostileValueTests()
    {
        cfg = xl.Config("vm1.cfg", "name = \"vm1\"\nmemory = 160\n");
        marker = xl["pwned"];
    }

    public void Dispose() => xl.Dispose();

    AgentResult Run(string action, params (string, string)[] parameters)
    {
        var invoker = new AgentInvoker().With("HA_RSCTMP", xl["rsctmp"]).With("OCF_RESOURCE_INSTANCE", "rsc").With("PATH", xl.Bin).Param("xmfile", cfg);
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        return invoker.Run(new XenAgent(), action);
    }

    [Theory]
    [InlineData("$(touch {0})")]
    [InlineData("vm1; touch {0}")]
    [InlineData("`touch {0}`")]
    [InlineData("vm1 && touch {0} #")]
    [InlineData("wébsérver-ü-虚拟机")]
    public void A_name_with_shell_syntax_or_non_ascii_reaches_xl_literally(string template)
    {
        string name = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, marker);
        Run("monitor", ("name", name)).ExitCode.Should().Be(7);
        var start = Run("start", ("name", name));
        start.ExitCode.Should().Be(0, start.Stderr);
        xl.CallArguments.Should().ContainEquivalentOf(new[] { "create", cfg, "name=\"" + name + "\"" });
        xl.Domains.Should().Equal(name);
        Run("stop", ("name", name), ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        File.Exists(marker).Should().BeFalse("nothing ran through a shell");
    }

    [Fact]
    public void A_4_KiB_name_is_passed_as_one_argument()
    {
        string name = new('x', 4096);
        Run("monitor", ("name", name)).ExitCode.Should().Be(7);
        xl.CallArguments.Single().Should().Equal("list", name);
    }

    [Theory]
    [InlineData("name", "vm1\nvm2", "parameter 'name' contains a control character (line break or similar): 'vm1\\nvm2'")]
    [InlineData("name", "-l", "parameter 'name' must not begin with '-' (xl would take it as an option): '-l'")]
    [InlineData("name", "0", "parameter 'name' must not be a number (xl would take it as a domain id): '0'")]
    [InlineData("name", "Domain-0", "parameter 'name' must not be Domain-0 (dom0 itself): 'Domain-0'")]
    [InlineData("name", "a\"b", "parameter 'name' must not contain quotes or backslashes: 'a\"b'")]
    [InlineData("xmfile", "$(touch /tmp/x)", "parameter 'xmfile' must be an absolute path: '$(touch /tmp/x)'")]
    [InlineData("xmfile", "", "required parameter 'xmfile' is empty")]
    [InlineData("shutdown_timeout", "5; reboot", "parameter 'shutdown_timeout' must be a whole number of seconds: '5; reboot'")]
    [InlineData("shutdown_timeout", "-1", "parameter 'shutdown_timeout' must be a whole number of seconds: '-1'")]
    [InlineData("reserved_Dom0_memory", "512M", "parameter 'reserved_Dom0_memory' must be a whole number of MiB: '512M'")]
    [InlineData("shutdown_acpi", "maybe", "parameter 'shutdown_acpi' must be a truth value (true/false, yes/no, 1/0, on/off), not 'maybe'")]
    public void A_bad_value_is_exit_6_with_one_reason_and_no_xl_call(string parameter, string value, string reason)
    {
        var r = Run("start", (parameter, value));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be(reason);
        r.ExitReasonCount.Should().Be(1);
        xl.Calls.Should().BeEmpty();
    }

    [Fact]
    public void An_xmfile_path_with_shell_syntax_is_just_a_missing_file()
    {
        string path = "/tmp/$(touch " + marker + ")/vm.cfg";
        Run("monitor", ("xmfile", path)).ExitCode.Should().Be(7);
        var start = Run("start", ("xmfile", path));
        start.ExitCode.Should().Be(5);
        start.ExitReasonCount.Should().Be(1);
        File.Exists(marker).Should().BeFalse();
    }

    [Fact]
    public void An_endless_xmfile_is_not_read_to_the_end()
    {
        // /dev/zero "exists"; reading it whole would exhaust the agent's 128 MiB heap.
        var r = Run("monitor", ("xmfile", "/dev/zero"));
        r.ExitCode.Should().Be(7, r.Stderr);
        xl.Calls.Should().Equal("list rsc");
        // The stand-in xl reads it forever too: the start deadline ends that.
        var start = Run("start", ("xmfile", "/dev/zero"), ("CRM_meta_timeout", "3000"));
        start.Stderr.Should().Contain("larger than 1024 KiB, not a domain configuration");
        start.ExitCode.Should().Be(1);
        start.ExitReason.Should().StartWith("xl create '/dev/zero' for domain 'rsc' did not finish within");
    }

    [Fact]
    public void A_hostile_name_inside_the_file_is_ignored_for_the_resource_id()
    {
        string bad = xl.Config("bad.cfg", "name = \"-l\"\nmemory = 160\n");
        Run("start", ("xmfile", bad)).ExitCode.Should().Be(0);
        xl.Domains.Should().Equal("rsc");
    }

    [Fact]
    public void A_migration_target_that_looks_like_an_option_is_refused()
    {
        xl.AddDomain("vm1", 3);
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "-s"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("migrate_to: target address '-s' begins with '-'");
        xl.Calls.Should().NotContain(c => c.StartsWith("migrate"));
    }
}
