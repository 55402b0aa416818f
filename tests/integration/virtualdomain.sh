#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/virtualdomain.sh
#
# ocf:hacluster:VirtualDomain against real libvirt daemons this script starts (libvirt/README.md):
#   solo   libvirtd in its own mount + anonymous network namespace: the test driver
#          (test+unix:///default?socket=..., a holder connection keeps its state) for the lifecycle,
#          the probe rule, hostile values; a qemu TCG no-OS guest (ignores ACPI) for the escalation
#          of stop to destroy; the same with the daemon frozen (SIGSTOP) for the emulator-process
#          fallback of monitor and stop
#   fake   a scripted daemon (libvirt/fake-libvirtd.py) reporting a state no libvirt enum has
#   a, b   two libvirtd "hosts" in network namespaces hc-vd-a-PID / hc-vd-b-PID joined by a veth
#          (198.51.100.1/24, 198.51.100.2/24; nothing in the root namespace): a TCG Linux guest
#          (kernel + busybox initramfs, libvirt/guest-image.sh, cached in
#          /var/cache/hacluster-tests) live-migrated A -> B -> A through migrate_to / migrate_from,
#          then stopped gracefully (ACPI power button, not destroyed)
# The agent runs as Pacemaker would: env -i OCF_ROOT=... OCF_RESKEY_...=... AGENT ACTION, from the
# root namespace (the daemons' sockets are plain files under the temp dir), with CIB_file= a
# private offline CIB so no crm_* call reaches a cluster on this machine.
# Knob: VD_AGENT (default: the installed /usr/lib/ocf/resource.d/hacluster/VirtualDomain), e.g. the
# shell agent /usr/lib/ocf/resource.d/heartbeat/VirtualDomain for comparison (it fails the cases
# that need bounded waits: migrate_from and the frozen daemon). Every daemon, guest, namespace and
# temp dir is removed again, by recorded PID, also on Ctrl-C and failure. Takes ~1-2 min.
# Prints "virtualdomain: N passed, N failed"; exit 1 on failures, 2 on missing prerequisites.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/libvirt/lib-libvirt.sh
. "$HERE/libvirt/lib-libvirt.sh"
t_init virtualdomain
require_root || { echo "virtualdomain: 0 passed, 1 failed"; exit 2; }
if ! require_tools /usr/sbin/libvirtd virsh /usr/bin/qemu-system-x86_64 \
  /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so /bin/busybox cpio \
  ip unshare nsenter timeout python3 xmllint awk sed grep; then
  fail "prerequisites: libvirt daemon + qemu driver, virsh, qemu-system-x86, busybox-static, cpio (see above)"
  finish; exit 2
fi

AGENT=${VD_AGENT:-/usr/lib/ocf/resource.d/hacluster/VirtualDomain}
GUEST_CACHE=${VD_GUEST_CACHE:-/var/cache/hacluster-tests/guest-v1}
NS_A=hc-vd-a-$$
NS_B=hc-vd-b-$$
RSC=hc-vd
PWNED=/tmp/hc-vd-pwned-$$
FAKE_PID=""

t_traps
TMP=$(mktemp -d /tmp/hc-virtualdomain.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"; rm -f "$PWNED" /hc-vd-pwned-name'
LVD_ROOT=$TMP/lv
mkdir -p "$TMP/rsc" "$TMP/xml" "$LVD_ROOT"
lvd_offline_cib "$RSC" >"$TMP/cib.xml"

if [ ! -x "$AGENT" ]; then
  fail "agent installed at $AGENT" "$(ls -la "$(dirname "$AGENT")" 2>&1)"
  finish; exit 1
fi
note "agent: $AGENT"

# ---------------------------------------------------------------- helpers
# the agent: ra ACTION [KEY=VALUE...] (lib.sh) with a clean environment, as pacemaker-execd runs it;
# the fixture's RA_PARAMS come first (later ones win); monitor gets CRM_meta_interval=10000 unless
# given (a probe passes CRM_meta_interval=0); a hung agent is killed after RA_LIMIT seconds (and
# then fails its case)
RA_AGENT=$AGENT
RA_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
  OCF_ROOT=/usr/lib/ocf "OCF_RESOURCE_INSTANCE=$RSC" "HA_RSCTMP=$TMP/rsc" "CIB_file=$TMP/cib.xml"
  HA_LOGFACILITY=daemon "HA_LOGFILE=$TMP/agent.log" OCF_RESKEY_CRM_meta_timeout=20000)
