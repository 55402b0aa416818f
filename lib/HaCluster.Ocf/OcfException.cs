namespace HaCluster.Ocf;

/// <summary>
/// An action's failure: the OCF code to exit with and the one sentence that becomes the exit
/// reason <c>crm_mon</c> shows. Agents throw it (through the <see cref="OcfError"/> helpers)
/// from anywhere; the host turns it into the exit code and the last <c>ocf-exit-reason:</c> line.
/// </summary>
public class OcfException : Exception
{
    public OcfException(OcfExitCode code, string reason, bool environmentMissing = false, Exception? inner = null)
        : base(reason, inner)
    {
        Code = code;
        EnvironmentMissing = environmentMissing;
    }

    public OcfExitCode Code { get; }

    /// <summary>
    /// The failure is "this host lacks what the agent needs" (binary not installed, configuration
    /// file unreadable, storage not mounted yet). Such failures follow the probe rule: a probe
    /// answers 7, a stop answers 0, a recurring monitor 1, other actions the failure's code.
    /// </summary>
    public bool EnvironmentMissing { get; }

    public string Reason => Message;
}

/// <summary>Factories for the failures agents report, one per OCF meaning.</summary>
public static class OcfError
{
    /// <summary>Exit 1: the action failed.</summary>
    public static OcfException Generic(string reason, Exception? inner = null) => new(OcfExitCode.ErrGeneric, reason, inner: inner);

    /// <summary>Exit 6: the configuration is invalid in itself (it cannot work on any node).</summary>
    public static OcfException Configured(string reason) => new(OcfExitCode.ErrConfigured, reason);

    /// <summary>Exit 2: the configuration is invalid on this host.</summary>
    public static OcfException Args(string reason) => new(OcfExitCode.ErrArgs, reason);

    /// <summary>Exit 4: not enough privilege.</summary>
    public static OcfException Perm(string reason) => new(OcfExitCode.ErrPerm, reason);

    /// <summary>Exit 5, following the probe rule: required software or files are missing on this host.</summary>
    public static OcfException NotInstalled(string reason) => new(OcfExitCode.ErrInstalled, reason, environmentMissing: true);

    /// <summary>Exit 3: the action is not supported.</summary>
    public static OcfException Unimplemented(string reason) => new(OcfExitCode.Unimplemented, reason);
}
