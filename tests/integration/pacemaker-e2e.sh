#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/pacemaker-e2e.sh DEB
#
# End to end with real Pacemaker 2.1.5 + Corosync 3 on one node:
#   1. dpkg -i DEB (purged again at the end when the package was not installed before);
#   2. a single-node cluster inside its own network + mount + UTS namespaces: netns hc-e2e-<pid>
#      (lo only, corosync ring0 127.0.0.1 inside it), a holder process with private tmpfs /run and
#      /dev/shm, /var/lib/{pacemaker,corosync} and /var/log/{pacemaker,corosync} bind-mounted from a
#      temp dir, its own hostname (= corosync node name); pre-seeded CIB (stonith-enabled=false,
#      dc-deadtime=2s); daemons started with env -i and a systemd-like PATH;
#   3. ocf:hacluster:Dummy with a 5 s monitor: Started, probe/start/monitor results in the CIB;
#   4. change of the non-unique parameter `fake`: Pacemaker must *reload* it (no stop/start),
#      the monitor comes back, the state file (if the agent records `fake`) shows the new value;
#   5. target-role=Stopped, then cibadmin --delete: stopped, state file gone, resource gone;
#      then an ocf:heartbeat:Dummy switched to ocf:hacluster:Dummy under maintenance mode, as the
#      README describes: re-probed as running, never stopped or restarted;
#   6. teardown (pacemakerd --shutdown, corosync-cfgtool -H --force, SIGKILL of leftovers found by
#      netns inode, holder, ip netns del, temp dir), asserting that nothing is left behind.
# Nothing is added to the root network namespace. Processes are only signalled by recorded PID or
# after matching them by netns inode. Every wait is bounded; the whole run takes ~30 s.
# Knobs: HC_E2E_KEEP=1 keeps the temp state dir (logs, CIB) for post-mortem.
# Prints "pacemaker-e2e: N passed, N failed"; exit 1 on failures, 2 on missing prerequisites.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init pacemaker-e2e

