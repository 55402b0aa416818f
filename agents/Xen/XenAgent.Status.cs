using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen;

// monitor and status, and the questions every other action asks too: does the domain exist (one
// xl list), and do the monitor scripts pass. How the domain is looked up lives only here.
public sealed partial class XenAgent
{
    /// <summary>status answers as the shell agent does: 0 or 7 from one xl list, nothing else.</summary>
    public override OcfExitCode Status() => List(Domain, Deadline).Exists ? OcfExitCode.Success : OcfExitCode.NotRunning;

    public override OcfExitCode Monitor()
    {
        var l = IsProbe ? List(Domain, Deadline) : ListWithRebootRetry(Domain, warn: true);
        if (!l.Exists)
        {
            // Only a stopped domain needs its file: a running one is running whether the file
            // is there or not (shared storage may be unmounted under it).
            if (XmfileIsMissing()) throw XmfileMissing();
            if (!IsProbe) LogMonitoredDomainStopped(Log, Domain);
            return OcfExitCode.NotRunning;
        }
        UpdateUtilization(l.Row);
        if (RunMonitorScripts(Deadline) is { } failure) throw OcfError.Generic(failure);
        return OcfExitCode.Success;
    }

    /// <summary>
    /// One xl list NAME: whether the domain exists, and its row when it does. An answer of xl
    /// other than "no such domain" (xenstored unreachable, say) is a failure, never "stopped".
    /// </summary>
    XlListing List(string name, Deadline deadline)
    {
        var l = Xl.List(name, deadline);
        if (l.State == XlDomainState.Failed)
            throw OcfError.Generic($"cannot tell whether domain {SafeText.Quote(name)} runs: xl list {l.Result.Describe()}");
        return l;
    }

    /// <summary>
    /// xl list, retried once a second for up to 5 s while it says "no such domain": a rebooting
    /// guest vanishes from the list for a second or two.
    /// </summary>
    XlListing ListWithRebootRetry(string name, bool warn)
    {
        var l = List(name, Deadline);
        var window = Deadline.Within(TimeSpan.FromSeconds(5.5));
        int retries = 5;
        while (!l.Exists && retries-- > 0 && window.Remaining >= TimeSpan.FromSeconds(1))
        {
            if (warn) LogExpectedRunningRetrying(Log, Domain, retries + 1);
            else LogNotRunningWaiting(Log, name, retries + 1);
            window.Sleep(TimeSpan.FromSeconds(1));
            l = List(name, Deadline);
        }
        return l;
    }

    /// <summary>The utilization comes from the row of the monitor's own xl list: no second call.</summary>
    void UpdateUtilization(XlDomainRow? row)
    {
        if (!Settings.AutosetUtilizationCpu && !Settings.AutosetUtilizationHvMemory) return;
        if (row is null)
        {
            LogNoRowForUtilization(Log, Domain);
            return;
        }
        if (Settings.AutosetUtilizationCpu) SetUtilization("cpu", row.Vcpus.ToString(CultureInfo.InvariantCulture));
        if (Settings.AutosetUtilizationHvMemory) SetUtilization("hv_memory", row.MemoryMiB.ToString(CultureInfo.InvariantCulture));
    }

    void SetUtilization(string name, string value)
    {
        var w = Cluster.SetUtilization(name, value);
        if (!w.Succeeded) LogUtilizationNotSet(Log, name, w.Error);
    }

    /// <summary>Runs every monitor script; returns why one failed, or null.</summary>
    string? RunMonitorScripts(Deadline deadline)
    {
        foreach (var script in Settings.MonitorScripts)
        {
            string? path = script.Contains('/') ? script : FindInPath(script);
            if (path is null || !path.StartsWith('/') || !Processes.IsInstalled(path))
                return $"monitor script {SafeText.Quote(script)} of domain {SafeText.Quote(Domain)} is not an executable program";
            var r = Processes.Run(new ProcessSpec(path), deadline);
            if (!r.Succeeded)
                return $"monitor script {SafeText.Quote(script)} of domain {SafeText.Quote(Domain)} {r.Describe()}";
        }
        return null;
    }
}
