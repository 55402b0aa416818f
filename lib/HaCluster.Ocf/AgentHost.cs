using HaCluster.Core;
using HaCluster.Core.Native;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Cluster;
using HaCluster.Ocf.Logging;
using HaCluster.Ocf.MetaData;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

/// <summary>
/// Runs one agent invocation under the OCF contract: the action from argv[1], parameters from
/// the environment, validation with the probe rule, a deadline from Pacemaker's timeout, exit
/// reasons, ocf_log logging, and no exception ever escaping as a stack trace.
/// </summary>
public static partial class AgentHost
{
    /// <summary>The entry point of every agent's Main.</summary>
    public static int Run(ResourceAgent agent, string[] args)
    {
        string argv0 = Environment.GetCommandLineArgs() is { Length: > 0 } a ? a[0] : agent.Name;
        return Run(agent, args, HostServices.ForProcess(OcfEnvironment.FromProcess(argv0)));
    }

    /// <summary>Runs the agent with the given services (tests pass their own).</summary>
    public static int Run(ResourceAgent agent, string[] args, HostServices services)
    {
        var env = services.Environment;
        string? action = args.Length > 0 ? args[0] : null;

        // meta-data and usage: no parameters, no validation, no privileges, no files. Never fail.
        if (action == "meta-data") { services.Stdout(MetaDataWriter.Write(agent)); return 0; }
        if (action is "usage" or "help") { services.Stdout(MetaDataWriter.Usage(agent)); return 0; }

        var logger = services.CreateLogger(env);
        if (services.IsProcess) ExitOnUnhandledException(logger, agent.Name, action);
        if (action is null || (action != "validate-all" && !agent.Actions.Any(a => a.Name == action)))
        {
            services.Stderr(MetaDataWriter.Usage(agent));
            logger.ExitReason(action is null ? "no action given" : $"action {SafeText.Quote(action, 32)} is not supported by {agent.Name}");
            return (int)OcfExitCode.Unimplemented;
        }

        var timeout = env.Meta.Timeout ?? agent.Actions.FirstOrDefault(a => a.Name == action)?.Timeout ?? TimeSpan.FromSeconds(20);
        var deadline = Deadline.ForOperation(timeout, services.Clock);
        var runner = services.CreateProcessRunner(env);
        var cluster = services.CreateCluster(env, runner, deadline, logger);
        var context = new AgentContext(action, env, deadline, logger, runner, cluster, services.Stdout);
        agent.Attach(context);

        var run = new Invocation(agent, context, logger);
        int rc = (int)run.Execute();
        return rc;
    }

