#!/usr/bin/env bash
# VirtualDomain benchmark: ocf:hacluster:VirtualDomain (ARTIFACTS_DIR/agents/VirtualDomain, or VD_AGENT)
# side by side with the shell ocf:heartbeat:VirtualDomain against the same private libvirtd and the same
# domain, reported as ratios (CPU time is stable on a loaded machine, wall time is not).
# Usage: tests/bench/virtualdomain.sh ARTIFACTS_DIR   (root; ~2 min)
#
# Daemons (tests/integration/libvirt/lib-libvirt.sh and README.md): "bench" in its own mount and
# anonymous network namespace with a qemu TCG no-OS guest (128 MiB, 1 vCPU) and the test driver (holder
# connection); "a" and "b" in network namespaces hc-vdb-a-PID / hc-vdb-b-PID joined by a veth
# (198.51.100.1/2, nothing in the root namespace) for migration. Both agents get the environment of
# pacemaker-execd (OCF_ROOT, OCF_RESOURCE_INSTANCE, HA_RSCTMP, HA_LOGFACILITY, HA_LOGFILE,
# CRM_meta_interval=10000, CRM_meta_timeout=20000) plus CIB_file= a private offline CIB holding the
# matching utilization values (the steady state of a real cluster), so the shell agent's crm_resource
# calls read a file and never reach a cluster on this machine. Exported, not wrapped in env, so no
# wrapper process is measured.
#   1. monitor of the running qemu guest, with the shell agent's defaults (autoset_utilization_*=true)
#      and with utilization off; the floor (hacluster Dummy monitor, one stat()): ROUNDS rounds, each
#      one hyperfine -N run of RUNS per command for the defaults and one for utilization off, command
#      order reversed every other round; CPU = mean user+sys over the rounds, wall = median of the
#      rounds' medians
#   2. child processes per monitor: successful execve calls under strace -f of the second of two
#      monitors run by the same parent process (the steady state under pacemaker-execd)
#   3. start and stop on the test driver (instant shutdown), the opposite action as --prepare
#   4. stop of the no-OS qemu guest (ignores ACPI) with CRM_meta_timeout=10000: one run each
#   5. live migration of the no-OS guest A -> B -> A, migrate_to on the source + migrate_from on the
#      destination, MIG_ROUNDS round trips per agent, alternating
# Ends with "VirtualDomain monitor: ours N ms median, N children, shell/ours CPU N.Nx (acceptance: <= 5 ms,
# 0, >= 20x) -> PASS|FAIL"; exit 1 on FAIL. Knobs: VD_ROUNDS (3) x VD_RUNS (40), VD_SS_RUNS (10),
# VD_MIG_ROUNDS (2), VD_AGENT (our agent), VD_SHELL_AGENT, VD_BASELINE_AGENT (another build of our agent,
# e.g. an older commit's: its monitor joins every round of 1. and the report gives its ratio from the
# same runs, so two builds are compared under the same load instead of in two runs minutes apart).
set -uo pipefail
ARTIFACTS=$(cd "${1:?usage: virtualdomain.sh ARTIFACTS_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
INTEG=$(cd "$HERE/../integration" && pwd)
ROUNDS=${VD_ROUNDS:-3}
RUNS=${VD_RUNS:-40}
SS_RUNS=${VD_SS_RUNS:-10}
MIG_ROUNDS=${VD_MIG_ROUNDS:-2}
OURS=${VD_AGENT:-$ARTIFACTS/agents/VirtualDomain}
HB=${VD_SHELL_AGENT:-/usr/lib/ocf/resource.d/heartbeat/VirtualDomain}
BASE=${VD_BASELINE_AGENT:-}
DUMMY=$ARTIFACTS/agents/Dummy
NS_A=hc-vdb-a-$$
NS_B=hc-vdb-b-$$
RSC=bench-vm
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/libvirt/lib-libvirt.sh
. "$INTEG/libvirt/lib-libvirt.sh"
bench_init "virtualdomain bench"

require_root || exit 2
require_tools hyperfine strace python3 ip unshare virsh /usr/sbin/libvirtd /usr/bin/qemu-system-x86_64 crm_resource || exit 2
[ -x "$OURS" ] || { echo "virtualdomain bench: $OURS not built" >&2; exit 2; }
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "virtualdomain bench: VD_BASELINE_AGENT $BASE is not executable" >&2; exit 2; }
[ -x "$DUMMY" ] || { echo "virtualdomain bench: $DUMMY not built" >&2; exit 2; }
[ -x "$HB" ] || { echo "virtualdomain bench: $HB not installed (Debian package resource-agents)" >&2; exit 2; }

