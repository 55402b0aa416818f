#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands and sampler scripts are eval'd later: single quotes on purpose
# usage: tests/integration/vm-cluster.sh DEB [--demo]
#
# A two-node Pacemaker cluster running a live-migratable VM, as a test and as a demo:
#   nodes   vmc1, vmc2: network namespaces hc-vmc-n1 / hc-vmc-n2 (203.0.113.1 / .2 on eth0, veths into
#           a bridge in netns hc-vmc-br) + a holder process each with its own mount + UTS namespace
#           (tmpfs /run and /dev/shm, /var/lib/{pacemaker,corosync}, /var/log/{pacemaker,corosync}
#           bind-mounted from the run's state dir, hostname = node name); per node its own Corosync
#           (knet, two_node), Pacemaker and libvirtd (tests/integration/libvirt/lib-libvirt.sh, daemon
#           in the node's network namespace; its socket directory is bind-mounted over /run/libvirt
#           inside the node, so qemu:///system is that node's daemon for the node's pacemaker-execd)
#   client  netns hc-vmc-cl (203.0.113.200): asks http://203.0.113.100/ every 150 ms and logs who
#           answered (each node serves its own name)
#   CIB     pre-seeded: stonith-enabled=false, dc-deadtime=2s, resource-stickiness=100 (and
#           stop-all-resources=true until the resources below are configured); resources
#           vm  ocf:hacluster:VirtualDomain, allow-migrate=true: a TCG Linux guest (kernel + busybox
#               initramfs from libvirt/guest-image.sh, cached in /var/cache/hacluster-tests/guest-v1)
#               with a raw virtio disk under the state dir, a path both nodes see; same parameters
#               on both nodes (hypervisor=qemu:///system, remoteuri naming the target's socket by %n)
#           svc group of ocf:hacluster:IPaddr2 203.0.113.100/24 and busybox httpd
#               (ocf:heartbeat:anything) on that address, colocated with vm; vm prefers vmc1 (50)
# Scenarios, each asserted:
#   1. start: vm on vmc1, the guest boots, the client gets vmc1's page
#   2. crm resource move vm vmc2: a live migration (migrate_to + migrate_from, no start; the guest's
#      tick counter and uptime run on, it does not boot again); downtime from libvirt's job info
#   3. power cut of vmc2 (its bridge port goes down, then SIGKILL of every process in its network
#      namespace: holder, corosync, pacemaker daemons, libvirtd, qemu): vm restarts on vmc1, the
#      service IP moves, the client gets vmc1's page within 20 s; the agents' own share is the
#      exec-time of the start operations recorded in the CIB
#   4. vmc2 comes back (new namespaces, libvirtd, corosync, pacemaker): Online again, vm stays on vmc1
#   throughout: a sampler lists the domain on both libvirtds every ~0.25 s; the VM must never be
#   running on both nodes in one sample (see vm_running_twice for what "running" means)
# Every daemon, guest, namespace and mount is removed again (also on failure and Ctrl-C), and the
# end asserts that no hc-vmc namespace, process or mount is left. Nothing in the root network
# namespace is touched. Takes ~1.5-2 min on a 2-core machine (the guest image is built once, ~1 min).
# --demo (or VMC_SNAPSHOTS=1): also print crm_mon -1 at each step and a summary table.
# Knobs: VMC_KEEP=1 keeps the state dir (logs, CIBs, samples) for post-mortem.
# Prints "# measured: NAME: VALUE" lines and ends with "vm-cluster: N passed, N failed";
# exit 1 on failures, 2 on missing prerequisites.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/libvirt/lib-libvirt.sh
. "$HERE/libvirt/lib-libvirt.sh"
t_init vm-cluster

DEMO=${VMC_SNAPSHOTS:-0}
lab_args "$@"
require_root || { echo "vm-cluster: 0 passed, 1 failed"; exit 2; }
if ! require_tools dpkg dpkg-deb dpkg-query ip nsenter unshare setsid timeout xmllint corosync \
  corosync-quorumtool corosync-cfgtool pacemakerd crm_mon crm_resource crm_attribute cibadmin crm \
  /usr/sbin/libvirtd virsh /usr/bin/qemu-system-x86_64 \
  /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so /bin/busybox cpio python3 \
  /usr/lib/ocf/resource.d/heartbeat/anything awk sed grep; then
  fail "prerequisites (see above)"
  finish; exit 2
fi
# never let the caller's environment redirect the CLI tools to a file or shadow CIB
unset CIB_file CIB_shadow CIB_shadow_dir CIB_user CIB_server CIB_port CIB_passwd CIB_encrypted

GUEST_CACHE=${VMC_GUEST_CACHE:-/var/cache/hacluster-tests/guest-v1}
NET=203.0.113            # documentation prefix only
VIP=$NET.100
CLIENT_IP=$NET.200
NS_BR=hc-vmc-br
NS_CL=hc-vmc-cl
VM=hc-vmc-vm
declare -A HOLDER=() COROSYNC=() PCMKD=() NSINO=() DOWN=()
SAMPLER="" CLIENT=""
MEASURED=()

ns_of() { echo "hc-vmc-n$1"; }
node_of() { echo "vmc$1"; }
other() { [ "$1" = 1 ] && echo 2 || echo 1; }

