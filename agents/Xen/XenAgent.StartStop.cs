using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen;

// start and stop: xl create and the wait for the domain; the orderly shutdown, then xl destroy,
// each in its share of the stop timeout.
public sealed partial class XenAgent
{
    public override OcfExitCode Start()
    {
        if (List(Domain, Deadline).Exists)
        {
            LogAlreadyRunning(Log, Domain);
            return OcfExitCode.Success;
        }

        // The name and the memory share go on the command line: xl applies them over the file,
        // which stays as it is.
        var overrides = new List<string> { XlConfig.Setting("name", Domain) };
        if (AdjustMemory(newDomains: 1) is long memory)
        {
            LogNewDomainMemory(Log, memory);
            overrides.Add(XlConfig.Setting("memory", memory));
        }

        var created = Xl.Create(Settings.Xmfile, overrides, Deadline);
        if (!created.Succeeded)
            throw OcfError.Generic($"xl create {SafeText.Quote(Settings.Xmfile, 200)} for domain {SafeText.Quote(Domain)} {created.Describe()}");

        // xl create returns once the domain is built; wait until it is listed and the monitor
        // scripts pass, as the shell agent does, but never past the deadline.
        string? last = null;
        bool up = Deadline.WaitUntil(() =>
        {
            var l = Xl.List(Domain, Deadline);
            if (!l.Exists) { last = l.State == XlDomainState.Failed ? "xl list " + l.Result.Describe() : "the domain is not listed"; return false; }
            last = RunMonitorScripts(Deadline);
            return last is null;
        }, TimeSpan.FromSeconds(1));
        if (!up)
            throw OcfError.Generic($"domain {SafeText.Quote(Domain)} was created but is not running within the start timeout: {last}");
        LogStarted(Log, Domain);
        return OcfExitCode.Success;
    }

    public override OcfExitCode Stop()
    {
        if (List(Domain, Deadline).Exists) StopDomain(Domain);
        else if (MigrationLeftovers() is { Count: > 0 } leftovers)
        {
            foreach (var leftover in leftovers)
            {
                LogStoppingMigrationLeftover(Log, Domain, leftover);
                DestroyDomain(leftover, Deadline);
            }
        }
        else if (ListWithRebootRetry(Domain, warn: false).Exists) StopDomain(Domain);
        else LogAlreadyStopped(Log, Domain);

        AdjustMemory(newDomains: 0);
        return OcfExitCode.Success;
    }

    /// <summary>
    /// The domains a live migration of this one left here. xl renames the domain while it
    /// migrates: NAME--incoming on the receiver until it may start, NAME--migratedaway on the
    /// sender once its memory is sent (xend's "migrating-NAME", which the shell agent looks for,
    /// is no name xl uses). A migrate_to killed mid-way leaves either one behind, paused or
    /// suspended: it is this resource, it answers no shutdown request, and stop destroys it.
    /// One xl list answers for both names.
    /// </summary>
    IReadOnlyList<string> MigrationLeftovers()
    {
        var table = Xl.ListAll(Deadline);
        if (!table.Result.Succeeded)
            throw OcfError.Generic($"cannot tell whether domain {SafeText.Quote(Domain)} runs: xl list {table.Result.Describe()}");
        string[] names = [Domain + "--incoming", Domain + "--migratedaway"];
        return [.. names.Where(n => table.Rows.Any(r => r.Name == n))];
    }

