#!/usr/bin/env bash
# Benchmarks, side by side in one run, reported as ratios (CPU time is stable on a loaded
# machine, wall time is not). Usage: tests/bench/run.sh ARTIFACTS_DIR
#
# Dummy: ocf:hacluster:Dummy monitor against a NativeAOT hello world (the floor: the issue asks
# for at most 1.5x its CPU) and against the shell ocf:heartbeat:Dummy.
# IPaddr2: ipaddr2.sh, against the shell ocf:heartbeat:IPaddr2 in a private network namespace.
# VirtualDomain: virtualdomain.sh, against the shell ocf:heartbeat:VirtualDomain on private libvirt
# daemons (qemu TCG guest, test driver, live migration between two network namespaces).
# Xen: xen.sh, against the shell ocf:heartbeat:Xen inside a real dom0 (Xen under qemu TCG, ~5-8 min).
# drbd: drbd.sh, against ocf:linbit:drbd inside a User-Mode-Linux guest with real DRBD 8.4 (~2-3 min).
set -euo pipefail
ARTIFACTS=$(cd "${1:?usage: run.sh ARTIFACTS_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-300}
WORK=$(mktemp -d /tmp/hacluster-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

dotnet publish "$HERE/AotHello" -c Release -r linux-x64 -v quiet -nologo -o "$WORK/hello" >/dev/null
HELLO=$WORK/hello/AotHello

export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench HA_RSCTMP=$WORK/rsc LC_ALL=C
export OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=20000
# What pacemaker-execd passes for logging (no syslog socket here: ocf_log appends to the file).
export HA_LOGFACILITY=daemon HA_LOGFILE=$WORK/pacemaker.log
mkdir -p "$WORK/rsc"
OURS=$ARTIFACTS/agents/Dummy
SHELL_DUMMY=/usr/lib/ocf/resource.d/heartbeat/Dummy
# Both monitors only test that the state file exists: one file serves both, so no command
# needs an 'env' wrapper (whose cost would have to be subtracted).
export OCF_RESKEY_state=$WORK/rsc/dummy.state
"$OURS" start

# Child processes per action: execve calls after the first (the agent itself).
execs() { strace -f -qq -e trace=execve -o "$WORK/strace.out" "$@" >/dev/null 2>&1 || true; echo $(( $(grep -c 'execve(' "$WORK/strace.out") - 1 )); }

echo "== Dummy monitor, $RUNS runs each, interleaved by hyperfine (load: $(cut -d' ' -f1-3 /proc/loadavg))"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$WORK/dummy.json" \
  -n hello "$HELLO monitor" \
  -n ours "$OURS monitor" \
  -n shell "$SHELL_DUMMY monitor" >/dev/null

status=0
python3 - "$WORK/dummy.json" "$(execs "$OURS" monitor)" "$(execs "$SHELL_DUMMY" monitor)" <<'PY' || status=1
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
def cpu(n): r = runs[n]; return (r["user"] + r["system"]) * 1000
def wall(n): return runs[n]["median"] * 1000
rows = [("AOT hello world", wall("hello"), cpu("hello"), 0),
        ("hacluster Dummy monitor", wall("ours"), cpu("ours"), int(sys.argv[2])),
        ("heartbeat Dummy monitor", wall("shell"), cpu("shell"), int(sys.argv[3]))]
print(f"{'command':28} {'median ms':>10} {'CPU ms':>8} {'children':>9}")
for n, w, c, e in rows: print(f"{n:28} {w:10.2f} {c:8.2f} {e:9d}")
ratio = rows[1][2] / rows[0][2]
print(f"\nDummy monitor CPU = {ratio:.2f}x the AOT hello world (acceptance: <= 1.5x) -> {'PASS' if ratio <= 1.5 else 'FAIL'}")
print(f"heartbeat Dummy monitor CPU = {rows[2][2] / rows[1][2]:.1f}x ours")
sys.exit(0 if ratio <= 1.5 else 1)
PY

# IPaddr2: side by side with ocf:heartbeat:IPaddr2 in a private network namespace (needs root)
echo
bash "$HERE/ipaddr2.sh" "$ARTIFACTS" || status=1

echo
bash "$HERE/virtualdomain.sh" "$ARTIFACTS" || status=1
# Xen: side by side with ocf:heartbeat:Xen inside a real dom0 booted under qemu TCG (needs root)
echo
bash "$HERE/xen.sh" "$ARTIFACTS" || status=1
# drbd: side by side with ocf:linbit:drbd inside a User-Mode-Linux guest (needs root)
echo
bash "$HERE/drbd.sh" "$ARTIFACTS" || status=1
exit $status
