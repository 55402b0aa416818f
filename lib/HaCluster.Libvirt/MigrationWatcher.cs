using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// Watches a domain's migration job on a connection of its own while the caller's connection
/// is busy with <see cref="ILibvirtConnection.MigratePeerToPeer"/>: sets the maximum downtime
/// once the job runs and keeps the last progress seen. Nothing that happens on its thread ends
/// the process. The job's normal end (the domain leaves, the daemon reports no job, a call times
/// out) only ends the watch; anything else (a daemon whose replies do not decode, a lost
/// connection, a callback that throws) aborts the migration job, so that the migration call
/// returns with the daemon's error, and is kept as <see cref="Failure"/>.
/// </summary>
public sealed class MigrationWatcher : IDisposable
{
    static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(10);
    static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(5);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    readonly LibvirtOpener open;
    readonly string uri;
    readonly DomainRef domain;
    readonly ulong maxDowntimeMs;
    readonly Deadline deadline;
    readonly Action? downtimeSet;
    readonly Action<Exception>? downtimeNotSet;
    // A wait the caller can cut short when the migration call returns: Deadline.Sleep cannot be
    // interrupted, and the migration's end must not wait for the next poll.
    readonly ManualResetEventSlim stop = new();
    readonly Lock sync = new();
    readonly Thread thread;
    volatile bool disposed;
    DomainJobInfo? lastJob;
    LibvirtException? failure;

    /// <summary>Starts watching at once, on a background thread.</summary>
    /// <param name="open">Opens the watcher's connection and, to abort the job, another one.</param>
    /// <param name="uri">The source daemon's URI.</param>
    /// <param name="domain">The migrating domain.</param>
    /// <param name="maxDowntimeMs">The maximum downtime to set once the job runs, in milliseconds; 0 leaves libvirt's.</param>
    /// <param name="deadline">Bounds the watch and every call it makes.</param>
    /// <param name="downtimeSet">Called once the maximum downtime was set.</param>
    /// <param name="downtimeNotSet">Called when the watch ended before the maximum downtime could be set.</param>
    public MigrationWatcher(LibvirtOpener open, string uri, DomainRef domain, ulong maxDowntimeMs, Deadline deadline,
        Action? downtimeSet = null, Action<Exception>? downtimeNotSet = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(deadline);
        this.open = open;
        this.uri = uri;
        this.domain = domain;
        this.maxDowntimeMs = maxDowntimeMs;
        this.deadline = deadline;
        this.downtimeSet = downtimeSet;
        this.downtimeNotSet = downtimeNotSet;
        thread = new Thread(Run) { IsBackground = true, Name = "migration watcher" };
        thread.Start();
    }

    /// <summary>The last progress of the running job seen (the last with data, if any had), or null.</summary>
    public DomainJobInfo? LastJob { get { lock (sync) return lastJob; } }

    /// <summary>
    /// Why the watch failed and the migration job was aborted (or could not be), as the client's
    /// error: the original <see cref="LibvirtException"/> code where there was one (a connection
    /// failure stays one), else <see cref="LibvirtErrorCode.InternalError"/>. Null while the watch
    /// has not failed.
    /// </summary>
    public LibvirtException? Failure { get { lock (sync) return failure; } }

    void Run()
    {
        try
        {
            Watch();
        }
        catch (Exception e) when (!disposed)
        {
            Fail(e);
        }
        catch (Exception)
        {
            // After Dispose the caller no longer listens: the migration call has returned.
        }
    }

    void Watch()
    {
        bool downtimeDone = maxDowntimeMs == 0;
        ILibvirtConnection? c = null;
        try
        {
            c = open(uri, deadline.Within(ConnectLimit));
            while (!disposed && !deadline.IsExpired)
            {
                var job = c.GetJobInfo(domain, deadline.Within(CallLimit));
                if (job.Type is 1 or 2)
                {
                    lock (sync) { if (job.DataTotal > 0 || lastJob is null) lastJob = job; }
                    if (!downtimeDone)
                    {
                        c.MigrateSetMaxDowntime(domain, maxDowntimeMs, deadline.Within(CallLimit));
                        downtimeDone = true;
                        downtimeSet?.Invoke();
                    }
                }
                stop.Wait(PollInterval);
            }
        }
        catch (Exception e) when (IsEndOfWatch(e))
        {
            // The domain leaves at the end of the migration and the job query then fails: only a
            // downtime that could not be set is worth telling.
            if (!downtimeDone && !disposed) downtimeNotSet?.Invoke(e);
        }
        finally
        {
            c?.Dispose();
        }
    }

    /// <summary>
    /// What ends a watch without harm: the daemon's own answer that there is no such domain or
    /// job any more, a slow daemon, a URI this client cannot open, a connection already disposed.
    /// </summary>
    static bool IsEndOfWatch(Exception e) => e is TimeoutException or ArgumentException or ObjectDisposedException
        or LibvirtException { IsConnectionFailure: false };

    /// <summary>Aborts the migration job on a fresh connection (the watcher's may be broken) and keeps why. Never throws.</summary>
    void Fail(Exception cause)
    {
        int code = cause is LibvirtException l ? l.Code : LibvirtErrorCode.InternalError;
        string what = $"watching the migration of domain '{domain.Name}' failed ({cause.Message})";
        lock (sync) failure = new LibvirtException(code, $"{what}; its job is being aborted", cause);
        string outcome;
        try
        {
            var abort = deadline.Within(CallLimit);
            using var c = open(uri, abort);
            c.AbortJob(domain, abort);
            outcome = "its job was aborted";
        }
        catch (Exception e)
        {
            outcome = $"aborting its job failed too: {e.Message}";
        }
        lock (sync) failure = new LibvirtException(code, $"{what}; {outcome}", cause);
    }

    /// <summary>Stops watching; waits up to 2 s for the thread (its calls are bounded by the deadline).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stop.Set();
        if (thread.Join(TimeSpan.FromSeconds(2))) stop.Dispose();
    }
}
