using System.Runtime.InteropServices;
using System.Text;
using HaCluster.Core.Native;

namespace HaCluster.Core.Files;

/// <summary>
/// Writes a file as root without handing anyone the means to redirect the write: state files
/// under HA_RSCTMP, a configuration saved beside the user's. The content goes to a temporary
/// file with an unpredictable name in the target's directory, created with
/// O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC (so a symbolic link or any file planted there is never
/// opened), its mode and owner set through the descriptor (fchmod, fchown: never through a path
/// that could have become a link), flushed (fsync), then renamed over the target. rename(2)
/// replaces the directory entry itself: a symbolic link, FIFO or file at the target is replaced,
/// never followed or opened; a directory there makes the write fail. Readers see the old content
/// or the new, never a part; a failed write (a full or read-only file system) leaves the target
/// as it was and no temporary file behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8. See <see cref="Write"/>.</summary>
    public static void WriteText(string path, string text, AtomicWriteOptions? options = null) =>
        Write(path, Encoding.UTF8.GetBytes(text), options);

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> atomically; mode 0600
    /// owned by the caller unless <paramref name="options"/> say otherwise. Throws
    /// <see cref="FileException"/> with a sentence of ours.
    /// </summary>
    public static unsafe void Write(string path, ReadOnlySpan<byte> content, AtomicWriteOptions? options = null)
    {
        options ??= AtomicWriteOptions.Private;
        if (path.Length == 0 || path.Contains('\0'))
            throw new FileException(FileProblem.NotFound, path, $"{FileException.Quote(path)} is not a usable file name", cause: "not a usable file name");
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        string target = Path.Combine(directory, Path.GetFileName(path));
        int mode = (int)options.Mode & 0xfff;

        var (fd, created) = CreateTemporary(directory, Path.GetFileName(path), mode, path);
        string? temporary = created;
        try
        {
            // The umask took bits away at creation; the descriptor gets exactly the mode asked for.
            if (Libc.fchmod(fd, mode) != 0) throw Failed("write", path);
            if ((options.OwnerId ?? options.GroupId) is not null &&
                Libc.fchown(fd, options.OwnerId ?? -1, options.GroupId ?? -1) != 0) throw Failed("write", path);
            fixed (byte* p = content)
            {
                int done = 0;
                while (done < content.Length)
                {
                    nint n = Libc.write(fd, p + done, content.Length - done);
                    if (n > 0) { done += (int)n; continue; }
                    if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw Failed("write", path);
                }
            }
            if (Libc.fsync(fd) != 0) throw Failed("write", path);
            int closed = Libc.close(fd);
            fd = -1;
            // NFS reports a failed write at close.
            if (closed != 0) throw Failed("write", path);
            if (Libc.rename(created, target) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EISDIR or 39 /* ENOTEMPTY */)
                    throw new FileException(FileProblem.NotRegularFile, path, $"cannot write {FileException.Quote(path)}: a directory is in the way", errno,
                        cause: "a directory is in the way");
                throw FileException.FromErrno("write", path, errno);
            }
            temporary = null;
            SyncDirectory(directory);
        }
        finally
        {
            if (fd >= 0) Libc.close(fd);
            if (temporary is not null) Libc.unlink(temporary);
        }
    }

    /// <summary>
    /// Removes <paramref name="path"/> itself (a symbolic link there is removed, not what it
    /// points to); false when there was nothing. Throws <see cref="FileException"/> otherwise,
    /// e.g. for a directory.
    /// </summary>
    public static unsafe bool Remove(string path)
    {
        if (Libc.unlink(path) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.ENOENT) return false;
        // A read-only file system refuses even to look (EROFS before ENOENT): nothing there is nothing to remove.
        Libc.Statx st;
        if (Libc.statx(Libc.AT_FDCWD, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, Libc.STATX_TYPE, &st) != 0
            && Marshal.GetLastPInvokeError() == Libc.ENOENT) return false;
        if (errno is Libc.EISDIR or 1 /* EPERM: unlink of a directory */)
            throw new FileException(FileProblem.NotRegularFile, path, $"cannot remove {FileException.Quote(path)}: it is a directory", errno,
                cause: "it is a directory");
        throw FileException.FromErrno("remove", path, errno);
    }

    static (int Fd, string Path) CreateTemporary(string directory, string name, int mode, string path)
    {
        // Leave room for the suffix within NAME_MAX (255 bytes); the prefix is only for people.
        string stem = name.Length > 180 ? name[..180] : name;
        for (int attempt = 0; ; attempt++)
        {
            string temporary = Path.Combine(directory, $".{stem}.{RandomSuffix()}.tmp");
            int fd = Libc.open(temporary, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NOCTTY, mode);
            if (fd >= 0) return (fd, temporary);
            int errno = Marshal.GetLastPInvokeError();
            // Someone took the name (a planted file): draw another; a few collisions in a row
            // mean the directory is being flooded, not bad luck.
            if (errno == Libc.EEXIST && attempt < 8) continue;
            throw FileException.FromErrno("write", path, errno);
        }
    }

    static unsafe string RandomSuffix()
    {
        byte* bytes = stackalloc byte[12];
        if (Libc.getrandom(bytes, 12, 0) != 12) Random.Shared.NextBytes(new Span<byte>(bytes, 12));
        return Convert.ToHexStringLower(new ReadOnlySpan<byte>(bytes, 12));
    }

    static void SyncDirectory(string directory)
    {
        // Makes the rename itself durable; best effort (some file systems refuse fsync on a directory).
        int fd = Libc.open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return;
        Libc.fsync(fd);
        Libc.close(fd);
    }

    static FileException Failed(string verb, string path) => FileException.FromErrno(verb, path, Marshal.GetLastPInvokeError());
}

/// <summary>Mode and owner of a file <see cref="AtomicFile"/> writes.</summary>
public sealed record AtomicWriteOptions
{
    /// <summary>0600, owned by the writer: state files (parameter values may be secrets).</summary>
    public static readonly AtomicWriteOptions Private = new();

    public UnixFileMode Mode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The owner to give the file (fchown on the temporary file); null keeps the writer's.</summary>
    public int? OwnerId { get; init; }

    /// <summary>The group to give the file; null keeps the writer's.</summary>
    public int? GroupId { get; init; }

    /// <summary>
    /// The mode and owner of the regular file at <paramref name="path"/> (looked at without
    /// following a symbolic link), to replace a file keeping them; <paramref name="fallback"/>
    /// (default <see cref="Private"/>) when there is no regular file.
    /// </summary>
    public static unsafe AtomicWriteOptions LikeExisting(string path, AtomicWriteOptions? fallback = null)
    {
        const int AT_SYMLINK_NOFOLLOW = 0x100;
        Libc.Statx st;
        if (Libc.statx(Libc.AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE | 0x2 /* MODE */ | 0x8 /* UID */ | 0x10 /* GID */, &st) != 0
            || (st.Mode & Libc.S_IFMT) != Libc.S_IFREG)
            return fallback ?? Private;
        return new AtomicWriteOptions { Mode = (UnixFileMode)(st.Mode & 0xfff), OwnerId = (int)st.Uid, GroupId = (int)st.Gid };
    }
}
