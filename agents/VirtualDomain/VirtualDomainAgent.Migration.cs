using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// migrate_to and migrate_from: one live peer-to-peer migration call on the source (MigrationPlan
// says where and how), and on the target a wait until the domain has arrived.
public sealed partial class VirtualDomainAgent
{
    public override OcfExitCode MigrateTo() => WithLibvirt(() =>
    {
        string name = Config.DomainName;
        string target = Meta.MigrateTarget
            ?? throw OcfError.Generic("migrate_to needs the target node (OCF_RESKEY_CRM_meta_migrate_target is not set)");
        var status = QueryStatus(LibvirtSlice());
        if (!status.Running)
            throw OcfError.Generic($"domain {SafeText.Quote(name)} is not active locally: it cannot be migrated");
        var domain = status.Domain!;
        var plan = MigrationPlan.For(MigrationSettings, target, warning => LogMigrationPlanWarning(Log, warning));

        if (Config.SaveConfig && Config.ConfigProblem is null) SaveConfigFile(domain, LibvirtSlice());
        if (startResources.Value) StartResourcesOnTarget(plan.DestinationUri);

        LogMigrating(Log, name, target, plan.DestinationUri, plan.MigrationUri ?? "(libvirt's choice)", plan.Flags);
        // The job's end must leave time to abort it.
        var migrating = Deadline.Reserve(TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, Deadline.Remaining.Ticks / 5)));
        long downtimeMs = migrationDowntime.Value;
        using var watcher = new MigrationWatcher(open, ConnectUri, domain, (ulong)Math.Max(0, downtimeMs), Deadline,
            () => LogDowntimeSet(Log, name, downtimeMs), e => LogDowntimeNotSet(Log, name, ExceptionText.Describe(e)));
        var c = Connect(migrating);
        try
        {
            c.MigratePeerToPeer(domain, plan.DestinationUri, plan.Parameters(migrationSpeed.Value), plan.Flags, migrating);
        }
        catch (TimeoutException)
        {
            watcher.Dispose();
            DropConnection();
            AbortMigration(domain);
            throw OcfError.Generic($"live migration of {SafeText.Quote(name)} to {target} did not finish within the migrate_to timeout and was aborted");
        }
        catch (LibvirtException e) when (e.IsConnectionFailure)
        {
            throw OcfError.Generic($"live migration of {SafeText.Quote(name)} to {target} failed: the connection to libvirtd was lost ({Describe(e)})");
        }
        catch (LibvirtException e)
        {
            // A watcher that failed aborted the job: its reason says more than libvirt's "aborted".
            watcher.Dispose();
            throw OcfError.Generic($"live migration of {SafeText.Quote(name)} to {target} failed: {Describe(watcher.Failure ?? e)}");
        }
        watcher.Dispose();
        if (watcher.LastJob is { DataTotal: > 0 } job)
            LogMigratedWithProgress(Log, name, target, job.DataProcessed >> 10, job.DataTotal >> 10, job.TimeElapsedMs);
        else
            LogMigrated(Log, name, target);
        DomainCache.Delete(Env);
        return OcfExitCode.Success;
    });

    /// <summary>The parameters a migration plan is made from.</summary>
    MigrationPlan.Settings MigrationSettings => new(ConnectUri, remoteuri.Value, migrationTransport.Value, migrationUser.Value,
        migrationNetworkSuffix.Value, migrateuri.Value, migrateOptions.Value, migrateport.Value);

    /// <summary>Aborts the migration job on a new connection: the one that started it timed out.</summary>
    void AbortMigration(DomainRef domain)
    {
        try
        {
            using var c = open(ConnectUri, Deadline);
            c.AbortJob(domain, Deadline);
            LogMigrationAborted(Log, Config.DomainName);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException or ArgumentException)
        {
            LogMigrationAbortFailed(Log, Config.DomainName, ExceptionText.Describe(e));
        }
    }

    /// <summary>start_resources on the target: possible when its URI is a local one (this client's reach).</summary>
    void StartResourcesOnTarget(string destination)
    {
        if (HypervisorUri.Problem(destination) is { } problem)
        {
            LogTargetResourcesNotStarted(Log, Config.DomainName, problem);
            return;
        }
        var local = connection;
        try
        {
            connection = null;
            uriOverride = destination;
            StartResources(destination);
        }
        finally
        {
            CloseConnection();
            uriOverride = null;
            connection = local;
        }
    }

    public override OcfExitCode MigrateFrom() => WithLibvirt(() =>
    {
        SystemdDropIns();
        string? problem = null;
        DomainRef? domain = null;
        bool arrived = PollUntil(PollEnd, () =>
        {
            DomainStatus s;
            try { s = QueryStatus(Deadline.Within(TimeSpan.FromSeconds(10))); }
            catch (LibvirtUnavailableException e) { problem = e.Message; return false; }
            if (!s.Running) { problem = "it is not running here"; return false; }
            domain = s.Domain;
            problem = MonitorScriptsProblem();
            return problem is null;
        });
        if (!arrived)
            throw OcfError.Generic($"domain {SafeText.Quote(Config.DomainName)} did not become active here within the migrate_from timeout: {problem}");
        LogMigratedHere(Log, Config.DomainName, Meta.MigrateSource ?? "(unknown node)");
        if (Config.SaveConfig) SaveConfigFile(domain!, LibvirtSlice());
        RememberDomain(domain!);
        return OcfExitCode.Success;
    });
}