LVD_ROOT=$WORK/lv
mkdir -p "$WORK/rsc" "$WORK/xml" "$LVD_ROOT"
t_cleanup_push 'lvd_stop bench; lvd_stop a; lvd_stop b'

# ---------------------------------------------------------------- daemons, namespaces, domains
die() { echo "virtualdomain bench: $*" >&2; exit 2; }
netns_create "$NS_A" "$NS_B" || exit 2
netns_veth "$NS_A" vda0 "$NS_B" vdb0 198.51.100.1/24 198.51.100.2/24 || die "namespaces $NS_A / $NS_B"
lvd_config bench 5a1d0000-0000-4000-8000-0000000000f1 || die "config"
lvd_config a 5a1d0000-0000-4000-8000-0000000000fa 198.51.100.1 || die "config"
lvd_config b 5a1d0000-0000-4000-8000-0000000000fb 198.51.100.2 || die "config"
lvd_start bench || die "libvirtd bench did not come up"
lvd_start a "$NS_A" || die "libvirtd a did not come up"
lvd_start b "$NS_B" || die "libvirtd b did not come up"
lvd_holder bench || die "test driver holder connection"
Q=$(lvd_qemu_uri bench)
T=$(lvd_test_uri bench)
A_Q=$(lvd_qemu_uri a)
B_Q=$(lvd_qemu_uri b)
lvd_domain_xml vdb1 >"$WORK/xml/vdb1.xml"
lvd_offline_cib "$RSC" >"$WORK/cib.xml"

# the agents' environment; exported as well, for hyperfine and strace: no env wrapper gets measured
RA_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C OCF_ROOT=/usr/lib/ocf
  "OCF_RESOURCE_INSTANCE=$RSC" "HA_RSCTMP=$WORK/rsc" "CIB_file=$WORK/cib.xml"
  HA_LOGFACILITY=daemon "HA_LOGFILE=$WORK/pacemaker.log")
RA_PARAMS=(CRM_meta_interval=10000 CRM_meta_timeout=20000 "config=$WORK/xml/vdb1.xml" "hypervisor=$Q"
  "state=$WORK/rsc/dummy.state")   # state: the floor's state file
ra_env start
export "${RA_ENVV[@]}"
RA_LIMIT=180
LEAN=(autoset_utilization_cpu=false autoset_utilization_host_memory=false autoset_utilization_hv_memory=false)
ms_of() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", (b-a)*1000}'; }

# both agents agree on the state of the same domain
bench_ra "ours probe before start" 7 --agent "$OURS" monitor CRM_meta_interval=0
bench_ra "ours start (qemu no-OS guest)" 0 --agent "$OURS" start
bench_ra "heartbeat monitor of ours' domain" 0 --agent "$HB" monitor
bench_ra "ours monitor" 0 --agent "$OURS" monitor
bench_ra "ours monitor, utilization off" 0 --agent "$OURS" monitor "${LEAN[@]}"
bench_ra "Dummy start (the floor)" 0 --agent "$DUMMY" start

# ---------------------------------------------------------------- 1. monitor
round() { # NAME R NAME1 CMD1 NAME2 CMD2 ...: one hyperfine run of all, interleaved (lib.sh)
  local name=$1 r=$2; shift 2
  interleaved "$r" "$@"
  hf "$name-$r" --warmup 5 --runs "$RUNS" "${HF_ARGS[@]}"
}
echo "== VirtualDomain monitor (qemu no-OS guest, $Q), defaults and autoset_utilization_*=false alternating, $ROUNDS rounds of $RUNS runs"
BASE_CMDS=() BASE_LEAN=()
[ -n "$BASE" ] && BASE_CMDS=("baseline monitor" "$BASE monitor") BASE_LEAN=("baseline monitor (utilization off)" "$BASE monitor")
for ((r = 1; r <= ROUNDS; r++)); do
  echo "   round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
  round monitor "$r" "ours monitor" "$OURS monitor" "heartbeat monitor" "$HB monitor" "${BASE_CMDS[@]}" "floor" "$DUMMY monitor"
  # the other environment is exported in a subshell: no env wrapper process gets measured
  (export "${LEAN[@]/#/OCF_RESKEY_}"; round monitor-lean "$r" "ours monitor (utilization off)" "$OURS monitor" "${BASE_LEAN[@]}" "heartbeat monitor (utilization off)" "$HB monitor")
  [ -s "$WORK/monitor-lean-$r.json" ] || exit 1
