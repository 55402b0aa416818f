#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/ocf-tester.sh
#
# Runs ocf-tester (through ocf-tester-runs/run-ocf-tester.sh) on the installed agents in
# /usr/lib/ocf/resource.d/hacluster and asserts that it passed:
#   Dummy    as is;
#   IPaddr2  inside a network namespace this script creates (hc-ot-PID: veth ot0/ot1, both ends
#            inside, 203.0.113.1/24 on ot0), with -o ip=203.0.113.10 -o cidr_netmask=24 -o nic=ot0;
#            asserts a wall time under 2 s, also for a second, direct run of "ocf-tester -q", which
#            captures the agent's output and so waits for its stdout/stderr to close (a background
#            ARP sender holding them costs the shell agent ~3 s), and that no address or process is
#            left in the namespace.
#   VirtualDomain  against the test driver of a private libvirtd this script starts (own mount and
#            network namespace, tests/integration/libvirt/lib-libvirt.sh, holder connection), with
#            -o config=<domain XML> -o hypervisor=test+unix:///default?socket=... -o CRM_meta_timeout=20000;
#            ocf-tester calls migrate_from on the stopped resource, which must return within its
#            deadline (the shell agent loops forever there): asserts a wall time under 40 s and that
#            no domain is left running.
# The agents must already be installed (run.sh installs the .deb first). The test's transcripts go to
# a temporary file so a test run leaves the tree clean; the committed ocf-tester-runs/AGENT.txt is
# regenerated with ocf-tester-runs/run-ocf-tester.sh AGENT (for IPaddr2 with OCF_TESTER_NETNS and the
# -o options above, in a namespace set up the same way), or all at once with
# OCF_TESTER_OUT_DIR=ocf-tester-runs tests/integration/ocf-tester.sh (VirtualDomain needs this script's daemon).
# Xen and drbd need their labs: ocf-tester-runs/Xen.txt and drbd.txt come from
# OCF_TESTER_OUT_DIR=$PWD/ocf-tester-runs ./build.sh integration --only xen-real,drbd-uml (real dom0, UML guest).
# Knob: OCF_TESTER_AGENT_DIR (default /usr/lib/ocf/resource.d/hacluster), e.g. artifacts/agents.
# Prints "ocf-tester: N passed, N failed"; exit 1 on failures.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/libvirt/lib-libvirt.sh
. "$HERE/libvirt/lib-libvirt.sh"
t_init ocf-tester
require_root || exit 2
require_tools /usr/sbin/ocf-tester timeout xmllint su ip || exit 2
t_traps
TMP=$(mktemp -d /tmp/hc-ocf-tester-test.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'

RUNNER=$REPO/ocf-tester-runs/run-ocf-tester.sh
AGENT_DIR=${OCF_TESTER_AGENT_DIR:-/usr/lib/ocf/resource.d/hacluster}

# run_tester AGENT [ocf-tester args...]: ocf-tester through the runner (inside netns $TESTER_NETNS when
# set), with the standard assertions; sets TESTER_RC and TESTER_WALL (seconds, as measured here)
TESTER_NETNS=""
run_tester() {
  local agent=$1; shift
  local out rc t0 err transcript
  if [ ! -x "$AGENT_DIR/$agent" ]; then
    fail "$agent: installed at $AGENT_DIR/$agent" "$(ls -la "$AGENT_DIR" 2>&1)"
    TESTER_RC=127
    return 1
  fi
  out=${OCF_TESTER_OUT_DIR:-$TMP}/$agent.txt
  TESTER_OUT=$out
  t0=$(date +%s.%N)
  OCF_TESTER_NETNS=$TESTER_NETNS OCF_TESTER_OUT=$out OCF_TESTER_TIMEOUT=${OCF_TESTER_TIMEOUT:-120} \
    "$RUNNER" "$agent" "$@" 2>"$TMP/$agent.stderr"
  rc=$?
  TESTER_RC=$rc
  TESTER_WALL=$(since "$t0")
  note "$agent: ocf-tester took $TESTER_WALL s; transcript $out"
  err=$(cat "$TMP/$agent.stderr")
  transcript=$(cat "$out" 2>/dev/null)
  assert_eq "$agent: ocf-tester exits 0" 0 "$rc" "$err" "$(printf '%s\n' "$transcript" | grep -E '^\* rc=|Aborting|failed|Tests failed')" "--- transcript tail:" "$(printf '%s\n' "$transcript" | tail -15)"
  assert_match "$agent: ocf-tester says \"$AGENT_DIR/$agent passed all tests\"" "^(.*/)?$agent passed all tests\$" "$transcript"
  assert_no_match "$agent: no failed check (\"* rc=N: ...\") in the transcript" '^\* rc=[0-9]+' "$transcript"
  assert_match "$agent: transcript header records the exit status" '^# ocf-tester exit status: 0$' "$transcript"
  # informative: optional actions ocf-tester reports as unsupported
  printf '%s\n' "$transcript" | grep -E '^\* Your agent does not support' | sed 's/^/# /'
  return 0
}

run_tester Dummy

# ---------------------------------------------------------------- IPaddr2, inside a network namespace
NS=hc-ot-$$
netns_create "$NS" || exit 2
ns_out=$(
  set -e
  exec 2>&1
  netns_veth "$NS" ot0 "$NS" ot1 203.0.113.1/24
)
ns_rc=$?
if [ "$ns_rc" -ne 0 ]; then
  fail "IPaddr2: netns $NS with veth ot0/ot1 and 203.0.113.1/24" "$ns_out"
else
  TESTER_NETNS=$NS
  run_tester IPaddr2 -o ip=203.0.113.10 -o cidr_netmask=24 -o nic=ot0 && {
    assert_match "IPaddr2: transcript header names netns $NS" "^# netns: +$NS\$" "$(head -12 "$TESTER_OUT" 2>&1)"
    if [ "$TESTER_RC" = 0 ] && awk -v w="$TESTER_WALL" 'BEGIN { exit !(w < 2.0) }'; then
      pass "IPaddr2: ocf-tester passed in $TESTER_WALL s (< 2 s)"
    else
      fail "IPaddr2: ocf-tester passes in under 2 s" "took $TESTER_WALL s, exit $TESTER_RC"
    fi
    assert_eq "IPaddr2: 203.0.113.10 not left in $NS" "" \
      "$(ip -n "$NS" -o addr show 2>&1 | grep -F ' 203.0.113.10/')" "$(ip -n "$NS" -o addr show 2>&1)"
    # ocf-tester -q captures each action's output with backquotes, so it waits until every process
    # holding the agent's stdout/stderr is gone: the case a background ARP sender must not slow down
    RA_LIMIT=${OCF_TESTER_TIMEOUT:-120} RA_CWD=$TMP ra_exec --netns "$NS" \
      env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      /usr/sbin/ocf-tester -q -n hc-test-ipaddr2 -o ip=203.0.113.10 -o cidr_netmask=24 -o nic=ot0 \
      "$AGENT_DIR/IPaddr2"
    q_out=$OUT q_rc=$RC q_wall=$EL
    if [ "$q_rc" = 0 ] && awk -v w="$q_wall" 'BEGIN { exit !(w < 2.0) }'; then
      pass "IPaddr2: ocf-tester -q (waits for stdout/stderr to close) passed in $q_wall s (< 2 s; the shell agent ~3 s)"
    else
      fail "IPaddr2: ocf-tester -q (waits for stdout/stderr to close) passes in under 2 s" "exit $q_rc after $q_wall s" "$q_out"
    fi
    # the background ARP sender (arp_bg) of the last start is gone once stop returned
    left=$(netns_pids "$NS")
    assert_eq "IPaddr2: no process left in $NS" "" "$left" \
      "$(for p in $left; do echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done)"
  }
fi
netns_delete "$NS"

# ---------------------------------------------------------------- VirtualDomain, test driver of a private libvirtd
vd_tester() {
  local uri xml left
  if ! require_tools /usr/sbin/libvirtd virsh unshare; then
    fail "VirtualDomain: libvirt-daemon and libvirt-clients installed (see above)"
    return 1
  fi
  LVD_ROOT=$TMP/lv
  if ! lvd_config vd 5a1d0000-0000-4000-8000-0000000000e1 || ! lvd_start vd 2>"$TMP/lvd.err"; then
    fail "VirtualDomain: private libvirtd answers" "$(cat "$TMP/lvd.err" 2>/dev/null)"
    return 1
  fi
  t_cleanup_push 'lvd_stop vd'
  check "VirtualDomain: test driver holder connection keeps state" lvd_holder vd || return 1
  uri=$(lvd_test_uri vd)
  TESTER_NETNS=""          # the daemon socket is a file: no network namespace needed
  xml=$TMP/hc-ot-vm.xml
  lvd_domain_xml hc-ot-vm >"$xml"
  run_tester VirtualDomain -o "config=$xml" -o "hypervisor=$uri" -o CRM_meta_timeout=20000 || return 1
  if [ "$TESTER_RC" = 0 ] && awk -v w="$TESTER_WALL" 'BEGIN { exit !(w < 40.0) }'; then
    pass "VirtualDomain: ocf-tester passed in $TESTER_WALL s (< 40 s: migrate_from on the stopped resource is bounded)"
  else
    fail "VirtualDomain: ocf-tester passes in under 40 s (migrate_from on the stopped resource is bounded)" "took $TESTER_WALL s, exit $TESTER_RC"
  fi
  left=$(timeout 10 virsh -q -c "$uri" list --name 2>&1 | grep -v '^$')
  assert_eq "VirtualDomain: no domain left running on the test driver" "" "$left"
  lvd_stop vd
}
vd_tester
finish
