using System.Buffers.Binary;
using System.Net.Sockets;
using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

/// <summary>The framing against a scripted daemon on a unix socket: no libvirtd needed.</summary>
public sealed class FakeDaemonTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hacluster-fake-libvirt-").FullName;
    string SocketPath => Path.Combine(dir, "sock");
    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(5));

    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>Serves one client: for each call, <paramref name="answer"/> returns the bytes to send (null: hang up).</summary>
    Thread Serve(Func<MessageHeader, byte[]?> answer)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        var thread = new Thread(() =>
        {
            using var _ = listener;
            using var client = listener.Accept();
            try { Loop(client); }
            catch (SocketException) { } // the client hung up first
        })
        { IsBackground = true };
        thread.Start();
        return thread;

        void Loop(Socket client)
        {
            while (true)
            {
                var lengthBytes = new byte[4];
                if (!ReadExactly(client, lengthBytes)) return;
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(lengthBytes) - 4];
                if (!ReadExactly(client, body)) return;
                var reader = new XdrReader(body);
                var reply = answer(MessageHeader.Read(ref reader));
                if (reply is null) return;
                client.Send(reply);
            }
        }
    }

    static bool ReadExactly(Socket s, byte[] buffer)
    {
        int n = 0;
        while (n < buffer.Length)
        {
            int r = s.Receive(buffer, n, buffer.Length - n, SocketFlags.None);
            if (r == 0) return false;
            n += r;
        }
        return true;
    }

    static byte[] Message(uint program, int proc, MessageType type, uint serial, MessageStatus status, byte[] payload)
        => MessageHeader.Frame(new MessageHeader(program, 1, proc, type, serial, status), payload);

    static byte[] Ok(MessageHeader call, byte[]? payload = null)
        => Message(RemoteProtocol.Program, call.Procedure, MessageType.Reply, call.Serial, MessageStatus.Ok, payload ?? []);

    [Fact]
    public void Events_keepalives_and_stale_replies_are_skipped()
    {
        var thread = Serve(call =>
        {
            var state = new XdrWriter().WriteInt(3).WriteInt(1).Written.ToArray();
            return call.Procedure switch
            {
                RemoteProcedure.ConnectOpen => Ok(call),
                RemoteProcedure.DomainGetState =>
                [
                    .. Message(RemoteProtocol.Program, 107, MessageType.Message, 0, MessageStatus.Ok, new byte[40]),
                    .. Message(RemoteProtocol.KeepAliveProgram, 1, MessageType.Message, 0, MessageStatus.Ok, []),
                    .. Message(RemoteProtocol.Program, call.Procedure, MessageType.Reply, call.Serial - 1, MessageStatus.Ok, new byte[8]),
                    .. Ok(call, state),
                ],
                _ => null,
            };
        });
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", Soon);
        c.GetState(new DomainRef("vm", new byte[16], 1), Soon).Should().Be(new DomainStateInfo(DomainState.Paused, 1));
        c.IsBroken.Should().BeFalse();
        c.Dispose();
        thread.Join(2000).Should().BeTrue();
    }

    [Fact]
    public void A_long_deadline_waits_for_a_slow_reply()
    {
        var thread = Serve(call =>
        {
            if (call.Procedure == RemoteProcedure.DomainGetState) Thread.Sleep(100);
            return call.Procedure is RemoteProcedure.ConnectOpen or RemoteProcedure.DomainGetState
                ? Ok(call, call.Procedure == RemoteProcedure.DomainGetState ? new XdrWriter().WriteInt(1).WriteInt(1).Written.ToArray() : null)
                : null;
        });
        var hours = Deadline.After(TimeSpan.FromHours(2));
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", hours);
        c.GetState(new DomainRef("vm", new byte[16], 1), hours).State.Should().Be(DomainState.Running);
        c.Dispose();
        thread.Join(2000).Should().BeTrue();
    }

    [Fact]
    public void A_daemon_that_never_accepts_times_out()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        // the backlog fills: later connects are refused with EAGAIN and retried until the deadline
        for (int i = 0; i < 4; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var act = () => LibvirtConnection.Open(SocketPath, "test:///default", Deadline.After(TimeSpan.FromMilliseconds(200)));
            act.Should().Throw<TimeoutException>();
            sw.ElapsedMilliseconds.Should().BeInRange(150, 800);
        }
    }

    [Fact]
    public void A_hang_up_breaks_the_connection()
    {
        var thread = Serve(call => call.Procedure == RemoteProcedure.ConnectOpen ? Ok(call) : null);
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.IsConnectionFailure.Should().BeTrue();
        c.IsBroken.Should().BeTrue();
        thread.Join(2000).Should().BeTrue();
    }

    [Fact]
    public void A_silent_daemon_times_out_at_the_deadline()
    {
        using var gate = new ManualResetEventSlim();
        var thread = Serve(call => { if (call.Procedure == RemoteProcedure.ConnectOpen) return Ok(call); gate.Wait(5000); return null; });
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", Soon);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var act = () => c.LookupByName("vm", Deadline.After(TimeSpan.FromMilliseconds(200)));
        act.Should().Throw<TimeoutException>();
        sw.ElapsedMilliseconds.Should().BeInRange(150, 800);
        c.IsBroken.Should().BeTrue();
        gate.Set();
        thread.Join(2000).Should().BeTrue();
    }

    [Fact]
    public void A_bad_length_is_a_protocol_error()
    {
        var thread = Serve(call => call.Procedure == RemoteProcedure.ConnectOpen ? Ok(call) : [0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.Code.Should().Be(LibvirtErrorCode.Rpc);
        c.IsBroken.Should().BeTrue();
        c.Dispose();
        thread.Join(2000);
    }

    [Fact]
    public void An_error_reply_is_typed_and_keeps_the_connection()
    {
        var thread = Serve(call => call.Procedure switch
        {
            RemoteProcedure.ConnectOpen => Ok(call),
            RemoteProcedure.DomainLookupByName => Message(RemoteProtocol.Program, call.Procedure, MessageType.Reply, call.Serial, MessageStatus.Error,
                new XdrWriter().WriteInt(42).WriteInt(10).WriteOptionalString("Domain not found").WriteInt(2).Written.ToArray()),
            RemoteProcedure.ConnectClose => Ok(call),
            _ => null,
        });
        using var c = LibvirtConnection.Open(SocketPath, "test:///default", Soon);
        var act = () => c.LookupByName("vm", Soon);
        act.Should().Throw<LibvirtException>().Which.IsNoDomain.Should().BeTrue();
        c.IsBroken.Should().BeFalse();
        c.Close(Soon);
        thread.Join(2000).Should().BeTrue();
    }
}
