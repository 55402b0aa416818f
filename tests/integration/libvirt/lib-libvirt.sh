# shellcheck shell=bash
# shellcheck disable=SC2016  # eval'd and sh -c scripts: single quotes on purpose
# Private libvirt daemons for the VirtualDomain tests and benchmarks (tests/integration/libvirt/README.md).
# Source after tests/integration/lib.sh (uses track_pid, kill_pid, pid_alive, wait_until, netns_pids).
#
#   LVD_ROOT=$TMP/lv                       every daemon's directories live under $LVD_ROOT/NAME
#   lvd_config NAME HOST_UUID [MIG_IP]     write libvirtd.conf, qemu.conf, private passwd/group
#   lvd_start NAME [NETNS]                 start libvirtd (own mount ns; own anonymous net ns, or NETNS);
#                                          LVD_PID[NAME], LVD_READY_MS
#   lvd_stop NAME                          destroy its domains, stop it by recorded PID, then SIGKILL
#                                          whatever is left in its network namespace (its qemu)
#   lvd_holder NAME                        keep test:///default open (virsh event --loop), by PID
#   lvd_events NAME                        log qemu:///system lifecycle events to $(lvd_base NAME)/events.log
#   lvd_qemu_uri NAME / lvd_test_uri NAME  URIs that reach the daemon's socket from the root namespace
#   lvd_domain_xml NAME [KERNEL INITRD]    a 128 MiB, 1 vCPU TCG domain without disk or NIC
#
# Each daemon gets $LVD_ROOT/NAME/{etc,run,lib,log/qemu,cache,sock}, bind-mounted over /etc/libvirt,
# /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt inside the daemon's own
# mount namespace, so the system's libvirt directories are never written. Those mount points are
# created empty when missing and never removed: removing a directory that is a mount point in
# another namespace would detach the daemon's mount there.

LVD_ROOT=${LVD_ROOT:-}
export LVD_READY_MS=""     # set by lvd_start, read by the callers
declare -gA LVD_PID=() LVD_NETINO=() LVD_HOLDER=() LVD_EVENTS=()

lvd_base() { echo "$LVD_ROOT/$1"; }
lvd_sock() { echo "$LVD_ROOT/$1/sock/libvirt-sock"; }
lvd_qemu_uri() { echo "qemu+unix:///system?socket=$(lvd_sock "$1")"; }
lvd_test_uri() { echo "test+unix:///default?socket=$(lvd_sock "$1")"; }

# lvd_config NAME HOST_UUID [MIGRATION_IP]
lvd_config() {
  local name=$1 uuid=$2 migip=${3:-} b
  b=$(lvd_base "$name")
  mkdir -p "$b"/{etc,run,lib,log/qemu,cache,sock} || return 1
  cat >"$b/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$b/sock"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
listen_tls = 0
listen_tcp = 0
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
CONF
  # qemu as root without cgroups, per-VM /dev, security driver or virtlogd: the host has none of
  # the daemons and users libvirt-daemon-system would bring, and two daemons would collide on the
  # machine cgroup during migration
  cat >"$b/etc/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
  [ -n "$migip" ] && printf 'migration_host = "%s"\nmigration_address = "%s"\n' "$migip" "$migip" >>"$b/etc/qemu.conf"
  # libvirtd resolves its compiled-in qemu user and groups before it reads qemu.conf; they exist only
  # with libvirt-daemon-system. Private copies, bind-mounted in the daemon's namespace only.
  cp /etc/passwd "$b/passwd" && cp /etc/group "$b/group" || return 1
  getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055:hacluster test:/var/lib/libvirt:/usr/sbin/nologin' >>"$b/passwd"
  getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>"$b/group"
  getent group kvm >/dev/null || echo 'kvm:x:64056:' >>"$b/group"
  getent group libvirt >/dev/null || echo 'libvirt:x:64057:' >>"$b/group"
  return 0
}

