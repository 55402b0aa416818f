namespace HaCluster.Drbd.Tests;

/// <summary>The captured and documented tool outputs under TestData (see TestData/README.md).</summary>
public static class Samples
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
