using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Testing;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// The migration watcher against the scripted libvirtd stand-in: the migration call on one
/// connection, the watcher's job queries on a second, the abort on a third.
/// </summary>
public sealed class MigrationWatcherTests : IDisposable
{
    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(10));
    static readonly DomainRef Vm = new("vm", new byte[16], 1);
    const string Target = "qemu+tcp://node2/system";

    readonly ManualResetEventSlim aborted = new();
    readonly ManualResetEventSlim migrationMayEnd = new();
    int jobQueries;

    public void Dispose()
    {
        aborted.Dispose();
        migrationMayEnd.Dispose();
    }

    /// <summary>
    /// A source daemon whose migration runs until it is aborted (then fails as libvirt does) or
    /// until <see cref="migrationMayEnd"/>; job queries go to <paramref name="jobInfo"/>.
    /// </summary>
    ScriptedLibvirtd Source(Action<ScriptedCall, int> jobInfo) => new(call =>
    {
        switch (call.Procedure)
        {
            case RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectClose or RemoteProcedure.DomainMigrateSetMaxDowntime:
                call.Ok();
                break;
            case RemoteProcedure.DomainGetJobInfo:
                jobInfo(call, Interlocked.Increment(ref jobQueries));
                break;
            case RemoteProcedure.DomainAbortJob:
                aborted.Set();
                call.Ok();
                break;
            case RemoteProcedure.DomainMigratePerform3Params:
                if (WaitHandle.WaitAny([aborted.WaitHandle, migrationMayEnd.WaitHandle], TimeSpan.FromSeconds(10)) == 0)
                    call.Error(LibvirtErrorCode.OperationAborted, "operation aborted: migration out job: canceled by client");
                else
                    call.Ok(w => w.WriteOpaque([]));
                break;
        }
    });

    static void RunningJob(ScriptedCall call) => call.Ok(w =>
    {
        w.WriteInt(2).WriteUHyper(1500).WriteUHyper(0).WriteUHyper(64 << 20).WriteUHyper(32 << 20).WriteUHyper(32 << 20);
        for (int i = 0; i < 6; i++) w.WriteUHyper(0);
    });

    static void Migrate(ScriptedLibvirtd daemon)
    {
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        c.MigratePeerToPeer(Vm, Target, [], MigrateFlags.Live | MigrateFlags.PeerToPeer, Soon);
    }

    [Fact]
    public void A_callback_that_throws_aborts_the_job_and_surfaces_as_the_clients_error()
    {
        using var daemon = Source((call, _) => RunningJob(call));
        var watcher = new MigrationWatcher(LibvirtConnection.Opener, daemon.Uri, Vm, 250, Soon,
            downtimeSet: () => throw new InvalidOperationException("the log is gone"));

        var migrate = () => Migrate(daemon);
        migrate.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.OperationAborted);
        watcher.Dispose();

        daemon.Procedures.Should().Contain(RemoteProcedure.DomainAbortJob);
        var failure = watcher.Failure;
        failure.Should().NotBeNull();
        failure!.Code.Should().Be(LibvirtErrorCode.InternalError);
        failure.Message.Should().Contain("the log is gone").And.Contain("its job was aborted");
        failure.InnerException.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void A_job_reply_that_does_not_decode_aborts_the_job_as_a_connection_failure()
    {
        using var daemon = Source((call, _) => call.Ok([0, 0, 0, 2, 0, 0]));
        var watcher = new MigrationWatcher(LibvirtConnection.Opener, daemon.Uri, Vm, 0, Soon);

        var migrate = () => Migrate(daemon);
        migrate.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.OperationAborted);
        watcher.Dispose();

        daemon.Procedures.Should().Contain(RemoteProcedure.DomainAbortJob);
        watcher.Failure.Should().NotBeNull();
        watcher.Failure!.IsConnectionFailure.Should().BeTrue();
    }

    [Fact]
    public void The_domain_leaving_ends_the_watch_quietly_after_the_downtime_was_set()
    {
        using var downtimeSet = new ManualResetEventSlim();
        using var daemon = Source((call, n) =>
        {
            if (n == 1) RunningJob(call);
            else
            {
                call.Error(LibvirtErrorCode.NoDomain, "Domain not found: no domain with matching uuid");
                migrationMayEnd.Set();
            }
        });
        var watcher = new MigrationWatcher(LibvirtConnection.Opener, daemon.Uri, Vm, 250, Soon, downtimeSet: downtimeSet.Set,
            downtimeNotSet: e => throw new InvalidOperationException("not expected", e));

        Migrate(daemon);
        watcher.Dispose();

        downtimeSet.IsSet.Should().BeTrue();
        daemon.Procedures.Should().Contain(RemoteProcedure.DomainMigrateSetMaxDowntime).And.NotContain(RemoteProcedure.DomainAbortJob);
        watcher.Failure.Should().BeNull();
        watcher.LastJob.Should().NotBeNull();
        watcher.LastJob!.Value.DataTotal.Should().Be(64 << 20);
    }

    [Fact]
    public void A_job_that_is_gone_before_the_downtime_was_set_is_reported_and_not_aborted()
    {
        Exception? notSet = null;
        using var daemon = Source((call, _) => call.Error(LibvirtErrorCode.OperationInvalid, "Requested operation is not valid: domain is not running"));
        var watcher = new MigrationWatcher(LibvirtConnection.Opener, daemon.Uri, Vm, 250, Soon, downtimeNotSet: e =>
        {
            notSet = e;
            migrationMayEnd.Set();
        });

        Migrate(daemon);
        watcher.Dispose();

        notSet.Should().BeOfType<LibvirtException>().Which.IsOperationInvalid.Should().BeTrue();
        daemon.Procedures.Should().NotContain(RemoteProcedure.DomainAbortJob);
        watcher.Failure.Should().BeNull();
    }
}
