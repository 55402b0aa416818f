#!/bin/bash
# PID 1 of a HaCluster test guest (User-Mode-Linux; tests/integration/drbd/uml.sh boots it).
# Root is the host's / over hostfs, mounted READ-ONLY. Stage 1 builds a tmpfs-backed overlay
# over that root and chroots into it, so the guest sees a writable root (/etc/drbd.d,
# /var/lib/drbd, ...) while nothing is ever written to the host, except the control dir $UMLCTL.
# Kernel command line supplies (as env): UMLNODE, UMLIP, UMLCTL, UMLIF.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
KVER=$(uname -r)
MODDIR=/usr/lib/uml/modules/$KVER

if [ "${UMLSTAGE:-1}" = 1 ]; then
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
  busybox insmod "$MODDIR/kernel/fs/overlayfs/overlay.ko" || echo "INIT: overlay insmod failed"
  mount -t tmpfs -o mode=755,size=200m tmpfs /media
  mkdir -p /media/upper /media/work /media/root
  if mount -t overlay overlay -o lowerdir=/,upperdir=/media/upper,workdir=/media/work /media/root; then
    for m in proc sys dev; do mount --move /$m /media/root/$m; done
    export UMLSTAGE=2
    exec chroot /media/root "$0"
  fi
  echo "INIT: overlay failed, staying on read-only root (expect failures)"
fi

# ---- stage 2: writable overlay root ----
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd; ln -sf fd/0 /dev/stdin; ln -sf fd/1 /dev/stdout; ln -sf fd/2 /dev/stderr
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run; mkdir -p /run/lock
mount -t tmpfs -o mode=1777 tmpfs /tmp
H=node$UMLNODE
hostname "$H"; echo "$H" > /etc/hostname
printf '127.0.0.1 localhost\n%s node1\n%s node2\n' ${UMLIP%.*}.11 ${UMLIP%.*}.12 > /etc/hosts

# kernel modules: host has no /lib/modules and no kmod -> bind the UML tree, busybox modutils
mkdir -p /lib/modules/$KVER
mount --bind "$MODDIR" /lib/modules/$KVER
for t in modprobe insmod rmmod lsmod modinfo; do
  command -v $t >/dev/null 2>&1 || ln -sf /usr/bin/busybox /usr/local/sbin/$t
done

# network (guest side)
IF=${UMLIF:-vec0}
ip link set lo up
ip link set "$IF" up
ip addr add "$UMLIP/24" dev "$IF"

# control channel: the only writable host directory
mkdir -p /ctl
mount -t hostfs -o "$UMLCTL" none /ctl
mkdir -p /ctl/cmd
echo "INIT: $H up, $(ip -br addr show dev $IF)"
date +%s.%N > /ctl/ready.tmp; mv /ctl/ready.tmp /ctl/ready

# command loop: host drops /ctl/cmd/<id>.sh, we leave <id>.out and, once that is complete, a
# non-empty <id>.rc (one write by the echo builtin). Every exec here is a CPU slice the cluster
# under test does not get (25-170 ms in UML): one mv to claim the command, one bash to run it.
cd /
mkfifo /run/idle.fifo; exec 9<>/run/idle.fifo   # 'read -t' on it = fork-free sleep (fork/exec is costly in UML)
while :; do
  for f in /ctl/cmd/*.sh; do
    [ -e "$f" ] || continue
    id=${f%.sh}
    # hostfs caches directory entries: a command already claimed can show up once more, and
    # running it twice would truncate the .out the host is about to read
    mv "$f" "$id.run" 2>/dev/null || continue
    # each command runs concurrently, so a long/blocked command never wedges the channel
    ( bash "$id.run" > "$id.out" 2>&1 < /dev/null; echo $? > "$id.rc" ) &
  done
  if [ -e /ctl/poweroff ]; then
    rm -f /ctl/poweroff
    timeout 5 drbdadm down all >/dev/null 2>&1
    sync; echo o > /proc/sysrq-trigger; sleep 10
  fi
  read -t 0.05 -u 9 _
done
