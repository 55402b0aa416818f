using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.VirtualDomain;

public sealed partial class VirtualDomainAgent
{
    // ---------------------------------------------------------------- stop

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
    /// domain ran) would fail and get the node fenced. If the daemon and the domain can still be
    /// named, the domain is stopped the plain way: shutdown, then destroy, without snapshot,
    /// save_config_on_stop or shutdown_mode. (A parameter that failed to parse has no value.)
    /// </summary>
    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        if (config.Value is not { Length: > 0 } || hypervisor.Value is null || HypervisorUri.Problem(uri) is not null)
            throw validationFailure;
        minimalStop = true;
        try { LoadConfig(); }
        catch (OcfException e) when (e.EnvironmentMissing)
        {
            Log.LogInformation("{Reason}: the resource cannot be running here; stop succeeds", e.Reason);
            return OcfExitCode.Success;
        }
        Log.LogWarning("{Reason}; stopping domain {Domain} anyway (shutdown, then destroy)", validationFailure.Reason, domainName);
        return Stop();
    }

    /// <summary>Kept back from libvirt in a stop for killing the emulator if libvirtd stops answering.</summary>
    TimeSpan killReserve;

    /// <summary>A status query's slice during a stop: never into the kill reserve, at most 10 s.</summary>
    Deadline StopQuerySlice => Deadline.Reserve(killReserve).Within(TimeSpan.FromSeconds(10));

    OcfExitCode StopThroughLibvirt()
    {
        killReserve = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, Deadline.Remaining.Ticks / 8));
        var status = QueryStatus(Deadline.Fraction(0.3));
        if (!status.Running)
        {
            if (status.Exists && status.State == DomainState.Crashed)
            {
                // A crashed domain kept by on_crash=preserve still holds its resources.
                try { Call(StopQuerySlice, c => c.Destroy(status.Domain!, DomainDestroyFlags.Default, StopQuerySlice)); }
                catch (LibvirtException e) { Log.LogDebug("destroy of crashed domain {Domain}: {Message}", domainName, e.Message); }
            }
            Log.LogInformation("domain {Domain} already stopped", domainName);
            return Stopped();
        }
        var domain = status.Domain!;
        if (forceStop.Value) return Destroy(domain);

        var graceful = Deadline.Reserve(DestroyReserve(Deadline.Remaining));
        bool needShutdown = true;
        // Before a snapshot save, which ends the domain (and with a transient one its XML).
        if (SaveConfig && configProblem is null) SaveConfigFile(domain, StopQuerySlice);
        if (StateFile is { } stateFile)
        {
            try
            {
                Call(graceful, c => c.Save(domain, stateFile, graceful));
                Log.LogInformation("saved the state of domain {Domain} to {StateFile}", domainName, stateFile);
                needShutdown = false;
            }
            catch (LibvirtException e) when (e.IsNoDomain) { return Stopped(); }
            catch (LibvirtException e)
            {
                Log.LogError("failed to save the state of domain {Domain} to {StateFile} on stop: {Message}", domainName, stateFile, e.Message);
            }
            catch (LibvirtUnavailableException e)
            {
                // A half-written state file must not be restored by the next start.
                Log.LogError("saving the state of domain {Domain} did not finish in time ({Message}); aborting it and destroying the domain", domainName, e.Message);
                try { Call(StopQuerySlice, c => c.AbortJob(domain, StopQuerySlice)); }
                catch (Exception x) when (x is LibvirtException or LibvirtUnavailableException) { Log.LogDebug("abort of the save job: {Message}", x.Message); }
                TryDelete(stateFile);
                return Destroy(domain);
            }
        }

        var waitStart = Deadline.Remaining;
        if (needShutdown)
        {
            Log.LogInformation("issuing graceful shutdown request for domain {Domain}", domainName);
            try { Call(graceful, c => c.Shutdown(domain, ShutdownFlags, graceful)); }
            catch (LibvirtException e) when (e.IsNoDomain) { return Stopped(); }
            catch (LibvirtException e)
            {
                // Nothing graceful will happen: do not wait for it.
                Log.LogWarning("graceful shutdown of domain {Domain} refused: {Message}; destroying it", domainName, e.Message);
                return Destroy(domain);
            }
        }
        if (PollUntil(graceful, () => !QueryStatus(StopQuerySlice).Running))
        {
            Log.LogInformation("domain {Domain} shut down", domainName);
            return Stopped();
        }
        Log.LogInformation("domain {Domain} did not shut down gracefully within {Seconds:0.#} s; destroying it", domainName, (waitStart - Deadline.Remaining).TotalSeconds);
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
        Log.LogInformation("issuing forced shutdown (destroy) request for domain {Domain}", domainName);
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
                Log.LogDebug("destroy ({Flags}) of {Domain}: {Message}", flags, domainName, e.Message);
            }
            catch (LibvirtUnavailableException e) when (graceful)
            {
                // A graceful destroy waits for qemu to exit: a busy daemon, not necessarily a hung one.
                Log.LogDebug("graceful destroy of {Domain}: {Message}", domainName, e.Message);
            }
            graceful = false;
            if (!QueryStatus(StopQuerySlice).Running) return Stopped();
        }
        if (PollUntil(destroying, () => !QueryStatus(StopQuerySlice).Running)) return Stopped();
        throw new LibvirtUnavailableException($"domain {SafeText.Quote(domainName)} is still running after destroy", new TimeoutException());
    }

    OcfExitCode Stopped()
    {
        DomainCache.Delete(Env);
        return OcfExitCode.Success;
    }

    /// <summary>libvirtd does not answer: SIGTERM the domain's emulator process, then SIGKILL, until it is gone.</summary>
    OcfExitCode StopWithoutLibvirt(LibvirtUnavailableException e)
    {
        string? emulator = Emulator;
        var pids = emulators.Find(domainName, emulator);
        if (pids.Count == 0)
        {
            if (!EmulatorCheckIsConclusive)
                throw OcfError.Generic($"{e.Message}; domain {SafeText.Quote(domainName)} cannot be stopped without it");
            Log.LogWarning("{Reason}; no emulator process of domain {Domain} is running: it is stopped", e.Message, domainName);
            return Stopped();
        }
        Log.LogWarning("{Reason}; stopping domain {Domain} by signalling its emulator process {Pids}", e.Message, domainName, string.Join(' ', pids));
        foreach (int pid in pids) emulators.Signal(pid, ProcessSignals.Term);
        var term = Deadline.Fraction(0.5);
        if (PollUntil(term, () => pids.All(p => !emulators.IsStill(p, domainName, emulator)))) return Stopped();

        Log.LogWarning("emulator of domain {Domain} did not exit after SIGTERM; sending SIGKILL", domainName);
        foreach (int pid in pids)
            if (emulators.IsStill(pid, domainName, emulator)) emulators.Signal(pid, ProcessSignals.Kill);
        if (PollUntil(Deadline, () => pids.All(p => !emulators.IsStill(p, domainName, emulator)))) return Stopped();
        throw OcfError.Generic($"{e.Message}; emulator process {string.Join(' ', pids)} of domain {SafeText.Quote(domainName)} did not exit after SIGKILL");
    }

    // ---------------------------------------------------------------- migration

    public override OcfExitCode MigrateTo() => WithLibvirt(() =>
    {
        string target = Meta.MigrateTarget
            ?? throw OcfError.Generic("migrate_to needs the target node (OCF_RESKEY_CRM_meta_migrate_target is not set)");
        var status = QueryStatus(LibvirtSlice());
        if (!status.Running)
            throw OcfError.Generic($"domain {SafeText.Quote(domainName)} is not active locally: it cannot be migrated");
        var domain = status.Domain!;
        var plan = MigrationPlan.For(Settings, target, warning => Log.LogWarning("{Warning}", warning));

        if (SaveConfig && configProblem is null) SaveConfigFile(domain, LibvirtSlice());
        if (startResources.Value) StartResourcesOnTarget(plan.DestinationUri);

        Log.LogInformation("starting live migration of {Domain} to {Target} (destination {Uri}, migration URI {MigrationUri}, flags {Flags})",
            domainName, target, plan.DestinationUri, plan.MigrationUri ?? "(libvirt's choice)", plan.Flags);
        // The job's end must leave time to abort it.
        var migrating = Deadline.Reserve(TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, Deadline.Remaining.Ticks / 5)));
        long downtimeMs = migrationDowntime.Value;
        using var watcher = new MigrationWatcher(open, uri, domain, (ulong)Math.Max(0, downtimeMs), Deadline,
            () => Log.LogInformation("set the maximum migration downtime of {Domain} to {Downtime} ms", domainName, downtimeMs),
            e => Log.LogWarning("cannot set the migration downtime of {Domain}: {Message}", domainName, e.Message));
        var c = Connect(migrating);
        try
        {
            c.MigratePeerToPeer(domain, plan.DestinationUri, plan.Parameters(migrationSpeed.Value), plan.Flags, migrating);
        }
        catch (TimeoutException)
        {
            watcher.Dispose();
            DropConnection();
            AbortMigration(domain);
            throw OcfError.Generic($"live migration of {SafeText.Quote(domainName)} to {target} did not finish within the migrate_to timeout and was aborted");
        }
        catch (LibvirtException e) when (e.IsConnectionFailure)
        {
            throw OcfError.Generic($"live migration of {SafeText.Quote(domainName)} to {target} failed: the connection to libvirtd was lost ({Describe(e)})");
        }
        catch (LibvirtException e)
        {
            // A watcher that failed aborted the job: its reason says more than libvirt's "aborted".
            watcher.Dispose();
            throw OcfError.Generic($"live migration of {SafeText.Quote(domainName)} to {target} failed: {Describe(watcher.Failure ?? e)}");
        }
        watcher.Dispose();
        if (watcher.LastJob is { DataTotal: > 0 } job)
            Log.LogInformation("live migration of {Domain} to {Target} succeeded (last progress seen: {Processed} of {Total} KiB after {Elapsed} ms)",
                domainName, target, job.DataProcessed >> 10, job.DataTotal >> 10, job.TimeElapsedMs);
        else
            Log.LogInformation("live migration of {Domain} to {Target} succeeded", domainName, target);
        DomainCache.Delete(Env);
        return OcfExitCode.Success;
    });

    MigrationPlan.Settings Settings => new(uri, remoteuri.Value, migrationTransport.Value, migrationUser.Value, migrationNetworkSuffix.Value,
        migrateuri.Value, migrateOptions.Value, migrateport.Value);

    void AbortMigration(DomainRef domain)
    {
        try
        {
            using var c = open(uri, Deadline);
            c.AbortJob(domain, Deadline);
            Log.LogWarning("aborted the migration job of {Domain}", domainName);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException or ArgumentException)
        {
            Log.LogWarning("cannot abort the migration job of {Domain}: {Message}", domainName, e.Message);
        }
    }

    /// <summary>start_resources on the target: possible when its URI is a local one (this client's reach).</summary>
    void StartResourcesOnTarget(string destination)
    {
        if (HypervisorUri.Problem(destination) is { } problem)
        {
            Log.LogWarning("start_resources: the pools and networks of {Domain} cannot be started on the target from here ({Problem}); the target's libvirtd must have them running", domainName, problem);
            return;
        }
        var local = connection;
        try
        {
            connection = null;
            uriOverride = destination;
            StartResources(destination);
        }
        finally
        {
            CloseConnection();
            uriOverride = null;
            connection = local;
        }
    }

    public override OcfExitCode MigrateFrom() => WithLibvirt(() =>
    {
        SystemdDropIns();
        string? problem = null;
        DomainRef? domain = null;
        bool arrived = PollUntil(PollEnd, () =>
        {
            DomainStatus s;
            try { s = QueryStatus(Deadline.Within(TimeSpan.FromSeconds(10))); }
            catch (LibvirtUnavailableException e) { problem = e.Message; return false; }
            if (!s.Running) { problem = "it is not running here"; return false; }
            domain = s.Domain;
            problem = MonitorScriptsProblem();
            return problem is null;
        });
        if (!arrived)
            throw OcfError.Generic($"domain {SafeText.Quote(domainName)} did not become active here within the migrate_from timeout: {problem}");
        Log.LogInformation("live migration of {Domain} from {Source} succeeded", domainName, Meta.MigrateSource ?? "(unknown node)");
        if (SaveConfig) SaveConfigFile(domain!, LibvirtSlice());
        RememberDomain(domain!);
        return OcfExitCode.Success;
    });

    // ---------------------------------------------------------------- save_config_on_stop

    /// <summary>
    /// Writes the domain's inactive XML (with security information) to the config file when it
    /// differs, after checking it (and with virt-xml-validate when installed); then csync2 for
    /// sync_config_on_stop. Problems are warnings: they must not fail a stop.
    /// </summary>
    void SaveConfigFile(DomainRef domain, Deadline slice)
    {
        string path = config.Value;
        string xml;
        try { xml = Call(slice, c => c.GetXmlDesc(domain, DomainXmlFlags.Inactive | DomainXmlFlags.Secure, slice)); }
        catch (Exception e) when (e is LibvirtException or LibvirtUnavailableException)
        {
            Log.LogWarning("cannot read the configuration of domain {Domain}: {Message}; config file not updated", domainName, e.Message);
            return;
        }
        if (xml.Length == 0) { Log.LogWarning("domain {Domain} config has 0 size; skipping config update", domainName); return; }
        if (xml == configXml) return;
        if (DomainConfig.Parse(xml, out var error) is not { } parsed || parsed.Name != domainName)
        {
            Log.LogWarning("domain {Domain} config from libvirt is unusable ({Error}); skipping config update", domainName, error ?? "another name");
            return;
        }
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", "." + Path.GetFileName(path) + ".hacluster-save");
        try
        {
            File.WriteAllText(temp, xml);
            string validator = "/usr/bin/virt-xml-validate";
            if (Processes.IsInstalled(validator))
            {
                var check = Processes.Run(new ProcessSpec(validator, temp, "domain"), Deadline.Within(TimeSpan.FromSeconds(10)));
                if (!check.Succeeded)
                {
                    Log.LogWarning("domain {Domain} config failed to validate after dump ({How}); skipping config update", domainName, check.Describe());
                    TryDelete(temp);
                    return;
                }
            }
            if (File.Exists(path)) File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
            configXml = xml;
            Log.LogInformation("saved domain {Domain}'s configuration to {Config}", domainName, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogWarning("cannot write {Config}: {Message}", path, e.Message);
            TryDelete(temp);
            return;
        }
        if (syncConfigOnStop.Value)
        {
            var csync = Processes.Run(new ProcessSpec(RequireTool("csync2", "sync_config_on_stop"), "-x", path), Deadline.Reserve(TimeSpan.FromTicks(Deadline.Remaining.Ticks / 2)));
            if (!csync.Succeeded) Log.LogWarning("syncing {Config} with csync2 failed: {How}", path, csync.Describe());
        }
    }

    // ---------------------------------------------------------------- validate-all and reload

    public override OcfExitCode ValidateAll()
    {
        // Checked here and in migrate_to only: an unknown option must not fail probes and stops.
        MigrationPlan.ParseOptions(migrateOptions.Value);
        return OcfExitCode.Success;
    }

    /// <summary>The reloadable parameters are read by every action: nothing to apply to the running domain.</summary>
    public override OcfExitCode Reload() => OcfExitCode.Success;
}