done
echo "== meta-data"
hf metadata --warmup 3 --runs "$RUNS" -n "ours meta-data" "$OURS meta-data" -n "heartbeat meta-data" "$HB meta-data"

# ---------------------------------------------------------------- 2. child processes
# children AGENT ACTION [ENV=VALUE...]: child processes of the second of two runs from the same parent
# process, as under pacemaker-execd (our agent's utilization cache is bound to its caller: the first
# run from a new caller writes the values once). Successful execve calls under strace -f that come
# after the second run's own execve; the runs are sequential, so all of them are that run's. The
# programs are left in $WORK/children.progs.
children() {
  local agent=$1 action=$2; shift 2
  strace -f -qq -e trace=execve -o "$WORK/strace.out" env "$@" python3 -c '
import subprocess, sys
for _ in range(2): subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
' "$agent" "$action" >/dev/null 2>&1 || true
  python3 - "$WORK/strace.out" "$agent" >"$WORK/children.progs" <<'PY'
import re, sys, os
# resumed lines carry no path: the path is on the matching "<unfinished ...>" line
pending = {}
progs = []
for line in open(sys.argv[1]):
    m = re.match(r'(\d+)\s+execve\("([^"]+)".*<unfinished \.\.\.>$', line)
    if m: pending[m.group(1)] = m.group(2); continue
    m = re.match(r'(\d+)\s+<\.\.\. execve resumed>.* = 0$', line)
    if m: progs.append(pending.pop(m.group(1), "?")); continue
    m = re.match(r'(\d+)\s+execve\("([^"]+)".* = 0$', line)
    if m: progs.append(m.group(2))
runs = [i for i, p in enumerate(progs) if p == sys.argv[2]]
after = progs[runs[1] + 1:] if len(runs) >= 2 else ["(agent ran fewer than two times)"] * 999
first = progs[runs[0] + 1:runs[1]] if len(runs) >= 2 else []
print(len(after))
print(", ".join(sorted(os.path.basename(p) for p in after)))
print(len(first))
PY
  head -1 "$WORK/children.progs"
}
declare -A KIDS
KIDS[ours_monitor]=$(children "$OURS" monitor)
# the first monitor from a new caller (a restarted pacemaker-execd) writes the utilization once
KIDS[ours_monitor_cold]=$(sed -n 3p "$WORK/children.progs")
KIDS[hb_monitor]=$(children "$HB" monitor)
hb_progs=$(sed -n 2p "$WORK/children.progs" | tr ',' '\n' | sed 's/^ //' | sort | uniq -c | sort -rn | awk '{printf "%s x%s, ", $2, $1}' | sed 's/, $//')
KIDS[ours_monitor_lean]=$(children "$OURS" monitor "${LEAN[@]/#/OCF_RESKEY_}")
KIDS[hb_monitor_lean]=$(children "$HB" monitor "${LEAN[@]/#/OCF_RESKEY_}")

# ---------------------------------------------------------------- 3. start / stop on the test driver
echo "== start / stop on the test driver ($T), $SS_RUNS runs each, the opposite action as --prepare"
(
  export OCF_RESKEY_hypervisor=$T
  RA_PARAMS+=("hypervisor=$T")
  bench_ra "ours start (test driver)" 0 --agent "$OURS" start
  bench_ra "heartbeat monitor (test driver)" 0 --agent "$HB" monitor
  bench_ra "heartbeat stop (test driver)" 0 --agent "$HB" stop
  hf startstop --warmup 1 --runs "$SS_RUNS" \
    --prepare "$OURS stop" -n "ours start" "$OURS start" \
    --prepare "$HB stop" -n "heartbeat start" "$HB start" \
    --prepare "$OURS start" -n "ours stop" "$OURS stop" \
    --prepare "$HB start" -n "heartbeat stop" "$HB stop"
  bench_ra "ours stop after the runs" 0 --agent "$OURS" stop
  # one action each from a fresh caller (start/stop alternate, so two runs of one action are not possible)
  one() { strace -f -qq -e trace=execve -o "$WORK/strace1.out" "$@" >/dev/null 2>&1 || true
    count_execs "$WORK/strace1.out"; }
  KS=$(one "$OURS" start); KT=$(one "$OURS" stop); HS=$(one "$HB" start); HT=$(one "$HB" stop)
  echo "$KS $KT $HS $HT" >"$WORK/ss-kids"
) || exit 1
read -r ks kt hs ht <"$WORK/ss-kids"
KIDS[ours_start]=$ks KIDS[ours_stop]=$kt KIDS[hb_start]=$hs KIDS[hb_stop]=$ht