# lvd_start NAME [NETNS]: launch, wait (<= 15 s) until it answers, record its PID and net namespace.
# Sets LVD_READY_MS (launch to first answer). Status 1 with the log tail on stderr when it does not come up.
# Not in a subshell: it records the PID in LVD_PID.
lvd_start() {
  local name=$1 netns=${2:-} b pidf t0 pid netpfx
  b=$(lvd_base "$name")
  pidf=$b/libvirtd.pid
  rm -f "$b/sock/"* "$pidf"
  mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
  if [ -n "$netns" ]; then netpfx=(ip netns exec "$netns"); else netpfx=(unshare --net); fi
  t0=$(date +%s%N)
  "${netpfx[@]}" unshare --mount --propagation private -- /bin/sh -c '
    b=$1
    ip link set lo up 2>/dev/null
    mount --bind "$b/passwd" /etc/passwd &&
    mount --bind "$b/group" /etc/group &&
    mount --bind "$b/etc" /etc/libvirt &&
    mount --bind "$b/run" /run/libvirt &&
    mount --bind "$b/lib" /var/lib/libvirt &&
    mount --bind "$b/log" /var/log/libvirt &&
    mount --bind "$b/cache" /var/cache/libvirt &&
    exec /usr/sbin/libvirtd --daemon --pid-file "$b/libvirtd.pid" --config /etc/libvirt/libvirtd.conf
  ' hc-libvirtd "$b" </dev/null >"$b/launch.log" 2>&1 || { cat "$b/launch.log" >&2; return 1; }
  if ! wait_until 15 eval '[ -s "$pidf" ] && [ -S "$(lvd_sock "$name")" ] && virsh -q -c "$(lvd_qemu_uri "$name")" uri'; then
    echo "libvirtd $name did not answer within 15 s:" >&2
    tail -5 "$b/log/libvirtd.log" >&2 2>/dev/null
    [ -s "$pidf" ] && track_pid "$(cat "$pidf")" && LVD_PID[$name]=$(cat "$pidf")
    return 1
  fi
  pid=$(cat "$pidf")
  track_pid "$pid" || return 1
  LVD_PID[$name]=$pid
  LVD_NETINO[$name]=$(stat -L -c %i "/proc/$pid/ns/net")
  LVD_READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# lvd_holder NAME: the test driver's shared instance is reset when its last connection closes
# (tests/integration/libvirt/README.md, "The test driver"); one virsh event --loop keeps it open for
# the whole fixture
lvd_holder() {
  local name=$1 b
  b=$(lvd_base "$name")
  virsh -c "$(lvd_test_uri "$name")" event --all --loop >"$b/test-holder.log" 2>&1 </dev/null &
  LVD_HOLDER[$name]=$!
  track_pid "$!"
  # the holder is connected once a change made by one client is still there for the next one: the
  # driver's built-in domain "test" (running when the instance is fresh) stays shut off
  wait_until 5 eval 'virsh -q -c "$(lvd_test_uri "$name")" destroy test >/dev/null 2>&1;
    [ "$(virsh -q -c "$(lvd_test_uri "$name")" domstate test 2>&1)" = "shut off" ]'
}

# lvd_events NAME: lifecycle events of the qemu driver, one line each ("... Stopped Shutdown" vs
# "... Stopped Destroyed" tells a graceful stop from a destroy)
lvd_events() {
  local name=$1 b
  b=$(lvd_base "$name")
  virsh -c "$(lvd_qemu_uri "$name")" event --all --loop --timestamp >"$b/events.log" 2>&1 </dev/null &
  LVD_EVENTS[$name]=$!
  track_pid "$!"
}

# lvd_stop NAME: idempotent; safe after a failed start and on a frozen (SIGSTOPped) daemon
lvd_stop() {
  local name=$1 pid ino left d uri p
  for p in "${LVD_HOLDER[$name]:-}" "${LVD_EVENTS[$name]:-}"; do [ -n "$p" ] && kill_pid "$p" TERM 2; done
  LVD_HOLDER[$name]="" LVD_EVENTS[$name]=""
  pid=${LVD_PID[$name]:-}
  ino=${LVD_NETINO[$name]:-}
  # not recorded (lvd_start failed half-way or ran in a subshell): the pid file's daemon is ours only
  # if its command line names that very pid file
  if [ -z "$pid" ] && [ -s "$(lvd_base "$name")/libvirtd.pid" ]; then
    p=$(cat "$(lvd_base "$name")/libvirtd.pid")
    if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "--pid-file $(lvd_base "$name")/libvirtd.pid "; then
      track_pid "$p" && pid=$p && ino=$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)
    fi
  fi
  if [ -n "$pid" ] && pid_alive "$pid"; then
    kill -CONT "$pid" 2>/dev/null
    uri=$(lvd_qemu_uri "$name")
    for d in $(timeout 5 virsh -q -c "$uri" list --name 2>/dev/null); do
      timeout 10 virsh -q -c "$uri" destroy "$d" >/dev/null 2>&1
    done
    kill_pid "$pid" TERM 5
  fi
  # a qemu left behind (killed daemon, failed destroy) lives in the daemon's private net namespace:
  # everything in it is ours
  if [ -n "$ino" ]; then
    left=$(netns_pids "$ino")
    if [ -n "$left" ]; then
      # shellcheck disable=SC2086  # a list of pids
      kill -KILL $left 2>/dev/null
      wait_until 5 eval '[ -z "$(netns_pids "$ino")" ]'
    fi
  fi
  LVD_PID[$name]="" LVD_NETINO[$name]=""
  return 0
}

# lvd_qemu_pid NAME DOMAIN: the domain's qemu PID from the daemon's private run directory
lvd_qemu_pid() { cat "$(lvd_base "$1")/run/qemu/$2.pid" 2>/dev/null; }

# lvd_domain_xml NAME [KERNEL INITRD]: without KERNEL a no-OS guest (SeaBIOS finds nothing to boot and
# nothing answers ACPI); with it a Linux guest. The serial console goes to a file in the daemon's log dir.
lvd_domain_xml() {
  local name=$1 kernel=${2:-} initrd=${3:-} uuid os=""
  uuid=$(cat /proc/sys/kernel/random/uuid)
  [ -n "$kernel" ] && os="<kernel>$kernel</kernel><initrd>$initrd</initrd><cmdline>console=ttyS0 panic=-1 quiet</cmdline>"
  cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    $os
    <boot dev='hd'/>
  </os>
  <features><acpi/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='/var/log/libvirt/qemu/$name-serial.log'/><target port='0'/></serial>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# lvd_offline_cib RESOURCE: a private offline CIB (CIB_file=) holding the utilization values of these
# guests (1 vCPU, 128 MiB), the steady state of a real cluster: the agents' crm_resource calls
# read and write it and never reach a cluster running on this machine. No crm_feature_set: with
# one, crm_resource 2.1.5 refuses to write the file ("Protocol violated", exit 76).
lvd_offline_cib() {
  cat <<XML
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="$1" class="ocf" provider="heartbeat" type="VirtualDomain">
        <utilization id="$1-utilization">
          <nvpair id="$1-utilization-cpu" name="cpu" value="1"/>
          <nvpair id="$1-utilization-host_memory" name="host_memory" value="128"/>
          <nvpair id="$1-utilization-hv_memory" name="hv_memory" value="128"/>
        </utilization>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
XML
}
