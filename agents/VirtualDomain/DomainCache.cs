using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// The domain name and emulator of a started resource, under HA_RSCTMP: a stop whose config file
/// is unreadable (shared storage gone) still finds the running domain, and the monitor's
/// fallback without libvirtd knows which emulator process to look for.
/// </summary>
public sealed record DomainCache(string Name, string? Emulator)
{
    public static string PathFor(OcfEnvironment env) => StateFiles.PathFor(env, "domain");

    public static DomainCache? Load(OcfEnvironment env)
    {
        try
        {
            string path = PathFor(env);
            if (!File.Exists(path)) return null;
            var lines = File.ReadAllText(path).Split('\n');
            if (lines.Length < 1 || lines[0].Length == 0 || DomainConfig.NameProblem(lines[0]) is not null) return null;
            return new DomainCache(lines[0], lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Writes the cache when it differs from what is there; false if it cannot be written.</summary>
    public bool Save(OcfEnvironment env)
    {
        try
        {
            if (Load(env) == this) return true;
            StateFiles.EnsureDirectory(env.RscTmp);
            string path = PathFor(env), temp = path + ".tmp";
            File.WriteAllText(temp, Name + "\n" + (Emulator ?? "") + "\n");
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static void Delete(OcfEnvironment env)
    {
        try { File.Delete(PathFor(env)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
