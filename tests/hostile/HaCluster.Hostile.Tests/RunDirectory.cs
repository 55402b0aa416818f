using System.Security.Cryptography;
using System.Text;

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

    readonly Dictionary<string, string> before;

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
            if (!after.TryGetValue(path, out var now)) yield return (path, $"{path} removed");
            else if (now != was) yield return (path, $"{path} changed ({was} -> {now})");
        }
        foreach (var path in after.Keys.Where(p => !before.ContainsKey(p)))
            yield return (path, $"{path} created");
    }

    /// <summary>Every path below the run directory but HA_RSCTMP: type, mode, size, mtime, link target, content digest.</summary>
    Dictionary<string, string> Snapshot()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(DirectoryInfo dir)
        {
            foreach (var e in dir.EnumerateFileSystemInfos())
            {
                string rel = System.IO.Path.GetRelativePath(Path, e.FullName);
                if (rel == "rsctmp") continue;
                var sb = new StringBuilder();
                sb.Append(e.UnixFileMode).Append(' ').Append(e.LastWriteTimeUtc.Ticks);
                if (e.LinkTarget is { } target) sb.Append(" -> ").Append(target);
                else if (e is FileInfo f && f.Length < 1 << 20)
                    sb.Append(' ').Append(f.Length).Append(' ').Append(Digest(e.FullName));
                entries[rel] = sb.ToString();
                if (e is DirectoryInfo d && e.LinkTarget is null) Walk(d);
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
}
