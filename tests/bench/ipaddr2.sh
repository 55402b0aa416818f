#!/usr/bin/env bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
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
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
bench_init "ipaddr2 bench"
require_root || exit 2
require_tools hyperfine strace python3 ip || exit 2
[ -x "$OURS" ] || { echo "ipaddr2 bench: $OURS not built" >&2; exit 2; }
[ -x "$DUMMY" ] || { echo "ipaddr2 bench: $DUMMY not built" >&2; exit 2; }
[ -x "$HB" ] || { echo "ipaddr2 bench: $HB not installed (Debian package resource-agents)" >&2; exit 2; }

# the agents' environment (and nothing else); NICMASK is what "ip only" leaves out
RA_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C OCF_ROOT=/usr/lib/ocf
  OCF_RESOURCE_INSTANCE=bench "HA_RSCTMP=$WORK/rsc" HA_LOGFACILITY=daemon "HA_LOGFILE=$WORK/pacemaker.log")
RA_PARAMS=(ip=203.0.113.10 CRM_meta_interval=10000 CRM_meta_timeout=20000 arp_bg=true)
NICMASK=(cidr_netmask=24 nic=bv0)
# X CMD...: CMD inside the namespace with the agents' environment; XI: the same without nic and
# cidr_netmask (ip only); XF: the same as X with arp_bg=false
X() { ra_env start "${NICMASK[@]}"; netns_exec "$NS" env -i "${RA_ENVV[@]}" "$@"; }
XI() { ra_env start; netns_exec "$NS" env -i "${RA_ENVV[@]}" "$@"; }
XF() { ra_env start "${NICMASK[@]}" arp_bg=false; netns_exec "$NS" env -i "${RA_ENVV[@]}" "$@"; }
# the agents are stopped again before the namespace goes
t_cleanup_push 'X "$OURS" stop >/dev/null 2>&1; X "$HB" stop >/dev/null 2>&1'
netns_create "$NS" || exit 2
netns_veth "$NS" bv0 "$NS" bv1 203.0.113.1/24 || exit 2
mkdir -p "$WORK/rsc"

# ok DESC WANT AGENT ACTION [NAME=VALUE...]: the agent inside the namespace exits WANT (else exit 1)
ok() { local d=$1 want=$2 agent=$3; shift 3; bench_ra "$d" "$want" --netns "$NS" --agent "$agent" "$@"; }

# ---------------------------------------------------------------- both agents agree on the state
ok "ours start" 0 "$OURS" start "${NICMASK[@]}"
ok "heartbeat monitor of ours' address" 0 "$HB" monitor "${NICMASK[@]}"
ok "heartbeat monitor (ip only) of ours' address" 0 "$HB" monitor
ok "ours stop" 0 "$OURS" stop "${NICMASK[@]}"
ok "heartbeat monitor after ours stop" 7 "$HB" monitor "${NICMASK[@]}"
ok "heartbeat start" 0 "$HB" start "${NICMASK[@]}"
ok "ours monitor of heartbeat's address" 0 "$OURS" monitor "${NICMASK[@]}"
ok "ours monitor (ip only) of heartbeat's address" 0 "$OURS" monitor
ok "heartbeat stop" 0 "$HB" stop "${NICMASK[@]}"
ok "ours monitor after heartbeat stop" 7 "$OURS" monitor "${NICMASK[@]}"
ok "ours start" 0 "$OURS" start "${NICMASK[@]}"
ok "Dummy start (its state file under HA_RSCTMP)" 0 "$DUMMY" start

# ---------------------------------------------------------------- 1. monitor, meta-data
# rounds NAME X|XI NAME1 CMD1 NAME2 CMD2 ...: ROUNDS hyperfine runs of all the commands side by side
# inside the namespace, interleaved (lib.sh)
rounds() {
  local name=$1 x=$2 r; shift 2
  for ((r = 1; r <= ROUNDS; r++)); do
    interleaved "$r" "$@"
    hf "$name-$r" --via "$x" --warmup 10 --runs "$RUNS" "${HF_ARGS[@]}"
  done
}
echo "== IPaddr2 monitor / meta-data, $ROUNDS rounds of $RUNS runs each, each round one hyperfine run (load: $(cut -d' ' -f1-3 /proc/loadavg))"
rounds monitor X "ours monitor" "$OURS monitor" "heartbeat monitor" "$HB monitor" \
  "ours meta-data" "$OURS meta-data" "heartbeat meta-data" "$HB meta-data" "floor" "$DUMMY monitor"
echo "== IPaddr2 monitor with ip only (no nic, no cidr_netmask), $ROUNDS rounds of $RUNS runs each, each round one hyperfine run"
rounds monitor-iponly XI "ours monitor (ip only)" "$OURS monitor" "heartbeat monitor (ip only)" "$HB monitor"

# ---------------------------------------------------------------- 2. start, stop
echo "== IPaddr2 start / stop (arp_bg=true), $SS_RUNS runs each, the opposite action as --prepare, one hyperfine run"
hf startstop --via X --warmup 3 --runs "$SS_RUNS" \
  --prepare "$OURS stop" -n "ours start" "$OURS start" \
  --prepare "$HB stop" -n "heartbeat start" "$HB start" \
  --prepare "$OURS start" -n "ours stop" "$OURS stop" \
  --prepare "$HB start" -n "heartbeat stop" "$HB stop"
ok "heartbeat stop after the start/stop runs" 0 "$HB" stop "${NICMASK[@]}"
ok "ours stop after the start/stop runs" 0 "$OURS" stop "${NICMASK[@]}"

# ---------------------------------------------------------------- 3. child processes
# children X|XI|XF AGENT ACTION: successful execve calls under strace -f inside the namespace, minus the
# first (the agent itself)
children() {
  local x=$1; shift
  "$x" strace -f -qq -e trace=execve -o "$WORK/strace.out" "$@" >/dev/null 2>&1 || true
  count_execs "$WORK/strace.out"
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
