using System.Globalization;
using HaCluster.Testing;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// Where the agents run: a private mount namespace, held open by a sleeping child, in which
/// /usr/sbin, /usr/local/{bin,sbin} and /run are empty tmpfs mounts. /usr/sbin holds only the
/// stand-ins (xl, drbdadm, drbdsetup, modprobe, crm_attribute, …), the few tools of /usr/bin an
/// agent may call (virsh, ssh, systemctl, …) and /usr/libexec/heartbeat's ARP senders are
/// replaced by stand-ins with bind mounts, and /run hides every libvirt, Xen, DRBD or netns
/// socket of the machine. A read-only and a full tmpfs are mounted there too. Agents enter it
/// with nsenter (IPaddr2 also gets a network namespace of its own per run, see <see cref="Command"/>). Nothing is mounted
/// outside the namespace; killing the holder ends it. Needs root.
/// </summary>
public sealed class Sandbox : IDisposable
{
    readonly MountNamespaceHolder holder;

    /// <summary>Tools an agent may run from /usr/bin or /usr/libexec, replaced by stand-ins where installed.</summary>
    static readonly string[] ReplacedTools =
    [
        "/usr/bin/virsh", "/usr/bin/ssh", "/usr/bin/scp", "/usr/bin/systemctl", "/usr/bin/virt-xml-validate",
        "/usr/bin/qemu-img", "/usr/bin/virt-copy-in", "/usr/bin/csync2", "/usr/bin/arping", "/usr/bin/xl",
        "/usr/libexec/heartbeat/send_arp", "/usr/libexec/heartbeat/send_ua",
    ];

    public Sandbox()
    {
        Base = Directory.CreateTempSubdirectory("hacluster-hostile-").FullName;
        Directory.CreateDirectory(StandIns);
        Directory.CreateDirectory(ReadOnlyMount);
        Directory.CreateDirectory(FullMount);
        Directory.CreateDirectory(Path.Combine(Base, "runs"));
        foreach (var (name, script) in StandInScripts.All)
        {
            string path = Path.Combine(StandIns, "stand-in-" + name);
            File.WriteAllText(path, script);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        try
        {
            holder = new MountNamespaceHolder(SetupScript, [Base, .. ReplacedTools], "the sandbox namespace");
        }
        catch
        {
            DeleteBase();
            throw;
        }
        HolderPid = holder.Pid;
    }

    // $1 the base directory, then the tools to replace. The stand-ins keep their names
    // (stand-in-xl) and are reached through symlinks named like the tool.
    const string SetupScript = """
        set -eu
        base=$1; shift
        standins=$base/stand-ins
        mount -t tmpfs -o mode=0755 hostile-sbin /usr/sbin
        for s in "$standins"/stand-in-*; do ln -s "$s" "/usr/sbin/${s##*/stand-in-}"; done
        mount -t tmpfs -o mode=0755 hostile-local-bin /usr/local/bin
        mount -t tmpfs -o mode=0755 hostile-local-sbin /usr/local/sbin
        for tool in "$@"; do
          [ -e "$tool" ] || continue
          stand_in=$standins/stand-in-${tool##*/}
          [ -e "$stand_in" ] || stand_in=$standins/stand-in-unavailable
          mount --bind "$stand_in" "$tool"
        done
        mount -t tmpfs -o mode=0755 hostile-run /run
        mount -t tmpfs -o size=64k,mode=0755 hostile-ro "$base/ro"
        mount -o remount,ro "$base/ro"
        mount -t tmpfs -o size=16k,nr_inodes=8,mode=0777 hostile-full "$base/full"
        dd if=/dev/zero of="$base/full/filler" bs=4096 2>/dev/null || true
        echo ready
        exec sleep 86400
        """;

    /// <summary>A directory of the test machine's /tmp holding everything of this sandbox.</summary>
    public string Base { get; }

    public int HolderPid { get; }

    public string StandIns => Path.Combine(Base, "stand-ins");

    /// <summary>A directory that is a read-only file system inside the namespace.</summary>
    public string ReadOnlyMount => Path.Combine(Base, "ro");

    /// <summary>A directory that is a full file system (not one block, hardly an inode free) inside the namespace.</summary>
    public string FullMount => Path.Combine(Base, "full");

    /// <summary>The full file system as the test process sees it (through the holder's root).</summary>
    public string FullMountFromOutside => $"/proc/{HolderPid}/root{FullMount}";

    /// <summary>
    /// The command that runs <paramref name="agentPath"/> inside the namespace; with
    /// <paramref name="ownNetwork"/> first in a fresh network namespace whose one interface (a
    /// veth pair, both ends up) holds 198.51.100.1/24, so that an address of that network has an
    /// interface to go on. The network is set up with the machine's own ip, before the mount
    /// namespace hides it, and exists only for this run.
    /// </summary>
    public string[] Command(string agentPath, bool ownNetwork)
    {
        string[] inMounts = ["/usr/bin/nsenter", "--target", HolderPid.ToString(CultureInfo.InvariantCulture), "--mount", "--", agentPath];
        return ownNetwork ? ["/usr/bin/unshare", "--net", "--", "/bin/sh", "-c", NetworkScript, "sh", .. inMounts] : inMounts;
    }

    const string NetworkScript =
        "ip link add hostile0 type veth peer name hostile1 && ip link set hostile0 up && ip link set hostile1 up && " +
        "ip address add 198.51.100.1/24 dev hostile0 && exec \"$@\"";

    public void Dispose()
    {
        holder.Dispose();
        DeleteBase();
    }

    void DeleteBase()
    {
        try { Directory.Delete(Base, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The sandbox, once for every test of the collection (the namespace costs little, the stand-ins less).</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<Sandbox>
{
    public const string Name = "hostile sandbox";
}