RA_MONITOR_PARAMS=(CRM_meta_interval=10000)
RA_LIMIT=90
RA_CWD=$TMP
# dstate URI DOMAIN: "running", "shut off", "paused"... "absent" when libvirt says it has no such
# domain, else "error: ..." (an unreachable daemon must not pass for a stopped domain)
dstate() {
  local out
  if out=$(timeout 10 virsh -q -c "$1" domstate "$2" 2>&1); then echo "$out" | head -1; return 0; fi
  case $out in
    *"failed to get domain"* | *"Domain not found"*) echo absent ;;
    *) echo "error: $(echo "$out" | tr '\n' ' ')" ;;
  esac
}
# listed URI DOMAIN: the domain appears in virsh list --all
listed() { timeout 10 virsh -q -c "$1" list --all --name 2>/dev/null | grep -qxF "$2"; }

# ---------------------------------------------------------------- daemons and namespaces
ROOT_BEFORE=$(root_addrs)
netns_create "$NS_A" "$NS_B" || exit 2
t_cleanup_push 'lvd_stop solo; lvd_stop a; lvd_stop b; [ -n "$FAKE_PID" ] && kill_pid "$FAKE_PID" TERM 2'

t0=$(date +%s.%N)
if img_out=$("$HERE/libvirt/guest-image.sh" "$GUEST_CACHE" 2>&1) && [ -s "$GUEST_CACHE/vmlinuz" ] && [ -s "$GUEST_CACHE/initrd.gz" ]; then
  pass "Linux guest image: $(tail -1 <<<"$img_out") ($(since "$t0") s)"
else
  fail "Linux guest image in $GUEST_CACHE" "$img_out" "$(ls -la "$GUEST_CACHE" 2>&1)"
fi

net_out=$(
  set -e
  exec 2>&1
  netns_veth "$NS_A" vda0 "$NS_B" vdb0 198.51.100.1/24 198.51.100.2/24
)
net_rc=$?
if [ "$net_rc" = 0 ]; then pass "namespaces $NS_A (198.51.100.1) and $NS_B (198.51.100.2) joined by veth vda0/vdb0"
else fail "namespaces $NS_A and $NS_B with veth vda0/vdb0" "$net_out"; fi

started_ok=1
lvd_config solo 5a1d0000-0000-4000-8000-0000000000d1 &&
  lvd_config a 5a1d0000-0000-4000-8000-0000000000da 198.51.100.1 &&
  lvd_config b 5a1d0000-0000-4000-8000-0000000000db 198.51.100.2 || started_ok=0
