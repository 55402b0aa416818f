#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/ipaddr2.sh
#
# ocf:hacluster:IPaddr2 against the real kernel. The agent must already be installed at
# /usr/lib/ocf/resource.d/hacluster/IPaddr2 (run.sh installs the .deb first).
#
# Everything happens in three network namespaces this script creates and deletes again:
#   hc-ip-a-PID  veth va (203.0.113.1/24, 2001:db8:1::1/64 nodad) and dummy d0 (ifb where the kernel
#                has no dummy driver) - where the agent runs
#   hc-ip-b-PID  veth vb (203.0.113.2/24, 2001:db8:1::2/64 nodad) - the peer; an AF_PACKET listener
#                (python3) there records the ARP / NA packets the agent sends
#   hc-ip-c-PID  lo only - the agent runs from here with network_namespace=A
# Nothing is added to the root network namespace (asserted); documentation addresses only.
# The agent runs as Pacemaker would: ip netns exec NS env -i OCF_ROOT=... OCF_RESKEY_...=... AGENT ACTION;
# each case asserts the exit code, the kernel state (ip -o addr) and, for failures, the ocf-exit-reason.
# Every wait is bounded; leftover processes are found by netns inode and killed by PID; takes ~20 s.
# Prints "ipaddr2: N passed, N failed"; exit 1 on failures, 2 on missing prerequisites.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init ipaddr2
require_root || exit 2
require_tools ip timeout python3 awk grep sed || exit 2

AGENT=${HC_IPADDR2_AGENT:-/usr/lib/ocf/resource.d/hacluster/IPaddr2}   # knob: another agent, for comparison
MARKER=--hacluster-announce-in-background
NA=hc-ip-a-$$
NB=hc-ip-b-$$
NC=hc-ip-c-$$
PWNED=/tmp/hc-pwned-$$
INO_A="" INO_B="" INO_C="" LPID=""

t_traps
TMP=$(mktemp -d /tmp/hc-ipaddr2.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'
mkdir -p "$TMP/rsc"

if [ ! -x "$AGENT" ]; then
  fail "agent installed at $AGENT" "$(ls -la "$(dirname "$AGENT")" 2>&1)"
  finish; exit 1
fi

# ---------------------------------------------------------------- namespaces
# root namespace before: must be the same at the end
ROOT_BEFORE=$(root_addrs)
t_cleanup_push '[ -n "$LPID" ] && kill_pid "$LPID" TERM 3; rm -f "$PWNED"'
netns_create "$NA" "$NB" "$NC" || exit 2

# add_dummy NAME: a dummy link in A; where the kernel has no dummy driver (CONFIG_DUMMY off, as on
# this CI's kernel) an ifb link, which behaves the same here: ethernet address, NOARP, carrier when up
add_dummy() { ip -n "$NA" link add "$1" type dummy 2>/dev/null || ip -n "$NA" link add "$1" type ifb; }
setup_out=$(
  set -e
  exec 2>&1
  netns_veth "$NA" va "$NB" vb 203.0.113.1/24 203.0.113.2/24
  ip -n "$NA" addr add 2001:db8:1::1/64 dev va nodad
  ip -n "$NB" addr add 2001:db8:1::2/64 dev vb nodad
  add_dummy d0
  ip -n "$NA" link set d0 up
)
rc=$?
INO_A=${NETNS_INO[$NA]} INO_B=${NETNS_INO[$NB]} INO_C=${NETNS_INO[$NC]}
carrier() { ip -n "$NA" -o link show va | grep -q 'LOWER_UP'; }
if [ "$rc" -ne 0 ] || ! wait_until 5 carrier; then
  fail "setup: namespaces $NA $NB $NC, veth va/vb, dummy d0" "$setup_out" "$(ip -n "$NA" -o link 2>&1)"
  finish; exit 1
fi
pass "setup: namespaces $NA $NB $NC, veth va/vb with carrier, d0 ($(ip -n "$NA" -d -o link show d0 | grep -Eo ' (dummy|ifb) ' | tr -d ' '))"
MAC_VA=$(ip -n "$NA" -br link show va | awk '{print $3}')

# ---------------------------------------------------------------- helpers
# the agent: ra --netns NS ACTION [PARAM=VALUE...] (lib.sh) inside namespace NS, as Pacemaker runs it
RA_AGENT=$AGENT
RA_ENV=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vip "HA_RSCTMP=$TMP/rsc")
RA_LIMIT=30
# addrs NS: one line per address, lifetimes dropped
addrs() { ip -n "$1" -o addr show 2>&1 | sed 's/\\.*//'; }
# where NS ADDR: "DEV ADDR/PREFIX [brd B]" for each place ADDR is configured in NS (empty when nowhere)
where() {
  addrs "$1" | awk -v a="$2" '{ split($4, p, "/"); if (p[1] != a) next
    s = $2 " " $4; if ($5 == "brd") s = s " brd " $6; print s }'
}
# line_of NS ADDR: the full ip -o addr line(s) of ADDR
line_of() { addrs "$1" | awk -v a="$2" '{ split($4, p, "/"); if (p[1] == a) print }'; }
# announcers: PIDs of background ARP/NA senders (their argv[1] is the marker) in our namespaces
announcers() {
  local f p ino
  # the pattern's [d] keeps grep from finding its own command line
  grep -l -a -e "${MARKER%d}[d]" /proc/[0-9]*/cmdline 2>/dev/null | while IFS= read -r f; do
    p=${f#/proc/}; p=${p%/cmdline}
    ino=$(readlink "/proc/$p/ns/net" 2>/dev/null) || continue
    case $ino in "net:[$INO_A]" | "net:[$INO_B]" | "net:[$INO_C]") echo "$p" ;; esac
  done
}
no_announcer() { [ -z "$(announcers)" ]; }
# ps_of "PID...": "PID: command line" for each (a list in one argument)
ps_of() { local p; for p in $1; do echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done; }