t_traps
STATE=$(mktemp -d /var/tmp/hc-vmc.XXXXXX)
chmod 0755 "$STATE"
if [ "${VMC_KEEP:-0}" = 1 ]; then t_cleanup_push 'echo "# state kept in $STATE" >&2'
else t_cleanup_push 'rm -rf "$STATE"'; fi
LVD_ROOT=$STATE/lv
mkdir -p "$LVD_ROOT"
SAMPLES=$STATE/samples.log
CLIENT_LOG=$STATE/client.log
ROOT_BEFORE=$(root_addrs)

# ---------------------------------------------------------------- helpers
nx() { local n=$1; shift; timeout 30 nsenter -t "${HOLDER[$n]}" -m -u -n -- "$@"; }   # CLI call inside node N
plog() { echo "$STATE/n$1/log-pacemaker/pacemaker.log"; }
clog() { echo "$STATE/n$1/log-corosync/corosync.log"; }
serial() { echo "$(lvd_base "$(node_of "$1")")/log/qemu/$VM-serial.log"; }
vuri() { lvd_qemu_uri "$(node_of "$1")"; }
# vm_state N: the domain's state on node N's libvirtd ("running", "paused", ...), "-" when it has
# none, "down" when the daemon does not answer
vm_state() {
  local out
  out=$(timeout 5 virsh -q -c "$(vuri "$1")" list --all 2>/dev/null) || { echo down; return 0; }
  out=$(printf '%s\n' "$out" | awk -v d="$VM" '$2 == d { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }')
  echo "${out:--}"
}
# located N: the nodes crm_resource --locate names for vm, as seen from node N
located() { nx "$1" crm_resource --locate -r "$2" 2>/dev/null | sed -n 's/.*is running on: \([a-z0-9]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//'; }
online_both() { nx "$1" crm_mon -1 2>/dev/null | grep -Eq 'Online: \[ vmc1 vmc2 \]'; }
has_dc() { nx "$1" crm_mon -1 2>/dev/null | grep -Eq 'Current DC: vmc[12] '; }
# client_first_ok SINCE NODE: epoch (s.ms) of the first answer from NODE completed after SINCE
client_first_ok() { awk -v t="$1" -v n="$2" '$1 > t && $2 == "ok" && $3 == n { print $1; exit }' "$CLIENT_LOG"; }
client_last_ok_before() { awk -v t="$1" '$1 <= t && $2 == "ok" { l = $1 } END { print l }' "$CLIENT_LOG"; }
sub_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
measure() { MEASURED+=("$1|$2"); note "measured: $1: $2"; }
snapshot() { # LABEL: crm_mon -1 of the first live node (demo mode)
  [ "$DEMO" = 1 ] || return 0
  local n
  for n in 1 2; do [ -n "${HOLDER[$n]:-}" ] && pid_alive "${HOLDER[$n]}" && break; done
  note "---- crm_mon -1 on $(node_of "$n"): $1"
  nx "$n" crm_mon -1 2>&1 | grep -v '^ *$' | sed 's/^/#   /'
}
diag() {
  local n
  for n in 1 2; do
    { [ -n "${HOLDER[$n]:-}" ] && pid_alive "${HOLDER[$n]}"; } || continue
    note "---- diagnostics of $(node_of "$n"): crm_mon -1 -rfAo"
    nx "$n" crm_mon -1 -rfAo 2>&1 | sed 's/^/#   /'
    note "---- $(node_of "$n"): pacemaker.log, last notice/warning/error lines"
    grep -E 'notice|warning|error|crit' "$(plog "$n")" 2>/dev/null | tail -25 | sed 's/^/#   /'
  done
}
# op_attr N RSC OPID ATTR: from node N's CIB status section, node N's own history
op_attr() {
  nx "$1" cibadmin -Q --xpath "//node_state[@uname='$(node_of "$1")']//lrm_resource[@id='$2']/lrm_rsc_op[@id='$3']" 2>/dev/null |
    xmllint --xpath "string(//lrm_rsc_op/@$4)" - 2>/dev/null
}