for spec in solo: a:"$NS_A" b:"$NS_B"; do
  name=${spec%%:*} ns=${spec#*:}
  if lvd_start "$name" "$ns" 2>"$TMP/lvd-$name.err"; then
    pass "libvirtd $name${ns:+ in $ns} answers (${LVD_READY_MS} ms, pid ${LVD_PID[$name]})"
  else
    started_ok=0
    fail "libvirtd $name${ns:+ in $ns} answers" "$(cat "$TMP/lvd-$name.err")"
  fi
done
if [ "$started_ok" = 0 ]; then finish; exit 1; fi
check "test driver holder connection on solo keeps state (built-in domain 'test' stays shut off)" lvd_holder solo
lvd_events solo
lvd_events a
lvd_events b
SOLO_Q=$(lvd_qemu_uri solo)
SOLO_T=$(lvd_test_uri solo)
A_Q=$(lvd_qemu_uri a)
B_Q=$(lvd_qemu_uri b)

# ---------------------------------------------------------------- Linux guest on A, booting meanwhile
# It needs ~15 s of TCG to boot; the test-driver and no-OS cases run while it does.
lvd_domain_xml vdl1 "$GUEST_CACHE/vmlinuz" "$GUEST_CACHE/initrd.gz" >"$TMP/xml/vdl1.xml"
SER_A=$(lvd_base a)/log/qemu/vdl1-serial.log
SER_B=$(lvd_base b)/log/qemu/vdl1-serial.log
RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$A_Q")
ra start CRM_meta_timeout=90000
expect "Linux guest: start on A" 0
T_LINUX_START=$(date +%s.%N)
assert_eq "Linux guest: virsh on A says running" running "$(dstate "$A_Q" vdl1)"

# ---------------------------------------------------------------- test driver
echo "# ---- test driver ($SOLO_T)"
lvd_domain_xml vdt1 >"$TMP/xml/vdt1.xml"
RA_PARAMS=("config=$TMP/xml/vdt1.xml" "hypervisor=$SOLO_T")

ra meta-data
expect "meta-data" 0
md_check=$(printf '%s\n' "$OUT" | xmllint --noout - 2>&1 && printf '%s\n' "$OUT" | grep -c '<parameter name="\(config\|hypervisor\|force_stop\|migration_transport\|remoteuri\)"')
assert_eq "meta-data: well-formed XML declaring config, hypervisor, force_stop, migration_transport, remoteuri" 5 "$md_check" "$OUT"

ra validate-all
expect "validate-all" 0
ra monitor CRM_meta_interval=0
expect "probe of the stopped (never defined) domain" 7
ra start
expect "start" 0
assert_eq "start: virsh says running" running "$(dstate "$SOLO_T" vdt1)"
ra monitor
expect "monitor of the running domain" 0
ra monitor CRM_meta_interval=0
expect "probe of the running domain" 0
ra start
expect "start again (already running)" 0
assert_eq "start again: still one running domain" "vdt1" "$(timeout 10 virsh -q -c "$SOLO_T" list --name | grep -x 'vdt1' | tr '\n' ' ' | sed 's/ $//')"
ra stop
expect "stop" 0
assert_eq "stop: the transient domain is gone" absent "$(dstate "$SOLO_T" vdt1)" "$(virsh -c "$SOLO_T" list --all 2>&1)"
ra stop
expect "stop again (already stopped)" 0
ra monitor
expect "monitor after stop" 7
ra monitor CRM_meta_interval=0
expect "probe after stop" 7
# what ocf-tester does: migrate_from although nothing migrated here (the shell agent waits forever)
RA_LIMIT=20
ra migrate_from CRM_meta_timeout=5000 CRM_meta_migrate_source=hostA CRM_meta_migrate_target=hostB
RA_LIMIT=90
expect_within "migrate_from of a domain that never arrives: bounded by CRM_meta_timeout=5000" 5
assert_ne "migrate_from of a domain that never arrives: not success" 0 "$RC" "$OUT"

# utilization: a monitor puts the domain's vCPUs and memory into the resource's utilization (the
# default autoset_utilization_*=true); the offline CIB starts with wrong values
util() { CIB_file=$TMP/cib.xml crm_resource --resource="$RSC" --utilization --get-parameter="$1" 2>&1; }
CIB_file=$TMP/cib.xml crm_resource --resource="$RSC" --utilization --set-parameter=cpu --parameter-value=9 >/dev/null 2>&1
CIB_file=$TMP/cib.xml crm_resource --resource="$RSC" --utilization --set-parameter=host_memory --parameter-value=999 >/dev/null 2>&1
assert_eq "utilization: the offline CIB starts with cpu=9" 9 "$(util cpu)"
ra start
expect "start (for utilization)" 0
ra monitor
expect "monitor (utilization on)" 0
assert_eq "utilization: monitor set cpu to the domain's 1 vCPU" 1 "$(util cpu)"
assert_eq "utilization: monitor set host_memory to the domain's 128 MiB" 128 "$(util host_memory)"
assert_eq "utilization: monitor set hv_memory to the domain's 128 MiB" 128 "$(util hv_memory)"

# the configuration disappears while the domain runs (shared storage unmounted under it): the
# domain must still be found, or a probe would report it stopped and Pacemaker start it twice
mv "$TMP/xml/vdt1.xml" "$TMP/xml/vdt1.xml.away"
ra monitor CRM_meta_interval=0
expect "config file gone while running: probe still finds the domain" 0
ra stop
expect "config file gone while running: stop" 0
assert_eq "config file gone while running: stop really stopped it" absent "$(dstate "$SOLO_T" vdt1)"
mv "$TMP/xml/vdt1.xml.away" "$TMP/xml/vdt1.xml"

# parameters changed to invalid values while the domain runs: a stop that fails gets the node
# fenced, so it still stops the domain (the values count only for the start)
for bad in "migration_speed=fast" "force_stop=true snapshot=$TMP/snapshots"; do
  ra start
  expect "start (for a stop with invalid parameters: $bad)" 0
  read -ra bad_kv <<<"$bad"
  ra validate-all "${bad_kv[@]}"
  expect "validate-all with $bad" 6 '.'
  ra stop "${bad_kv[@]}"
  expect "stop with invalid parameters ($bad)" 0
  assert_eq "stop with invalid parameters ($bad): the domain is gone" absent "$(dstate "$SOLO_T" vdt1)"
done

# a paused domain is still active: Pacemaker must not start it elsewhere
ra start
expect "start (for pause)" 0
virsh -q -c "$SOLO_T" suspend vdt1 >/dev/null 2>&1
assert_eq "virsh suspend: paused" paused "$(dstate "$SOLO_T" vdt1)"
ra monitor
expect "monitor of a paused domain" 0
ra stop
expect "stop of a paused domain" 0
assert_eq "stop of a paused domain: gone" absent "$(dstate "$SOLO_T" vdt1)"

# the configuration on shared storage that is not mounted (here: not there)
mv "$TMP/xml/vdt1.xml" "$TMP/xml/vdt1.xml.away"
ra monitor CRM_meta_interval=0
expect "config file missing: probe" 7
ra stop
expect "config file missing: stop" 0
ra start
expect "config file missing: start" 5 '.'
mv "$TMP/xml/vdt1.xml.away" "$TMP/xml/vdt1.xml"
assert_eq "config file missing: nothing was started" absent "$(dstate "$SOLO_T" vdt1)"

# hostile values: taken literally, never given to a shell; a refusal names a reason
long=$(printf '/tmp/%04096d.xml' 0)
declare -a HOSTILE=(
  "\$(touch $PWNED)"
  "/tmp/hc-vd-none.xml;touch $PWNED"
  "/tmp/hc-vd-none.xml
touch $PWNED"
  "$long"
  "/tmp/hc-vd-ünïcødé-€-none.xml"
  "\`touch $PWNED\`"
)
HOSTILE_LABEL=("\$(touch X)" "; touch X" "newline + touch X" "4 KiB path" "non-ASCII missing path" "backquotes")
for i in "${!HOSTILE[@]}"; do
  v=${HOSTILE[$i]}
  for action in validate-all start; do
    ra "$action" "config=$v"
    case $RC in
      5 | 6) pass "hostile config (${HOSTILE_LABEL[$i]}): $action exits $RC" ;;
      *) fail "hostile config (${HOSTILE_LABEL[$i]}): $action exits 5 or 6" "exit $RC" "output:" "$OUT" ;;
    esac
    assert_ne "hostile config (${HOSTILE_LABEL[$i]}): $action has an ocf-exit-reason" "" "$REASON" "$OUT"
  done
