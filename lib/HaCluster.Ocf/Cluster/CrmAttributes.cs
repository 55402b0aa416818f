using HaCluster.Core;
using HaCluster.Core.Processes;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Cluster;

/// <summary>
/// <see cref="IClusterAttributes"/> through Pacemaker's command-line tools in HA_SBIN_DIR
/// (crm_attribute, crm_resource, crm_node), each call bounded by the action's deadline. The tools
/// talk to attrd and the CIB over IPC and can hang; without a cluster they exit 102 at once.
/// </summary>
public sealed class CrmAttributes : IClusterAttributes
{
    readonly OcfEnvironment env;
    readonly IProcessRunner runner;
    readonly Deadline deadline;
    readonly ILogger log;
    readonly AttributeCache cache;

    public CrmAttributes(OcfEnvironment env, IProcessRunner runner, Deadline deadline, ILogger log, AttributeCache cache)
    {
        this.env = env;
        this.runner = runner;
        this.deadline = deadline;
        this.log = log;
        this.cache = cache;
    }

    string Instance => env.ResourceInstance ?? env.ResourceType;
    string Tool(string name) => Path.Combine(env.SbinDir, name);

    public string? LocalNodeName()
    {
        if (env.Meta.OnNode is { } node) return node;
        var r = Run("crm_node", ["-n"]);
        return r.Succeeded && r.Stdout.Trim() is { Length: > 0 } name ? name : null;
    }

    public AttributeWrite SetPromotionScore(long score) =>
        CachedWrite("promotion", score.ToString(System.Globalization.CultureInfo.InvariantCulture),
            () => Run("crm_attribute", [$"--promotion={Instance}", "--lifetime=reboot", $"--update={score}"]));

    public AttributeWrite DeletePromotionScore() =>
        CachedWrite("promotion", null,
            () => Run("crm_attribute", [$"--promotion={Instance}", "--lifetime=reboot", "--delete"]));

    public AttributeRead GetPromotionScore(string? node = null)
    {
        var args = new List<string> { $"--promotion={Instance}", "--lifetime=reboot", "--query", "--quiet" };
        if (node is not null) args.Add($"--node={node}");
        return Read(Run("crm_attribute", args));
    }

    public AttributeRead GetNodeAttribute(string name, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever)
    {
        var args = new List<string> { "--type=nodes", $"--name={name}", $"--lifetime={Lifetime(lifetime)}", "--query", "--quiet" };
        if (node is not null) args.Add($"--node={node}");
        return Read(Run("crm_attribute", args));
    }

    public AttributeWrite SetNodeAttribute(string name, string value, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever)
    {
        var args = new List<string> { "--type=nodes", $"--name={name}", $"--lifetime={Lifetime(lifetime)}", $"--update={value}" };
        if (node is not null) args.Add($"--node={node}");
        return Write(Run("crm_attribute", args), deleting: false);
    }

    public AttributeWrite SetUtilization(string name, string value) =>
        CachedWrite(ClusterWidePrefix + name, value,
            () => Run("crm_resource", [$"--resource={Instance}", "--utilization", $"--set-parameter={name}", $"--parameter-value={value}"]));

    public AttributeWrite DeleteUtilization(string name) =>
        CachedWrite(ClusterWidePrefix + name, null,
            () => Run("crm_resource", [$"--resource={Instance}", "--utilization", $"--delete-parameter={name}"]));

    /// <summary>Cache keys of values that live in the CIB for the whole cluster, not on this node.</summary>
    const string ClusterWidePrefix = "utilization:";

    public void ForgetClusterWideValues() => cache.ForgetWhere(key => key.StartsWith(ClusterWidePrefix, StringComparison.Ordinal));

    AttributeWrite CachedWrite(string key, string? value, Func<ProcessResult> write)
    {
        if (cache.Holds(key, value)) return AttributeWrite.Unchanged;
        var result = Write(write(), deleting: value is null);
        // Deleting what is not there is success for us (the tools say "not found").
        if (result.Succeeded) cache.Record(key, value);
        else cache.Forget(key);
        return result;
    }

    ProcessResult Run(string tool, IReadOnlyList<string> args)
    {
        var spec = new ProcessSpec(Tool(tool), args);
        var result = runner.Run(spec, deadline);
        if (!result.Succeeded)
            Log.ClusterToolFailed(log, spec.ToString(), result.Describe());
        return result;
    }

    static AttributeWrite Write(ProcessResult r, bool deleting)
    {
        if (r.Succeeded) return AttributeWrite.Done;
        // crm_attribute -D of an absent attribute exits 0 on 2.1; older versions said 105 (ENXIO-like "not found").
        // For an update 105 is a real failure: no such resource (crm_resource -r unknown) or a
        // node name that maps to no node ("Could not map name=... to a UUID").
        if (deleting && r.Outcome == ProcessOutcome.Exited && r.ExitCode == 105) return AttributeWrite.Done;
        return AttributeWrite.Failed(Explain(r));
    }

    static AttributeRead Read(ProcessResult r)
    {
        if (r.Succeeded)
        {
            string v = r.Stdout.Trim();
            // Some versions print "(null)" for an absent value with -q.
            return v.Length == 0 || v == "(null)" ? AttributeRead.Absent : AttributeRead.Of(v);
        }
        // 105: no such attribute (CRM_EX_NOSUCH).
        if (r.Outcome == ProcessOutcome.Exited && r.ExitCode == 105) return AttributeRead.Absent;
        return AttributeRead.Failed(Explain(r));
    }

    static string Explain(ProcessResult r) => r.Outcome switch
    {
        ProcessOutcome.Exited when r.ExitCode == 102 => "the cluster is not running (" + r.Describe() + ")",
        _ => r.Describe(),
    };

    static string Lifetime(AttributeLifetime l) => l == AttributeLifetime.Reboot ? "reboot" : "forever";
}
