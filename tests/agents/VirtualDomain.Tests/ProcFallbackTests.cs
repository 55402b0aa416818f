using System.Diagnostics;
using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The /proc fallback against real processes: when libvirtd does not answer, a process whose
/// command line looks like the domain's emulator counts only if it runs as root or the qemu user
/// and its executable is the emulator. Needs root (to start a process as nobody).
/// </summary>
[Trait("Requires", "root")]
public sealed class ProcFallbackTests : VirtualDomainFixture, IDisposable
{
    readonly string domain = "hc-" + Guid.NewGuid().ToString("N")[..12];
    readonly List<Process> started = [];

    public ProcFallbackTests()
    {
        Libvirt.Refused = true;
        EmulatorSource = new ProcEmulatorProcesses(users: new EmulatorUsers(Dir["no-qemu.conf"], Dir["no-passwd"]));
    }

    /// <summary>A bash that sleeps, with argv <paramref name="argv0"/> -c … -name guest=DOMAIN, as <paramref name="uid"/>.</summary>
    void StartLookalike(int uid, string argv0)
    {
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardError = true };
        foreach (var a in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "/usr/bin/bash", "-c",
            "exec -a \"$0\" /usr/bin/bash -c 'sleep 60; :' -name \"guest=$1,debug-threads=on\"", argv0, domain })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        started.Add(p);
        // Until setpriv and the first bash have exec'ed into the lookalike (their own command
        // lines hold the domain too, but never "guest=" before it).
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllText($"/proc/{p.Id}/cmdline").Contains("\0guest=" + domain, StringComparison.Ordinal))
        {
            DateTime.UtcNow.Should().BeBefore(until, "the lookalike process must start");
            Thread.Sleep(20);
        }
    }

    AgentResult Probe(string emulator)
    {
        WriteConfig(FakeLibvirt.DomainXml(domain, emulator: emulator));
        return Run("monitor");
    }

    [Fact]
    public void A_lookalike_of_user_nobody_does_not_make_a_probe_say_running()
    {
        StartLookalike(65534, "/usr/bin/bash");
        Probe("/usr/bin/bash").Code.Should().Be(OcfExitCode.NotRunning);
    }

    [Fact]
    public void A_root_process_whose_executable_is_not_the_emulator_does_not_count()
    {
        StartLookalike(0, "/usr/bin/qemu-system-x86_64");
        var r = Probe("/usr/bin/qemu-system-x86_64"); r.Code.Should().Be(OcfExitCode.NotRunning, r.Stderr);
    }

    [Fact]
    public void A_root_process_running_the_emulator_does_count()
    {
        // The control: the same lookalike as root, with its executable as the domain's emulator.
        StartLookalike(0, "/usr/bin/bash");
        Probe("/usr/bin/bash").Code.Should().Be(OcfExitCode.Success);
    }

    public new void Dispose()
    {
        foreach (var p in started)
        {
            try { p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        base.Dispose();
    }
}