# ---------------------------------------------------------------- a node's lifecycle
net_base_up() {
  netns_create "$NS_BR" "$NS_CL" &&
    ip -n "$NS_BR" link add br0 type bridge && ip -n "$NS_BR" link set br0 up &&
    ip -n "$NS_BR" link add vbc type veth peer name eth0 netns "$NS_CL" &&
    ip -n "$NS_BR" link set vbc master br0 up &&
    ip -n "$NS_CL" addr add "$CLIENT_IP/24" dev eth0 && ip -n "$NS_CL" link set eth0 up
}
node_net_up() { # N: the node's namespace with eth0 on the bridge (created inside hc-vmc-br: nothing in the root netns)
  local n=$1 ns; ns=$(ns_of "$1")
  netns_create "$ns" &&
    ip -n "$NS_BR" link add "vb$n" type veth peer name eth0 netns "$ns" &&
    ip -n "$NS_BR" link set "vb$n" master br0 up &&
    ip -n "$ns" addr add "$NET.$n/24" dev eth0 && ip -n "$ns" link set eth0 up || return 1
  NSINO[$n]=${NETNS_INO[$ns]}
}
node_state_dirs() { # N: pacemaker/corosync state; resources held stopped until all are in
  pcmk_state_dirs "$STATE/n$1" stop-all-resources=true --stickiness=100
}
node_up() { # N: network, holder, libvirtd (before pacemaker: probes must reach it), corosync, pacemaker
  local n=$1 d=$STATE/n$1 name sock up; name=$(node_of "$n"); sock=$(lvd_base "$name")/sock
  DOWN[$n]=0
  node_net_up "$n" || { echo "network of $name failed" >&2; return 1; }
  mkdir -p "$sock"      # start-libvirtd.sh makes it too, but the holder mounts it before
  # qemu:///system inside the node is the node's own libvirtd; each node serves its own name
  node_holder "$d" "$name" "$(ns_of "$n")" "mkdir -p /run/libvirt /run/hc-vmc-www &&
    mount --bind '$sock' /run/libvirt && echo '$name' >/run/hc-vmc-www/index.html"
  up=$?
  HOLDER[$n]=$NODE_HOLDER
  [ "$up" = 0 ] || { echo "holder of $name failed: $(cat "$d/holder.out")" >&2; return 1; }
  rm -rf "$(lvd_base "$name")/run/"*        # a reboot clears /run/libvirt
  lvd_start "$name" "$(ns_of "$n")" || { echo "libvirtd of $name failed" >&2; return 1; }
  node_daemon "${HOLDER[$n]}" "$d/corosync.out" corosync -f -c "$STATE/corosync.conf"
  COROSYNC[$n]=$NODE_DAEMON
  node_daemon "${HOLDER[$n]}" "$d/pacemakerd.out" PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_debug=no pacemakerd
  PCMKD[$n]=$NODE_DAEMON
}
# node_kill N: a power cut. The bridge port goes down first (nothing more leaves the node), then
# every process whose network namespace is the node's gets SIGKILL, by PID: holder (its tmpfs /run
# and /dev/shm die with it, like a reboot), corosync, pacemakerd and the daemons it setsid()s,
# libvirtd and qemu. Then the namespace goes (the kernel would otherwise still answer for the
# node's addresses, including the service IP).
node_kill() {
  local n=$1 pids
  ip -n "$NS_BR" link set "vb$n" down
  pids=$(netns_pids "${NSINO[$n]}")
  KILLED=$(for p in $pids; do cat "/proc/$p/comm" 2>/dev/null; done | sort | uniq -c | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), ($1 > 1 ? $2 " x" $1 : $2) }')
  KILLED="$(echo "$pids" | wc -w) processes ($KILLED)"
  netns_kill "${NSINO[$n]}"
  wait "${COROSYNC[$n]}" "${PCMKD[$n]}" "${HOLDER[$n]}" 2>/dev/null
  lvd_stop "$(node_of "$n")"                  # forgets the dead daemon
  ip netns del "$(ns_of "$n")"
}
# node_down N [assert]: orderly shutdown; with "assert" each step is a test result
node_down() {
  local n=$1 a=${2:-} name; name=$(node_of "$n")
  [ "${DOWN[$n]:-1}" = 1 ] && return 0
  DOWN[$n]=1
  node_stop_daemons "$name" "${HOLDER[$n]:-}" "${PCMKD[$n]:-}" "${COROSYNC[$n]:-}" 90 "$a"
  if [ -n "$a" ]; then
    assert_eq "$name: no domain left on its libvirtd after the shutdown" "" \
      "$(timeout 5 virsh -q -c "$(vuri "$n")" list --all --name 2>&1 | grep -v '^$')"
  fi
  lvd_stop "$name"
  [ -n "${NSINO[$n]:-}" ] && node_remove "$name" "$(ns_of "$n")" "${HOLDER[$n]:-}" "$a"
  return 0
}
stop_bg() {
  [ -n "$SAMPLER" ] && kill_pid "$SAMPLER" TERM 3
  [ -n "$CLIENT" ] && kill_pid "$CLIENT" TERM 3
  SAMPLER="" CLIENT=""
}
all_down() {
  stop_bg
  node_down 1; node_down 2
  lvd_stop vmc1; lvd_stop vmc2
  netns_delete hc-vmc-n1 hc-vmc-n2 "$NS_CL" "$NS_BR"
}

# ---------------------------------------------------------------- 0. package, image, config
if deb_install "$DEB"; then pass "dpkg -i $(basename "$DEB") ($T_DEB_PKG; installed before: $([ "$T_DEB_WAS_INSTALLED" = 1 ] && echo yes || echo no))"
else fail "dpkg -i $DEB"; finish; exit 1; fi
for a in VirtualDomain IPaddr2; do
  check "agent /usr/lib/ocf/resource.d/hacluster/$a installed" test -x "/usr/lib/ocf/resource.d/hacluster/$a"
done
t0=$(date +%s.%N)
if img_out=$("$HERE/libvirt/guest-image.sh" "$GUEST_CACHE" 2>&1) && [ -s "$GUEST_CACHE/vmlinuz" ] && [ -s "$GUEST_CACHE/initrd.gz" ]; then
  pass "Linux guest image: $(tail -1 <<<"$img_out") ($(since "$t0") s)"
else
  fail "Linux guest image in $GUEST_CACHE" "$img_out"; finish; exit 1
fi