done
for i in 0 2 5; do
  ra validate-all "hypervisor=${HOSTILE[$i]}"
  case $RC in
    5 | 6) pass "hostile hypervisor (${HOSTILE_LABEL[$i]}): validate-all exits $RC" ;;
    *) fail "hostile hypervisor (${HOSTILE_LABEL[$i]}): validate-all exits 5 or 6" "exit $RC" "output:" "$OUT" ;;
  esac
  assert_ne "hostile hypervisor (${HOSTILE_LABEL[$i]}): has an ocf-exit-reason" "" "$REASON" "$OUT"
done
assert_eq "no hostile value reached a shell ($PWNED never created)" absent "$([ -e "$PWNED" ] && echo exists || echo absent)"
# a config path that is no regular file (reading a FIFO blocks until a writer comes, /dev/zero never
# ends), a directory, an empty file: refused (5 or 6) at once
mkfifo "$TMP/xml/fifo.xml"
: >"$TMP/xml/empty.xml"
RA_LIMIT=20
for v in "$TMP/xml/fifo.xml" /dev/zero "$TMP/xml" "$TMP/xml/empty.xml"; do
  for action in validate-all start; do
    ra "$action" "config=$v"
    case $RC in
      5 | 6) pass "config=$v (no usable file): $action exits $RC" ;;
      *) fail "config=$v (no usable file): $action exits 5 or 6" "exit $RC after $EL s" "output:" "$OUT" ;;
    esac
    expect_within "config=$v (no usable file): $action does not block" 3
  done
