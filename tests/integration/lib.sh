# shellcheck shell=bash
# Helpers for the HaCluster integration tests. Source me from bash (set -u safe):
#
#   . "$(dirname "$0")/lib.sh"
#   t_init metadata                       # name used by finish
#   t_cleanup_push 'rm -rf "$TMP"'        # run at exit / Ctrl-C / TERM, in reverse order
#   check "agent runs" cmd args...         # ok when cmd exits 0, else not ok + its output
#   finish                                # "<name>: N passed, N failed"; returns 1 on failures
#   ra --netns NS start ip=203.0.113.10   # the agent as Pacemaker runs it (see "running the agent")
#   netns_create hc-x-$$                  # a network namespace, deleted again at exit
#
# Output lines: "ok - <desc>", "not ok - <desc>" followed by "#   <evidence>" lines,
# "# <note>". There is no skip: a real test either passes or fails.

T_NAME=${T_NAME:-test}
T_PASS=0
T_FAIL=0
T_EVIDENCE_LINES=${T_EVIDENCE_LINES:-40}

t_init() { T_NAME=$1; T_PASS=0; T_FAIL=0; T_T0=$(date +%s.%N); }

note() { printf '# %s\n' "$*"; }

# evidence on stdin or as arguments, indented, truncated to T_EVIDENCE_LINES lines
_evidence() {
  local n=0 line
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    [ "$n" -le "$T_EVIDENCE_LINES" ] && printf '#   %s\n' "$line"
  done
  [ "$n" -gt "$T_EVIDENCE_LINES" ] && printf '#   ... (%d more lines)\n' $((n - T_EVIDENCE_LINES))
  return 0
}

pass() { T_PASS=$((T_PASS + 1)); printf 'ok - %s\n' "$1"; }
# fail DESC [EVIDENCE...]: evidence = remaining args joined by newlines
fail() {
  local d=$1; shift
  T_FAIL=$((T_FAIL + 1)); printf 'not ok - %s\n' "$d"
  [ $# -gt 0 ] && printf '%s\n' "$@" | _evidence
  return 0
}

# check DESC CMD...: ok when CMD exits 0; otherwise not ok with its rc and output
check() {
  local d=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then pass "$d"; else fail "$d" "command: $*" "exit status: $rc" "$out"; fi
  return "$rc"
}
# check_rc EXPECTED DESC CMD...
check_rc() {
  local want=$1 d=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ]; then pass "$d"; return 0; fi
  fail "$d" "command: $*" "exit status: $rc (expected $want)" "$out"; return 1
}
# assert_eq DESC EXPECTED ACTUAL [EVIDENCE...]
assert_eq() {
  local d=$1 want=$2 got=$3; shift 3
  if [ "$want" = "$got" ]; then pass "$d"; return 0; fi
  fail "$d" "expected: $want" "got:      $got" "$@"; return 1
}
# assert_ne DESC UNEXPECTED ACTUAL [EVIDENCE...]
assert_ne() {
  local d=$1 bad=$2 got=$3; shift 3
  if [ "$bad" != "$got" ]; then pass "$d"; return 0; fi
  fail "$d" "expected anything but: $bad" "$@"; return 1
}
# assert_match DESC ERE TEXT: TEXT (multi-line) has a line matching ERE
assert_match() {
  local d=$1 re=$2 text=$3
  if printf '%s\n' "$text" | grep -Eq -- "$re"; then pass "$d"; return 0; fi
  fail "$d" "no line matches /$re/ in:" "$text"; return 1
}
# assert_no_match DESC ERE TEXT
assert_no_match() {
  local d=$1 re=$2 text=$3 hits
  hits=$(printf '%s\n' "$text" | grep -E -- "$re")
  if [ -z "$hits" ]; then pass "$d"; return 0; fi
  fail "$d" "unexpected lines matching /$re/:" "$hits"; return 1
}

