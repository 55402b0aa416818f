using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

[Collection(LibvirtDaemonCollection.Name)]
[Trait("Requires", "root")]
public sealed class DaemonTests(LibvirtDaemonFixture daemon)
{
    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(5));
    LibvirtConnection Conn => daemon.Holder;

    static string DomainXml(string name, string? uuid = null) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <uuid>{uuid ?? Guid.NewGuid().ToString()}</uuid>
          <memory unit='MiB'>128</memory>
          <currentMemory unit='MiB'>128</currentMemory>
          <vcpu placement='static'>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
          <on_poweroff>destroy</on_poweroff>
          <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
        </domain>
        """;

    [Fact]
    public void Open_and_close_a_second_connection()
    {
        var c = LibvirtConnection.Open(daemon.TestUri, Soon);
        c.Name.Should().Be("test:///default");
        c.SocketPath.Should().Be(daemon.SocketPath);
        c.LookupByName("test", Soon).Name.Should().Be("test");
        c.Close(Soon);
        c.IsBroken.Should().BeFalse();
        c.Dispose();
    }

    [Fact]
    public void Open_with_explicit_socket_and_plain_name()
    {
        using var c = LibvirtConnection.Open(daemon.SocketPath, "test:///default", Soon);
        c.GetState(c.LookupByName("test", Soon), Soon).State.Should().Be(DomainState.Running);
        c.Close(Soon);
    }

    [Fact]
    public void The_default_test_domain_is_running_with_a_reason()
    {
        var dom = Conn.LookupByName("test", Soon);
        dom.Name.Should().Be("test");
        dom.Uuid.Should().HaveCount(16);
        dom.Id.Should().BeGreaterThan(0);
        var state = Conn.GetState(dom, Soon);
        state.State.Should().Be(DomainState.Running);
        state.Reason.Should().BeGreaterThanOrEqualTo(0); // the test driver's own domain: VIR_DOMAIN_RUNNING_UNKNOWN
        state.IsActive.Should().BeTrue();
        Conn.IsActive(dom, Soon).Should().BeTrue();
    }

    [Fact]
    public void Lookup_by_uuid_finds_the_same_domain()
    {
        var dom = Conn.LookupByName("test", Soon);
        Conn.LookupByUuid(dom.Uuid, Soon).Name.Should().Be("test");
        Conn.LookupByUuid(dom.UuidString, Soon).Uuid.Should().Equal(dom.Uuid);
        var missing = () => Conn.LookupByUuid(Guid.NewGuid().ToString(), Soon);
        missing.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
    }

    [Fact]
    public void A_missing_domain_is_IsNoDomain_and_the_connection_stays_usable()
    {
        var act = () => Conn.LookupByName("no-such-domain-hacluster", Soon);
        var e = act.Should().Throw<LibvirtException>().Which;
        e.IsNoDomain.Should().BeTrue();
        e.Code.Should().Be(LibvirtErrorCode.NoDomain);
        e.Message.Should().Contain("Domain not found");
        Conn.IsBroken.Should().BeFalse();
        Conn.LookupByName("test", Soon).Name.Should().Be("test");
    }

    [Theory]
    [InlineData("$(touch /tmp/hacluster-libvirt-pwned)")]
    [InlineData("name\nwith newline")]
    [InlineData("nön-ÄSCII-名前")]
    [InlineData("'; rm -rf / #")]
    [InlineData("")]
    public void Hostile_names_are_data(string name)
    {
        var act = () => Conn.LookupByName(name, Soon);
        act.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
        File.Exists("/tmp/hacluster-libvirt-pwned").Should().BeFalse();
        Conn.IsBroken.Should().BeFalse();
    }

    [Fact]
    public void A_4_KiB_name_is_data()
    {
        var act = () => Conn.LookupByName(new string('x', 4096), Soon);
        act.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
    }

    [Fact]
    public void GetInfo_is_plausible()
    {
        var info = Conn.GetInfo(Conn.LookupByName("test", Soon), Soon);
        info.State.Should().Be(DomainState.Running);
        info.VirtCpuCount.Should().BeGreaterThanOrEqualTo(1);
        info.MemoryKiB.Should().BeGreaterThan(0);
        info.MaxMemoryKiB.Should().BeGreaterThanOrEqualTo(info.MemoryKiB);
    }

    [Fact]
    public void GetXmlDesc_names_the_domain()
    {
        var dom = Conn.LookupByName("test", Soon);
        Conn.GetXmlDesc(dom, DomainXmlFlags.None, Soon).Should().Contain("<name>test</name>");
        Conn.GetXmlDesc(dom, DomainXmlFlags.Inactive, Soon).Should().Contain("<name>test</name>");
    }

    [Fact]
    public void ListAllDomains_includes_test()
    {
        Conn.ListAllDomains(ListDomainsFlags.All, Soon).Select(d => d.Name).Should().Contain("test");
    }

    [Fact]
    public void A_transient_domain_runs_then_vanishes_after_shutdown()
    {
        var dom = Conn.CreateXml(DomainXml("hac-transient"), DomainCreateFlags.None, Soon);
        dom.Name.Should().Be("hac-transient");
        Conn.GetState(dom, Soon).Should().Be(new DomainStateInfo(DomainState.Running, 1));
        Conn.IsPersistent(dom, Soon).Should().BeFalse();
        Conn.Shutdown(dom, Soon);
        ShutOffOrGone(dom);
    }

    [Fact]
    public void Shutdown_with_a_mode()
    {
        // the test driver takes SHUTDOWN_FLAGS with no mode and refuses every mode (unsupported flags)
        var dom = Conn.CreateXml(DomainXml("hac-acpi"), DomainCreateFlags.None, Soon);
        var acpi = () => Conn.Shutdown(dom, DomainShutdownMode.AcpiPowerButton, Soon);
        acpi.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.InvalidArgument);
        Conn.IsBroken.Should().BeFalse();
        Conn.Shutdown(dom, DomainShutdownMode.Default, Soon);
        ShutOffOrGone(dom);
    }

    [Fact]
    public void Destroy_and_destroy_graceful()
    {
        var a = Conn.CreateXml(DomainXml("hac-destroy"), DomainCreateFlags.None, Soon);
        Conn.Destroy(a, Soon);
        ShutOffOrGone(a);
        var b = Conn.CreateXml(DomainXml("hac-destroy-graceful"), DomainCreateFlags.None, Soon);
        Conn.Destroy(b, DomainDestroyFlags.Graceful, Soon);
        ShutOffOrGone(b);
        var again = () => Conn.Destroy(a, Soon);
        again.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
    }

    [Fact]
    public void Define_start_destroy_undefine()
    {
        var dom = Conn.DefineXml(DomainXml("hac-defined"), Soon);
        Conn.IsPersistent(dom, Soon).Should().BeTrue();
        Conn.GetState(dom, Soon).State.Should().Be(DomainState.Shutoff);
        Conn.Create(dom, Soon);
        Conn.GetState(dom, Soon).State.Should().Be(DomainState.Running);
        var suspended = Conn.LookupByName("hac-defined", Soon);
        Conn.Suspend(suspended, Soon);
        Conn.GetState(suspended, Soon).Should().Be(new DomainStateInfo(DomainState.Paused, 1)); // VIR_DOMAIN_PAUSED_USER
        Conn.Resume(suspended, Soon);
        Conn.Destroy(suspended, Soon);
        Conn.GetState(dom, Soon).Should().Be(new DomainStateInfo(DomainState.Shutoff, 2)); // VIR_DOMAIN_SHUTOFF_DESTROYED
        Conn.Undefine(dom, DomainUndefineFlags.None, Soon);
        var gone = () => Conn.LookupByName("hac-defined", Soon);
        gone.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();

        var flagged = Conn.DefineXml(DomainXml("hac-defined-flags"), Soon);
        Conn.Undefine(flagged, DomainUndefineFlags.ManagedSave, Soon);
        gone = () => Conn.LookupByName("hac-defined-flags", Soon);
        gone.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
    }

    [Fact]
    public void Invalid_xml_is_a_libvirt_error_not_a_broken_connection()
    {
        var act = () => Conn.CreateXml("<domain", DomainCreateFlags.None, Soon);
        act.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeFalse();
        Conn.IsBroken.Should().BeFalse();
    }

    [Fact]
    public void Save_and_restore()
    {
        string file = Path.Combine(daemon.BaseDir, "hac-save.img");
        var dom = Conn.CreateXml(DomainXml("hac-save"), DomainCreateFlags.None, Soon);
        Conn.Save(dom, file, Soon);
        ShutOffOrGone(dom);
        File.Exists(file).Should().BeTrue();
        Conn.Restore(file, Soon);
        var restored = Conn.LookupByName("hac-save", Soon);
        Conn.GetState(restored, Soon).State.Should().Be(DomainState.Running);
        Conn.Destroy(restored, Soon);
    }

    [Fact]
    public void Job_info_answers_or_is_unsupported()
    {
        var dom = Conn.LookupByName("test", Soon);
        try
        {
            Conn.GetJobInfo(dom, Soon).Type.Should().Be(0); // VIR_DOMAIN_JOB_NONE
        }
        catch (LibvirtException e)
        {
            e.IsNotSupported.Should().BeTrue(e.Message);
        }
        Conn.IsBroken.Should().BeFalse();
    }

    [Fact]
    public void Peer_to_peer_migration_is_refused_by_the_test_driver_as_a_typed_error()
    {
        var dom = Conn.CreateXml(DomainXml("hac-migrate"), DomainCreateFlags.None, Soon);
        try
        {
            var act = () => Conn.MigratePeerToPeer(dom, "test:///default",
                [TypedParameter.OfString(MigrateParameter.Uri, "tcp://198.51.100.2"), TypedParameter.OfULLong(MigrateParameter.Bandwidth, 100)],
                MigrateFlags.Live | MigrateFlags.PeerToPeer, Soon);
            act.Should().Throw<LibvirtException>().Which.IsNotSupported.Should().BeTrue();
            Conn.IsBroken.Should().BeFalse();
        }
        finally { Conn.Destroy(dom, Soon); }
    }

    [Fact]
    public void Network_lookup_destroy_create()
    {
        var net = Conn.NetworkLookupByName("default", Soon);
        net.Uuid.Should().HaveCount(16);
        Conn.NetworkIsActive(net, Soon).Should().BeTrue();
        Conn.NetworkDestroy(net, Soon);
        Conn.NetworkIsActive(net, Soon).Should().BeFalse();
        Conn.NetworkCreate(net, Soon);
        Conn.NetworkIsActive(net, Soon).Should().BeTrue();
        var missing = () => Conn.NetworkLookupByName("hac-no-net", Soon);
        missing.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.NoNetwork);
    }

    [Fact]
    public void Storage_pool_lookup_refresh_destroy_create()
    {
        var pool = Conn.StoragePoolLookupByName("default-pool", Soon);
        Conn.StoragePoolIsActive(pool, Soon).Should().BeTrue();
        Conn.StoragePoolRefresh(pool, Soon);
        Conn.StoragePoolDestroy(pool, Soon);
        Conn.StoragePoolIsActive(pool, Soon).Should().BeFalse();
        Conn.StoragePoolCreate(pool, Soon);
        Conn.StoragePoolIsActive(pool, Soon).Should().BeTrue();
        var missing = () => Conn.StoragePoolLookupByName("hac-no-pool", Soon);
        missing.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.NoStoragePool);
    }

    [Fact]
    public void An_expired_deadline_throws_at_once_and_leaves_the_connection_usable()
    {
        var expired = Deadline.After(TimeSpan.Zero);
        var sw = Stopwatch.StartNew();
        var act = () => Conn.LookupByName("test", expired);
        act.Should().Throw<TimeoutException>();
        sw.ElapsedMilliseconds.Should().BeLessThan(100);
        Conn.IsBroken.Should().BeFalse();
        Conn.LookupByName("test", Soon).Name.Should().Be("test");

        var open = () => LibvirtConnection.Open(daemon.TestUri, expired);
        open.Should().Throw<TimeoutException>();
    }

    [Fact]
    public void A_missing_socket_is_a_connection_failure_not_a_hang()
    {
        var sw = Stopwatch.StartNew();
        var act = () => LibvirtConnection.Open(Path.Combine(daemon.BaseDir, "nope", "libvirt-sock"), "test:///default", Soon);
        var e = act.Should().Throw<LibvirtException>().Which;
        e.IsConnectionFailure.Should().BeTrue();
        e.Message.Should().Contain("nope/libvirt-sock").And.Contain("No such file or directory");
        sw.ElapsedMilliseconds.Should().BeLessThan(1000);
    }

    [Fact]
    public void A_frozen_daemon_times_out_within_the_deadline()
    {
        using var c = LibvirtConnection.Open(daemon.TestUri, Soon);
        var dom = c.LookupByName("test", Soon);
        daemon.Freeze();
        try
        {
            var sw = Stopwatch.StartNew();
            var act = () => c.GetState(dom, Deadline.After(TimeSpan.FromMilliseconds(500)));
            act.Should().Throw<TimeoutException>();
            sw.ElapsedMilliseconds.Should().BeInRange(450, 1000);
            c.IsBroken.Should().BeTrue();
            var later = () => c.GetState(dom, Soon);
            later.Should().Throw<LibvirtException>().Which.IsConnectionFailure.Should().BeTrue();

            // connecting to a frozen daemon: the kernel accepts, CONNECT_OPEN gets no answer
            sw.Restart();
            var open = () => LibvirtConnection.Open(daemon.TestUri, Deadline.After(TimeSpan.FromMilliseconds(500)));
            open.Should().Throw<TimeoutException>();
            sw.ElapsedMilliseconds.Should().BeInRange(450, 1000);
        }
        finally
        {
            daemon.Thaw();
        }
        Conn.GetState(Conn.LookupByName("test", Soon), Soon).State.Should().Be(DomainState.Running);
    }

    void ShutOffOrGone(DomainRef dom)
    {
        try
        {
            Conn.GetState(dom, Soon).State.Should().Be(DomainState.Shutoff);
        }
        catch (LibvirtException e)
        {
            e.IsNoDomain.Should().BeTrue(e.Message);
        }
    }
}
