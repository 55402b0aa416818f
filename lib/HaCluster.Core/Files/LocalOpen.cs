using System.Runtime.InteropServices;
using HaCluster.Core.Native;

namespace HaCluster.Core.Files;

/// <summary>
/// Opens a file on the calling thread when no lookup on the way to it can wait on a server, so
/// that <see cref="BoundedFile"/> needs its abandonable thread (~0.5 ms of CPU, a tenth of a
/// VirtualDomain monitor) only for files that may be on a network or FUSE file system.
/// </summary>
/// <remarks>
/// The proof comes from the kernel, not from the path's text alone: the deepest mount point above
/// the path (from /proc/self/mountinfo, which never blocks) and every mount point above that must
/// be of a local type; the mount point is opened (its lookups cross only those mounts), and the
/// rest is opened below it with openat2's RESOLVE_NO_XDEV, which refuses with EXDEV, before any
/// lookup there, to cross into another mount — through a symbolic link, "..", or a mount the
/// table did not show. Anything else (a relative path, "." or ".." in it, a kernel without
/// openat2, EXDEV) answers "may block", and the caller uses its thread.
/// </remarks>
internal static class LocalOpen
{
    /// <summary>
    /// Types whose lookups and reads wait only on local devices and memory. Not here, so "may
    /// block": nfs, cifs, fuse.*, ceph, glusterfs, 9p, autofs (its lookups mount), and the
    /// cluster file systems ocfs2 and gfs2 (their locks wait on the cluster).
    /// </summary>
    static readonly HashSet<string> LocalTypes =
        ["ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "vfat", "tmpfs", "ramfs", "proc", "sysfs", "devtmpfs", "overlay", "squashfs"];

    static readonly Lazy<Dictionary<string, string>?> Mounts = new(() => ReadMountTable("/proc/self/mountinfo"));

    /// <summary>
    /// True when the open was decided on local file systems alone: then <paramref name="fd"/> is
    /// the descriptor, or -1 with <paramref name="errno"/> (ENOENT, EACCES, ELOOP, …). False when
    /// the path may lead to a file system that can block: nothing was opened.
    /// </summary>
    public static bool TryOpen(string path, int flags, out int fd, out int errno)
    {
        fd = -1;
        errno = 0;
        if (Mounts.Value is not { } mounts || DeepestLocalMount(path, mounts) is not { } mountPoint) return false;
        int dirfd = Libc.open(mountPoint, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (dirfd < 0) return false;
        try
        {
            string below = path[mountPoint.Length..].TrimStart('/');
            fd = Libc.Openat2(dirfd, below, new Libc.OpenHow { Flags = (ulong)flags, Resolve = Libc.RESOLVE_NO_XDEV });
            if (fd >= 0) return true;
            errno = Marshal.GetLastPInvokeError();
            // EXDEV: the way leaves the mount. ENOSYS/EPERM: no openat2 here (old kernel, seccomp).
            return errno is not (Libc.EXDEV or Libc.ENOSYS or Libc.EPERM or Libc.EINVAL or Libc.E2BIG);
        }
        finally
        {
            Libc.close(dirfd);
        }
    }

    /// <summary>
    /// The deepest mount point above <paramref name="path"/> when it and every mount point above
    /// it are of a local type (the last mount on a point is the one lookups see); null when one
    /// is not, or the path is not absolute and plain (no ".", "..", or empty component), or is
    /// a mount point itself.
    /// </summary>
    internal static string? DeepestLocalMount(string path, IReadOnlyDictionary<string, string> mounts)
    {
        if (!IsPlainAbsolute(path)) return null;
        string? deepest = null;
        foreach (var (point, type) in mounts)
        {
            if (!IsAbove(point, path)) continue;
            if (!LocalTypes.Contains(type)) return null;
            if (deepest is null || point.Length > deepest.Length) deepest = point;
        }
        return deepest;
    }

    /// <summary>Mount point → file system type, from mountinfo text; null when it cannot be read.</summary>
    internal static Dictionary<string, string>? ReadMountTable(string mountinfo)
    {
        string text;
        try { text = System.Text.Encoding.UTF8.GetString(BoundedFile.ReadAllBytes(mountinfo, Deadline.After(TimeSpan.FromSeconds(1)), mayBlock: false)); }
        catch (FileException) { return null; }
        return ParseMountTable(text);
    }

    /// <summary>
    /// mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [TAGS...] - TYPE SOURCE SUPER_OPTIONS",
    /// the mount point with space, tab, newline and backslash as octal escapes. Later lines win.
    /// </summary>
    internal static Dictionary<string, string> ParseMountTable(string text)
    {
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-", 6);
            if (fields.Length < 7 || dash < 0 || dash + 1 >= fields.Length) continue;
            mounts[Unescape(fields[4])] = fields[dash + 1];
        }
        return mounts;
    }

    static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var b = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                b.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else b.Append(field[i]);
        }
        return b.ToString();
    }

    static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';

    static bool IsPlainAbsolute(string path)
    {
        if (path.Length < 2 || path[0] != '/' || path[^1] == '/' || path.Contains('\0')) return false;
        foreach (var part in path[1..].Split('/'))
            if (part is "" or "." or "..") return false;
        return true;
    }

    static bool IsAbove(string point, string path) =>
        point == "/" || (path.Length > point.Length && path.StartsWith(point, StringComparison.Ordinal) && path[point.Length] == '/');
}
