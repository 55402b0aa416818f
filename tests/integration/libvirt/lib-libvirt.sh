# shellcheck shell=bash
# shellcheck disable=SC2016  # eval'd conditions: single quotes on purpose
# Private libvirt daemons for the VirtualDomain tests and benchmarks (tests/integration/libvirt/README.md).
# Source after tests/integration/lib.sh (uses track_pid, kill_pid, pid_alive, wait_until, netns_pids).
#
#   LVD_ROOT=$TMP/lv                       every daemon's directories live under $LVD_ROOT/NAME
#   lvd_config NAME HOST_UUID [MIG_IP]     the daemon's host UUID and migration address
#   lvd_start NAME [NETNS]                 start libvirtd with start-libvirtd.sh (own mount ns; own
#                                          anonymous net ns, or NETNS); LVD_PID[NAME], LVD_READY_MS
#   lvd_stop NAME                          destroy its domains, stop it by recorded PID, then SIGKILL
#                                          whatever is left in its network namespace (its qemu)
#   lvd_holder NAME                        keep test:///default open (virsh event --loop), by PID
#   lvd_events NAME                        log qemu:///system lifecycle events to $(lvd_base NAME)/events.log
#   lvd_qemu_uri NAME / lvd_test_uri NAME  URIs that reach the daemon's socket from the root namespace
#   lvd_domain_xml NAME [KERNEL INITRD]    a 128 MiB, 1 vCPU TCG domain without disk or NIC
#   lvd_last_tick / lvd_first_tick SERIAL_LOG, assert_ran_on DESC FROM TO SRC_SERIAL DST_SERIAL
#                                          the Linux guest's ticks (guest-image.sh) across a migration
#
# Each daemon's directories are $LVD_ROOT/NAME (start-libvirtd.sh says what is in them and how they
# replace the system's libvirt directories inside the daemon's own mount namespace).

LVD_ROOT=${LVD_ROOT:-}
export LVD_READY_MS=""     # set by lvd_start, read by the callers
declare -gA LVD_PID=() LVD_NETINO=() LVD_HOLDER=() LVD_EVENTS=() LVD_UUID=() LVD_MIGIP=()
LVD_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

lvd_base() { echo "$LVD_ROOT/$1"; }
lvd_sock() { echo "$LVD_ROOT/$1/sock/libvirt-sock"; }
lvd_qemu_uri() { echo "qemu+unix:///system?socket=$(lvd_sock "$1")"; }
lvd_test_uri() { echo "test+unix:///default?socket=$(lvd_sock "$1")"; }

# lvd_config NAME HOST_UUID [MIGRATION_IP]: what lvd_start gives start-libvirtd.sh for this daemon
lvd_config() {
  LVD_UUID[$1]=$2
  LVD_MIGIP[$1]=${3:-}
  mkdir -p "$(lvd_base "$1")"
}

# lvd_start NAME [NETNS]: launch (start-libvirtd.sh), wait (<= 15 s) until it answers, record its
# PID and net namespace. Sets LVD_READY_MS (launch to first answer). Status 1 with the log tail on
# stderr when it does not come up. Not in a subshell: it records the PID in LVD_PID.
lvd_start() {
  local name=$1 netns=${2:-} t0 pid args=()
  [ -n "$netns" ] && args+=(--netns "$netns")
  [ -n "${LVD_MIGIP[$name]:-}" ] && args+=(--migration-address "${LVD_MIGIP[$name]}")
  t0=$(date +%s%N)
  if ! pid=$("$LVD_HERE/start-libvirtd.sh" "${args[@]}" "$(lvd_base "$name")" "${LVD_UUID[$name]}") ||
    ! wait_until 15 eval 'virsh -q -c "$(lvd_qemu_uri "$name")" uri'; then
    echo "libvirtd $name did not answer within 15 s:" >&2
    tail -5 "$(lvd_base "$name")/log/libvirtd.log" >&2 2>/dev/null
    [ -n "$pid" ] && track_pid "$pid" && LVD_PID[$name]=$pid
    return 1
  fi
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
  local name=$1 pid ino d uri p
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
  [ -n "$ino" ] && netns_kill "$ino"
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

# lvd_last_tick SERIAL_LOG: "N S" of the Linux guest's last "lv-guest: tick N uptime S" line (empty:
# none); lvd_first_tick: its first
lvd_last_tick() { grep -a 'lv-guest: tick' "$1" 2>/dev/null | tail -1 | awk '{print $3, $5}'; }
lvd_first_tick() { grep -a 'lv-guest: tick' "$1" 2>/dev/null | head -1 | awk '{print $3, $5}'; }
# assert_ran_on DESC FROM TO SRC_SERIAL DST_SERIAL: after a live migration from FROM to TO the guest
# ran on: the first tick on TO continues the last one on FROM (counter and uptime), no boot on TO
assert_ran_on() {
  local d=$1 from=$2 to=$3 ss=$4 ds=$5 before after
  wait_until 10 eval '[ -n "$(lvd_first_tick "$ds")" ]'
  before=$(lvd_last_tick "$ss") after=$(lvd_first_tick "$ds")
  if [ -n "$before" ] && [ -n "$after" ] && ! grep -aq 'lv-guest: up' "$ds" &&
    awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " "); exit !(y[1] >= x[1] && y[2] >= x[2] && y[1] > 1) }'; then
    pass "$d: the guest ran on (last tick on $from: $before; first tick on $to: $after; no boot)"
  else
    fail "$d: the guest's tick counter and uptime continue on $to (no new boot)" "last tick on $from: ${before:-none}" \
      "first tick on $to: ${after:-none}" "$(tail -3 "$ds" 2>&1)"
  fi
}