# the guest's disk: a raw file both nodes see at the same path (the nodes share the host's file
# system, as real nodes share NFS, GFS2 or a SAN), cache='none' as libvirt wants for migration.
# libvirt cannot know that an ext4 path is shared here and refuses the live migration ("Migration
# without shared storage is unsafe"), hence migrate_options=--unsafe on the resource.
# The serial console appends, so every boot on a node stays in its log.
truncate -s 16M "$STATE/$VM-disk.raw"
lvd_domain_xml "$VM" "$GUEST_CACHE/vmlinuz" "$GUEST_CACHE/initrd.gz" |
  sed -e "s|<emulator>.*</emulator>|&\n    <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='$STATE/$VM-disk.raw'/><target dev='vda' bus='virtio'/></disk>|" \
    -e "s|<source path='\([^']*-serial.log\)'/>|<source path='\\1' append='on'/>|" >"$STATE/$VM.xml"
check "domain XML with a virtio disk on $STATE/$VM-disk.raw" grep -q "$VM-disk.raw" "$STATE/$VM.xml"
check "domain XML: the serial log appends" grep -q "append='on'" "$STATE/$VM.xml"

corosync_conf "$STATE/corosync.conf" hc-vmc vmc1="$NET.1" vmc2="$NET.2"

# ---------------------------------------------------------------- 1. the cluster
t_cleanup_push 'all_down'
t_cluster=$(date +%s.%N)
if net_base_up 2>"$STATE/net.err"; then pass "bridge netns $NS_BR, client netns $NS_CL ($CLIENT_IP)"
else fail "bridge and client namespaces" "$(cat "$STATE/net.err")"; finish; exit 1; fi
lvd_config vmc1 5a1d0000-0000-4000-8000-00000000c001 "$NET.1" && lvd_config vmc2 5a1d0000-0000-4000-8000-00000000c002 "$NET.2"
for n in 1 2; do node_state_dirs "$n"; done
for n in 1 2; do
  if node_up "$n" 2>"$STATE/up$n.err"; then
    pass "$(node_of "$n"): netns $(ns_of "$n") ($NET.$n), holder ${HOLDER[$n]}, libvirtd ${LVD_PID[$(node_of "$n")]} (${LVD_READY_MS} ms), corosync, pacemakerd"
  else
    fail "$(node_of "$n") up" "$(cat "$STATE/up$n.err")"; finish; exit 1
  fi
done
check "corosync -t inside vmc1" nx 1 corosync -t -c "$STATE/corosync.conf"
check "vmc1 reaches vmc2 over the bridge" ip netns exec hc-vmc-n1 ping -c 1 -W 2 "$NET.2"
assert_eq "inside vmc1: hostname" vmc1 "$(nx 1 uname -n)"
assert_eq "inside vmc1: qemu:///system is vmc1's own libvirtd (its socket bind-mounted over /run/libvirt)" \
  "$(stat -L -c %i "$(lvd_sock vmc1)")" "$(nx 1 stat -L -c %i /run/libvirt/libvirt-sock 2>&1)"
if wait_until 90 eval 'online_both 1 && online_both 2 && has_dc 1'; then
  pass "both nodes Online with a DC ($(since "$t_cluster") s after the first namespace)"
else
  fail "both nodes Online within 90 s" "$(nx 1 crm_mon -1 2>&1)" "$(cat "$STATE"/n*/pacemakerd.out)"; diag; finish; exit 1
fi
measure "cluster start, namespaces to both nodes Online (s)" "$(since "$t_cluster")"

# ---------------------------------------------------------------- sampler and client
# The sampler asks both daemons for the domain every ~0.25 s: "EPOCH STATE_ON_VMC1 STATE_ON_VMC2"
# (running / paused / shut off / "-" = no such domain / down = daemon not answering).
cat >"$STATE/sampler.sh" <<'EOS'
u1=$1 u2=$2 vm=$3
st() {
  out=$(timeout 5 virsh -q -c "$1" list --all 2>/dev/null) || { echo down; return; }
  out=$(printf '%s\n' "$out" | awk -v d="$vm" '$2 == d { $1 = ""; $2 = ""; sub(/^ +/, ""); gsub(/ /, "_"); print; exit }')
  echo "${out:--}"
}
while :; do
  t=$(date +%s.%N)
  echo "${t%??????} $(st "$u1") $(st "$u2")"
  sleep 0.25
done
EOS
bash "$STATE/sampler.sh" "$(vuri 1)" "$(vuri 2)" "$VM" >"$SAMPLES" 2>&1 </dev/null &
SAMPLER=$!
track_pid "$SAMPLER"
disown "$!"
# The client: one HTTP GET of http://VIP/ every 150 ms (connect and read timeouts 0.3 s), one line
# per attempt: "EPOCH_AT_COMPLETION ok NODE" or "EPOCH fail REASON".
cat >"$STATE/client.py" <<'EOP'
import socket, sys, time
ip = sys.argv[1]
while True:
    t0 = time.time()
    try:
        s = socket.create_connection((ip, 80), timeout=0.3)
        s.settimeout(0.3)
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        res = "ok " + body.decode(errors="replace").strip() if head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0] + b" " else "fail bad-reply"
    except Exception as e:
        res = "fail " + type(e).__name__
    print("%.3f %s" % (time.time(), res), flush=True)
    time.sleep(max(0.0, 0.15 - (time.time() - t0)))
