using HaCluster.Testing;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>
/// Stand-ins (shell scripts written by the test, not DRBD) for drbdadm, drbdsetup, modinfo,
/// modprobe and Pacemaker's crm tools, for runs of the published drbd binary. The agent calls
/// its tools by absolute path (/usr/sbin first), so the run happens in a mount namespace of its
/// own where this directory is bound over /usr/sbin: nothing of this host's DRBD, kernel or
/// cluster is touched. Needs root.
/// </summary>
public sealed class StandInTools : IDisposable
{
    readonly TempDir dir = new();

    public StandInTools()
    {
        Directory.CreateDirectory(Bin);
        // drbdadm: answers the configuration lookup; with Hang set, any other command records its
        // PID, starts a sleeping grandchild, records that, and waits.
        Script("drbdadm", $$"""
            case " $* " in *" sh-dev "*) echo /dev/drbd0; exit 0;; esac
            if [ -e {{dir["hang"]}} ]; then
                sleep 300 & echo $! > {{dir["grandchild"]}}.tmp; mv {{dir["grandchild"]}}.tmp {{dir["grandchild"]}}
                echo $$ > {{dir["child"]}}.tmp; mv {{dir["child"]}}.tmp {{dir["child"]}}
                wait
            fi
            exit 0
            """);
        Script("drbdsetup", "echo \"stand-in: No such resource\" >&2; exit 10");
        Script("modinfo", "echo 8.4.11");
        Script("modprobe", "echo \"stand-in: no drbd module here\" >&2; exit 1");
        Script("crm_resource", "exit 0");
        Script("crm_attribute", "exit 0");
        Script("crm_node", "echo node1");
        File.WriteAllText(Config, "resource r0 { }\n");
    }

    /// <summary>What is bound over /usr/sbin.</summary>
    public string Bin => dir["sbin"];

    public string Config => dir["drbd.conf"];

    public string RscTmp => dir["rsc"];

    /// <summary>drbdadm hangs (with a grandchild) on every command but sh-dev.</summary>
    public bool Hang { set { if (value) File.WriteAllText(dir["hang"], ""); else File.Delete(dir["hang"]); } }

    /// <summary>Where the hanging drbdadm records a PID ("child", "grandchild").</summary>
    public string PidFile(string name) => dir[name];

    void Script(string name, string body)
    {
        string path = Path.Combine(Bin, name);
        File.WriteAllText(path, $"#!/bin/sh\n# Stand-in for {name} in a test of the drbd agent; not the real tool.\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// The published agent in a mount namespace with the stand-ins at /usr/sbin, as a promotable
    /// clone with notify on node1. The agent keeps the PID setsid gave it (unshare and sh exec).
    /// </summary>
    public AgentProcess Agent() =>
        new AgentProcess("/usr/bin/unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", "mount --bind \"$0\" /usr/sbin && exec \"$@\"", Bin, PublishedAgents.PathOf("drbd"))
            .With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "drbd_r0").With("OCF_RESOURCE_TYPE", "drbd")
            .Param("drbd_resource", "r0").Param("drbdconf", Config)
            .Param("CRM_meta_clone_max", "2").Param("CRM_meta_clone_node_max", "1")
            .Param("CRM_meta_promoted_max", "1").Param("CRM_meta_promoted_node_max", "1")
            .Param("CRM_meta_notify", "true").Param("CRM_meta_on_node", "node1");

    public void Dispose() => dir.Dispose();
}
