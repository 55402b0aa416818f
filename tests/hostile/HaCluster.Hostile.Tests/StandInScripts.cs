namespace HaCluster.Hostile.Tests;

/// <summary>
/// The stand-ins for the tools agents run: each answers at once as on a node where nothing of
/// the resource exists (no domain, no DRBD resource, no cluster attribute), so that a stop
/// under any parameter value can know that nothing runs. None of them touches anything.
/// </summary>
public static class StandInScripts
{
    const string Header = "#!/bin/sh\n# A stand-in of the hostile-input tests (tests/hostile): never the real tool.\n";

    public static IEnumerable<(string Name, string Script)> All =>
    [
        // xl: no domain but Domain-0 exists; everything about another domain fails as xl does.
        ("xl", Header + """
            case "$1" in
              list)
                if [ $# -le 1 ]; then
                  printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n'
                  printf 'Domain-0                                     0  1024     2     r-----      10.0\n'
                  exit 0
                fi
                eval "last=\${$#}"
                printf '%s is an invalid domain identifier (rc=-6)\n' "$last" >&2; exit 1 ;;
              info) printf 'total_memory           : 4096\nfree_memory            : 2048\n'; exit 0 ;;
              *) eval "last=\${$#}"
                 printf '%s is an invalid domain identifier (rc=-6)\n' "$last" >&2; exit 1 ;;
            esac
            """),
        // drbdsetup: the kernel knows no resource.
        ("drbdsetup", Header + """
            echo "$3: No such resource" >&2
            exit 10
            """),
        // drbdadm: no module parameters, the resource is in no configuration.
        ("drbdadm", Header + """
            for a in "$@"; do
              case "$a" in
                sh-mod-parms) exit 0 ;;
                sh-dev|dump|adjust|up|attach|primary|secondary|down|outdate) echo "stand-in drbdadm: no resources defined!" >&2; exit 10 ;;
              esac
            done
            echo "stand-in drbdadm: no resources defined!" >&2
            exit 10
            """),
        ("modprobe", Header + "echo 'stand-in modprobe: module not found' >&2\nexit 1\n"),
        ("modinfo", Header + "echo 'stand-in modinfo: module not found' >&2\nexit 1\n"),
        // crm_attribute: queries find nothing (105), updates and deletes succeed.
        ("crm_attribute", Header + """
            for a in "$@"; do
              case "$a" in
                -G|--query) echo "Error performing operation: No such device or address" >&2; exit 105 ;;
              esac
            done
            exit 0
            """),
        ("crm_resource", Header + "exit 0\n"),
        ("crm_node", Header + """
            case "$1" in
              -n|--name) echo hostile-node ;;
            esac
            exit 0
            """),
        ("attrd_updater", Header + "exit 0\n"),
        ("ip", Header + "echo 'stand-in ip: not available' >&2\nexit 1\n"),
        ("arping", Header + "exit 0\n"),
        ("send_arp", Header + "exit 0\n"),
        ("send_ua", Header + "exit 0\n"),
        ("ssh", Header + "echo 'stand-in ssh: connection refused' >&2\nexit 255\n"),
        ("scp", Header + "echo 'stand-in scp: connection refused' >&2\nexit 255\n"),
        ("virsh", Header + "echo 'error: failed to connect to the hypervisor (stand-in virsh)' >&2\nexit 1\n"),
        ("systemctl", Header + "exit 0\n"),
        ("virt-xml-validate", Header + "exit 0\n"),
        ("qemu-img", Header + "echo 'stand-in qemu-img: not available' >&2\nexit 1\n"),
        ("virt-copy-in", Header + "echo 'stand-in virt-copy-in: not available' >&2\nexit 1\n"),
        ("csync2", Header + "echo 'stand-in csync2: not available' >&2\nexit 1\n"),
        ("unavailable", Header + "echo 'stand-in: this tool is not available in the hostile-input tests' >&2\nexit 1\n"),
    ];
}
