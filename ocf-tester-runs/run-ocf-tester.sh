#!/bin/bash
# Run resource-agents' ocf-tester on an installed HaCluster agent and keep the transcript.
#
# usage: ocf-tester-runs/run-ocf-tester.sh AGENT [ocf-tester args...]
#   AGENT                 agent name, run as /usr/lib/ocf/resource.d/hacluster/AGENT
#   ocf-tester args       passed through verbatim before the agent path, e.g. -o ip=203.0.113.10 -o nic=vt0
#                         (also -d / -X); -v and -n are always given by this script
#
# Writes ocf-tester-runs/AGENT.txt: a header (date, agent, package, command line, ocf-tester exit status,
# wall time) followed by ocf-tester's merged stdout/stderr. Exits with ocf-tester's exit status
# (124 when it was killed by the timeout, 2 on usage errors).
#
# Environment knobs (all optional):
#   OCF_TESTER_NAME      resource instance name (-n), default "hc-test-<agent in lower case>"
#   OCF_TESTER_TIMEOUT   seconds before ocf-tester (and its whole process group) is killed, default 300
#   OCF_TESTER_NETNS     run ocf-tester inside this existing network namespace (ip netns exec NS ...),
#                        for agents that touch the network (IPaddr2 ...); set the namespace up yourself
#   OCF_TESTER_AGENT_DIR directory holding the agent, default /usr/lib/ocf/resource.d/hacluster
#   OCF_TESTER_OUT       transcript path, default ocf-tester-runs/AGENT.txt next to this script
#   OCF_TESTER_KEEP_ENV  1 = pass the caller's environment through (default: a clean env with
#                        PATH and LANG only, like a service, so transcripts do not depend on the shell)
#
# Per-agent defaults (only when the caller did not give the parameter):
#   Dummy          -o state=<private temp dir>/Dummy.state
#   VirtualDomain  -o CRM_meta_timeout=20000; and in the agent's environment CIB_file=<private offline
#                  CIB> (utilization matching a 1 vCPU, 128 MiB guest) and HA_RSCTMP=<private temp dir>,
#                  so its crm_resource calls never reach a cluster running on this machine. config and
#                  hypervisor (e.g. a test driver: test+unix:///default?socket=...) are the caller's;
#                  tests/integration/ocf-tester.sh starts such a daemon.
#
# Examples:
#   ocf-tester-runs/run-ocf-tester.sh Dummy
#   OCF_TESTER_NETNS=hc-t1 ocf-tester-runs/run-ocf-tester.sh IPaddr2 -o ip=203.0.113.10 -o cidr_netmask=24 -o nic=vt0
# Needs root (ocf-tester runs meta-data as nobody through su). Leaves nothing behind (temp dir removed,
# also on Ctrl-C/TERM).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ $# -lt 1 ] || [ -z "$1" ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
AGENT=$1; shift
case $AGENT in */* | .*) echo "run-ocf-tester: AGENT must be a plain agent name, got '$AGENT'" >&2; exit 2 ;; esac

TESTER=/usr/sbin/ocf-tester
AGENT_DIR=${OCF_TESTER_AGENT_DIR:-/usr/lib/ocf/resource.d/hacluster}
AGENT_PATH=$AGENT_DIR/$AGENT
NAME=${OCF_TESTER_NAME:-hc-test-${AGENT,,}}
TIMEOUT=${OCF_TESTER_TIMEOUT:-300}
OUT=${OCF_TESTER_OUT:-$HERE/$AGENT.txt}
NETNS=${OCF_TESTER_NETNS:-}

[ "$(id -u)" = 0 ] || { echo "run-ocf-tester: must run as root" >&2; exit 2; }
[ -x "$TESTER" ] || { echo "run-ocf-tester: $TESTER not found (Debian package resource-agents)" >&2; exit 2; }
command -v timeout >/dev/null || { echo "run-ocf-tester: timeout not found (coreutils)" >&2; exit 2; }
[ -x "$AGENT_PATH" ] || { echo "run-ocf-tester: agent $AGENT_PATH not installed/executable" >&2; exit 2; }
if [ -n "$NETNS" ] && [ ! -e "/run/netns/$NETNS" ]; then
  echo "run-ocf-tester: network namespace $NETNS does not exist" >&2; exit 2
fi

TMP=$(mktemp -d /tmp/hc-ocf-tester.XXXXXX)
TPID=""
# shellcheck disable=SC2317  # called from traps
cleanup() {
  if [ -n "$TPID" ] && kill -0 "$TPID" 2>/dev/null; then
    kill -TERM "$TPID" 2>/dev/null        # timeout forwards it to ocf-tester's process group
    for _ in $(seq 50); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$TPID" 2>/dev/null && kill -KILL "$TPID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'trap "" INT TERM HUP; echo "run-ocf-tester: interrupted" >&2; cleanup; trap - EXIT; exit 130' INT
trap 'trap "" INT TERM HUP; cleanup; trap - EXIT; exit 143' TERM
trap 'trap "" INT TERM HUP; cleanup; trap - EXIT; exit 129' HUP

has_param() { # NAME: true when the caller passed -o NAME=...
  local prev="" a
  for a in "${ARGS[@]}"; do
    [ "$prev" = -o ] && case $a in "$1="*) return 0 ;; esac
    case $a in "-o$1="*) return 0 ;; esac
    prev=$a
  done
  return 1
}
ARGS=("$@")
EXTRA_ENV=()
case $AGENT in
  Dummy) has_param state || ARGS+=(-o "state=$TMP/Dummy.state") ;;
  VirtualDomain)
    has_param CRM_meta_timeout || ARGS+=(-o CRM_meta_timeout=20000)
    mkdir -p "$TMP/rsctmp"
    cat >"$TMP/cib.xml" <<XML
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes/>
    <resources><primitive id="$NAME" class="ocf" provider="hacluster" type="VirtualDomain">
      <utilization id="$NAME-u"><nvpair id="$NAME-u-cpu" name="cpu" value="1"/>
        <nvpair id="$NAME-u-hm" name="host_memory" value="128"/><nvpair id="$NAME-u-hv" name="hv_memory" value="128"/>
      </utilization></primitive></resources>
    <constraints/></configuration><status/></cib>
XML
    EXTRA_ENV=("CIB_file=$TMP/cib.xml" "HA_RSCTMP=$TMP/rsctmp")
    ;;
esac

CMD=("$TESTER" -v -n "$NAME" "${ARGS[@]}" "$AGENT_PATH")
PREFIX=(timeout -k 10 "$TIMEOUT")
[ -n "$NETNS" ] && PREFIX+=(ip netns exec "$NETNS")
if [ "${OCF_TESTER_KEEP_ENV:-0}" != 1 ]; then
  PREFIX+=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
fi
[ ${#EXTRA_ENV[@]} -gt 0 ] && PREFIX+=(env "${EXTRA_ENV[@]}")

t0=$(date +%s.%N)
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
# cwd: the private temp dir, so nothing the agent drops lands in the caller's tree
(cd "$TMP" && exec "${PREFIX[@]}" "${CMD[@]}") >"$TMP/transcript" 2>&1 </dev/null &
TPID=$!
wait "$TPID"; rc=$?
TPID=""
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')

pkg=$(dpkg-query -S "$AGENT_PATH" 2>/dev/null | cut -d: -f1)
[ -n "$pkg" ] && pkg="$pkg $(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null)"
status="$rc"
[ "$rc" = 124 ] && status="124 (killed by timeout after ${TIMEOUT}s)"
mkdir -p "$(dirname "$OUT")"
{
  echo "# ocf-tester run: hacluster:$AGENT"
  echo "# date:    $started"
  echo "# agent:   $AGENT_PATH (sha256 $(sha256sum "$AGENT_PATH" | cut -d' ' -f1))"
  echo "# package: ${pkg:-none (not installed by dpkg)}"
  echo "# host:    $(uname -srm); $(dpkg-query -W -f '${Package} ${Version}' resource-agents 2>/dev/null)"
  [ -n "$NETNS" ] && echo "# netns:   $NETNS"
  [ ${#EXTRA_ENV[@]} -gt 0 ] && echo "# env:     ${EXTRA_ENV[*]}"
  echo "# command: ${CMD[*]}"
  echo "# ocf-tester exit status: $status"
  echo "# wall time: ${wall}s"
  echo "#"
  cat "$TMP/transcript"
} >"$OUT"
echo "run-ocf-tester: $AGENT: ocf-tester exit status $status in ${wall}s, transcript $OUT" >&2
exit "$rc"
