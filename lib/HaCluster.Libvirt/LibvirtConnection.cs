using System.Buffers.Binary;
using System.Net.Sockets;
using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// A connection to a local libvirt daemon speaking its remote protocol (XDR RPC over the unix
/// socket) directly: no libvirt.so, no child process. Every call takes a <see cref="Deadline"/>
/// that bounds connect, send and receive; when it expires the call throws
/// <see cref="TimeoutException"/> and, if a request was already on the wire, the connection is
/// broken (closed; later calls throw <see cref="LibvirtException"/> with
/// <see cref="LibvirtErrorCode.NoConnect"/>), so a hung daemon never hangs the caller.
/// Errors the daemon returns are <see cref="LibvirtException"/> and leave the connection usable.
/// </summary>
/// <remarks>One call at a time (calls are serialised by a lock). Asynchronous events, keep-alive
/// and stream messages are skipped; replies are matched by serial.</remarks>
public sealed partial class LibvirtConnection : ILibvirtConnection
{
    readonly Socket socket;
    readonly XdrWriter writer = new(512);
    readonly Lock sync = new();
    byte[] receiveBuffer = new byte[4096];
    uint serial;
    string? brokenReason;
    bool closed;

    LibvirtConnection(Socket socket, string socketPath, string name)
    {
        this.socket = socket;
        SocketPath = socketPath;
        Name = name;
    }

    /// <summary>The daemon's socket.</summary>
    public string SocketPath { get; }
    /// <summary>The URI sent in CONNECT_OPEN (e.g. <c>qemu:///system</c>, <c>test:///default</c>).</summary>
    public string Name { get; }
    /// <summary>Whether a timeout or a transport failure ended this connection.</summary>
    public bool IsBroken => brokenReason is not null;

    /// <summary>The opener agents are given by default: <see cref="Open(string, Deadline)"/>.</summary>
    public static readonly LibvirtOpener Opener = (uri, deadline) => Open(uri, deadline);

    /// <summary>The socket a URI leads to (see <see cref="LibvirtUri.Parse(string)"/>).</summary>
    public static string DefaultSocketPath(string uri) => LibvirtUri.Parse(uri).SocketPath;

    /// <summary>Opens <paramref name="uri"/> (<c>qemu:///system</c>, <c>test+unix:///default?socket=/x/libvirt-sock</c>, …) on the socket it names or implies.</summary>
    public static LibvirtConnection Open(string uri, Deadline deadline)
    {
        var parsed = LibvirtUri.Parse(uri);
        return Open(parsed.SocketPath, parsed.Name, deadline);
    }

    /// <summary>
    /// Connects to <paramref name="socketPath"/> and opens <paramref name="uri"/> there
    /// (CONNECT_OPEN, flags 0; a <c>+unix</c> URI is reduced to its name first).
    /// A missing socket or a refused connection is a <see cref="LibvirtException"/> with
    /// <see cref="LibvirtErrorCode.NoConnect"/>; an expired deadline a <see cref="TimeoutException"/>.
    /// </summary>
    public static LibvirtConnection Open(string socketPath, string uri, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        ArgumentNullException.ThrowIfNull(deadline);
        string name = uri.Contains("://", StringComparison.Ordinal) ? LibvirtUri.Parse(uri, _ => false).Name : uri;
        if (deadline.IsExpired) throw new TimeoutException($"no time left to connect to libvirt at {socketPath}");

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            Connect(socket, socketPath, deadline);
            var connection = new LibvirtConnection(socket, socketPath, name);
            connection.OpenSession(deadline);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static void Connect(Socket socket, string socketPath, Deadline deadline)
    {
        socket.Blocking = false;
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        while (true)
        {
            try
            {
                socket.Connect(endpoint);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.TryAgain)
            {
                // A unix socket whose backlog is full says EAGAIN: the daemon does not accept. Retry
                // until the deadline. (EINPROGRESS does not happen for AF_UNIX; handled alike.)
                if (e.SocketErrorCode == SocketError.InProgress)
                {
                    var left = deadline.Remaining;
                    if (socket.Poll(left > MaxPollSlice ? MaxPollSlice : left, SelectMode.SelectWrite) && socket.Connected) return;
                }
                if (deadline.IsExpired) throw new TimeoutException($"libvirt at {socketPath} did not accept the connection in time");
                deadline.Sleep(TimeSpan.FromMilliseconds(5));
            }
            catch (SocketException e)
            {
                // .NET reports a missing socket file as "Cannot assign requested address": say what libvirt says.
                string why = File.Exists(socketPath) ? e.Message : "No such file or directory (is libvirtd running?)";
                throw new LibvirtException(LibvirtErrorCode.NoConnect, $"Failed to connect socket to '{socketPath}': {why}", e);
            }
        }
    }

    void OpenSession(Deadline deadline)
    {
        var w = Begin(RemoteProcedure.ConnectOpen);
        w.WriteOptionalString(Name);
        w.WriteUInt(0);
        Invoke(w, deadline);
    }

    /// <summary>CONNECT_CLOSE, then closes the socket. Best effort on a broken connection.</summary>
    public void Close(Deadline deadline)
    {
        lock (sync)
        {
            if (closed) return;
            try
            {
                if (brokenReason is null)
                {
                    var w = Begin(RemoteProcedure.ConnectClose);
                    Invoke(w, deadline);
                }
            }
            finally
            {
                closed = true;
                socket.Dispose();
            }
        }
    }

    /// <summary>Closes the socket without a CONNECT_CLOSE (the daemon cleans up on end of file).</summary>
    public void Dispose()
    {
        lock (sync)
        {
            closed = true;
            socket.Dispose();
        }
    }

    // ---------------------------------------------------------------- RPC core

    uint currentSerial;
    int currentProcedure;

    /// <summary>Starts a call: the length placeholder and the header. Write the arguments, then <see cref="Invoke"/>.</summary>
    XdrWriter Begin(int procedure)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (brokenReason is not null)
            throw new LibvirtException(LibvirtErrorCode.NoConnect, $"the libvirt connection is broken: {brokenReason}");
        currentSerial = ++serial;
        currentProcedure = procedure;
        writer.Clear();
        writer.WriteUInt(0);
        new MessageHeader(RemoteProtocol.Program, RemoteProtocol.ProtocolVersion, procedure, MessageType.Call, currentSerial, MessageStatus.Ok).Write(writer);
        return writer;
    }