# The AF_PACKET listener (in B on vb): one line per ARP or ICMPv6 packet received, kernel timestamps.
cat >"$TMP/listen.py" <<'PY'
import ipaddress, signal, socket, struct, sys, time
ifname, out_path, max_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
SO_TIMESTAMPNS = 35
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
s.bind((ifname, 0))
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.settimeout(0.1)
out = open(out_path, "w", buffering=1)
stop = False
def on_signal(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
mac = lambda b: ":".join(f"{x:02x}" for x in b)
out.write("# ready\n")
end = time.monotonic() + max_seconds
while not stop and time.monotonic() < end:
    try:
        data, anc, _, addr = s.recvmsg(65535, 64)
    except (socket.timeout, InterruptedError):
        continue
    if addr[2] == socket.PACKET_OUTGOING or len(data) < 14:
        continue
    t = time.time()
    for level, kind, d in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", d[:16]); t = sec + nsec / 1e9
    src, etype, p = mac(data[6:12]), struct.unpack("!H", data[12:14])[0], data[14:]
    if etype == 0x0806 and len(p) >= 28:
        op = struct.unpack("!H", p[6:8])[0]
        out.write(f"ARP {t:.6f} src={src} op={op} sha={mac(p[8:14])} spa={socket.inet_ntoa(p[14:18])} "
                  f"tha={mac(p[18:24])} tpa={socket.inet_ntoa(p[24:28])}\n")
    elif etype == 0x86DD and len(p) >= 44 and p[6] == 58:
        icmp = p[40:]
        target = str(ipaddress.IPv6Address(icmp[8:24])) if icmp[0] in (135, 136) and len(icmp) >= 24 else "-"
        flags = f"{icmp[4]:#04x}" if len(icmp) >= 5 else "-"
        out.write(f"ICMP6 {t:.6f} src={src} type={icmp[0]} ip6src={ipaddress.IPv6Address(p[8:24])} "
                  f"dst={ipaddress.IPv6Address(p[24:40])} target={target} flags={flags}\n")
PY
# listen_start NAME: listener in B on vb, at most 15 s, into $TMP/NAME.cap; waits until it is bound
listen_start() {
  CAP=$TMP/$1.cap
  ip netns exec "$NB" python3 "$TMP/listen.py" vb "$CAP" 15 </dev/null >"$TMP/$1.err" 2>&1 &
  LPID=$!
  track_pid "$LPID"
  if ! wait_until 5 grep -q '^# ready' "$CAP"; then
    fail "listener on vb ready" "$(cat "$TMP/$1.err" 2>/dev/null)"
  fi
}
listen_stop() { sleep 0.3; kill_pid "$LPID" TERM 3; LPID=""; }
# arps IP: "TIME OP SRC SHA TPA" of every ARP received for IP (as sender address)
arps() { awk -v ip="$1" '$1 == "ARP" { delete f; for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  if (f["spa"] == ip) print $2, f["op"], f["src"], f["sha"], f["tpa"] }' "$CAP"; }
# gaps: from TIME-first lines, the gaps between consecutive packets in ms, one line
gaps() { awk 'NR > 1 { printf "%s%.0f", sep, ($1 - p) * 1000; sep = " " } { p = $1 } END { print "" }'; }
# assert_gaps DESC MIN MAX PACKETS: there are gaps between the TIME-first PACKETS lines, each of
# MIN to MAX ms
assert_gaps() {
  local d=$1 lo=$2 hi=$3 got=$4 g x ok=1
  g=$(printf '%s\n' "$got" | gaps)
  [ -n "$g" ] || ok=0
  for x in $g; do [ "$x" -ge "$lo" ] && [ "$x" -le "$hi" ] || ok=0; done
  if [ "$ok" = 1 ]; then pass "$d: $g ms"; else fail "$d" "gaps (ms): $g" "$got"; fi
}

# ================================================================ 1. IPv4 without nic / cidr_netmask
note "--- IPv4 203.0.113.20 without nic / cidr_netmask (found from the route)"
P=(ip=203.0.113.20)
ra --netns "$NA" start "${P[@]}"; expect "start" 0
assert_eq "203.0.113.20 on va /24 with brd 203.0.113.255" "va 203.0.113.20/24 brd 203.0.113.255" "$(where "$NA" 203.0.113.20)" "$(addrs "$NA")"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor (interval 10 s)" 0
ra --netns "$NA" monitor "${P[@]}"; expect "probe (no interval)" 0
ra --netns "$NA" start "${P[@]}"; expect "second start" 0
assert_eq "still exactly once on va after the second start" "va 203.0.113.20/24 brd 203.0.113.255" "$(where "$NA" 203.0.113.20)" "$(addrs "$NA")"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "203.0.113.20 gone after stop" "" "$(where "$NA" 203.0.113.20)" "$(addrs "$NA")"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor after stop" 7
ra --netns "$NA" stop "${P[@]}"; expect "second stop" 0
assert_eq "base address 203.0.113.1/24 on va untouched (added without brd)" "va 203.0.113.1/24" "$(where "$NA" 203.0.113.1)"

# ================================================================ 2. nic, cidr_netmask, broadcast, iflabel
note "--- IPv4 203.0.113.11 nic=va cidr_netmask=25 broadcast=203.0.113.127 iflabel=vip"
P=(ip=203.0.113.11 nic=va cidr_netmask=25 broadcast=203.0.113.127 iflabel=vip arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start" 0
assert_eq "203.0.113.11 on va /25 with brd 203.0.113.127" "va 203.0.113.11/25 brd 203.0.113.127" "$(where "$NA" 203.0.113.11)" "$(addrs "$NA")"
assert_eq "label va:vip on 203.0.113.11 (last field of ip -o addr)" "va:vip" "$(line_of "$NA" 203.0.113.11 | awk '{print $NF}')" "$(line_of "$NA" 203.0.113.11)"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "203.0.113.11 gone after stop" "" "$(where "$NA" 203.0.113.11)" "$(addrs "$NA")"
assert_no_match "label va:vip gone after stop" 'va:vip' "$(addrs "$NA")"

# ================================================================ 3. IPv6
note "--- IPv6 2001:db8:1::10 without nic (start waits for DAD)"
P=(ip=2001:db8:1::10)
ra --netns "$NA" start "${P[@]}"; expect "start" 0
note "IPv6 start with DAD and 5 NAs took ${EL} s"
assert_eq "2001:db8:1::10 on va /64" "va 2001:db8:1::10/64" "$(where "$NA" 2001:db8:1::10)" "$(addrs "$NA")"
assert_no_match "2001:db8:1::10 not tentative once start returned" 'tentative|dadfailed' "$(line_of "$NA" 2001:db8:1::10)"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor" 0
ra --netns "$NA" monitor "${P[@]}"; expect "probe" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "2001:db8:1::10 gone after stop" "" "$(where "$NA" 2001:db8:1::10)" "$(addrs "$NA")"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor after stop" 7

note "--- IPv6 2001:db8:1::11 nodad=true"
P=(ip=2001:db8:1::11 nodad=true arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start (nodad)" 0
assert_eq "2001:db8:1::11 on va /64" "va 2001:db8:1::11/64" "$(where "$NA" 2001:db8:1::11)" "$(addrs "$NA")"
assert_match "2001:db8:1::11 carries the nodad flag" ' nodad( |$)' "$(line_of "$NA" 2001:db8:1::11)"
assert_no_match "2001:db8:1::11 not tentative" 'tentative|dadfailed' "$(line_of "$NA" 2001:db8:1::11)"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor (nodad)" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop (nodad)" 0
assert_eq "2001:db8:1::11 gone after stop" "" "$(where "$NA" 2001:db8:1::11)" "$(addrs "$NA")"

# ================================================================ 4. routes to one prefix on two interfaces
note "--- 198.51.100.0/24 routed on va and on d0 (metric 20)"
check "ip route add 198.51.100.0/24 dev va" ip -n "$NA" route add 198.51.100.0/24 dev va
check "ip route add 198.51.100.0/24 dev d0 metric 20" ip -n "$NA" route add 198.51.100.0/24 dev d0 metric 20
P=(ip=198.51.100.20 arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start without nic" 1 "(va.*d0|d0.*va)"
assert_eq "198.51.100.20 not added anywhere" "" "$(where "$NA" 198.51.100.20)" "$(addrs "$NA")"
ra --netns "$NA" start "${P[@]}" nic=d0; expect "start with nic=d0" 0
assert_eq "198.51.100.20 on d0 /24" "d0 198.51.100.20/24 brd 198.51.100.255" "$(where "$NA" 198.51.100.20)" "$(addrs "$NA")"
ra --netns "$NA" monitor "${P[@]}" nic=d0 CRM_meta_interval=10000; expect "monitor with nic=d0" 0
ra --netns "$NA" stop "${P[@]}" nic=d0; expect "stop with nic=d0" 0
assert_eq "198.51.100.20 gone after stop" "" "$(where "$NA" 198.51.100.20)" "$(addrs "$NA")"
# (the kernel may have dropped the d0 route with the last address of the subnet on d0)
ip -n "$NA" route del 198.51.100.0/24 dev va 2>/dev/null
ip -n "$NA" route del 198.51.100.0/24 dev d0 metric 20 2>/dev/null

# ================================================================ 5. same prefix twice on one interface
note "--- 198.51.100.128/25 twice on d0 (metric 10, metric 20 proto static)"
check "ip route add 198.51.100.128/25 dev d0 metric 10" ip -n "$NA" route add 198.51.100.128/25 dev d0 metric 10
check "ip route add 198.51.100.128/25 dev d0 metric 20 proto static" ip -n "$NA" route add 198.51.100.128/25 dev d0 metric 20 proto static
P=(ip=198.51.100.130 arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start without nic" 0
assert_eq "198.51.100.130 on d0 /25" "d0 198.51.100.130/25 brd 198.51.100.255" "$(where "$NA" 198.51.100.130)" "$(addrs "$NA")" "$(ip -n "$NA" route 2>&1)"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "198.51.100.130 gone after stop" "" "$(where "$NA" 198.51.100.130)" "$(addrs "$NA")"
ip -n "$NA" route del 198.51.100.128/25 dev d0 metric 10 2>/dev/null
ip -n "$NA" route del 198.51.100.128/25 dev d0 metric 20 proto static 2>/dev/null

# ================================================================ 6. noprefixroute address, no route
note "--- 198.51.100.65/26 on d0 with noprefixroute, no route"
check "ip addr add 198.51.100.65/26 dev d0 noprefixroute" ip -n "$NA" addr add 198.51.100.65/26 dev d0 noprefixroute
assert_no_match "no route to 198.51.100.0/24 in A (precondition)" '198\.51\.100\.' "$(ip -n "$NA" route show table main 2>&1)"
P=(ip=198.51.100.70 arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start without nic" 0
assert_eq "198.51.100.70 on d0 /26 (brd 198.51.100.127)" "d0 198.51.100.70/26 brd 198.51.100.127" "$(where "$NA" 198.51.100.70)" "$(addrs "$NA")"
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "198.51.100.70 gone after stop" "" "$(where "$NA" 198.51.100.70)" "$(addrs "$NA")"
ip -n "$NA" addr del 198.51.100.65/26 dev d0 2>/dev/null

# ================================================================ 7. bad and hostile values
note "--- bad and hostile values (nothing may change in A)"
A_BEFORE=$(addrs "$NA")
rm -f "$PWNED"
ra --netns "$NA" start "ip=\$(touch $PWNED)"; expect "start ip='\$(touch $PWNED)'" 6 "'ip'"
ra --netns "$NA" validate-all "ip=\$(touch $PWNED)"; expect "validate-all ip='\$(touch $PWNED)'" 6 "'ip'"
ra --netns "$NA" start "ip=\`touch $PWNED\`"; expect "start ip='\`touch $PWNED\`'" 6 "'ip'"
if [ -e "$PWNED" ]; then fail "$PWNED never created" "$(ls -la "$PWNED")"; else pass "$PWNED never created"; fi
ra --netns "$NA" start 'ip=203.0.113.10;reboot'; expect "start ip='203.0.113.10;reboot'" 6 "'ip'"
ra --netns "$NA" start ip=203.0.113.10 nic=va cidr_netmask=33; expect "start cidr_netmask=33" 6 "cidr_netmask"
LONG="203.0.113.$(printf '%*s' 4086 '' | tr ' ' 1)"
ra --netns "$NA" start "ip=$LONG"; expect "start with a ${#LONG}-character ip" 6 "'ip'"
rlen=$(printf '%s' "$REASON" | wc -m)
if [ "$rlen" -lt 200 ]; then pass "exit reason for the ${#LONG}-character ip is $rlen characters (< 200)"
else fail "exit reason for the ${#LONG}-character ip is under 200 characters" "got $rlen characters: ${REASON:0:300}"; fi
ra --netns "$NA" start ip=203.0.113.31 nic=nonexistent; expect "start nic=nonexistent" 2 "nonexistent"
ra --netns "$NA" start 'ip=203.0.113.１０'; expect "start ip='203.0.113.１０' (fullwidth digits)" 6 "'ip'"
ra --netns "$NA" start 'ip=2001:db8:1::１０'; expect "start ip='2001:db8:1::１０' (fullwidth digits)" 6 "'ip'"
ra --netns "$NA" start ip=203.0.113.32 nic=va cidr_netmask=24 "iflabel=a
b"; expect "start with a newline in iflabel" 6 "iflabel"
ra --netns "$NA" start ip=203.0.113.33 nic=va "cidr_netmask=24
32"; expect "start with a newline in cidr_netmask" 6 "cidr_netmask"
assert_eq "addresses in A unchanged by the refused starts" "$A_BEFORE" "$(addrs "$NA")"

# ================================================================ 8. gratuitous ARP seen from B
note "--- gratuitous ARP for 203.0.113.10 (va $MAC_VA), observed on vb"
P=(ip=203.0.113.10 arp_bg=false)
listen_start arp-300
ra --netns "$NA" start "${P[@]}" arp_count=4 arp_interval=300; expect "start arp_count=4 arp_interval=300 arp_bg=false" 0
listen_stop
got=$(arps 203.0.113.10)
assert_eq "exactly 4 ARPs for 203.0.113.10" 4 "$(printf '%s' "$got" | grep -c .)" "$(cat "$CAP")"
assert_eq "all from va's MAC (ethernet source and sender hardware address), requests (op 1) for 203.0.113.10" \
  "4 x 1 $MAC_VA $MAC_VA 203.0.113.10" "$(printf '%s\n' "$got" | awk 'NF { print $2, $3, $4, $5 }' | sort | uniq -c | awk '{ print $1 " x " $2, $3, $4, $5 }')" "$got"
assert_gaps "gaps between the ARPs 200-450 ms (arp_interval=300)" 200 450 "$got"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0

listen_start arp-50
ra --netns "$NA" start "${P[@]}" arp_count=3 arp_interval=50; expect "start arp_count=3 arp_interval=50 arp_bg=false" 0
listen_stop
got=$(arps 203.0.113.10)
assert_eq "exactly 3 ARPs for 203.0.113.10" 3 "$(printf '%s' "$got" | grep -c .)" "$(cat "$CAP")"
assert_gaps "gaps between the ARPs < 150 ms (arp_interval=50)" 0 149 "$got"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0

listen_start arp-reply
ra --netns "$NA" start "${P[@]}" arp_count=2 arp_interval=100 send_arp_opts=-A; expect "start send_arp_opts=-A arp_count=2" 0
listen_stop
got=$(arps 203.0.113.10)
assert_eq "2 ARP replies (op 2) from va's MAC for 203.0.113.10" "2 x 2 $MAC_VA $MAC_VA 203.0.113.10" \
  "$(printf '%s\n' "$got" | awk 'NF { print $2, $3, $4, $5 }' | sort | uniq -c | awk '{ print $1 " x " $2, $3, $4, $5 }')" "$(cat "$CAP")"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0

# ================================================================ 9. unsolicited NA
note "--- unsolicited NA for 2001:db8:1::20, observed on vb"
P=(ip=2001:db8:1::20 nodad=true arp_count=3)
listen_start na
ra --netns "$NA" start "${P[@]}"; expect "start IPv6 arp_count=3" 0
listen_stop
got=$(awk '$1 == "ICMP6" && / type=136 / && / target=2001:db8:1::20 /' "$CAP")
assert_eq "exactly 3 NAs (ICMPv6 136) for 2001:db8:1::20" 3 "$(printf '%s' "$got" | grep -c .)" "$(cat "$CAP")"
assert_eq "all to ff02::1 from va's MAC" "3 src=$MAC_VA dst=ff02::1" \
  "$(printf '%s\n' "$got" | awk 'NF { print $3, $6 }' | sort | uniq -c | awk '{ print $1, $2, $3 }')" "$got"
note "NA gaps (ms, arp_interval default 200): $(printf '%s\n' "$got" | awk '{ print $2 }' | gaps)"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "2001:db8:1::20 gone after stop" "" "$(where "$NA" 2001:db8:1::20)"

# ================================================================ 10. arp_bg=true
note "--- arp_bg=true: start returns at once, the ARPs follow"
P=(ip=203.0.113.10 arp_bg=true arp_count=5 arp_interval=400)
listen_start arp-bg
# ra reads the agent's output through a pipe until it closes: a background sender that kept the
# agent's stdout or stderr would hold the start up here
ra --netns "$NA" start "${P[@]}"
T_RETURNED=$(date +%s.%N)
el=$EL
expect "start arp_bg=true arp_count=5 arp_interval=400, through a pipe" 0
if awk -v e="$el" 'BEGIN { exit !(e < 1.0) }'; then pass "start (output read through a pipe) returned in $el s (< 1 s; sending takes 1.6 s)"
else fail "start (output read through a pipe) returns in under 1 s (the background sender must not hold the pipe)" "took $el s" "$OUT"; fi
bg=$(announcers)
if [ "$(printf '%s' "$bg" | grep -c .)" = 1 ]; then
  pass "one background sender running after start (pid $bg)"
  fds=$(for fd in 0 1 2; do readlink "/proc/$bg/fd/$fd"; done | tr '\n' ' ')
  assert_eq "background sender's stdin/stdout/stderr are /dev/null" "/dev/null /dev/null /dev/null " "$fds" "$(ls -l "/proc/$bg/fd" 2>&1)"
  assert_no_match "background sender holds no pipe" 'pipe:' "$(ls -l "/proc/$bg/fd" 2>&1)"
  # It stays in the agent's process group and session on purpose: when Pacemaker kills a start
  # at its timeout (the whole group), the sender dies with it instead of announcing on its own.
  read -r pgid sid < <(awk '{ print $5, $6 }' "/proc/$bg/stat" 2>/dev/null) || true
  if [ -n "$pgid" ] && [ "$pgid" != "$bg" ] && [ "$sid" != "$bg" ]; then
    pass "background sender leads neither a process group nor a session (pgid $pgid, sid $sid)"
  else fail "background sender stays in the agent's process group" "pid $bg pgid ${pgid:-?} sid ${sid:-?}" ""; fi
else
  fail "one background sender running after start" "found: $(ps_of "$bg")" "$OUT"
fi
wait_until 4 eval '[ "$(arps 203.0.113.10 | grep -c .)" -ge 5 ]'
wait_until 2 no_announcer
listen_stop
got=$(arps 203.0.113.10)
assert_eq "5 ARPs for 203.0.113.10 arrive at B" 5 "$(printf '%s' "$got" | grep -c .)" "$(cat "$CAP")"
assert_gaps "background ARP gaps 300-550 ms (arp_interval=400)" 300 550 "$got"
last=$(printf '%s\n' "$got" | awk 'NF { t = $1 } END { print t }')
after=$(awk -v a="$T_RETURNED" -v b="${last:-0}" 'BEGIN { printf "%.2f", b - a }')
if awk -v x="$after" 'BEGIN { exit !(x > 1.0) }'; then pass "the last ARP arrived $after s after start had returned"
else fail "the last ARP arrives more than 1 s after start returned" "last ARP at +$after s" "$got"; fi
assert_eq "background sender exited after its 5 ARPs" "" "$(ps_of "$(announcers)")"
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0

P=(ip=203.0.113.10 arp_bg=true arp_count=100 arp_interval=400)
ra --netns "$NA" start "${P[@]}"; expect "start arp_bg=true arp_count=100 (40 s of sending)" 0
bg=$(announcers)
assert_eq "one background sender running" 1 "$(printf '%s' "$bg" | grep -c .)" "$(ps_of "$bg")"
ra --netns "$NA" stop "${P[@]}"; expect "stop while the background sender runs" 0
left_now=$(announcers)
if wait_until 2 no_announcer; then
  pass "no process with $MARKER left after stop (immediately after stop: ${left_now:-none})"
else
  fail "no process with $MARKER left after stop" "$(ps_of "$(announcers)")"
fi
assert_eq "203.0.113.10 gone after stop" "" "$(where "$NA" 203.0.113.10)"

# ================================================================ 11. network_namespace
note "--- network_namespace=$NA, agent run from $NC"
C_BEFORE=$(addrs "$NC")
ROOT_NS_BEFORE=$(root_addrs)
P=(ip=203.0.113.77 nic=va cidr_netmask=24 "network_namespace=$NA")
ra --netns "$NC" start "${P[@]}"; expect "start from C" 0
assert_eq "203.0.113.77 on va in A" "va 203.0.113.77/24 brd 203.0.113.255" "$(where "$NA" 203.0.113.77)" "$(addrs "$NA")"
assert_eq "C unchanged (no 203.0.113.77 there)" "$C_BEFORE" "$(addrs "$NC")"
assert_eq "root namespace: ip -o addr unchanged" "$ROOT_NS_BEFORE" "$(root_addrs)"
ra --netns "$NC" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor from C" 0
ra --netns "$NC" monitor "${P[@]}"; expect "probe from C" 0
ra --netns "$NC" stop "${P[@]}"; expect "stop from C" 0
assert_eq "203.0.113.77 gone from A" "" "$(where "$NA" 203.0.113.77)" "$(addrs "$NA")"
ra --netns "$NC" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor from C after stop" 7
assert_eq "C unchanged after stop" "$C_BEFORE" "$(addrs "$NC")"
assert_eq "root namespace: ip -o addr unchanged after stop" "$ROOT_NS_BEFORE" "$(root_addrs)"
ra --netns "$NC" start ip=203.0.113.78 nic=va cidr_netmask=24 network_namespace=hc-ip-none-$$; expect "start with a network_namespace that does not exist" 5 "hc-ip-none-$$"
wait_until 2 no_announcer
assert_eq "no background sender left" "" "$(ps_of "$(announcers)")"

# ================================================================ 12. link down
note "--- carrier loss on va (vb down)"
P=(ip=203.0.113.30 nic=va cidr_netmask=24 arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start" 0
check "ip -n B link set vb down" ip -n "$NB" link set vb down
if wait_until 5 eval '! carrier'; then pass "va lost its carrier (vb down)"
else fail "va loses its carrier when vb goes down" "$(ip -n "$NA" -o link show va)"; fi
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor without carrier" 7
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000 check_link_status=false; expect "monitor without carrier, check_link_status=false" 0
check "ip -n B link set vb up" ip -n "$NB" link set vb up
if wait_until 5 carrier; then pass "va has its carrier back (vb up)"
else fail "va gets its carrier back when vb is up" "$(ip -n "$NA" -o link show va)"; fi
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "monitor with carrier again" 0
ra --netns "$NA" stop "${P[@]}"; expect "stop" 0
assert_eq "203.0.113.30 gone after stop" "" "$(where "$NA" 203.0.113.30)"

# ================================================================ 13. interface deleted
note "--- interface d1 deleted under a running address"
check "add link d1 in A, up" eval 'add_dummy d1 && ip -n "$NA" link set d1 up'
P=(ip=198.51.100.200 nic=d1 cidr_netmask=24 arp_count=1)
ra --netns "$NA" start "${P[@]}"; expect "start on d1" 0
assert_eq "198.51.100.200 on d1 /24" "d1 198.51.100.200/24 brd 198.51.100.255" "$(where "$NA" 198.51.100.200)" "$(addrs "$NA")"
wait_until 2 no_announcer
check "ip -n A link del d1" ip -n "$NA" link del d1
ra --netns "$NA" monitor "${P[@]}" CRM_meta_interval=10000; expect "recurring monitor after ip link del d1" 1 '^interface d1 no longer exists$'
ra --netns "$NA" monitor "${P[@]}"; expect "probe after ip link del d1" 7
ra --netns "$NA" stop "${P[@]}"; expect "stop after ip link del d1" 0
assert_eq "198.51.100.200 nowhere in A" "" "$(where "$NA" 198.51.100.200)"

# ================================================================ the end
note "--- leftovers"
left=$(for ino in "$INO_A" "$INO_B" "$INO_C"; do netns_pids "$ino"; done)
assert_eq "no process left in $NA $NB $NC" "" "$left" "$(ps_of "$left")"
assert_eq "A holds its base addresses only" \
  "va 203.0.113.1/24|va 2001:db8:1::1/64|" \
  "$(addrs "$NA" | grep -Ev ' (lo|inet6 fe80)' | awk '{ s = $2 " " $4; if ($5 == "brd") s = s " brd " $6; printf "%s|", s }')" "$(addrs "$NA")"
assert_eq "root namespace: ip -o addr unchanged by the whole run" "$ROOT_BEFORE" "$(root_addrs)"
finish
