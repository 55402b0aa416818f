#!/usr/bin/env bash
# IPaddr2 benchmark: ocf:hacluster:IPaddr2 (ARTIFACTS_DIR/agents/IPaddr2) side by side with the shell
# ocf:heartbeat:IPaddr2, in ONE hyperfine run per group, reported as ratios (CPU time is stable on a
# loaded machine, wall time is not). Usage: tests/bench/ipaddr2.sh ARTIFACTS_DIR   (root; ~30 s)
#
# Inside a private network namespace hc-bench-ip-PID (veth bv0/bv1, both ends inside, 203.0.113.1/24
# on bv0), 203.0.113.10/24 on bv0, with the environment of the baseline (tests/integration/README.md,
# "What pacemaker-execd passes to an agent": ip, cidr_netmask=24, nic=bv0, CRM_meta_interval=10000,
# CRM_meta_timeout=20000) plus what pacemaker-execd passes for logging:
#   1. monitor (nic + cidr_netmask given; and ip only), meta-data, and the floor (hacluster Dummy
#      monitor) - the address started by ours and checked by both (monitor only reads kernel state;
#      both agents are checked to agree on it). ROUNDS hyperfine runs, the command order reversed
#      every other round; CPU = mean over the rounds, median wall = median of the rounds' medians
#   2. start and stop, each measured with the opposite action of the same agent as --prepare
#      (so every run is a real start / stop), arp_bg=true for both as the default for IPv4
#   3. child processes per action: successful execve calls under strace -f, minus the agent itself.
#      Ours must start none for monitor, start and stop with arp_bg=false, and exactly one (the
#      detached self-exec that sends the ARPs) for start with arp_bg=true.
# Ends with "IPaddr2 monitor CPU ratio heartbeat/ours = N.Nx (acceptance: >= 15x), children: N -> PASS|FAIL";
# exit 1 on FAIL. Knobs: IPADDR2_ROUNDS (default 3) x IPADDR2_RUNS (default 60) runs of monitor and
# meta-data, IPADDR2_SS_RUNS (start/stop runs, default 30).
set -euo pipefail
ARTIFACTS=$(cd "${1:?usage: ipaddr2.sh ARTIFACTS_DIR}" && pwd)
RUNS=${IPADDR2_RUNS:-60}
ROUNDS=${IPADDR2_ROUNDS:-3}
SS_RUNS=${IPADDR2_SS_RUNS:-30}
OURS=$ARTIFACTS/agents/IPaddr2
HB=/usr/lib/ocf/resource.d/heartbeat/IPaddr2
DUMMY=$ARTIFACTS/agents/Dummy   # the floor: a NativeAOT agent whose monitor is one stat()
NS=hc-bench-ip-$$
[ "$(id -u)" = 0 ] || { echo "ipaddr2 bench: must run as root (network namespaces)" >&2; exit 2; }
for t in hyperfine strace python3 ip; do
  command -v "$t" >/dev/null || { echo "ipaddr2 bench: $t not found" >&2; exit 2; }
done
[ -x "$OURS" ] || { echo "ipaddr2 bench: $OURS not built" >&2; exit 2; }
[ -x "$DUMMY" ] || { echo "ipaddr2 bench: $DUMMY not built" >&2; exit 2; }
[ -x "$HB" ] || { echo "ipaddr2 bench: $HB not installed (Debian package resource-agents)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hacluster-bench-ipaddr2.XXXXXX)
# X CMD...: CMD inside the namespace with the agents' environment (and nothing else)
BENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C OCF_ROOT=/usr/lib/ocf
  OCF_RESOURCE_INSTANCE=bench "HA_RSCTMP=$WORK/rsc" HA_LOGFACILITY=daemon "HA_LOGFILE=$WORK/pacemaker.log"
  OCF_RESKEY_ip=203.0.113.10 OCF_RESKEY_cidr_netmask=24 OCF_RESKEY_nic=bv0
  OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=20000 OCF_RESKEY_arp_bg=true)
