namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// allow_mem_management: (total_memory − reserved_Dom0_memory) shared by the running domUs,
/// the new domain's share on the xl create command line, the xmfile never written.
/// </summary>
public class MemoryTests : XenFixture
{
    [Fact]
    public void Memory_management_shares_total_memory_less_dom0s_reserve_and_leaves_the_file_alone()
    {
        Xl.AddDomain("other", 2, mem: 1000);
        string before = File.ReadAllText(Cfg);
        var r = Run("start", ("allow_mem_management", "1"), ("reserved_Dom0_memory", "1023"));
        r.ExitCode.Should().Be(0, r.Stderr);
        // (2047 - 1023) / (1 running + 1 new) = 512
        Xl.Calls.Should().ContainInOrder("list", "info", "mem-set other 512", $"create {Cfg} name=\"vm1\" memory=512");
        File.ReadAllText(Cfg).Should().Be(before, "the xmfile is never modified");

        Xl.ClearCalls();
        Run("stop", ("allow_mem_management", "1"), ("reserved_Dom0_memory", "1023")).ExitCode.Should().Be(0);
        Xl.Calls.Should().ContainInOrder("shutdown vm1", "list", "info", "mem-set other 1024");
    }

    [Fact]
    public void Memory_share_with_no_other_domain_on_stop_divides_by_one()
    {
        Fake.Add("vm1");
        Fake.TotalMemory = 2048;
        RunFake("stop", ("allow_mem_management", "true")).ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().ContainInOrder("shutdown vm1", "list", "info").And.NotContain(c => c.StartsWith("mem-set"));
    }

    [Fact]
    public void A_reserve_larger_than_the_host_leaves_memory_alone_and_the_domain_still_starts()
    {
        Fake.TotalMemory = 1024;
        var r = RunFake("start", ("allow_mem_management", "true"), ("reserved_Dom0_memory", "4096"));
        r.ExitCode.Should().Be(0, r.Stderr);
        Fake.Calls.Select(c => c.Call).Should().Contain($"create {Cfg} name=\"vm1\"");
        r.Stderr.Should().Contain("leaves nothing of the 1024 MiB");
    }
}
