#!/bin/bash
# ocf:hacluster:Xen against REAL Xen: Xen 4.17 with a Debian 12 dom0 booted under qemu TCG (no
# KVM, no network: -nic none), the published agent run inside dom0 against a tiny PV and a PVH
# domU (tests/integration/xen/dom0-run.sh: probe, start, monitor, orderly stop, stop escalation
# for a guest that ignores xl shutdown, PV migration refused, PVH same-host live migration through
# xl migrate and a fake ssh, ocf-tester), results copied back and asserted here.
#
#   tests/integration/xen-real.sh            # builds the agent, boots, asserts; exit 0 = all passed
#   XEN_AGENT=/path/to/Xen tests/integration/xen-real.sh   # use an already published agent
#
# Ends with "xen-real: N passed, N failed" (tests/integration/run.sh adds it up).
# Exit 0 = passed, 1 = failed, 2 = a prerequisite is missing (root, qemu-system-x86, busybox-static,
# e2fsprogs, cpio; debootstrap and a Debian mirror for the first run only).
# The first run builds the chroot and images into $XEN_CACHE (/var/cache/hacluster-tests/xen,
# ~3-5 min, needs a Debian mirror); later runs reuse them. The boot and the payload take ~6-10
# minutes on 2 busy cores; the whole run is killed after $XEN_TIMEOUT seconds (default 1200).
# Results (serial log, per-step stdout/stderr, guest consoles) stay in $XEN_RESULTS.
# OCF_TESTER_OUT_DIR=DIR also writes the ocf-tester transcript (with a header) to DIR/Xen.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
XEN_CACHE=${XEN_CACHE:-/var/cache/hacluster-tests/xen}
RESULTS=${XEN_RESULTS:-/tmp/hacluster-xen-real}
TIMEOUT=${XEN_TIMEOUT:-1200}
t_start=$(date +%s)

# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xen/lab.sh
. "$HERE/xen/lab.sh"
t_init xen-real
xen_lab_prereqs xen-real
xen_lab_cache

WORK=$(mktemp -d /var/tmp/hacluster-xen-real.XXXXXX)
t_traps
# shellcheck disable=SC2016  # expanded at cleanup
t_cleanup_push 'xen_lab_cleanup; rm -rf "$WORK"'

mkdir -p "$WORK/payload"
if [ -n "${XEN_AGENT:-}" ]; then
  cp "$XEN_AGENT" "$WORK/payload/Xen"
else
  dotnet publish "$REPO/agents/Xen" -c Release -r linux-x64 -o "$WORK/pub" -v quiet -nologo >/dev/null
  cp "$WORK/pub/Xen" "$WORK/payload/Xen"
fi
cp "$HERE/xen/dom0-run.sh" "$WORK/payload/run.sh"
cp "$HERE/xen/dom0-lib.sh" "$WORK/payload/lib.sh"
chmod 755 "$WORK/payload/Xen"

t_boot=$(date +%s)
xen_lab_boot "$WORK/payload" "$RESULTS" "$(( TIMEOUT - (t_boot - t_start) ))"
verdict=$XEN_LAB_VERDICT
t_end=$(date +%s)

# ---- assertions: every one counts, for the "xen-real: N passed, N failed" line run.sh adds up
R=$RESULTS/results.txt
if [ -n "$verdict" ]; then fail "dom0 ran to its end: $verdict"; else pass "dom0 ran the payload and powered off"; fi
# Every step must be there: a run that stopped half-way must not pass.
for step in meta-data pv-probe pv-start pv-monitor-1 pv-monitor-2 pv-monitor-3 pv-status pv-probe-no-xmfile hostile-probe nokernel-start pv-migrate-refused pv-stop \
            pv-stop-again pv-probe-after deaf-start deaf-stop pvh-start pvh-migrate-to pvh-migrate-from pvh-monitor pvh-stop ocf-tester; do
  line=$(grep "^$step want=" "$R" 2>/dev/null | head -1) || true
  if [ -z "$line" ]; then fail "step $step ran"; continue; fi
  read -r _ want rc _ <<<"$line"
  if [ "${want#want=}" = "${rc#rc=}" ]; then pass "step $step returned ${rc#rc=}"
  else fail "step $step returned ${rc#rc=}, expected ${want#want=} (see $RESULTS/$step.err)"; fi
done
for c in pv-listed pv-console-ready hostile-nothing-ran nokernel-reason pv-migrate-reason pv-still-running pv-gone pv-orderly pv-not-destroyed xmfile-unchanged \
         deaf-console-ready deaf-destroyed deaf-gone pvh-console-ready pvh-new-domid pvh-gone; do
  if grep -q "^check $c ok" "$R" 2>/dev/null; then pass "check $c"
  else fail "check $c: $(grep "^check $c " "$R" 2>/dev/null || echo missing)"; fi
done
if grep -q "passed all tests" "$RESULTS/ocf-tester.txt" 2>/dev/null; then pass "ocf-tester inside dom0 passed all tests"
else fail "ocf-tester inside dom0: $(tail -3 "$RESULTS/ocf-tester.txt" 2>/dev/null)"; fi
if [ -n "${OCF_TESTER_OUT_DIR:-}" ] && [ -f "$RESULTS/ocf-tester.txt" ]; then   # the committed transcript
  ot=$(grep '^ocf-tester want=' "$R" 2>/dev/null | head -1) || true
  { echo "# ocf-tester run: hacluster:Xen on real Xen"
    echo "# date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "# agent:   ${XEN_AGENT:-Xen published from this checkout} (sha256 $(sha256sum "$WORK/payload/Xen" | cut -d' ' -f1)), /lab/in/Xen in dom0"
    echo "# package: $(dpkg-query -W -f '${Package} ${Version}' hacluster-agents 2>/dev/null || echo none)"
    echo "# where:   dom0 of Xen 4.17 (Debian 12) nested under qemu TCG; tests/integration/xen-real.sh (xen/dom0-run.sh, part D)"
    echo "# command: ocf-tester -v -n otguest -o xmfile=/lab/ot.cfg -o CRM_meta_timeout=60000 /lab/in/Xen   (a PV busybox domU)"
    echo "# result:  ${ot:-no result line} (ms: wall time in dom0 under TCG)"
    cat "$RESULTS/ocf-tester.txt"; } >"$OCF_TESTER_OUT_DIR/Xen.txt"
fi
if [ -f "$R" ]; then
  note "---- steps (rc, milliseconds in dom0 under TCG)"
  grep -E ' want=|^check |^pvh-domid|^uptime' "$R" | sed 's/^/# /' || true
fi
note "wall: cache $(( t_boot - t_start ))s, boot+payload $(( t_end - t_boot ))s, total $(( t_end - t_start ))s; results in $RESULTS"
finish
