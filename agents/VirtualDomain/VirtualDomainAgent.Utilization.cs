using System.Globalization;
using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain;

// The resource's utilization (cpu, host_memory, hv_memory) from the domain's vCPUs and maximum
// memory, written on every monitor; the cluster stores a value only when it changed.
public sealed partial class VirtualDomainAgent
{
    void UpdateUtilization(DomainRef domain)
    {
        bool cpu = autosetCpu.Value, host = autosetHostMemory.Value, hv = autosetHvMemory.Value;
        if (cpu || host || hv)
        {
            DomainInfo info;
            try { info = Call(LibvirtSlice(), c => c.GetInfo(domain, LibvirtSlice())); }
            catch (Exception e) when (e is LibvirtUnavailableException or LibvirtException)
            {
                LogUtilizationUnreadable(Log, Config.DomainName, e.Message);
                info = default;
                cpu = host = hv = false;
            }
            string memory = (info.MaxMemoryKiB / 1024).ToString(CultureInfo.InvariantCulture);
            if (cpu) Utilization("cpu", info.VirtCpuCount.ToString(CultureInfo.InvariantCulture));
            if (host) Utilization("host_memory", memory);
            if (hv) Utilization("hv_memory", memory);
        }
        if (!autosetCpu.Value && unsetCpu.Value) Utilization("cpu", null);
        if (!autosetHostMemory.Value && unsetHostMemory.Value) Utilization("host_memory", null);
        if (!autosetHvMemory.Value && unsetHvMemory.Value) Utilization("hv_memory", null);
    }

    /// <summary>Sets (or with null removes) one utilization value; a failure is only logged.</summary>
    void Utilization(string name, string? value)
    {
        var result = value is null ? Cluster.DeleteUtilization(name) : Cluster.SetUtilization(name, value);
        if (result.Succeeded) return;
        if (result.Error?.Contains("not running", StringComparison.Ordinal) == true)
            LogUtilizationNotWritten(Log, name, result.Error);
        else
            LogUtilizationFailed(Log, value is null ? "remove" : "set", name, result.Error);
    }
}