EOP
ip netns exec "$NS_CL" python3 "$STATE/client.py" "$VIP" >"$CLIENT_LOG" 2>&1 </dev/null &
CLIENT=$!
track_pid "$CLIENT"
disown "$!"

# ---------------------------------------------------------------- 2. resources
snapshot "cluster formed, no resources yet"
t_rsc=$(date +%s.%N)
RES_XML="<resources>
  <primitive id=\"vm\" class=\"ocf\" provider=\"hacluster\" type=\"VirtualDomain\">
    <instance_attributes id=\"vm-ia\">
      <nvpair id=\"vm-config\" name=\"config\" value=\"$STATE/$VM.xml\"/>
      <nvpair id=\"vm-hypervisor\" name=\"hypervisor\" value=\"qemu:///system\"/>
      <nvpair id=\"vm-remoteuri\" name=\"remoteuri\" value=\"qemu+unix:///system?socket=$LVD_ROOT/%n/sock/libvirt-sock\"/>
      <nvpair id=\"vm-migrate_options\" name=\"migrate_options\" value=\"--unsafe\"/>
    </instance_attributes>
    <meta_attributes id=\"vm-meta\"><nvpair id=\"vm-allow-migrate\" name=\"allow-migrate\" value=\"true\"/></meta_attributes>
    <operations>
      <op id=\"vm-start\" name=\"start\" interval=\"0\" timeout=\"60s\"/>
      <op id=\"vm-stop\" name=\"stop\" interval=\"0\" timeout=\"40s\"/>
      <op id=\"vm-migrate_to\" name=\"migrate_to\" interval=\"0\" timeout=\"120s\"/>
      <op id=\"vm-migrate_from\" name=\"migrate_from\" interval=\"0\" timeout=\"60s\"/>
      <op id=\"vm-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>
    </operations>
  </primitive>
  <group id=\"svc\">
    <primitive id=\"svc-ip\" class=\"ocf\" provider=\"hacluster\" type=\"IPaddr2\">
      <instance_attributes id=\"svc-ip-ia\">
        <nvpair id=\"svc-ip-ip\" name=\"ip\" value=\"$VIP\"/>
        <nvpair id=\"svc-ip-cidr\" name=\"cidr_netmask\" value=\"24\"/>
        <nvpair id=\"svc-ip-nic\" name=\"nic\" value=\"eth0\"/>
      </instance_attributes>
      <operations><op id=\"svc-ip-monitor\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/></operations>
    </primitive>
    <primitive id=\"svc-web\" class=\"ocf\" provider=\"heartbeat\" type=\"anything\">
      <instance_attributes id=\"svc-web-ia\">
        <nvpair id=\"svc-web-binfile\" name=\"binfile\" value=\"/bin/busybox\"/>
        <nvpair id=\"svc-web-cmdline\" name=\"cmdline_options\" value=\"httpd -f -p $VIP:80 -h /run/hc-vmc-www\"/>
      </instance_attributes>
      <operations><op id=\"svc-web-monitor\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/></operations>
    </primitive>
  </group>
</resources>"
CONS_XML='<constraints>
  <rsc_colocation id="svc-with-vm" rsc="svc" with-rsc="vm" score="INFINITY"/>
  <rsc_location id="vm-prefers-vmc1" rsc="vm" node="vmc1" score="50"/>
</constraints>'
check "cibadmin --replace resources (vm, group svc = svc-ip + svc-web)" nx 1 cibadmin --replace -o resources --xml-text "$RES_XML"
check "cibadmin --replace constraints (svc with vm; vm prefers vmc1)" nx 1 cibadmin --replace -o constraints --xml-text "$CONS_XML"
# the pre-seeded stop-all-resources=true held everything while resources and constraints came in
# one update after the other (else the scheduler places svc before it knows the colocation and
# then moves vm to it); now the whole configuration starts at once
check "stop-all-resources=false (start the configured resources)" nx 1 crm_attribute --type crm_config --name stop-all-resources --update false
if wait_until 90 eval '[ "$(located 1 vm)" = vmc1 ] && [ "$(vm_state 1)" = running ] && [ -n "$(client_first_ok 0 vmc1)" ]'; then
  pass "vm running on vmc1, svc answering the client from vmc1 ($(since "$t_rsc") s)"
else
  fail "vm on vmc1 and the client answered by vmc1 within 90 s" "located: $(located 1 vm)" "vmc1: $(vm_state 1), vmc2: $(vm_state 2)" \
    "$(tail -3 "$CLIENT_LOG")"; diag
fi
assert_eq "svc-ip runs with vm (colocation)" vmc1 "$(located 1 svc-ip)"
assert_eq "vm is not on vmc2's libvirtd" "-" "$(vm_state 2)"
t_boot=$(date +%s.%N)
if wait_until 120 eval 'grep -aq "lv-guest: up" "$(serial 1)" && [ -n "$(lvd_last_tick "$(serial 1)")" ]'; then
  pass "guest booted on vmc1 ('lv-guest: up' and ticks on its serial console, $(since "$t_boot") s after start)"
else
  fail "guest boots on vmc1 within 120 s" "$(tail -5 "$(serial 1)" 2>&1)"
fi
# a few ticks more: the guest then runs its steady loop when it migrates
sleep 2
snapshot "scenario 1: vm and svc started on vmc1"

