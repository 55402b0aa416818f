#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/run.sh ARTIFACTS_DIR DEB [--only NAME[,NAME...]]
#   ARTIFACTS_DIR  holds agents/<Agent> (NativeAOT executables; *.dbg ignored), e.g. artifacts/
#   DEB            the hacluster-agents_*.deb built by packaging/build-deb.sh, e.g. dist/hacluster-agents_*.deb
#   --only         run only these parts (names as below: metadata, ocf-tester, ipaddr2, ...); the
#                  package is installed (and purged again) when a part other than metadata runs
#
# Runs, in order, printing each one's output:
#   metadata.sh ARTIFACTS_DIR      meta-data as nobody, DTD / pcs / OCF 1.1 schemas, env -i
#   (dpkg -i DEB)                  purged again at the end when it was not installed before
#   ocf-tester.sh                  ocf-tester on the installed agents (ocf-tester-runs/<Agent>.txt)
#   ipaddr2.sh                     the installed IPaddr2 against the kernel, in private network namespaces
#   virtualdomain.sh               the installed VirtualDomain against private libvirt daemons (test driver,
#                                  qemu TCG guests, live migration between two network namespaces)
#   xen-real.sh                    the installed Xen agent inside dom0 of real Xen 4.17 under qemu TCG
#                                  (its images are built once and cached in /var/cache/hacluster-tests/xen)
#   drbd-uml.sh                    the installed drbd agent on real DRBD 8.4 between two User-Mode-Linux
#                                  guests (ocf-tester inside a guest: ocf-tester-runs/drbd.txt)
#   fence-agent.sh                 the labs' fence agent (fence/fence_hclab) and power switch
#                                  (fence/lab-power.py) on their own, against processes in namespaces
#   pacemaker-e2e.sh DEB           single-node Corosync + Pacemaker in private namespaces
#   vm-cluster.sh DEB              two-node Corosync + Pacemaker + libvirtd cluster in namespaces:
#                                  VirtualDomain live migration (crm resource move), power cut of the
#                                  active node (failover of the VM and an IPaddr2 service group,
#                                  timed from a client namespace), rejoin; VM never running twice
#   drbd-cluster.sh DEB            two-node DRBD cluster in two User-Mode-Linux guests (Corosync + Pacemaker
#                                  inside them): drbd promotable clone + Filesystem + IPaddr2 + httpd, power
#                                  cut of the primary, failover, rejoin + resync, switchover
# and ends with exactly one line "integration: N passed, N failed"; exit 1 when anything failed,
# 2 when a prerequisite is missing or on a usage error. The counts come from the result file each
# part writes (lib.sh's finish: "PASSED FAILED" to $HC_TEST_RESULT, set here per part) and its exit
# status; the totals go to $HC_TEST_RESULT when the caller set it (build.sh does). Needs root.
# Installs nothing but DEB (the caller installs pacemaker corosync pcs resource-agents libxml2-utils
# libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 busybox-static cpio
# debootstrap crmsh python3 user-mode-linux uml-utilities drbd-utils e2fsprogs strace). Takes ~15-25 min: xen-real ~4-9 of them (plus ~3-5 min
# once to build its cached images), drbd-uml ~3-4, drbd-cluster ~2-4, vm-cluster ~1.5-3, virtualdomain ~1.5.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init integration

PARTS=(metadata ocf-tester ipaddr2 virtualdomain xen-real drbd-uml pcs-params fence-agent pacemaker-e2e vm-cluster drbd-cluster)
usage() { sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
ONLY=""
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    -*) usage ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[ ${#ARGS[@]} -eq 2 ] || usage
ART=${ARGS[0]}
DEB=${ARGS[1]}
declare -A SELECTED=()
if [ -n "$ONLY" ]; then
  IFS=, read -ra names <<<"$ONLY"
  for n in "${names[@]}"; do
    case " ${PARTS[*]} " in
      *" $n "*) SELECTED[$n]=1 ;;
      *) echo "integration: unknown part '$n'; the parts are: ${PARTS[*]}" >&2; exit 2 ;;
    esac
  done
else
  for n in "${PARTS[@]}"; do SELECTED[$n]=1; done
fi
# selected NAME: the part runs
selected() { [ -n "${SELECTED[$1]:-}" ]; }
RESULT_OUT=${HC_TEST_RESULT:-}
unset HC_TEST_RESULT
require_root || exit 2
[ -d "$ART/agents" ] || { echo "integration: $ART/agents is not a directory" >&2; exit 2; }
[ -f "$DEB" ] || { echo "integration: no such .deb: $DEB" >&2; exit 2; }
require_tools /usr/sbin/ocf-tester xmllint corosync corosync-quorumtool corosync-cfgtool pacemakerd \
  crm_resource crm_mon cibadmin /usr/share/pcs/data/ocf-1.0.rng /usr/share/pcs/data/ocf-1.1.rng \
  /usr/share/resource-agents/ra-api-1.dtd ip nsenter unshare setsid su timeout dpkg dpkg-deb dpkg-query \
  sha256sum || { echo "integration: 0 passed, 1 failed"; exit 2; }

