using HaCluster.Core.Files;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// The domain name and emulator of a started resource, under HA_RSCTMP: a stop whose config file
/// is unreadable (shared storage gone) still finds the running domain, and the monitor's
/// fallback without libvirtd knows which emulator process to look for. A <see cref="StateFile"/>:
/// written atomically through an unpredictable temporary name, read without following a link or
/// blocking on a FIFO; anything but a file of ours there reads as no record.
/// </summary>
public sealed record DomainCache(string Name, string? Emulator)
{
    /// <summary>A domain name (at most 1024 characters) and an emulator path: far below this.</summary>
    const int MaxBytes = 16 * 1024;

    public static StateFile FileFor(OcfEnvironment env) => StateFile.For(env, "domain", MaxBytes);

    public static string PathFor(OcfEnvironment env) => FileFor(env).Path;

    public static DomainCache? Load(OcfEnvironment env)
    {
        if (FileFor(env).ReadOrNull() is not { } text) return null;
        var lines = text.Split('\n');
        if (lines[0].Length == 0 || DomainConfig.NameProblem(lines[0]) is not null) return null;
        return new DomainCache(lines[0], lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null);
    }

    /// <summary>Writes the cache when it differs from what is there; false if it cannot be written.</summary>
    public bool Save(OcfEnvironment env)
    {
        try
        {
            if (Load(env) == this) return true;
            FileFor(env).Write(Name + "\n" + (Emulator ?? "") + "\n");
            return true;
        }
        catch (FileException) { return false; }
    }

    public static void Delete(OcfEnvironment env) => FileFor(env).TryDelete();
}
