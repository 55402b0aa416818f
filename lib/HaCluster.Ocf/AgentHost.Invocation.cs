using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Logging;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

public static partial class AgentHost
{
    /// <summary>One action's run: the ordering rules of the contract. The exit reason is kept for the host to write last.</summary>
    sealed class Invocation(Func<ResourceAgent> createAgent, ResourceAgent agent, AgentContext context, OcfLogger logger)
    {
        readonly ILogger log = logger;
        string Action => context.Action;

        /// <summary>The one exit reason of this invocation, if it failed; the first one set wins.</summary>
        public string? Reason { get; private set; }

        /// <summary>The answer is a failure (what a detached program started by the action must not outlive).</summary>
        public bool Failed { get; private set; }

        public OcfExitCode Execute()
        {
            try
            {
                return Finish(Perform(agent, context));
            }
            catch (OcfException e) when (e.EnvironmentMissing)
            {
                return Finish(EnvironmentMissing(e));
            }
            catch (ProgramNotInstalledException e)
            {
                return Finish(EnvironmentMissing(OcfError.NotInstalled(e.Message)));
            }
            catch (OcfException e)
            {
                SetReason(e.Reason);
                if (e.InnerException is { } inner) LogInternal(inner);
                return Finish(e.Code);
            }
            catch (Exception e)
            {
                SetReason(InternalError(agent.Name, Action, e));
                LogInternal(e);
                return Finish(OcfExitCode.ErrGeneric);
            }
        }

