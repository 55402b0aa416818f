# shellcheck shell=bash
# shellcheck disable=SC2016  # cleanup commands and guest commands are eval'd later: single quotes on purpose
# Two User-Mode-Linux guests with real DRBD 8.4.11 between them (tests/integration/drbd/README.md),
# for drbd-uml.sh (the agent's integration test), the DRBD lab cluster and the drbd benchmark.
# Source after tests/integration/lib.sh (uses track_pid, pid_alive, kill_pid, netns_create, wait_until).
#
#   UML_RUN=/var/tmp/...     runtime dir: disks, console logs, control dirs. NOT under /tmp or /run:
#                            the guests mount their own tmpfs there and would not see its files.
#   UML_NS=hc-drbd-$$        the network namespace: bridge + one tap per guest, no address, no
#                            uplink (the guests are 198.51.100.11 and .12); nothing in the root ns
#   uml_setup                check prerequisites, make UML_RUN/share, the namespace; pushes cleanup
#                            (UML_KEEP=1 keeps UML_RUN)
#   uml_start [--fresh-disk] N...   boot guests in parallel (2-5 s); UML_BOOT_S[N] = boot time
#   uml_stop N               poweroff (drbdadm down), mconsole halt, SIGKILL of its process group
#   uml_kill N               power cut: SIGKILL of guest N's process group at once
#   gx N CMD                 run CMD with bash inside guest N; prints its output, returns its rc
#                            (GX_TIMEOUT seconds, default 120; 124 on timeout)
#   uml_drbd_config N        write /etc/drbd.d/r0.res in guest N (UML_RES_IN with UML_DISK_OPTS),
#                            load the module
#   uml_drbd_up N            crm stub, r0 configured, metadata created, r0 up in guest N
#   uml_drbd_initial_sync    r0 up on both: node1 becomes Primary (--force), node2 syncs to UpToDate
#   uml_crm_stub N           crm_attribute, crm_master, crm_node, crm_resource in guest N's
#                            /run/crm-stub are crm-stub.sh (no cluster runs in the guests)
#   UML_DRBD_ENV             what pacemaker-execd gives the clone instance drbd_r0 in the guests
#                            (the clone's meta attributes; HA_SBIN_DIR: the stub)
#
# Guest N sees the host's / read-only (hostfs) under a tmpfs overlay: installed packages (the
# agents, drbd-utils, pacemaker) are there unchanged, and nothing the guest does reaches the host
# except its control directory $UML_RUN/nodeN/ctl. Each guest is started with setsid, so its PID is
# the process group of every process UML forks; only that group is ever signalled.

UML_RUN=${UML_RUN:-}
UML_NS=${UML_NS:-hc-drbd-$$}
UML_BIN=${UML_BIN:-/usr/bin/linux.uml}
UML_MEM=${UML_MEM:-256M}
UML_DISK_SIZE=${UML_DISK_SIZE:-64M}
UML_SUBNET=${UML_SUBNET:-198.51.100}
# 64 MiB resync in ~2 s instead of ~15 s with 8.4's dynamic resync controller
UML_DISK_OPTS=${UML_DISK_OPTS-c-plan-ahead 0; resync-rate 200M;}
UML_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the resource file template (@NET@, @DISK_OPTS@); drbd-cluster.sh passes one with handlers
UML_RES_IN=${UML_RES_IN:-$UML_HERE/r0.res.in}
declare -gA UML_PID=() UML_BOOT_S=()

uml_ip() { echo "$UML_SUBNET.$((10 + $1))"; }
uml_dir() { echo "$UML_RUN/node$1"; }

