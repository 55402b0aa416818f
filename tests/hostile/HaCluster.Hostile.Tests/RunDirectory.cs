using System.Security.Cryptography;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// The directory of one run: its HA_RSCTMP, working directory and TMPDIR, and around them what
/// hostile values point at (a FIFO, an empty directory, a symlink to a canary file outside
/// HA_RSCTMP) plus the resource's configuration files. Everything but HA_RSCTMP is recorded
/// before the run and compared after it: a difference is a file outside HA_RSCTMP touched.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    public RunDirectory(Sandbox sandbox, int id)
    {
        Path = System.IO.Path.Combine(sandbox.Base, "runs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path);
        Directory.CreateDirectory(RscTmp);
        Directory.CreateDirectory(WorkingDirectory);
        Directory.CreateDirectory(TempDirectory);
        Directory.CreateDirectory(EmptyDirectory);
        Directory.CreateDirectory(Canary);
        File.WriteAllText(CanaryFile, "a file outside HA_RSCTMP that no agent may change\n");
        File.WriteAllText(System.IO.Path.Combine(Canary, "other"), "another one\n");
        File.SetUnixFileMode(CanaryFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetLastWriteTimeUtc(CanaryFile, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.CreateSymbolicLink(LinkOutside, CanaryFile);
        if (Native.mkfifo(Fifo, Convert.ToInt32("600", 8)) != 0) throw new IOException("mkfifo " + Fifo);
        File.WriteAllText(DomainXml, $"<domain type='kvm'><name>hostile-vm</name><memory unit='KiB'>65536</memory><os><type>hvm</type></os></domain>\n");
        File.WriteAllText(XenConfig, "name = \"hostile-domu\"\nmemory = 128\n");
        OnReadOnlyFs = System.IO.Path.Combine(sandbox.ReadOnlyMount, "hostile");
        OnFullFs = System.IO.Path.Combine(sandbox.FullMount, "hostile");
        before = Snapshot();
    }

    readonly Dictionary<string, Entry> before;

    public string Path { get; }
    public string RscTmp => Sub("rsctmp");
    public string WorkingDirectory => Sub("cwd");
    public string TempDirectory => Sub("tmp");
    public string Fifo => Sub("fifo");
    public string EmptyDirectory => Sub("empty-dir");
    public string Canary => Sub("canary");
    public string CanaryFile => Sub("canary/target");
    public string LinkOutside => Sub("link-to-canary");
    public string DomainXml => Sub("domain.xml");
    public string XenConfig => Sub("domain.cfg");
    public string NoLibvirtdSocket => Sub("no-libvirtd.sock");
    public string OnReadOnlyFs { get; }
    public string OnFullFs { get; }

    string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>What changed outside HA_RSCTMP since the run directory was made: the path (relative to the run directory) and how.</summary>
    public IEnumerable<(string Path, string What)> Changes()
    {
        var after = Snapshot();
        foreach (var (path, was) in before)
        {
            if (!after.TryGetValue(path, out var now)) yield return (path, $"{path}: {was} removed");
            else if (now.Describe() != was.Describe()) yield return (path, $"{path}: {was.Describe()} became {now.Describe()}");
            else if (now.ModifiedTicks != was.ModifiedTicks) yield return (path, $"{path}: {now.Describe()} modified");
        }
        foreach (var path in after.Keys.Where(p => !before.ContainsKey(p)))
            yield return (path, $"{path}: {after[path].Describe()} created");
    }

    /// <summary>One path as recorded: what it is, its mode, what it holds or points to, when it was last changed.</summary>
    sealed record Entry(string Kind, UnixFileMode Mode, long ModifiedTicks, string? Target, long Size, string? Digest)
    {
        public string Describe() => Kind switch
        {
            "symlink" => $"a symlink to {Target}",
            "file" => $"a file of {Size} bytes, mode {Convert.ToString((int)Mode, 8)}, content {Digest}",
            _ => $"a {Kind}, mode {Convert.ToString((int)Mode, 8)}",
        };

        public override string ToString() => Describe();
    }

    /// <summary>Every path below the run directory but HA_RSCTMP.</summary>
    Dictionary<string, Entry> Snapshot()
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        void Walk(DirectoryInfo dir)
        {
            foreach (var e in dir.EnumerateFileSystemInfos())
            {
                string rel = System.IO.Path.GetRelativePath(Path, e.FullName);
                if (rel == "rsctmp") continue;
                string kind = Native.KindOf(e.FullName);
                long size = e is FileInfo f ? f.Length : 0;
                string? digest = kind == "file" && size < 1 << 20 ? Digest(e.FullName) : null;
                entries[rel] = new Entry(kind, e.UnixFileMode, e.LastWriteTimeUtc.Ticks, e.LinkTarget, size, digest);
                if (kind == "directory") Walk((DirectoryInfo)e);
            }
        }
        Walk(new DirectoryInfo(Path));
        return entries;
    }

    /// <summary>The start of a SHA-256 of the content; opened without blocking, so a FIFO reads as empty.</summary>
    static string Digest(string path)
    {
        int fd = Native.open(path, Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC);
        if (fd < 0) return "unreadable";
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1, false);
        try { return Convert.ToHexString(SHA256.HashData(stream))[..16]; }
        catch (IOException) { return "unreadable"; }
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

static partial class Native
{
    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int mkfifo(string path, int mode);

    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int open(string path, int flags);

    internal const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;

    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int lstat(string path, byte* buffer);

    /// <summary>What lstat says the path is (file, directory, symlink, fifo, socket, device), without following a link.</summary>
    internal static unsafe string KindOf(string path)
    {
        // x86_64 struct stat: st_mode is the 32-bit field at offset 24.
        byte* stat = stackalloc byte[256];
        if (lstat(path, stat) != 0) return "vanished";
        uint mode = *(uint*)(stat + 24) & 0xF000;
        return mode switch
        {
            0x8000 => "file",
            0x4000 => "directory",
            0xA000 => "symlink",
            0x1000 => "fifo",
            0xC000 => "socket",
            _ => "device",
        };
    }
}