        /// <summary>
        /// One action on one agent instance: bind and validate the values of <paramref name="ctx"/>,
        /// then run it. A stop whose values cannot be used goes to the agent's best-effort stop.
        /// </summary>
        OcfExitCode Perform(ResourceAgent target, AgentContext ctx)
        {
            target.Attach(ctx);
            // Utilization lives in the CIB for the whole cluster: what this node last wrote may
            // have been changed elsewhere, so the next write after these actions really happens.
            if (ctx.Action is "start" or "stop" or "migrate_from") ctx.Cluster.ForgetClusterWideValues();
            try
            {
                BindParameters(target.Parameters, ctx.Environment, ctx.WarnsAboutConfiguration ? log : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                target.Validate();
            }
            catch (Exception e) when (ctx.Action == "stop" && UnusableValues(e) is { } failure)
            {
                return StopDespite(target, failure);
            }
            return Dispatch(target, ctx);
        }

        /// <summary>
        /// What a failed validation during stop means for the stop rule: an <see cref="OcfException"/>
        /// as it is, a parse failure (any other exception but I/O) as a configuration error; null for
        /// "this host lacks what the agent needs", which follows the probe rule instead.
        /// </summary>
        OcfException? UnusableValues(Exception e)
        {
            switch (e)
            {
                case OcfException { EnvironmentMissing: true }:
                case ProgramNotInstalledException:
                case IOException:
                case UnauthorizedAccessException:
                    return null;
                case OcfException ocf:
                    return ocf;
                default:
                    LogInternal(e);
                    return OcfError.Configured($"the parameters could not be checked ({ExceptionText.DescribeWithType(e)})");
            }
        }

        OcfExitCode StopDespite(ResourceAgent target, OcfException failure)
        {
            try
            {
                return target.StopDespiteInvalidConfiguration(failure);
            }
            catch (Exception e) when (e is not (OcfException or ProgramNotInstalledException or IOException or UnauthorizedAccessException))
            {
                // The agent's best effort crashed on the very values that failed validation: the
                // library's rule still says whether anything can be running under them.
                LogInternal(e);
                Log.BestEffortStopFailed(log, ExceptionText.DescribeWithType(e));
                if (failure.Code is not (OcfExitCode.ErrConfigured or OcfExitCode.ErrArgs)) throw failure;
                Log.NothingCanBeRunning(log, failure.Reason);
                return OcfExitCode.Success;
            }
        }

        OcfExitCode Dispatch(ResourceAgent target, AgentContext ctx)
        {
            switch (ctx.Action)
            {
                case "start": return AfterStart(target.Start(), ctx);
                case "stop": return AfterStop(target.Stop(), ctx);
                case "monitor": return target.Monitor();
                case "status": return target.Status();
                case "promote": return target.Promote();
                case "demote": return target.Demote();
                case "notify": return target.Notify();
                case "reload": return Reload(target, ctx);
                case "migrate_to": return AfterStop(target.MigrateTo(), ctx);
                case "migrate_from": return AfterStart(target.MigrateFrom(), ctx);
                case "validate-all": return target.ValidateAll();
                default: throw OcfError.Unimplemented($"action {SafeText.Quote(ctx.Action, 32)} is not supported by {target.Name}");
            }
        }

        bool HasReload => agent.Actions.Any(a => a.Name == "reload");

        OcfExitCode AfterStart(OcfExitCode rc, AgentContext ctx)
        {
            if (rc == OcfExitCode.Success && HasReload) SaveSnapshot(ctx);
            return rc;
        }

        OcfExitCode AfterStop(OcfExitCode rc, AgentContext ctx)
        {
            if (rc == OcfExitCode.Success && HasReload) ParameterSnapshot.FileFor(ctx.Environment).TryDelete();
            return rc;
        }

        void SaveSnapshot(AgentContext ctx)
        {
            try { ParameterSnapshot.Of(agent.Parameters, ctx.Environment).Save(ParameterSnapshot.FileFor(ctx.Environment)); }
            catch (IOException e)
            {
                Log.SnapshotNotSaved(log, ctx.Environment.RscTmp, ExceptionText.Describe(e));
            }
        }

        /// <summary>
        /// Pacemaker reloads an OCF 1.0 agent for a change of any non-unique parameter. Changes the
        /// agent can apply go to its Reload; for the others the resource is restarted here: exactly
        /// a stop with the values it was started with, then a start with the new ones, each on a
        /// fresh agent instance and as that action, so that nothing the validation of the new
        /// values built (a connection, a parsed record) reaches the stop.
        /// </summary>
        OcfExitCode Reload(ResourceAgent target, AgentContext ctx)
        {
            var env = ctx.Environment;
            var file = ParameterSnapshot.FileFor(env);
            var snapshot = ParameterSnapshot.Load(file);
            var changed = snapshot?.ChangedNeedingRestart(agent.Parameters, env) ?? [];
            if (changed.Count == 0)
            {
                if (snapshot is null)
                    Log.ReloadWithoutSnapshot(log);
                var rc = target.Reload();
                if (rc == OcfExitCode.Success) SaveSnapshot(ctx);
                return rc;
            }

            string names = string.Join(", ", changed.Select(p => p.Name));
            Log.RestartForChangedParameters(log, names);
            var stopped = StopAsStopAction(ctx.For("stop", snapshot!.Overlay(env)));
            if (stopped != OcfExitCode.Success)
                throw OcfError.Generic($"restart for changed parameter(s) {names}: stop with the old values failed ({stopped})");
            file.TryDelete();
            return Perform(createAgent(), ctx.For("start", env));
        }

        /// <summary>The restart's stop, with the stop action's rules (the probe rule included).</summary>
        OcfExitCode StopAsStopAction(AgentContext stop)
        {
            try
            {
                return Perform(createAgent(), stop);
            }
            catch (OcfException e) when (e.EnvironmentMissing)
            {
                Log.StopWhereMissing(log, e.Reason);
                return OcfExitCode.Success;
            }
            catch (ProgramNotInstalledException e)
            {
                Log.StopWhereMissing(log, e.Message);
                return OcfExitCode.Success;
            }
        }

        /// <summary>The probe rule for "this host lacks what the agent needs".</summary>
        OcfExitCode EnvironmentMissing(OcfException e)
        {
            if (Action == "stop")
            {
                Log.StopWhereMissing(log, e.Reason);
                return OcfExitCode.Success;
            }
            if (context.IsProbe)
            {
                Log.ProbeWhereMissing(log, e.Reason);
                return OcfExitCode.NotRunning;
            }
            SetReason(e.Reason);
            // A recurring monitor: it was running here, and storage that merely went away must
            // not make it claim "stopped".
            return Action == "monitor" ? OcfExitCode.ErrGeneric : e.Code;
        }

        OcfExitCode Finish(OcfExitCode rc)
        {
            Failed = rc switch
            {
                OcfExitCode.Success or OcfExitCode.RunningPromoted or OcfExitCode.Degraded or OcfExitCode.DegradedPromoted => false,
                OcfExitCode.NotRunning => Action is not ("monitor" or "status"),
                _ => true,
            };
            if (Failed) SetReason($"{Action} failed ({rc})");
            return rc == OcfExitCode.NotRunning && Action is not ("monitor" or "status") ? OcfExitCode.ErrGeneric : rc;
        }

        /// <summary>Keeps the first reason: the root cause, not a later summary.</summary>
        void SetReason(string reason) => Reason ??= reason;

        void LogInternal(Exception e) => Log.InternalError(log, e, e.GetType().FullName, Action);
    }
}