t_traps
TMP=$(mktemp -d /tmp/hc-integration.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'
TOTAL_PASS=0
TOTAL_FAIL=0
TIMES=()

# part NAME CMD...: when selected, run a test script, show its output live, add its counts (its
# result file) to the totals; a part that exits non-zero counts one failure more when it reported
# none, and one that wrote no result counts one failure
part() {
  local name=$1; shift
  selected "$name" || return 0
  local result=$TMP/$name.result rc t0 p f
  echo "=================== $name: $*"
  t0=$(date +%s.%N)
  # tee ignores INT/TERM so the script's own cleanup output still has a reader after Ctrl-C
  HC_TEST_RESULT=$result "$@" 2>&1 | (trap '' INT TERM; exec tee "$TMP/$name.out")
  rc=${PIPESTATUS[0]}
  TIMES+=("$name $(since "$t0") s (exit $rc)")
  if read -r p f <"$result" 2>/dev/null && [[ $p =~ ^[0-9]+$ && $f =~ ^[0-9]+$ ]]; then
    TOTAL_PASS=$((TOTAL_PASS + p)); TOTAL_FAIL=$((TOTAL_FAIL + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      TOTAL_FAIL=$((TOTAL_FAIL + 1)); echo "not ok - $name exited $rc although it reported no failure"
    fi
  else
    TOTAL_FAIL=$((TOTAL_FAIL + 1)); echo "not ok - $name ended (exit $rc) without its result"
  fi
  echo
}

part metadata "$HERE/metadata.sh" "$ART"

# every part but metadata and fence-agent runs the installed package
NEED_DEB=0
for n in "${!SELECTED[@]}"; do case $n in metadata|fence-agent) ;; *) NEED_DEB=1 ;; esac; done
if [ "$NEED_DEB" = 1 ]; then
  echo "=================== install $DEB"
  t0=$(date +%s.%N)
  if deb_install "$DEB"; then
    pass "dpkg -i $(basename "$DEB") ($T_DEB_PKG $(dpkg-query -W -f '${Version}' "$T_DEB_PKG"); installed before: $([ "$T_DEB_WAS_INSTALLED" = 1 ] && echo yes || echo no))"
  else
    fail "dpkg -i $DEB"
  fi
  TIMES+=("dpkg-install $(since "$t0") s")
  echo
fi

part ocf-tester "$HERE/ocf-tester.sh"
part ipaddr2 "$HERE/ipaddr2.sh"
part virtualdomain "$HERE/virtualdomain.sh"
# The installed Xen agent inside dom0 of a real Xen 4.17 booted under qemu TCG (minutes: last but one).
XEN_AGENT=/usr/lib/ocf/resource.d/hacluster/Xen part xen-real "$HERE/xen-real.sh"
part drbd-uml "$HERE/drbd-uml.sh"
part pcs-params "$HERE/pcs-params.sh"
part fence-agent "$HERE/fence-agent.sh"
part pacemaker-e2e "$HERE/pacemaker-e2e.sh" "$DEB"
part vm-cluster "$HERE/vm-cluster.sh" "$DEB"
part drbd-cluster "$HERE/drbd-cluster.sh" "$DEB"

if [ "${T_DEB_WAS_INSTALLED:-1}" = 0 ]; then
  t0=$(date +%s.%N)
  deb_purge_if_new
  st=$(dpkg-query -W -f '${db:Status-Status}' "$T_DEB_PKG" 2>/dev/null)
  assert_ne "$T_DEB_PKG purged again (was not installed before)" installed "$st"
  TIMES+=("dpkg-purge $(since "$t0") s")
fi

echo "=================== timings"
for x in "${TIMES[@]}"; do note "$x"; done
note "total $(since "$T_T0") s"
TOTAL_PASS=$((TOTAL_PASS + T_PASS))
TOTAL_FAIL=$((TOTAL_FAIL + T_FAIL))
echo "integration: $TOTAL_PASS passed, $TOTAL_FAIL failed"
[ -n "$RESULT_OUT" ] && echo "$TOTAL_PASS $TOTAL_FAIL" >"$RESULT_OUT"
[ "$TOTAL_FAIL" -eq 0 ] && [ "$TOTAL_PASS" -gt 0 ]
