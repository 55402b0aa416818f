using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The utilization a monitor writes: the domain's vCPUs and maximum memory, or nothing.
/// </summary>
public class UtilizationTests : VirtualDomainFixture
{
    [Fact]
    public void Utilization_is_the_vcpus_and_max_memory_in_MiB_and_unset_removes_it()
    {
        var d = Libvirt.Add("vm1");
        d.Vcpus = 4;
        d.MaxMemoryKiB = 2 * 1024 * 1024 + 512;
        Run("monitor", Recurring).Code.Should().Be(OcfExitCode.Success);
        Cluster.Calls.Should().Equal("utilization cpu=4", "utilization host_memory=2048", "utilization hv_memory=2048");

        Cluster.Calls.Clear();
        Run("monitor", ("autoset_utilization_cpu", "false"), ("unset_utilization_cpu", "true"), ("autoset_utilization_hv_memory", "no"), Recurring);
        Cluster.Calls.Should().Equal("utilization host_memory=2048", "utilization cpu deleted");
    }
}
