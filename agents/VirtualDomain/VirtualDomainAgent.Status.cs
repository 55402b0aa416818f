using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// monitor and status: the domain's state from libvirt, or from its emulator process when libvirtd
// does not answer; a monitor also runs monitor_scripts and keeps the utilization current.
public sealed partial class VirtualDomainAgent
{
    public override OcfExitCode Monitor()
    {
        try
        {
            DomainStatus status;
            try { status = QueryStatus(LibvirtSlice()); }
            catch (LibvirtUnavailableException e)
            {
                // The services inside a domain that runs can still be checked.
                var rc = WithoutLibvirt(e);
                if (rc == OcfExitCode.Success && MonitorScriptsProblem() is { } scriptFailed) throw OcfError.Generic(scriptFailed);
                return rc;
            }
            if (!status.Running)
            {
                if (status.Exists) LogDomainIs(Log, Config.DomainName, status.State);
                return OcfExitCode.NotRunning;
            }
            UpdateUtilization(status.Domain!);
            if (MonitorScriptsProblem() is { } failed) throw OcfError.Generic(failed);
            if (Config.SaveConfig && Config.ConfigProblem is null) SaveConfigFile(status.Domain!, LibvirtSlice());
            if (Config.ConfigProblem is null && !File.Exists(DomainCache.PathFor(Env)))
                new DomainCache(Config.DomainName, SafeEmulator(Config.Domain?.Emulator)).Save(Env);
            return OcfExitCode.Success;
        }
        finally { CloseConnection(); }
    }

    /// <summary>status: the domain's state only (no monitor scripts, no utilization).</summary>
    public override OcfExitCode Status()
    {
        try
        {
            try { return QueryStatus(LibvirtSlice()).Running ? OcfExitCode.Success : OcfExitCode.NotRunning; }
            catch (LibvirtUnavailableException e) { return WithoutLibvirt(e); }
        }
        finally { CloseConnection(); }
    }

    /// <summary>
    /// libvirtd did not answer: the emulator process decides. Present: running. Absent: a probe
    /// says not running (for qemu and lxc the process is the domain); a recurring monitor fails
    /// with the reason, so that Pacemaker recovers the resource and the log says why.
    /// </summary>
    OcfExitCode WithoutLibvirt(LibvirtUnavailableException e)
    {
        string name = Config.DomainName;
        var pids = emulators.Find(name, Emulator);
        if (pids.Count > 0)
        {
            LogEmulatorRunning(Log, e.Message, pids[0], name);
            return OcfExitCode.Success;
        }
        if (!EmulatorCheckIsConclusive)
            throw OcfError.Generic($"{e.Message}; the state of domain {SafeText.Quote(name)} cannot be determined without it");
        if (IsProbe)
        {
            LogNoEmulatorNotRunning(Log, e.Message, name);
            return OcfExitCode.NotRunning;
        }
        string why = e.Message.StartsWith("libvirtd did not answer", StringComparison.Ordinal) ? e.Message : $"libvirtd did not answer ({e.Message})";
        throw OcfError.Generic($"{why}, and no emulator process of domain {SafeText.Quote(name)} is running");
    }

    /// <summary>
    /// Runs monitor_scripts in order; the first failure's reason, or null when all succeed. Start
    /// and migrate_from wait for them too: the domain is up when a monitor would say so.
    /// </summary>
    string? MonitorScriptsProblem()
    {
        string name = Config.DomainName;
        foreach (var script in monitorScripts.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            string? path = ResolveProgram(script);
            if (path is null)
                return $"monitor command {SafeText.Quote(script)} for domain {SafeText.Quote(name)} was not found";
            var result = Processes.Run(new ProcessSpec(path), Deadline);
            if (!result.Succeeded)
                return $"monitor command {SafeText.Quote(script)} for domain {SafeText.Quote(name)} {result.Describe()}";
            LogMonitorCommandSucceeded(Log, script, name);
        }
        return null;
    }
}
