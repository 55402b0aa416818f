using System.Diagnostics;
using HaCluster.Agents.Xen;
using HaCluster.Testing;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// ocf:hacluster:Xen driven through the real process runner against the xl STAND-IN (xl-standin/xl,
/// which replays real xl's streams and exit codes; tests/integration/xen/README.md, "What xl
/// prints" and "The xl stand-in").
/// </summary>
public class XenStandinTests : IDisposable
{
    readonly XlStandin xl = new();
    readonly XenTestCluster cluster = new();
    readonly string cfg;

    public XenStandinTests()
    {
        cfg = xl.Config("vm1.cfg", """
            # a PVH guest, as in the lab
            name = "vm1"
            type = "pvh"
            kernel = "/lab/vmlinuz"
            memory = 160
            vcpus = 1
            """);
    }

    public void Dispose() => xl.Dispose();

    AgentResult Run(string action, params (string, string)[] parameters) => Run(action, xl.Bin, parameters);

    AgentResult Run(string action, string path, params (string, string)[] parameters)
    {
        var invoker = new AgentInvoker { Cluster = cluster }
            .With("HA_RSCTMP", xl["rsctmp"]).With("OCF_RESOURCE_INSTANCE", "rsc-vm1").With("PATH", path);
        bool hasFile = false;
        foreach (var (k, v) in parameters)
        {
            invoker.Param(k, v);
            hasFile |= k == "xmfile";
        }
        if (!hasFile) invoker.Param("xmfile", cfg);
        return invoker.Run(new XenAgent(), action);
    }

    static (string, string) Recurring => ("CRM_meta_interval", "10000");

    [Fact]
    public void Start_monitor_stop_against_the_standin()
    {
        var start = Run("start");
        start.ExitCode.Should().Be(0, start.Stderr);
        xl.Calls.Should().Equal("list vm1", $"create {cfg} name=\"vm1\"", "list vm1");
        xl.Domains.Should().Equal("vm1");

        xl.ClearCalls();
        Run("monitor", Recurring).ExitCode.Should().Be(0);
        xl.Calls.Should().Equal(["list vm1"], "a monitor is exactly one xl list");

        var stop = Run("stop");
        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.Stderr.Should().NotContain("kept for xl destroy", "2/3 of the 40 s stop timeout fit before the destroy reserve");
        xl.Domains.Should().BeEmpty();
        xl.Calls.Should().ContainInOrder("shutdown vm1", "list vm1").And.NotContain(c => c.StartsWith("destroy"));
        Run("monitor", ("CRM_meta_interval", "0")).ExitCode.Should().Be(7);
    }

    [Fact]
    public void Start_of_a_running_domain_creates_nothing()
    {
        xl.AddDomain("vm1", 4);
        Run("start").ExitCode.Should().Be(0);
        xl.Calls.Should().Equal("list vm1");
    }

    [Fact]
    public void The_name_parameter_wins_over_the_file_and_is_passed_quoted_to_xl_create()
    {
        Run("start", ("name", "web 1")).ExitCode.Should().Be(0);
        xl.CallArguments.Should().ContainEquivalentOf(new[] { "create", cfg, "name=\"web 1\"" });
        xl.Domains.Should().Equal("web 1");
    }

    [Fact]
    public void Without_a_name_in_the_file_the_resource_id_is_the_domain_name()
    {
        string noName = xl.Config("noname.cfg", "memory = 128\nkernel = \"/lab/vmlinuz\"\n");
        Run("start", ("xmfile", noName)).ExitCode.Should().Be(0);
        xl.Domains.Should().Equal("rsc-vm1");
    }