X() { ip netns exec "$NS" env -i "${BENV[@]}" "$@"; }
# XI CMD...: the same without nic and cidr_netmask (ip only); XF CMD...: the same with arp_bg=false
BENV_IPONLY=()
for v in "${BENV[@]}"; do case $v in OCF_RESKEY_nic=* | OCF_RESKEY_cidr_netmask=*) ;; *) BENV_IPONLY+=("$v") ;; esac; done
XI() { ip netns exec "$NS" env -i "${BENV_IPONLY[@]}" "$@"; }
XF() { ip netns exec "$NS" env -i "${BENV[@]}" OCF_RESKEY_arp_bg=false "$@"; }
NS_INO=""
cleanup() {
  set +e
  if [ -n "$NS_INO" ]; then
    X "$OURS" stop >/dev/null 2>&1
    X "$HB" stop >/dev/null 2>&1
    # whatever still runs in our private namespace is ours (a background ARP sender): SIGKILL by PID
    local p left=()
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$NS_INO]" ] && left+=("${p#/proc/}")
    done
    [ ${#left[@]} -gt 0 ] && kill -KILL "${left[@]}" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
NS_INO=$(stat -L -c %i "/run/netns/$NS")
ip -n "$NS" link set lo up
ip -n "$NS" link add bv0 type veth peer name bv1
ip -n "$NS" addr add 203.0.113.1/24 dev bv0
ip -n "$NS" link set bv0 up
ip -n "$NS" link set bv1 up
mkdir -p "$WORK/rsc"


# rc [X|XI|XF] AGENT ACTION: the exit code, without stopping on it
rc() { local r=0 x=X; case $1 in X | XI | XF) x=$1; shift ;; esac; "$x" "$@" >"$WORK/last.out" 2>&1 || r=$?; echo "$r"; }
expect() { # DESC WANT GOT
  if [ "$2" != "$3" ]; then echo "ipaddr2 bench: $1: exit $3, expected $2" >&2; cat "$WORK/last.out" >&2; exit 1; fi
}

# ---------------------------------------------------------------- both agents agree on the state
expect "ours start" 0 "$(rc "$OURS" start)"
expect "heartbeat monitor of ours' address" 0 "$(rc "$HB" monitor)"
expect "heartbeat monitor (ip only) of ours' address" 0 "$(rc XI "$HB" monitor)"
expect "ours stop" 0 "$(rc "$OURS" stop)"
expect "heartbeat monitor after ours stop" 7 "$(rc "$HB" monitor)"
expect "heartbeat start" 0 "$(rc "$HB" start)"
expect "ours monitor of heartbeat's address" 0 "$(rc "$OURS" monitor)"
expect "ours monitor (ip only) of heartbeat's address" 0 "$(rc XI "$OURS" monitor)"
expect "heartbeat stop" 0 "$(rc "$HB" stop)"
expect "ours monitor after heartbeat stop" 7 "$(rc "$OURS" monitor)"
expect "ours start" 0 "$(rc "$OURS" start)"
expect "Dummy start (its state file under HA_RSCTMP)" 0 "$(rc "$DUMMY" start)"

# ---------------------------------------------------------------- 1. monitor, meta-data
# hf NAME X|XI HYPERFINE-ARGS...: one hyperfine run inside the namespace, JSON to $WORK/NAME.json
hf() {
  local name=$1 x=$2; shift 2
  "$x" hyperfine -N --export-json "$WORK/$name.json" "$@" >/dev/null 2>"$WORK/hyperfine.err" ||
    { cat "$WORK/hyperfine.err" >&2; exit 1; }
}
# rounds NAME X|XI NAME1 CMD1 NAME2 CMD2 ...: ROUNDS hyperfine runs of all the commands side by side,
# the order reversed every other round, so that a load change during a run does not favour one side
rounds() {
  local name=$1 x=$2 r i args; shift 2
  local pairs=("$@")
  for ((r = 1; r <= ROUNDS; r++)); do
    args=()
    if ((r % 2)); then for ((i = 0; i < ${#pairs[@]}; i += 2)); do args+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done
    else for ((i = ${#pairs[@]} - 2; i >= 0; i -= 2)); do args+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done; fi
    hf "$name-$r" "$x" --warmup 10 --runs "$RUNS" "${args[@]}"
  done
}
echo "== IPaddr2 monitor / meta-data, $ROUNDS rounds of $RUNS runs each, each round one hyperfine run (load: $(cut -d' ' -f1-3 /proc/loadavg))"
rounds monitor X "ours monitor" "$OURS monitor" "heartbeat monitor" "$HB monitor" \
  "ours meta-data" "$OURS meta-data" "heartbeat meta-data" "$HB meta-data" "floor" "$DUMMY monitor"
echo "== IPaddr2 monitor with ip only (no nic, no cidr_netmask), $ROUNDS rounds of $RUNS runs each, each round one hyperfine run"
rounds monitor-iponly XI "ours monitor (ip only)" "$OURS monitor" "heartbeat monitor (ip only)" "$HB monitor"

# ---------------------------------------------------------------- 2. start, stop
echo "== IPaddr2 start / stop (arp_bg=true), $SS_RUNS runs each, the opposite action as --prepare, one hyperfine run"
hf startstop X --warmup 3 --runs "$SS_RUNS" \
  --prepare "$OURS stop" -n "ours start" "$OURS start" \
  --prepare "$HB stop" -n "heartbeat start" "$HB start" \
  --prepare "$OURS start" -n "ours stop" "$OURS stop" \
  --prepare "$HB start" -n "heartbeat stop" "$HB stop"
expect "heartbeat stop after the start/stop runs" 0 "$(rc "$HB" stop)"
expect "ours stop after the start/stop runs" 0 "$(rc "$OURS" stop)"

# ---------------------------------------------------------------- 3. child processes
# children X|XI|XF AGENT ACTION: successful execve calls under strace -f inside the namespace, minus the
# first (the agent itself)
children() {
  local x=$1; shift
  "$x" strace -f -qq -e trace=execve -o "$WORK/strace.out" "$@" >/dev/null 2>&1 || true
  echo $(( $(grep -cE 'execve\(.*\) = 0$|<\.\.\. execve resumed>.* = 0$' "$WORK/strace.out") - 1 ))
}
declare -A KIDS
KIDS[ours_start]=$(children XF "$OURS" start)
KIDS[ours_monitor]=$(children X "$OURS" monitor)
KIDS[ours_monitor_iponly]=$(children XI "$OURS" monitor)
KIDS[ours_stop]=$(children XF "$OURS" stop)
KIDS[ours_start_bg]=$(children X "$OURS" start)        # strace -f follows the detached sender until it is done
KIDS[ours_stop_bg]=$(children X "$OURS" stop)
KIDS[ours_metadata]=$(children X "$OURS" meta-data)
KIDS[hb_start]=$(children XF "$HB" start)
KIDS[hb_monitor]=$(children X "$HB" monitor)
KIDS[hb_monitor_iponly]=$(children XI "$HB" monitor)
KIDS[hb_stop]=$(children XF "$HB" stop)
KIDS[hb_start_bg]=$(children X "$HB" start)
KIDS[hb_stop_bg]=$(children X "$HB" stop)
KIDS[hb_metadata]=$(children X "$HB" meta-data)
kids_args=()
for k in "${!KIDS[@]}"; do kids_args+=("$k=${KIDS[$k]}"); done

python3 - "$WORK" "$ROUNDS" "${kids_args[@]}" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
per_round = {}   # command -> [(cpu ms, median ms) per hyperfine run]
files = [f"{work}/{g}-{r}.json" for g in ("monitor", "monitor-iponly") for r in range(1, rounds + 1)]
for fn in files + [f"{work}/startstop.json"]:
    for r in json.load(open(fn))["results"]:
        per_round.setdefault(r["command"], []).append(((r["user"] + r["system"]) * 1000, r["median"] * 1000))
kids = dict(a.split("=", 1) for a in sys.argv[3:])
kids = {k: int(v) for k, v in kids.items()}
def cpu(n): return statistics.mean(c for c, _ in per_round[n])
def wall(n): return statistics.median(w for _, w in per_round[n])
def row(label, name, kid): return (label, wall(name), cpu(name), kid)

rows = [
    row("ours monitor", "ours monitor", kids["ours_monitor"]),
    row("heartbeat monitor", "heartbeat monitor", kids["hb_monitor"]),
    row("ours monitor (ip only)", "ours monitor (ip only)", kids["ours_monitor_iponly"]),
    row("heartbeat monitor (ip only)", "heartbeat monitor (ip only)", kids["hb_monitor_iponly"]),
    row("ours meta-data", "ours meta-data", kids["ours_metadata"]),
    row("heartbeat meta-data", "heartbeat meta-data", kids["hb_metadata"]),
    row("ours start (arp_bg)", "ours start", kids["ours_start_bg"]),
    row("heartbeat start (arp_bg)", "heartbeat start", kids["hb_start_bg"]),
    row("ours stop", "ours stop", kids["ours_stop_bg"]),
    row("heartbeat stop", "heartbeat stop", kids["hb_stop_bg"]),
]
print(f"\n{'command':30} {'median ms':>10} {'CPU ms':>8} {'children':>9}")
for n, w, c, k in rows:
    print(f"{n:30} {w:10.2f} {c:8.2f} {k:9d}")
print(f"{'(floor: hacluster Dummy monitor)':30} {wall('floor'):10.2f} {cpu('floor'):8.2f} {'0':>9}")
print(f"children with arp_bg=false: ours start {kids['ours_start']}, stop {kids['ours_stop']}; "
      f"heartbeat start {kids['hb_start']}, stop {kids['hb_stop']}")

by = {n: (w, c) for n, w, c, _ in rows}
print(f"\n{'heartbeat / ours':30} {'median':>8} {'CPU':>8}")
for what in ["monitor", "monitor (ip only)", "meta-data", "start (arp_bg)", "stop"]:
    hw, hc = by[f"heartbeat {what}"]; ow, oc = by[f"ours {what}"]
    print(f"{what:30} {hw / ow:7.1f}x {hc / oc:7.1f}x")
ss_h = (by["heartbeat start (arp_bg)"][0] + by["heartbeat stop"][0], by["heartbeat start (arp_bg)"][1] + by["heartbeat stop"][1])
ss_o = (by["ours start (arp_bg)"][0] + by["ours stop"][0], by["ours start (arp_bg)"][1] + by["ours stop"][1])
print(f"{'start + stop':30} {ss_h[0] / ss_o[0]:7.1f}x {ss_h[1] / ss_o[1]:7.1f}x\n")

ratio = by["heartbeat monitor"][1] / by["ours monitor"][1]
print("monitor CPU ratio heartbeat/ours per round: " + ", ".join(
    f"{h / o:.1f}x" for (h, _), (o, _) in zip(per_round["heartbeat monitor"], per_round["ours monitor"])))
print(f"ours monitor CPU = floor + {by['ours monitor'][1] - cpu('floor'):.2f} ms; heartbeat monitor CPU / floor = "
      f"{by['heartbeat monitor'][1] / cpu('floor'):.1f}x (the best ratio a NativeAOT agent could reach here)")
mon_kids = kids["ours_monitor"]
ok = ratio >= 15 and mon_kids == 0
print(f"IPaddr2 monitor CPU ratio heartbeat/ours = {ratio:.1f}x (acceptance: >= 15x), children: {mon_kids} -> {'PASS' if ok else 'FAIL'}")
kids_ok = (kids["ours_monitor"], kids["ours_monitor_iponly"], kids["ours_start"], kids["ours_stop"], kids["ours_start_bg"]) == (0, 0, 0, 0, 1)
print(f"IPaddr2 children: monitor {kids['ours_monitor']}, monitor (ip only) {kids['ours_monitor_iponly']}, "
      f"start {kids['ours_start']}, stop {kids['ours_stop']} (arp_bg=false; acceptance: 0), "
      f"start with arp_bg=true {kids['ours_start_bg']} (acceptance: 1) -> {'PASS' if kids_ok else 'FAIL'}")
sys.exit(0 if ok and kids_ok else 1)
PY