done
RA_LIMIT=90
# a hostile domain name inside the file is a name, not a command (libvirt refuses '/' in names, so
# the command is relative: it would create the file in the agent's cwd, $TMP, or the daemon's, /)
HNAME="vd\$(touch hc-vd-pwned-name);x"
sed "s|<name>vdt1</name>|<name>$HNAME</name>|" "$TMP/xml/vdt1.xml" >"$TMP/xml/hostile-name.xml"
RA_SAVED=("${RA_PARAMS[@]}")
RA_PARAMS=("config=$TMP/xml/hostile-name.xml" "hypervisor=$SOLO_T")
ra start
expect "domain name '$HNAME' in the config file: start" 0
assert_eq "domain name '$HNAME': running under exactly that name" running "$(dstate "$SOLO_T" "$HNAME")"
ra monitor
expect "domain name '$HNAME': monitor" 0
ra stop
expect "domain name '$HNAME': stop" 0
assert_eq "domain name '$HNAME': gone" absent "$(dstate "$SOLO_T" "$HNAME")"
RA_PARAMS=("${RA_SAVED[@]}")
assert_eq "the hostile domain name reached no shell (hc-vd-pwned-name in neither $TMP nor /)" absent \
  "$([ -e "$TMP/hc-vd-pwned-name" ] || [ -e /hc-vd-pwned-name ] && echo exists || echo absent)"
# a real configuration at a non-ASCII path works like any other
cp "$TMP/xml/vdt1.xml" "$TMP/xml/vdt1-ünïcødé.xml"
ra validate-all "config=$TMP/xml/vdt1-ünïcødé.xml"
expect "config at a non-ASCII path: validate-all" 0

# no libvirtd at all on this node (its socket is missing) and no emulator: a probe must say "not
# running" quickly, and a stop has nothing to do
RA_PARAMS=("config=$TMP/xml/vdt1.xml" "hypervisor=qemu+unix:///system?socket=$TMP/no-such-daemon.sock")
ra monitor CRM_meta_interval=0 CRM_meta_timeout=20000
expect "no libvirtd socket: probe" 7
expect_within "no libvirtd socket: probe is quick" 3
ra stop CRM_meta_timeout=20000
expect "no libvirtd socket, no emulator: stop" 0
expect_within "no libvirtd socket: stop is quick" 5

# ---------------------------------------------------------------- a state no libvirt enum has
echo "# ---- unknown domain state (scripted daemon)"
# fake_start NAME STATE: the scripted daemon on $TMP/NAME.sock, reporting domain vdt1 in STATE
fake_start() {
  python3 "$HERE/libvirt/fake-libvirtd.py" "$TMP/$1.sock" vdt1 "$2" >"$TMP/$1.log" 2>&1 </dev/null &
  FAKE_PID=$!
  track_pid "$FAKE_PID"
  wait_until 5 test -S "$TMP/$1.sock" && return 0
  fail "scripted daemon listens on $TMP/$1.sock" "$(cat "$TMP/$1.log")"
  return 1
}
fake_stop() { kill_pid "$FAKE_PID" TERM 2; FAKE_PID=""; }
if fake_start fake 42; then
  RA_PARAMS=("config=$TMP/xml/vdt1.xml" "hypervisor=test+unix:///default?socket=$TMP/fake.sock")
  ra monitor CRM_meta_timeout=5000
  expect_within "state 42: monitor (CRM_meta_timeout=5000) does not loop" 5
  # the agent's documented rule: a state it does not know means the domain exists and has not
  # stopped, so it counts as running (no second start elsewhere), with a warning naming the state
  assert_eq "state 42: monitor counts the existing domain as running" 0 "$RC" "command: $CMD" "$OUT"
  assert_match "state 42: the agent logs a warning naming state 42" 'WARN.*state 42' "$(cat "$TMP/agent.log" 2>&1)"
  ra monitor CRM_meta_interval=0 CRM_meta_timeout=5000
  expect_within "state 42: probe (CRM_meta_timeout=5000) does not loop" 5
  note "state 42: probe exit $RC${REASON:+ ($REASON)}"
  ra stop CRM_meta_timeout=5000
  expect_within "state 42: stop (CRM_meta_timeout=5000) does not loop" 5
  note "state 42: stop exit $RC${REASON:+ ($REASON)}"
  assert_match "state 42: the agent asked the scripted daemon for the state" '^(212|16)$' "$(cat "$TMP/fake.sock.calls" 2>&1)"