# ---------------------------------------------------------------- 3. live migration
note "---- scenario 2: crm resource move vm vmc2 (live migration)"
t_move=$(date +%s.%N)
check "crm resource move vm vmc2" nx 1 crm resource move vm vmc2
if wait_until 120 eval '[ "$(located 1 vm)" = vmc2 ] && [ "$(vm_state 2)" = running ] && [ "$(vm_state 1)" = - ] && [ -n "$(client_first_ok "$t_move" vmc2)" ]'; then
  pass "vm moved to vmc2, svc answers from vmc2 ($(since "$t_move") s)"
else
  fail "vm on vmc2 (and gone from vmc1), client answered by vmc2 within 120 s" "located: $(located 1 vm)" "vmc1: $(vm_state 1), vmc2: $(vm_state 2)" "$(tail -3 "$CLIENT_LOG")"; diag
fi
move_s=$(since "$t_move")
measure "crm resource move, command to vm and svc on vmc2 (s)" "$move_s"
vm_ops=$(cat "$(plog 1)" "$(plog 2)" 2>/dev/null | grep -E "Result of [a-z_]+ operation for vm on|VirtualDomain\(vm\)" | grep -v 'probe operation')
assert_match "pacemaker.log: migrate_to of vm on vmc1 succeeded" "Result of migrate_to operation for vm on vmc1: ok" "$vm_ops"
assert_match "pacemaker.log: migrate_from of vm on vmc2 succeeded" "Result of migrate_from operation for vm on vmc2: ok" "$vm_ops"
assert_no_match "pacemaker.log: vm was not started on vmc2 (migrated, not restarted)" "Result of start operation for vm on vmc2" "$vm_ops"
job=$(timeout 10 virsh -c "$(vuri 2)" domjobinfo --completed "$VM" 2>&1)
downtime=$(printf '%s\n' "$job" | awk -F: '/Total downtime:/ { gsub(/[^0-9]/, "", $2); print $2 }')
jobtime=$(printf '%s\n' "$job" | awk -F: '/Time elapsed:/ { gsub(/[^0-9]/, "", $2); print $2 }')
if [ -n "$downtime" ] && [ "$downtime" -lt 2000 ]; then
  pass "live migration downtime $downtime ms (< 2000 ms; libvirt job $jobtime ms)"
else
  fail "live migration downtime known and < 2000 ms" "$job"
fi
measure "live-migration downtime, libvirt job info (ms)" "${downtime:-?}"
measure "live-migration job duration (ms)" "${jobtime:-?}"
assert_ran_on "crm resource move" vmc1 vmc2 "$(serial 1)" "$(serial 2)"
assert_match "on vmc2 the migrated guest has its disk $STATE/$VM-disk.raw" "vda +$STATE/$VM-disk.raw" \
  "$(timeout 10 virsh -c "$(vuri 2)" domblklist "$VM" 2>&1)"
t_moved=$(date +%s.%N)
last_ok=$(client_last_ok_before "$t_move")
first_ok2=$(client_first_ok "$t_move" vmc2)
[ -n "$last_ok" ] && [ -n "$first_ok2" ] && measure "service IP interruption during the move, svc stopped and restarted (s)" "$(sub_s "$first_ok2" "$last_ok")"
check "crm resource clear vm (drop the move constraint)" nx 2 crm resource clear vm
sleep 3
assert_eq "after clear: vm stays on vmc2 (stickiness 100 > preference 50 for vmc1)" vmc2 "$(located 2 vm)"
snapshot "scenario 2: vm live-migrated to vmc2"

# ---------------------------------------------------------------- 4. power cut of the active node
note "---- scenario 3: power cut of vmc2 (every process of it SIGKILLed)"
# the monitors of the new placement have run once: nothing of the move is still in flight
sleep 2
t_kill=$(date +%s.%N)
KILLED=""
node_kill 2
t_killed=$(date +%s.%N)
note "vmc2 killed: $KILLED"
assert_eq "vmc2: no process left in its network namespace" "" "$(netns_pids "${NSINO[2]}")"
if wait_until 60 eval '[ -n "$(client_first_ok "$t_kill" vmc1)" ]'; then
  fo=$(sub_s "$(client_first_ok "$t_kill" vmc1)" "$t_kill")
  if awk -v f="$fo" 'BEGIN { exit !(f <= 20) }'; then pass "after the power cut the client gets vmc1's page after $fo s (<= 20 s)"
  else fail "after the power cut the client gets an answer within 20 s" "took $fo s"; fi
  measure "failover, power cut to the client seeing the service IP answer (s)" "$fo"
else
  fail "after the power cut the client gets an answer from vmc1 within 60 s" "$(tail -5 "$CLIENT_LOG")"; diag
fi
if wait_until 60 eval '[ "$(vm_state 1)" = running ] && [ "$(located 1 vm)" = vmc1 ]'; then
  t_vm=$(awk '$2 == "running" { print $1; exit }' <(awk -v t="$t_kill" '$1 > t' "$SAMPLES"))
  pass "vm restarted on vmc1 (running after $(sub_s "${t_vm:-$(date +%s.%N)}" "$t_kill") s)"
  [ -n "$t_vm" ] && measure "failover, power cut to the VM running on the survivor (s)" "$(sub_s "$t_vm" "$t_kill")"
