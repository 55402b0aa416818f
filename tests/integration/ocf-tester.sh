#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/ocf-tester.sh
#
# Runs ocf-tester (through ocf-tester-runs/run-ocf-tester.sh) on the installed
# /usr/lib/ocf/resource.d/hacluster/Dummy and asserts that it passed. The agent must already be
# installed (run.sh installs the .deb first). The test's transcript goes to a temporary file so a
# test run leaves the tree clean; the committed ocf-tester-runs/AGENT.txt is regenerated with
# ocf-tester-runs/run-ocf-tester.sh AGENT.
# Prints "ocf-tester: N passed, N failed"; exit 1 on failures.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init ocf-tester
require_root || exit 2
require_tools /usr/sbin/ocf-tester timeout xmllint su || exit 2
t_traps
TMP=$(mktemp -d /tmp/hc-ocf-tester-test.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'

RUNNER=$REPO/ocf-tester-runs/run-ocf-tester.sh
AGENT_DIR=${OCF_TESTER_AGENT_DIR:-/usr/lib/ocf/resource.d/hacluster}

# shellcheck disable=SC2043  # more agents join this list later
for agent in Dummy; do
  if [ ! -x "$AGENT_DIR/$agent" ]; then
    fail "$agent: installed at $AGENT_DIR/$agent" "$(ls -la "$AGENT_DIR" 2>&1)"
    continue
  fi
  out=${OCF_TESTER_OUT_DIR:-$TMP}/$agent.txt
  t0=$(date +%s.%N)
  OCF_TESTER_OUT=$out OCF_TESTER_TIMEOUT=${OCF_TESTER_TIMEOUT:-120} "$RUNNER" "$agent" 2>"$TMP/$agent.stderr"
  rc=$?
  note "$agent: ocf-tester took $(since "$t0") s; transcript $out"
  err=$(cat "$TMP/$agent.stderr")
  transcript=$(cat "$out" 2>/dev/null)
  assert_eq "$agent: ocf-tester exits 0" 0 "$rc" "$err" "$(printf '%s\n' "$transcript" | grep -E '^\* rc=|Aborting|failed|Tests failed')" "--- transcript tail:" "$(printf '%s\n' "$transcript" | tail -15)"
  assert_match "$agent: ocf-tester says \"$AGENT_DIR/$agent passed all tests\"" "^(.*/)?$agent passed all tests\$" "$transcript"
  assert_no_match "$agent: no failed check (\"* rc=N: ...\") in the transcript" '^\* rc=[0-9]+' "$transcript"
  assert_match "$agent: transcript header records the exit status" '^# ocf-tester exit status: 0$' "$transcript"
  # informative: optional actions ocf-tester reports as unsupported
  printf '%s\n' "$transcript" | grep -E '^\* Your agent does not support' | sed 's/^/# /'
done
finish
