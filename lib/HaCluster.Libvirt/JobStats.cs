using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>virDomainGetJobStatsFlags.</summary>
[Flags]
public enum JobStatsFlags : uint
{
    /// <summary>The job in progress.</summary>
    Current = 0,
    /// <summary>The last completed job (on a migration's destination: the migration).</summary>
    Completed = 1,
    KeepCompleted = 2,
}

/// <summary>
/// virDomainGetJobStats: the job type (as <see cref="DomainJobInfo.Type"/>) and its typed
/// parameters, e.g. <c>time_elapsed</c> and <c>downtime</c> (ms), <c>data_processed</c> (bytes).
/// </summary>
public sealed record DomainJobStats(int Type, IReadOnlyList<TypedParameter> Parameters)
{
    /// <summary>An unsigned statistic by name (VIR_DOMAIN_JOB_*), or null when the daemon did not report it.</summary>
    public ulong? Get(string field)
    {
        foreach (var p in Parameters)
            if (p.Field == field && p.Type is TypedParameterType.ULLong or TypedParameterType.LLong or TypedParameterType.UInt or TypedParameterType.Int)
                return unchecked((ulong)p.Integer);
        return null;
    }

    /// <summary>The VIR_DOMAIN_JOB_* statistics used here.</summary>
    public static class Field
    {
        public const string TimeElapsed = "time_elapsed";
        public const string Downtime = "downtime";
        public const string DataProcessed = "data_processed";
        public const string DataTotal = "data_total";
    }
}

public sealed partial class LibvirtConnection
{
    /// <summary>REMOTE_DOMAIN_JOB_STATS_MAX.</summary>
    const int JobStatsMax = 64;

    /// <summary>DOMAIN_GET_JOB_STATS: the current or the last completed job's statistics.</summary>
    public DomainJobStats GetJobStats(DomainRef domain, JobStatsFlags flags, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainGetJobStats);
            domain.Write(w);
            w.WriteUInt((uint)flags);
            var reader = new XdrReader(Invoke(w, deadline));
            int type = reader.ReadInt();
            int count = reader.ReadArrayLength(JobStatsMax);
            var parameters = new List<TypedParameter>(count);
            for (int i = 0; i < count; i++) parameters.Add(TypedParameter.Read(ref reader));
            return new DomainJobStats(type, parameters);
        }
    }
}
