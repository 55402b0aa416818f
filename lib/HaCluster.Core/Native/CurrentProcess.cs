namespace HaCluster.Core.Native;

/// <summary>What the BCL does not tell or do about the running process.</summary>
public static class CurrentProcess
{
    /// <summary>The parent's PID (getppid): for an agent, the pacemaker-execd that started it.</summary>
    public static int ParentId => Libc.getppid();

    /// <summary>
    /// Ends the process at once with <paramref name="status"/> (_exit): no finalizers, no
    /// unhandled-exception report, nothing else written. For a thread that must not let the
    /// runtime print a stack trace.
    /// </summary>
    public static void ExitImmediately(int status) => Libc._exit(status);
}
