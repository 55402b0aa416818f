namespace HaCluster.Ocf.Cluster;

/// <summary>
/// The cluster attributes an agent reads and writes: its promotion score, node attributes,
/// its resource's utilization and the local node's name. Promotion-score and utilization writes
/// that repeat the last value written start no process; node attributes are shared with other
/// writers (admins, other resources), so they are always written.
/// </summary>
public interface IClusterAttributes
{
    /// <summary>This node's name in the cluster: CRM_meta_on_node, else crm_node -n; null if unknown.</summary>
    string? LocalNodeName();

    /// <summary>Sets this instance's promotion score on this node (lifetime reboot).</summary>
    AttributeWrite SetPromotionScore(long score);

    /// <summary>Removes this instance's promotion score on this node: nothing is promoted here.</summary>
    AttributeWrite DeletePromotionScore();

    /// <summary>The promotion score of this instance on <paramref name="node"/> (default: this node).</summary>
    AttributeRead GetPromotionScore(string? node = null);

    AttributeRead GetNodeAttribute(string name, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever);
    AttributeWrite SetNodeAttribute(string name, string value, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever);

    /// <summary>Sets a utilization attribute of this resource (crm_resource -z), only when it changed.</summary>
    AttributeWrite SetUtilization(string name, string value);

    /// <summary>Deletes a utilization attribute of this resource, only when it is not known to be absent.</summary>
    AttributeWrite DeleteUtilization(string name);

    /// <summary>
    /// Forgets what this node last wrote of values that live in the CIB for the whole cluster
    /// (utilization): another node or an administrator may have changed them since, so the next
    /// write must really happen. The host calls it at start, migrate_from and stop.
    /// </summary>
    void ForgetClusterWideValues() { }
}

public enum AttributeLifetime { Reboot, Forever }

/// <summary>The outcome of a write: done, skipped because the value had not changed, or failed (with why).</summary>
public sealed record AttributeWrite(bool Succeeded, bool Skipped, string? Error)
{
    public static readonly AttributeWrite Unchanged = new(true, true, null);
    public static readonly AttributeWrite Done = new(true, false, null);
    public static AttributeWrite Failed(string error) => new(false, false, error);
}

/// <summary>The outcome of a read: a value, no such attribute, or a failure (no cluster, timeout).</summary>
public sealed record AttributeRead(bool Succeeded, string? Value, string? Error)
{
    public bool Found => Succeeded && Value is not null;
    public static AttributeRead Absent { get; } = new(true, null, null);
    public static AttributeRead Of(string value) => new(true, value, null);
    public static AttributeRead Failed(string error) => new(false, null, error);
}
