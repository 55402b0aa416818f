#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/fence-agent.sh
#
# The lab's fence agent (fence/fence_hclab) and power switch (fence/lab-power.py) on their own,
# against real processes in network namespaces this test creates: two lab "nodes" (hc-fence-a-PID,
# hc-fence-b-PID) with processes in them, a bystander namespace the switch is not told about, and a
# bystander process in the test's own namespace. Checked: the metadata (XML with the fence-agents
# elements), every action (list, list-status, monitor, validate-all, status, off, on, reboot) by
# standard input (as Pacemaker's fencer calls it) and by command line, exit codes (status: 0 on, 2
# off), that off kills exactly the node's processes (bystanders and the other node live on) and
# runs its cut commands, and that bad input (unknown node, shell syntax, 4 KiB, non-UTF-8, a
# newline smuggled in, no socket, an unknown action) is exit 1 with one line saying why, no
# traceback, and kills nothing. Nothing in the root network namespace is touched. ~10 s.
# Prints "fence-agent: N passed, N failed".
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init fence-agent
require_root || exit 2
require_tools python3 ip setsid xmllint || exit 2
t_traps
TMP=$(mktemp -d /tmp/hc-fence.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'
AGENT=$HERE/fence/fence_hclab
SWITCH=$HERE/fence/lab-power.py
NS_A=hc-fence-a-$$ NS_B=hc-fence-b-$$ NS_X=hc-fence-x-$$
SOCK=$TMP/power.sock

netns_create "$NS_A" "$NS_B" "$NS_X" || { fail "namespaces"; finish; exit 1; }
# a node's "power on": a process that lives in its namespace (setsid: it outlives the command)
on_cmd() { printf '["ip", "netns", "exec", "%s", "setsid", "-f", "sleep", "600"]' "$1"; }
cat >"$TMP/config.json" <<JSON
{"nodes": {
  "a": {"netns": "$NS_A", "cut": [["touch", "$TMP/cut-a"]], "on": [$(on_cmd "$NS_A")]},
  "b": {"netns": "$NS_B", "cut": [], "on": [$(on_cmd "$NS_B")]}}}
JSON
setsid python3 "$SWITCH" "$SOCK" "$TMP/config.json" "$TMP/power.log" </dev/null >/dev/null 2>&1 &
SWITCH_PID=$!
t_cleanup_push 'kill "$SWITCH_PID" 2>/dev/null; wait "$SWITCH_PID" 2>/dev/null'
wait_until 10 test -S "$SOCK" || { fail "lab-power.py listens" "$(cat "$TMP/power.log")"; finish; exit 1; }

for ns in "$NS_A" "$NS_A" "$NS_B" "$NS_X"; do ip netns exec "$ns" setsid -f sleep 600; done
sleep 600 </dev/null >/dev/null 2>&1 &
BYSTANDER=$!
t_cleanup_push 'kill "$BYSTANDER" 2>/dev/null; wait "$BYSTANDER" 2>/dev/null'
count() { netns_pids "$1" | wc -w; }
assert_eq "setup: two processes in node a, one in node b, one in the bystander namespace" "2 1 1" "$(count "$NS_A") $(count "$NS_B") $(count "$NS_X")"

# fence [ARGS...] < stdin: runs the agent; RC, OUT (stdout), ERR (stderr)
fence() { OUT=$("$AGENT" "$@" 2>"$TMP/err"); RC=$?; ERR=$(cat "$TMP/err"); }
by_stdin() { fence <<<"$(printf '%s\n' "$@")"; }
no_traceback() { assert_no_match "$1: no traceback" 'Traceback|File "' "$OUT"$'\n'"$ERR"; }

# ---- metadata
fence -o metadata
assert_eq "metadata: exit 0" 0 "$RC"
if printf '%s' "$OUT" | xmllint --noout - 2>"$TMP/xml"; then pass "metadata: well-formed XML"; else fail "metadata: well-formed XML" "$(cat "$TMP/xml")"; fi
for a in on off reboot status monitor list list-status validate-all metadata; do
  assert_match "metadata: advertises $a" "<action name=\"$a\" */>" "$OUT"
done
assert_match "metadata: the plug parameter (Pacemaker passes the node in it)" '<parameter name="plug" unique="0" required="1">' "$OUT"
assert_match "metadata: the power socket parameter" '<parameter name="power_socket"' "$OUT"

# ---- read-only actions, by standard input as the fencer calls
by_stdin action=monitor "power_socket=$SOCK"
assert_eq "monitor: exit 0" 0 "$RC"
by_stdin action=list "power_socket=$SOCK"
assert_eq "list: exit 0 and both nodes" "0 a, b," "$RC $(echo $OUT)"
by_stdin action=list-status "power_socket=$SOCK"
assert_eq "list-status: both on" "a,,on b,,on" "$(echo $OUT)"
by_stdin action=status port=a "power_socket=$SOCK" nodename=a agent=fence_hclab
assert_eq "status of a running node: exit 0, Status: ON" "0 Status: ON" "$RC $OUT"
by_stdin action=validate-all plug=b "power_socket=$SOCK"
assert_eq "validate-all: exit 0" 0 "$RC"

# ---- off: exactly the node's processes
by_stdin action=off port=a "power_socket=$SOCK"
assert_eq "off a: exit 0" "0 Success: Powered OFF" "$RC $OUT" "$ERR"
assert_eq "off a: no process left in node a" 0 "$(count "$NS_A")"
assert_eq "off a: node b and the bystander namespace untouched" "1 1" "$(count "$NS_B") $(count "$NS_X")"
if kill -0 "$BYSTANDER" 2>/dev/null; then pass "off a: the process outside every lab node lives on"; else fail "off a: the bystander lives on"; fi
if [ -e "$TMP/cut-a" ]; then pass "off a: its cut command ran first"; else fail "off a: its cut command ran"; fi
fence -o status -n a -s "$SOCK"
assert_eq "status of a node that is off (command line): exit 2, Status: OFF" "2 Status: OFF" "$RC $OUT"
by_stdin action=off port=a "power_socket=$SOCK"
assert_eq "off of a node already off: exit 0" 0 "$RC"

# ---- on, reboot
fence --action=on --plug=a "--power-socket=$SOCK"
assert_eq "on a (long options): exit 0" "0 Success: Powered ON" "$RC $OUT" "$ERR"
assert_eq "on a: the node runs again" 1 "$(count "$NS_A")"
old_b=$(netns_pids "$NS_B")
by_stdin action=reboot port=b "power_socket=$SOCK"
assert_eq "reboot b: exit 0" "0 Success: Rebooted" "$RC $OUT" "$ERR"
new_b=$(netns_pids "$NS_B")
# (a killed process may stay a zombie here, PID 1 not being an init; it has left the namespace)
if [ -n "$new_b" ] && ! grep -qx "$old_b" <<<"$new_b"; then pass "reboot b: its old process is gone, a new one runs"
else fail "reboot b: old process gone, new one runs" "before: $old_b" "after: $new_b"; fi
assert_eq "reboot b: node a and the bystander namespace untouched" "1 1" "$(count "$NS_A") $(count "$NS_X")"

# ---- bad input: exit 1, one line, nothing killed
before="$(count "$NS_A") $(count "$NS_B") $(count "$NS_X")"
bad() { # DESC ERE-of-the-message (then the run already happened)
  assert_eq "$1: exit 1" 1 "$RC" "$OUT" "$ERR"
  assert_match "$1: says why" "$2" "$ERR"
  no_traceback "$1"
}
by_stdin action=off port=c "power_socket=$SOCK"
bad "off of a node the switch does not know" "refused .*no such node"
by_stdin action=off 'port=a$(touch '"$TMP"'/pwned)' "power_socket=$SOCK"
bad "a plug with shell syntax" "plug must be a lab node name"
by_stdin action=off 'port=a;b' "power_socket=$SOCK"
bad "a plug with ';'" "plug must be a lab node name"
by_stdin action=off "port=$(head -c 4096 /dev/zero | tr '\0' a)" "power_socket=$SOCK"
bad "a 4 KiB plug" "longer than 1024 characters"
fence <<<"$(printf 'action=off\nport=a\xff\xfe\npower_socket=%s\n' "$SOCK")"
bad "non-UTF-8 bytes on standard input" "not UTF-8"
fence -o off -n "$(printf 'a\nb')" -s "$SOCK"
bad "a newline inside the plug (command line)" "plug must be a lab node name"
by_stdin action=off port=a "power_socket=$TMP/nothing.sock"
bad "a socket nobody listens on" "did not answer"
by_stdin action=off port=a
bad "no power socket" "no power_socket given"
by_stdin action=off "power_socket=$SOCK"
bad "no plug" "no plug given"
by_stdin action=explode port=a "power_socket=$SOCK"
bad "an unknown action" "unknown action explode"
fence -o off -n a -s "$SOCK" --bogus
bad "an unknown command-line argument" "unexpected argument --bogus"
by_stdin action=off port=a "power_socket=$SOCK" power_timeout=-1
bad "a negative power_timeout" "power_timeout must be"
printf 'off a\xff\n' | timeout 5 python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read()); print(s.recv(100).decode().strip())' "$SOCK" >"$TMP/raw" 2>&1
assert_match "the switch refuses a request line with a non-ASCII byte" "^error" "$(cat "$TMP/raw")"
assert_eq "after all the bad input: every process still runs" "$before" "$(count "$NS_A") $(count "$NS_B") $(count "$NS_X")"
if [ ! -e "$TMP/pwned" ]; then pass "shell syntax in a plug ran nothing"; else fail "shell syntax in a plug ran nothing"; fi
assert_match "the switch logged each power cut with a timestamp" '^[0-9:.]+ off a -> ok killed 2' "$(cat "$TMP/power.log")"

finish