# finish: summary line; status 1 when anything failed (or nothing was checked at all). When
# HC_TEST_RESULT names a file, "PASSED FAILED" is written there too: run.sh and build.sh add up
# these files, not the console text.
finish() {
  local el=""
  [ -n "${T_T0:-}" ] && el=$(awk -v a="$T_T0" -v b="$(date +%s.%N)" 'BEGIN{printf " (%.1f s)", b-a}')
  printf '%s: %d passed, %d failed\n' "$T_NAME" "$T_PASS" "$T_FAIL"
  [ -n "${HC_TEST_RESULT:-}" ] && printf '%d %d\n' "$T_PASS" "$T_FAIL" >"$HC_TEST_RESULT"
  note "${T_NAME} took${el:- ?}"
  [ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
}

# expect DESC RC [REASON_ERE]: the script's last agent run exited RC, and its last
# "ocf-exit-reason:" line matches REASON_ERE. The run sets RC, OUT (merged output), REASON, CMD
# (for the evidence) and EL (seconds, shown when set).
expect() {
  local d=$1 want=$2 re=${3:-} st=0
  assert_eq "$d: exit $want${EL:+ ($EL s)}" "$want" "$RC" "command: $CMD" "output:" "$OUT" || st=1
  [ -n "$re" ] || return "$st"
  if printf '%s\n' "$REASON" | grep -Eq -- "$re"; then pass "$d: ocf-exit-reason /$re/ ($REASON)"
  else fail "$d: ocf-exit-reason matches /$re/" "command: $CMD" "reason: ${REASON:-(none)}" "output:" "$OUT"; st=1; fi
  return "$st"
}
# expect_within DESC SECONDS: the last agent run returned in under SECONDS
expect_within() {
  if awk -v e="$EL" -v l="$2" 'BEGIN { exit !(e < l) }'; then pass "$1: returned in $EL s (< $2 s)"
  else fail "$1: returns in under $2 s" "took $EL s, exit $RC" "command: $CMD" "output:" "$OUT"; return 1; fi
}

# ---------------------------------------------------------------- running the agent
# ra runs the agent as pacemaker-execd does: a clean environment (env -i) holding RA_ENV, then
# OCF_RESKEY_NAME=VALUE for RA_PARAMS (the fixture's), for RA_MONITOR_PARAMS when the action is
# monitor, and for the call's own NAME=VALUE arguments, in that order (a later value wins); stdin
# /dev/null, stdout and stderr merged, killed after RA_LIMIT seconds, run in RA_CWD when set.
#
#   RA_AGENT=/usr/lib/ocf/resource.d/hacluster/IPaddr2          the agent, as seen where it runs
#   RA_ENV=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vip HA_RSCTMP=$TMP/rsc)
#   RA_PARAMS=(ip=203.0.113.10)   RA_MONITOR_PARAMS=(CRM_meta_interval=10000)   RA_LIMIT=60
#
# ra [--netns NS | --via FUNC ARG] [--agent PATH] [--env NAME=VALUE]... ACTION [NAME=VALUE...]
#   --netns NS      inside network namespace NS (ip netns exec)
#   --via FUNC ARG  FUNC ARG gets the command line, shell-quoted, and runs it (gx N: in UML guest N)
#   --agent PATH    this agent instead of RA_AGENT
#   --env NAME=VALUE  one more variable as it is (no OCF_RESKEY_ prefix; it wins over RA_ENV)
# Sets RC, OUT (merged output), REASON (the last ocf-exit-reason: line, prefix removed), CMD (for
# the evidence) and EL (seconds); expect and expect_within assert on them.
RA_AGENT=${RA_AGENT:-}
RA_ENV=(OCF_ROOT=/usr/lib/ocf)
RA_PARAMS=()
RA_MONITOR_PARAMS=()
RA_LIMIT=${RA_LIMIT:-60}
RA_CWD=${RA_CWD:-}
ra() {
  local where=() agent=$RA_AGENT extra=() action
  while :; do
    case ${1:-} in
      --netns) where+=("$1" "$2"); shift 2 ;;
      --via) where+=("$1" "$2" "$3"); shift 3 ;;
      --agent) agent=$2; shift 2 ;;
      --env) extra+=("$2"); shift 2 ;;
      *) break ;;
    esac
  done
  action=$1; shift
  ra_env "$action" "$@"
  ra_exec "${where[@]}" env -i "${RA_ENVV[@]}" "${extra[@]}" "$agent" "$action"
}
# ra_env ACTION [NAME=VALUE...]: the environment ra gives the agent, into the array RA_ENVV (for a
# tool that runs the agent itself: ocf-tester, strace, hyperfine)
ra_env() {
  local action=$1 kv; shift
  RA_ENVV=("${RA_ENV[@]}")
  [ "$action" = monitor ] && set -- "${RA_MONITOR_PARAMS[@]}" "$@"
  for kv in "${RA_PARAMS[@]}" "$@"; do RA_ENVV+=("OCF_RESKEY_$kv"); done
}
# ra_exec [--netns NS | --via FUNC ARG] CMD...: CMD the way ra runs the agent (bounded by RA_LIMIT,
# stdin /dev/null, in RA_CWD); sets RC, OUT, REASON, CMD and EL
ra_exec() {
  local via=() argv t0 line
  while :; do
    case ${1:-} in
      --netns) set -- ip netns exec "$2" "${@:3}" ;;
      --via) via=("$2" "$3"); shift 3 ;;
      *) break ;;
    esac
  done
  argv=(timeout -k 5 "$RA_LIMIT" "$@")
  CMD="${via[*]}${via[*]:+: }$*"
  t0=$(date +%s.%N)
  RC=0
  if [ ${#via[@]} -gt 0 ]; then
    line=$(printf '%q ' "${argv[@]}")
    [ -n "$RA_CWD" ] && line="cd $(printf '%q' "$RA_CWD") && $line"
    OUT=$("${via[@]}" "$line 2>&1 </dev/null") || RC=$?
  else
    OUT=$(cd "${RA_CWD:-.}" && "${argv[@]}" 2>&1 </dev/null) || RC=$?
  fi
  EL=$(since "$t0")
  REASON=$(printf '%s\n' "$OUT" | sed -n 's/^ocf-exit-reason://p' | tail -1)
}

# ---------------------------------------------------------------- waiting
# wait_until SECONDS CMD...: poll CMD (quietly) every 0.2 s until it succeeds; 1 on timeout
wait_until() {
  local end; end=$(( $(date +%s%N) / 1000000 + $(awk -v s="$1" 'BEGIN{printf "%d", s*1000}') )); shift
  until "$@" >/dev/null 2>&1; do
    [ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
    sleep "${WAIT_INTERVAL:-0.2}"
  done
  return 0
}

# elapsed since a "date +%s.%N" stamp, e.g. "3.42"
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }

# ---------------------------------------------------------------- processes
# A PID is only ever signalled when it still is the process we recorded: its start time
# (field 22 of /proc/PID/stat) must match the one stored by track_pid.
declare -gA T_PIDS=()
pid_starttime() { # PID -> start time in clock ticks, empty when gone
  local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }                       # drop "pid (comm) " (comm may contain spaces)
  # shellcheck disable=SC2086  # split into fields on purpose
  set -- $s; shift 19; echo "$1"    # field 22 overall = 20th after the comm
}
track_pid() { # PID: remember it as ours
  local st; st=$(pid_starttime "$1") || return 1
  T_PIDS[$1]=$st
}
pid_alive() { # PID: tracked and still the same process (a zombie counts as gone)
  local st state
  [ -n "${T_PIDS[$1]:-}" ] || return 1
  st=$(pid_starttime "$1") || return 1
  [ "$st" = "${T_PIDS[$1]}" ] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
  [ "$state" != Z ]
}
# wait_pid_gone PID SECONDS
wait_pid_gone() { local p=$1; wait_until "$2" eval "! pid_alive $p"; }
# kill_pid PID [SIGNAL=TERM] [GRACE_SECONDS=10]: signal a tracked PID, SIGKILL after GRACE
kill_pid() {
  local p=$1 sig=${2:-TERM} grace=${3:-10}
  pid_alive "$p" || { unset "T_PIDS[$p]"; return 0; }
  kill -s "$sig" "$p" 2>/dev/null
  if ! wait_pid_gone "$p" "$grace"; then
    pid_alive "$p" && kill -KILL "$p" 2>/dev/null
    wait_pid_gone "$p" 5
  fi
  wait "$p" 2>/dev/null      # reap it if it is our child
  unset "T_PIDS[$p]"
  return 0
}