    /// <summary>
    /// An exception on another thread (a timer, a background read) would otherwise end the process
    /// with a .NET stack trace on stderr and an abort signal: exit 1 with an exit reason instead.
    /// </summary>
    static void ExitOnUnhandledException(OcfLogger logger, string agentName, string? action)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            CurrentProcess.ExitImmediately(ReportUnhandled(logger, agentName, action, e.ExceptionObject as Exception));
    }

    /// <summary>Writes the exit reason for an exception nobody caught; returns the exit code.</summary>
    internal static int ReportUnhandled(OcfLogger logger, string agentName, string? action, Exception? ex)
    {
        logger.ExitReason($"internal error in {agentName} {action}: {ex?.GetType().Name ?? "unknown"}: {ex?.Message}");
        if (ex is not null) Log.UnhandledOnAnotherThread(logger, ex);
        return (int)OcfExitCode.ErrGeneric;
    }

    /// <summary>One action's run: the ordering rules of the contract.</summary>
    sealed class Invocation(ResourceAgent agent, AgentContext context, OcfLogger logger)
    {
        readonly ILogger log = logger;
        bool reasonWritten;
        string Action => context.Action;

        public OcfExitCode Execute()
        {
            try
            {
                OcfExitCode rc;
                try
                {
                    Prepare(context.Environment);
                }
                catch (OcfException e) when (!e.EnvironmentMissing && Action == "stop")
                {
                    // A failed stop means fencing: let the agent try what it still can.
                    return Finish(agent.StopDespiteInvalidConfiguration(e));
                }
                rc = Dispatch();
                return Finish(rc);
            }
            catch (OcfException e) when (e.EnvironmentMissing)
            {
                return EnvironmentMissing(e);
            }
            catch (ProgramNotInstalledException e)
            {
                return EnvironmentMissing(OcfError.NotInstalled(e.Message));
            }
            catch (OcfException e)
            {
                Reason(e.Reason);
                if (e.InnerException is { } inner) LogInternal(inner);
                return e.Code;
            }
            catch (Exception e)
            {
                Reason($"internal error in {agent.Name} {Action}: {e.GetType().Name}: {e.Message}");
                LogInternal(e);
                return OcfExitCode.ErrGeneric;
            }
        }

        /// <summary>Parses the parameters and validates (with the agent's own checks).</summary>
        void Prepare(OcfEnvironment env)
        {
            BindParameters(agent.Parameters, env, context.WarnsAboutConfiguration ? log : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            agent.Validate();
        }

        OcfExitCode Dispatch()
        {
            // Utilization lives in the CIB for the whole cluster: what this node last wrote may
            // have been changed elsewhere, so the next write after these actions really happens.
            if (Action is "start" or "stop" or "migrate_from") context.Cluster.ForgetClusterWideValues();
            switch (Action)
            {
                case "start": return AfterStart(agent.Start());
                case "stop": return AfterStop(agent.Stop());
                case "monitor": return agent.Monitor();
                case "status": return agent.Status();
                case "promote": return agent.Promote();
                case "demote": return agent.Demote();
                case "notify": return agent.Notify();
                case "reload": return Reload();
                case "migrate_to": return AfterStop(agent.MigrateTo());
                case "migrate_from": return AfterStart(agent.MigrateFrom());
                case "validate-all": return agent.ValidateAll();
                default: throw OcfError.Unimplemented($"action {SafeText.Quote(Action, 32)} is not supported by {agent.Name}");
            }
        }

        bool HasReload => agent.Actions.Any(a => a.Name == "reload");

        OcfExitCode AfterStart(OcfExitCode rc)
        {
            if (rc == OcfExitCode.Success && HasReload) SaveSnapshot(context.Environment);
            return rc;
        }

        OcfExitCode AfterStop(OcfExitCode rc)
        {
            if (rc == OcfExitCode.Success && HasReload) ParameterSnapshot.FileFor(context.Environment).TryDelete();
            return rc;
        }

        void SaveSnapshot(OcfEnvironment env)
        {
            try { ParameterSnapshot.Of(agent.Parameters, env).Save(ParameterSnapshot.FileFor(env)); }
            catch (IOException e)
            {
                Log.SnapshotNotSaved(log, env.RscTmp, ExceptionText.Describe(e));
            }
        }

        /// <summary>
        /// Pacemaker reloads an OCF 1.0 agent for a change of any non-unique parameter. Changes the
        /// agent can apply go to its Reload; for the others the resource is restarted here: stopped
        /// with the values it was started with, then started with the new ones.
        /// </summary>
        OcfExitCode Reload()
        {
            var env = context.Environment;
            var snapshot = ParameterSnapshot.Load(ParameterSnapshot.FileFor(env));
            var changed = snapshot?.ChangedNeedingRestart(agent.Parameters, env) ?? [];
            if (changed.Count == 0)
            {
                if (snapshot is null)
                    Log.ReloadWithoutSnapshot(log);
                var rc = agent.Reload();
                if (rc == OcfExitCode.Success) SaveSnapshot(env);
                return rc;
            }

            string names = string.Join(", ", changed.Select(p => p.Name));
            Log.RestartForChangedParameters(log, names);
            BindParameters(agent.Parameters, snapshot!.Overlay(env), log);
            var stopped = StopAsStopAction();
            if (stopped != OcfExitCode.Success)
                throw OcfError.Generic($"restart for changed parameter(s) {names}: stop with the old values failed ({stopped})");
            ParameterSnapshot.FileFor(env).TryDelete();
            BindParameters(agent.Parameters, env, log);
            agent.Validate();
            return AfterStart(agent.Start());
        }

        /// <summary>
        /// The restart's stop, run as the stop action runs: the values now bound are validated
        /// first, so that what the agent's Validate derives from them (its configuration record)
        /// is theirs. Values that no longer validate get the agent's best-effort stop; a host
        /// that lacks the agent's software cannot be running the resource.
        /// </summary>
        OcfExitCode StopAsStopAction()
        {
            try
            {
                agent.Validate();
            }
            catch (OcfException e) when (e.EnvironmentMissing)
            {
                Log.StopWhereMissing(log, e.Reason);
                return OcfExitCode.Success;
            }
            catch (OcfException e)
            {
                return agent.StopDespiteInvalidConfiguration(e);
            }
            return agent.Stop();
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
            if (Action == "monitor")
            {
                Reason(e.Reason);
                return OcfExitCode.ErrGeneric;
            }
            Reason(e.Reason);
            return e.Code;
        }

        OcfExitCode Finish(OcfExitCode rc)
        {
            bool failure = rc switch
            {
                OcfExitCode.Success or OcfExitCode.RunningPromoted or OcfExitCode.Degraded or OcfExitCode.DegradedPromoted => false,
                OcfExitCode.NotRunning => Action is not ("monitor" or "status"),
                _ => true,
            };
            if (failure && !reasonWritten)
                Reason($"{Action} failed ({rc})");
            return rc == OcfExitCode.NotRunning && Action is not ("monitor" or "status") ? OcfExitCode.ErrGeneric : rc;
        }

        void Reason(string reason)
        {
            reasonWritten = true;
            logger.ExitReason(reason);
        }

        void LogInternal(Exception e) => Log.InternalError(log, e, e.GetType().FullName, Action);
    }

    /// <summary>
    /// Binds every declared parameter to its OCF_RESKEY_ variable. A deprecated parameter's value
    /// stands in for its replacement when that is unset. The first problem fails with 6.
    /// </summary>
    internal static void BindParameters(IReadOnlyList<Parameter> parameters, OcfEnvironment env, ILogger log)
    {
        string? firstError = null;
        foreach (var p in parameters)
        {
            string? raw = env.Parameter(p.Name);
            string? suppliedBy = null;
            if (raw is null)
            {
                foreach (var old in parameters)
                {
                    if (old.ReplacedBy == p.Name && env.Parameter(old.Name) is { } oldValue)
                    {
                        raw = oldValue;
                        suppliedBy = old.Name;
                        Log.DeprecatedParameter(log, old.Name, p.Name);
                        break;
                    }
                }
            }
            string? error = p.Bind(raw, env, suppliedBy);
            firstError ??= error;
        }
        if (firstError is not null) throw OcfError.Configured(firstError);
    }
}

