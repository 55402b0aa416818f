#!/bin/bash
# Runs inside the nested Xen dom0 (tests/bench/xen.sh ships it as /lab/in/run.sh): the recurring
# monitor (CRM_meta_interval=10000) of the published ocf:hacluster:Xen (/lab/in/Xen) and of the
# shell ocf:heartbeat:Xen (resource-agents in the chroot), side by side on one running tiny PV
# domU with the same parameters (xmfile, name), plus the floor: `xl list DOM` alone, the one
# command both monitors run. Only records; the host computes and judges. /lab/out/bench.txt:
#     run WHO ROUND RC WALL_US CPU_USER_MS CPU_SYS_MS      one timed run (CPU of it and all its children)
#     children WHO EXECS FORKS PROGRAMS...                 from one run under strace -f
#     check NAME ok|FAIL detail
# WHO is ours, heartbeat, xl or hello (the NativeAOT no-op /lab/in/AotHello, when shipped). Rounds alternate the order (ours heartbeat xl / xl heartbeat ours)
# so that a load change inside dom0 or on the host does not favour one side; two untimed warm-up
# rounds come first. RUNS (rounds) comes from /lab/in/bench.conf.
if [ -z "${BENCH_CLEAN:-}" ]; then
  # The agents get exactly this environment (what pacemaker-execd passes: tests/integration/README.md,
  # "What pacemaker-execd passes to an agent"),
  # and nothing has to wrap them in env at each run.
  exec env -i BENCH_CLEAN=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
    OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench-xen OCF_RESOURCE_TYPE=Xen HA_RSCTMP=/run/resource-agents \
    HA_LOGFACILITY=daemon HA_LOGFILE=/lab/out/pacemaker.log \
    OCF_RESKEY_xmfile=/lab/bench.cfg OCF_RESKEY_name=benchguest \
    OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=30000 \
    /bin/bash "$0" "$@"
fi
OUT=/lab/out; mkdir -p $OUT /run/resource-agents
. /lab/in/lib.sh   # wait_console, guest_cfg, CON
RUNS=25
[ -r /lab/in/bench.conf ] && . /lab/in/bench.conf
OURS=/lab/in/Xen
HB=/usr/lib/ocf/resource.d/heartbeat/Xen
HELLO=/lab/in/AotHello   # optional: a NativeAOT no-op, what the .NET runtime's start costs here
DOM=benchguest
chmod 755 /lab /lab/in "$OURS"; [ -f "$HELLO" ] && chmod 755 "$HELLO"
B=$OUT/bench.txt; : > $B
check() { # NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@" > /dev/null 2>&1; then echo "check $name ok" >> $B; else echo "check $name FAIL ($*)" >> $B; fi
}
echo "dom0 uptime_at_start=$(cut -d' ' -f1 /proc/uptime) nproc=$(nproc) runs=$RUNS" >> $B
{ xl info; "$OURS" meta-data | head -3; dpkg-query -W resource-agents xen-utils-4.17 strace; } > $OUT/versions.txt 2>&1

guest_cfg /lab/bench.cfg $DOM pv ""
xl create -q /lab/bench.cfg > $OUT/create.txt 2>&1
check guest-created xl list $DOM
check guest-ready wait_console $DOM DOMU_READY 120
sleep 5   # let the guest settle: its boot would otherwise compete with the first runs

# both agents and the floor agree: the domain runs
check ours-monitor-0 "$OURS" monitor
check heartbeat-monitor-0 "$HB" monitor
check xl-list-0 xl list $DOM

# us MICROSECONDS-FROM-EPOCHREALTIME; ms M[m]S.sss[s] from bash's times
us() { local v=${1/./}; v=${v/,/}; echo $(( 10#$v )); }
ms() { local m=${1%%m*} s=${1#*m}; s=${s%s}; echo $(( 10#$m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.} )); }
# one WHO ROUND CMD...: a timed run in a fresh subshell, whose `times` second line is the user and
# system CPU of the command and every process under it (all waited for: none of them daemonizes).
# $EPOCHREALTIME and `times` are builtins: nothing else is started around the command.
one() {
  local who=$1 round=$2; shift 2
  (
    s=$EPOCHREALTIME
    "$@" > /dev/null 2>> "$OUT/$who.err" < /dev/null
    rc=$?
    e=$EPOCHREALTIME
    times > /tmp/bench-times
    { read -r _; read -r cu cs; } < /tmp/bench-times
    echo "run $who $round $rc $(( $(us "$e") - $(us "$s") )) $(ms "$cu") $(ms "$cs")" >> "$B"
  )
}
round() { # ROUND: ours heartbeat xl [hello], reversed every other round
  if (( $1 % 2 )); then
    one ours "$1" "$OURS" monitor; one heartbeat "$1" "$HB" monitor; one xl "$1" xl list $DOM
    [ -x "$HELLO" ] && one hello "$1" "$HELLO"
  else
    [ -x "$HELLO" ] && one hello "$1" "$HELLO"
    one xl "$1" xl list $DOM; one heartbeat "$1" "$HB" monitor; one ours "$1" "$OURS" monitor
  fi
  return 0
}
t0=$(date +%s)
for r in 1 2; do round $r; done
sed -i '/^run /d' $B          # the warm-up rounds are not kept
for ((r = 1; r <= RUNS; r++)); do round $r; done
echo "timed-rounds seconds=$(( $(date +%s) - t0 )) dom0 loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" >> $B

# children WHO CMD...: one run under strace -f. EXECS = successful execve calls minus the first
# (the agent itself); FORKS = processes created (fork/vfork/clone/clone3 without CLONE_THREAD;
# a shell's $(...) is a fork without an exec). PROGRAMS = what was executed, in order. Debian's
# /usr/sbin/xl is a sh wrapper (xen-utils-wrapper) that execs /usr/lib/xen-4.17/bin/xl: one
# process, two execs - the child-process count is FORKS.
children() {
  local who=$1 t=$OUT/strace-$1.txt execs forks progs; shift
  strace -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$t" "$@" > /dev/null 2>&1 < /dev/null
  execs=$(grep -cE 'execve\(.*\) = 0$|<\.\.\. execve resumed>.* = 0$' "$t")
  forks=$(grep -E '^[0-9]+ +(fork|vfork|clone|clone3)\(' "$t" | grep -vc CLONE_THREAD)
  progs=$(grep -E '^[0-9]+ +execve\(".*(= 0|<unfinished \.\.\.>)$' "$t" | sed -E 's/^[0-9]+ +execve\("([^"]*)".*/\1/; s#.*/##' | tr '\n' ' ')
  echo "children $who $(( execs - 1 )) $forks $progs" >> "$B"
}
children ours "$OURS" monitor
children heartbeat "$HB" monitor
children xl xl list $DOM
[ -x "$HELLO" ] && children hello "$HELLO"

xl destroy $DOM > /dev/null 2>&1
echo "dom0 uptime_at_end=$(cut -d' ' -f1 /proc/uptime)" >> $B
echo "LAB: dom0-bench finished"