fi
fake_stop
# NOSTATE (0), what a migration target may report while the domain is being set up: the shell agent
# retries "no state" until the deadline; it must count as running at once
if fake_start fake0 0; then
  RA_PARAMS=("config=$TMP/xml/vdt1.xml" "hypervisor=test+unix:///default?socket=$TMP/fake0.sock")
  ra monitor CRM_meta_timeout=5000
  expect "state 0 (NOSTATE): monitor counts the domain as running" 0
  expect_within "state 0 (NOSTATE): monitor does not wait for a state" 2
fi
fake_stop

# ---------------------------------------------------------------- qemu TCG no-OS guest: escalation
echo "# ---- qemu no-OS guest ($SOLO_Q)"
lvd_domain_xml vdq1 >"$TMP/xml/vdq1.xml"
RA_PARAMS=("config=$TMP/xml/vdq1.xml" "hypervisor=$SOLO_Q")
ra monitor CRM_meta_interval=0
expect "no-OS guest: probe" 7
ra start
expect "no-OS guest: start" 0
assert_eq "no-OS guest: virsh says running" running "$(dstate "$SOLO_Q" vdq1)"
ra monitor
expect "no-OS guest: monitor" 0
QPID=$(lvd_qemu_pid solo vdq1)
[ -n "$QPID" ] && track_pid "$QPID"
ra stop CRM_meta_timeout=10000
expect "no-OS guest (ignores ACPI): stop with CRM_meta_timeout=10000" 0
expect_within "no-OS guest: stop escalates to destroy before the deadline" 10
assert_eq "no-OS guest: gone after stop" absent "$(dstate "$SOLO_Q" vdq1)"
assert_eq "no-OS guest: qemu process gone after stop" gone "$([ -n "$QPID" ] && pid_alive "$QPID" && echo alive || echo gone)"
wait_until 3 grep -q "vdq1.*Stopped" "$(lvd_base solo)/events.log"
assert_match "no-OS guest: libvirt saw a destroy (event 'Stopped Destroyed')" "'vdq1'.*Stopped Destroyed" "$(cat "$(lvd_base solo)/events.log")"

# force_stop: destroy at once, no graceful attempt
ra start
expect "no-OS guest: start (for force_stop)" 0
# with CRM_meta_timeout=30000 a graceful attempt would wait ~25 s; a destroy takes 1-2 s (more under load)
ra stop force_stop=true CRM_meta_timeout=30000
expect "no-OS guest: stop with force_stop=true" 0
expect_within "no-OS guest: force_stop destroys without waiting for a shutdown" 10
assert_eq "no-OS guest: gone after the forced stop" absent "$(dstate "$SOLO_Q" vdq1)"
# shutdown_mode=agent without a guest agent: libvirt refuses the request, so there is nothing to wait for
ra start
expect "no-OS guest: start (for shutdown_mode=agent)" 0
ra stop shutdown_mode=agent CRM_meta_timeout=30000
expect "no-OS guest: stop with shutdown_mode=agent (no guest agent)" 0
expect_within "no-OS guest: a refused shutdown request goes straight to destroy" 10
assert_eq "no-OS guest: gone after the refused shutdown" absent "$(dstate "$SOLO_Q" vdq1)"

