#!/usr/bin/env bash
# shellcheck disable=SC2016  # guest commands are expanded inside the guest: single quotes on purpose
# usage: tests/bench/drbd.sh ARTIFACTS_DIR
#
# ocf:hacluster:drbd against ocf:linbit:drbd, side by side in one hyperfine run, inside the same
# User-Mode-Linux guest (real DRBD 8.4.11, tests/integration/drbd/uml.sh): the recurring monitor
# of a Primary in steady state (Connected, UpToDate/UpToDate, score unchanged), run by one
# long-lived parent as pacemaker-execd does. Both agents see the same crm tools: the stub of
# tests/integration/drbd/crm-stub.sh (no cluster runs in the guest), first in PATH and as
# HA_SBIN_DIR. Reports wall and CPU time (hyperfine's user + system of the agent and all its
# children, as the guest kernel accounts them) and the child processes of one monitor.
# Acceptance (issue 5): ours starts at most 1 child and is >= 5x cheaper in CPU. Exit 1 otherwise.
# Needs root, user-mode-linux, uml-utilities, drbd-utils, hyperfine, strace. ~2-3 min.
set -u
ART=$(cd "${1:?usage: drbd.sh ARTIFACTS_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
IT=$HERE/../integration
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/drbd/uml.sh
. "$IT/drbd/uml.sh"
t_init drbd-bench
RUNS=${DRBD_BENCH_RUNS:-30}
require_root || exit 2
require_tools hyperfine strace python3 /usr/lib/ocf/resource.d/linbit/drbd || exit 2
[ -x "$ART/agents/drbd" ] || { echo "drbd-bench: no $ART/agents/drbd" >&2; exit 2; }
t_traps
uml_setup || exit 2
install -m 0755 "$ART/agents/drbd" "$UML_RUN/share/drbd"
OURS=$UML_RUN/share/drbd
LINBIT=/usr/lib/ocf/resource.d/linbit/drbd
uml_start --fresh-disk 1 2 || exit 1
for n in 1 2; do uml_drbd_up "$n" >/dev/null || { echo "drbd-bench: DRBD setup failed on node$n" >&2; exit 1; }; done
uml_drbd_initial_sync || { echo "drbd-bench: no UpToDate Primary" >&2; exit 1; }

# the agents' environment: both see the same crm tools, the stub first in PATH and as HA_SBIN_DIR
RA_ENV=("${UML_DRBD_ENV[@]}" PATH=/run/crm-stub:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C)
RA_PARAMS=(CRM_meta_interval=10000 CRM_meta_role=Promoted CRM_meta_timeout=240000 CRM_meta_on_node=node1)
RA_LIMIT=110
ra_env monitor
ENVS="export $(printf '%q ' "${RA_ENVV[@]}")"
# one monitor each first: both write the score once; after that it is unchanged (steady state)
bench_ra "a first monitor of ours (Promoted)" 8 --via gx 1 --agent "$OURS" monitor
bench_ra "a first monitor of linbit/drbd (Promoted)" 8 --via gx 1 --agent "$LINBIT" monitor

echo "== drbd monitor of a Primary in steady state, inside a UML guest, $RUNS runs each, interleaved (host load: $(cut -d' ' -f1-3 /proc/loadavg))"
GX_TIMEOUT=1200 gx 1 "$ENVS; hyperfine -N -i --warmup 3 --runs $RUNS --export-json /ctl/drbd.json \
  -n ours '$OURS monitor' -n linbit '$LINBIT monitor' >/ctl/hyperfine.txt 2>&1; echo rc=\$?" >"$UML_RUN/hf.txt"
grep -q rc=0 "$UML_RUN/hf.txt" || { echo "drbd-bench: hyperfine failed:" >&2; cat "$UML_RUN/node1/ctl/hyperfine.txt" >&2; exit 1; }
# children: ours as the second monitor of one parent (cached score); LINBIT's every process of one monitor
ours_children=$(gx 1 "$ENVS; $UML_RUN/share/monitor-children.sh $OURS" | head -1)
linbit_children=$(gx 1 "$ENVS; strace -f -qq -e trace=execve -e signal=none -o /run/linbit.strace $LINBIT monitor >/dev/null 2>&1
awk '\$2 ~ /^execve\\(/ { if (!(\$1 in s)) { s[\$1] = 1; n++ } } END { print n - 1 }' /run/linbit.strace")
python3 - "$UML_RUN/node1/ctl/drbd.json" "$ours_children" "$linbit_children" <<'PY'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
def cpu(n): r = runs[n]; return (r["user"] + r["system"]) * 1000
def wall(n): return runs[n]["median"] * 1000
ours_children = int(sys.argv[2].split()[0]); linbit_children = int(sys.argv[3])
print(f"{'command':34} {'median ms':>10} {'CPU ms':>8} {'children':>9}")
print(f"{'hacluster drbd monitor (Primary)':34} {wall('ours'):10.1f} {cpu('ours'):8.1f} {ours_children:9d}   ({sys.argv[2].strip()})")
print(f"{'linbit drbd monitor (Primary)':34} {wall('linbit'):10.1f} {cpu('linbit'):8.1f} {linbit_children:9d}")
ratio = cpu("linbit") / cpu("ours")
ok = ratio >= 5 and ours_children <= 1
print(f"\ndrbd monitor: linbit/drbd costs {ratio:.1f}x the CPU of ours, {wall('linbit') / wall('ours'):.1f}x the wall time; "
      f"ours starts {ours_children} child (acceptance: >= 5x, <= 1 child) -> {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
