#!/bin/bash
# node-start.sh SHARE: inside a guest, start Corosync and Pacemaker from the host's binaries with a
# fresh state in the guest's tmpfs overlay (/var/lib/pacemaker, /var/lib/corosync, /var/log/...),
# the pre-seeded CIB (stonith-enabled=false, dc-deadtime=2s) and an environment like systemd's.
set -u
SHARE=$1
DAEMON_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
pidof corosync pacemakerd >/dev/null && { echo "already running"; exit 1; }
rm -rf /var/lib/pacemaker/cib/* /var/lib/pacemaker/pengine/* /var/lib/pacemaker/blackbox/* /var/lib/corosync/*
install -d -m 0755 /var/lib/corosync /var/log/corosync /etc/corosync
install -d -o hacluster -g haclient -m 0750 /var/lib/pacemaker/{cib,pengine,blackbox,cores}
install -d -o hacluster -g haclient -m 0770 /var/log/pacemaker
install -o hacluster -g haclient -m 0600 "$SHARE/cib.xml" /var/lib/pacemaker/cib/cib.xml
install -m 0644 "$SHARE/corosync.conf" /etc/corosync/corosync.conf
install -D -m 0755 "$SHARE/httpd.ocf" /usr/lib/ocf/resource.d/hctest/httpd   # the guest's overlay only
mkdir -p /run/resource-agents /run/crm && chmod 1755 /run/resource-agents
corosync -t >/dev/null 2>&1 || { echo "corosync -t failed:"; corosync -t; exit 1; }
setsid env -i "${DAEMON_ENV[@]}" corosync -f </dev/null >/var/log/corosync/corosync.out 2>&1 &
for ((i = 0; i < 300; i++)); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.2; done
corosync-cfgtool -s >/dev/null 2>&1 || { echo "corosync did not come up:"; tail -20 /var/log/corosync/corosync.log; exit 1; }
setsid env -i "${DAEMON_ENV[@]}" PCMK_logfile=/var/log/pacemaker/pacemaker.log \
  pacemakerd </dev/null >/var/log/pacemaker/pacemakerd.out 2>&1 &
echo "corosync $(pidof corosync), pacemakerd $!"