# ---------------------------------------------------------------- 4. stop of a guest that ignores ACPI
echo "== stop of the no-OS qemu guest (ignores ACPI), CRM_meta_timeout=10000, one run each"
bench_ra "ours stop (no-OS)" 0 --agent "$OURS" stop CRM_meta_timeout=10000
ESC_OURS=$(ms_of 0 "$EL")
bench_ra "heartbeat start (no-OS)" 0 --agent "$HB" start
sleep 1
bench_ra "heartbeat stop (no-OS)" 0 --agent "$HB" stop CRM_meta_timeout=10000
ESC_HB=$(ms_of 0 "$EL")

# ---------------------------------------------------------------- 5. live migration
echo "== live migration of the no-OS guest between $NS_A and $NS_B, $MIG_ROUNDS round trips per agent"
: >"$WORK/migrations"
# mig AGENT LABEL SRC_URI SRC_HOST DST_URI DST_HOST: migrate_to + migrate_from, times appended
mig() {
  local agent=$1 label=$2 su=$3 sh=$4 du=$5 dh=$6 to from dt
  bench_ra "$label migrate_to $sh -> $dh" 0 --agent "$agent" migrate_to "hypervisor=$su" "remoteuri=$du" \
    "CRM_meta_migrate_target=$dh" "CRM_meta_migrate_source=$sh" CRM_meta_timeout=120000
  to=$(ms_of 0 "$EL")
  bench_ra "$label migrate_from on $dh" 0 --agent "$agent" migrate_from "hypervisor=$du" \
    "CRM_meta_migrate_target=$dh" "CRM_meta_migrate_source=$sh" CRM_meta_timeout=60000
  from=$(ms_of 0 "$EL")
  bench_ra "$label stop on the source $sh" 0 --agent "$agent" stop "hypervisor=$su"
  dt=$(virsh -c "$du" domjobinfo --completed vdb1 2>/dev/null | awk -F: '/Total downtime:/{gsub(/[^0-9]/,"",$2); print $2}')
  echo "$label $to $from ${dt:-0}" >>"$WORK/migrations"
}
bench_ra "ours start on A" 0 --agent "$OURS" start "hypervisor=$A_Q"
for ((m = 1; m <= MIG_ROUNDS; m++)); do
  mig "$OURS" ours "$A_Q" hostA "$B_Q" hostB
  mig "$OURS" ours "$B_Q" hostB "$A_Q" hostA
  mig "$HB" heartbeat "$A_Q" hostA "$B_Q" hostB
  mig "$HB" heartbeat "$B_Q" hostB "$A_Q" hostA
done
virsh -q -c "$A_Q" destroy vdb1 >/dev/null 2>&1

# ---------------------------------------------------------------- report
kids_args=()
for k in "${!KIDS[@]}"; do kids_args+=("$k=${KIDS[$k]}"); done
python3 - "$WORK" "$ROUNDS" "${BASE:+baseline}" "$ESC_OURS" "$ESC_HB" "$hb_progs" "${kids_args[@]}" <<'PY'
import json, statistics, sys
work, rounds, base, esc_ours, esc_hb, hb_progs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
kids = {k: int(v) for k, v in (a.split("=", 1) for a in sys.argv[7:])}
per = {}
for fn in [f"{work}/{g}-{r}.json" for g in ("monitor", "monitor-lean") for r in range(1, rounds + 1)] + [f"{work}/metadata.json", f"{work}/startstop.json"]:
    for r in json.load(open(fn))["results"]:
        per.setdefault(r["command"], []).append(((r["user"] + r["system"]) * 1000, r["median"] * 1000))
cpu = lambda n: statistics.mean(c for c, _ in per[n])
wall = lambda n: statistics.median(w for _, w in per[n])
rows = [("ours monitor", "ours monitor", kids["ours_monitor"]),
        ("heartbeat monitor", "heartbeat monitor", kids["hb_monitor"]),
        ("ours monitor (utilization off)", "ours monitor (utilization off)", kids["ours_monitor_lean"]),
        ("heartbeat monitor (utilization off)", "heartbeat monitor (utilization off)", kids["hb_monitor_lean"]),
        ("ours meta-data", "ours meta-data", None), ("heartbeat meta-data", "heartbeat meta-data", None),
        ("ours start (test driver)", "ours start", kids["ours_start"]),
        ("heartbeat start (test driver)", "heartbeat start", kids["hb_start"]),
        ("ours stop (test driver)", "ours stop", kids["ours_stop"]),
        ("heartbeat stop (test driver)", "heartbeat stop", kids["hb_stop"]),
        ("(floor: hacluster Dummy monitor)", "floor", 0)]
