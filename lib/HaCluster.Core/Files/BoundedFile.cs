using System.Runtime.InteropServices;
using System.Text;
using HaCluster.Core.Native;

namespace HaCluster.Core.Files;

/// <summary>
/// The one way an agent reads a file: a configuration file, a pid file, a state file. Opened
/// without blocking (O_NONBLOCK, so a FIFO planted at the path cannot hang the action) and
/// without a controlling terminal, checked to be a regular file (a directory, FIFO or device is
/// a clear error, never an endless read of /dev/zero), bounded in size, and read under the
/// action's deadline: on a network file system whose server is gone, open and read block in the
/// kernel, so by default the read runs on a thread of its own that the caller abandons at the
/// deadline (the thread is left behind and ends with the process) — unless the kernel shows that
/// the way to the file stays on local file systems (<see cref="LocalOpen"/>).
/// </summary>
public static class BoundedFile
{
    /// <summary>The bound when the caller names none: far above any configuration file we read.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    /// <summary>
    /// Reads the whole file. Throws <see cref="FileException"/>: absent, not a regular file, a
    /// symbolic link (with <paramref name="followSymlinks"/> false; only the last component is
    /// checked), larger than <paramref name="maxBytes"/>, not finished before the deadline, or
    /// any other error, each as one sentence of ours.
    /// </summary>
    /// <param name="path">The file; intermediate directories may be symbolic links.</param>
    /// <param name="deadline">The action's deadline (or a sub-deadline of it).</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="followSymlinks">False for files of our own (state files): a link there was planted.</param>
    /// <param name="mayBlock">
    /// True (the default) for a file that may be on a network file system: the read runs on a
    /// thread abandoned at the deadline, unless the open shows the file is on a local file
    /// system. False for files known to be local (HA_RSCTMP, /proc): read on the calling thread.
    /// </param>
    public static byte[] ReadAllBytes(string path, Deadline deadline, int maxBytes = DefaultMaxBytes, bool followSymlinks = true, bool mayBlock = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (!mayBlock) return Read(path, maxBytes, followSymlinks);
        if (IsUsableName(path) && LocalOpen.TryOpen(path, OpenFlags(followSymlinks), out int fd, out int errno))
            return ReadOpened(path, fd, errno, maxBytes, followSymlinks);
        if (!Abandonable.TryRun(() => Read(path, maxBytes, followSymlinks), deadline, out var bytes))
            throw new FileException(FileProblem.TimedOut, path, $"reading {FileException.Quote(path)} did not finish before the deadline",
                cause: "the read did not finish before the deadline");
        return bytes;
    }

    /// <summary><see cref="ReadAllBytes"/> decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public static string ReadAllText(string path, Deadline deadline, int maxBytes = DefaultMaxBytes, bool followSymlinks = true, bool mayBlock = true) =>
        Encoding.UTF8.GetString(ReadAllBytes(path, deadline, maxBytes, followSymlinks, mayBlock));

    /// <summary><see cref="ReadAllText"/>, or null when the file does not exist.</summary>
    public static string? ReadAllTextIfExists(string path, Deadline deadline, int maxBytes = DefaultMaxBytes, bool followSymlinks = true, bool mayBlock = true)
    {
        try { return ReadAllText(path, deadline, maxBytes, followSymlinks, mayBlock); }
        catch (FileException e) when (e.Problem == FileProblem.NotFound) { return null; }
    }

    static bool IsUsableName(string path) => path.Length > 0 && !path.Contains('\0');

    static int OpenFlags(bool followSymlinks) =>
        Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC | Libc.O_NOCTTY | (followSymlinks ? 0 : Libc.O_NOFOLLOW);

    static byte[] Read(string path, int maxBytes, bool followSymlinks)
    {
        if (!IsUsableName(path))
            throw new FileException(FileProblem.NotFound, path, $"{FileException.Quote(path)} is not a usable file name", cause: "not a usable file name");
        int fd = Libc.open(path, OpenFlags(followSymlinks), 0);
        return ReadOpened(path, fd, fd < 0 ? Marshal.GetLastPInvokeError() : 0, maxBytes, followSymlinks);
    }

    /// <summary>Reads from <paramref name="fd"/> and closes it; -1 is the failed open's <paramref name="openErrno"/>.</summary>
    static unsafe byte[] ReadOpened(string path, int fd, int openErrno, int maxBytes, bool followSymlinks)
    {
        if (fd < 0)
        {
            int errno = openErrno;
            if (errno == Libc.ELOOP && !followSymlinks)
                throw new FileException(FileProblem.SymbolicLink, path, $"{FileException.Quote(path)} is a symbolic link, which is not followed here", errno,
                    cause: "it is a symbolic link, which is not followed here");
            throw FileException.FromErrno("read", path, errno);
        }
        try
        {
            Libc.Statx st;
            if (Libc.statx(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE | Libc.STATX_SIZE, &st) != 0)
                throw FileException.FromErrno("read", path, Marshal.GetLastPInvokeError());
            if ((st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
                throw new FileException(FileProblem.NotRegularFile, path, $"{FileException.Quote(path)} is {FileException.TypeName(st.Mode)}, not a regular file",
                    cause: $"it is {FileException.TypeName(st.Mode)}, not a regular file");
            if (st.Size > (ulong)maxBytes) throw TooLarge(path, maxBytes);

            // st_size may be 0 (files of /proc) or change while we read: read until end of file,
            // and never more than one byte past the bound.
            var buffer = new byte[(int)Math.Min((ulong)maxBytes + 1, Math.Max(st.Size + 1, 4096))];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > maxBytes) throw TooLarge(path, maxBytes);
                    Array.Resize(ref buffer, (int)Math.Min((long)maxBytes + 1, (long)buffer.Length * 2));
                }
                nint n;
                fixed (byte* b = &buffer[total]) n = Libc.read(fd, b, buffer.Length - total);
                if (n > 0) { total += (int)n; continue; }
                if (n == 0) break;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR) continue;
                throw FileException.FromErrno("read", path, errno);
            }
            if (total > maxBytes) throw TooLarge(path, maxBytes);
            return total == buffer.Length ? buffer : buffer[..total];
        }
        finally
        {
            Libc.close(fd);
        }
    }

    static FileException TooLarge(string path, int maxBytes) =>
        new(FileProblem.TooLarge, path, $"{FileException.Quote(path)} is larger than {maxBytes} bytes", cause: $"it is larger than {maxBytes} bytes");
}
