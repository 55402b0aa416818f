using System.Runtime.InteropServices;
using HaCluster.Core;
using HaCluster.Core.Native;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Logging;
using HaCluster.Ocf.MetaData;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

/// <summary>
/// Runs one agent invocation under the OCF contract: the action from argv[1], parameters from
/// the environment, validation with the probe rule and the stop rule, a deadline from
/// Pacemaker's timeout, one exit reason written last, ocf_log logging, children that never
/// outlive an interrupted action, and no exception ever escaping as a stack trace.
/// </summary>
public static partial class AgentHost
{
    /// <summary>
    /// The entry point of every agent's Main: <c>return AgentHost.Run(() => new XAgent(), args);</c>.
    /// The host makes a fresh instance for each part of an invocation that must not share state
    /// with another: the restart inside reload stops on one instance and starts on another.
    /// </summary>
    public static int Run(Func<ResourceAgent> createAgent, string[] args)
    {
        string argv0 = Environment.GetCommandLineArgs() is { Length: > 0 } a ? a[0] : "agent";
        return Run(createAgent, args, HostServices.ForProcess(OcfEnvironment.FromProcess(argv0)));
    }

    /// <summary>
    /// The entry point for an agent that passes one instance: every part of the invocation runs on
    /// it, so a restart inside reload shares whatever its validations leave in fields. Prefer the
    /// factory.
    /// </summary>
    public static int Run(ResourceAgent agent, string[] args) => Run(() => agent, args);

    /// <summary>Runs the agent with the given services (tests pass their own).</summary>
    public static int Run(ResourceAgent agent, string[] args, HostServices services) => Run(() => agent, args, services);

    /// <summary>Runs the agent, made by <paramref name="createAgent"/>, with the given services (tests pass their own).</summary>
    public static int Run(Func<ResourceAgent> createAgent, string[] args, HostServices services)
    {
        var env = services.Environment;
        string? action = args.Length > 0 ? args[0] : null;
        var agent = createAgent();

        // meta-data and usage: no parameters, no validation, no privileges, no files. Never fail.
        if (action == "meta-data") { services.Stdout(MetaDataWriter.Write(agent)); return 0; }
        if (action is "usage" or "help") { services.Stdout(MetaDataWriter.Usage(agent)); return 0; }

        var logger = services.CreateLogger(env);
        var lastWord = new LastWord(logger);
        IProcessRunner? runner = null;
        string? reason;
        int rc;
        try
        {
            if (services.IsProcess)
            {
                ExitOnUnhandledException(lastWord, agent.Name, action);
                ChildProcesses.TerminationHandler = signal => Terminate(lastWord, logger, action ?? "the action", signal);
            }
            if (action is null || (action != "validate-all" && !agent.Actions.Any(a => a.Name == action)))
            {
                services.Stderr(MetaDataWriter.Usage(agent));
                lastWord.Say(action is null ? "no action given" : $"action {SafeText.Quote(action, 32)} is not supported by {agent.Name}");
                return (int)OcfExitCode.Unimplemented;
            }

            var timeout = env.Meta.Timeout ?? agent.Actions.FirstOrDefault(a => a.Name == action)?.Timeout ?? TimeSpan.FromSeconds(20);
            var deadline = Deadline.ForOperation(timeout, services.Clock);
            runner = services.CreateProcessRunner(env);
            var cluster = services.CreateCluster(env, runner, deadline, logger);
            var context = new AgentContext(action, env, deadline, logger, runner, cluster, services.Stdout);

            var run = new Invocation(createAgent, agent, context, logger);
            rc = (int)run.Execute();
            if (run.Failed) runner.KillDetached();
            reason = run.Reason;
        }
        catch (Exception e)
        {
            // Setting up went wrong (a broken environment, a bug): still one reason of ours.
            reason = InternalError(agent.Name, action, e);
            Log.InternalError(logger, e, e.GetType().FullName, action ?? "");
            runner?.KillDetached();
            rc = (int)OcfExitCode.ErrGeneric;
        }
        // The action has ended: a termination signal from now on finds nothing to interrupt.
        lastWord.Say(reason);
        return rc;
    }

    /// <summary>The reason for an exception nobody expected: what kind of problem, in our words (the details go to the debug log).</summary>
    internal static string InternalError(string agentName, string? action, Exception e) =>
        $"internal error in {agentName} {action}: {ExceptionText.DescribeWithType(e)}";

    /// <summary>
    /// An exception on another thread (a timer, a background read) would otherwise end the process
    /// with a .NET stack trace on stderr and an abort signal: exit 1 with an exit reason instead.
    /// </summary>
    static void ExitOnUnhandledException(LastWord lastWord, string agentName, string? action)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            CurrentProcess.ExitImmediately(ReportUnhandled(lastWord, agentName, action, e.ExceptionObject as Exception));
    }

    /// <summary>Writes the exit reason for an exception nobody caught; returns the exit code.</summary>
    internal static int ReportUnhandled(LastWord lastWord, string agentName, string? action, Exception? ex)
    {
        lastWord.Say(ex is null ? $"internal error in {agentName} {action}: an unexpected error" : InternalError(agentName, action, ex));
        if (ex is not null) Log.UnhandledOnAnotherThread(lastWord.Logger, ex);
        return (int)OcfExitCode.ErrGeneric;
    }

    /// <summary>
    /// SIGTERM, SIGINT or SIGHUP while the action runs children (caught only once the agent has
    /// started one: see <see cref="ChildProcesses"/>): every descendant is killed, the reason
    /// says why, and the agent exits 1 at once. An action interrupted is an action failed,
    /// whatever it was; the programs it started must not go on without it.
    /// </summary>
    static void Terminate(LastWord lastWord, ILogger logger, string action, PosixSignal signal)
    {
        string name = signal switch { PosixSignal.SIGINT => "SIGINT", PosixSignal.SIGHUP => "SIGHUP", _ => "SIGTERM" };
        if (!lastWord.ClaimForInterruption()) return; // the action has ended and said its last word: let it exit
        Log.TerminationSignal(logger, name, action);
        ChildProcesses.KillAll();
        lastWord.SayInterrupted($"{action} was interrupted by {name}; the programs it had started were ended");
        CurrentProcess.ExitImmediately((int)OcfExitCode.ErrGeneric);
    }

    /// <summary>
    /// The exit reason: said at most once, as the very last thing the invocation writes. A
    /// termination signal and the action's own end race for it; whoever claims it first speaks.
    /// </summary>
    internal sealed class LastWord(OcfLogger logger)
    {
        readonly Lock gate = new();
        bool spoken, interrupted;

        public OcfLogger Logger => logger;

        /// <summary>The action's end: says <paramref name="reason"/> (if any) unless a termination signal has the word.</summary>
        public void Say(string? reason)
        {
            lock (gate)
            {
                if (!spoken && !interrupted && reason is not null) logger.ExitReason(reason);
                spoken = true;
                if (!interrupted) return;
            }
            // The signal handler has the word and is ending the process: returning from Main now
            // could exit before it has written its reason.
            Deadline.After(TimeSpan.FromSeconds(10)).Sleep(TimeSpan.FromSeconds(10));
        }

        /// <summary>For the termination signal: true when the action has not ended yet.</summary>
        public bool ClaimForInterruption()
        {
            lock (gate)
            {
                if (spoken || interrupted) return false;
                interrupted = true;
                return true;
            }
        }

        public void SayInterrupted(string reason) => logger.ExitReason(reason);
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