uml_setup() {
  require_tools "$UML_BIN" uml_mconsole drbdadm drbdsetup /lib/drbd/drbdsetup-84 ip setsid timeout || return 2
  [ -n "$UML_RUN" ] || UML_RUN=$(mktemp -d /var/tmp/hc-uml.XXXXXX)
  case $UML_RUN in /tmp/* | /run/*) echo "uml: UML_RUN must not be under /tmp or /run" >&2; return 2 ;; esac
  mkdir -p "$UML_RUN/share"
  if [ "${UML_KEEP:-0}" = 1 ]; then t_cleanup_push 'echo "# run dir kept: $UML_RUN" >&2'
  else t_cleanup_push 'rm -rf "$UML_RUN"'; fi
  # the guests read these from the host over hostfs: copies, so a checkout under /tmp works too
  install -m 0755 "$UML_HERE/guest-init.sh" "$UML_HERE/crm-stub.sh" "$UML_HERE/monitor-children.sh" "$UML_RUN/share/"
  sed "s|@DISK_OPTS@|$UML_DISK_OPTS|; s|@NET@|$UML_SUBNET|g" "$UML_RES_IN" >"$UML_RUN/share/r0.res"
  netns_create "$UML_NS" || return 1
  ip -n "$UML_NS" link add um-br0 type bridge
  ip -n "$UML_NS" link set um-br0 up
  local n
  for n in 1 2; do
    ip -n "$UML_NS" tuntap add dev "um-tap$n" mode tap
    ip -n "$UML_NS" link set "um-tap$n" master um-br0 up
  done
}

# uml_start [--fresh-disk] N...: boot the guests in parallel, wait until each one's init is ready
uml_start() {
  local fresh="" n d i
  [ "${1:-}" = --fresh-disk ] && { fresh=1; shift; }
  for n in "$@"; do
    d=$(uml_dir "$n")
    mkdir -p "$d/ctl/cmd" "$d/uml"
    rm -f "$d/ctl/ready" "$d/ctl/poweroff" "$d"/ctl/cmd/*
    if [ -n "$fresh" ] || [ ! -e "$d/disk.img" ]; then
      rm -f "$d/disk.img"; truncate -s "$UML_DISK_SIZE" "$d/disk.img"   # sparse backing disk
    fi
    date +%s.%N >"$d/start-stamp"
    # gro=1 is required: the tap transport sends GSO frames that a guest without GRO drops
    setsid ip netns exec "$UML_NS" "$UML_BIN" mem="$UML_MEM" umid="hc-node$n" uml_dir="$d/uml" \
      ubd0="$d/disk.img" root=/dev/root rootfstype=hostfs rootflags=/ ro init="$UML_RUN/share/guest-init.sh" \
      "vec0:transport=tap,ifname=um-tap$n,mac=$(printf '02:00:c6:33:64:%02x' $((10 + n))),gro=1" \
      con0=null,fd:1 con=none ssl=none \
      UMLNODE="$n" UMLIP="$(uml_ip "$n")" UMLCTL="$d/ctl" UMLIF=vec0 \
      </dev/null >"$d/console.log" 2>&1 &
    UML_PID[$n]=$!
    disown "${UML_PID[$n]}"   # neither a bare "wait" nor bash's "Killed" report concern the guests
    track_pid "${UML_PID[$n]}"
    t_cleanup_push "uml_stop $n"
  done
  for n in "$@"; do
    d=$(uml_dir "$n")
    for ((i = 0; i < 1200; i++)); do
      [ -e "$d/ctl/ready" ] && break
      pid_alive "${UML_PID[$n]}" || { echo "uml: node$n died while booting:" >&2; tail -20 "$d/console.log" >&2; return 1; }
      sleep 0.05
    done
    [ -e "$d/ctl/ready" ] || { echo "uml: node$n not ready after 60 s" >&2; tail -20 "$d/console.log" >&2; return 1; }
    # shellcheck disable=SC2034  # read by the callers
    UML_BOOT_S[$n]=$(since "$(cat "$d/start-stamp")")
  done
}

# the group of a guest: its PID (setsid) while that process is still the one we started
_uml_group_alive() { [ -n "$(ps -o pid= -g "$1" 2>/dev/null)" ]; }

uml_kill() {
  local n=$1 p=${UML_PID[$1]:-}
  [ -n "$p" ] || return 0
  if pid_alive "$p"; then kill -KILL -- -"$p" 2>/dev/null; fi
  wait_until 10 eval '! _uml_group_alive '"$p"
  wait "$p" 2>/dev/null
  unset "UML_PID[$n]" "T_PIDS[$p]"
  return 0
}

uml_stop() {
  local n=$1 p=${UML_PID[$1]:-} d
  [ -n "$p" ] || return 0
  d=$(uml_dir "$n")
  if pid_alive "$p"; then
    touch "$d/ctl/poweroff"
    wait_until 15 eval '! pid_alive '"$p"
  fi
  if pid_alive "$p"; then
    timeout 5 uml_mconsole "$d/uml/hc-node$n/mconsole" halt >/dev/null 2>&1
    wait_until 5 eval '! pid_alive '"$p"
  fi
  # UML's own helper processes share the group; the group leader's PID was recorded at start
  pid_alive "$p" && kill -KILL -- -"$p" 2>/dev/null
  uml_kill "$n"
}

# gx N CMD: the guest's init runs every dropped command concurrently (a blocking command never
# wedges the channel) and leaves <id>.out and then <id>.rc, whose content is one write: the
# command is done once .rc is non-empty
gx() {
  local n=$1 d id i limit; shift
  d=$(uml_dir "$n")/ctl/cmd
  id=$(date +%s%N)-$BASHPID-$RANDOM
  printf '%s\n' "$*" >"$d/$id.tmp" && mv "$d/$id.tmp" "$d/$id.sh"
  limit=$((${GX_TIMEOUT:-120} * 50))
  for ((i = 0; i < limit; i++)); do
    [ -s "$d/$id.rc" ] && break
    sleep 0.02
  done
  [ -s "$d/$id.rc" ] || { echo "gx: timeout after ${GX_TIMEOUT:-120} s on node$n: $*" >&2; return 124; }
  cat "$d/$id.out"
  i=$(cat "$d/$id.rc")
  rm -f "$d/$id.run" "$d/$id.out" "$d/$id.rc"
  return "$i"
}

uml_drbd_config() {
  gx "$1" 'cp '"$UML_RUN"'/share/r0.res /etc/drbd.d/r0.res && modprobe drbd && test -e /proc/drbd'
}

uml_drbd_up() {
  uml_crm_stub "$1" && uml_drbd_config "$1" && gx "$1" 'drbdadm create-md r0 </dev/null && drbdadm up r0'
}

uml_drbd_initial_sync() {
  gx 1 'for i in $(seq 300); do grep -q cs:Connected /proc/drbd && break; sleep 0.1; done
drbdadm primary --force r0 && for i in $(seq 600); do grep -q ds:UpToDate/UpToDate /proc/drbd && break; sleep 0.1; done
grep -q "cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate" /proc/drbd'
}

uml_crm_stub() {
  gx "$1" 'mkdir -p /run/crm-stub /run/resource-agents
for t in crm_attribute crm_master crm_node crm_resource; do ln -sf '"$UML_RUN"'/share/crm-stub.sh /run/crm-stub/$t; done'
}

# shellcheck disable=SC2034  # read by the callers
UML_DRBD_ENV=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=drbd_r0 OCF_RESKEY_drbd_resource=r0
  OCF_RESKEY_CRM_meta_clone_max=2 OCF_RESKEY_CRM_meta_clone_node_max=1
  OCF_RESKEY_CRM_meta_promoted_max=1 OCF_RESKEY_CRM_meta_promoted_node_max=1
  OCF_RESKEY_CRM_meta_master_max=1 OCF_RESKEY_CRM_meta_master_node_max=1 OCF_RESKEY_CRM_meta_notify=true
  OCF_RESKEY_crm_feature_set=3.16.1 HA_RSCTMP=/run/resource-agents HA_SBIN_DIR=/run/crm-stub)
