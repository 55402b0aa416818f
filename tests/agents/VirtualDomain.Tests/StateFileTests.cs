using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The domain cache under HA_RSCTMP (hacluster-Test-vm.domain): a directory others may write to,
/// so nothing planted there redirects root's write or hangs the action.
/// </summary>
public class StateFileTests : VirtualDomainFixture
{
    string CachePath => Path.Combine(RscTmp, "hacluster-Test-vm.domain");

    [Fact]
    public void Start_never_writes_the_domain_cache_through_a_link_planted_at_its_temporary_name()
    {
        Directory.CreateDirectory(RscTmp);
        string victim = Dir["victim"];
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(CachePath + ".tmp", victim);

        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);

        File.ReadAllText(victim).Should().Be("precious");
        File.ReadAllText(CachePath).Should().StartWith("vm1\n");
        File.GetUnixFileMode(CachePath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Start_replaces_a_link_planted_at_the_cache_instead_of_writing_through_it()
    {
        Directory.CreateDirectory(RscTmp);
        string victim = Dir["victim"];
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(CachePath, victim);

        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);

        File.ReadAllText(victim).Should().Be("precious");
        new FileInfo(CachePath).LinkTarget.Should().BeNull();
    }

    [Fact]
    public void A_fifo_at_the_cache_reads_as_no_record_and_hangs_neither_stop_nor_probe()
    {
        Directory.CreateDirectory(RscTmp);
        Mkfifo(CachePath);
        File.Delete(ConfigPath); // the cache would name the domain

        (OcfExitCode Stop, OcfExitCode Probe) codes = default;
        // A thread of its own: one blocked in open(2) on the FIFO must not hold the test run.
        var run = new Thread(() => codes = (Run("stop").Code, Run("monitor").Code)) { IsBackground = true };
        run.Start();
        run.Join(TimeSpan.FromSeconds(20)).Should().BeTrue("a FIFO must not block the read");
        codes.Should().Be((OcfExitCode.Success, OcfExitCode.NotRunning));
    }

    static void Mkfifo(string path)
    {
        using var p = System.Diagnostics.Process.Start("/usr/bin/mkfifo", ["-m", "0600", path]);
        p.WaitForExit();
        p.ExitCode.Should().Be(0);
    }
}
