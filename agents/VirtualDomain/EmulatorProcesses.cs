using System.Globalization;
using System.Text;
using HaCluster.Core;
using HaCluster.Core.Files;
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

/// <summary>
/// The emulator processes in /proc. A command line is no proof: anyone can start a process
/// whose argv reads "qemu-system-x86_64 -name guest=vm1", and a probe that took it for the domain
/// would say "running" for a domain that does not exist. So a process counts only when it also
/// runs as a user libvirt runs emulators as (<see cref="EmulatorUsers"/>: root or the qemu user)
/// and its executable (/proc/PID/exe, which its owner cannot fake) is the emulator.
/// </summary>
public sealed class ProcEmulatorProcesses(string procRoot = "/proc", EmulatorUsers? users = null) : IEmulatorProcesses
{
    readonly EmulatorUsers users = users ?? new EmulatorUsers();

    public IReadOnlyList<int> Find(string domain, string? emulator)
    {
        var found = new List<int>();
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories(procRoot); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (IsStill(pid, domain, emulator)) found.Add(pid);
        }
        return found;
    }

    public bool IsStill(int pid, string domain, string? emulator) =>
        ReadArgv(pid) is { } argv && Matches(argv, domain, emulator) && RunsAsEmulatorUser(pid) && RunsEmulator(pid, emulator);

    public bool Signal(int pid, int signal) => ProcessSignals.Send(pid, signal);

    string ProcFile(int pid, string name) => Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), name);

    static string? Read(string path, int maxBytes)
    {
        // /proc is local and never blocks: no thread; bounded all the same.
        try { return BoundedFile.ReadAllText(path, Deadline.After(TimeSpan.FromSeconds(2)), maxBytes, mayBlock: false); }
        catch (FileException) { return null; }
    }

    string[]? ReadArgv(int pid)
    {
        // qemu's command lines run to some 10 KiB; the kernel caps argv at 2 MiB.
        string? text = Read(ProcFile(pid, "cmdline"), 2 << 20);
        if (string.IsNullOrEmpty(text)) return null; // kernel threads, zombies
        return text.TrimEnd('\0').Split('\0');
    }

    /// <summary>Real and effective uid (the Uid: line of /proc/PID/status) are both an emulator user's.</summary>
    bool RunsAsEmulatorUser(int pid)
    {
        if (Read(ProcFile(pid, "status"), 64 * 1024) is not { } status) return false;
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("Uid:", StringComparison.Ordinal)) continue;
            var ids = line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return ids.Length >= 2
                && int.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out int real) && users.Uids.Contains(real)
                && int.TryParse(ids[1], NumberStyles.None, CultureInfo.InvariantCulture, out int effective) && users.Uids.Contains(effective);
        }
        return false;
    }

    /// <summary>
    /// /proc/PID/exe is the emulator: the configured one (or where its links lead), else a
    /// qemu-* or libvirt_lxc binary. For a qemu emulator any qemu binary will do, as in
    /// <see cref="Matches"/>: wrappers such as Debian's qemu-kvm script exec qemu-system-*. An
    /// emulator replaced by a package upgrade shows as "PATH (deleted)".
    /// </summary>
    bool RunsEmulator(int pid, string? emulator)
    {
        string? exe;
        try { exe = new FileInfo(ProcFile(pid, "exe")).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        if (exe is null) return false;
        if (exe.EndsWith(" (deleted)", StringComparison.Ordinal)) exe = exe[..^" (deleted)".Length];
        if (emulator is not { Length: > 0 })
        {
            string program = Path.GetFileName(exe);
            return program.StartsWith("qemu-", StringComparison.Ordinal) || program == "libvirt_lxc";
        }
        if (exe == emulator) return true;
        if (Path.GetFileName(emulator).StartsWith("qemu", StringComparison.Ordinal) && Path.GetFileName(exe).StartsWith("qemu", StringComparison.Ordinal)) return true;
        try { return File.ResolveLinkTarget(emulator, returnFinalTarget: true)?.FullName == exe; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return false; }
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
