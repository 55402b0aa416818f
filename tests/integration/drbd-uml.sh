#!/bin/bash
# shellcheck disable=SC2016  # guest commands and cleanups are expanded later: single quotes on purpose
# usage: tests/integration/drbd-uml.sh
#
# The installed ocf:hacluster:drbd on real DRBD 8.4.11 between two User-Mode-Linux guests
# (drbd/uml.sh; drbd/README.md). The agent runs inside the guests as Pacemaker would
# run it (env -i, the clone's meta attributes, one guest shell per action); crm_attribute,
# crm_resource and crm_node are drbd/crm-stub.sh, linked into a directory named by HA_SBIN_DIR:
# it keeps the promotion score in the guest's /run/crm-attrs and logs every call, and the
# assertions read both. Cases:
#   probe of a down resource; start on both; scores per state; one child process per steady-state
#   monitor and none for an unchanged score; promote, monitor 8; promote while the peer is Primary;
#   resync in progress (Inconsistent) and an Inconsistent disk without its peer; peer
#   disconnected; split-brain; power cut of the Primary: the survivor promotes and reads back what
#   was written; the dead node returns as Secondary and resyncs; demote, stop, double stop; stop
#   with an unreadable drbdconf; ocf-tester inside a guest (transcript to OCF_TESTER_OUT_DIR, e.g.
#   ocf-tester-runs/, when set).
# Knob: DRBD_AGENT (default /usr/lib/ocf/resource.d/hacluster/drbd, the installed package).
# Every guest, namespace and temp dir is removed again, also on Ctrl-C and failure. ~3-5 min.
# Prints "drbd-uml: N passed, N failed"; exit 1 on failures, 2 on missing prerequisites.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/drbd/uml.sh
. "$HERE/drbd/uml.sh"
t_init drbd-uml
require_root || { echo "drbd-uml: 0 passed, 1 failed"; exit 2; }
AGENT=${DRBD_AGENT:-/usr/lib/ocf/resource.d/hacluster/drbd}
require_tools "$AGENT" /usr/sbin/ocf-tester strace || { echo "drbd-uml: 0 passed, 1 failed"; exit 2; }
t_traps
uml_setup || { fail "prerequisites for the User-Mode-Linux guests (see above)"; finish; exit 2; }

# ---------------------------------------------------------------- guests and DRBD
if ! uml_start --fresh-disk 1 2; then fail "boot two UML guests"; finish; exit 1; fi
pass "two UML guests booted (${UML_BOOT_S[1]} s, ${UML_BOOT_S[2]} s)"
for n in 1 2; do
  check "node$n: drbd module loaded, r0 configured and up, crm tools stubbed" uml_drbd_up "$n"
done
# what an admin does once: the initial full sync, then the resource is left to the cluster
check "initial sync node1 -> node2" eval 'uml_drbd_initial_sync && gx 1 "drbdadm secondary r0"'
for n in 1 2; do check "node$n: drbdadm down r0" gx "$n" 'drbdadm down r0'; done