print(f"\n{'command':38} {'median ms':>10} {'CPU ms':>8} {'children':>9}")
for label, n, k in rows:
    print(f"{label:38} {wall(n):10.2f} {cpu(n):8.2f} {'-' if k is None else k:>9}")
print(f"heartbeat monitor's children: {hb_progs}")
print(f"ours: the first monitor from a new caller (restarted pacemaker-execd) starts {kids['ours_monitor_cold']} "
      f"(crm_resource writes the utilization once); children above are the steady state")
print(f"\n{'heartbeat / ours':38} {'median':>8} {'CPU':>8}")
for a, b in [("heartbeat monitor", "ours monitor"), ("heartbeat monitor (utilization off)", "ours monitor (utilization off)"),
             ("heartbeat meta-data", "ours meta-data"), ("heartbeat start", "ours start"), ("heartbeat stop", "ours stop")]:
    print(f"{b.replace('ours ', ''):38} {wall(a) / wall(b):7.1f}x {cpu(a) / cpu(b):7.1f}x")
if base:
    print(f"\nbaseline (VD_BASELINE_AGENT), the same rounds:")
    for a, b in [("heartbeat monitor", "baseline monitor"), ("heartbeat monitor (utilization off)", "baseline monitor (utilization off)")]:
        print(f"heartbeat / {b:35} {wall(a) / wall(b):7.1f}x {cpu(a) / cpu(b):7.1f}x   (ours {cpu(b.replace('baseline', 'ours')):.2f} ms CPU, baseline {cpu(b):.2f} ms)")
    print("monitor CPU ratio heartbeat/baseline per round: " + ", ".join(f"{h / o:.1f}x" for (h, _), (o, _) in zip(per["heartbeat monitor"], per["baseline monitor"])))
print(f"\nstop of the no-OS guest (ignores ACPI), CRM_meta_timeout=10000: ours {esc_ours} ms, heartbeat {esc_hb} ms ({esc_hb / max(esc_ours, 1):.1f}x)")
mig = {}
for line in open(f"{work}/migrations"):
    label, to_ms, from_ms, down = line.split()
    mig.setdefault(label, []).append((int(to_ms), int(from_ms), int(down)))
for label in ("ours", "heartbeat"):
    m = mig.get(label, [])
    if m:
        print(f"migration ({label}, {len(m)} migrations): migrate_to median {statistics.median(x[0] for x in m):.0f} ms, "
              f"migrate_from median {statistics.median(x[1] for x in m):.0f} ms, qemu downtime median {statistics.median(x[2] for x in m):.0f} ms")
if mig.get("ours") and mig.get("heartbeat"):
    o = statistics.median(x[0] + x[1] for x in mig["ours"]); h = statistics.median(x[0] + x[1] for x in mig["heartbeat"])
    print(f"migration migrate_to + migrate_from: heartbeat / ours = {h / o:.1f}x")
ratio = cpu("heartbeat monitor") / cpu("ours monitor")
w = wall("ours monitor")
k = kids["ours_monitor"]
print("\nours monitor median wall per round: " + ", ".join(f"{w:.2f} ms" for _, w in per["ours monitor"])
      + "; floor: " + ", ".join(f"{w:.2f} ms" for _, w in per["floor"]))
print("monitor CPU ratio heartbeat/ours per round: " + ", ".join(f"{h / o:.1f}x" for (h, _), (o, _) in zip(per["heartbeat monitor"], per["ours monitor"])))
print(f"ours monitor = floor + {w - wall('floor'):.2f} ms wall, + {cpu('ours monitor') - cpu('floor'):.2f} ms CPU "
      f"(floor: a NativeAOT agent whose monitor is one stat(); load {open('/proc/loadavg').read().split()[0]})")
ok = w <= 5.0 and k == 0 and ratio >= 20
print(f"VirtualDomain monitor: ours {w:.2f} ms median, {k} children, shell/ours CPU {ratio:.1f}x "
      f"(acceptance: <= 5 ms, 0, >= 20x) -> {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
