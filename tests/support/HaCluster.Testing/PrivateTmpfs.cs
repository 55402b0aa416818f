using System.Diagnostics;

namespace HaCluster.Testing;

/// <summary>
/// A small tmpfs that only this test sees: mounted in a private mount namespace (unshare -m) held
/// open by a sleeping child, and reached from the test through /proc/PID/root, which resolves
/// paths in that namespace. So a full or read-only file system costs no loop device and leaves
/// nothing mounted on the machine; killing the child ends the namespace. Needs root: tests that
/// use it carry [Trait("Requires", "root")].
/// </summary>
public sealed class PrivateTmpfs : IDisposable
{
    readonly TempDir mountPoint = new();
    readonly MountNamespaceHolder holder;

    /// <param name="sizeKiB">The size of the file system; its blocks are 4 KiB.</param>
    public PrivateTmpfs(int sizeKiB = 64)
    {
        try
        {
            holder = new MountNamespaceHolder(
                "mount -t tmpfs -o size=\"$1\"k,mode=0755 hacluster-test \"$2\" && echo ready && exec sleep 3600",
                [sizeKiB.ToString(System.Globalization.CultureInfo.InvariantCulture), mountPoint.Path],
                "a private tmpfs");
        }
        catch
        {
            mountPoint.Dispose();
            throw;
        }
        Path = $"/proc/{holder.Pid}/root{mountPoint.Path}";
    }

    /// <summary>The root of the file system, as the test process reaches it.</summary>
    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Remounts it read-only (what is in it stays readable).</summary>
    public void MakeReadOnly() => InNamespace("mount", "-o", "remount,ro", mountPoint.Path);

    /// <summary>Fills it up: afterwards not one more block can be written.</summary>
    public void Fill()
    {
        using var f = new FileStream(this["filler"], FileMode.Create, FileAccess.Write);
        var block = new byte[4096];
        try
        {
            while (true) f.Write(block);
        }
        catch (IOException) { }
        try { f.Flush(); } catch (IOException) { }
    }

    void InNamespace(params string[] command)
    {
        var start = new ProcessStartInfo("/usr/bin/nsenter") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "--target", holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mount" }.Concat(command))
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)}: {error}");
    }

    public void Dispose()
    {
        holder.Dispose();
        mountPoint.Dispose();
    }
}
