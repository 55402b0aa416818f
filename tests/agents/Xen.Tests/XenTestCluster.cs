using HaCluster.Ocf.Cluster;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>A cluster that answers node attributes from a table and records utilization writes.</summary>
public sealed class XenTestCluster : IClusterAttributes
{
    public Dictionary<(string Node, string Name), string> NodeAttributes { get; } = [];
    public bool NodeAttributesFail { get; set; }
    public List<string> Calls { get; } = [];

    public string? LocalNodeName() => "node1";
    public AttributeWrite SetPromotionScore(long score) => AttributeWrite.Done;
    public AttributeWrite DeletePromotionScore() => AttributeWrite.Done;
    public AttributeRead GetPromotionScore(string? node = null) => AttributeRead.Absent;
    public AttributeRead GetNodeAttribute(string name, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever)
    {
        Calls.Add($"get {node}:{name}");
        if (NodeAttributesFail) return AttributeRead.Failed("crm_attribute: could not connect to the CIB");
        return NodeAttributes.TryGetValue((node ?? "node1", name), out var v) ? AttributeRead.Of(v) : AttributeRead.Absent;
    }
    public AttributeWrite SetNodeAttribute(string name, string value, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever) => AttributeWrite.Done;
    public AttributeWrite SetUtilization(string name, string value) { Calls.Add($"utilization {name}={value}"); return AttributeWrite.Done; }
    public AttributeWrite DeleteUtilization(string name) { Calls.Add($"utilization {name} deleted"); return AttributeWrite.Done; }
}
