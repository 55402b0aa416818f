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
        // As in the shell agent, a domain named "migrating-NAME" is this one too, and is stopped.
        string? target = null;
        if (List(Domain, Deadline).Exists) target = Domain;
        else if (List("migrating-" + Domain, Deadline).Exists)
        {
            LogStoppingMigrating(Log, Domain);
            target = "migrating-" + Domain;
        }
        else if (ListWithRebootRetry(Domain, warn: false).Exists) target = Domain;

        if (target is null) LogAlreadyStopped(Log, Domain);
        else StopDomain(target);

        AdjustMemory(newDomains: 0);
        return OcfExitCode.Success;
    }

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

        XlResult? lastDestroy = null;
        bool gone = Deadline.WaitUntil(() =>
        {
            LogDestroying(Log, dom);
            lastDestroy = Xl.Destroy(dom, Deadline);
            if (lastDestroy.NoSuchDomain) return true;
            return Xl.List(dom, Deadline).State == XlDomainState.NoSuchDomain;
        }, TimeSpan.FromSeconds(1));
        if (!gone)
            throw OcfError.Generic($"domain {SafeText.Quote(dom)} still exists after xl destroy until the stop timeout" +
                (lastDestroy is { Succeeded: false, Process.Outcome: ProcessOutcome.Exited } ? $": xl destroy {lastDestroy.Describe()}" : ""));
        LogStopped(Log, dom);
    }
}
