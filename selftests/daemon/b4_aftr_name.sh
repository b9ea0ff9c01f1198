#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 400
#
# A B4 whose AFTRs are a DNS name (issue #14 item 3): "aftr
# aftr.lw4o6.test" in its lw4o6d.conf, looked up through the host's
# resolver (the namespace's resolv.conf, as `ip netns exec` gives it) in
# dnsmasq on ACC, which serves the name from a hosts file the test
# rewrites (SIGHUP: the operator renumbers the AFTR set).  Two lwAFTRs on
# unicast addresses of their own, SQLite each.  Topology:
# lib/failover_topology.sh, lw0's local moved to 2001:db8:fN::1 and routed
# by ACC to AFTR N (failover_unicast_aftrs).
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP, aftr NAME) -- ACC (dnsmasq [2001:db8:1::1]:53) --+-- AFTR1 lw0 f1::1, 192.0.2.0/28 --+-- IR -- INET
#                                                                                    +-- AFTR2 lw0 f2::1, 192.0.2.16/28 -+
#
# Covers: the name's one address (AFTR 1) taken in place of the device's
# remote, which it is not; bound there, traffic.  Then the name moves to
# AFTR 2 only and ACC's route to AFTR 1 goes: its 1/0 makes the B4 probe,
# the list has nowhere else, so the name is looked up again, and its new
# address is where the B4 goes (log, device remote, a set from AFTR 2's
# pool, traffic).  The daemon kept working while it looked up (a renewal
# answered meanwhile is not asserted: the lookup takes milliseconds).
FO_POOL1=192.0.2.0/28
FO_POOL2=192.0.2.16/28
NAME=aftr.lw4o6.test
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"

require_root
require_cmd jq dnsmasq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 || ktap_skip_all "cannot build the B4"
failover_unicast_aftrs 2 || ktap_skip_all "cannot move the lwAFTRs' local"
echo "aftr $NAME" >> "$TMPDIR/b4-2.conf"

# The DNS: dnsmasq on ACC, answering for $NAME from $TMPDIR/hosts only.
echo "2001:db8:f1::1 $NAME" > "$TMPDIR/hosts"
ip netns exec "$ACC" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--addn-hosts="$TMPDIR/hosts" --listen-address=2001:db8:1::1 \
	--bind-interfaces --port=53 --user=root --pid-file= --log-queries \
	--log-facility="$TMPDIR/dns.log" &
DNS_PID=$!
defer kill $DNS_PID
mkdir -p "/etc/netns/$B4_2"
defer rm -rf "/etc/netns/$B4_2"
printf 'nameserver 2001:db8:1::1\noptions timeout:1 attempts:2\n' \
	> "/etc/netns/$B4_2/resolv.conf"
dns_up() { grep -q "started" "$TMPDIR/dns.log" 2> /dev/null; }
check_cmd "dnsmasq serves $NAME on ACC" busywait 5000 dns_up

udp() { ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null; }
b4_logged() { grep -qF "$1" "$TMPDIR/b4-2.log"; }

failover_aftr_conf 1 "storage sqlite $TMPDIR/aftr1.db" "node aftr1"
failover_aftr_conf 2 "storage sqlite $TMPDIR/aftr2.db" "node aftr2"
check_cmd "AFTR 1's lw4o6d" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d" failover_aftr_start 2
failover_bail aftr-1 aftr-2
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!

check_cmd "lw4o6d --check-config takes 'aftr NAME'" \
	"$LW4O6D" --check-config "$TMPDIR/b4-2.conf"
expect_eq "the device's remote is the anycast at first" "$(failover_remote 2)" "$FO_ANYCAST"
failover_b4_start 2
check_cmd "the B4 looked $NAME up" \
	busywait 10000 b4_logged "AFTR name $NAME: 2001:db8:f1::1"
check_cmd "dnsmasq was asked for its AAAA" grep -q "query\[AAAA\] $NAME" "$TMPDIR/dns.log"
check_cmd "the remote, not an address of the name, was left for it" \
	busywait 5000 b4_logged "AFTR $FO_ANYCAST is not an address of $NAME: now using AFTR 2001:db8:f1::1"
check_cmd "its device's remote is AFTR 1" busywait 5000 failover_remote_is 2 2001:db8:f1::1
check_cmd "bound to a set of AFTR 1's pool" busywait 30000 failover_in_pool 2 0 15
check_cmd "LAN 2 -> INET" busywait 10000 udp
failover_bail aftr-1 aftr-2 b4-2

# --- the operator renumbers: the name now gives AFTR 2; AFTR 1 unreachable ---
echo "2001:db8:f2::1 $NAME" > "$TMPDIR/hosts"
kill -HUP $DNS_PID
ip -n "$ACC" -6 route del 2001:db8:f1::1/128
udp		# ACC's 1/0: the probe, then a lookup for somewhere else
check_cmd "looked up again when the list had nowhere else" \
	busywait 15000 b4_logged "AFTR name $NAME: 2001:db8:f2::1"
check_cmd "and moved to the name's new address" \
	busywait 5000 b4_logged "AFTR 2001:db8:f1::1 failed us (a router has no route to it, and it does not answer): now using AFTR 2001:db8:f2::1"
check_cmd "its device's remote is AFTR 2" busywait 5000 failover_remote_is 2 2001:db8:f2::1
check_cmd "bound to a set of AFTR 2's pool" busywait 30000 failover_in_pool 2 16 31
check_cmd "LAN 2 -> INET through AFTR 2" busywait 10000 udp

failover_logs b4-2
ktap_finish
