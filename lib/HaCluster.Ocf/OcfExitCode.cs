namespace HaCluster.Ocf;

/// <summary>The OCF exit codes (resource-agents' ocf-returncodes plus Pacemaker's degraded codes).</summary>
public enum OcfExitCode
{
    Success = 0,
    /// <summary>Unspecified error; for monitor: failed. Pacemaker recovers in place.</summary>
    ErrGeneric = 1,
    /// <summary>Parameters invalid on this host: the resource is banned from the node.</summary>
    ErrArgs = 2,
    /// <summary>Action not implemented.</summary>
    Unimplemented = 3,
    ErrPerm = 4,
    /// <summary>Required software missing on this host: the resource is banned from the node.</summary>
    ErrInstalled = 5,
    /// <summary>Parameters inherently invalid: fatal, the resource is stopped everywhere.</summary>
    ErrConfigured = 6,
    NotRunning = 7,
    RunningPromoted = 8,
    FailedPromoted = 9,
    /// <summary>Running but degraded (Pacemaker 2.1 and later).</summary>
    Degraded = 190,
    DegradedPromoted = 191,
}
