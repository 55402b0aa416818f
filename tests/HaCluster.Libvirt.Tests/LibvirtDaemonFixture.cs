using System.Diagnostics;
using System.Runtime.InteropServices;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A private libvirtd (lab-libvirt.md §1-2) in its own mount + network namespace, its
/// directories bind-mounted from a temp dir; the test driver through its socket; one holder
/// connection open for the fixture's life so that test:///default keeps its state.
/// </summary>
public sealed partial class LibvirtDaemonFixture : IDisposable
{
    const int SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;
    [LibraryImport("libc", SetLastError = true)] private static partial int kill(int pid, int signal);

    public string BaseDir { get; }
    public string SocketPath { get; }
    public string TestUri => $"test+unix:///default?socket={SocketPath}";
    public int DaemonPid { get; }
    /// <summary>Open all along: the test driver's state lives while a connection does.</summary>
    public LibvirtConnection Holder { get; }

    public LibvirtDaemonFixture()
    {
        EnsurePackages();
        BaseDir = Directory.CreateTempSubdirectory("hacluster-libvirt-").FullName;
        foreach (var d in new[] { "etc", "run", "lib", "log/qemu", "cache", "sock" })
            Directory.CreateDirectory(Path.Combine(BaseDir, d));
        SocketPath = Path.Combine(BaseDir, "sock", "libvirt-sock");
        WriteConfig();
        foreach (var mountPoint in new[] { "/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/var/cache/libvirt" })
            Directory.CreateDirectory(mountPoint); // empty mount points; never removed

        const string script = """
            b=$1
            ip link set lo up 2>/dev/null
            mount --bind "$b/passwd" /etc/passwd &&
            mount --bind "$b/group" /etc/group &&
            mount --bind "$b/etc" /etc/libvirt &&
            mount --bind "$b/run" /run/libvirt &&
            mount --bind "$b/lib" /var/lib/libvirt &&
            mount --bind "$b/log" /var/log/libvirt &&
            mount --bind "$b/cache" /var/cache/libvirt &&
            exec /usr/sbin/libvirtd --daemon --pid-file "$b/libvirtd.pid" --config /etc/libvirt/libvirtd.conf
            """;
        Directory.CreateDirectory("/etc/libvirt");
        var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--net", "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "hacluster-libvirtd", BaseDir })
            start.ArgumentList.Add(a);
        using (var launcher = Process.Start(start)!)
        {
            if (!launcher.WaitForExit(15_000)) { launcher.Kill(true); throw new InvalidOperationException("libvirtd launcher hung"); }
            if (launcher.ExitCode != 0)
                throw new InvalidOperationException($"libvirtd failed to launch ({launcher.ExitCode}): {launcher.StandardError.ReadToEnd()}");
        }

        var deadline = Deadline.After(TimeSpan.FromSeconds(15));
        string pidFile = Path.Combine(BaseDir, "libvirtd.pid");
        LibvirtConnection? holder = null;
        while (holder is null)
        {
            if (File.Exists(SocketPath))
            {
                try { holder = LibvirtConnection.Open(TestUri, deadline.Within(TimeSpan.FromSeconds(2))); }
                catch (LibvirtException) when (!deadline.IsExpired) { }
            }
            if (holder is null && !deadline.Sleep(TimeSpan.FromMilliseconds(20)))
                throw new InvalidOperationException($"libvirtd did not answer within 15 s; see {BaseDir}/log/libvirtd.log");
        }
        Holder = holder;
        DaemonPid = int.Parse(File.ReadAllText(pidFile).Trim());
    }

    static void EnsurePackages()
    {
        if (File.Exists("/usr/sbin/libvirtd")) return;
        var apt = Process.Start("apt-get", "install -y libvirt-daemon libvirt-daemon-driver-qemu")!;
        apt.WaitForExit();
        if (!File.Exists("/usr/sbin/libvirtd")) throw new InvalidOperationException("libvirtd is not installed and apt-get could not install it");
    }

    void WriteConfig()
    {
        File.WriteAllText(Path.Combine(BaseDir, "etc", "libvirtd.conf"), $"""
            unix_sock_dir = "{BaseDir}/sock"
            unix_sock_ro_perms = "0777"
            unix_sock_rw_perms = "0700"
            auth_unix_ro = "none"
            auth_unix_rw = "none"
            listen_tls = 0
            listen_tcp = 0
            host_uuid = "5a1d0000-0000-4000-8000-0000000000c5"
            log_outputs = "3:file:/var/log/libvirt/libvirtd.log"

            """);
        File.WriteAllText(Path.Combine(BaseDir, "etc", "qemu.conf"), """
            user = "root"
            group = "root"
            dynamic_ownership = 0
            remember_owner = 0
            security_driver = "none"
            stdio_handler = "file"
            cgroup_controllers = [ ]
            namespaces = [ ]

            """);
        var passwd = File.ReadAllText("/etc/passwd");
        var group = File.ReadAllText("/etc/group");
        if (!passwd.Contains("\nlibvirt-qemu:") && !passwd.StartsWith("libvirt-qemu:"))
            passwd += "libvirt-qemu:x:64055:64055:hacluster test:/var/lib/libvirt:/usr/sbin/nologin\n";
        foreach (var (name, gid) in new[] { ("libvirt-qemu", 64055), ("kvm", 64056), ("libvirt", 64057) })
            if (!group.Contains($"\n{name}:") && !group.StartsWith($"{name}:")) group += $"{name}:x:{gid}:\n";
        File.WriteAllText(Path.Combine(BaseDir, "passwd"), passwd);
        File.WriteAllText(Path.Combine(BaseDir, "group"), group);
    }

    public void Freeze() => kill(DaemonPid, SIGSTOP);
    public void Thaw() => kill(DaemonPid, SIGCONT);

    public void Dispose()
    {
        try
        {
            var deadline = Deadline.After(TimeSpan.FromSeconds(3));
            foreach (var d in Holder.ListAllDomains(ListDomainsFlags.Active, deadline))
                try { Holder.Destroy(d, deadline); } catch (LibvirtException) { }
            Holder.Close(deadline);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException or ObjectDisposedException) { }
        Holder.Dispose();

        kill(DaemonPid, SIGCONT);
        kill(DaemonPid, SIGTERM);
        var wait = Deadline.After(TimeSpan.FromSeconds(5));
        if (!wait.WaitUntil(() => kill(DaemonPid, 0) != 0 || IsZombie(DaemonPid), TimeSpan.FromMilliseconds(20)))
            kill(DaemonPid, SIGKILL);
        wait.WaitUntil(() => kill(DaemonPid, 0) != 0 || IsZombie(DaemonPid), TimeSpan.FromMilliseconds(20));
        // the bind mounts lived in the daemon's namespace only: the temp dir is an ordinary directory now
        try { Directory.Delete(BaseDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return true; }
    }
}

[CollectionDefinition(Name)]
public sealed class LibvirtDaemonCollection : ICollectionFixture<LibvirtDaemonFixture>
{
    public const string Name = "libvirtd";
}
