using System.Diagnostics;
using System.Runtime.InteropServices;
using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A private libvirtd started by <c>tests/integration/libvirt/start-libvirtd.sh</c>, the launcher
/// the bash tests use too: its own mount namespace and either its own anonymous network namespace
/// or a named one the caller made, its directories in a temp dir bind-mounted over the system's
/// libvirt directories inside that mount namespace only. Stopped by its PID.
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
        SocketPath = Path.Combine(BaseDir, "sock", "libvirt-sock");
        DaemonPid = Launch(hostUuid, networkNamespace, migrationAddress);

        var deadline = Deadline.After(TimeSpan.FromSeconds(15));
        while (!Answers(deadline))
            if (!deadline.Sleep(TimeSpan.FromMilliseconds(20)))
            {
                Dispose();
                throw new InvalidOperationException($"libvirtd did not answer within 15 s; see {BaseDir}/log/libvirtd.log");
            }
    }

    /// <summary>Runs the launcher (an argument array, no shell in between) and returns the daemon's PID.</summary>
    int Launch(string hostUuid, string? networkNamespace, string? migrationAddress)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(LauncherScript());
        if (networkNamespace is not null) { start.ArgumentList.Add("--netns"); start.ArgumentList.Add(networkNamespace); }
        if (migrationAddress is not null) { start.ArgumentList.Add("--migration-address"); start.ArgumentList.Add(migrationAddress); }
        start.ArgumentList.Add(BaseDir);
        start.ArgumentList.Add(hostUuid);
        using var launcher = Process.Start(start)!;
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        var stderr = launcher.StandardError.ReadToEndAsync();
        if (!launcher.WaitForExit(30_000))
        {
            launcher.Kill(true);
            throw new InvalidOperationException("start-libvirtd.sh did not return within 30 s");
        }
        launcher.WaitForExit();
        bool hasPid = int.TryParse(stdout.Result.Trim(), out int pid) && pid > 0;
        if (launcher.ExitCode == 0 && hasPid) return pid;
        if (hasPid) Stop(pid);
        throw new InvalidOperationException($"start-libvirtd.sh exited with {launcher.ExitCode}: {stderr.Result.Trim()}");
    }

    /// <summary>
    /// The launcher in this repository: found from the test's output directory upwards, in the
    /// directory that holds HaCluster.sln.
    /// </summary>
    static string LauncherScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HaCluster.sln")))
                return Path.Combine(dir.FullName, "tests", "integration", "libvirt", "start-libvirtd.sh");
        throw new InvalidOperationException($"no HaCluster.sln in {AppContext.BaseDirectory} or above it");
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
        if (DaemonPid > 0) Stop(DaemonPid);
        // the bind mounts lived in the daemon's namespace only: the temp dir is an ordinary directory now
        try { Directory.Delete(BaseDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>SIGTERM (after SIGCONT: it may be frozen), SIGKILL when it is still there after 5 s.</summary>
    static void Stop(int pid)
    {
        kill(pid, SIGCONT);
        kill(pid, SIGTERM);
        var wait = Deadline.After(TimeSpan.FromSeconds(5));
        if (!wait.WaitUntil(() => IsGone(pid), TimeSpan.FromMilliseconds(20)))
            kill(pid, SIGKILL);
        wait.WaitUntil(() => IsGone(pid), TimeSpan.FromMilliseconds(20));
    }

    static bool IsGone(int pid)
    {
        if (kill(pid, 0) != 0) return true;
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return true; }
    }
}
