using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf.Cluster;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf;

/// <summary>
/// An OCF resource agent: its description, its parameters, the actions it advertises and one
/// method per action. Everything of the OCF contract (environment, validation order, probe rule,
/// deadlines, exit reasons, logging, meta-data) is the host's; an agent only says what its
/// resource is and how to start, stop and check it.
/// </summary>
public abstract class ResourceAgent
{
    AgentContext? context;

    /// <summary>The agent's name in the meta-data (the resource type).</summary>
    public abstract string Name { get; }

    /// <summary>The agent's own version (the meta-data's resource-agent version attribute).</summary>
    public virtual string AgentVersion => "1.0";

    public abstract string ShortDescription { get; }
    public abstract string LongDescription { get; }

    /// <summary>The parameters, in the order the meta-data lists them.</summary>
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The actions the meta-data advertises. meta-data and validate-all are always answered; an
    /// action that is not listed here exits 3.
    /// </summary>
    public abstract IReadOnlyList<ActionSpec> Actions { get; }

    /// <summary>
    /// Checks the parameters and this host before every action but meta-data and usage; throws an
    /// <see cref="OcfException"/> (see <see cref="OcfError"/>). Failures about this host's missing
    /// software or files (<see cref="OcfError.NotInstalled"/>) follow the probe rule.
    /// </summary>
    public virtual void Validate() { }

    public virtual OcfExitCode Start() => throw Unsupported("start");
    public virtual OcfExitCode Stop() => throw Unsupported("stop");
    public virtual OcfExitCode Monitor() => throw Unsupported("monitor");
    /// <summary>The legacy status action: the monitor's answer unless the agent says otherwise.</summary>
    public virtual OcfExitCode Status() => Monitor();
    public virtual OcfExitCode Promote() => throw Unsupported("promote");
    public virtual OcfExitCode Demote() => throw Unsupported("demote");
    public virtual OcfExitCode Notify() => OcfExitCode.Success;
    /// <summary>Applies changed reloadable parameters to the running resource. Default: nothing to do.</summary>
    public virtual OcfExitCode Reload() => OcfExitCode.Success;
    public virtual OcfExitCode MigrateTo() => throw Unsupported("migrate_to");
    public virtual OcfExitCode MigrateFrom() => throw Unsupported("migrate_from");
    /// <summary>validate-all: <see cref="Validate"/> already ran; anything more the agent checks only here.</summary>
    public virtual OcfExitCode ValidateAll() => OcfExitCode.Success;

    /// <summary>
    /// Called for stop when binding or <see cref="Validate"/> failed for a reason other than
    /// missing software (which answers 0 by the probe rule), or could not parse the values at all.
    /// A failed stop gets the node fenced, and Pacemaker's recovery stop after a failed probe of a
    /// new, mistyped resource runs with exactly such values.
    /// <para>
    /// The default is the library's rule: a configuration or argument error (6, 2) means no start
    /// could have accepted these values, so nothing can be running under them: 0, with a warning
    /// that names the problem. Any other failure (4: not root, say) is reported as it is.
    /// </para>
    /// <para>
    /// An agent that might still have something running under such values (a DRBD resource whose
    /// configuration file broke after it was brought up) overrides this and does its best with
    /// what it can trust, ending with <c>return base.StopDespiteInvalidConfiguration(e)</c> when
    /// it finds nothing. An exception other than an <see cref="OcfException"/> thrown here falls
    /// back to the default: a stop never becomes an internal error because a value did not parse.
    /// </para>
    /// </summary>
    public virtual OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        if (validationFailure.Code is not (OcfExitCode.ErrConfigured or OcfExitCode.ErrArgs)) throw validationFailure;
        Ocf.Log.NothingCanBeRunning(Log, validationFailure.Reason);
        return OcfExitCode.Success;
    }

    // What an action sees of its invocation. Valid only while the host runs the agent.
    protected AgentContext Context => context ?? throw new InvalidOperationException("the agent is not running an action");
    protected OcfEnvironment Env => Context.Environment;
    protected CrmMeta Meta => Context.Environment.Meta;
    protected ILogger Log => Context.Logger;
    protected Deadline Deadline => Context.Deadline;
    /// <summary>The clock of <see cref="Deadline"/>: for measuring time; waiting is the deadline's <see cref="Deadline.Sleep"/>.</summary>
    protected Clock Clock => Context.Deadline.Clock;
    protected IProcessRunner Processes => Context.Processes;
    protected IClusterAttributes Cluster => Context.Cluster;
    /// <summary>The action being run (argv[1]).</summary>
    protected string Action => Context.Action;
    /// <summary>A monitor with interval 0 (or none): Pacemaker's probe.</summary>
    protected bool IsProbe => Context.IsProbe;
    protected int CheckLevel => Context.Environment.CheckLevel;

    /// <summary>
    /// True for the actions where configuration warnings are worth a log line (start, reload,
    /// validate-all): a recurring monitor would repeat them every interval.
    /// </summary>
    protected bool ShouldWarnAboutConfiguration => Context.WarnsAboutConfiguration;

    /// <summary>Writes to stdout (status prints "running"/"stopped" as the shell agents do).</summary>
    protected void Print(string text) => Context.Stdout(text);

    /// <summary>The instance name (OCF_RESOURCE_INSTANCE), or the type when there is none.</summary>
    protected string Instance => Env.ResourceInstance ?? Env.ResourceType;

    /// <summary>
    /// The absolute path of a required program, or a "not installed" failure (5, probe rule)
    /// naming the parameter or purpose. Honours OCF_TESTER_FAIL_HAVE_BINARY.
    /// </summary>
    protected string RequireBinary(string path, string purpose)
    {
        if (!Processes.IsInstalled(path))
            throw OcfError.NotInstalled($"{path} is not installed (needed for {purpose})");
        return path;
    }

    internal void Attach(AgentContext ctx) => context = ctx;

    static OcfException Unsupported(string action) => OcfError.Unimplemented($"the {action} action is not implemented");
}

/// <summary>One invocation of an agent: environment, deadline and the system access it may use.</summary>
public sealed class AgentContext(
    string action,
    OcfEnvironment environment,
    Deadline deadline,
    ILogger logger,
    IProcessRunner processes,
    IClusterAttributes cluster,
    Action<string>? stdout = null)
{
    public Action<string> Stdout { get; } = stdout ?? (_ => { });

    /// <summary>
    /// The same invocation running another action with other values: the halves of a restart
    /// inside reload (a stop with the old values, a start with the new), on the same deadline,
    /// logger, process runner and cluster attributes.
    /// </summary>
    public AgentContext For(string action, OcfEnvironment environment) => new(action, environment, Deadline, Logger, Processes, Cluster, Stdout);
    public string Action { get; } = action;
    public OcfEnvironment Environment { get; } = environment;
    public Deadline Deadline { get; } = deadline;
    public ILogger Logger { get; } = logger;
    public IProcessRunner Processes { get; } = processes;
    public IClusterAttributes Cluster { get; } = cluster;
    public bool IsProbe => Action == "monitor" && Environment.Meta.Interval == TimeSpan.Zero;
    public bool WarnsAboutConfiguration => Action is "start" or "reload" or "validate-all";
}
