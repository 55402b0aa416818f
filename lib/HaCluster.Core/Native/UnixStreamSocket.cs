using System.Runtime.InteropServices;
using System.Text;

namespace HaCluster.Core.Native;

/// <summary>
/// A non-blocking AF_UNIX stream socket on plain system calls, for clients that wait with
/// <see cref="Poll"/> under their own deadline. Not System.Net.Sockets: its first socket starts
/// the runtime's epoll thread and opens three more sockets to probe the address families, work a
/// synchronous client never uses that costs an agent's monitor a measurable share of its CPU.
/// Errors are returned as errno values (<see cref="Describe"/> words them); nothing here throws
/// but <see cref="Open"/>. EINTR is retried inside.
/// </summary>
public sealed unsafe class UnixStreamSocket : IDisposable
{
    /// <summary>sun_path holds 108 bytes, the terminating NUL included.</summary>
    public const int MaxPathBytes = 107;
    const int SockaddrUnSize = 110;
    /// <summary>The errno values a caller acts on: try again later; connect still under way; no such socket file.</summary>
    public const int EAGAIN = Libc.EAGAIN, EINPROGRESS = Libc.EINPROGRESS, ENOENT = Libc.ENOENT;

    int fd;

    UnixStreamSocket(int fd) => this.fd = fd;

    /// <summary>A new socket, non-blocking and close-on-exec; an <see cref="IOException"/> when the system has none to give.</summary>
    public static UnixStreamSocket Open()
    {
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException($"socket(AF_UNIX) failed: {Describe(Marshal.GetLastPInvokeError())}");
        return new UnixStreamSocket(fd);
    }

    /// <summary>
    /// connect(2) to <paramref name="path"/>: 0, or the errno (EAGAIN when the listener's backlog
    /// is full, ENOENT, ECONNREFUSED, EACCES, ENAMETOOLONG for a path over <see cref="MaxPathBytes"/>).
    /// </summary>
    public int Connect(string path)
    {
        Span<byte> address = stackalloc byte[SockaddrUnSize];
        address.Clear();
        MemoryMarshal.Write(address, (ushort)Libc.AF_UNIX);
        int length = Encoding.UTF8.GetByteCount(path);
        if (length > MaxPathBytes || path.Contains('\0')) return 36; // ENAMETOOLONG
        Encoding.UTF8.GetBytes(path, address[2..]);
        fixed (byte* a = address)
        {
            while (true)
            {
                if (Libc.connect(fd, a, 2 + length + 1) == 0) return 0;
                int error = Marshal.GetLastPInvokeError();
                if (error != Libc.EINTR) return error;
            }
        }
    }

    /// <summary>send(2) without SIGPIPE: the bytes sent, or -1 with <paramref name="error"/> set (EAGAIN: the buffer is full).</summary>
    public int Send(ReadOnlySpan<byte> data, out int error)
    {
        fixed (byte* d = data)
        {
            while (true)
            {
                nint sent = Libc.send(fd, d, data.Length, Libc.MSG_NOSIGNAL);
                error = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (error != Libc.EINTR) return (int)sent;
            }
        }
    }

    /// <summary>recv(2): the bytes received (0 at end of file), or -1 with <paramref name="error"/> set (EAGAIN: nothing yet).</summary>
    public int Receive(Span<byte> buffer, out int error)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                nint received = Libc.recv(fd, b, buffer.Length, 0);
                error = received < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (error != Libc.EINTR) return (int)received;
            }
        }
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> (at most ~24 days; negative is no wait) until the
    /// socket can be read (or written, with <paramref name="forWrite"/>), has an error or was hung
    /// up on. True when it is ready, or closed (the next call then fails at once with EBADF); a
    /// signal or the time running out is false.
    /// </summary>
    public bool Poll(TimeSpan wait, bool forWrite)
    {
        if (fd < 0) return true;
        double ms = Math.Ceiling(Math.Clamp(wait.TotalMilliseconds, 0, int.MaxValue));
        var pfd = new Libc.PollFd { Fd = fd, Events = forWrite ? Libc.POLLOUT : Libc.POLLIN };
        return Libc.poll(&pfd, 1, (int)ms) > 0;
    }

    /// <summary>The system's words for an errno (strerror).</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Closes the socket; later calls fail with EBADF.</summary>
    public void Dispose()
    {
        int old = Interlocked.Exchange(ref fd, -1);
        if (old >= 0) Libc.close(old);
    }
}
