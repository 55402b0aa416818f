#!/bin/bash
# usage: tests/integration/pcs-params.sh
#
# For every installed ocf:hacluster agent that replaces a shell agent, `pcs -f CIB resource
# create` must accept every parameter name the shell agent declares (a crm/pcs configuration
# changes only the provider). Runs on an offline CIB file: no cluster needed.
# Prints "pcs-params: N passed, N failed".
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init pcs-params
require_tools pcs cibadmin crm_resource xmllint || exit 2
t_traps
TMP=$(mktemp -d /tmp/hc-pcs-params.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'
export OCF_ROOT=/usr/lib/ocf

# Our agent and the shell agent it replaces.
declare -A REPLACES=([IPaddr2]=heartbeat/IPaddr2 [VirtualDomain]=heartbeat/VirtualDomain [Xen]=heartbeat/Xen [drbd]=linbit/drbd)
# A plausible value per parameter name (pcs checks names, and for some types the values).
value_for() {
  case $1 in
    ip) echo 203.0.113.10 ;;
    cidr_netmask) echo 24 ;;
    broadcast) echo + ;;
    nic) echo eth0 ;;
    iflabel) echo vip ;;
    *_count|*_count_refresh|*_interval|*_value|*timeout|migrateport|migration_speed|migration_downtime|wfc_timeout) echo 5 ;;
    preferred_lft) echo forever ;;
    arp_sender) echo send_arp ;;
    *) echo 1 ;;
  esac
}

for ours in /usr/lib/ocf/resource.d/hacluster/*; do
  agent=$(basename "$ours")
  theirs=${REPLACES[$agent]:-}
  [ -n "$theirs" ] || continue
  shell_agent=/usr/lib/ocf/resource.d/$theirs
  if [ ! -x "$shell_agent" ]; then fail "$agent: the shell agent $theirs is installed" "missing $shell_agent"; continue; fi
  mapfile -t names < <("$shell_agent" meta-data 2>/dev/null | sed 's/<!DOCTYPE[^>]*>//' | xmllint --xpath '//parameters/parameter/@name' - 2>/dev/null | sed -E 's/ *name="([^"]*)"/\1\n/g' | sed '/^$/d')
  assert_ne "$agent: $theirs declares parameters" 0 "${#names[@]}"
  cibadmin --empty > "$TMP/cib.xml"
  args=()
  for n in "${names[@]}"; do args+=("$n=$(value_for "$n")"); done
  out=$(pcs -f "$TMP/cib.xml" resource create "p_$agent" "ocf:hacluster:$agent" "${args[@]}" --no-default-ops 2>&1)
  rc=$?
  assert_eq "$agent: pcs -f resource create accepts all ${#names[@]} parameter names of $theirs" 0 "$rc" "$out"
  # And name by name, so that a failure says which one is missing.
  ours_md=$("$ours" meta-data)
  missing=()
  for n in "${names[@]}"; do grep -q "<parameter name=\"$n\"" <<<"$ours_md" || missing+=("$n"); done
  assert_eq "$agent: declares every parameter of $theirs" "" "${missing[*]}"
done
finish
