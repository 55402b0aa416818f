using System.Diagnostics;
using System.Runtime.InteropServices;
using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A private libvirtd (tests/integration/libvirt/README.md, "A private libvirtd without systemd")
/// in its own mount namespace, and either its own anonymous network namespace or a named one the
/// caller made, its directories bind-mounted from a temp dir: the system's libvirt directories are
/// never written. Stopped by its PID.
/// </summary>
public sealed partial class PrivateLibvirtd : IDisposable
{
    const int SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;
    [LibraryImport("libc", SetLastError = true)] private static partial int kill(int pid, int signal);

    public string BaseDir { get; }
    public string SocketPath { get; }
    public string TestUri => $"test+unix:///default?socket={SocketPath}";
    public string QemuUri => $"qemu+unix:///system?socket={SocketPath}";
    public int DaemonPid { get; }
    public string QemuLogDir => Path.Combine(BaseDir, "log", "qemu");

    /// <param name="hostUuid">Distinct per daemon: libvirt refuses to migrate between two hosts with the same UUID.</param>
    /// <param name="networkNamespace">A named namespace (/run/netns) to run in; null for a fresh anonymous one.</param>
    /// <param name="migrationAddress">The daemon's own address in its namespace, where qemu listens for incoming migrations.</param>
    public PrivateLibvirtd(string name, string hostUuid, string? networkNamespace = null, string? migrationAddress = null)
    {
        EnsurePackages();
        BaseDir = Directory.CreateTempSubdirectory($"hacluster-libvirt-{name}-").FullName;
        foreach (var d in new[] { "etc", "run", "lib", "log/qemu", "cache", "sock" })
            Directory.CreateDirectory(Path.Combine(BaseDir, d));
        SocketPath = Path.Combine(BaseDir, "sock", "libvirt-sock");
        WriteConfig(hostUuid, migrationAddress);
        // Empty mount points, never removed (tests/integration/libvirt/README.md, "A private
        // libvirtd without systemd").
        foreach (var mountPoint in new[] { "/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/var/cache/libvirt", "/etc/libvirt" })
            Directory.CreateDirectory(mountPoint);

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
        var argv = new List<string>();
        if (networkNamespace is null) argv.AddRange(["unshare", "--net"]);
        else argv.AddRange(["ip", "netns", "exec", networkNamespace]);
        argv.AddRange(["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "hacluster-libvirtd", BaseDir]);
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in argv.Skip(1)) start.ArgumentList.Add(a);
        using (var launcher = Process.Start(start)!)
        {
            if (!launcher.WaitForExit(15_000)) { launcher.Kill(true); throw new InvalidOperationException("libvirtd launcher hung"); }
            if (launcher.ExitCode != 0)
                throw new InvalidOperationException($"libvirtd failed to launch ({launcher.ExitCode}): {launcher.StandardError.ReadToEnd()}");
        }

        var deadline = Deadline.After(TimeSpan.FromSeconds(15));
        string pidFile = Path.Combine(BaseDir, "libvirtd.pid");
        while (!File.Exists(SocketPath) || !File.Exists(pidFile) || !Answers(deadline))
            if (!deadline.Sleep(TimeSpan.FromMilliseconds(20)))
                throw new InvalidOperationException($"libvirtd did not answer within 15 s; see {BaseDir}/log/libvirtd.log");
        DaemonPid = int.Parse(File.ReadAllText(pidFile).Trim());
    }

    bool Answers(Deadline deadline)
    {
        try
        {
            using var c = LibvirtConnection.Open(TestUri, deadline.Within(TimeSpan.FromSeconds(2)));
            c.Close(deadline);
            return true;
        }
        catch (LibvirtException) when (!deadline.IsExpired) { return false; }
    }

    static void EnsurePackages()
    {
        if (File.Exists("/usr/sbin/libvirtd") && File.Exists("/usr/bin/qemu-system-x86_64")) return;
        var apt = Process.Start("apt-get", "install -y -qq --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86")!;
        apt.WaitForExit();
        if (!File.Exists("/usr/sbin/libvirtd")) throw new InvalidOperationException("libvirtd is not installed and apt-get could not install it");
    }

    void WriteConfig(string hostUuid, string? migrationAddress)
    {
        File.WriteAllText(Path.Combine(BaseDir, "etc", "libvirtd.conf"), $"""
            unix_sock_dir = "{BaseDir}/sock"
            unix_sock_ro_perms = "0777"
            unix_sock_rw_perms = "0700"
            auth_unix_ro = "none"
            auth_unix_rw = "none"
            listen_tls = 0
            listen_tcp = 0
            host_uuid = "{hostUuid}"
            log_outputs = "3:file:/var/log/libvirt/libvirtd.log"

            """);
        // root, no cgroups (two daemons would collide on machine/qemu-1-NAME during migration),
        // no per-VM /dev namespace, no security driver, no virtlogd.
        string migration = migrationAddress is null ? "" : $"""
            migration_host = "{migrationAddress}"
            migration_address = "{migrationAddress}"

            """;
        File.WriteAllText(Path.Combine(BaseDir, "etc", "qemu.conf"), """
            user = "root"
            group = "root"
            dynamic_ownership = 0
            remember_owner = 0
            security_driver = "none"
            stdio_handler = "file"
            cgroup_controllers = [ ]
            namespaces = [ ]

            """ + migration);
        // libvirtd resolves its compiled-in qemu user before reading qemu.conf: give it a private passwd.
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

    /// <summary>Destroys the domains of <paramref name="uri"/> still running (qemu processes must not outlive the test).</summary>
    public void DestroyAll(string uri)
    {
        try
        {
            var deadline = Deadline.After(TimeSpan.FromSeconds(10));
            using var c = LibvirtConnection.Open(uri, deadline);
            foreach (var d in c.ListAllDomains(ListDomainsFlags.Active, deadline))
                try { c.Destroy(d, deadline); } catch (LibvirtException) { }
            c.Close(deadline);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException) { }
    }

    public void Dispose()
    {
        kill(DaemonPid, SIGCONT);
        kill(DaemonPid, SIGTERM);
        var wait = Deadline.After(TimeSpan.FromSeconds(5));
        if (!wait.WaitUntil(() => IsGone(DaemonPid), TimeSpan.FromMilliseconds(20)))
            kill(DaemonPid, SIGKILL);
        wait.WaitUntil(() => IsGone(DaemonPid), TimeSpan.FromMilliseconds(20));
        // the bind mounts lived in the daemon's namespace only: the temp dir is an ordinary directory now
        try { Directory.Delete(BaseDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static bool IsGone(int pid)
    {
        if (kill(pid, 0) != 0) return true;
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return true; }
    }
}