# ---------------------------------------------------------------- network namespaces
# Only namespaces this script created are ever touched. netns_create refuses a name in which
# processes run (somebody else's namespace), removes a stale empty one (an earlier run with the
# same PID) and has the namespace deleted again at exit, after every other cleanup. Whatever runs
# in a namespace we created is ours: it is SIGKILLed by PID when the namespace goes. The inode of
# each namespace is kept (NETNS_INO), so processes left in it are found even after ip netns del.
declare -gA NETNS_INO=()
# netns_inode NAME: inode of /run/netns/NAME (empty when the namespace does not exist)
netns_inode() { stat -L -c %i "/run/netns/$1" 2>/dev/null; }
# netns_create NAME...: ip netns add with lo up; status 2 with a message on stderr when NAME is in
# use, 1 when ip fails (its message on stderr)
netns_create() {
  local ns
  for ns in "$@"; do
    if [ -e "/run/netns/$ns" ]; then
      if [ -n "$(netns_pids "$(netns_inode "$ns")")" ]; then
        echo "${T_NAME}: processes already run in netns $ns; refusing to touch it" >&2
        return 2
      fi
      ip netns del "$ns" || return 1
    fi
    ip netns add "$ns" || return 1
    NETNS_INO[$ns]=$(netns_inode "$ns")
    t_cleanup_last "netns_delete $(printf '%q' "$ns")"
    ip -n "$ns" link set lo up || return 1
  done
}
# netns_veth NS1 DEV1 NS2 DEV2 [ADDR1 [ADDR2]]: a veth pair DEV1 (in NS1) - DEV2 (in NS2, which may
# be NS1), with the addresses (CIDR) given, both ends up; stops at the first failing step
netns_veth() {
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
    { [ -z "${5:-}" ] || ip -n "$1" addr add "$5" dev "$2"; } &&
    { [ -z "${6:-}" ] || ip -n "$3" addr add "$6" dev "$4"; } &&
    ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}