# ---------------------------------------------------------------- running the agent
# ra_on N ACTION [NAME=VALUE...]: ra (lib.sh) inside guest N as node N, with the clone's meta
# attributes; sets RC, OUT, REASON, CMD, EL (expect() reads them). Timeouts are ten times what bare
# metal needs: every exec costs 25-170 ms in UML.
RA_AGENT=$AGENT
RA_ENV=("${UML_DRBD_ENV[@]}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
RA_PARAMS=(CRM_meta_timeout=240000)
RA_LIMIT=110     # below gx's own limit (GX_TIMEOUT, 120 s)
ra_on() { local n=$1; shift; ra --via gx "$n" --env "OCF_RESKEY_CRM_meta_on_node=node$n" "$@"; }
# guest_env N: that environment for a command line in guest N (ocf-tester)
guest_env() { ra_env start "CRM_meta_on_node=node$1"; printf '%q ' "${RA_ENVV[@]}"; }
gx_wait() { local GX_TIMEOUT=$1; shift; gx "$@"; }
score() { gx "$1" 'cat /run/crm-attrs/master-drbd_r0 2>/dev/null || echo none'; }
calls() { gx "$1" 'cat /run/crm-attrs/calls.log 2>/dev/null | wc -l'; }
proc() { gx "$1" 'sed -n 3p /proc/drbd'; }
wait_proc() { # N ERE SECONDS: /proc/drbd's state line of guest N matches ERE (read by bash itself: execs are slow)
  local n=$1 re=$2 s=$3
  gx_wait $((s + 30)) "$n" 'end=$((SECONDS + '"$s"')); re='"'$re'"'
while [ $SECONDS -lt $end ]; do mapfile -t l </proc/drbd; [[ ${l[2]:-} =~ $re ]] && exit 0; sleep 0.2; done; exit 1'
}
assert_score() { # N EXPECTED DESC
  local got; got=$(score "$1")
  assert_eq "$3: node$1 promotion score $2" "$2" "$got" "/proc/drbd: $(proc "$1")"
}
MON=(CRM_meta_interval=20000)
MON_P=("${MON[@]}" CRM_meta_role=Promoted)

# ---------------------------------------------------------------- probe, start
ra_on 1 monitor
expect "probe of a down resource" 7
assert_score 1 none "probe of a down resource"

ra_on 1 start & p1=$!
ra_on 2 start & p2=$!
wait $p1; wait $p2          # the results are re-read below: ra ran in subshells
for n in 1 2; do
  assert_match "start on both in parallel: node$n Connected Secondary/Secondary UpToDate" \
    'cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate' "$(proc $n)"
  assert_score "$n" 10000 "after start on both"
done
ra_on 2 start
expect "start of a started instance" 0

# ---------------------------------------------------------------- one child per monitor
# Two monitors from one shell, as pacemaker-execd runs them: the second finds its score cached.
# strace (inside the guest) lists every successful execve; the children of the second monitor
# are the processes that exec'd after it.
children_of_second_monitor() { # N [NAME=VALUE...]: prints "CHILDREN PATHS..." and "first=RC second=RC"
  local n=$1; shift
  ra_env monitor "CRM_meta_on_node=node$n" "$@"
  gx "$n" "env -i $(printf '%q ' "${RA_ENVV[@]}") $UML_RUN/share/monitor-children.sh $AGENT"
}
res=$(children_of_second_monitor 2 "${MON[@]}")
assert_match "steady-state monitor, Secondary: both monitors 0" 'first=0 second=0' "$res"
assert_match "steady-state monitor, Secondary: exactly one child process (drbdsetup), no crm_attribute" \
  '^1 /usr/sbin/drbdsetup( |$)' "$res"

# ---------------------------------------------------------------- promote
ra_on 1 promote
expect "promote node1" 0
assert_match "promote node1: node1 Primary" 'ro:Primary/Secondary ds:UpToDate/UpToDate' "$(proc 1)"
ra_on 1 monitor "${MON_P[@]}"
expect "monitor of the Primary" 8
assert_score 1 10000 "Primary"
ra_on 2 monitor "${MON[@]}"
expect "monitor of the Secondary" 0
assert_score 2 10000 "Secondary of a Primary"
res=$(children_of_second_monitor 1 "${MON_P[@]}")
assert_match "steady-state monitor, Primary: both monitors 8" 'first=8 second=8' "$res"
assert_match "steady-state monitor, Primary: exactly one child process (drbdsetup), no crm_attribute" \
  '^1 /usr/sbin/drbdsetup( |$)' "$res"

gx 2 'echo "resource drbd_r0 is running on: node1 Master" >/run/crm-attrs/locate'   # what Pacemaker knows
ra_on 2 promote
gx 2 'rm -f /run/crm-attrs/locate'
expect "promote node2 while node1 is Primary (no allow-two-primaries)" 1 'Refusing to promote: peer node1 is still Primary .*two primaries are not configured'
assert_match "promote next to a Primary gives up after the grace, long before the 240 s timeout (${EL} s)" '^(1[5-9]|2[0-9]|3[0-9]|4[0-5])\.' "$EL"
assert_match "node1 still the only Primary" 'ro:Primary/Secondary' "$(proc 1)"

# ---------------------------------------------------------------- peer disconnected
check "node2: drbdadm disconnect r0" gx 2 'drbdadm disconnect r0'
ra_on 2 monitor "${MON[@]}"
expect "monitor of a disconnected Secondary" 0
assert_score 2 1000 "StandAlone UpToDate Secondary"
ra_on 1 monitor "${MON_P[@]}"
expect "monitor of the Primary whose peer is gone" 8
assert_score 1 10000 "Primary without its peer"
check "node2: drbdadm connect r0" gx 2 'drbdadm connect r0'
check "reconnected and in sync" wait_proc 2 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' 60
ra_on 2 monitor "${MON[@]}"
assert_score 2 10000 "reconnected Secondary"

# ---------------------------------------------------------------- resync in progress
check "node2: invalidate, resync paused (node2 Inconsistent SyncTarget)" gx 2 'drbdadm pause-sync r0; drbdadm invalidate r0'
check "node2 Inconsistent" wait_proc 2 'ds:Inconsistent/UpToDate' 30
ra_on 2 monitor "${MON[@]}"
expect "monitor of a SyncTarget" 0
assert_score 2 10 "Inconsistent, only the peer has UpToDate data (adjust_master_score's 2nd value)"
check "node2: disconnect during the resync" gx 2 'drbdadm disconnect r0'
ra_on 2 monitor "${MON[@]}"
expect "monitor of an Inconsistent disk without its peer" 0
assert_score 2 none "Inconsistent without a peer: not promotable"
ra_on 2 promote
expect "promote of an Inconsistent disk without its peer" 1 'without access to UpToDate data'
assert_match "promote without UpToDate data fails at the 15 s floor, without waiting for the timeout (${EL} s)" '^(1[5-9]|2[0-9])\.' "$EL"
assert_match "node2 was not promoted" 'ro:Secondary' "$(proc 2)"
check "node2: reconnect, resume the resync" gx 2 'drbdadm connect r0; drbdadm resume-sync r0'
check "resync completed" wait_proc 2 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' 120
ra_on 2 monitor "${MON[@]}"
assert_score 2 10000 "after the resync"

# ---------------------------------------------------------------- split-brain
# node2 is made Primary by hand while disconnected and both write: DRBD drops the connection on
# reconnect (no after-sb policy) and both stay StandAlone with diverged data.
check "split-brain: disconnect both" gx 1 'drbdadm disconnect r0'
gx 2 'drbdadm disconnect r0' >/dev/null
check "split-brain: node2 Primary by hand, both write" gx 2 'drbdadm primary r0 && dd if=/dev/urandom of=/dev/drbd0 bs=1M count=2 oflag=direct 2>/dev/null && drbdadm secondary r0'
gx 1 'dd if=/dev/urandom of=/dev/drbd0 bs=1M count=2 oflag=direct 2>/dev/null' >/dev/null
gx 1 'drbdadm connect r0' >/dev/null
gx 2 'drbdadm connect r0' >/dev/null
check "split-brain detected by DRBD (kernel log)" gx 2 'for i in $(seq 300); do dmesg | grep -q "Split-Brain detected but unresolved" && exit 0; sleep 0.1; done; exit 1'
sleep 1
assert_match "split-brain: node2 StandAlone" 'cs:StandAlone ro:Secondary/Unknown' "$(proc 2)"
ra_on 2 monitor "${MON[@]}"
expect "monitor of the split-brain Secondary" 0
assert_score 2 none "split-brain Secondary: not promotable until the operator resolves it"
ra_on 1 monitor "${MON_P[@]}"
expect "monitor of the split-brain Primary: still Primary (no needless demote)" 8
ra_on 1 demote
expect "demote the split-brain Primary" 0
ra_on 1 monitor "${MON[@]}"
assert_score 1 none "split-brain, both Secondary: neither side promotable"
ra_on 2 promote
expect "promote of the split-brain Secondary" 1 'split-brain that is not resolved'
# DRBD_UML_CAPTURE_DIR: keep the kernel logs (the split-brain parser's test data comes from here)
if [ -n "${DRBD_UML_CAPTURE_DIR:-}" ]; then for n in 1 2; do gx $n dmesg >"$DRBD_UML_CAPTURE_DIR/split-brain-dmesg-node$n.txt"; done; fi
# the operator keeps node1's data
check "split-brain resolved by the operator (node2 discards its data)" gx 2 'drbdadm disconnect r0 2>/dev/null; drbdadm connect --discard-my-data r0'
gx 1 'drbdadm disconnect r0 2>/dev/null; drbdadm connect r0' >/dev/null
check "after the resolution: Connected and UpToDate" wait_proc 2 'cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate' 120
for n in 1 2; do ra_on $n monitor "${MON[@]}"; assert_score $n 10000 "after the split-brain resolution"; done
[ -n "${DRBD_UML_CAPTURE_DIR:-}" ] && gx 2 dmesg >"$DRBD_UML_CAPTURE_DIR/split-brain-resolved-dmesg-node2.txt"

# ---------------------------------------------------------------- power cut of the Primary
ra_on 1 promote
expect "promote node1 again" 0
check "write 4 MiB on the Primary" gx 1 'dd if=/dev/urandom of=/run/pattern bs=1M count=4 2>/dev/null && dd if=/run/pattern of=/dev/drbd0 bs=1M oflag=direct 2>/dev/null && md5sum </run/pattern | cut -c1-32 >/ctl/pattern.md5'
uml_kill 1
pass "power cut of node1 (SIGKILL of its guest)"
check "node2 sees its peer gone" wait_proc 2 'cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown' 60
ra_on 2 monitor "${MON[@]}"
expect "monitor of the survivor" 0
assert_score 2 1000 "survivor, peer unknown"
t0=$(date +%s.%N)
ra_on 2 promote
expect "promote the survivor" 0
note "measured: promote of the survivor: $EL s"
got=$(gx 2 'dd if=/dev/drbd0 bs=1M count=4 iflag=direct 2>/dev/null | md5sum | cut -c1-32')
assert_eq "data written on node1 reads back on node2 after the failover" "$(cat "$UML_RUN/node1/ctl/pattern.md5")" "$got"

if uml_start 1; then pass "node1 booted again (${UML_BOOT_S[1]} s)"; else fail "node1 boots again"; fi
{ uml_crm_stub 1 && uml_drbd_config 1; } >/dev/null
ra_on 1 monitor
expect "probe on the returning node" 7
ra_on 1 start
expect "start on the returning node" 0
check "the returning node resyncs as Secondary" wait_proc 1 'cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate' 120
ra_on 1 monitor "${MON[@]}"
expect "monitor of the returned Secondary" 0
assert_score 1 10000 "returned Secondary"

# ---------------------------------------------------------------- demote, stop
ra_on 2 demote
expect "demote node2" 0
ra_on 2 demote
expect "demote of a Secondary" 0
ra_on 1 stop & p1=$!
ra_on 2 stop & p2=$!
wait $p1; wait $p2
for n in 1 2; do
  check_rc 10 "node$n: stopped (drbdadm status r0 exits 10)" gx "$n" 'drbdadm status r0'
  assert_score "$n" none "after stop"
  ra_on "$n" stop
  expect "node$n: stop of a stopped resource" 0
  ra_on "$n" monitor
  expect "node$n: probe after stop" 7
done
gx 1 'drbdadm up r0' >/dev/null
ra_on 1 stop drbdconf=/nonexistent.conf
expect "stop with an unreadable drbdconf while the resource is up" 0
check_rc 10 "that stop took the resource down (drbdsetup down)" gx 1 'drbdadm status r0'

# ---------------------------------------------------------------- ocf-tester inside node1
# node2 stays down: the agent starts alone (wfc_timeout), promotes on its UpToDate data, demotes, stops.
res=$(gx_wait 600 1 "export $(guest_env 1)
/usr/sbin/ocf-tester -v -n drbd_r0 -o drbd_resource=r0 $AGENT 2>&1; echo \"ocf-tester rc=\$?\"")
if [ -n "${OCF_TESTER_OUT_DIR:-}" ]; then
  { echo "# ocf-tester run: hacluster:drbd"
    echo "# date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "# agent:   $AGENT (sha256 $(sha256sum "$AGENT" | cut -d' ' -f1))"
    echo "# package: $(dpkg-query -W -f '${Package} ${Version}' hacluster-agents 2>/dev/null)"
    echo "# where:   User-Mode-Linux guest node1 ($(gx 1 'uname -sr'), $(gx 1 'head -1 /proc/drbd')), peer node2 down; tests/integration/drbd-uml.sh"
    echo "# command: ocf-tester -v -n drbd_r0 -o drbd_resource=r0 $AGENT (environment: the clone's meta attributes, HA_SBIN_DIR=crm-stub)"
    printf '%s\n' "$res"; } >"$OCF_TESTER_OUT_DIR/drbd.txt"
fi
assert_match "ocf-tester inside the guest: passed" "^$AGENT passed all tests" "$res"
assert_match "ocf-tester inside the guest: exit 0" "^ocf-tester rc=0" "$res"

finish
