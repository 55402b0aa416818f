#!/bin/bash
# usage: tests/integration/libvirt/start-libvirtd.sh [--netns NS] [--migration-address IP] DIR HOST_UUID
#
# Starts a private libvirtd: the one recipe behind the bash tests and benchmarks (lib-libvirt.sh's
# lvd_start) and the C# tests (HaCluster.Libvirt.Tests' PrivateLibvirtd).
#   DIR         the daemon's own directories, created when missing: etc (libvirtd.conf, qemu.conf),
#               run, lib, log (libvirtd.log, qemu/), cache, sock (libvirt-sock), and private copies
#               of /etc/passwd and /etc/group; the pid file is DIR/libvirtd.pid
#   HOST_UUID   distinct per daemon: libvirt refuses to migrate between two hosts with one UUID
#   --netns NS  run in this named network namespace (the caller made it); default: a new
#               anonymous one, so the daemon and its guests reach nothing but its socket file
#   --migration-address IP  the daemon's address in its namespace, where qemu listens for an
#               incoming migration
# The daemon runs in its own mount namespace, where DIR's directories are bind-mounted over
# /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt: the
# system's libvirt directories are never written. Their mount points are created empty when
# missing and never removed (removing a directory that is a mount point in another namespace would
# detach the daemon's mount there). qemu runs as root without cgroups, per-VM /dev, security driver
# or virtlogd: the host has none of the daemons and users libvirt-daemon-system would bring, and
# two daemons would collide on the machine cgroup during a migration.
# Prints the daemon's PID once its pid file and socket exist (at most 15 s). Exit 1 when it does
# not come up (the log's tail on stderr; the PID on stdout when the daemon got that far), 2 on a
# usage error or without libvirtd. Needs root. The caller stops the daemon by that PID.
set -u
LIBVIRTD=/usr/sbin/libvirtd

# Second stage, inside the new namespaces: the bind mounts, then the daemon.
if [ "${1:-}" = --in-namespace ]; then
  b=$2
  ip link set lo up 2>/dev/null
  mount --bind "$b/passwd" /etc/passwd &&
    mount --bind "$b/group" /etc/group &&
    mount --bind "$b/etc" /etc/libvirt &&
    mount --bind "$b/run" /run/libvirt &&
    mount --bind "$b/lib" /var/lib/libvirt &&
    mount --bind "$b/log" /var/log/libvirt &&
    mount --bind "$b/cache" /var/cache/libvirt &&
    exec "$LIBVIRTD" --daemon --pid-file "$b/libvirtd.pid" --config /etc/libvirt/libvirtd.conf
  exit 1
fi

usage() { sed -n '2p' "$0" | sed 's/^# //' >&2; exit 2; }
netns="" migip=""
while [ $# -gt 0 ]; do
  case $1 in
    --netns) [ $# -ge 2 ] || usage; netns=$2; shift 2 ;;
    --migration-address) [ $# -ge 2 ] || usage; migip=$2; shift 2 ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || usage
[ -x "$LIBVIRTD" ] || { echo "start-libvirtd: $LIBVIRTD is not installed (Debian package libvirt-daemon)" >&2; exit 2; }
mkdir -p "$1" || exit 2
b=$(cd "$1" && pwd)
uuid=$2
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

mkdir -p "$b"/{etc,run,lib,log/qemu,cache,sock} || exit 1
cat >"$b/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$b/sock"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
listen_tls = 0
listen_tcp = 0
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
CONF
cat >"$b/etc/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
[ -n "$migip" ] && printf 'migration_host = "%s"\nmigration_address = "%s"\n' "$migip" "$migip" >>"$b/etc/qemu.conf"
# libvirtd resolves its compiled-in qemu user and groups before it reads qemu.conf; they exist only
# with libvirt-daemon-system. Private copies, bind-mounted in the daemon's namespace only.
cp /etc/passwd "$b/passwd" && cp /etc/group "$b/group" || exit 1
getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055:hacluster test:/var/lib/libvirt:/usr/sbin/nologin' >>"$b/passwd"
getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>"$b/group"
getent group kvm >/dev/null || echo 'kvm:x:64056:' >>"$b/group"
getent group libvirt >/dev/null || echo 'libvirt:x:64057:' >>"$b/group"

mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
pidf=$b/libvirtd.pid
sock=$b/sock/libvirt-sock
rm -f "$b/sock/"* "$pidf"
if [ -n "$netns" ]; then net=(ip netns exec "$netns"); else net=(unshare --net); fi
"${net[@]}" unshare --mount --propagation private -- /bin/bash "$self" --in-namespace "$b" \
  </dev/null >"$b/launch.log" 2>&1 || { cat "$b/launch.log" >&2; exit 1; }
for _ in $(seq 150); do
  if [ -s "$pidf" ] && [ -S "$sock" ]; then cat "$pidf"; exit 0; fi
  sleep 0.1
done
echo "start-libvirtd: libvirtd in $b did not come up within 15 s:" >&2
tail -5 "$b/log/libvirtd.log" >&2 2>/dev/null
[ -s "$pidf" ] && cat "$pidf"
exit 1
