using System.Globalization;
using System.Text;
using HaCluster.Core.Processes;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// The domain's emulator process, found without libvirt (for when libvirtd does not answer):
/// qemu and libvirt_lxc are started with <c>-name guest=NAME,…</c> (or the older <c>-name NAME</c>).
/// </summary>
public interface IEmulatorProcesses
{
    /// <summary>PIDs of processes whose argv names domain <paramref name="domain"/>, run by an emulator of that kind.</summary>
    IReadOnlyList<int> Find(string domain, string? emulator);

    /// <summary>True while <paramref name="pid"/> still is an emulator of <paramref name="domain"/> (PIDs get reused).</summary>
    bool IsStill(int pid, string domain, string? emulator);

    /// <summary>Sends a signal; false when the process is gone.</summary>
    bool Signal(int pid, int signal);
}

/// <summary>The emulator processes in /proc.</summary>
public sealed class ProcEmulatorProcesses(string procRoot = "/proc") : IEmulatorProcesses
{
    public IReadOnlyList<int> Find(string domain, string? emulator)
    {
        var found = new List<int>();
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories(procRoot); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (ReadArgv(pid) is { } argv && Matches(argv, domain, emulator)) found.Add(pid);
        }
        return found;
    }

    public bool IsStill(int pid, string domain, string? emulator) => ReadArgv(pid) is { } argv && Matches(argv, domain, emulator);

    public bool Signal(int pid, int signal) => ProcessSignals.Send(pid, signal);

    string[]? ReadArgv(int pid)
    {
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cmdline"));
            if (bytes.Length == 0) return null; // kernel threads, zombies
            return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// argv[0] is an emulator (the configured one's file name, else qemu-* or libvirt_lxc) and
    /// "-name" is followed by the domain's name, bare or as guest=NAME with libvirt's ",," escaping.
    /// </summary>
    public static bool Matches(IReadOnlyList<string> argv, string domain, string? emulator)
    {
        if (argv.Count < 3) return false;
        string program = Path.GetFileName(argv[0]);
        bool isEmulator = emulator is { Length: > 0 }
            ? program == Path.GetFileName(emulator) || program.StartsWith("qemu", StringComparison.Ordinal) && Path.GetFileName(emulator).StartsWith("qemu", StringComparison.Ordinal)
            : program.StartsWith("qemu-", StringComparison.Ordinal) || program == "libvirt_lxc";
        if (!isEmulator) return false;
        for (int i = 1; i + 1 < argv.Count; i++)
        {
            if (argv[i] != "-name") continue;
            string value = argv[i + 1];
            if (value == domain) return true;
            if (value.StartsWith("guest=", StringComparison.Ordinal) && GuestName(value["guest=".Length..]) == domain) return true;
        }
        return false;
    }

    /// <summary>The name up to the first single comma; ",," is an escaped comma.</summary>
    static string GuestName(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == ',')
            {
                if (i + 1 < s.Length && s[i + 1] == ',') { sb.Append(','); i++; continue; }
                break;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
