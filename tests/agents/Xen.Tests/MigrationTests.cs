using System.Diagnostics;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// migrate_to (xl migrate to the target's node_ip_attribute or name; PV guests refused where
/// the hypervisor cannot migrate them) and migrate_from (the wait for the domain to arrive).
/// </summary>
public class MigrationTests : XenFixture
{
    [Fact]
    public void Migrate_to_runs_xl_migrate_to_the_node_ip_attribute()
    {
        Xl.AddDomain("vm1", 3);
        Cluster.NodeAttributes[("node2", "migration_ip")] = "198.51.100.7";
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip"));
        r.ExitCode.Should().Be(0, r.Stderr);
        Xl.Calls.Should().Equal("list vm1", "migrate vm1 198.51.100.7");
    }

    [Theory]
    [InlineData("")]
    [InlineData("(null)")]
    public void An_empty_or_null_node_ip_attribute_falls_back_to_the_node_name(string value)
    {
        Xl.AddDomain("vm1", 3);
        Cluster.NodeAttributes[("node2", "migration_ip")] = value;
        Run("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip")).ExitCode.Should().Be(0);
        Xl.Calls.Should().Contain("migrate vm1 node2");
    }

    [Fact]
    public void A_failed_node_attribute_read_migrates_to_the_node_name()
    {
        Fake.Add("vm1");
        Cluster.NodeAttributesFail = true;
        var r = RunFake("migrate_to", ("node_ip_attribute", "mig"), ("CRM_meta_migrate_target", "node2"));
        r.ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Contain("migrate vm1 node2");
        r.Stderr.Should().Contain("cannot read node attribute mig of node2");
    }

    [Fact]
    public void A_migration_target_that_looks_like_an_option_is_refused()
    {
        Xl.AddDomain("vm1", 3);
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "-s"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("migrate_to: the target address '-s' of node '-s' is not a host name or an IP address; xl would pass it to a shell, so the migration is refused");
        Xl.Calls.Should().NotContain(c => c.StartsWith("migrate"));
    }

    /// <summary>xl runs "sh -c 'exec ssh HOST xl migrate-receive'": the address must never reach it unless it is a plain host.</summary>
    [Theory]
    [InlineData("node2$(touch {0})")]
    [InlineData("node2; touch {0}")]
    [InlineData("node2 `touch {0}`")]
    [InlineData("-oProxyCommand=touch {0}")]
    [InlineData("node2 -oProxyCommand=x")]
    [InlineData("node2\nx")]
    public void A_node_ip_attribute_value_that_is_no_host_is_refused_and_xl_never_runs(string template)
    {
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Xl["pwned"]);
        Xl.AddDomain("vm1", 3);
        Cluster.NodeAttributes[("node2", "migration_ip")] = value;
        var r = Run("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip"));
        r.ExitCode.Should().Be(1, r.Stderr);
        r.ExitReason.Should().StartWith("migrate_to: the target address '").And.EndWith("' of node 'node2' is not a host name or an IP address; xl would pass it to a shell, so the migration is refused");
        r.ExitReasonCount.Should().Be(1);
        Xl.Calls.Should().Equal("list vm1");
        Xl.Domains.Should().Equal("vm1");
        File.Exists(Xl["pwned"]).Should().BeFalse();
    }

    [Fact]
    public void A_target_node_name_that_is_no_host_is_refused()
    {
        Fake.Add("vm1");
        var r = RunFake("migrate_to", ("CRM_meta_migrate_target", "node2;reboot"));
        r.ExitCode.Should().Be(1);
        Fake.Calls.Select(c => c.Call).Should().Equal("list vm1");
    }

    [Fact]
    public void An_ipv6_node_ip_attribute_is_a_target()
    {
        Fake.Add("vm1");
        Cluster.NodeAttributes[("node2", "migration_ip")] = "2001:db8::7";
        RunFake("migrate_to", ("CRM_meta_migrate_target", "node2"), ("node_ip_attribute", "migration_ip")).ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Contain("migrate vm1 2001:db8::7");
    }

    [Fact]
    public void A_pvh_guest_is_migrated_without_asking_xl_info()
    {
        Fake.Add("vm1");
        Fake.VirtCaps = "pv hvm hap gnttab-v1 gnttab-v2";
        RunFake("migrate_to", ("CRM_meta_migrate_target", "node2")).ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Equal("list vm1", "migrate vm1 node2");
    }

    [Fact]
    public void A_pv_guest_is_migrated_where_the_hypervisor_has_shadow_paging()
    {
        string pv = Xl.Config("pv.cfg", "name = \"vm1\"\nmemory = 160\n");
        Fake.Add("vm1");
        RunFake("migrate_to", ("xmfile", pv), ("CRM_meta_migrate_target", "node2")).ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Equal("list vm1", "info", "migrate vm1 node2");
    }

    [Fact]
    public void A_pv_guest_is_not_migrated_on_a_hypervisor_without_shadow_paging()
    {
        string pv = Xl.Config("pv.cfg", "name = \"vm1\"\ntype = \"pv\"\nmemory = 160\n");
        Xl.AddDomain("vm1", 3);
        var r = Run("migrate_to", ("xmfile", pv), ("CRM_meta_migrate_target", "node2"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("domain 'vm1' is a PV guest and this hypervisor cannot live-migrate PV guests (no shadow paging; xl info virt_caps: pv hvm hap gnttab-v1 gnttab-v2): Pacemaker will stop and start it instead");
        Xl.Calls.Should().Equal("list vm1", "info");
        Xl.Domains.Should().Equal("vm1");
    }

    [Fact]
    public void A_pv_migration_xl_refuses_says_why()
    {
        // The hypervisor claims shadow paging, so xl tries, and fails as Debian's build does.
        string pv = Xl.Config("pv.cfg", "name = \"vm1\"\nmemory = 160\n");
        Xl.AddDomain("vm1", 3);
        Xl.Knob("virt_caps", "pv hvm hap shadow gnttab-v1 gnttab-v2");
        Xl.Knob("migrate", "pv-fail");
        var r = Run("migrate_to", ("xmfile", pv), ("CRM_meta_migrate_target", "node2"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("xl migrate of domain 'vm1' to 'node2' failed: Xen could not enable log-dirty mode (a PV guest needs shadow paging to be live-migrated); the domain keeps running here");
        Xl.Domains.Should().Equal("vm1");
    }

    [Fact]
    public void Migrate_to_an_unreachable_host_reports_xls_error()
    {
        Xl.AddDomain("vm1", 3);
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
        var t = new Thread(() => { Thread.Sleep(1200); Xl.AddDomain("vm1", 9); });
        t.Start();
        Run("migrate_from", ("CRM_meta_migrate_source", "node2")).ExitCode.Should().Be(0);
        t.Join();
        File.WriteAllText(Path.Combine(Xl.State, "domains"), "");
        var sw = Stopwatch.StartNew();
        var r = Run("migrate_from", ("CRM_meta_timeout", "3000"));
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("migrate_from: domain 'vm1' is not active locally: migration failed");
    }
}
