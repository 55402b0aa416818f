using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// Two libvirt "hosts" on this machine (tests/integration/libvirt/README.md, "Live migration
/// between two network namespaces"): each a private libvirtd with the qemu driver in its own named
/// network namespace, joined by a veth pair made inside the namespaces (198.51.100.1 and .2,
/// documentation addresses; nothing touches the root namespace).
/// </summary>
public sealed class TwoHostsFixture : IDisposable
{
    public string NamespaceA { get; } = $"hc-lvmig-a-{Environment.ProcessId}";
    public string NamespaceB { get; } = $"hc-lvmig-b-{Environment.ProcessId}";
    public PrivateLibvirtd A { get; }
    public PrivateLibvirtd B { get; }

    public TwoHostsFixture()
    {
        Ip("netns", "add", NamespaceA);
        Ip("netns", "add", NamespaceB);
        Ip("-n", NamespaceA, "link", "add", "hcmig0", "type", "veth", "peer", "name", "hcmig1", "netns", NamespaceB);
        Ip("-n", NamespaceA, "addr", "add", "198.51.100.1/24", "dev", "hcmig0");
        Ip("-n", NamespaceB, "addr", "add", "198.51.100.2/24", "dev", "hcmig1");
        foreach (var (ns, dev) in new[] { (NamespaceA, "hcmig0"), (NamespaceB, "hcmig1") })
        {
            Ip("-n", ns, "link", "set", "lo", "up");
            Ip("-n", ns, "link", "set", dev, "up");
        }
        A = new PrivateLibvirtd("hostA", "5a1d0000-0000-4000-8000-00000000a11a", NamespaceA, "198.51.100.1");
        B = new PrivateLibvirtd("hostB", "5a1d0000-0000-4000-8000-00000000b11b", NamespaceB, "198.51.100.2");
    }

    static void Ip(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err}");
    }

    public void Dispose()
    {
        A.DestroyAll(A.QemuUri);
        B.DestroyAll(B.QemuUri);
        A.Dispose();
        B.Dispose();
        // deleting a namespace removes the veth pair with it
        foreach (var ns in new[] { NamespaceA, NamespaceB })
            try { Ip("netns", "delete", ns); } catch (InvalidOperationException) { }
    }
}

[Trait("Requires", "root")]
public sealed class MigrationTests(TwoHostsFixture hosts) : IClassFixture<TwoHostsFixture>
{
    const int RunningMigrated = 2; // VIR_DOMAIN_RUNNING_MIGRATED
    static Deadline Within(int seconds) => Deadline.After(TimeSpan.FromSeconds(seconds));

    /// <summary>A guest without an OS: SeaBIOS finds nothing to boot and idles, which migrates like any other.</summary>
    static string GuestXml(string name) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <uuid>{Guid.NewGuid()}</uuid>
          <memory unit='MiB'>64</memory>
          <vcpu placement='static'>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <on_poweroff>destroy</on_poweroff>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <video><model type='none'/></video>
            <memballoon model='none'/>
          </devices>
        </domain>
        """;

    [Fact]
    public void A_running_guest_migrates_peer_to_peer_and_back_and_reports_its_downtime()
    {
        const string name = "hc-mig-vm";
        using var a = LibvirtConnection.Open(hosts.A.QemuUri, Within(10));
        using var b = LibvirtConnection.Open(hosts.B.QemuUri, Within(10));
        var onA = a.CreateXml(GuestXml(name), DomainCreateFlags.None, Within(30));
        a.GetState(onA, Within(5)).State.Should().Be(DomainState.Running);

        // A's daemon opens B's socket itself and runs the whole protocol: one call.
        a.MigratePeerToPeer(onA, hosts.B.QemuUri, [], MigrateFlags.Live | MigrateFlags.PeerToPeer, Within(90));

        var onB = b.LookupByName(name, Within(5));
        onB.Uuid.Should().Equal(onA.Uuid);
        b.GetState(onB, Within(5)).Should().Be(new DomainStateInfo(DomainState.Running, RunningMigrated));
        var gone = () => a.GetState(a.LookupByName(name, Within(5)), Within(5));
        gone.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue("a transient source domain vanishes after migrating");

        var stats = b.GetJobStats(onB, JobStatsFlags.Completed, Within(5));
        stats.Type.Should().Be(3, "the completed job (VIR_DOMAIN_JOB_COMPLETED) is the migration");
        stats.Get(DomainJobStats.Field.TimeElapsed).Should().BeGreaterThan(0);
        stats.Get(DomainJobStats.Field.Downtime).Should().NotBeNull().And.BeLessThan(10_000);

        // and back, with a bandwidth cap (MiB/s) as migration_speed gives it
        b.MigratePeerToPeer(onB, hosts.A.QemuUri, [TypedParameter.OfULLong(MigrateParameter.Bandwidth, 200)],
            MigrateFlags.Live | MigrateFlags.PeerToPeer, Within(90));
        var back = a.LookupByName(name, Within(5));
        a.GetState(back, Within(5)).Should().Be(new DomainStateInfo(DomainState.Running, RunningMigrated));
        a.Destroy(back, Within(15));
    }

    [Fact]
    public void Migrating_to_a_daemon_that_is_not_there_is_a_typed_error_and_the_guest_stays()
    {
        const string name = "hc-mig-nowhere";
        using var a = LibvirtConnection.Open(hosts.A.QemuUri, Within(10));
        var dom = a.CreateXml(GuestXml(name), DomainCreateFlags.None, Within(30));
        try
        {
            var act = () => a.MigratePeerToPeer(dom, "qemu+unix:///system?socket=/nonexistent/libvirt-sock", [],
                MigrateFlags.Live | MigrateFlags.PeerToPeer, Within(30));
            var e = act.Should().Throw<LibvirtException>().Which;
            e.IsNoDomain.Should().BeFalse();
            e.Message.Should().NotBeNullOrWhiteSpace();
            a.GetState(dom, Within(5)).State.Should().Be(DomainState.Running);
        }
        finally
        {
            a.Destroy(dom, Within(15));
        }
    }
}
