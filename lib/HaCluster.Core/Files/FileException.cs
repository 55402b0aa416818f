namespace HaCluster.Core.Files;

/// <summary>What went wrong with a file, for callers that decide by kind (absent, wrong type, …).</summary>
public enum FileProblem
{
    /// <summary>The file (or a directory on its path) does not exist.</summary>
    NotFound,
    /// <summary>The path names something other than a regular file: a directory, a FIFO, a device, a socket.</summary>
    NotRegularFile,
    /// <summary>The last component is a symbolic link, and the caller asked not to follow one.</summary>
    SymbolicLink,
    /// <summary>The file is larger than the caller's bound.</summary>
    TooLarge,
    /// <summary>Permission denied, or a read-only file system.</summary>
    Denied,
    /// <summary>The read did not finish before the deadline (a hung network file system) and was abandoned.</summary>
    TimedOut,
    /// <summary>Any other error of the system call (no space left, an I/O error).</summary>
    Failed,
}

/// <summary>
/// A file could not be read or written. The message is one sentence of ours that names the file
/// (quoted, bounded) and the cause in the system's words, so it can go into an exit reason as
/// it is: never a resource key of the runtime.
/// </summary>
public sealed class FileException : IOException
{
    public FileException(FileProblem problem, string path, string message, int errno = 0, string? cause = null)
        : base(message)
    {
        Problem = problem;
        FilePath = path;
        Errno = errno;
        Cause = cause ?? (errno != 0 ? Describe(errno) : message);
    }

    /// <summary>
    /// Why, without the path: the system's words for an errno ("No space left on device") or
    /// ours ("a directory is in the way"), for a caller that names the file its own way.
    /// </summary>
    public string Cause { get; }

    public FileProblem Problem { get; }

    /// <summary>The path as the caller gave it.</summary>
    public string FilePath { get; }

    /// <summary>The errno of the failed system call, 0 when the problem was found by a check of ours.</summary>
    public int Errno { get; }

    internal static string Quote(string path) => SafeText.Quote(path, 160);

    /// <summary>The system's description of an errno ("No space left on device").</summary>
    internal static string Describe(int errno) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);

    internal static FileException FromErrno(string verb, string path, int errno) => errno switch
    {
        Native.Libc.ENOENT => new(FileProblem.NotFound, path, $"cannot {verb} {Quote(path)}: {Describe(errno)}", errno),
        Native.Libc.EACCES or 1 /* EPERM */ or 30 /* EROFS */ => new(FileProblem.Denied, path, $"cannot {verb} {Quote(path)}: {Describe(errno)}", errno),
        _ => new(FileProblem.Failed, path, $"cannot {verb} {Quote(path)}: {Describe(errno)}", errno),
    };

    /// <summary>"a directory", "a FIFO", … for the S_IFMT bits of a mode.</summary>
    internal static string TypeName(int mode) => (mode & Native.Libc.S_IFMT) switch
    {
        Native.Libc.S_IFDIR => "a directory",
        Native.Libc.S_IFIFO => "a FIFO",
        Native.Libc.S_IFCHR => "a character device",
        Native.Libc.S_IFBLK => "a block device",
        Native.Libc.S_IFSOCK => "a socket",
        Native.Libc.S_IFLNK => "a symbolic link",
        _ => "not a regular file",
    };
}