else
  fail "vm running on vmc1 within 60 s of the power cut" "vmc1: $(vm_state 1)" "$(nx 1 crm_mon -1 2>&1)"; diag
fi
assert_eq "svc-ip on vmc1" vmc1 "$(located 1 svc-ip)"
# corosync's share: from the power cut to the new membership on the survivor (its hires log stamps;
# the default token of 3 s plus the consensus of 3.6 s)
memb=$(grep -a 'A new membership.*Members left' "$(clog 1)" | tail -1 | awk '{ print $1, $2, $3 }')
if [ -n "$memb" ] && t_memb=$(date -d "$memb" +%s.%N 2>/dev/null); then
  measure "failover, power cut to the new Corosync membership (s)" "$(sub_s "$t_memb" "$t_kill")"
fi
# the agents' share: their start operations' exec-time as pacemaker-execd recorded it
vm_exec=$(op_attr 1 vm vm_last_0 exec-time); vm_op=$(op_attr 1 vm vm_last_0 operation)
ip_exec=$(op_attr 1 svc-ip svc-ip_last_0 exec-time); ip_op=$(op_attr 1 svc-ip svc-ip_last_0 operation)
web_exec=$(op_attr 1 svc-web svc-web_last_0 exec-time)
assert_eq "CIB: vmc1's last operation of vm is a start, rc 0" "start 0" "$vm_op $(op_attr 1 vm vm_last_0 rc-code)"
assert_eq "CIB: vmc1's last operation of svc-ip is a start, rc 0" "start 0" "$ip_op $(op_attr 1 svc-ip svc-ip_last_0 rc-code)"
measure "agents' share, VirtualDomain start exec-time (ms)" "${vm_exec:-?}"
measure "agents' share, IPaddr2 start exec-time (ms)" "${ip_exec:-?}"
[ -n "$vm_exec" ] && [ -n "$ip_exec" ] && measure "agents' share, VirtualDomain + IPaddr2 start exec-time (ms)" "$((vm_exec + ip_exec))"
measure "for comparison, ocf:heartbeat:anything (httpd) start exec-time (ms)" "${web_exec:-?}"
snapshot "scenario 3: vmc2 powered off, vm and svc recovered on vmc1"
t_boot=$(date +%s.%N)
if wait_until 120 eval '[ "$(grep -ac "lv-guest: up" "$(serial 1)")" -ge 2 ]'; then
  pass "the restarted guest booted on vmc1 ($(since "$t_boot") s more)"
else
  fail "the restarted guest boots on vmc1 within 120 s" "$(tail -5 "$(serial 1)" 2>&1)"
fi

# ---------------------------------------------------------------- 5. rejoin
note "---- scenario 4: vmc2 boots again and rejoins"
t_rejoin=$(date +%s.%N)
if node_up 2 2>"$STATE/up2b.err"; then pass "vmc2 restarted: new holder ${HOLDER[2]}, libvirtd ${LVD_PID[vmc2]}, corosync, pacemakerd"
else fail "vmc2 restarted" "$(cat "$STATE/up2b.err")"; fi
if wait_until 90 eval 'online_both 1 && online_both 2'; then
  rj=$(since "$t_rejoin")
  pass "vmc2 Online again on both nodes' view ($rj s)"
  measure "rejoin, restart of the killed node to Online (s)" "$rj"
else
  fail "vmc2 Online again within 90 s" "$(nx 1 crm_mon -1 2>&1)"; diag
fi
# probes and two monitor intervals on the rejoined node
sleep 12
assert_eq "after rejoin: vm stays on vmc1 (stickiness)" vmc1 "$(located 1 vm)"
assert_eq "after rejoin: svc-ip stays on vmc1" vmc1 "$(located 1 svc-ip)"
assert_eq "after rejoin: vmc2's libvirtd has no domain" "-" "$(vm_state 2)"
# a single slow answer on a loaded machine is no interruption: the longest time between two answers
# (normally ~0.15 s) must stay under 2 s
gap=$(awk -v t="$t_rejoin" '$1 > t && $2 == "ok" && $3 == "vmc1" { if (l != "" && $1 - l > g) g = $1 - l; l = $1; n++ } END { printf "%.2f %d", g, n }' "$CLIENT_LOG")
if [ "${gap#* }" -gt 20 ] && awk -v g="${gap% *}" 'BEGIN { exit !(g < 2) }'; then
  pass "after rejoin: the client kept being answered from vmc1 (${gap#* } answers, longest gap ${gap% *} s)"
else
  fail "after rejoin: the client kept being answered (> 20 answers, longest gap < 2 s)" "answers: ${gap#* }, longest gap: ${gap% *} s" \
    "$(awk -v t="$t_rejoin" '$1 > t && $2 != "ok"' "$CLIENT_LOG" | head -5)"
fi
assert_no_match "pacemaker.log of both nodes: nothing 'active on 2 nodes'" "active on 2 nodes" "$(cat "$(plog 1)" "$(plog 2)" 2>/dev/null)"
fc=$(nx 1 crm_mon -1 -f 2>&1)
assert_no_match "crm_mon -1 -f: no failed resource actions" "Failed Resource Actions" "$fc"
snapshot "scenario 4: vmc2 rejoined, resources stayed on vmc1"

