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
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${XEN_CACHE:-/var/cache/hacluster-tests/xen}
RESULTS=${XEN_RESULTS:-/tmp/hacluster-xen-real}
TIMEOUT=${XEN_TIMEOUT:-1200}
t_start=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "xen-real: needs root (debootstrap, chroot)" >&2; exit 2; }
for tool in qemu-system-x86_64 cpio gzip mkfs.ext4 tar truncate; do
  command -v "$tool" >/dev/null || { echo "xen-real: $tool is missing" >&2; exit 2; }
done
# The domU initramfs needs a static busybox (busybox-static), built-in applets and all.
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || { echo "xen-real: /bin/busybox is not static (apt-get install busybox-static)" >&2; exit 2; }
[ -f "$CACHE/ready" ] || command -v debootstrap >/dev/null || { echo "xen-real: debootstrap is missing (needed once, to build $CACHE)" >&2; exit 2; }

XEN_CACHE=$CACHE "$HERE/xen/build-cache.sh"

WORK=$(mktemp -d /var/tmp/hacluster-xen-real.XXXXXX)
QPID=""
cleanup() {
  # Only the qemu this script started, by its recorded PID.
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID" 2>/dev/null || true; sleep 1; kill -9 "$QPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/payload"
if [ -n "${XEN_AGENT:-}" ]; then
  cp "$XEN_AGENT" "$WORK/payload/Xen"
else
  dotnet publish "$REPO/agents/Xen" -c Release -r linux-x64 -o "$WORK/pub" -v quiet -nologo >/dev/null
  cp "$WORK/pub/Xen" "$WORK/payload/Xen"
fi
cp "$HERE/xen/dom0-run.sh" "$WORK/payload/run.sh"
chmod 755 "$WORK/payload" "$WORK/payload/Xen" "$WORK/payload/run.sh"
tar cf "$WORK/payload.tar" -C "$WORK/payload" .; truncate -s %1M "$WORK/payload.tar"
truncate -s 256M "$WORK/results.img"

SERIAL=$WORK/serial.log
t_boot=$(date +%s)
# -nic none: no network at all. snapshot=on: the cached image is never written.
qemu-system-x86_64 -accel tcg -machine pc -cpu qemu64,+svm,+npt -smp 2 -m 2048 \
  -nographic -nic none -no-reboot -monitor none -serial "file:$SERIAL" \
  -kernel "$CACHE/xen" \
  -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 loglvl=all guest_loglvl=all noreboot" \
  -initrd "$CACHE/vmlinuz root=LABEL=dom0root rw console=hvc0 earlyprintk=xen init=/sbin/lab-init,$CACHE/initrd.img" \
  -drive "file=$CACHE/dom0.img,if=virtio,format=raw,cache=unsafe,snapshot=on" \
  -drive "file=$WORK/payload.tar,if=virtio,format=raw,readonly=on" \
  -drive "file=$WORK/results.img,if=virtio,format=raw" </dev/null >"$WORK/qemu.out" 2>&1 &
QPID=$!
verdict=""
while kill -0 "$QPID" 2>/dev/null; do
  if grep -q -E 'Hardware Dom0 crashed|Panic on CPU|Kernel panic' "$SERIAL" 2>/dev/null; then verdict="crash seen on the serial console"; sleep 3; kill "$QPID" 2>/dev/null || true; break; fi
  if [ $(( $(date +%s) - t_start )) -gt "$TIMEOUT" ]; then verdict="timed out after ${TIMEOUT}s"; kill "$QPID" 2>/dev/null || true; break; fi
  sleep 2
done
wait "$QPID" 2>/dev/null || true
QPID=""
t_end=$(date +%s)

rm -rf "$RESULTS"; mkdir -p "$RESULTS"
cp "$SERIAL" "$RESULTS/serial.log"
tar xf "$WORK/results.img" -C "$RESULTS" 2>/dev/null || verdict="${verdict:-no results came back (see $RESULTS/serial.log)}"

# ---- assertions: every one counts, for the "xen-real: N passed, N failed" line run.sh adds up
passed=0
failed=0
R=$RESULTS/results.txt
say() { printf '%s\n' "$*"; }
ok() { passed=$((passed + 1)); say "ok - $*"; }
notok() { failed=$((failed + 1)); say "not ok - $*"; }
if [ -n "$verdict" ]; then notok "dom0 ran to its end: $verdict"; else ok "dom0 ran the payload and powered off"; fi
# Every step must be there: a run that stopped half-way must not pass.
for step in meta-data pv-probe pv-start pv-monitor-1 pv-monitor-2 pv-monitor-3 pv-status pv-probe-no-xmfile hostile-probe nokernel-start pv-migrate-refused pv-stop \
            pv-stop-again pv-probe-after deaf-start deaf-stop pvh-start pvh-migrate-to pvh-migrate-from pvh-monitor pvh-stop ocf-tester; do
  line=$(grep "^$step want=" "$R" 2>/dev/null | head -1) || true
  if [ -z "$line" ]; then notok "step $step ran"; continue; fi
  read -r _ want rc _ <<<"$line"
  if [ "${want#want=}" = "${rc#rc=}" ]; then ok "step $step returned ${rc#rc=}"
  else notok "step $step returned ${rc#rc=}, expected ${want#want=} (see $RESULTS/$step.err)"; fi
done
for c in pv-listed pv-console-ready hostile-nothing-ran nokernel-reason pv-migrate-reason pv-still-running pv-gone pv-orderly pv-not-destroyed xmfile-unchanged \
         deaf-console-ready deaf-destroyed deaf-gone pvh-console-ready pvh-new-domid pvh-gone; do
  if grep -q "^check $c ok" "$R" 2>/dev/null; then ok "check $c"
  else notok "check $c: $(grep "^check $c " "$R" 2>/dev/null || echo missing)"; fi
done
if grep -q "passed all tests" "$RESULTS/ocf-tester.txt" 2>/dev/null; then ok "ocf-tester inside dom0 passed all tests"
else notok "ocf-tester inside dom0: $(tail -3 "$RESULTS/ocf-tester.txt" 2>/dev/null)"; fi
if [ -f "$R" ]; then
  say "---- steps (rc, milliseconds in dom0 under TCG)"
  grep -E ' want=|^check |^pvh-domid|^uptime' "$R" | sed 's/^/# /' || true
fi
say "# wall: cache $(( t_boot - t_start ))s, boot+payload $(( t_end - t_boot ))s, total $(( t_end - t_start ))s; results in $RESULTS"
say "xen-real: $passed passed, $failed failed"
[ "$failed" = 0 ]
