#!/bin/bash
# Builds, once, what the real-Xen lab boots: a Debian 12 chroot with Xen 4.17 and a 6.1 kernel
# (debootstrap, ~2-5 min, ~800 MB), then the dom0 disk image, the hypervisor ELF, dom0's kernel and
# initrd and a busybox domU initramfs (~15 s). Everything lands in $XEN_CACHE (default
# /var/cache/hacluster-tests/xen); a later run finds $XEN_CACHE/ready and does nothing. Nothing
# is installed on this host: the Xen packages live in the chroot only.
# Described in tests/integration/xen/README.md, "Building the dom0 cache".
#
# A cache built before a package joined PACKAGES gets that package installed into its chroot and
# its images rebuilt (strace came with tests/bench/xen.sh). The images are replaced by rename, so a
# qemu that is booting the old dom0.img meanwhile keeps reading the old file; an flock on
# $C/build.lock keeps two builds (e.g. a test run and a benchmark) from working at the same time.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
C=${XEN_CACHE:-/var/cache/hacluster-tests/xen}
ROOT=$C/rootfs
# libxml2-utils: ocf-tester runs xmllint; resource-agents: ocf-tester and the shell heartbeat/Xen
# the benchmark compares against; strace: the benchmark counts the agents' child processes.
# The agent itself needs nothing but xl.
PACKAGES=(xen-utils-4.17 xen-hypervisor-4.17-amd64 linux-image-amd64 initramfs-tools udev resource-agents libxml2-utils strace)
missing_packages() { # the PACKAGES not installed in the chroot
  local p
  for p in "${PACKAGES[@]}"; do
    chroot "$ROOT" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || echo "$p"
  done
}
if [ -f "$C/ready" ] && [ -f "$C/rootfs.done" ] && [ -z "$(missing_packages)" ]; then exit 0; fi
mkdir -p "$C"
exec 9>>"$C/build.lock"
flock 9

