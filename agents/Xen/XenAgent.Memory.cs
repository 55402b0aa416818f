namespace HaCluster.Agents.Xen;

// allow_mem_management, which start, stop and both ends of a migration share: the host's memory,
// less dom0's reserve, divided evenly among the running domUs.
public sealed partial class XenAgent
{
    /// <summary>
    /// allow_mem_management as the shell agent computes it: (total_memory − reserved_Dom0_memory)
    /// shared by the running domUs plus <paramref name="newDomains"/>, every running domU mem-set to
    /// that share. Returns the share, or null when memory management is off or impossible.
    /// </summary>
    long? AdjustMemory(int newDomains)
    {
        if (!Settings.ManageMemory) return null;
        var table = Xl.ListAll(Deadline);
        if (!table.Result.Succeeded)
        {
            LogMemoryNotAdjustedList(Log, table.Result.Describe());
            return null;
        }
        var running = table.Rows.Where(r => r.Id != 0 && r.Name != "Domain-0").Select(r => r.Name).ToList();
        var info = Xl.Info(Deadline);
        if (info.TotalMemoryMiB is not long total)
        {
            LogMemoryNotAdjustedInfo(Log, info.Result.Describe());
            return null;
        }
        long reserved = Settings.ReservedDom0MiB;
        int count = running.Count == 0 && newDomains == 0 ? 1 : running.Count;
        long share = (total - reserved) / (count + newDomains);
        if (share <= 0)
        {
            LogMemoryNotAdjustedReserve(Log, reserved, total);
            return null;
        }
        foreach (var dom in running)
        {
            var r = Xl.MemSet(dom, share, Deadline);
            if (!r.Succeeded) LogMemSetFailed(Log, dom, share, r.Describe());
        }
        LogMemoryAdjusted(Log, share, running.Count, string.Join(' ', running));
        return share;
    }
}
