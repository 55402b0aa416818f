using System.Diagnostics;
using System.Net.Sockets;
using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Testing;

namespace HaCluster.Libvirt.Tests;

/// <summary>The framing against a scripted libvirtd stand-in: no libvirtd needed.</summary>
public sealed class FakeDaemonTests
{
    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(5));
    static readonly DomainRef Vm = new("vm", new byte[16], 1);

    /// <summary>Answers CONNECT_OPEN and CONNECT_CLOSE; every other call goes to <paramref name="script"/>.</summary>
    static ScriptedLibvirtd Daemon(Action<ScriptedCall> script) => new(call =>
    {
        if (call.Procedure is RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectClose) call.Ok();
        else script(call);
    });

    [Fact]
    public void Events_keepalives_and_stale_replies_are_skipped()
    {
        using var daemon = Daemon(call =>
        {
            call.Send(ScriptedLibvirtd.Event());
            call.Send(ScriptedLibvirtd.KeepAlive());
            call.Send(ScriptedLibvirtd.Frame(RemoteProtocol.Program, call.Procedure, MessageType.Reply, call.Header.Serial - 1, MessageStatus.Ok, new byte[8]));
            call.Ok(w => w.WriteInt(3).WriteInt(1));
        });
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        c.GetState(Vm, Soon).Should().Be(new DomainStateInfo(DomainState.Paused, 1));
        c.IsBroken.Should().BeFalse();
    }

    [Fact]
    public void A_long_deadline_waits_for_a_slow_reply()
    {
        using var daemon = Daemon(call =>
        {
            Thread.Sleep(100);
            call.Ok(w => w.WriteInt(1).WriteInt(1));
        });
        var hours = Deadline.After(TimeSpan.FromHours(2));
        using var c = LibvirtConnection.Open(daemon.Uri, hours);
        c.GetState(Vm, hours).State.Should().Be(DomainState.Running);
    }

    [Fact]
    public void A_daemon_that_never_accepts_times_out()
    {
        string dir = Directory.CreateTempSubdirectory("hacluster-fake-libvirt-").FullName;
        try
        {
            string socketPath = Path.Combine(dir, "sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            // the backlog fills: later connects are refused with EAGAIN and retried until the deadline
            for (int i = 0; i < 4; i++)
            {
                var sw = Stopwatch.StartNew();
                var act = () => LibvirtConnection.Open(socketPath, "test:///default", Deadline.After(TimeSpan.FromMilliseconds(200)));
                act.Should().Throw<TimeoutException>();
                sw.ElapsedMilliseconds.Should().BeInRange(150, 800);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_hang_up_breaks_the_connection()
    {
        using var daemon = Daemon(call => call.HangUp());
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.IsConnectionFailure.Should().BeTrue();
        c.IsBroken.Should().BeTrue();
    }

    [Fact]
    public void A_silent_daemon_times_out_at_the_deadline()
    {
        using var daemon = Daemon(_ => { });
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        var sw = Stopwatch.StartNew();
        var act = () => c.LookupByName("vm", Deadline.After(TimeSpan.FromMilliseconds(200)));
        act.Should().Throw<TimeoutException>();
        sw.ElapsedMilliseconds.Should().BeInRange(150, 800);
        c.IsBroken.Should().BeTrue();
    }

    [Fact]
    public void A_bad_length_is_a_protocol_error()
    {
        using var daemon = Daemon(call => call.Send([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.Rpc);
        c.IsBroken.Should().BeTrue();
    }

    [Fact]
    public void An_error_reply_is_typed_and_keeps_the_connection()
    {
        using var daemon = Daemon(call => call.Error(LibvirtErrorCode.NoDomain, "Domain not found"));
        using var c = LibvirtConnection.Open(daemon.Uri, Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
        c.IsBroken.Should().BeFalse();
        c.Close(Soon);
        daemon.Procedures.Should().Equal(RemoteProcedure.ConnectOpen, RemoteProcedure.DomainLookupByName, RemoteProcedure.ConnectClose);
    }
}