    /// <summary>
    /// Sends the call built since <see cref="Begin"/> and returns the reply's payload (valid
    /// until the next call). A daemon error is thrown as <see cref="LibvirtException"/>.
    /// </summary>
    ReadOnlySpan<byte> Invoke(XdrWriter w, Deadline deadline)
    {
        if (deadline.IsExpired)
            throw new TimeoutException($"no time left for libvirt call {currentProcedure}");
        if (w.Length > RemoteProtocol.MessageMax)
            throw new ArgumentException($"libvirt call {currentProcedure} is {w.Length} bytes, more than the protocol allows");
        w.PatchUInt(0, (uint)w.Length);

        int length;
        MessageStatus status;
        try
        {
            Send(w.Written, deadline);
            while (true)
            {
                ReceiveExactly(0, RemoteProtocol.LengthSize, deadline);
                length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(receiveBuffer), int.MaxValue);
                if (length < RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize || length > RemoteProtocol.MessageMax)
                    throw new XdrException($"libvirt message length {length} is out of range");
                if (length > receiveBuffer.Length)
                {
                    var bigger = new byte[Math.Max(length, receiveBuffer.Length * 2)];
                    receiveBuffer.AsSpan(0, RemoteProtocol.LengthSize).CopyTo(bigger);
                    receiveBuffer = bigger;
                }
                ReceiveExactly(RemoteProtocol.LengthSize, length - RemoteProtocol.LengthSize, deadline);
                var reader = new XdrReader(receiveBuffer.AsSpan(RemoteProtocol.LengthSize, RemoteProtocol.HeaderSize));
                var header = MessageHeader.Read(ref reader);
                // events (type message), keep-alive, stream data, stale replies: not ours
                if (header.Program != RemoteProtocol.Program || header.Type != MessageType.Reply || header.Serial != currentSerial)
                    continue;
                if (header.Procedure != currentProcedure)
                    throw new XdrException($"reply {header.Serial} is for procedure {header.Procedure}, not {currentProcedure}");
                status = header.Status;
                if (status is not (MessageStatus.Ok or MessageStatus.Error))
                    throw new XdrException($"reply status {(int)status} is unexpected");
                break;
            }
        }
        catch (TimeoutException e)
        {
            Break(e.Message);
            throw;
        }
        catch (XdrException e)
        {
            Break(e.Message);
            throw new LibvirtException(LibvirtErrorCode.Rpc, $"malformed message from libvirt: {e.Message}", e);
        }
        catch (SocketException e)
        {
            Break(e.Message);
            throw new LibvirtException(LibvirtErrorCode.NoConnect, $"libvirt connection failed: {e.Message}", e);
        }
        catch (LibvirtException e)
        {
            Break(e.Message);
            throw;
        }

        var payload = receiveBuffer.AsSpan(RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize,
            length - RemoteProtocol.LengthSize - RemoteProtocol.HeaderSize);
        if (status == MessageStatus.Error)
        {
            LibvirtException error;
            try { error = LibvirtException.Decode(payload); }
            catch (XdrException e) { error = new LibvirtException(LibvirtErrorCode.Rpc, $"undecodable libvirt error: {e.Message}"); }
            throw error;
        }
        return payload;
    }

    void Break(string reason)
    {
        brokenReason ??= reason;
        socket.Dispose();
    }

    void Send(ReadOnlySpan<byte> data, Deadline deadline)
    {
        while (!data.IsEmpty)
        {
            int sent = socket.Send(data, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                data = data[sent..];
                continue;
            }
            if (error is SocketError.WouldBlock or SocketError.TryAgain or SocketError.Interrupted)
            {
                Wait(SelectMode.SelectWrite, deadline, "send to");
                continue;
            }
            throw new SocketException((int)error);
        }
    }

    void ReceiveExactly(int offset, int count, Deadline deadline)
    {
        int end = offset + count;
        while (offset < end)
        {
            int received = socket.Receive(receiveBuffer.AsSpan(offset, end - offset), SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                if (received == 0) throw new LibvirtException(LibvirtErrorCode.NoConnect, "libvirt closed the connection");
                offset += received;
                continue;
            }
            if (error is SocketError.WouldBlock or SocketError.TryAgain or SocketError.Interrupted)
            {
                Wait(SelectMode.SelectRead, deadline, "receive from");
                continue;
            }
            throw new SocketException((int)error);
        }
    }

    /// <summary>Socket.Poll takes at most int.MaxValue microseconds (~35 min): long deadlines wait in slices.</summary>
    static readonly TimeSpan MaxPollSlice = TimeSpan.FromMinutes(10);

    void Wait(SelectMode mode, Deadline deadline, string what)
    {
        var left = deadline.Remaining;
        if (left <= TimeSpan.Zero || !socket.Poll(left > MaxPollSlice ? MaxPollSlice : left, mode))
        {
            if (deadline.IsExpired)
                throw new TimeoutException($"libvirt did not answer call {currentProcedure} in time (could not {what} {SocketPath})");
        }
    }
}