# netns_exec NAME CMD...: CMD inside the namespace
netns_exec() { ip netns exec "$@"; }
# netns_pids NAME|INODE [EXCLUDE_PID...]: every process in that network namespace
netns_pids() {
  local ino=$1 p pid x skipit; shift
  case $ino in *[!0-9]*) ino=${NETNS_INO[$ino]:-$(netns_inode "$ino")} ;; esac
  [ -n "$ino" ] || return 0
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] || continue
    skipit=0; for x in "$@"; do [ "$x" = "$pid" ] && skipit=1; done
    [ "$skipit" = 1 ] || echo "$pid"
  done
}
# netns_kill NAME|INODE [EXCLUDE_PID...]: SIGKILL (by PID) whatever runs in a namespace we created,
# and wait (<= 10 s) until it is gone
netns_kill() {
  # shellcheck disable=SC2034  # read by the eval'd condition
  local left nk_args=("$@")
  left=$(netns_pids "$@")
  [ -n "$left" ] || return 0
  # shellcheck disable=SC2086  # a list of pids
  kill -KILL $left 2>/dev/null
  # shellcheck disable=SC2016  # expanded by eval, at each try
  wait_until 10 eval '[ -z "$(netns_pids "${nk_args[@]}")" ]'
}
# netns_delete NAME...: netns_kill, then ip netns del
netns_delete() {
  local ns
  for ns in "$@"; do
    [ -e "/run/netns/$ns" ] || continue
    netns_kill "$ns"
    ip netns del "$ns" 2>/dev/null
  done
  return 0
}
# root_addrs: the root namespace's addresses, one line each, lifetimes dropped: a test compares
# them before and after (nothing may be added there)
root_addrs() { ip -o addr show 2>&1 | sed 's/\\.*//'; }

