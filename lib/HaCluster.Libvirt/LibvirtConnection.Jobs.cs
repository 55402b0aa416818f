using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>A domain's jobs: peer-to-peer migration, its tuning, progress and abort.</summary>
public sealed partial class LibvirtConnection
{
    /// <summary>DOMAIN_GET_JOB_INFO: progress of the domain's current job (migration, save, …).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline)
        => Call(RemoteProcedure.DomainGetJobInfo, domain, RemoteArgs.Domain, RemoteReplies.JobInfo, deadline);

    /// <summary>DOMAIN_GET_JOB_STATS: the current or the last completed job's statistics.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="flags">Which job.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainJobStats GetJobStats(DomainRef domain, JobStatsFlags flags, Deadline deadline)
        => Call(RemoteProcedure.DomainGetJobStats, (domain, (uint)flags), RemoteArgs.DomainAndFlags, RemoteReplies.JobStats, deadline);

    /// <summary>DOMAIN_ABORT_JOB: cancels the domain's current job (a migration, a save).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void AbortJob(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainAbortJob, domain, RemoteArgs.Domain, deadline);

    /// <summary>
    /// DOMAIN_MIGRATE_PERFORM3_PARAMS for a peer-to-peer migration (<see cref="MigrateFlags.PeerToPeer"/>
    /// must be among <paramref name="flags"/>): the source daemon connects to
    /// <paramref name="destinationUri"/> itself and runs the whole protocol; this call returns when
    /// the migration has finished.
    /// </summary>
    /// <param name="domain">The domain to migrate.</param>
    /// <param name="destinationUri">The destination daemon's URI, as the source daemon reaches it.</param>
    /// <param name="parameters">Migration parameters (<see cref="MigrateParameter"/>).</param>
    /// <param name="flags">How to migrate; must include <see cref="MigrateFlags.PeerToPeer"/>.</param>
    /// <param name="deadline">Bounds the whole migration.</param>
    public void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters,
        MigrateFlags flags, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(destinationUri);
        ArgumentNullException.ThrowIfNull(parameters);
        if ((flags & MigrateFlags.PeerToPeer) == 0)
            throw new ArgumentException("only peer-to-peer migration is a single call: add MigrateFlags.PeerToPeer", nameof(flags));
        if (parameters.Count > RemoteProtocol.MigrateParamListMax)
            throw new ArgumentException("too many migration parameters", nameof(parameters));
        Call(RemoteProcedure.DomainMigratePerform3Params, (domain, destinationUri, parameters, (uint)flags),
            RemoteArgs.MigratePerform3, RemoteReplies.MigrateCookie, deadline);
    }

    /// <summary>DOMAIN_MIGRATE_SET_MAX_DOWNTIME, for a migration in progress.</summary>
    /// <param name="domain">The migrating domain.</param>
    /// <param name="downtimeMs">The longest pause the switch-over may take, in milliseconds.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline)
        => Call(RemoteProcedure.DomainMigrateSetMaxDowntime, (domain, downtimeMs), RemoteArgs.DomainAndValue, deadline);

    /// <summary>DOMAIN_MIGRATE_SET_MAX_SPEED.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="bandwidthMiBs">The bandwidth its migrations may use, in MiB/s.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void MigrateSetMaxSpeed(DomainRef domain, ulong bandwidthMiBs, Deadline deadline)
        => Call(RemoteProcedure.DomainMigrateSetMaxSpeed, (domain, bandwidthMiBs), RemoteArgs.DomainAndValue, deadline);
}