[ $# -eq 1 ] || { echo "usage: $0 DEB" >&2; exit 2; }
DEB=$1
[ -f "$DEB" ] || { echo "pacemaker-e2e: no such file: $DEB" >&2; exit 2; }
require_root || exit 2
require_tools dpkg dpkg-deb dpkg-query ip nsenter unshare setsid timeout xmllint corosync corosync-quorumtool \
  corosync-cfgtool pacemakerd crm_mon crm_resource cibadmin || exit 2
# never let the caller's environment redirect the CLI tools to a file or shadow CIB
unset CIB_file CIB_shadow CIB_shadow_dir CIB_user CIB_server CIB_port CIB_passwd CIB_encrypted

NS=hc-e2e-$$
NODE=hc-e2e-node
RSC=hc-e2e-dummy
AGENT_DIR=/usr/lib/ocf/resource.d/hacluster
FAKE1=e2e-initial-$$
FAKE2=e2e-reloaded-$$
HOLDER="" COROSYNC_PID="" PACEMAKERD_PID="" NS_INO="" DOWN_DONE=0

t_traps
STATE=$(mktemp -d /var/tmp/hc-e2e.XXXXXX)
if [ "${HC_E2E_KEEP:-0}" = 1 ]; then t_cleanup_push 'echo "# state kept in $STATE" >&2'
else t_cleanup_push 'rm -rf "$STATE"'; fi
PCMK_LOG=$STATE/log-pacemaker/pacemaker.log

# ---------------------------------------------------------------- helpers
nsx() { timeout 30 nsenter -t "$HOLDER" -m -u -n -- "$@"; }          # CLI call inside the node
cib_snapshot() { nsx cibadmin -Q >"$STATE/cib-now.xml" 2>/dev/null; }
# xp XPATH: evaluate on the last snapshot
xp() { xmllint --xpath "$1" "$STATE/cib-now.xml" 2>/dev/null; }
op_attr() { xp "string(//lrm_resource[@id='$RSC']/lrm_rsc_op[@id='$1']/@$2)"; }   # OPID ATTR
last_op() { op_attr "${RSC}_last_0" operation; }
lrm_dump() { xp "//lrm_resource[@id='$RSC']" | sed 's/></>\n</g'; }
mon_shows() { nsx crm_mon -1 2>/dev/null | grep -Eq "$1"; }
node_ready() { mon_shows "Online: \[ $NODE \]" && mon_shows "Current DC: $NODE "; }
log_count() { grep -Ec -- "$1" "$PCMK_LOG" 2>/dev/null; }
# last_is OP RC: the snapshot's <rsc>_last_0 is a completed OP with RC
last_is() { cib_snapshot && [ "$(last_op)" = "$1" ] && [ "$(op_attr "${RSC}_last_0" rc-code)" = "$2" ] &&
  [ "$(op_attr "${RSC}_last_0" op-status)" = 0 ]; }
# monitor_after CALLID: the 5 s monitor has a completed record newer than CALLID with rc 0
monitor_after() { cib_snapshot || return 1; local c; c=$(op_attr "${RSC}_monitor_5000" call-id)
  [ -n "$c" ] && [ "$c" -gt "$1" ] && [ "$(op_attr "${RSC}_monitor_5000" rc-code)" = 0 ]; }
in_node() { nsx sh -c "$1"; }
# log_has DESC ERE: pacemaker.log has a line matching ERE; evidence = last log lines about the resource
log_has() {
  if grep -Eq -- "$2" "$PCMK_LOG" 2>/dev/null; then pass "$1"; return 0; fi
  fail "$1" "no line matches /$2/ in pacemaker.log; its last notice lines about $RSC:" \
    "$(grep -E "notice|warning|error" "$PCMK_LOG" 2>/dev/null | grep -F -- "$RSC" | tail -12)"
}
diag() {
  note "---- diagnostics: crm_mon -1 -rfAo"
  nsx crm_mon -1 -rfAo 2>&1 | sed 's/^/#   /'
  note "---- lrm history of $RSC"
  cib_snapshot; lrm_dump | sed 's/^/#   /'
  note "---- pacemaker.log (last 40 notice/warning/error lines)"
  grep -E 'notice|warning|error|crit' "$PCMK_LOG" 2>/dev/null | tail -40 | sed 's/^/#   /'
}

# ---------------------------------------------------------------- teardown (idempotent)
cluster_down() { # [assert]: with "assert", report each step as a test result
  local a=${1:-} left
  [ "$DOWN_DONE" = 1 ] && return 0
  DOWN_DONE=1
  node_stop_daemons "$NODE" "$HOLDER" "$PACEMAKERD_PID" "$COROSYNC_PID" 60 "$a"
  [ -n "$NS_INO" ] && node_remove "$NODE" "$NS" "$HOLDER" "$a"
  if [ -n "$a" ]; then
    left=$(netns_pids "$NS_INO")
    if [ -e "/run/netns/$NS" ] || [ -n "$left" ]; then
      fail "netns $NS deleted, no process left in it" "$(ls -la /run/netns 2>&1)" "pids: $left"
    else pass "netns $NS deleted, no process left in it"; fi
  fi
  NS_INO=""
}

# ---------------------------------------------------------------- 1. the package
if deb_install "$DEB"; then pass "dpkg -i $(basename "$DEB") ($T_DEB_PKG; installed before: $([ "$T_DEB_WAS_INSTALLED" = 1 ] && echo yes || echo no))"
else fail "dpkg -i $DEB"; finish; exit 1; fi
check "agent installed at $AGENT_DIR/Dummy and executable" test -x "$AGENT_DIR/Dummy"
check "crm_resource --show-metadata ocf:hacluster:Dummy" crm_resource --show-metadata ocf:hacluster:Dummy

# ---------------------------------------------------------------- 2. the node
netns_create "$NS" || exit 2
NS_INO=${NETNS_INO[$NS]}
t_cleanup_push 'cluster_down'
assert_eq "netns $NS has only lo" "lo" "$(ip -n "$NS" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ' | sed 's/ $//')"

# state dirs with Debian's ownership and modes, pre-seeded CIB
S=$STATE
pcmk_state_dirs "$S"
CONF=$S/corosync.conf
corosync_conf "$CONF" hc-e2e "$NODE=127.0.0.1"

# the holder keeps the mount + UTS namespaces (and, through ip netns exec, sits in the netns)
node_holder "$S" "$NODE" "$NS"
HOLDER=$NODE_HOLDER
if pid_alive "$HOLDER" && [ -f "$S/holder.ready" ]; then
  pass "namespace holder $HOLDER up (private /run, /dev/shm, pacemaker/corosync state)"
else
  fail "namespace holder up" "$(cat "$S/holder.out")"; finish; exit 1
fi
assert_eq "hostname inside the node is $NODE" "$NODE" "$(nsx uname -n)"
assert_eq "holder is in netns $NS" "net:[$NS_INO]" "$(readlink "/proc/$HOLDER/ns/net")"

t_cluster=$(date +%s.%N)
check "corosync -t (config test inside the node)" nsx corosync -t -c "$CONF"
node_daemon "$HOLDER" "$S/corosync.out" corosync -f -c "$CONF"
COROSYNC_PID=$NODE_DAEMON
if wait_until 30 nsx corosync-quorumtool -s; then pass "corosync up and quorate ($(since "$t_cluster") s)"
else fail "corosync up within 30 s" "$(cat "$S/corosync.out")" "$(tail -20 "$S/log-corosync/corosync.log" 2>/dev/null)"; finish; exit 1; fi
assert_eq "corosync runs as the recorded PID $COROSYNC_PID" corosync "$(cat "/proc/$COROSYNC_PID/comm" 2>/dev/null)"

node_daemon "$HOLDER" "$S/pacemakerd.out" PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_debug=no pacemakerd
PACEMAKERD_PID=$NODE_DAEMON
if wait_until 60 node_ready; then pass "node $NODE Online and DC ($(since "$t_cluster") s after corosync start)"
else fail "node $NODE Online and DC within 60 s" "$(cat "$S/pacemakerd.out")" "$(nsx crm_mon -1 2>&1)"; diag; finish; exit 1; fi
assert_eq "pacemakerd runs as the recorded PID $PACEMAKERD_PID" pacemakerd "$(cat "/proc/$PACEMAKERD_PID/comm" 2>/dev/null)"
penv=$(tr '\0' '\n' <"/proc/$PACEMAKERD_PID/environ" 2>/dev/null | cut -d= -f1 | sort | tr '\n' ' ')
assert_eq "pacemakerd environment is the service-like one (env -i)" "LANG PATH PCMK_debug PCMK_logfile " "$penv"
cib_snapshot
assert_eq "pre-seeded CIB: stonith-enabled=false" false "$(xp "string(//nvpair[@name='stonith-enabled']/@value)")"
assert_eq "pre-seeded CIB: dc-deadtime=2s" 2s "$(xp "string(//nvpair[@name='dc-deadtime']/@value)")"
note "cluster up in $(since "$t_cluster") s"

# ---------------------------------------------------------------- 3. create + start + monitor
t_rsc=$(date +%s.%N)
check "cibadmin --create ocf:hacluster:Dummy $RSC (fake=$FAKE1, 5 s monitor)" nsx cibadmin --create -o resources --xml-text \
  "<primitive id=\"$RSC\" class=\"ocf\" provider=\"hacluster\" type=\"Dummy\">
     <instance_attributes id=\"$RSC-ia\"><nvpair id=\"$RSC-fake\" name=\"fake\" value=\"$FAKE1\"/></instance_attributes>
     <operations><op id=\"$RSC-mon\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/></operations>
   </primitive>"
if wait_until 30 last_is start 0; then pass "$RSC started ($(since "$t_rsc") s): ${RSC}_last_0 is start, rc 0"
else fail "$RSC started within 30 s (${RSC}_last_0 start rc 0)" "$(lrm_dump)"; fi
assert_match "crm_resource --locate: $RSC running on $NODE" "is running on: $NODE" "$(nsx crm_resource --locate -r "$RSC" 2>&1)"
assert_match "crm_mon: $RSC Started" "$RSC.*\(ocf:hacluster:Dummy\):.*Started $NODE" "$(nsx crm_mon -1 -r 2>&1)"
START_CALL=$(op_attr "${RSC}_last_0" call-id)
START_DIGEST=$(op_attr "${RSC}_last_0" op-digest)
if wait_until 15 monitor_after "$START_CALL"; then
  pass "5 s monitor ran after the start: ${RSC}_monitor_5000 rc 0 (call $(op_attr "${RSC}_monitor_5000" call-id) > start call $START_CALL)"
else fail "5 s monitor ran after the start with rc 0" "$(lrm_dump)"; fi
ops=$(nsx crm_resource --list-operations -r "$RSC" 2>&1)
assert_match "crm_resource --list-operations: start rc=0 complete" "${RSC}_start_0 .*rc=0.*: complete" "$ops"
assert_match "crm_resource --list-operations: monitor_5000 rc=0 complete" "${RSC}_monitor_5000 .*rc=0.*: complete" "$ops"
log_has "pacemaker.log: the probe found $RSC not running" "Result of probe operation for $RSC on $NODE: not running"
# let two more monitor intervals pass, then nothing may have failed
sleep 10.5
cib_snapshot
assert_eq "no failure recorded after 2 more monitor intervals (${RSC}_last_failure_0 absent)" "" "$(op_attr "${RSC}_last_failure_0" operation)" "$(lrm_dump)"
assert_no_match "crm_mon -1 -f: no failed actions / fail count" "Failed Resource Actions|fail-count" "$(nsx crm_mon -1 -f 2>&1)"

# the state file: meta-data default of "state" (agent's own naming), else any *.state for this id
md_default=$(crm_resource --show-metadata ocf:hacluster:Dummy 2>/dev/null | xmllint --xpath "string(//parameter[@name='state']/content/@default)" - 2>/dev/null)
cand=$(printf '%s' "$md_default" | sed -e "s|\${HA_RSCTMP}|/run/resource-agents|g; s|\$HA_RSCTMP|/run/resource-agents|g" \
  -e "s|\${OCF_RESOURCE_INSTANCE}|$RSC|g; s|\$OCF_RESOURCE_INSTANCE|$RSC|g; s|RESOURCE_ID|$RSC|g" \
  -e "s|-Dummy\.state\$|-$RSC.state|")
STATEF=""
if [ -n "$cand" ] && in_node "test -f '$cand'"; then STATEF=$cand
else STATEF=$(in_node "ls -1 /run/resource-agents/*$RSC*.state 2>/dev/null | head -1"); fi
if [ -n "$STATEF" ]; then pass "state file exists in the node's /run/resource-agents: $STATEF"
else fail "state file exists in the node's /run/resource-agents" "meta-data default of state: $md_default" \
  "$(in_node 'ls -la /run/resource-agents/')"; fi
if [ -n "$STATEF" ]; then
  content=$(in_node "cat '$STATEF'")
  # ocf:hacluster:Dummy writes the fake value into its state file: that is how the reload shows.
  if printf '%s\n' "$content" | grep -qF -- "$FAKE1"; then
    pass "state file records fake=$FAKE1"
  else
    fail "state file records fake=$FAKE1" "content of $STATEF:" "$content"
  fi
fi

# ---------------------------------------------------------------- 4. reload
t_reload=$(date +%s.%N)
check "crm_resource -r $RSC -p fake -v $FAKE2" nsx crm_resource -r "$RSC" -p fake -v "$FAKE2"
changed() { cib_snapshot && [ "$(op_attr "${RSC}_last_0" call-id)" != "$START_CALL" ] &&
  [ "$(op_attr "${RSC}_last_0" op-status)" = 0 ] && [ "$(last_op)" != stop ]; }
wait_until 30 changed
cib_snapshot
LOG=$(cat "$PCMK_LOG")
# Pacemaker 2.1.5 runs the agent's "reload" and then records it in the history as a start with the
# reload's call id and the new parameter digest (operation="start", operation_key=<rsc>_start_0)
RELOAD_CALL=$(printf '%s\n' "$LOG" | sed -n "s/.*Result of reload operation for $RSC on $NODE: ok .* call=\([0-9]*\) key=${RSC}_reload_0 rc=0.*/\1/p" | tail -1)
log_has "pacemaker.log: scheduler planned \"Reload $RSC\" ($(since "$t_reload") s)" "Actions: Reload +$RSC"
log_has "pacemaker.log: the agent's reload action ran" "Requesting local execution of reload operation for $RSC"
assert_ne "pacemaker.log: reload operation succeeded (rc 0, call ${RELOAD_CALL:-?})" "" "$RELOAD_CALL" \
  "$(printf '%s\n' "$LOG" | grep -E "reload|Reload" | tail -5)"
assert_eq "CIB history: ${RSC}_last_0 is the reload's call ${RELOAD_CALL:-?}, rc 0" "${RELOAD_CALL:-none} 0" \
  "$(op_attr "${RSC}_last_0" call-id) $(op_attr "${RSC}_last_0" rc-code)" "$(lrm_dump)"
assert_ne "CIB history: the recorded parameter digest changed with the reload" "$START_DIGEST" "$(op_attr "${RSC}_last_0" op-digest)"
# no restart: every start Pacemaker ever ran for this resource is the original one (call $START_CALL)
starts=$(printf '%s\n' "$LOG" | sed -n "s/.*Result of start operation for $RSC on .* call=\([0-9]*\) .*/\1/p" | tr '\n' ' ')
assert_eq "no new start after the change (start call ids in pacemaker.log)" "$START_CALL " "$starts" \
  "$(printf '%s\n' "$LOG" | grep -E "(start|stop) operation for $RSC")"
assert_eq "no stop after the change" 0 "$(log_count "Result of stop operation for $RSC on")" \
  "$(printf '%s\n' "$LOG" | grep -E "stop operation for $RSC|Restart +$RSC")"
assert_no_match "pacemaker.log: no restart planned" "Restart +$RSC" "$LOG"
if wait_until 15 monitor_after "${RELOAD_CALL:-0}"; then pass "monitor restarted after the reload with rc 0"
else fail "monitor restarted after the reload with rc 0 (within 15 s)" "$(lrm_dump)"; fi
assert_match "crm_resource -g fake returns $FAKE2" "^$FAKE2\$" "$(nsx crm_resource -r "$RSC" -g fake 2>&1)"
if [ -n "$STATEF" ]; then
  content=$(in_node "cat '$STATEF'")
  if printf '%s\n' "$content" | grep -qF -- "$FAKE2"; then pass "state file records the reloaded fake=$FAKE2"
  else fail "state file records the reloaded fake=$FAKE2" "content of $STATEF:" "$content"; fi
fi
note "reload checks done in $(since "$t_reload") s"

# ---------------------------------------------------------------- 5. stop + delete
t_stop=$(date +%s.%N)
check "crm_resource -r $RSC --meta -p target-role -v Stopped" nsx crm_resource -r "$RSC" --meta -p target-role -v Stopped
if wait_until 30 last_is stop 0; then pass "$RSC stopped ($(since "$t_stop") s): ${RSC}_last_0 is stop, rc 0"
else fail "$RSC stopped within 30 s" "$(lrm_dump)"; fi
assert_match "crm_resource --locate: $RSC NOT running" "is NOT running" "$(nsx crm_resource --locate -r "$RSC" 2>&1)"
if [ -n "$STATEF" ]; then
  check "stop removed the state file $STATEF" in_node "! test -e '$STATEF'"
fi
check "cibadmin --delete $RSC" nsx cibadmin --delete -o resources --xml-text "<primitive id=\"$RSC\"/>"
gone() { cib_snapshot && [ -z "$(xp "//primitive[@id='$RSC']")" ] && ! nsx crm_mon -1 -r 2>/dev/null | grep -q "$RSC"; }
if wait_until 20 gone; then pass "$RSC gone from the configuration and from crm_mon ($(since "$t_stop") s)"
else fail "$RSC gone from the configuration and from crm_mon" "$(xp "//primitive[@id='$RSC']")" "$(nsx crm_mon -1 -r 2>&1)"; fi
check_rc 105 "crm_resource --locate -r $RSC: no such resource (rc 105)" nsx crm_resource --locate -r "$RSC"
check "no resource left in the node's /run/resource-agents" in_node "[ -z \"\$(ls -A /run/resource-agents | grep -F -- '$RSC')\" ]"

# ---------------------------------------------------------------- 5b. moving from ocf:heartbeat
# What the README tells an admin: a running ocf:heartbeat resource switches to ocf:hacluster
# without a restart (maintenance mode, change the provider, re-probe, leave maintenance mode).
MAIN_RSC=$RSC
RSC=hc-e2e-switch
t_sw=$(date +%s.%N)
check "cibadmin --create ocf:heartbeat:Dummy $RSC (5 s monitor)" nsx cibadmin --create -o resources --xml-text \
  "<primitive id=\"$RSC\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">
     <operations><op id=\"$RSC-mon\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/></operations>
   </primitive>"
if wait_until 30 last_is start 0; then pass "ocf:heartbeat:Dummy $RSC started"
else fail "ocf:heartbeat:Dummy $RSC started within 30 s" "$(lrm_dump)"; fi
SW_STARTS=$(log_count "Result of start operation for $RSC on")
check "maintenance-mode=true" nsx crm_attribute --type crm_config --name maintenance-mode --update true
check "provider changed to hacluster (cibadmin --modify)" nsx cibadmin --modify --xml-text \
  "<primitive id=\"$RSC\" class=\"ocf\" provider=\"hacluster\" type=\"Dummy\"/>"
check "crm_resource --refresh -r $RSC" nsx crm_resource --refresh --resource "$RSC"
probed() { cib_snapshot && [ "$(op_attr "${RSC}_last_0" operation)" = monitor ] && [ "$(op_attr "${RSC}_last_0" rc-code)" = 0 ]; }
if wait_until 30 probed; then pass "the probe by ocf:hacluster:Dummy finds $RSC running (rc 0)"
else fail "the probe by ocf:hacluster:Dummy finds $RSC running" "$(lrm_dump)"; fi
check "maintenance-mode=false" nsx crm_attribute --type crm_config --name maintenance-mode --update false
if wait_until 30 monitor_after 0; then pass "the 5 s monitor of ocf:hacluster:Dummy runs after maintenance mode ($(since "$t_sw") s)"
else fail "the 5 s monitor runs after maintenance mode" "$(lrm_dump)"; fi
sleep 6
assert_match "crm_mon: $RSC Started as ocf:hacluster:Dummy" "$RSC.*\(ocf:hacluster:Dummy\):.*Started $NODE" "$(nsx crm_mon -1 -r 2>&1)"
assert_eq "switching the provider neither stopped nor restarted $RSC" "$SW_STARTS 0" \
  "$(log_count "Result of start operation for $RSC on") $(log_count "Result of stop operation for $RSC on")" \
  "$(grep -E "(start|stop) operation for $RSC" "$PCMK_LOG")"
check "crm_resource --meta -p target-role -v Stopped ($RSC)" nsx crm_resource -r "$RSC" --meta -p target-role -v Stopped
if wait_until 30 last_is stop 0; then pass "ocf:hacluster:Dummy stopped what ocf:heartbeat:Dummy started"
else fail "$RSC stopped by the new agent" "$(lrm_dump)"; fi
check "cibadmin --delete $RSC" nsx cibadmin --delete -o resources --xml-text "<primitive id=\"$RSC\"/>"
RSC=$MAIN_RSC

# ---------------------------------------------------------------- 6. teardown
[ "$T_FAIL" -gt 0 ] && diag
t_down=$(date +%s.%N)
cluster_down assert
note "cluster down in $(since "$t_down") s"
deb_purge_if_new
if [ "$T_DEB_WAS_INSTALLED" = 0 ]; then
  st=$(dpkg-query -W -f '${db:Status-Status}' "$T_DEB_PKG" 2>/dev/null)
  assert_ne "$T_DEB_PKG purged again (was not installed before)" installed "$st"
  check "agent $AGENT_DIR/Dummy removed with the package" test ! -e "$AGENT_DIR/Dummy"
else
  note "$T_DEB_PKG was installed before this test: left installed"
fi
finish
