#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo` (started by scripts/demo.sh inside a VM):
# a narrated run of a whole lw4o6 deployment.  An lwAFTR with lw4o6d and an
# address pool; two lwB4s that start with no binding and get one from
# lw4o6d over PCP, inside the softwire; hosts on their LANs fetching from
# an internet host; the AFTR's binding table, counters and store; the AFTR
# daemon killed and restarted under traffic without losing anything; a
# neighbour's forged ICMPv6 errors dropped by the lwB4's kernel; a third
# lwB4 provisioned by DHCPv4 over DHCPv6 from the same pool; the central
# deployment (an lwAFTR relaying DHCPv6 to a port-set server, rebuilding
# its table by bulk leasequery after a crash); a 100000-binding table
# loaded by hand; a summary.
#
#   lan-1 192.168.1.2 -- b4-1 b0 (lwB4) + lw4o6d --\
#                                                    br0 == aftr lw0 (lwAFTR) + lw4o6d == inet
#   lan-2 192.168.1.2 -- b4-2 b0 (lwB4) + lw4o6d --/   IPv6             pool 192.0.2.0/28   198.51.100.1
#
# Every step is checked: the first one that does not do what it should ends
# the demo with "demo: FAILED ..." and a non-zero exit status, so `make demo`
# is also a smoke test.
# shellcheck disable=SC2086  # $PING may be two words, "busybox ping"
set -eEu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
D=$top/userspace/lw4o6d/lw4o6d
PY=/usr/bin/python3	# the host's Debian python, whatever is first on PATH
if command -v ping > /dev/null 2>&1; then PING=ping; else PING="busybox ping"; fi
W=$(mktemp -d /tmp/lw4o6-demo.XXXXXX)	# tmpfs in the VM
PIDS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '\033[2m%s\033[0m\n' "$*"; }
show() { printf '\033[36m$ %s\033[0m\n' "$*"; }
run() { show "$@"; "$@"; }
fail() {
	local f
	for f in "$W"/*.log; do	# the daemons' and the web server's
		[ -f "$f" ] && { echo "--- $f, last lines:"; tail -n 8 "$f"; }
	done >&2
	printf '\n\033[1;31mdemo: FAILED: %s\033[0m\n' "$*" >&2
	exit 1
}
# check DESC CMD...: CMD must succeed, else the demo fails with DESC.
check() { local d=$1; shift; "$@" || fail "$d"; }
# waitfor SECS DESC CMD...: retry CMD (quietly) until it succeeds.
waitfor() {
	local secs=$1 d=$2 end=$((SECONDS + $1))
	shift 2
	until "$@" > /dev/null 2>&1; do
		[ $SECONDS -lt $end ] || fail "$d (waited ${secs}s)"
		sleep 0.2
	done
}
# logs FILE PATTERN [N]: the daemon's last N (3) log lines matching PATTERN.
logs() { grep -E "$2" "$W/$1.log" | tail -n "${3:-3}" | sed "s/^/  [$1] /"; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
cleanup() {
	set +eE
	trap - ERR
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
	wait 2> /dev/null
	for ns in lan-1 lan-2 lan-3 lan-4 b4-1 b4-2 b4-3 b4-4 aftr aftr2 srv inet lab; do
		ip netns del "$ns" 2> /dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT

aftr_table() { "$L" -n aftr binding show dev lw0 | sort; }
# bound N: B4 N's device has a binding (prints it as "ADDR PSID/LEN").
bound() {
	"$L" -n "b4-$1" -j dev show b0 |
		jq -er '.[0] | select(.ipv4 != null) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}
stat() { "$L" -n aftr -j stats show dev lw0 | jq -r ".[\"$1\"]"; }

# ---------------------------------------------------------------------------
say "lw4o6 on Linux $(uname -r): load the module"
for f in "$L" "$D" "$top/build/$(uname -r)/lw4o6.ko"; do
	[ -e "$f" ] || fail "$f is not built (make modules userspace)"
done
for c in jq sqlite3; do
	command -v $c > /dev/null || fail "$c is not installed (make deps)"
done
run modprobe -a nf_defrag_ipv6 nf_conntrack nf_nat
run insmod "$top/build/$(uname -r)/lw4o6.ko"
sed -n '/^#   lan-1/,/^#   lan-2/s/^#//p' "$0"

# ---------------------------------------------------------------------------
say "The internet host and the lwAFTR's network (plain ip commands)"
for ns in inet aftr b4-1 b4-2 lan-1 lan-2; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ip -n aftr link add i0 type veth peer name e0 netns inet
ip -n aftr addr add 198.51.100.254/24 dev i0
ip -n inet addr add 198.51.100.1/24 dev e0
ip -n aftr link set i0 up
ip -n inet link set e0 up
ip -n inet route add 192.0.2.0/24 via 198.51.100.254
ip -n aftr link add br0 address 02:00:00:00:a0:01 type bridge	# fixed: see lib/aftr_topology.sh
ip -n aftr addr add 2001:db8:1::1/64 dev br0 nodad
ip -n aftr link set br0 up
ip netns exec aftr sysctl -qw net.ipv4.ip_forward=1
note "inet: 198.51.100.1, routes 192.0.2.0/24 to the lwAFTR; the B4s reach the lwAFTR on br0, 2001:db8:1::/64"

say "The lwAFTR: device lw0, and lw4o6d (role aftr) handing out 192.0.2.0/28"
run "$L" -n aftr dev add lw0 mode aftr local 2001:db8:ff::1
run ip -n aftr link set lw0 up
run ip -n aftr route add 192.0.2.0/24 dev lw0
cat > "$W/aftr.conf" <<EOT
role aftr
device lw0
log-level info
storage sqlite $W/aftr.db
listen 2001:db8:1::1
lifetime min 30 max 3600 default 600
quota 1
rate-limit 50 burst 100
subscriber-prefix-len 128
pool 192.0.2.0/28 psid-len 4
dhcp4o6 on
dhcp4o6-interface br0
EOT
run cat "$W/aftr.conf"
note "(16 addresses x 15 port sets of 4096 ports: 240 subscribers; PSID 0, ports 0-4095, is never granted)"
run "$D" --check-config "$W/aftr.conf"
mkdir -p /var/lib/lw4o6d	# the unit's StateDirectory: the BFD snapshot goes there
aftr_start() {
	ip netns exec aftr "$D" -c "$W/aftr.conf" >> "$W/aftr.log" 2>&1 &
	AFTR_PID=$!
	PIDS+=($!)
}
show "ip netns exec aftr lw4o6d -c aftr.conf &"
aftr_start
waitfor 20 "lw4o6d did not start on the lwAFTR" grep -q "aftr on lw0" "$W/aftr.log"
logs aftr .

# ---------------------------------------------------------------------------
say "Two lwB4s, created WITHOUT a binding: they only know the lwAFTR's address"
for n in 1 2; do
	ip -n aftr link add "b$n" type veth peer name u0 netns "b4-$n"
	ip -n aftr link set "b$n" master br0 up
	ip -n "b4-$n" addr add "2001:db8:1::1$n/64" dev u0 nodad
	ip -n "b4-$n" link set u0 up
	ip -n "b4-$n" route add 2001:db8:ff::1 via 2001:db8:1::1
	ip netns exec "b4-$n" sysctl -qw net.ipv4.ip_forward=1
	# The home: the same private LAN behind both B4s.
	ip -n "lan-$n" link add e0 type veth peer name lan0 netns "b4-$n"
	ip -n "lan-$n" addr add 192.168.1.2/24 dev e0
	ip -n "b4-$n" addr add 192.168.1.1/24 dev lan0
	ip -n "lan-$n" link set e0 up
	ip -n "b4-$n" link set lan0 up
	ip -n "lan-$n" route add default via 192.168.1.1
	run "$L" -n "b4-$n" dev add b0 mode b4 local "2001:db8:1::1$n" remote 2001:db8:ff::1
	run ip -n "b4-$n" link set b0 up
	run ip -n "b4-$n" route add default dev b0
done
run "$L" -n b4-1 dev show b0
run "$L" -n b4-2 dev show b0
note "(no ipv4, no psid: anything sent out of b0 now is dropped, nothing is NATed yet)"
cat > "$W/b4.conf" <<EOT
role b4
device b0
log-level info
transport softwire
lifetime 600
uplink u0
EOT
run cat "$W/b4.conf"
run "$D" --check-config "$W/b4.conf"

# ---------------------------------------------------------------------------
say "Provisioning: each B4's lw4o6d asks the lwAFTR for a port set over PCP, inside the softwire"
note "(192.0.0.2 -> 192.0.0.1:5351 in IPv4-in-IPv6: the lwAFTR knows the B4 by its IPv6 source)"
# lw4o6 monitor in lwB4 1, as an operator would run it: the kernel's events
# (a binding set, the softwire's BFD state changing) as they happen
"$L" -n b4-1 monitor > "$W/monitor-b4-1.log" 2>&1 &
PIDS+=($!)
for n in 1 2; do
	# each its own runtime directory (its BFD state), as its unit would
	mkdir -p "$W/run-b4-$n"
	show "RUNTIME_DIRECTORY=run-b4-$n ip netns exec b4-$n lw4o6d -c b4.conf &"
	RUNTIME_DIRECTORY=$W/run-b4-$n ip netns exec "b4-$n" "$D" -c "$W/b4.conf" >> "$W/b4-$n.log" 2>&1 &
	PIDS+=($!)
done
t0=$SECONDS
waitfor 30 "lwB4 1 was not provisioned over PCP" bound 1
waitfor 30 "lwB4 2 was not provisioned over PCP" bound 2
note "(both bound within $((SECONDS - t0))s)"
run "$L" -n b4-1 dev show b0
run "$L" -n b4-2 dev show b0
B1=$(bound 1) B2=$(bound 2)
check "the two B4s got the same port set ($B1)" test "$B1" != "$B2"
echo "The daemons' logs:"
logs aftr "granted"
logs b4-1 "bound:|asking|GET"
logs b4-2 "bound:"

say "The control path: lwB4 1 pings the lwAFTR's 192.0.0.1 through the softwire"
run ip netns exec b4-1 $PING -c 3 -i 0.3 -W 3 -I 192.0.0.2 192.0.0.1 ||
	fail "no answer from 192.0.0.1 through the softwire"

# ---------------------------------------------------------------------------
say "Liveness: each lwB4 keeps BFD with the lwAFTR inside its softwire (RFC 5880/5881)"
note "(192.0.0.2:49152 -> 192.0.0.1:3784, TTL 255, every 10 s; the lwAFTR answers every B4 passively)"
bfd_up() { RUNTIME_DIRECTORY=$W/run-b4-$1 "$D" bfd -c "$W/b4.conf" -j 2> /dev/null |
	jq -e '.state == "up"' > /dev/null; }
waitfor 30 "lwB4 1's BFD session did not come up" bfd_up 1
waitfor 30 "lwB4 2's BFD session did not come up" bfd_up 2
show "RUNTIME_DIRECTORY=run-b4-1 lw4o6d bfd -c b4.conf"
RUNTIME_DIRECTORY=$W/run-b4-1 "$D" bfd -c "$W/b4.conf" | grep -E "^(state|diagnostic|remote_state|tx_interval_ms|multiplier|detect_ms) "
run "$D" bfd -c "$W/aftr.conf"
check "the lwAFTR does not see both B4s' sessions up" \
	test "$("$D" bfd -c "$W/aftr.conf" -j | jq '[.sessions[] | select(.state == "up")] | length')" = 2
logs b4-1 "BFD" 2
bfd_event() { grep -q "bfd-change.* -> up" "$W/monitor-b4-1.log"; }
waitfor 10 "lw4o6 monitor in lwB4 1 showed no bfd-change to up" bfd_event
echo "lw4o6 -n b4-1 monitor, since lw4o6d started there:"
sed 's/^/  /' "$W/monitor-b4-1.log"

# ---------------------------------------------------------------------------
say "The LAN hosts fetch from a web server on the internet host"
cat > "$W/www.py" <<'EOT'
# A web server that tells each client where it came from.
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        a, p = self.client_address[:2]
        if self.path == "/1M":
            body = b"x" * (1 << 20)
        else:
            body = b"hello %s, you came from %s port %d\n" % (
                self.headers["X-Who"].encode(), a.encode(), p)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, fmt, *args):
        with open(sys.argv[1], "a") as f:
            f.write("  [web] %s port %d: %s\n" % (*self.client_address[:2], fmt % args))
http.server.ThreadingHTTPServer(("0.0.0.0", 80), H).serve_forever()
EOT
cat > "$W/fetch.py" <<'EOT'
# fetch WHO URL: GET URL (with X-Who: WHO) and URL/1M; print what came back.
import sys, time, urllib.request
who, url = sys.argv[1:3]
r = urllib.request.urlopen(urllib.request.Request(url, headers={"X-Who": who}), timeout=10)
print("  %d %s" % (r.status, r.read().decode().strip()))
t = time.monotonic()
n = len(urllib.request.urlopen(url + "1M", timeout=20).read())
assert n == 1 << 20, n
print("  %d bytes of %s1M in %.2f s" % (n, url, time.monotonic() - t))
EOT
show "ip netns exec inet python3 www.py &"
ip netns exec inet "$PY" "$W/www.py" "$W/web.log" &
PIDS+=($!)
waitfor 30 "the web server did not start" sh -c "ip netns exec inet ss -lnt | grep -q ':80 '"
for n in 1 2; do
	run ip netns exec "lan-$n" python3 "$W/fetch.py" "lan-$n" http://198.51.100.1/ ||
		fail "lan-$n could not fetch from the internet host"
done
echo "The web server's log: each home behind its B4's address, inside its port set"
run cat "$W/web.log"
run ip netns exec lan-2 $PING -c 3 -i 0.3 -W 3 198.51.100.1 ||
	fail "lan-2 cannot ping the internet host"

# ---------------------------------------------------------------------------
say "The lwAFTR's view: its binding table, its counters (RFC 8676 names), its store"
run "$L" -n aftr binding show dev lw0
check "the lwAFTR does not hold exactly the two bindings" \
	test "$("$L" -n aftr -j binding show dev lw0 | jq length)" = 2
run "$L" -n aftr stats show dev lw0
q="select (ipv4 >> 24) || '.' || (ipv4 >> 16 & 255) || '.' || (ipv4 >> 8 & 255) || '.' || (ipv4 & 255),
	psid || '/' || psid_len, \"offset\", hex(b4), expires - strftime('%s', 'now')
	from mappings order by ipv4, psid"
show "sqlite3 aftr.db 'select ipv4, psid, psid_len, offset, b4, expires from mappings'   (decoded)"
printf '  %-12s %-6s %-6s %-16s %s\n' ipv4 psid offset b4 "expires in"
sqlite3 "$W/aftr.db" "$q" | while IFS='|' read -r v4 psid off b4 left; do
	g=()
	for i in 0 4 8 12 16 20 24 28; do g+=("$(printf %x "0x${b4:i:4}")"); done
	b4=$(IFS=:; echo "${g[*]}" | sed -E 's/(^|:)0(:0)+(:|$)/::/')
	printf '  %-12s %-6s %-6s %-16s %ss\n' "$v4" "$psid" "$off" "$b4" "$left"
done
check "the store does not hold two mappings" \
	test "$(sqlite3 "$W/aftr.db" 'select count(*) from mappings')" = 2

# ---------------------------------------------------------------------------
say "The lwAFTR's daemon is killed (-9) and started again while lan-1 pings the internet"
aftr_table > "$W/before"
show "ip netns exec lan-1 ping -q -i 0.1 198.51.100.1 &   # until lw4o6d is back"
ip netns exec lan-1 $PING -q -i 0.1 -w 300 198.51.100.1 > "$W/ping.out" 2>&1 &
PINGER=$!
PIDS+=($!)
sleep 1
show "kill -KILL $AFTR_PID   # lw4o6d on the lwAFTR"
t0=$(date +%s%N)
{ kill -KILL "$AFTR_PID"; wait "$AFTR_PID"; } 2> /dev/null || true	# no "Killed" line
note "lw4o6d is gone; the bindings live in the kernel, so traffic goes on. lan-2 fetches meanwhile:"
run ip netns exec lan-2 python3 "$W/fetch.py" lan-2 http://198.51.100.1/ ||
	fail "lan-2 could not fetch while the AFTR daemon was down"
show "ip netns exec aftr lw4o6d -c aftr.conf &"
aftr_start
waitfor 20 "lw4o6d did not start again on the lwAFTR" \
	sh -c "[ \$(grep -c 'aftr on lw0' '$W/aftr.log') = 2 ]"
down=$((($(date +%s%N) - t0) / 1000000))
note "(lw4o6d was down for ${down} ms)"
sleep 1
kill -INT "$PINGER"	# ping prints its statistics and ends
wait "$PINGER" || true
run cat "$W/ping.out"
grep -q " 0% packet loss" "$W/ping.out" ||
	fail "packets were lost while the AFTR daemon restarted"
logs aftr "reconciled|aftr on" 2
aftr_table > "$W/after"
run diff "$W/before" "$W/after" || fail "the binding table changed across the restart"
echo "The binding table is identical before and after the restart:"
sed 's/^/  /' "$W/after"
check "lwB4 1 lost its binding" test "$(bound 1)" = "$B1"
check "lwB4 2 lost its binding" test "$(bound 2)" = "$B2"
kill -0 "$AFTR_PID" 2> /dev/null || fail "the restarted lw4o6d died"

# ---------------------------------------------------------------------------
say "A neighbour forges ICMPv6 errors at lwB4 1, as if from the lwAFTR"
note "b4-2 sends b4-1 'no binding for you' (ICMPv6 1/5) errors from the lwAFTR's"
note "address: one with a bad checksum, one about a port b4-1 never used. The"
note "kernel believes neither, so b4-1 keeps its binding and its flows (docs/security.md)."
bstat() { "$L" -n b4-1 -j stats show dev b0 | jq -r ".[\"$1\"]"; }
read -r v4 set1 <<< "$B1"
psid=${set1%/*}
mine=$((psid * 4096 + 100)) other=$((((psid + 1) % 16) * 4096 + 100))
p0=$(bstat drop-in-by-policy-icmpv6) c0=$(bstat drop-bad-checksum-icmpv6)
forge() {
	run ip netns exec b4-2 $PY "$top/selftests/lib/py/icmp6_err.py" 2001:db8:1::11 1 5 0 \
		2001:db8:1::11 2001:db8:ff::1 "$v4" 198.51.100.1 "$1" 80 src=2001:db8:ff::1 ${2:-}
}
forge "$mine" badsum
forge "$other"
sleep 1
echo "b4-1's counters: drop-bad-checksum-icmpv6 $c0 -> $(bstat drop-bad-checksum-icmpv6)," \
	"drop-in-by-policy-icmpv6 $p0 -> $(bstat drop-in-by-policy-icmpv6)"
check "the forged error with a bad checksum was not counted" \
	test "$(bstat drop-bad-checksum-icmpv6)" = $((c0 + 1))
check "the forged error about another port was not counted" \
	test "$(bstat drop-in-by-policy-icmpv6)" = $((p0 + 1))
check "lwB4 1 lost its binding to forged errors" test "$(bound 1)" = "$B1"
if grep -q "ICMPv6 1/5 from" "$W/b4-1.log"; then fail "lwB4 1 acted on a forged error"; fi
run ip netns exec lan-1 python3 "$W/fetch.py" lan-1 http://198.51.100.1/ ||
	fail "lan-1 could not fetch after the forged errors"

# ---------------------------------------------------------------------------
say "A third lwB4 provisioned by DHCPv4 over DHCPv6 (RFC 7341 + 7618), from the same pool"
note "(the lwAFTR's lw4o6d also serves DHCPv4 over DHCPv6 on br0: the same pool, store and quotas as PCP)"
# b4-3: like the others, but `provision dhcp4o6`
ip netns add b4-3
ip netns add lan-3
for ns in b4-3 lan-3; do ip -n $ns link set lo up; done
ip -n aftr link add b3 type veth peer name u0 netns b4-3
ip -n aftr link set b3 master br0 up
ip -n b4-3 addr add 2001:db8:1::13/64 dev u0 nodad
ip -n b4-3 link set u0 up
ip -n b4-3 route add 2001:db8:ff::1 via 2001:db8:1::1
ip netns exec b4-3 sysctl -qw net.ipv4.ip_forward=1
ip -n lan-3 link add e0 type veth peer name lan0 netns b4-3
ip -n lan-3 addr add 192.168.1.2/24 dev e0
ip -n b4-3 addr add 192.168.1.1/24 dev lan0
ip -n lan-3 link set e0 up
ip -n b4-3 link set lan0 up
ip -n lan-3 route add default via 192.168.1.1
run "$L" -n b4-3 dev add b0 mode b4 local 2001:db8:1::13 remote 2001:db8:ff::1
ip -n b4-3 link set b0 up
ip -n b4-3 route add default dev b0
cat > "$W/b4-dhcp.conf" <<EOT
role b4
device b0
log-level info
provision dhcp4o6
dhcp4o6-interface u0
lease-file $W/b4-3.lease
EOT
run cat "$W/b4-dhcp.conf"
# u0's link-local address must be usable before multicast DHCPv6 leaves
waitfor 10 "u0 of b4-3 has no multicast route" sh -c "ip -n b4-3 -6 route show table local dev u0 | grep -q '^multicast'"
show "ip netns exec b4-3 lw4o6d -c b4-dhcp.conf &"
ip netns exec b4-3 "$D" -c "$W/b4-dhcp.conf" >> "$W/b4-3.log" 2>&1 &
B43_PID=$!
PIDS+=($!)
waitfor 30 "lwB4 3 was not provisioned by DHCPv4 over DHCPv6" bound 3
run "$L" -n b4-3 dev show b0
B3=$(bound 3)
check "lwB4 3 got a set of its own ($B3)" sh -c "[ '$B3' != '$B1' ] && [ '$B3' != '$B2' ]"
echo "The exchange, in the daemons' logs (Information-request, then DORA inside DHCPV4-QUERY):"
logs b4-3 "DHCPv6 Reply|DHCPv4 lease|bound by" 3
logs aftr "dhcp4o6: ACK" 1
echo "The lwAFTR's store: PCP and DHCP leases side by side"
run "$D" leases -c "$W/aftr.conf"
run ip netns exec lan-3 python3 "$W/fetch.py" "lan-3" http://198.51.100.1/ ||
	fail "lan-3 could not fetch through lwB4 3"
echo "lwB4 3's lw4o6d stops: it RELEASEs, and the lwAFTR removes the binding"
kill $B43_PID
wait $B43_PID 2> /dev/null || true
waitfor 10 "the lwAFTR kept lwB4 3's binding after its RELEASE" \
	sh -c "! '$L' -n aftr binding show dev lw0 | grep -q '2001:db8:1::13'"
logs aftr "dhcp4o6: RELEASE" 1

# ---------------------------------------------------------------------------
say "The central deployment: a second lwAFTR relays DHCPv6 to a central port-set server"
note "(the lwAFTR's lw4o6d is a DHCPv6 relay: it forwards its B4s' queries, and installs each"
note " binding from the server's ACK before relaying it down; the server keeps the leases)"
#   b4-4 -- br1 aftr2 (lw2, relay) -- core -- srv (lw4o6d role server, 192.0.2.64/28)
#                      \-- inet (198.51.100.0/24 via i1)
for ns in aftr2 srv b4-4 lan-4; do ip netns add $ns; ip -n $ns link set lo up; done
ip -n aftr2 link add c0 type veth peer name s0 netns srv
ip -n aftr2 addr add 2001:db8:2::1/64 dev c0 nodad
ip -n srv addr add 2001:db8:2::2/64 dev s0 nodad
ip -n aftr2 link set c0 up
ip -n srv link set s0 up
ip -n aftr2 link add i1 type veth peer name e1 netns inet
ip -n aftr2 addr add 198.51.101.254/24 dev i1
ip -n inet addr add 198.51.101.1/24 dev e1
ip -n aftr2 link set i1 up
ip -n inet link set e1 up
ip -n inet route add 192.0.2.64/28 via 198.51.101.254
ip -n aftr2 route add default via 198.51.101.1
ip netns exec aftr2 sysctl -qw net.ipv4.ip_forward=1
ip -n aftr2 link add br1 address 02:00:00:00:a0:02 type bridge
ip -n aftr2 addr add 2001:db8:3::1/64 dev br1 nodad
ip -n aftr2 link set br1 up
ip -n aftr2 link add b4 type veth peer name u0 netns b4-4
ip -n aftr2 link set b4 master br1 up
ip -n b4-4 addr add 2001:db8:3::14/64 dev u0 nodad
ip -n b4-4 link set u0 up
ip -n b4-4 route add 2001:db8:ff::2 via 2001:db8:3::1
ip netns exec b4-4 sysctl -qw net.ipv4.ip_forward=1
ip -n lan-4 link add e0 type veth peer name lan0 netns b4-4
ip -n lan-4 addr add 192.168.1.2/24 dev e0
ip -n b4-4 addr add 192.168.1.1/24 dev lan0
ip -n lan-4 link set e0 up
ip -n b4-4 link set lan0 up
ip -n lan-4 route add default via 192.168.1.1
"$L" -n aftr2 dev add lw2 mode aftr local 2001:db8:ff::2
ip -n aftr2 link set lw2 up
ip -n aftr2 route add 192.0.2.64/28 dev lw2
"$L" -n b4-4 dev add b0 mode b4 local 2001:db8:3::14 remote 2001:db8:ff::2
ip -n b4-4 link set b0 up
ip -n b4-4 route add default dev b0
cat > "$W/srv.conf" <<EOT
role server
log-level info
storage sqlite $W/srv.db
listen 2001:db8:2::2
relay-peer 2001:db8:2::1
lifetime min 30 max 3600 default 600
subscriber-prefix-len 128
pool 192.0.2.64/28 psid-len 4
EOT
cat > "$W/relay.conf" <<EOT
role aftr
device lw2
log-level info
listen 2001:db8:2::1
dhcp4o6-interface br1
relay 2001:db8:2::2
EOT
run cat "$W/srv.conf"
run cat "$W/relay.conf"
show "ip netns exec srv lw4o6d -c srv.conf &"
ip netns exec srv "$D" -c "$W/srv.conf" >> "$W/srv.log" 2>&1 &
PIDS+=($!)
waitfor 20 "the central server did not start" grep -q "server (no device): " "$W/srv.log"
relay_start() {
	ip netns exec aftr2 "$D" -c "$W/relay.conf" >> "$W/relay.log" 2>&1 &
	RELAY_PID=$!
	PIDS+=($!)
}
show "ip netns exec aftr2 lw4o6d -c relay.conf &"
relay_start
waitfor 20 "the relay did not start" grep -q "relay on lw2:" "$W/relay.log"
waitfor 10 "u0 of b4-4 has no multicast route" sh -c "ip -n b4-4 -6 route show table local dev u0 | grep -q '^multicast'"
sed 's|b4-3.lease|b4-4.lease|' "$W/b4-dhcp.conf" > "$W/b4-4.conf"
show "ip netns exec b4-4 lw4o6d -c b4-4.conf &"
ip netns exec b4-4 "$D" -c "$W/b4-4.conf" >> "$W/b4-4.log" 2>&1 &
PIDS+=($!)
waitfor 30 "lwB4 4 was not provisioned through the relay" bound 4
run "$L" -n b4-4 dev show b0
B4=$(bound 4)
echo "The relaying lwAFTR installed the binding from the server's ACK:"
run "$L" -n aftr2 binding show dev lw2
logs relay "relay: binding" 2
echo "The central server's leases:"
run "$D" leases -c "$W/srv.conf"
run ip netns exec lan-4 python3 "$W/fetch.py" "lan-4" http://198.51.100.1/ ||
	fail "lan-4 could not fetch through lwB4 4 and the relaying lwAFTR"
echo "The relay's lw4o6d is killed (-9) and its table flushed; restarted, it asks the server (bulk leasequery, RFC 6926):"
kill -9 $RELAY_PID
wait $RELAY_PID 2> /dev/null || true
run "$L" -n aftr2 binding flush dev lw2
relay_start
waitfor 20 "the relay did not restart" sh -c "[ \$(grep -c 'relay on lw2:' '$W/relay.log') -ge 2 ]"
waitfor 10 "the relay did not get lwB4 4's binding back" sh -c "'$L' -n aftr2 binding show dev lw2 | grep -q 2001:db8:3::14"
logs relay "bulk leasequery" 1
run "$L" -n aftr2 binding show dev lw2
run ip netns exec lan-4 python3 "$W/fetch.py" "lan-4" http://198.51.100.1/ ||
	fail "lan-4 could not fetch after the relay's restart"

# ---------------------------------------------------------------------------
say "lwB4 1's ISP renumbers it: its WAN address is deprecated, a new one arrives"
note "(b4.conf says 'uplink u0': lw4o6d follows u0's addresses. The old address still"
note " works, so the mapping there is deleted from it first, and the lwAFTR holds nothing"
note " for it until it would have expired; then the softwire moves, and PCP asks again)"
bound_at() { "$L" -n aftr -j binding show dev lw0 | jq -e --arg b "$1" 'any(.[]; .b4 == $b)' > /dev/null; }
not_bound_at() { ! bound_at "$1"; }
run ip -n b4-1 addr add 2001:db8:1::21/64 dev u0 nodad
run ip -n b4-1 addr change 2001:db8:1::11/64 dev u0 preferred_lft 0
waitfor 30 "lwB4 1's binding did not move to 2001:db8:1::21" bound_at 2001:db8:1::21
run "$L" -n b4-1 dev show b0
logs b4-1 "renumbered|released|bound:|renewed" 4
logs aftr "deleted by its B4|granted" 2
check "the lwAFTR still holds a binding for the old address" not_bound_at 2001:db8:1::11
run ip netns exec lan-1 python3 "$W/fetch.py" lan-1 http://198.51.100.1/ ||
	fail "lan-1 could not fetch after lwB4 1 was renumbered"

# ---------------------------------------------------------------------------
say "Bindings by hand too: a 100000-line table on another lwAFTR, replaced atomically"
ip netns add lab
"$L" -n lab dev add lw1 mode aftr local 2001:db8:ffff::1
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "ipv4 100.%d.%d.1 psid %d/4 offset 6 b4 2001:db8:%x:%x::1\n", 64 + i / 4000, (i / 16) % 250, i % 16, i / 256, i % 256 }' > "$W/table"
run head -n 2 "$W/table"
t=$(date +%s%N)
run "$L" -n lab binding load dev lw1 "$W/table"
load_ms=$((($(date +%s%N) - t) / 1000000))
note "(took ${load_ms} ms in an emulated VM)"
run "$L" -n lab dev show lw1
run "$L" -n lab binding show dev lw1 ipv4 100.64.0.1 psid 1/4
echo "A conflicting binding is refused, with the kernel's reason:"
if run "$L" -n lab binding add dev lw1 ipv4 100.64.0.1 psid 1/6 b4 2001:db8:ffff::9; then
	fail "an overlapping port set was accepted"
fi
ip netns del lab

# ---------------------------------------------------------------------------
say "Summary"
loss=$(grep -o '[0-9]* packets transmitted.*packet loss' "$W/ping.out")
cat <<EOT
  lwAFTR lw0 with lw4o6d, pool 192.0.2.0/28 psid-len 4, stored in SQLite
  lwB4 b4-1 (2001:db8:1::11, renumbered to ::21) bound over PCP: $(sed -n 's/.*bound: //p' "$W/b4-1.log" | tail -n 1)
  lwB4 b4-2 (2001:db8:1::12) bound over PCP: $(sed -n 's/.*bound: //p' "$W/b4-2.log" | tail -n 1)
  bindings on the lwAFTR: $("$L" -n aftr -j binding show dev lw0 | jq length), mappings in its store: $(sqlite3 "$W/aftr.db" 'select count(*) from mappings')
  lwAFTR packets: $(stat rcvd-ipv6-packets) in from the B4s, $(stat sent-ipv6-packets) out to them, $(stat control-ipv4-packets) control (PCP, ping 192.0.0.1)
  HTTP fetches through the softwires: $(grep -c '"GET' "$W/web.log"), $(grep -c '"GET /1M' "$W/web.log") of them 1 MiB
  AFTR daemon killed and restarted: down ${down} ms, binding table unchanged;
    lan-1 pinging the internet meanwhile: $loss
  forged ICMPv6 errors at lwB4 1 from a neighbour: both dropped and counted, binding kept
  lwB4 b4-3 (2001:db8:1::13) bound by DHCPv4 over DHCPv6 from the same pool: $B3, released on stop
  lwB4 b4-4 (2001:db8:3::14) behind a relaying lwAFTR, bound by the central server: $B4;
    the relay killed, its table flushed, rebuilt by bulk leasequery
  a 100000-binding table loaded by hand in ${load_ms} ms
  in $SECONDS s on Linux $(uname -r) (an emulated VM)
EOT
for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
wait 2> /dev/null || true
PIDS=()
for ns in lan-1 lan-2 lan-3 lan-4 b4-1 b4-2 b4-3 b4-4 aftr aftr2 srv inet; do ip netns del "$ns"; done
rmmod lw4o6 || fail "rmmod lw4o6"
echo
echo "demo: all steps passed"
