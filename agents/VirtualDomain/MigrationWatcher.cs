using HaCluster.Core;
using HaCluster.Libvirt;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// Watches a migration job on a second connection (the first is busy with the migration call):
/// sets migration_downtime once the job runs and keeps the last progress for the log.
/// </summary>
sealed class MigrationWatcher : IDisposable
{
    readonly LibvirtOpener open;
    readonly string uri;
    readonly DomainRef domain;
    readonly string domainName;
    readonly long downtimeMs;
    readonly Deadline deadline;
    readonly ILogger log;
    readonly CancellationTokenSource stop = new();
    readonly Thread thread;
    volatile bool disposed;
    DomainJobInfo? lastJob;

    /// <param name="open">How the second connection is opened.</param>
    /// <param name="uri">The daemon running the migration.</param>
    /// <param name="domain">The migrating domain.</param>
    /// <param name="domainName">Its name, for the log.</param>
    /// <param name="downtimeMs">migration_downtime; 0 leaves libvirt's default.</param>
    /// <param name="deadline">The migrate_to action's deadline: the watcher never outlives it.</param>
    /// <param name="log">The agent's logger.</param>
    public MigrationWatcher(LibvirtOpener open, string uri, DomainRef domain, string domainName, long downtimeMs, Deadline deadline, ILogger log)
    {
        this.open = open;
        this.uri = uri;
        this.domain = domain;
        this.domainName = domainName;
        this.downtimeMs = downtimeMs;
        this.deadline = deadline;
        this.log = log;
        thread = new Thread(Run) { IsBackground = true, Name = "migration watcher" };
        thread.Start();
    }

    /// <summary>The last job information seen, preferring one with a data total.</summary>
    public DomainJobInfo? LastJob { get { lock (stop) return lastJob; } }

    void Run()
    {
        ILibvirtConnection? c = null;
        bool downtimeSet = downtimeMs <= 0;
        try
        {
            c = open(uri, deadline.Within(TimeSpan.FromSeconds(10)));
            while (!stop.IsCancellationRequested && !deadline.IsExpired)
            {
                var job = c.GetJobInfo(domain, deadline.Within(TimeSpan.FromSeconds(5)));
                if (job.Type is 1 or 2)
                {
                    lock (stop) { if (job.DataTotal > 0 || lastJob is null) lastJob = job; }
                    if (!downtimeSet)
                    {
                        c.MigrateSetMaxDowntime(domain, (ulong)downtimeMs, deadline.Within(TimeSpan.FromSeconds(5)));
                        VirtualDomainAgent.LogDowntimeSet(log, domainName, downtimeMs);
                        downtimeSet = true;
                    }
                }
                // Not a sleep on the deadline: Dispose cuts this pause short, so the migration's
                // end is not delayed by a poll interval.
                stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250));
            }
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException or ArgumentException or ObjectDisposedException)
        {
            // The domain leaves at the end of the migration: the job query then fails. Only a
            // downtime that could not be set is worth a line.
            if (!downtimeSet && !disposed) VirtualDomainAgent.LogDowntimeNotSet(log, domainName, e.Message);
        }
        finally { c?.Dispose(); }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(2));
    }
}
