using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;

namespace HaCluster.Network;

/// <summary>
/// Named network namespaces, as `ip netns` keeps them: bind mounts under /run/netns.
/// </summary>
/// <remarks>
/// Linux keeps the network namespace per thread. <see cref="Enter"/> moves the calling thread
/// only; other threads of the process (the runtime's included) stay where they are. A socket
/// belongs to the namespace of the thread that created it, for its whole life, wherever it is
/// used afterwards: create <see cref="RtNetlink"/> (and packet sockets) after entering, on the
/// thread that entered. /proc/sys/net also shows the namespace of the thread that opens it.
/// </remarks>
public static partial class NetworkNamespace
{
    /// <summary>Where `ip netns add` mounts named namespaces.</summary>
    public const string Directory = "/run/netns";

    const int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    const int CLONE_NEWNET = 0x40000000;
    const int EINTR = 4, ENOENT = 2, EPERM = 1, EACCES = 13, EINVAL = 22;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>
    /// Whether <paramref name="name"/> can name a namespace: a file name under /run/netns of 1 to
    /// 255 bytes, without '/' or NUL, not "." or "..".
    /// </summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name != "." && name != ".." && !name.Contains('/') && !name.Contains('\0')
        && Encoding.UTF8.GetByteCount(name) <= 255;

    /// <summary>
    /// Moves the calling thread into the network namespace <paramref name="name"/>
    /// (open /run/netns/NAME, setns CLONE_NEWNET). Sockets created afterwards on this thread
    /// live there.
    /// </summary>
    /// <exception cref="ArgumentException">Not a namespace name (see <see cref="IsValidName"/>).</exception>
    /// <exception cref="FileNotFoundException">No such namespace (a kind of <see cref="IOException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">Not allowed to open or enter it (EACCES, EPERM: not root).</exception>
    /// <exception cref="IOException">Any other failure of open or setns, with its errno.</exception>
    public static void Enter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
            throw new ArgumentException($"'{Printable(name)}' is not a network namespace name (1 to 255 bytes, no '/', not '.' or '..')", nameof(name));

        string path = $"{Directory}/{name}";
        int fd;
        do fd = open(path, O_RDONLY | O_CLOEXEC);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string text = $"cannot open network namespace '{name}' ({path}): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            throw errno switch
            {
                ENOENT => new FileNotFoundException($"network namespace '{name}' does not exist ({path}: {Marshal.GetPInvokeErrorMessage(errno)}, errno {errno})", path),
                EACCES or EPERM => new UnauthorizedAccessException(text),
                _ => new IOException(text, errno),
            };
        }
        try
        {
            if (setns(fd, CLONE_NEWNET) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                string text = $"cannot enter network namespace '{name}' (setns): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
                throw errno switch
                {
                    EPERM or EACCES => new UnauthorizedAccessException(text),
                    EINVAL => new IOException($"cannot enter network namespace '{name}': {path} is not a network namespace (setns: errno {errno})", errno),
                    _ => new IOException(text, errno),
                };
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a new thread that first enters the namespace
    /// <paramref name="name"/>, waits for it and returns its result; the calling thread stays in
    /// its namespace. Exceptions (of <see cref="Enter"/> and of the work) are rethrown here with
    /// their original stack trace.
    /// </summary>
    public static T Run<T>(string name, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!IsValidName(name)) Enter(name); // throws the ArgumentException here, on the caller's thread

        T? result = default;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(name);
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }

    /// <summary><see cref="Run{T}(string, Func{T})"/> for work without a result.</summary>
    public static void Run(string name, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run<object?>(name, () => { work(); return null; });
    }

    static string Printable(string s)
    {
        var text = s.Length > 64 ? s[..64] + "…" : s;
        var b = new StringBuilder(text.Length);
        foreach (char c in text) b.Append(char.IsControl(c) ? '?' : c);
        return b.ToString();
    }
}