# ---------------------------------------------------------------- frozen libvirtd
echo "# ---- libvirtd frozen (SIGSTOP) with a running no-OS guest"
lvd_domain_xml vdq2 >"$TMP/xml/vdq2.xml"
RA_PARAMS=("config=$TMP/xml/vdq2.xml" "hypervisor=$SOLO_Q")
ra start
expect "frozen daemon: start (daemon still running)" 0
ra monitor
expect "frozen daemon: monitor before the freeze" 0
QPID=$(lvd_qemu_pid solo vdq2)
SOLO_PID=${LVD_PID[solo]}
if [ -n "$QPID" ] && track_pid "$QPID" && pid_alive "$SOLO_PID"; then
  RA_LIMIT=20     # an agent that waits for the frozen daemon would otherwise cost 90 s per action
  kill -STOP "$SOLO_PID"
  # the stop takes effect asynchronously, once every thread has seen it
  wait_until 3 eval '[ "$(awk "{print \$3}" "/proc/$SOLO_PID/stat")" = T ]'
  assert_eq "frozen daemon: libvirtd $SOLO_PID is stopped (T)" T "$(awk '{print $3}' "/proc/$SOLO_PID/stat")"
  ra monitor CRM_meta_timeout=5000
  expect "frozen daemon: monitor (emulator process check)" 0
  expect_within "frozen daemon: monitor returns before its deadline" 5
  ra monitor CRM_meta_interval=0 CRM_meta_timeout=5000
  expect "frozen daemon: probe (emulator process check)" 0
  expect_within "frozen daemon: probe returns before its deadline" 5
  ra stop CRM_meta_timeout=10000
  expect "frozen daemon: stop" 0
  expect_within "frozen daemon: stop returns before its deadline" 10
  assert_eq "frozen daemon: qemu $QPID gone after stop (at most a zombie for libvirtd to reap)" gone \
    "$(pid_alive "$QPID" && echo alive || echo gone)" "$(ps -o pid,stat,args -p "$QPID" 2>&1)"
  # daemon still frozen, emulator gone: a probe says stopped, a recurring monitor cannot know
  ra monitor CRM_meta_interval=0 CRM_meta_timeout=5000
  expect "frozen daemon, no emulator: probe" 7
  expect_within "frozen daemon, no emulator: probe returns before its deadline" 5
  ra monitor CRM_meta_timeout=5000
  expect "frozen daemon, no emulator: recurring monitor fails (Pacemaker recovers)" 1 'libvirtd'
  expect_within "frozen daemon, no emulator: monitor returns before its deadline" 5
  kill -CONT "$SOLO_PID"
  if wait_until 15 eval '! listed "$SOLO_Q" vdq2'; then
    pass "frozen daemon: after SIGCONT libvirtd agrees, vdq2 is gone"
  else
    fail "frozen daemon: after SIGCONT libvirtd agrees that vdq2 is gone" "$(virsh -c "$SOLO_Q" list --all 2>&1)"
  fi
  RA_LIMIT=90
  ra monitor
  expect "frozen daemon: monitor after SIGCONT" 7
else
  fail "frozen daemon: qemu pid of vdq2 known and libvirtd running" "qemu pid: ${QPID:-none}" "$(virsh -c "$SOLO_Q" list --all 2>&1)"
fi

# ---------------------------------------------------------------- live migration A -> B -> A
echo "# ---- live migration between $NS_A and $NS_B"
if wait_until 120 grep -aq 'lv-guest: up' "$SER_A"; then
  pass "Linux guest: 'lv-guest: up' on A's serial console after $(since "$T_LINUX_START") s"
else
  fail "Linux guest: 'lv-guest: up' on A's serial console within 120 s" "$(tail -5 "$SER_A" 2>&1)"
fi
wait_until 5 eval '[ -n "$(lvd_last_tick "$SER_A")" ]'

