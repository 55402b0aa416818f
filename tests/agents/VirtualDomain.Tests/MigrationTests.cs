using HaCluster.Agents.VirtualDomain;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// migrate_to and migrate_from: one live peer-to-peer call planned by the shell rules, aborted at
/// the deadline; the target waits for the domain.
/// </summary>
public class MigrationTests : VirtualDomainFixture
{
    static readonly (string, string) ToNode2 = ("CRM_meta_migrate_target", "node2");

    [Fact]
    public void Migrate_to_is_one_live_peer_to_peer_call_to_remoteuri_with_the_options_mapped()
    {
        Libvirt.Add("vm1");
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+tls://%n.example.com/system"),
            ("migrate_options", "--p2p --tunnelled --compressed --auto-converge --persistent --undefinesource --abort-on-error --unsafe --postcopy --tls --parallel --copy-storage-all --migrateuri=tcp://%n-mig:49160"),
            ("migration_speed", "100"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        var call = Libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal));
        var flags = MigrateFlags.Live | MigrateFlags.PeerToPeer | MigrateFlags.Tunnelled | MigrateFlags.Compressed | MigrateFlags.AutoConverge
            | MigrateFlags.PersistDest | MigrateFlags.UndefineSource | MigrateFlags.AbortOnError | MigrateFlags.Unsafe | MigrateFlags.Postcopy
            | MigrateFlags.Tls | MigrateFlags.Parallel | MigrateFlags.NonSharedDisk;
        call.Should().Be($"migrate vm1 to qemu+tls://node2.example.com/system [migrate_uri=tcp://node2-mig:49160,bandwidth=100] {flags}");
        Libvirt.Domains.Should().BeEmpty();
    }

    [Fact]
    public void Migrate_to_derives_the_destination_from_the_hypervisor_uri_by_the_shell_rules()
    {
        Libvirt.Add("vm1");
        Run("migrate_to", ("CRM_meta_migrate_target", "node2.example.com"), ("hypervisor", "qemu:///system"), ("migration_transport", "ssh"),
            ("migration_user", "admin"), ("migration_network_suffix", "-mig"), ("migrateport", "49155")).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should()
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
        Libvirt.Add("vm1");
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("migrate_options", "--live --dname=x")), OcfExitCode.ErrConfigured, "'--dname=x'");
        Libvirt.Count("migrate").Should().Be(0);
    }

    [Fact]
    public void Migrate_to_needs_a_locally_running_domain_and_a_target()
    {
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "not active locally");
        Libvirt.Add("vm1");
        ShouldFail(Run("migrate_to", ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "migrate_target");
    }

    [Fact]
    public void A_failed_migration_is_an_error_with_libvirts_reason()
    {
        Libvirt.Add("vm1");
        Libvirt.MigrateError = new LibvirtException(LibvirtErrorCode.OperationFailed, "operation failed: migration out job: unexpectedly failed");
        ShouldFail(Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system")), OcfExitCode.ErrGeneric, "live migration of 'vm1' to node2 failed: operation failed");
        Libvirt.Domains.Should().ContainKey("vm1");
    }

    [Fact]
    public void A_migration_that_outlives_the_deadline_is_aborted_and_fails()
    {
        Libvirt.Add("vm1");
        Libvirt.MigrateHangs = true;
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), Timeout(120000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not finish within the migrate_to timeout and was aborted");
        Libvirt.Calls.Should().Contain("abortjob vm1");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(120));
    }

    [Fact]
    public void Migration_downtime_is_set_on_a_second_connection_while_the_job_runs()
    {
        Libvirt.Add("vm1");
        Libvirt.MigrationWaitsForDowntime = true;
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("migration_downtime", "250"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.Calls.Should().Contain("setmaxdowntime vm1 250");
        Libvirt.OpenedUris.Should().HaveCountGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void Migrate_to_starts_resources_on_a_local_destination_and_saves_the_config_first()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk>"));
        Libvirt.Add("vm1").Xml = FakeLibvirt.DomainXml("vm1", extraDevices: "<disk><source pool='p1' volume='a'/></disk><!--saved-->");
        Libvirt.Pools["p1"] = false;
        const string destination = "qemu+unix:///system?socket=/nonexistent/node2-sock";
        var r = Run("migrate_to", ToNode2, ("remoteuri", destination), ("start_resources", "true"), ("save_config_on_stop", "true"),
            ("migrate_options", "--parallel --parallel-connections=4"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Libvirt.OpenedUris.Should().Contain(destination);
        Libvirt.Calls.Should().ContainInOrder("getxml vm1 Secure, Inactive", "pool-start p1");
        Libvirt.Calls.FindIndex(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should().BeGreaterThan(Libvirt.Calls.IndexOf("pool-start p1"));
        Libvirt.Calls.Single(c => c.StartsWith("migrate", StringComparison.Ordinal)).Should().Contain("[parallel.connections=4]");
        File.ReadAllText(ConfigPath).Should().Contain("<!--saved-->");
    }

    [Fact]
    public void Migrate_to_a_remote_destination_only_warns_about_start_resources()
    {
        Libvirt.Add("vm1");
        var r = Run("migrate_to", ToNode2, ("remoteuri", "qemu+ssh://%n/system"), ("start_resources", "true"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        r.Stderr.Should().Contain("cannot be started on the target from here");
        Libvirt.OpenedUris.Should().NotContain(u => u.Contains("ssh", StringComparison.Ordinal) && !u.StartsWith(Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void Migrate_from_succeeds_when_the_domain_is_here_and_records_it()
    {
        Libvirt.Add("vm1");
        Run("migrate_from", ("CRM_meta_migrate_source", "node1")).Code.Should().Be(OcfExitCode.Success);
        File.Exists(Path.Combine(RscTmp, "hacluster-Test-vm.domain")).Should().BeTrue();
    }

    [Fact]
    public void Migrate_from_gives_up_at_its_deadline_when_the_domain_never_arrives()
    {
        var r = Run("migrate_from", Timeout(60000));
        ShouldFail(r, OcfExitCode.ErrGeneric, "did not become active here within the migrate_from timeout");
        Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(50)).And.BeLessThan(TimeSpan.FromSeconds(60));
    }
}