/// <summary>What the host uses of the system; tests substitute parts of it.</summary>
public sealed class HostServices
{
    public required OcfEnvironment Environment { get; init; }
    public Action<string> Stdout { get; init; } = s => StdStreams.Out(s);
    public Action<string> Stderr { get; init; } = s => StdStreams.Err(s);
    /// <summary>The clock of the action's deadline and of every wait (tests pass a manual one).</summary>
    public Clock Clock { get; init; } = Clock.System;
    public IOcfLogSinks? LogSinks { get; init; }
    public bool StdinIsTerminal { get; init; }
    public int ProcessId { get; init; } = System.Environment.ProcessId;
    public Func<OcfEnvironment, IProcessRunner> CreateProcessRunner { get; init; } = env => new ProcessRunner(env.FailHaveBinary);
    public Func<OcfEnvironment, IProcessRunner, Deadline, ILogger, IClusterAttributes> CreateCluster { get; init; } = DefaultCluster;

    public static HostServices ForProcess(OcfEnvironment env) => new() { Environment = env, StdinIsTerminal = StdStreams.StdinIsTerminal, IsProcess = true };

    /// <summary>True when the host owns the process (it may then exit it on an unhandled exception).</summary>
    public bool IsProcess { get; init; }

    internal OcfLogger CreateLogger(OcfEnvironment env) =>
        new(OcfLogSettings.From(env, ProcessId, StdinIsTerminal), LogSinks ?? new StderrRedirectingSinks(OcfLogSinks.System, Stderr));

    static IClusterAttributes DefaultCluster(OcfEnvironment env, IProcessRunner runner, Deadline deadline, ILogger log) =>
        new CrmAttributes(env, runner, deadline, log,
            new AttributeCache(AttributeCache.PathFor(env), () => AttributeCache.CurrentIncarnation(CurrentProcess.ParentId, env.Get("CIB_file"))));

    /// <summary>The system sinks, with stderr going where this host's stderr goes.</summary>
    sealed class StderrRedirectingSinks(IOcfLogSinks inner, Action<string> stderr) : IOcfLogSinks
    {
        public void Stderr(string text) => stderr(text);
        public void Syslog(int facility, SyslogSeverity severity, string tag, string message) => inner.Syslog(facility, severity, tag, message);
        public void AppendFile(string path, string text) => inner.AppendFile(path, text);
    }
}
