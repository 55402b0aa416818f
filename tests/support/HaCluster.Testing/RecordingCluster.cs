using HaCluster.Ocf.Cluster;

namespace HaCluster.Testing;

/// <summary>An <see cref="IClusterAttributes"/> that only remembers (for agents' logic tests).</summary>
public sealed class RecordingCluster : IClusterAttributes
{
    public List<string> Calls { get; } = [];
    public string? NodeName { get; set; } = "node1";
    public string? LocalNodeName() => NodeName;
    public AttributeWrite SetPromotionScore(long score) { Calls.Add($"promotion={score}"); return AttributeWrite.Done; }
    public AttributeWrite DeletePromotionScore() { Calls.Add("promotion deleted"); return AttributeWrite.Done; }
    public AttributeRead GetPromotionScore(string? node = null) => AttributeRead.Absent;
    public AttributeRead GetNodeAttribute(string name, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever) => AttributeRead.Absent;
    public AttributeWrite SetNodeAttribute(string name, string value, string? node = null, AttributeLifetime lifetime = AttributeLifetime.Forever) { Calls.Add($"node {name}={value}"); return AttributeWrite.Done; }
    public AttributeWrite SetUtilization(string name, string value) { Calls.Add($"utilization {name}={value}"); return AttributeWrite.Done; }
    public AttributeWrite DeleteUtilization(string name) { Calls.Add($"utilization {name} deleted"); return AttributeWrite.Done; }
}
