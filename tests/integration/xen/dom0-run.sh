#!/bin/bash
# Runs inside the nested Xen dom0 (PID 1 /sbin/lab-init calls it once xenstored and xenconsoled
# are up): drives the published ocf:hacluster:Xen (/lab/in/Xen) against real xl with a tiny PV and
# a PVH domU. Every agent call becomes one line of /lab/out/results.txt:
#     STEP want=RC rc=RC ms=MS
# and every extra check one line "check NAME ok|FAIL detail". The host (xen-real.sh) asserts on
# them; this script only records, so one failure does not hide the rest.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
OUT=/lab/out; mkdir -p $OUT
AGENT=/lab/in/Xen
chmod 755 /lab /lab/in "$AGENT"
R=$OUT/results.txt; : > $R
. /lab/in/lib.sh   # wait_console, guest_cfg, CON
echo "uptime_at_start $(cut -d' ' -f1 /proc/uptime)" >> $R
xl info > $OUT/xl-info.txt 2>&1

# ra STEP WANT ACTION [VAR=VALUE...]: one agent call with a clean OCF environment.
ra() {
  local step=$1 want=$2 action=$3; shift 3
  local t0 rc ms
  t0=$(date +%s%N)
  env -i PATH=$PATH OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_TYPE=Xen HA_RSCTMP=/run/resource-agents "$@" \
      "$AGENT" "$action" > "$OUT/$step.out" 2> "$OUT/$step.err" < /dev/null
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$step want=$want rc=$rc ms=$ms" >> $R
  echo "LAB: $step rc=$rc (want $want) ${ms}ms"
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
cp /lab/pv.cfg $OUT/pv.cfg.before

PV="OCF_RESOURCE_INSTANCE=rsc-pv OCF_RESKEY_xmfile=/lab/pv.cfg"
PVH="OCF_RESOURCE_INSTANCE=rsc-pvh OCF_RESKEY_xmfile=/lab/pvh.cfg"
DEAF="OCF_RESOURCE_INSTANCE=rsc-deaf OCF_RESKEY_xmfile=/lab/deaf.cfg"

# --- A. PV guest: probe, start, monitors, PV migration refused, orderly stop
ra meta-data 0 meta-data
ra pv-probe 7 monitor $PV OCF_RESKEY_CRM_meta_interval=0
ra pv-start 0 start $PV OCF_RESKEY_CRM_meta_timeout=120000
check pv-listed xl list pvguest
check pv-console-ready wait_console pvguest DOMU_READY 90
for i in 1 2 3; do ra pv-monitor-$i 0 monitor $PV OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=30000; done
ra pv-status 0 status $PV
# the xmfile gone (unmounted shared storage) while the domain runs: still running, not "stopped"
ra pv-probe-no-xmfile 0 monitor OCF_RESOURCE_INSTANCE=rsc-pv OCF_RESKEY_xmfile=/lab/missing.cfg OCF_RESKEY_name=pvguest OCF_RESKEY_CRM_meta_interval=0
# a hostile name goes to real xl as one literal argument: not running, and nothing was executed
ra hostile-probe 7 monitor OCF_RESOURCE_INSTANCE=rsc-x OCF_RESKEY_xmfile=/lab/pv.cfg 'OCF_RESKEY_name=$(touch /tmp/pwned); touch /tmp/pwned'
check hostile-nothing-ran test ! -e /tmp/pwned
ra pv-migrate-refused 1 migrate_to $PV OCF_RESKEY_CRM_meta_migrate_target=node2 OCF_RESKEY_CRM_meta_timeout=120000
check pv-migrate-reason grep -q "cannot live-migrate PV guests" $OUT/pv-migrate-refused.err
check pv-still-running xl list pvguest
ra pv-stop 0 stop $PV OCF_RESKEY_CRM_meta_timeout=60000
check pv-gone sh -c '! xl list pvguest'
check pv-orderly grep -q DOMU_SHUTTING_DOWN $CON/guest-pvguest.log
check pv-not-destroyed sh -c "! grep -q 'will be destroyed' $OUT/pv-stop.err"
ra pv-stop-again 0 stop $PV OCF_RESKEY_CRM_meta_timeout=60000
ra pv-probe-after 7 monitor $PV OCF_RESKEY_CRM_meta_interval=0
check xmfile-unchanged cmp -s /lab/pv.cfg $OUT/pv.cfg.before

# --- A2. xl create failing for real (missing kernel, exit 3): the reason is xl's error line
guest_cfg /lab/nokernel.cfg nokernel pv ""
sed -i 's#^kernel = .*#kernel = "/lab/nokernel"#' /lab/nokernel.cfg
ra nokernel-start 1 start OCF_RESOURCE_INSTANCE=rsc-nk OCF_RESKEY_xmfile=/lab/nokernel.cfg OCF_RESKEY_CRM_meta_timeout=60000
check nokernel-reason grep -q "^ocf-exit-reason:xl create '/lab/nokernel.cfg' for domain 'nokernel' exited with status 3: .*nokernel" $OUT/nokernel-start.err

# --- B. A guest that ignores xl shutdown: stop escalates to xl destroy after shutdown_timeout
ra deaf-start 0 start $DEAF OCF_RESKEY_CRM_meta_timeout=120000
check deaf-console-ready wait_console deafguest DOMU_READY_IGNORING_SHUTDOWN 90
ra deaf-stop 0 stop $DEAF OCF_RESKEY_shutdown_timeout=8 OCF_RESKEY_CRM_meta_timeout=60000
check deaf-destroyed grep -q "will be destroyed" $OUT/deaf-stop.err
check deaf-gone sh -c '! xl list deafguest'

# --- C. PVH guest: same-host live migration through xl migrate and the lab's fake ssh
ra pvh-start 0 start $PVH OCF_RESKEY_CRM_meta_timeout=120000
check pvh-console-ready wait_console pvhguest DOMU_READY 120
sleep 10   # let the guest settle before saving it (tests/integration/xen/README.md, "PV, PVH and live migration")
before=$(domid pvhguest)
ra pvh-migrate-to 0 migrate_to $PVH OCF_RESKEY_CRM_meta_migrate_source=node1 OCF_RESKEY_CRM_meta_migrate_target=node2 OCF_RESKEY_CRM_meta_timeout=240000
ra pvh-migrate-from 0 migrate_from $PVH OCF_RESKEY_CRM_meta_migrate_source=node1 OCF_RESKEY_CRM_meta_migrate_target=node2 OCF_RESKEY_CRM_meta_timeout=120000
after=$(domid pvhguest)
echo "pvh-domid before=$before after=$after" >> $R
check pvh-new-domid test -n "$before" -a -n "$after" -a "$before" != "$after"
ra pvh-monitor 0 monitor $PVH OCF_RESKEY_CRM_meta_interval=10000
ra pvh-stop 0 stop $PVH OCF_RESKEY_CRM_meta_timeout=60000
check pvh-gone sh -c '! xl list pvhguest'

# --- D. ocf-tester against a PV guest (its own start/stop/monitor/migrate cycle)
t0=$(date +%s)
# ocf-tester gives every action 20 s; xl create of the PV guest alone takes 15-19 s under TCG.
# The advertised start timeout (60 s) is what Pacemaker gives an op without its own timeout.
timeout 900 ocf-tester -v -n otguest -o xmfile=/lab/ot.cfg -o CRM_meta_timeout=60000 "$AGENT" > $OUT/ocf-tester.txt 2>&1
echo "ocf-tester want=0 rc=$? ms=$(( ($(date +%s) - t0) * 1000 ))" >> $R

xl list > $OUT/xl-list-end.txt 2>&1
echo "uptime_at_end $(cut -d' ' -f1 /proc/uptime)" >> $R
echo "LAB: dom0-run finished"
