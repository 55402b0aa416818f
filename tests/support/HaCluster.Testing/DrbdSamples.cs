namespace HaCluster.Testing;

/// <summary>
/// Real DRBD tool outputs, captured and documented in tests/lib/HaCluster.Drbd.Tests/TestData
/// (provenance in its README). The library's parser tests and the drbd agent's tests both read
/// them; each of those projects copies the folder to its output as TestData.
/// </summary>
public static class DrbdSamples
{
    static string Dir => Path.Combine(AppContext.BaseDirectory, "TestData");

    public static string Drbd84(string state, string command) => File.ReadAllText(Path.Combine(Dir, "drbd84", $"{state}.{command}.txt"));
    public static string Drbd9(string name) => File.ReadAllText(Path.Combine(Dir, "drbd9", $"{name}.events2.txt"));

    /// <summary>The eight 8.4 states with a resource configured (all but down).</summary>
    public static readonly string[] Configured84 =
    [
        "connected-secondary-inconsistent", "syncsource-primary", "synctarget-secondary", "connected-primary-uptodate",
        "connected-secondary-uptodate", "wfconnection-primary", "standalone-secondary", "splitbrain-primary-standalone",
    ];
}
