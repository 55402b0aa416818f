# Sourced by tests/integration/xen-real.sh and tests/bench/xen.sh: the host side of the real-Xen
# lab (Xen 4.17 + Debian 12 dom0 under qemu TCG, tests/integration/xen/README.md). Provides
#   xen_lab_prereqs WHO      exit 2 with a message when root or a tool is missing
#   xen_lab_cache            builds $XEN_CACHE once (build-cache.sh), reuses it later
#   xen_lab_boot PAYLOAD_DIR RESULTS_DIR TIMEOUT_SECONDS
#                            boots Xen + dom0 with PAYLOAD_DIR (must hold run.sh, run as root in
#                            dom0 once xenstored/xenconsoled are up) as /lab/in, unpacks dom0's
#                            /lab/out and the guest consoles into RESULTS_DIR (with serial.log);
#                            sets XEN_LAB_VERDICT (empty = the boot ran to its end) and
#                            XEN_LAB_SECONDS (boot + payload wall time)
#   xen_lab_cleanup          kills the qemu xen_lab_boot started (by its PID), removes its work dir
# The caller's EXIT trap must call xen_lab_cleanup.
XEN_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XEN_CACHE=${XEN_CACHE:-/var/cache/hacluster-tests/xen}
XEN_LAB_QPID=""
XEN_LAB_WORK=""
XEN_LAB_VERDICT=""
XEN_LAB_SECONDS=0

xen_lab_prereqs() {
  local who=$1 tool
  [ "$(id -u)" = 0 ] || { echo "$who: needs root (debootstrap, chroot)" >&2; exit 2; }
  for tool in qemu-system-x86_64 cpio gzip mkfs.ext4 tar truncate flock; do
    command -v "$tool" >/dev/null || { echo "$who: $tool is missing" >&2; exit 2; }
  done
  # The domU initramfs needs a static busybox (busybox-static), built-in applets and all.
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || { echo "$who: /bin/busybox is not static (apt-get install busybox-static)" >&2; exit 2; }
  [ -f "$XEN_CACHE/ready" ] || command -v debootstrap >/dev/null || { echo "$who: debootstrap is missing (needed once, to build $XEN_CACHE)" >&2; exit 2; }
}

xen_lab_cache() { XEN_CACHE=$XEN_CACHE "$XEN_LAB_DIR/build-cache.sh"; }

xen_lab_boot() {
  local payload=$1 results=$2 timeout=$3 t0 serial
  t0=$(date +%s)
  XEN_LAB_WORK=$(mktemp -d /var/tmp/hacluster-xen-lab.XXXXXX)
  chmod 755 "$payload" "$payload/run.sh"
  tar cf "$XEN_LAB_WORK/payload.tar" -C "$payload" .; truncate -s %1M "$XEN_LAB_WORK/payload.tar"
  truncate -s 256M "$XEN_LAB_WORK/results.img"
  serial=$XEN_LAB_WORK/serial.log
  # -nic none: no network at all. snapshot=on: the cached image is never written.
  qemu-system-x86_64 -accel tcg -machine pc -cpu qemu64,+svm,+npt -smp 2 -m 2048 \
    -nographic -nic none -no-reboot -monitor none -serial "file:$serial" \
    -kernel "$XEN_CACHE/xen" \
    -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 loglvl=all guest_loglvl=all noreboot" \
    -initrd "$XEN_CACHE/vmlinuz root=LABEL=dom0root rw console=hvc0 earlyprintk=xen init=/sbin/lab-init,$XEN_CACHE/initrd.img" \
    -drive "file=$XEN_CACHE/dom0.img,if=virtio,format=raw,cache=unsafe,snapshot=on" \
    -drive "file=$XEN_LAB_WORK/payload.tar,if=virtio,format=raw,readonly=on" \
    -drive "file=$XEN_LAB_WORK/results.img,if=virtio,format=raw" </dev/null >"$XEN_LAB_WORK/qemu.out" 2>&1 &
  XEN_LAB_QPID=$!
  XEN_LAB_VERDICT=""
  while kill -0 "$XEN_LAB_QPID" 2>/dev/null; do
    if grep -q -E 'Hardware Dom0 crashed|Panic on CPU|Kernel panic' "$serial" 2>/dev/null; then XEN_LAB_VERDICT="crash seen on the serial console"; sleep 3; kill "$XEN_LAB_QPID" 2>/dev/null || true; break; fi
    if [ $(( $(date +%s) - t0 )) -gt "$timeout" ]; then XEN_LAB_VERDICT="timed out after ${timeout}s"; kill "$XEN_LAB_QPID" 2>/dev/null || true; break; fi
    sleep 2
  done
  wait "$XEN_LAB_QPID" 2>/dev/null || true
  XEN_LAB_QPID=""
  XEN_LAB_SECONDS=$(( $(date +%s) - t0 ))
  rm -rf "$results"; mkdir -p "$results"
  cp "$serial" "$results/serial.log"
  tar xf "$XEN_LAB_WORK/results.img" -C "$results" 2>/dev/null || XEN_LAB_VERDICT="${XEN_LAB_VERDICT:-no results came back (see $results/serial.log)}"
  rm -rf "$XEN_LAB_WORK"; XEN_LAB_WORK=""
}

xen_lab_cleanup() {
  # Only the qemu xen_lab_boot started, by its recorded PID.
  if [ -n "$XEN_LAB_QPID" ] && kill -0 "$XEN_LAB_QPID" 2>/dev/null; then
    kill "$XEN_LAB_QPID" 2>/dev/null || true; sleep 1; kill -9 "$XEN_LAB_QPID" 2>/dev/null || true
  fi
  if [ -n "$XEN_LAB_WORK" ]; then rm -rf "$XEN_LAB_WORK"; fi
}