apt_uri() { # SUITE -> first URI this host's apt uses for that suite (one-line or deb822 sources)
  local suite=$1 f out="" lists=() stanzas=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -r "$f" ] && lists+=("$f"); done
  for f in /etc/apt/sources.list.d/*.sources; do [ -r "$f" ] && stanzas+=("$f"); done
  if [ ${#lists[@]} -gt 0 ]; then
    out=$(awk -v s="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z0-9+]+:\/\//) { if ($(i+1) == s) { print $i; exit } break } }' "${lists[@]}" || true)
  fi
  if [ -z "$out" ] && [ ${#stanzas[@]} -gt 0 ]; then
    out=$(awk -v s="$suite" 'BEGIN { RS = "" }
      { u = ""; ok = 0; n = split($0, L, "\n")
        for (i = 1; i <= n; i++) {
          if (L[i] ~ /^URIs:/)   { split(L[i], a, /[ \t]+/); u = a[2] }
          if (L[i] ~ /^Suites:/) { m = split(L[i], b, /[ \t]+/); for (j = 2; j <= m; j++) if (b[j] == s) ok = 1 }
        }
        if (ok && u != "") { print u; exit } }' "${stanzas[@]}" || true)
  fi
  printf '%s\n' "$out"
}

if [ ! -f "$C/rootfs.done" ]; then
  command -v debootstrap >/dev/null || { echo "build-cache: debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
  MIRROR=${DEBIAN_MIRROR:-$(apt_uri bookworm)}
  SECURITY=${DEBIAN_SECURITY_MIRROR:-$(apt_uri bookworm-security)}
  : "${MIRROR:?set DEBIAN_MIRROR (no bookworm entry in the apt sources of this host)}"
  rm -rf "$ROOT"
  debootstrap --variant=minbase --include=kmod,procps,iproute2,busybox,ca-certificates bookworm "$ROOT" "$MIRROR"
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"; chmod +x "$ROOT/usr/sbin/policy-rc.d"
  { echo "deb $MIRROR bookworm main"; if [ -n "$SECURITY" ]; then echo "deb $SECURITY bookworm-security main"; fi; } > "$ROOT/etc/apt/sources.list"
  chroot "$ROOT" apt-get update
  DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  chroot "$ROOT" apt-get clean
  touch "$C/rootfs.done"
  rm -f "$C/ready"
fi
mapfile -t MISSING < <(missing_packages)
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "build-cache: installing ${MISSING[*]} into $ROOT and rebuilding the images"
  chroot "$ROOT" apt-get update
  DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y --no-install-recommends "${MISSING[@]}"
  chroot "$ROOT" apt-get clean
  rm -f "$C/ready"
fi
# Another build may have finished while this one waited for the lock.
[ -f "$C/ready" ] && exit 0

# domU initramfs: busybox init, so `xl shutdown` -> orderly poweroff works.
D=$(mktemp -d)
trap 'rm -rf "$D"; rm -f "$C"/*.new' EXIT
mkdir -p $D/{bin,sbin,etc/init.d,proc,sys,dev,tmp,usr/bin,usr/sbin}
cp /bin/busybox $D/bin/busybox
# --list-full names bin/busybox itself: linking that would replace the binary by a self-link.
(cd $D && for a in $(./bin/busybox --list-full); do [ "$a" = bin/busybox ] || ln -sf /bin/busybox "$a" 2>/dev/null || true; done)
[ -L $D/bin/busybox ] && { echo "build-cache: busybox got replaced by a link" >&2; exit 1; }
ln -sf /bin/busybox $D/init
cat > $D/etc/inittab <<'I'
::sysinit:/etc/init.d/rcS
hvc0::respawn:/bin/sh
::shutdown:/bin/echo DOMU_SHUTTING_DOWN
I
cat > $D/etc/init.d/rcS <<'R'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
echo "DOMU_READY uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)"
R
chmod +x $D/etc/init.d/rcS
# A guest that ignores xl shutdown (rdinit=/sbin/ignore-shutdown-init): PID 1 is a shell with no
# handler for the SIGUSR2 that busybox poweroff sends, so the orderly poweroff never happens and
# only xl destroy ends it. The stop-escalation test needs such a guest.
cat > $D/sbin/ignore-shutdown-init <<'R'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
echo "DOMU_READY_IGNORING_SHUTDOWN uptime=$(cut -d' ' -f1 /proc/uptime)"
while :; do sleep 3600; done
R
chmod +x $D/sbin/ignore-shutdown-init
(cd $D && find . | cpio -o -H newc 2>/dev/null | gzip -9) > $C/domu-initrd.gz.new
mv -f $C/domu-initrd.gz.new $C/domu-initrd.gz

mkdir -p $ROOT/lab
cp $ROOT/boot/vmlinuz-*-amd64 $ROOT/lab/vmlinuz
cp $C/domu-initrd.gz $ROOT/lab/domu-initrd.gz
cp $HERE/dom0-init.sh $ROOT/sbin/lab-init; chmod +x $ROOT/sbin/lab-init
sed -i '/^XENCONSOLED_ARGS=/d' $ROOT/etc/default/xen
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >> $ROOT/etc/default/xen
# The lab's fake ssh: `xl migrate DOM HOST` runs `ssh HOST xl migrate-receive`; this runs the
# command locally, making the migration a same-host live migration (tests/integration/xen/README.md,
# "PV, PVH and live migration").
mkdir -p $ROOT/usr/local/bin
printf '#!/bin/sh\nshift\nexec /bin/sh -c "$*"\n' > $ROOT/usr/local/bin/ssh; chmod +x $ROOT/usr/local/bin/ssh
# Each file is written next to its final name and renamed over it: a qemu started from the old
# files (another test run) keeps them.
gunzip -c $ROOT/boot/xen-4.17-amd64.gz > $C/xen.new && mv -f $C/xen.new $C/xen
cp $ROOT/boot/vmlinuz-*-amd64 $C/vmlinuz.new && mv -f $C/vmlinuz.new $C/vmlinuz
cp $ROOT/boot/initrd.img-*-amd64 $C/initrd.img.new && mv -f $C/initrd.img.new $C/initrd.img
rm -f $C/dom0.img.new
mkfs.ext4 -q -F -L dom0root -d $ROOT $C/dom0.img.new 1400M
mv -f $C/dom0.img.new $C/dom0.img
touch "$C/ready"
ls -la $C
