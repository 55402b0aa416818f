using HaCluster.Core;
using HaCluster.Ocf;

namespace HaCluster.Agents.Xen;

// migrate_to and migrate_from (meta attribute allow-migrate=true): xl migrate over ssh from the
// source, and on the target the wait for the domain to arrive.
public sealed partial class XenAgent
{
    public override OcfExitCode MigrateTo()
    {
        if (!List(Domain, Deadline).Exists)
            throw OcfError.Generic($"migrate_to: domain {SafeText.Quote(Domain)} is not active locally");
        string target = Meta.MigrateTarget
            ?? throw OcfError.Generic("migrate_to: no target node (OCF_RESKEY_CRM_meta_migrate_target is not set)");
        string address = MigrationAddress(target);
        // xl hands the address to "sh -c 'exec ssh HOST xl migrate-receive'" and takes a leading
        // '-' as an option: only a host name or an IP address may get there.
        if (!HostName.IsNameOrAddress(address))
            throw OcfError.Generic($"migrate_to: the target address {SafeText.Quote(address)} of node {SafeText.Quote(target)} is not a host name or an IP address; xl would pass it to a shell, so the migration is refused");

        RefuseImpossiblePvMigration();

        LogMigrating(Log, Domain, target);
        var r = Xl.Migrate(Domain, address, Deadline);
        if (!r.Succeeded)
        {
            if (r.Process.Stderr.Contains("Failed to enable logdirty", StringComparison.Ordinal))
                throw OcfError.Generic($"xl migrate of domain {SafeText.Quote(Domain)} to {SafeText.Quote(target)} failed: Xen could not enable log-dirty mode (a PV guest needs shadow paging to be live-migrated); the domain keeps running here");
            throw OcfError.Generic($"xl migrate of domain {SafeText.Quote(Domain)} to {SafeText.Quote(target)} {r.Describe()}");
        }
        AdjustMemory(newDomains: 0);
        LogMigrated(Log, Domain, target);
        return OcfExitCode.Success;
    }

    /// <summary>The target node's address from node_ip_attribute, else (unset, empty, "(null)", unreadable) its name.</summary>
    string MigrationAddress(string target)
    {
        if (Settings.NodeIpAttribute is not { } attribute) return target;
        var read = Cluster.GetNodeAttribute(attribute, target);
        if (!read.Succeeded)
        {
            LogNodeAddressUnreadable(Log, attribute, target, read.Error);
            return target;
        }
        if (read.Value is { Length: > 0 } v && v != "(null)")
        {
            LogMigrationAddress(Log, Domain, target, v);
            return v;
        }
        return target;
    }

    /// <summary>
    /// Without shadow paging (Debian's Xen build) Xen cannot track a PV guest's dirty pages, so a
    /// live migration of one fails after xl has started it (tests/integration/xen/README.md, "PV,
    /// PVH and live migration"). Refuse it at once, so Pacemaker falls back to stop and start
    /// without waiting for xl.
    /// </summary>
    void RefuseImpossiblePvMigration()
    {
        if (XmfileConfig(Settings.Xmfile) is not { GuestType: "pv" }) return;
        var info = Xl.Info(Deadline);
        var caps = info.VirtCaps;
        if (!info.Result.Succeeded || caps.Count == 0) return;   // unknown: let xl try
        if (caps.Contains("shadow")) return;
        throw OcfError.Generic($"domain {SafeText.Quote(Domain)} is a PV guest and this hypervisor cannot live-migrate PV guests (no shadow paging; xl info virt_caps: {string.Join(' ', caps)}): Pacemaker will stop and start it instead");
    }

    public override OcfExitCode MigrateFrom()
    {
        // Memory management after the arrival needs a moment of its own.
        var wait = Settings.ManageMemory ? Deadline.Reserve(TimeSpan.FromSeconds(3)) : Deadline;
        bool here = wait.WaitUntil(() =>
        {
            if (Xl.List(Domain, wait).Exists) return true;
            LogNotYetActive(Log, Domain);
            return false;
        }, TimeSpan.FromSeconds(1));
        if (!here)
            throw OcfError.Generic($"migrate_from: domain {SafeText.Quote(Domain)} is not active locally: migration failed");
        AdjustMemory(newDomains: 0);
        LogActiveAfterMigration(Log, Domain);
        return OcfExitCode.Success;
    }
}
