using HaCluster.Core;
using HaCluster.Core.Native;

namespace HaCluster.Libvirt;

/// <summary>
/// A connection to a local libvirt daemon speaking its remote protocol (XDR RPC over the unix
/// socket) directly: no libvirt.so, no child process. Every call takes a <see cref="Deadline"/>
/// that bounds connect, send and receive; when it expires the call throws
/// <see cref="TimeoutException"/> and, if a request was already on the wire, the connection is
/// broken (closed; later calls throw <see cref="LibvirtException"/> with
/// <see cref="LibvirtErrorCode.NoConnect"/>), so a hung daemon never hangs the caller.
/// Errors the daemon returns are <see cref="LibvirtException"/> and leave the connection usable;
/// a daemon that closes the connection or sends what does not decode breaks it, with a
/// <see cref="LibvirtException"/> whose <see cref="LibvirtException.IsConnectionFailure"/> is true.
/// </summary>
/// <remarks>One call at a time (calls are serialised by a lock). Asynchronous events, keep-alive
/// and stream messages are skipped; replies are matched by serial.</remarks>
public sealed partial class LibvirtConnection : ILibvirtConnection
{
    readonly UnixStreamSocket socket;
    readonly XdrWriter writer = new(512);
    readonly Lock sync = new();
    byte[] receiveBuffer = new byte[4096];
    uint serial;
    string? brokenReason;
    bool closed;

    LibvirtConnection(UnixStreamSocket socket, string socketPath, string name)
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
    /// <param name="uri">A local libvirt URI.</param>
    public static string DefaultSocketPath(string uri) => LibvirtUri.Parse(uri).SocketPath;

    /// <summary>Opens <paramref name="uri"/> (<c>qemu:///system</c>, <c>test+unix:///default?socket=/x/libvirt-sock</c>, …) on the socket it names or implies.</summary>
    /// <param name="uri">A local libvirt URI (see <see cref="LibvirtUri.Parse(string)"/>).</param>
    /// <param name="deadline">Bounds the connect and the CONNECT_OPEN call.</param>
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
    /// <param name="socketPath">The daemon's unix socket.</param>
    /// <param name="uri">The URI or name to open there.</param>
    /// <param name="deadline">Bounds the connect and the CONNECT_OPEN call.</param>
    public static LibvirtConnection Open(string socketPath, string uri, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        ArgumentNullException.ThrowIfNull(deadline);
        string name = uri.Contains("://", StringComparison.Ordinal) ? LibvirtUri.Parse(uri, _ => false).Name : uri;
        if (deadline.IsExpired) throw new TimeoutException($"no time left to connect to libvirt at {socketPath}");

        UnixStreamSocket socket;
        try { socket = UnixStreamSocket.Open(); }
        catch (IOException e) { throw new LibvirtException(LibvirtErrorCode.NoConnect, $"Failed to connect socket to '{socketPath}': {e.Message}", e); }
        try
        {
            Connect(socket, socketPath, deadline);
            var connection = new LibvirtConnection(socket, socketPath, name);
            connection.Call(RemoteProcedure.ConnectOpen, name, RemoteArgs.OpenName, deadline);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static void Connect(UnixStreamSocket socket, string socketPath, Deadline deadline)
    {
        while (true)
        {
            int error = socket.Connect(socketPath);
            if (error == 0) return;
            // A unix socket whose backlog is full says EAGAIN: the daemon does not accept. Retry
            // until the deadline. (EINPROGRESS does not happen for AF_UNIX; handled alike.)
            if (error is UnixStreamSocket.EAGAIN or UnixStreamSocket.EINPROGRESS)
            {
                if (deadline.IsExpired) throw new TimeoutException($"libvirt at {socketPath} did not accept the connection in time");
                deadline.Sleep(TimeSpan.FromMilliseconds(5));
                continue;
            }
            string why = error == UnixStreamSocket.ENOENT ? "No such file or directory (is libvirtd running?)" : UnixStreamSocket.Describe(error);
            throw new LibvirtException(LibvirtErrorCode.NoConnect, $"Failed to connect socket to '{socketPath}': {why}");
        }
    }

    /// <summary>CONNECT_CLOSE, then closes the socket. Best effort on a broken connection.</summary>
    /// <param name="deadline">Bounds the CONNECT_CLOSE call; the socket is closed either way.</param>
    public void Close(Deadline deadline)
    {
        try
        {
            if (!closed && brokenReason is null)
                Call(RemoteProcedure.ConnectClose, 0, RemoteArgs.None, deadline);
        }
        finally
        {
            Dispose();
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
}