# ---------------------------------------------------------------- Pacemaker state
# pcmk_state_dirs DIR [NAME=VALUE...] [--stickiness=N]: a node's lib-pacemaker, lib-corosync,
# log-pacemaker and log-corosync under DIR with Debian's ownership and modes (bind-mounted over
# /var/lib/pacemaker etc. inside the node), and a pre-seeded CIB: stonith-enabled=false and
# dc-deadtime=2s (an empty CIB waits 20 s for its first election), plus the given cluster
# properties and a default resource-stickiness
pcmk_state_dirs() {
  local d=$1 kv props="" defaults=""; shift
  for kv in "$@"; do
    case $kv in
      --stickiness=*) defaults="
    <rsc_defaults>
      <meta_attributes id=\"rsc-options\">
        <nvpair id=\"rsc-options-resource-stickiness\" name=\"resource-stickiness\" value=\"${kv#*=}\"/>
      </meta_attributes>
    </rsc_defaults>" ;;
      *) props+="
        <nvpair id=\"cib-bootstrap-options-${kv%%=*}\" name=\"${kv%%=*}\" value=\"${kv#*=}\"/>" ;;
    esac
  done
  install -d -m 0755 "$d" "$d/lib-corosync" "$d/log-corosync"
  install -d -o hacluster -g haclient -m 0750 "$d/lib-pacemaker" "$d"/lib-pacemaker/{cib,pengine,blackbox,cores}
  install -d -o hacluster -g haclient -m 0770 "$d/log-pacemaker" "$d/log-pacemaker/bundles"
  cat >"$d/lib-pacemaker/cib/cib.xml" <<EOX
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="2s"/>$props
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>$defaults
  </configuration>
  <status/>
</cib>
EOX
  chown hacluster:haclient "$d/lib-pacemaker/cib/cib.xml" && chmod 0600 "$d/lib-pacemaker/cib/cib.xml"
}

# ---------------------------------------------------------------- Pacemaker nodes in namespaces
# A test node is a network namespace plus a holder: a sleeping process in its own session with the
# node's mount and UTS namespaces (tmpfs /run and /dev/shm, the state dirs of pcmk_state_dirs over
# /var/lib/pacemaker etc., the node's hostname). Its daemons run in those namespaces as services.
#
# node_holder DIR HOSTNAME NETNS [SETUP]: start the holder (SETUP: more sh commands, run before it
# sleeps); sets NODE_HOLDER (a tracked PID); status 1 when it is not up within 10 s (DIR/holder.out)
node_holder() {
  local d=$1 host=$2 ns=$3 setup=${4:-true}
  rm -f "$d/holder.ready"
  # own session: a Ctrl-C to the terminal's process group must not take the node away before the
  # cleanup has shut it down in order
  # shellcheck disable=SC2016  # the holder's own script, with its arguments
  setsid ip netns exec "$ns" unshare --mount --uts --propagation private -- /bin/sh -c '
    d=$1 host=$2
    mount -t tmpfs -o mode=0755 "hc-pcmk-$host" /run &&
    mkdir -p /run/resource-agents /run/crm /run/lock && chmod 1755 /run/resource-agents &&
    chown hacluster:haclient /run/crm && chmod 0750 /run/crm &&
    mount -t tmpfs -o mode=1777 "hc-pcmk-$host-shm" /dev/shm &&
    mount --bind "$d/lib-pacemaker" /var/lib/pacemaker &&
    mount --bind "$d/lib-corosync" /var/lib/corosync &&
    mount --bind "$d/log-pacemaker" /var/log/pacemaker &&
    mount --bind "$d/log-corosync" /var/log/corosync &&
    hostname "$host" && eval "$3" && touch "$d/holder.ready" && exec sleep infinity' \
    hc-holder "$d" "$host" "$setup" </dev/null >"$d/holder.out" 2>&1 &
  NODE_HOLDER=$!
  track_pid "$!"
  disown "$!"
  wait_until 10 test -f "$d/holder.ready" && pid_alive "$NODE_HOLDER"
}
# node_daemon HOLDER LOG [NAME=VALUE...] CMD...: CMD as a service of the holder's node: its own
# session, env -i with a service's PATH and LANG (and the NAME=VALUE given), output to LOG; sets
# NODE_DAEMON (a tracked PID)
node_daemon() {
  local holder=$1 log=$2; shift 2
  nsenter -t "$holder" -m -u -n -- setsid env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 "$@" </dev/null >"$log" 2>&1 &
  # shellcheck disable=SC2034  # read by the caller
  NODE_DAEMON=$!
  track_pid "$!"
  disown "$!"
}
# node_stop_daemons NAME HOLDER PACEMAKERD_PID COROSYNC_PID SECONDS [assert]: pacemakerd --shutdown
# (pacemakerd gone within SECONDS), then corosync-cfgtool -H --force (corosync gone within 30 s),
# each then by PID; with "assert" each step is a test result
node_stop_daemons() {
  local name=$1 holder=$2 pcmkd=$3 coro=$4 secs=$5 a=${6:-}
  if [ -n "$pcmkd" ] && pid_alive "$pcmkd"; then
    timeout 30 nsenter -t "$holder" -m -u -n -- pacemakerd --shutdown >/dev/null 2>&1
    if wait_pid_gone "$pcmkd" "$secs"; then [ -n "$a" ] && pass "$name: pacemakerd --shutdown: pacemakerd exited"
    else [ -n "$a" ] && fail "$name: pacemakerd --shutdown: pacemakerd exited within $secs s"; fi
    kill_pid "$pcmkd" TERM 10
  fi
  if [ -n "$coro" ] && pid_alive "$coro"; then
    timeout 30 nsenter -t "$holder" -m -u -n -- corosync-cfgtool -H --force >/dev/null 2>&1
    if wait_pid_gone "$coro" 30; then [ -n "$a" ] && pass "$name: corosync-cfgtool -H --force: corosync exited"
    else [ -n "$a" ] && fail "$name: corosync-cfgtool -H --force: corosync exited within 30 s"; fi
    kill_pid "$coro" TERM 10
  fi
  return 0
}
# node_remove NAME NETNS HOLDER [assert]: after node_stop_daemons, SIGKILL whatever is still in the
# node's network namespace (with "assert": a failure naming it, else a pass), the holder (its /run
# and /dev/shm go with it), then the namespace
node_remove() {
  local name=$1 ns=$2 holder=$3 a=${4:-} left p
  left=$(netns_pids "$ns" "$holder")
  if [ -n "$left" ]; then
    [ -n "$a" ] && fail "$name: no process left in its netns after the shutdown" \
      "$(for p in $left; do echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done)"
    netns_kill "$ns" "$holder"
  elif [ -n "$a" ]; then pass "$name: no process left in its netns after the shutdown"; fi
  [ -n "$holder" ] && kill_pid "$holder" TERM 5
  netns_delete "$ns"
}