    /// <summary>
    /// Stop with values no start could have accepted. A bad name or xmfile means no domain was
    /// ever started under them: nothing to do (the library's rule: 0 with a warning). Any other
    /// bad value (a tuning parameter changed to garbage by a reload that then failed) leaves a
    /// domain that may well run under a name that can be trusted: it is stopped with the
    /// defaults in place of the values that cannot.
    /// </summary>
    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        string? name = TrustedDomainName();
        if (name is null) return base.StopDespiteInvalidConfiguration(validationFailure);
        LogStoppingDespiteInvalidValues(Log, validationFailure.Reason, name);
        OpenXl();
        settings = new XenSettings(
            Domain: name,
            Xmfile: xmfile.RawValue ?? "",
            ShutdownTimeout: shutdownTimeout.RawValue is { Length: > 0 } t && IsWholeNumber(t)
                ? TimeSpan.FromSeconds(long.Parse(t, CultureInfo.InvariantCulture)) : null,
            ShutdownAcpi: shutdownAcpi.RawValue is not null && OcfBoolean.TryParse(shutdownAcpi.RawValue, out bool acpi) && acpi,
            ManageMemory: false,
            ReservedDom0MiB: 0,
            NodeIpAttribute: null,
            AutosetUtilizationCpu: false,
            AutosetUtilizationHvMemory: false,
            MonitorScripts: []);
        return Stop();
    }

    /// <summary>
    /// The domain name as a start would have settled it, from the raw values, or null when no
    /// start could have accepted them (a bad name, a missing or relative xmfile).
    /// </summary>
    string? TrustedDomainName()
    {
        if (domainName.RawValue is { Length: > 0 } name)
            return IsPlainText(name) && InvalidDomainName(name) is null ? name : null;
        if (xmfile.RawValue is not { Length: > 0 } path || !IsPlainText(path) || !path.StartsWith('/')) return null;
        xmfileRead = false;
        return ResolveDomainName("", path);
    }

    static bool IsPlainText(string value) => !value.Any(c => c < 0x20 || c == 0x7f);

    /// <summary>The orderly shutdown, then xl destroy until the domain is gone; destroy always keeps its share of the time.</summary>
    void StopDomain(string dom)
    {
        TimeSpan graceful = Settings.ShutdownTimeout
            ?? (Meta.Timeout ?? Actions.First(a => a.Name == "stop").Timeout) * 2 / 3;
        var destroyReserve = TimeSpan.FromTicks(Math.Clamp(Deadline.Remaining.Ticks / 4, TimeSpan.FromSeconds(2).Ticks, TimeSpan.FromSeconds(10).Ticks));
        var orderly = Deadline.Reserve(destroyReserve).Within(graceful);

        if (graceful > TimeSpan.Zero)
        {
            // Only a real cut is worth saying: the time since the budget was computed is not one.
            if (orderly.Remaining < graceful - TimeSpan.FromMilliseconds(500))
                LogOrderlyShutdownCut(Log, orderly.Remaining.TotalSeconds, graceful.TotalSeconds);
            LogStopping(Log, dom, orderly.Remaining.TotalSeconds);
            var request = Settings.ShutdownAcpi ? Xl.TriggerPower(dom, orderly) : Xl.Shutdown(dom, wait: false, orderly);
            if (request.NoSuchDomain) { LogStopped(Log, dom); return; }
            if (!request.Succeeded)
                LogShutdownRequestFailed(Log, Settings.ShutdownAcpi ? "trigger power" : "shutdown", dom, request.Describe());
            else if (orderly.WaitUntil(() => Xl.List(dom, orderly).State == XlDomainState.NoSuchDomain, TimeSpan.FromSeconds(1)))
            {
                LogStopped(Log, dom);
                return;
            }
        }

        DestroyDomain(dom, Deadline);
    }

    /// <summary>xl destroy, again once a second, until the domain is gone or the deadline comes.</summary>
    void DestroyDomain(string dom, Deadline deadline)
    {
        XlResult? lastDestroy = null;
        bool gone = deadline.WaitUntil(() =>
        {
            LogDestroying(Log, dom);
            lastDestroy = Xl.Destroy(dom, deadline);
            if (lastDestroy.NoSuchDomain) return true;
            return Xl.List(dom, deadline).State == XlDomainState.NoSuchDomain;
        }, TimeSpan.FromSeconds(1));
        if (!gone)
            throw OcfError.Generic($"domain {SafeText.Quote(dom)} still exists after xl destroy until the stop timeout" +
                (lastDestroy is { Succeeded: false, Process.Outcome: ProcessOutcome.Exited } ? $": xl destroy {lastDestroy.Describe()}" : ""));
        LogStopped(Log, dom);
    }
}
