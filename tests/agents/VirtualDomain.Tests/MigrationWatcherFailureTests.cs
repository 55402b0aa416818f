using HaCluster.Agents.VirtualDomain;
using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// migrate_to when watching the migration fails: the agent must not die of it (an exception on
/// the watcher's thread used to end the process), the migration job is aborted and the failure
/// is the exit reason.
/// </summary>
public sealed class MigrationWatcherFailureTests : IDisposable
{
    const string Uri = "qemu+unix:///system?socket=/nonexistent/libvirt-sock";
    readonly TempDir dir = new();
    readonly ManualClock clock = new();
    readonly FakeLibvirt libvirt;
    readonly ManualResetEventSlim aborted = new();

    public MigrationWatcherFailureTests()
    {
        libvirt = new FakeLibvirt(clock);
        File.WriteAllText(dir["vm1.xml"], FakeLibvirt.DomainXml("vm1"));
    }

    public void Dispose()
    {
        dir.Dispose();
        aborted.Dispose();
    }

    [Fact]
    public void A_watcher_that_throws_aborts_the_migration_and_fails_migrate_to()
    {
        libvirt.Add("vm1");
        var invoker = new AgentInvoker { Processes = new ScriptedProcessRunner(), Cluster = new RecordingCluster(), Clock = clock }
            .With("HA_RSCTMP", dir["rsctmp"]).With("OCF_RESOURCE_INSTANCE", "vm")
            .With("OCF_RESKEY_CRM_meta_migrate_target", "node2")
            .Param("config", dir["vm1.xml"]).Param("hypervisor", Uri).Param("remoteuri", "qemu+ssh://%n/system")
            .Param("migration_downtime", "250");
        LibvirtOpener open = (uri, deadline) => new WatchFails(libvirt.Open(uri, deadline), aborted);

        var r = invoker.Run(new VirtualDomainAgent(open, new FakeEmulators(), dir["libvirt.conf"], systemdUnitDir: null), "migrate_to");

        r.Code.Should().Be(OcfExitCode.ErrGeneric, r.Stderr);
        r.ExitReason.Should().Contain("live migration of 'vm1' to node2 failed").And.Contain("the job query broke");
        r.Stderr.Should().NotContain("   at ", "no stack traces");
        libvirt.Calls.Should().Contain("abortjob vm1");
    }

    /// <summary>
    /// A connection whose job query throws what no caller expects, and whose migration runs until
    /// the job is aborted (then fails as libvirt does).
    /// </summary>
    sealed class WatchFails(ILibvirtConnection inner, ManualResetEventSlim aborted) : ForwardingConnection(inner)
    {
        public override DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline) => throw new InvalidOperationException("the job query broke");
        public override void AbortJob(DomainRef domain, Deadline deadline)
        {
            base.AbortJob(domain, deadline);
            aborted.Set();
        }
        public override void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline)
        {
            aborted.Wait(TimeSpan.FromSeconds(10));
            throw new LibvirtException(LibvirtErrorCode.OperationAborted, "operation aborted: migration out job: canceled by client");
        }
    }
}
