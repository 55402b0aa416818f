using System.Diagnostics;

namespace HaCluster.Testing;

/// <summary>
/// A child that holds a private mount namespace open (unshare --mount --propagation private):
/// it runs a setup script there, which mounts what the test needs, prints "ready" and then
/// keeps running (exec sleep). The test reaches the namespace through /proc/PID/root or with
/// nsenter --target PID; killing the child ends it, and nothing was mounted outside. Needs root.
/// </summary>
public sealed class MountNamespaceHolder : IDisposable
{
    readonly Process holder;

    /// <param name="setupScript">The /bin/sh script run in the namespace, with <paramref name="arguments"/> as $1….</param>
    /// <param name="purpose">What the namespace is for, for the exception when the script fails.</param>
    public MountNamespaceHolder(string setupScript, IEnumerable<string> arguments, string purpose)
    {
        var start = new ProcessStartInfo("/usr/bin/unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", setupScript, "sh" }.Concat(arguments))
            start.ArgumentList.Add(a);
        holder = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        string? line = holder.StandardOutput.ReadLine();
        if (line != "ready")
        {
            string error = holder.StandardError.ReadToEnd();
            Dispose();
            throw new InvalidOperationException($"cannot set up {purpose}: {line} {error}");
        }
    }

    /// <summary>The holder's pid, for /proc/PID/root and nsenter --target.</summary>
    public int Pid => holder.Id;

    public void Dispose()
    {
        try
        {
            if (!holder.HasExited) holder.Kill();
            holder.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        holder.Dispose();
    }
}