# ---------------------------------------------------------------- 6. the placement invariant
# "Running" = libvirt's state "running" (vCPUs executing). During a live migration the destination
# holds a *paused* incoming domain until the source has stopped its vCPUs and sent the last pages;
# that is the one moment the VM legitimately exists on both libvirtds, so a paused copy does not
# count. Both daemons in one sample are asked one after the other (a few ms apart): a sample with
# "running" on both would mean two copies executing, i.e. a split brain of the guest.
stop_bg
samples=$(wc -l <"$SAMPLES")
both=$(awk '$2 == "running" && $3 == "running"' "$SAMPLES")
both_present=$(awk '($2 == "running" || $2 == "paused") && ($3 == "running" || $3 == "paused")' "$SAMPLES" | wc -l)
# the sampler must really have looked while it mattered: during the migration and the failover
mig_samples=$(awk -v a="$t_move" -v b="$t_moved" '$1 >= a && $1 <= b' "$SAMPLES" | wc -l)
fo_samples=$(awk -v a="$t_kill" -v b="$t_rejoin" '$1 >= a && $1 <= b' "$SAMPLES" | wc -l)
if [ "$mig_samples" -ge 5 ] && [ "$fo_samples" -ge 5 ]; then
  pass "sampler covered the migration ($mig_samples samples) and the failover ($fo_samples samples)"
else
  fail "sampler covered the migration and the failover (>= 5 samples each)" "migration: $mig_samples, failover: $fo_samples"
fi
if [ "$samples" -gt 100 ]; then pass "sampler: $samples samples of both libvirtds ($(head -1 "$SAMPLES" | cut -d' ' -f1) .. $(tail -1 "$SAMPLES" | cut -d' ' -f1))"
else fail "sampler took more than 100 samples" "$(tail -5 "$SAMPLES")"; fi
assert_eq "invariant: the VM was never running on both nodes in one sample" "" "$both"
note "samples with the domain present (running or paused) on both nodes: $both_present (migration: paused incoming domain)"
rejoined_bad=$(awk -v t="$t_rejoin" '$1 > t { r = ($2 == "running") + ($3 == "running"); if (r != 1) print }' "$SAMPLES")
assert_eq "invariant: after the rejoin the VM runs exactly once in every sample" "" "$rejoined_bad"
kill_bad=$(awk -v t="$t_killed" -v r="$t_rejoin" '$1 > t && $1 < r && $3 != "down"' "$SAMPLES" | head -3)
assert_eq "while vmc2 was off, its libvirtd never answered (a real power cut)" "" "$kill_bad"

# ---------------------------------------------------------------- 7. teardown
note "---- teardown"
t_down=$(date +%s.%N)
check "stop-all-resources=true" nx 1 crm_attribute --type crm_config --name stop-all-resources --update true
if wait_until 90 eval '[ -z "$(located 1 vm)" ] && [ -z "$(located 1 svc-ip)" ] && [ -z "$(located 1 svc-web)" ]'; then
  pass "every resource stopped ($(since "$t_down") s)"
else
  fail "every resource stopped within 90 s" "$(nx 1 crm_mon -1 2>&1)"
fi
assert_match "the guest powered itself off (graceful stop by ACPI)" 'lv-guest: power button .* -> poweroff' "$(cat "$(serial 1)" 2>&1)"
node_down 2 assert
node_down 1 assert
all_down
for ns in hc-vmc-n1 hc-vmc-n2 "$NS_CL" "$NS_BR"; do
  assert_eq "netns $ns deleted" "" "$(netns_inode "$ns")"
done
left_ns=$(ip netns list 2>/dev/null | grep -o '^hc-vmc[^ ]*')
assert_eq "no hc-vmc network namespace left" "" "$left_ns"
left=""
for p in "${!T_PIDS[@]}"; do pid_alive "$p" && left="$left $p"; done
assert_eq "no recorded process left (holders, daemons, qemu, sampler, client)" "" "$left" "$(for p in $left; do ps -o pid,args -p "$p"; done)"
mnt=$(grep -l -F -e "$STATE" -e hc-pcmk-vmc /proc/[0-9]*/mountinfo 2>/dev/null)
assert_eq "no mount of this run left in any process" "" "$mnt"
# any process naming the state dir (qemu's disk, libvirtd's pid file, corosync's config), recorded or
# not; the bracket keeps this grep's own command line from matching
strays=$(grep -l "${STATE%?}[${STATE: -1}]" /proc/[0-9]*/cmdline 2>/dev/null)
assert_eq "no process with the run's state dir in its command line" "" "$strays" \
  "$(for f in $strays; do tr '\0' ' ' 2>/dev/null <"$f"; echo; done)"
assert_eq "root network namespace addresses unchanged" "$ROOT_BEFORE" "$(root_addrs)"
note "teardown took $(since "$t_down") s"

if [ "$DEMO" = 1 ]; then
  note "---- summary"
  printf '#   %-72s %s\n' measurement value
  for m in "${MEASURED[@]}"; do printf '#   %-72s %s\n' "${m%%|*}" "${m#*|}"; done
fi
[ "$T_FAIL" -gt 0 ] && [ "${VMC_KEEP:-0}" != 1 ] && note "(VMC_KEEP=1 keeps logs, CIBs and samples)"
finish
