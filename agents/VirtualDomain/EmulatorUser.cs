using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Files;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// The users whose processes may be a domain's emulator when the /proc fallback looks for one:
/// root (libvirt_lxc, and qemu where qemu.conf says user = "root"; only root can start a root
/// process) and the user libvirt runs qemu as. That user is qemu.conf's <c>user</c> setting
/// (a name, or <c>+UID</c>); without one, libvirt's build-time default, which is
/// <c>libvirt-qemu</c> on Debian and <c>qemu</c> on Fedora-like systems: the first of them
/// /etc/passwd knows. A user that cannot be resolved adds nobody: then only root's processes
/// count, and a probe errs towards "not running" rather than trusting a process anyone could
/// have started with a matching command line.
/// </summary>
public sealed class EmulatorUsers(string qemuConf = EmulatorUsers.SystemQemuConf, string passwd = "/etc/passwd")
{
    public const string SystemQemuConf = "/etc/libvirt/qemu.conf";

    static readonly string[] BuildDefaults = ["libvirt-qemu", "qemu"];

    /// <summary>The uids accepted: 0 and the qemu user's, when it resolves.</summary>
    public IReadOnlySet<int> Uids => uids ??= Resolve();
    HashSet<int>? uids;

    HashSet<int> Resolve()
    {
        var set = new HashSet<int> { 0 };
        string? configured = ConfiguredUser();
        if (configured is { Length: > 1 } && configured[0] == '+')
        {
            if (int.TryParse(configured.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int uid)) set.Add(uid);
            return set;
        }
        var users = Passwd();
        foreach (var name in configured is { Length: > 0 } ? [configured] : BuildDefaults)
        {
            if (users.TryGetValue(name, out int uid))
            {
                set.Add(uid);
                break;
            }
        }
        return set;
    }

    /// <summary><c>user = "NAME"</c> in qemu.conf (not commented out), or null.</summary>
    string? ConfiguredUser()
    {
        foreach (var raw in Read(qemuConf).Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("user", StringComparison.Ordinal)) continue;
            string rest = line["user".Length..].TrimStart();
            if (!rest.StartsWith('=')) continue;
            rest = rest[1..].Trim();
            if (rest.Length >= 2 && rest[0] == '"' && rest.IndexOf('"', 1) is int end and > 0) return rest[1..end];
        }
        return null;
    }

    Dictionary<string, int> Passwd()
    {
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Read(passwd).Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int uid))
                users.TryAdd(fields[0], uid);
        }
        return users;
    }

    /// <summary>Local configuration files: read bounded, never blocking on a FIFO; absent or unusable is empty.</summary>
    static string Read(string path)
    {
        try { return BoundedFile.ReadAllTextIfExists(path, Deadline.After(TimeSpan.FromSeconds(2)), 4 << 20, mayBlock: false) ?? ""; }
        catch (FileException) { return ""; }
    }
}
