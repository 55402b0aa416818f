using System.Diagnostics;
using System.Net.Sockets;
using HaCluster.Core.Native;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary><see cref="UnixStreamSocket"/> against real listening sockets of the kernel.</summary>
public sealed class UnixStreamSocketTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    const int ENAMETOOLONG = 36, ECONNREFUSED = 111, EBADF = 9;

    Socket Listen(string name)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(tmp[name]));
        listener.Listen(4);
        return listener;
    }

    [Fact]
    public void Bytes_go_both_ways_and_poll_says_when_there_is_something_to_read()
    {
        using var listener = Listen("s");
        using var client = UnixStreamSocket.Open();
        client.Connect(tmp["s"]).Should().Be(0);
        using var server = listener.Accept();

        client.Send("ping"u8, out int sendError).Should().Be(4, $"errno {sendError}");
        var got = new byte[4];
        server.Receive(got).Should().Be(4);
        got.Should().Equal("ping"u8.ToArray());

        var buffer = new byte[16];
        client.Receive(buffer, out int error).Should().Be(-1);
        error.Should().Be(UnixStreamSocket.EAGAIN);
        server.Send("pong"u8);
        client.Poll(TimeSpan.FromSeconds(5), forWrite: false).Should().BeTrue();
        client.Receive(buffer, out _).Should().Be(4);
        buffer[..4].Should().Equal("pong"u8.ToArray());
    }

    [Fact]
    public void Poll_waits_no_longer_than_asked()
    {
        using var listener = Listen("s");
        using var client = UnixStreamSocket.Open();
        client.Connect(tmp["s"]).Should().Be(0);
        var sw = Stopwatch.StartNew();

        client.Poll(TimeSpan.FromMilliseconds(100), forWrite: false).Should().BeFalse();

        sw.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(90)).And.BeLessThan(TimeSpan.FromSeconds(3));
        client.Poll(TimeSpan.Zero, forWrite: true).Should().BeTrue("an idle connected socket can be written");
    }

    [Fact]
    public void A_missing_socket_one_nobody_listens_on_and_an_overlong_path_are_errno_values()
    {
        using var client = UnixStreamSocket.Open();
        client.Connect(tmp["missing"]).Should().Be(UnixStreamSocket.ENOENT);
        client.Connect("/" + new string('a', UnixStreamSocket.MaxPathBytes)).Should().Be(ENAMETOOLONG);

        using var notListening = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        notListening.Bind(new UnixDomainSocketEndPoint(tmp["bound"])); // a socket file nobody accepts on
        client.Connect(tmp["bound"]).Should().Be(ECONNREFUSED);
        UnixStreamSocket.Describe(ECONNREFUSED).Should().Be("Connection refused");
    }

    [Fact]
    public void A_peer_that_hangs_up_reads_as_end_of_file_and_a_write_then_fails_without_a_signal()
    {
        using var listener = Listen("s");
        using var client = UnixStreamSocket.Open();
        client.Connect(tmp["s"]).Should().Be(0);
        listener.Accept().Dispose();

        client.Poll(TimeSpan.FromSeconds(5), forWrite: false).Should().BeTrue();
        client.Receive(new byte[8], out _).Should().Be(0);
        client.Send("x"u8, out int error).Should().Be(-1);
        error.Should().Be(32); // EPIPE
    }

    [Fact]
    public void A_disposed_socket_polls_ready_at_once_and_then_fails()
    {
        var client = UnixStreamSocket.Open();
        client.Dispose();
        var sw = Stopwatch.StartNew();

        client.Poll(TimeSpan.FromSeconds(30), forWrite: false).Should().BeTrue();
        client.Receive(new byte[8], out int error).Should().Be(-1);

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        error.Should().Be(EBADF);
        client.Dispose();
    }
}
