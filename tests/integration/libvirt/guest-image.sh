#!/bin/bash
# usage: tests/integration/libvirt/guest-image.sh CACHE_DIR
#
# A tiny Linux guest for qemu TCG: Debian's kernel plus a busybox initramfs whose /init loads the
# ACPI button driver, prints "lv-guest: up" on ttyS0, powers off (poweroff -f) on the first
# power-button event, and prints "lv-guest: tick N uptime S" every second, so a migrated guest
# can be seen to continue (N and S keep growing) rather than boot again. Writes
# CACHE_DIR/vmlinuz and CACHE_DIR/initrd.gz; does nothing when both are there already (the cache
# is what makes later runs skip the 70 MB download and the build). The kernel comes from
# `apt-get download` of the package linux-image-amd64 depends on.
# Needs busybox-static, cpio, gzip, apt. Prints what it did; exit 1 on failure.
set -euo pipefail
OUT=${1:?usage: guest-image.sh CACHE_DIR}
if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ]; then echo "guest image cached in $OUT"; exit 0; fi
[ -x /bin/busybox ] || { echo "guest-image: /bin/busybox missing (Debian package busybox-static)" >&2; exit 1; }
command -v cpio >/dev/null || { echo "guest-image: cpio missing (Debian package cpio)" >&2; exit 1; }
W=$(mktemp -d /tmp/hc-guest-image.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$pkg" ] || { echo "guest-image: apt-cache knows no kernel package behind linux-image-amd64" >&2; exit 1; }
apt-get download -q "$pkg" >download.log 2>&1 || { cat download.log >&2; exit 1; }
dpkg-deb -x ./*.deb x
kver=$(find x/lib/modules -mindepth 1 -maxdepth 1 -printf "%f\n" | head -1)
R=$W/root
mkdir -p "$R"/{bin,dev,proc,sys,lib,etc}
cp /bin/busybox "$R/bin/busybox"
for m in drivers/input/evdev.ko drivers/acpi/button.ko; do
  cp x/lib/modules/"$kver"/kernel/"$m"* "$R/lib/"
done
cat >"$R/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /lib/evdev.ko; insmod /lib/button.ko
sleep 1
echo "lv-guest: up, waiting for ACPI power button" > /dev/ttyS0
for e in /dev/input/event*; do
  ( head -c 24 "$e" >/dev/null; echo "lv-guest: power button on $e -> poweroff" > /dev/ttyS0; poweroff -f ) &
done
# the ticks show a migrated guest running on; the dd keeps some memory dirty for the migration
n=0
while true; do
  n=$((n + 1))
  echo "lv-guest: tick $n uptime $(cut -d' ' -f1 /proc/uptime)" > /dev/ttyS0
  dd if=/dev/zero of=/dev/null bs=1M count=1 2>/dev/null
  sleep 1
done
INIT
chmod +x "$R/init"
mkdir -p "$OUT"
cp x/boot/vmlinuz-"$kver" "$OUT/vmlinuz.new"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -9 >"$OUT/initrd.gz.new")
mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv "$OUT/initrd.gz.new" "$OUT/initrd.gz"
echo "guest image built in $OUT (kernel $kver from $pkg)"
