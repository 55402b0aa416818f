#!/bin/bash
# Runs inside the nested Xen dom0 (PID 1 /sbin/lab-init calls it once xenstored and xenconsoled
# are up): drives the published ocf:hacluster:Xen (/lab/in/Xen) against real xl with a tiny PV and
# a PVH domU. Every agent call becomes one line of /lab/out/results.txt:
#     STEP want=RC rc=RC ms=MS
# and every extra check one line "check NAME ok|FAIL detail". The host (xen-real.sh) asserts on
# them; this script only records, so one failure does not hide the rest.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
OUT_DIR=/lab/out; mkdir -p $OUT_DIR
AGENT=/lab/in/Xen
chmod 755 /lab /lab/in "$AGENT"
R=$OUT_DIR/results.txt; : > $R
. /lab/in/lib.sh   # wait_console, guest_cfg, CON
# shellcheck source=tests/integration/lib.sh
. /lab/in/test-lib.sh   # ra: the agent as Pacemaker runs it (tests/integration/lib.sh)
echo "uptime_at_start $(cut -d' ' -f1 /proc/uptime)" >> $R
xl info > $OUT_DIR/xl-info.txt 2>&1

# step STEP WANT [--env NAME=VALUE]... ACTION [NAME=VALUE...]: one agent call (ra) with a clean OCF
# environment; its output goes to $OUT_DIR/STEP.out, "STEP want=WANT rc=RC ms=MS" to the results.
RA_AGENT=$AGENT
RA_ENV=("PATH=$PATH" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_TYPE=Xen HA_RSCTMP=/run/resource-agents)
RA_LIMIT=300
step() {
  local name=$1 want=$2 ms; shift 2
  ra "$@"
  printf '%s\n' "$OUT" > "$OUT_DIR/$name.out"
  ms=$(awk -v s="$EL" 'BEGIN { printf "%d", s * 1000 }')
  echo "$name want=$want rc=$RC ms=$ms" >> $R
  echo "LAB: $name rc=$RC (want $want) ${ms}ms"
}
check() { # NAME CONDITION-COMMAND... : records ok/FAIL
  local name=$1; shift
  if "$@" > /dev/null 2>&1; then echo "check $name ok" >> $R; else echo "check $name FAIL ($*)" >> $R; fi
}
domid() { xl domid "$1" 2>/dev/null; }

guest_cfg /lab/pv.cfg pvguest pv ""
guest_cfg /lab/pvh.cfg pvhguest pvh ""
guest_cfg /lab/deaf.cfg deafguest pv "rdinit=/sbin/ignore-shutdown-init"
guest_cfg /lab/ot.cfg otguest pv ""
cp /lab/pv.cfg $OUT_DIR/pv.cfg.before

PV=(--env OCF_RESOURCE_INSTANCE=rsc-pv --env OCF_RESKEY_xmfile=/lab/pv.cfg)
PVH=(--env OCF_RESOURCE_INSTANCE=rsc-pvh --env OCF_RESKEY_xmfile=/lab/pvh.cfg)
DEAF=(--env OCF_RESOURCE_INSTANCE=rsc-deaf --env OCF_RESKEY_xmfile=/lab/deaf.cfg)