# lab_args "$@": a lab cluster's arguments, DEB [--demo]: sets DEB (an existing file) and DEMO=1
# with --demo (else DEMO stays as it was); exit 2 with the usage otherwise
# shellcheck disable=SC2034  # DEMO is read by the caller
lab_args() {
  local a usage="usage: $0 DEB [--demo]"
  DEB=""
  for a in "$@"; do
    case $a in
      --demo) DEMO=1 ;;
      -*) echo "$usage" >&2; exit 2 ;;
      *) [ -z "$DEB" ] || { echo "$usage" >&2; exit 2; }; DEB=$a ;;
    esac
  done
  [ -n "$DEB" ] || { echo "$usage" >&2; exit 2; }
  [ -f "$DEB" ] || { echo "${T_NAME}: no such file: $DEB" >&2; exit 2; }
}

# corosync_conf FILE CLUSTER NAME=ADDRESS...: knet without crypto, a log file and no syslog
# (none runs here), votequorum (two_node for two nodes), one node per NAME=ADDRESS, ids from 1
corosync_conf() {
  local f=$1 cluster=$2 n=0 node two=""; shift 2
  [ $# -eq 2 ] && two="
    two_node: 1"
  {
    cat <<EOC
# test cluster $cluster of ${0##*/} (its own network namespaces only)
totem {
    version: 2
    cluster_name: $cluster
    transport: knet
    crypto_cipher: none
    crypto_hash: none
}
logging {
    to_stderr: no
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: no
    timestamp: hires
}
quorum {
    provider: corosync_votequorum$two
}
nodelist {
EOC
    for node in "$@"; do
      n=$((n + 1))
      printf '    node {\n        name: %s\n        nodeid: %d\n        ring0_addr: %s\n    }\n' "${node%%=*}" "$n" "${node#*=}"
    done
    echo "}"
  } >"$f"
}

# ---------------------------------------------------------------- cleanup on exit / signals
T_CLEANUP=()
T_CLEANING=0
t_cleanup_push() { T_CLEANUP+=("$1"); }
t_cleanup_last() { T_CLEANUP=("$1" "${T_CLEANUP[@]}"); }   # runs after everything pushed
t_run_cleanup() {
  [ "$T_CLEANING" = 1 ] && return 0
  T_CLEANING=1
  trap '' PIPE          # a vanished reader of our output must not cut the cleanup short
  local i
  for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUP[$i]}"; done
  T_CLEANUP=()
  T_CLEANING=0
}
t_on_signal() { # SIGNAL EXIT_STATUS
  trap '' INT TERM HUP
  echo "# interrupted by SIG$1, cleaning up" >&2
  t_run_cleanup
  trap - EXIT
  exit "$2"
}
t_traps() {
  trap 't_run_cleanup' EXIT
  trap 't_on_signal INT 130' INT
  trap 't_on_signal TERM 143' TERM
  trap 't_on_signal HUP 129' HUP
}

# ---------------------------------------------------------------- prerequisites
# require_tools TOOL|/FILE...: status 2 with a message naming every missing tool or file (and its package)
_tool_pkg() {
  case $1 in
    ocf-tester | */ocf-tester | */ra-api-1.dtd) echo resource-agents ;;
    xmllint) echo libxml2-utils ;;
    corosync | corosync-*) echo corosync ;;
    pacemakerd) echo pacemaker ;;
    crm_* | cibadmin) echo pacemaker-cli-utils ;;
    */pcs/data/*) echo pcs ;;
    ip) echo iproute2 ;;
    nsenter | unshare | setsid | su) echo util-linux ;;
    dpkg | dpkg-deb | dpkg-query) echo dpkg ;;
    libvirtd | */libvirtd) echo libvirt-daemon ;;
    virsh) echo libvirt-clients ;;
    qemu-system-x86_64 | */qemu-system-x86_64) echo qemu-system-x86 ;;
    */libvirt/connection-driver/libvirt_driver_qemu.so) echo libvirt-daemon-driver-qemu ;;
    busybox | */busybox) echo busybox-static ;;
    cpio) echo cpio ;;
    hyperfine) echo hyperfine ;;
    strace) echo strace ;;
    python3) echo python3 ;;
    */linux.uml) echo user-mode-linux ;;
    uml_mconsole) echo uml-utilities ;;
    drbdadm | drbdsetup | */drbdsetup-84 | */linbit/drbd) echo drbd-utils ;;
    *) echo coreutils ;;
  esac
}
require_tools() {
  local t missing=()
  for t in "$@"; do
    case $t in
      /*) [ -e "$t" ] || missing+=("$t") ;;
      *) command -v "$t" >/dev/null 2>&1 || missing+=("$t") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  for t in "${missing[@]}"; do
    echo "${T_NAME}: missing required tool: $t (Debian package $(_tool_pkg "$t"))" >&2
  done
  return 2
}
require_root() {
  [ "$(id -u)" = 0 ] || { echo "${T_NAME}: must run as root" >&2; return 2; }
}

# ---------------------------------------------------------------- the .deb
# deb_install DEB: dpkg -i; sets T_DEB_PKG and T_DEB_WAS_INSTALLED (1/0); when the package was not
# installed before, pushes a cleanup that purges it again (deb_purge_if_new, sets T_DEB_PURGED=1)
deb_install() {
  local deb=$1 out
  T_DEB_PKG=$(dpkg-deb -f "$deb" Package 2>/dev/null) || { echo "not a .deb: $deb" >&2; return 1; }
  if dpkg-query -W -f '${db:Status-Status}' "$T_DEB_PKG" 2>/dev/null | grep -qx installed; then
    T_DEB_WAS_INSTALLED=1
  else
    T_DEB_WAS_INSTALLED=0
    t_cleanup_push 'deb_purge_if_new'
  fi
  out=$(dpkg -i "$deb" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}
deb_purge_if_new() {
  [ "${T_DEB_WAS_INSTALLED:-1}" = 0 ] || return 0
  [ "${T_DEB_PURGED:-0}" = 1 ] && return 0
  dpkg --purge "$T_DEB_PKG" >/dev/null 2>&1 || echo "# WARNING: dpkg --purge $T_DEB_PKG failed" >&2
  T_DEB_PURGED=1
}
