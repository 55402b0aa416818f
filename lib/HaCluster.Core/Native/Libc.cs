using System.Runtime.InteropServices;

namespace HaCluster.Core.Native;

/// <summary>
/// The few libc calls the BCL does not offer: posix_spawn attributes for children, pidfds,
/// prctl, raw writes to the standard descriptors (System.Console would initialise terminal
/// handling in every agent process), and the open/statx/rename family with the flags the BCL
/// does not expose (O_NOFOLLOW, O_NONBLOCK, O_EXCL on a name of our choosing, fchmod on a
/// descriptor).
/// </summary>
internal static unsafe partial class Libc
{
    const string Lib = "libc";

    public const int EINTR = 4, EAGAIN = 11, ENOENT = 2, EACCES = 13, ENOEXEC = 8, ENOSYS = 38, ECHILD = 10, ESRCH = 3;
    public const int EEXIST = 17, EISDIR = 21, ELOOP = 40, ENXIO = 6, EINPROGRESS = 115, EXDEV = 18, EPERM = 1, EINVAL = 22, E2BIG = 7;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000, MSG_NOSIGNAL = 0x4000;
    public const short POLLOUT = 0x4;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    public const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOFOLLOW = 0x20000, O_DIRECTORY = 0x10000, O_NOCTTY = 0x100, O_PATH = 0x200000;
    /// <summary>openat2's resolve flag: fail with EXDEV rather than cross a mount point (bind mounts included).</summary>
    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, STATX_TYPE = 0x1, STATX_SIZE = 0x200;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public const int SIGKILL = 9, SIGTERM = 15;
    public const int WNOHANG = 1;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    const long SYS_pidfd_open = 434, SYS_openat2 = 437;

    // glibc x86_64: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.
    // The buffers are larger so that a libc with bigger structures still has room.
    public const int FileActionsSize = 256, SpawnAttrSize = 1024, SigSetSize = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short Revents; }

    [LibraryImport(Lib, SetLastError = true)] public static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(Lib)] public static partial int isatty(int fd);
    [LibraryImport(Lib)] public static partial int getpid();
    [LibraryImport(Lib)] public static partial int getppid();
    [LibraryImport(Lib, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int poll(PollFd* fds, nuint nfds, int timeout);
    [LibraryImport(Lib, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Lib, SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport(Lib, SetLastError = true)] public static partial long syscall(long number, long a1, long a2);
    [LibraryImport(Lib, SetLastError = true, EntryPoint = "syscall")] private static partial long syscall4(long number, long a1, long a2, long a3, long a4);
    [LibraryImport(Lib)] public static partial void _exit(int status);
    [LibraryImport(Lib, SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, SetLastError = true)] public static partial int connect(int fd, byte* address, int length);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint send(int fd, byte* buf, nint count, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint recv(int fd, byte* buf, nint count, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, int mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fsync(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchmod(int fd, int mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fchown(int fd, int owner, int group);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int rename(string from, string to);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int unlink(string path);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint getrandom(byte* buffer, nuint length, uint flags);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int statx(int dirfd, string path, int flags, uint mask, Statx* buffer);

    /// <summary>struct statx: the same layout on every architecture (unlike struct stat), 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
    }

    /// <summary>The file type bits of a mode (S_IFMT) and their values.</summary>
    public const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_init(void* fa);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_destroy(void* fa);
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_adddup2(void* fa, int fd, int newfd);
    /// <summary>glibc ≥ 2.34: the child closes every descriptor from <paramref name="from"/> up before exec.</summary>
    [LibraryImport(Lib)] public static partial int posix_spawn_file_actions_addclosefrom_np(void* fa, int from);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int posix_spawn_file_actions_addopen(void* fa, int fd, string path, int oflag, int mode);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
    [LibraryImport(Lib)] public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);
    [LibraryImport(Lib)] public static partial int sigemptyset(void* set);
    [LibraryImport(Lib)] public static partial int sigfillset(void* set);
    [LibraryImport(Lib)] public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    /// <summary>struct open_how of openat2(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow { public ulong Flags; public ulong Mode; public ulong Resolve; }

    /// <summary>openat2(2) (Linux 5.6): a descriptor, or -1 with the errno set (ENOSYS before 5.6).</summary>
    public static int Openat2(int dirfd, string path, OpenHow how)
    {
        byte[] name = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, name);
        fixed (byte* p = name)
            return (int)syscall4(SYS_openat2, dirfd, (long)p, (long)&how, sizeof(OpenHow));
    }

    /// <summary>A pidfd for <paramref name="pid"/>, or -1 where the kernel has none (before 5.3).</summary>
    public static int PidfdOpen(int pid)
    {
        long fd = syscall(SYS_pidfd_open, pid, 0);
        return fd < 0 ? -1 : (int)fd;
    }
}