# --- A. PV guest: probe, start, monitors, PV migration refused, orderly stop
step meta-data 0 meta-data
step pv-probe 7 "${PV[@]}" monitor CRM_meta_interval=0
step pv-start 0 "${PV[@]}" start CRM_meta_timeout=120000
check pv-listed xl list pvguest
check pv-console-ready wait_console pvguest DOMU_READY 90
for i in 1 2 3; do step pv-monitor-$i 0 "${PV[@]}" monitor CRM_meta_interval=10000 CRM_meta_timeout=30000; done
step pv-status 0 "${PV[@]}" status
# the xmfile gone (unmounted shared storage) while the domain runs: still running, not "stopped"
step pv-probe-no-xmfile 0 --env OCF_RESOURCE_INSTANCE=rsc-pv monitor xmfile=/lab/missing.cfg name=pvguest CRM_meta_interval=0
# a hostile name goes to real xl as one literal argument: not running, and nothing was executed
step hostile-probe 7 --env OCF_RESOURCE_INSTANCE=rsc-x monitor xmfile=/lab/pv.cfg 'name=$(touch /tmp/pwned); touch /tmp/pwned'
check hostile-nothing-ran test ! -e /tmp/pwned
step pv-migrate-refused 1 "${PV[@]}" migrate_to CRM_meta_migrate_target=node2 CRM_meta_timeout=120000
check pv-migrate-reason grep -q "cannot live-migrate PV guests" $OUT_DIR/pv-migrate-refused.out
check pv-still-running xl list pvguest
step pv-stop 0 "${PV[@]}" stop CRM_meta_timeout=60000
check pv-gone sh -c '! xl list pvguest'
check pv-orderly grep -q DOMU_SHUTTING_DOWN $CON/guest-pvguest.log
check pv-not-destroyed sh -c "! grep -q 'will be destroyed' $OUT_DIR/pv-stop.out"
step pv-stop-again 0 "${PV[@]}" stop CRM_meta_timeout=60000
step pv-probe-after 7 "${PV[@]}" monitor CRM_meta_interval=0
check xmfile-unchanged cmp -s /lab/pv.cfg $OUT_DIR/pv.cfg.before

# --- A2. xl create failing for real (missing kernel, exit 3): the reason is xl's error line
guest_cfg /lab/nokernel.cfg nokernel pv ""
sed -i 's#^kernel = .*#kernel = "/lab/nokernel"#' /lab/nokernel.cfg
step nokernel-start 1 --env OCF_RESOURCE_INSTANCE=rsc-nk start xmfile=/lab/nokernel.cfg CRM_meta_timeout=60000
check nokernel-reason grep -q "^ocf-exit-reason:xl create '/lab/nokernel.cfg' for domain 'nokernel' exited with status 3: .*nokernel" $OUT_DIR/nokernel-start.out

# --- B. A guest that ignores xl shutdown: stop escalates to xl destroy after shutdown_timeout
step deaf-start 0 "${DEAF[@]}" start CRM_meta_timeout=120000
check deaf-console-ready wait_console deafguest DOMU_READY_IGNORING_SHUTDOWN 90
step deaf-stop 0 "${DEAF[@]}" stop shutdown_timeout=8 CRM_meta_timeout=60000
check deaf-destroyed grep -q "will be destroyed" $OUT_DIR/deaf-stop.out
check deaf-gone sh -c '! xl list deafguest'

# --- C. PVH guest: same-host live migration through xl migrate and the lab's fake ssh
step pvh-start 0 "${PVH[@]}" start CRM_meta_timeout=120000
check pvh-console-ready wait_console pvhguest DOMU_READY 120
sleep 10   # let the guest settle before saving it (tests/integration/xen/README.md, "PV, PVH and live migration")
before=$(domid pvhguest)
step pvh-migrate-to 0 "${PVH[@]}" migrate_to CRM_meta_migrate_source=node1 CRM_meta_migrate_target=node2 CRM_meta_timeout=240000
step pvh-migrate-from 0 "${PVH[@]}" migrate_from CRM_meta_migrate_source=node1 CRM_meta_migrate_target=node2 CRM_meta_timeout=120000
after=$(domid pvhguest)
echo "pvh-domid before=$before after=$after" >> $R
check pvh-new-domid test -n "$before" -a -n "$after" -a "$before" != "$after"
step pvh-monitor 0 "${PVH[@]}" monitor CRM_meta_interval=10000
step pvh-stop 0 "${PVH[@]}" stop CRM_meta_timeout=60000
check pvh-gone sh -c '! xl list pvhguest'

# --- D. ocf-tester against a PV guest (its own start/stop/monitor/migrate cycle)
t0=$(date +%s)
timeout 900 ocf-tester -v -n otguest -o xmfile=/lab/ot.cfg "$AGENT" > $OUT_DIR/ocf-tester.txt 2>&1
echo "ocf-tester want=0 rc=$? ms=$(( ($(date +%s) - t0) * 1000 ))" >> $R

xl list > $OUT_DIR/xl-list-end.txt 2>&1
echo "uptime_at_end $(cut -d' ' -f1 /proc/uptime)" >> $R
echo "LAB: dom0-run finished"