    [Fact]
    public void A_failed_create_reports_xls_error_line()
    {
        xl.AddDomain("vm1", 2);
        // Same name created by someone else meanwhile: the monitor says running, so force the
        // failure through create_fails instead.
        xl.Knob("create_fails", "");
        var r = Run("start", ("name", "other"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be($"xl create '{cfg}' for domain 'other' exited with status 3: xc: error: panic: xg_dom_core.c:205: failed to open file '/lab/nokernel': No such file or directory: Internal error");
        r.ExitReasonCount.Should().Be(1);
    }

    [Fact]
    public void Utilization_comes_from_the_row_of_the_monitors_one_xl_list()
    {
        xl.AddDomain("vm1", 3, mem: 768, vcpus: 2);
        Run("monitor", Recurring, ("autoset_utilization_cpu", "true"), ("autoset_utilization_hv_memory", "true")).ExitCode.Should().Be(0);
        xl.Calls.Should().Equal("list vm1");
        cluster.Calls.Should().Equal("utilization cpu=2", "utilization hv_memory=768");
    }

    [Fact]
    public void A_recurring_monitor_retries_through_a_reboot_window()
    {
        // The domain is gone for the first list calls and back afterwards, as during a reboot.
        xl.AddDomain("vm1", 3);
        File.WriteAllText(Path.Combine(xl.State, "domains"), "");
        var t = new Thread(() => { Thread.Sleep(1500); xl.AddDomain("vm1", 5); });
        t.Start();
        var r = Run("monitor", Recurring);
        t.Join();
        r.ExitCode.Should().Be(0, r.Stderr);
        xl.Calls.Count(c => c == "list vm1").Should().BeGreaterThan(1);
        r.Stderr.Should().Contain("reported as not running, but it is expected to be running");
    }

    [Fact]
    public void A_probe_asks_once()
    {
        Run("monitor").ExitCode.Should().Be(7);
        xl.Calls.Should().Equal("list vm1");
    }

    [Fact]
    public void Stop_escalates_to_destroy_for_a_guest_that_ignores_shutdown()
    {
        xl.AddDomain("vm1", 3, flags: "ignore-shutdown");
        var sw = Stopwatch.StartNew();
        var r = Run("stop", ("shutdown_timeout", "2"));
        r.ExitCode.Should().Be(0, r.Stderr);
        sw.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.8)).And.BeLessThan(TimeSpan.FromSeconds(8));
        xl.Calls.Should().ContainInOrder("shutdown vm1", "destroy vm1");
        xl.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Shutdown_acpi_presses_the_power_button()
    {
        xl.AddDomain("vm1", 3);
        Run("stop", ("shutdown_acpi", "yes")).ExitCode.Should().Be(0);
        xl.Calls.Should().Contain("trigger vm1 power").And.NotContain(c => c.StartsWith("shutdown"));
    }

    [Fact]
    public void Shutdown_timeout_0_destroys_at_once()
    {
        xl.AddDomain("vm1", 3);
        Run("stop", ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        xl.Calls.Should().Equal("list vm1", "destroy vm1", "list vm1");
    }

    [Fact]
    public void A_domain_that_survives_destroy_fails_the_stop_before_the_timeout_with_a_reason()
    {
        xl.AddDomain("vm1", 3, flags: "ignore-shutdown undestroyable");
        var sw = Stopwatch.StartNew();
        var r = Run("stop", ("CRM_meta_timeout", "6000"));
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6), "Pacemaker kills the agent at the timeout");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("domain 'vm1' still exists after xl destroy until the stop timeout");
        xl.Calls.Count(c => c == "destroy vm1").Should().BeGreaterThan(0);
    }

    [Fact]
    public void Stop_handles_the_migrating_domain()
    {
        xl.AddDomain("migrating-vm1", 8);
        Run("stop").ExitCode.Should().Be(0);
        xl.Calls.Should().Contain("shutdown migrating-vm1");
        xl.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Migrate_to_runs_xl_migrate_to_the_node_ip_attribute()
    {
        xl.AddDomain("vm1", 3);
        cluster.NodeAttributes[("node2", "migration_ip")] = "198.51.100.7";
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip"));
        r.ExitCode.Should().Be(0, r.Stderr);
        xl.Calls.Should().Equal("list vm1", "migrate vm1 198.51.100.7");
    }

    [Theory]
    [InlineData("")]
    [InlineData("(null)")]
    public void An_empty_or_null_node_ip_attribute_falls_back_to_the_node_name(string value)
    {
        xl.AddDomain("vm1", 3);
        cluster.NodeAttributes[("node2", "migration_ip")] = value;
        Run("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip")).ExitCode.Should().Be(0);
        xl.Calls.Should().Contain("migrate vm1 node2");
    }

