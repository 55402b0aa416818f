using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// stop: a graceful shutdown (or a snapshot save) until a reserve of the deadline is left, then
// destroy; the emulator process is signalled when libvirtd does not answer.
public sealed partial class VirtualDomainAgent
{
    /// <summary>
    /// Graceful shutdown until a reserve of the deadline is left, then destroy; when libvirtd
    /// does not answer, the emulator process is signalled. A stop never hangs and fails only
    /// when the domain provably keeps running.
    /// </summary>
    public override OcfExitCode Stop()
    {
        try
        {
            return StopThroughLibvirt();
        }
        catch (LibvirtUnavailableException e)
        {
            DropConnection();
            return StopWithoutLibvirt(e);
        }
        finally { CloseConnection(); }
    }

    /// <summary>
    /// A stop whose parameters do not validate (a value changed to something invalid while the
    /// domain ran, or the recovery stop after a failed probe of a mistyped resource) must not
    /// fail: that gets the node fenced. What can be trusted decides. A hypervisor URI no start
    /// could have connected to means nothing was started under these values: 0 with a warning.
    /// Otherwise the domain named by the config file, or recorded under HA_RSCTMP when the
    /// config parameter or file is unusable, is stopped the plain way: shutdown, then destroy,
    /// without snapshot, save_config_on_stop or shutdown_mode (a parameter that failed to parse
    /// has no value). With neither, no domain of this resource can be running here.
    /// </summary>
    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        if (hypervisor.Failed) return base.StopDespiteInvalidConfiguration(validationFailure);
        string value = hypervisor.Value;
        string uri = value.Length > 0 ? value : ConfiguredUri();
        if (HypervisorUri.Problem(uri) is not null) return base.StopDespiteInvalidConfiguration(validationFailure);
        try { configuration = ReadConfigFile(uri, minimal: true); }
        catch (OcfException e)
        {
            LogCannotBeRunningHere(Log, e.Reason);
            return base.StopDespiteInvalidConfiguration(validationFailure);
        }
        LogStoppingDespiteInvalidConfiguration(Log, validationFailure.Reason, Config.DomainName);
        return Stop();
    }

    /// <summary>A status query's slice during a stop: never into the kill reserve, at most 10 s.</summary>
    Deadline StopQuerySlice => Deadline.Reserve(killReserve).Within(TimeSpan.FromSeconds(10));

    OcfExitCode StopThroughLibvirt()
    {
        string name = Config.DomainName;
        killReserve = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, Deadline.Remaining.Ticks / 8));
        var status = QueryStatus(Deadline.Fraction(0.3));
        if (!status.Running)
        {
            if (status.Exists && status.State == DomainState.Crashed)
            {
                // A crashed domain kept by on_crash=preserve still holds its resources.
                try { Call(StopQuerySlice, c => c.Destroy(status.Domain!, DomainDestroyFlags.Default, StopQuerySlice)); }
                catch (LibvirtException e) { LogCrashedDestroyFailed(Log, name, e.Message); }
            }
            LogAlreadyStopped(Log, name);
            return Stopped();
        }
        var domain = status.Domain!;
        if (forceStop.Value) return Destroy(domain);

        var graceful = Deadline.Reserve(DestroyReserve(Deadline.Remaining));
        bool needShutdown = true;
        // Before a snapshot save, which ends the domain (and with a transient one its XML).
        if (Config.SaveConfig && Config.ConfigProblem is null) SaveConfigFile(domain, StopQuerySlice);
        if (Config.StateFile is { } stateFile)
        {
            try
            {
                Call(graceful, c => c.Save(domain, stateFile, graceful));
                LogStateSaved(Log, name, stateFile);
                needShutdown = false;
            }
            catch (LibvirtException e) when (e.IsNoDomain) { return Stopped(); }
            catch (LibvirtException e)
            {
                LogStateSaveFailed(Log, name, stateFile, e.Message);
            }
            catch (LibvirtUnavailableException e)
            {
                // A half-written state file must not be restored by the next start.
                LogStateSaveTooSlow(Log, name, e.Message);
                try { Call(StopQuerySlice, c => c.AbortJob(domain, StopQuerySlice)); }
                catch (Exception x) when (x is LibvirtException or LibvirtUnavailableException) { LogSaveAbortFailed(Log, x.Message); }
                TryDelete(stateFile);
                return Destroy(domain);
            }
        }

        var waitStart = Deadline.Remaining;
        if (needShutdown)
        {
            LogShuttingDown(Log, name);
            try { Call(graceful, c => c.Shutdown(domain, Config.ShutdownMode, graceful)); }
            catch (LibvirtException e) when (e.IsNoDomain) { return Stopped(); }
            catch (LibvirtException e)
            {
                // Nothing graceful will happen: do not wait for it.
                LogShutdownRefused(Log, name, e.Message);
                return Destroy(domain);
            }
        }
        if (PollUntil(graceful, () => !QueryStatus(StopQuerySlice).Running))
        {
            LogShutDown(Log, name);
            return Stopped();
        }
        LogShutdownTooSlow(Log, name, (waitStart - Deadline.Remaining).TotalSeconds);
        return Destroy(domain);
    }

    /// <summary>
    /// What a graceful stop leaves for destroy: qemu needs 1.2-2 s to exit after libvirt's
    /// SIGTERM, and the emulator kill must still fit after that. At least 5 s or 15 %, at most half.
    /// </summary>
    public static TimeSpan DestroyReserve(TimeSpan left)
    {
        var reserve = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, (long)(left.Ticks * 0.15)));
        return reserve > left / 2 ? left / 2 : reserve;
    }

    /// <summary>Destroy: gracefully (SIGTERM only) first, then forcibly; waits until libvirt says stopped.</summary>
    OcfExitCode Destroy(DomainRef domain)
    {
        string name = Config.DomainName;
        LogDestroying(Log, name);
        // The emulator kill needs a little time if libvirtd stops answering now.
        var destroying = Deadline.Reserve(killReserve);
        bool graceful = true;
        foreach (var flags in new[] { DomainDestroyFlags.Graceful, DomainDestroyFlags.Default })
        {
            var slice = flags == DomainDestroyFlags.Graceful ? destroying.Fraction(0.5) : destroying;
            try
            {
                Call(slice, c => c.Destroy(domain, flags, slice));
            }
            catch (LibvirtException e) when (e.IsNoDomain) { return Stopped(); }
            catch (LibvirtException e)
            {
                LogDestroyFailed(Log, flags, name, e.Message);
            }
            catch (LibvirtUnavailableException e) when (graceful)
            {
                // A graceful destroy waits for qemu to exit: a busy daemon, not necessarily a hung one.
                LogGracefulDestroyUnanswered(Log, name, e.Message);
            }
            graceful = false;
            if (!QueryStatus(StopQuerySlice).Running) return Stopped();
        }
        if (PollUntil(destroying, () => !QueryStatus(StopQuerySlice).Running)) return Stopped();
        throw new LibvirtUnavailableException($"domain {SafeText.Quote(name)} is still running after destroy", new TimeoutException());
    }

    /// <summary>The domain is gone: so goes the record of it.</summary>
    OcfExitCode Stopped()
    {
        DomainCache.Delete(Env);
        return OcfExitCode.Success;
    }

    /// <summary>libvirtd does not answer: SIGTERM the domain's emulator process, then SIGKILL, until it is gone.</summary>
    OcfExitCode StopWithoutLibvirt(LibvirtUnavailableException e)
    {
        string name = Config.DomainName;
        string? emulator = Emulator;
        var pids = emulators.Find(name, emulator);
        if (pids.Count == 0)
        {
            if (!EmulatorCheckIsConclusive)
                throw OcfError.Generic($"{e.Message}; domain {SafeText.Quote(name)} cannot be stopped without it");
            LogNoEmulatorStopped(Log, e.Message, name);
            return Stopped();
        }
        LogSignallingEmulator(Log, e.Message, name, string.Join(' ', pids));
        foreach (int pid in pids) emulators.Signal(pid, ProcessSignals.Term);
        var term = Deadline.Fraction(0.5);
        if (PollUntil(term, () => pids.All(p => !emulators.IsStill(p, name, emulator)))) return Stopped();

        LogEmulatorIgnoredTerm(Log, name);
        foreach (int pid in pids)
            if (emulators.IsStill(pid, name, emulator)) emulators.Signal(pid, ProcessSignals.Kill);
        if (PollUntil(Deadline, () => pids.All(p => !emulators.IsStill(p, name, emulator)))) return Stopped();
        throw OcfError.Generic($"{e.Message}; emulator process {string.Join(' ', pids)} of domain {SafeText.Quote(name)} did not exit after SIGKILL");
    }
}