# migrate SRC_NAME SRC_URI SRC_HOST DST_NAME DST_URI DST_HOST SRC_SERIAL DST_SERIAL
migrate() {
  local sn=$1 su=$2 sh=$3 dn=$4 du=$5 dh=$6 ss=$7 ds=$8 job
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$su")
  ra migrate_to "remoteuri=$du" "CRM_meta_migrate_target=$dh" "CRM_meta_migrate_source=$sh" CRM_meta_timeout=120000
  expect "migrate_to on $sn ($sh -> $dh)" 0
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$du")
  ra migrate_from "CRM_meta_migrate_target=$dh" "CRM_meta_migrate_source=$sh" CRM_meta_timeout=60000
  expect "migrate_from on $dn" 0
  assert_eq "after migration: running on $dn" running "$(dstate "$du" vdl1)"
  assert_eq "after migration: gone from $sn" absent "$(dstate "$su" vdl1)"
  job=$(timeout 10 virsh -c "$du" domjobinfo --completed vdl1 2>&1 | awk -F: '/Time elapsed:/{gsub(/ /,"",$2);t=$2} /Total downtime:/{gsub(/ /,"",$2);d=$2} /Data processed/{gsub(/^ +/,"",$2);p=$2} END{printf "job %s, downtime %s, data %s", t, d, p}')
  note "migration $sn -> $dn: $job"
  assert_ran_on "after migration" "$sn" "$dn" "$ss" "$ds"
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$du")
  ra monitor
  expect "after migration: monitor on $dn" 0
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$su")
  ra monitor
  expect "after migration: monitor on $sn" 7
  ra stop
  expect "after migration: stop on $sn (Pacemaker stops the source)" 0
  assert_eq "after stop on $sn: still running on $dn" running "$(dstate "$du" vdl1)"
}
if [ "$(dstate "$A_Q" vdl1)" = running ]; then
  # a destination that cannot be reached: migrate_to fails (Pacemaker then stops and starts instead)
  # and the guest keeps running where it was
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$A_Q")
  ra migrate_to "remoteuri=qemu+unix:///system?socket=$TMP/no-such-daemon.sock" CRM_meta_migrate_target=hostB \
    CRM_meta_migrate_source=hostA CRM_meta_timeout=30000
  expect "migrate_to an unreachable destination fails" 1 '.'
  expect_within "migrate_to an unreachable destination: returns before its deadline" 30
  assert_eq "migrate_to an unreachable destination: the guest still runs on A" running "$(dstate "$A_Q" vdl1)"
  migrate a "$A_Q" hostA b "$B_Q" hostB "$SER_A" "$SER_B"
  if [ "$(dstate "$B_Q" vdl1)" = running ]; then
    migrate b "$B_Q" hostB a "$A_Q" hostA "$SER_B" "$SER_A"
  else
    fail "migration back: the guest runs on B" "A: $(dstate "$A_Q" vdl1)" "B: $(dstate "$B_Q" vdl1)"
  fi
else
  fail "migration: the Linux guest runs on A" "A: $(dstate "$A_Q" vdl1)"
fi

# ---------------------------------------------------------------- graceful stop of the Linux guest
echo "# ---- graceful stop of the Linux guest"
HOST_NOW=""
for h in a b; do [ "$(dstate "$(lvd_qemu_uri "$h")" vdl1)" = running ] && HOST_NOW=$h; done
if [ -n "$HOST_NOW" ]; then
  U=$(lvd_qemu_uri "$HOST_NOW")
  SER=$(lvd_base "$HOST_NOW")/log/qemu/vdl1-serial.log
  RA_PARAMS=("config=$TMP/xml/vdl1.xml" "hypervisor=$U")
  ra stop CRM_meta_timeout=30000
  expect "Linux guest on $HOST_NOW: stop" 0
  # ~2 s on a quiet machine; an escalation to destroy would wait ~25 s first
  expect_within "Linux guest: graceful stop takes a few seconds" 15
  assert_eq "Linux guest: gone after stop" absent "$(dstate "$U" vdl1)"
  assert_match "Linux guest: it powered itself off (ACPI power button)" 'lv-guest: power button .* -> poweroff' "$(cat "$SER" 2>&1)"
  ev=$(lvd_base "$HOST_NOW")/events.log
  wait_until 3 grep -q "'vdl1'.*Stopped" "$ev"
  assert_eq "Linux guest: libvirt's last lifecycle event is 'Stopped Shutdown' (not Destroyed)" "Stopped Shutdown" \
    "$(grep "'vdl1'.*Stopped" "$ev" | tail -1 | grep -o 'Stopped [A-Za-z]*')" "$(cat "$ev")"
else
  fail "Linux guest: runs on A or B for the graceful stop" "A: $(dstate "$A_Q" vdl1)" "B: $(dstate "$B_Q" vdl1)"
fi

# ---------------------------------------------------------------- nothing left behind
t_run_cleanup
t_traps
for ns in "$NS_A" "$NS_B"; do
  assert_eq "netns $ns deleted" "" "$(netns_inode "$ns")"
done
assert_eq "root network namespace addresses unchanged" "$ROOT_BEFORE" "$(root_addrs)"
left=""
for p in "${!T_PIDS[@]}"; do pid_alive "$p" && left="$left $p"; done
assert_eq "no recorded process left (daemons, qemu, virsh holders)" "" "$left" "$(for p in $left; do ps -o pid,args -p "$p"; done)"
finish
