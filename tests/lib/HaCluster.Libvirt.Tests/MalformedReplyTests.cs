using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Testing;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A daemon whose replies do not decode, come too late or stop half-way is, to the caller, a
/// daemon that does not work: a <see cref="TimeoutException"/> or a <see cref="LibvirtException"/>
/// with <see cref="LibvirtException.IsConnectionFailure"/>, never another exception, and the
/// connection is not used again.
/// </summary>
public sealed class MalformedReplyTests
{
    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(5));
    static readonly DomainRef Vm = new("vm", new byte[16], 1);

    static ScriptedLibvirtd Daemon(Action<ScriptedCall> script) => new(call =>
    {
        if (call.Procedure is RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectClose) call.Ok();
        else script(call);
    });

    /// <summary>The call fails as a broken daemon does, and so does the next one without reaching the daemon.</summary>
    static void ShouldFailAsABrokenDaemon(ScriptedLibvirtd daemon, LibvirtConnection c, Action call)
    {
        call.Should().Throw<LibvirtException>().Which.IsConnectionFailure.Should().BeTrue();
        c.IsBroken.Should().BeTrue();
        int calls = daemon.Procedures.Count;
        call.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.NoConnect);
        daemon.Procedures.Count.Should().Be(calls);
    }

    public static TheoryData<string, byte[]> StateBodies => new()
    {
        { "empty", [] },
        { "truncated", [0, 0, 0, 1] },
        { "cut mid-word", [0, 0, 0, 1, 0, 0] },
        { "oversized", [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0] },
        { "garbage", Enumerable.Range(0, 37).Select(i => (byte)(i * 73 + 11)).ToArray() },
    };

    [Theory]
    [MemberData(nameof(StateBodies))]
    public void A_state_reply_that_does_not_decode_is_a_connection_failure(string what, byte[] body)
    {
        using var daemon = Daemon(call => call.Ok(body));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.GetState(Vm, Soon));
        what.Should().NotBeEmpty();
    }

    [Fact]
    public void A_string_longer_than_the_protocol_allows_is_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Ok(w => w.WriteUInt(0x7fffffff).WriteFixedOpaque(new byte[64])));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.LookupByName("vm", Soon));
    }

    [Fact]
    public void A_string_longer_than_its_reply_is_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Ok(w => w.WriteUInt(1000).WriteFixedOpaque("vm"u8)));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.GetXmlDesc(Vm, DomainXmlFlags.None, Soon));
    }

    [Fact]
    public void A_truncated_job_info_is_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Ok(w => w.WriteInt(2).WriteUHyper(1500)));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.GetJobInfo(Vm, Soon));
    }

    [Fact]
    public void Job_statistics_of_an_unknown_type_are_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Ok(w => w.WriteInt(3).WriteUInt(1).WriteString("downtime").WriteInt(99).WriteInt(0)));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.GetJobStats(Vm, JobStatsFlags.Completed, Soon));
    }

    [Fact]
    public void More_domains_than_the_protocol_allows_are_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Ok(w => w.WriteUInt(RemoteProtocol.DomainListMax + 1)));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.ListAllDomains(ListDomainsFlags.All, Soon));
    }

    [Fact]
    public void An_error_reply_that_does_not_decode_is_a_connection_failure()
    {
        using var daemon = Daemon(call => call.Send(call.ReplyFrame([0, 0, 0, 42, 0, 0], MessageStatus.Error)));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.LookupByName("vm", Soon));
    }

    [Fact]
    public void A_reply_after_the_deadline_is_a_timeout_and_the_connection_is_not_reused()
    {
        using var late = new ManualResetEventSlim();
        using var daemon = Daemon(call =>
        {
            late.Wait(TimeSpan.FromSeconds(5));
            call.Ok(w => w.WriteInt(1).WriteInt(1));
        });
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        var act = () => c.GetState(Vm, Deadline.After(TimeSpan.FromMilliseconds(150)));
        act.Should().Throw<TimeoutException>();
        late.Set();
        c.IsBroken.Should().BeTrue("the late reply would otherwise be taken for the next call's");
        var next = () => c.GetState(Vm, Soon);
        next.Should().Throw<LibvirtException>().Which.IsConnectionFailure.Should().BeTrue();
    }

    public static TheoryData<string, int> CutReplies => new()
    {
        { "inside the length", 2 },
        { "inside the header", 12 },
        { "inside the body", 32 },
    };

    [Theory]
    [MemberData(nameof(CutReplies))]
    public void A_daemon_that_closes_mid_reply_is_a_connection_failure(string where, int bytesSent)
    {
        using var daemon = Daemon(call =>
        {
            var w = new XdrWriter().WriteInt(1).WriteInt(1);
            call.Send(call.ReplyFrame(w.Written)[..bytesSent]);
            call.HangUp();
        });
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        ShouldFailAsABrokenDaemon(daemon, c, () => c.GetState(Vm, Soon));
        where.Should().NotBeEmpty();
    }
}
