using System.Text;

namespace HaCluster.Ocf;

/// <summary>Where the library keeps per-instance state: HA_RSCTMP/hacluster-TYPE-INSTANCE.SUFFIX.</summary>
public static class StateFiles
{
    public static string PathFor(OcfEnvironment env, string suffix) =>
        Path.Combine(env.RscTmp, $"hacluster-{env.ResourceType}-{FileNamePart(env.ResourceInstance ?? env.ResourceType)}.{suffix}");

    /// <summary>Creates HA_RSCTMP as resource-agents' tmpfiles.d does (root, 1755) when it is missing.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory)) return;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
    }

    /// <summary>An instance name made safe for a file name (XML IDs and clone suffixes pass unchanged).</summary>
    public static string FileNamePart(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' ? c : '_');
        return sb.ToString();
    }
}