    [Fact]
    public void A_pv_guest_is_not_migrated_on_a_hypervisor_without_shadow_paging()
    {
        string pv = xl.Config("pv.cfg", "name = \"vm1\"\ntype = \"pv\"\nmemory = 160\n");
        xl.AddDomain("vm1", 3);
        var r = Run("migrate_to", ("xmfile", pv), ("CRM_meta_migrate_target", "node2"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("domain 'vm1' is a PV guest and this hypervisor cannot live-migrate PV guests (no shadow paging; xl info virt_caps: pv hvm hap gnttab-v1 gnttab-v2): Pacemaker will stop and start it instead");
        xl.Calls.Should().Equal("list vm1", "info");
        xl.Domains.Should().Equal("vm1");
    }

    [Fact]
    public void A_pv_migration_xl_refuses_says_why()
    {
        // The hypervisor claims shadow paging, so xl tries, and fails as Debian's build does.
        string pv = xl.Config("pv.cfg", "name = \"vm1\"\nmemory = 160\n");
        xl.AddDomain("vm1", 3);
        xl.Knob("virt_caps", "pv hvm hap shadow gnttab-v1 gnttab-v2");
        xl.Knob("migrate", "pv-fail");
        var r = Run("migrate_to", ("xmfile", pv), ("CRM_meta_migrate_target", "node2"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("xl migrate of domain 'vm1' to 'node2' failed: Xen could not enable log-dirty mode (a PV guest needs shadow paging to be live-migrated); the domain keeps running here");
        xl.Domains.Should().Equal("vm1");
    }

    [Fact]
    public void Migrate_to_an_unreachable_host_reports_xls_error()
    {
        xl.AddDomain("vm1", 3);
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "nosuchhost"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("xl migrate of domain 'vm1' to 'nosuchhost' exited with status 1: libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading banner from migration receiver stream");
    }

    [Fact]
    public void Migrate_to_a_stopped_domain_fails_not_active_locally()
    {
        var r = Run("migrate_to");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("migrate_to: domain 'vm1' is not active locally");
    }

    [Fact]
    public void Migrate_from_waits_for_the_domain_and_gives_up_at_the_deadline()
    {
        var t = new Thread(() => { Thread.Sleep(1200); xl.AddDomain("vm1", 9); });
        t.Start();
        Run("migrate_from", ("CRM_meta_migrate_source", "node2")).ExitCode.Should().Be(0);
        t.Join();
        File.WriteAllText(Path.Combine(xl.State, "domains"), "");
        var sw = Stopwatch.StartNew();
        var r = Run("migrate_from", ("CRM_meta_timeout", "3000"));
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("migrate_from: domain 'vm1' is not active locally: migration failed");
    }

    [Fact]
    public void Memory_management_shares_total_memory_less_dom0s_reserve_and_leaves_the_file_alone()
    {
        xl.AddDomain("other", 2, mem: 1000);
        string before = File.ReadAllText(cfg);
        var r = Run("start", ("allow_mem_management", "1"), ("reserved_Dom0_memory", "1023"));
        r.ExitCode.Should().Be(0, r.Stderr);
        // (2047 - 1023) / (1 running + 1 new) = 512
        xl.Calls.Should().ContainInOrder("list", "info", "mem-set other 512", $"create {cfg} name=\"vm1\" memory=512");
        File.ReadAllText(cfg).Should().Be(before, "the xmfile is never modified");

        xl.ClearCalls();
        Run("stop", ("allow_mem_management", "1"), ("reserved_Dom0_memory", "1023")).ExitCode.Should().Be(0);
        xl.Calls.Should().ContainInOrder("shutdown vm1", "list", "info", "mem-set other 1024");
    }

    [Fact]
    public void A_missing_xmfile_is_not_installed_for_probe_stop_and_start()
    {
        string gone = xl["gone.cfg"];
        Run("monitor", ("xmfile", gone)).ExitCode.Should().Be(7);
        Run("stop", ("xmfile", gone), ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        var start = Run("start", ("xmfile", gone));
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be($"config file '{gone}' for domain 'rsc-vm1' does not exist");
        Run("validate-all", ("xmfile", gone)).ExitCode.Should().Be(5);
    }

    [Fact]
    public void A_running_domain_is_running_even_when_its_xmfile_is_missing()
    {
        // Shared storage unmounted: reporting "stopped" would start the domain twice.
        xl.AddDomain("vm1", 3);
        Run("monitor", ("xmfile", xl["gone.cfg"]), ("name", "vm1")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Without_xl_a_probe_is_7_stop_0_and_start_5()
    {
        string empty = xl["empty-bin"];
        Directory.CreateDirectory(empty);
        Run("monitor", empty).ExitCode.Should().Be(7);
        Run("stop", empty).ExitCode.Should().Be(0);
        var start = Run("start", empty);
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be("xl (the Xen toolstack) is not installed: not found in PATH");
    }

    [Fact]
    public void An_xl_that_cannot_reach_the_hypervisor_is_a_failure_not_stopped()
    {
        xl.Knob("broken", "");
        var r = Run("monitor");
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot tell whether domain 'vm1' runs: xl list exited with status 1: xencall: error: Could not obtain handle on privileged command interface: No such file or directory");
    }

    [Fact]
    public void Monitor_scripts_run_without_a_shell_and_a_failing_one_fails_the_monitor()
    {
        xl.AddDomain("vm1", 3);
        Run("monitor", $"{xl.Bin}:/usr/bin:/bin", Recurring, ("monitor_scripts", "/bin/true  true")).ExitCode.Should().Be(0, "'true' is found in PATH");
        var r = Run("monitor", Recurring, ("monitor_scripts", "/bin/true /bin/false"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("monitor script '/bin/false' of domain 'vm1' exited with status 1");
        var missing = Run("monitor", Recurring, ("monitor_scripts", "no-such-check"));
        missing.ExitCode.Should().Be(1);
        missing.ExitReason.Should().Be("monitor script 'no-such-check' of domain 'vm1' is not an executable program");
    }

    [Fact]
    public void Status_is_one_list()
    {
        Run("status").ExitCode.Should().Be(7);
        xl.AddDomain("vm1", 3);
        Run("status").ExitCode.Should().Be(0);
        xl.Calls.Should().Equal("list vm1", "list vm1");
    }
}
