#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 480
# lw4o6-needs: testdata
#
# Robustness of the lwAFTR data path: over 100,000 random and mutated
# packets (build/testdata/fuzz/, made on the host by selftests/lib/py/gen_fuzz.py,
# seeded; `make testdata`) are replayed into both sides of an lwAFTR with
# four bindings.  The kernel must survive (the harness fails on any oops or
# warning), the device must still forward both ways, every packet it took
# must be counted as sent or dropped, and what it sends must decode in
# tshark without errors.
#
#   INET                       AFTR                                   B4
#   e0 198.51.100.1/24 --v-- i0 198.51.100.254/24                     u0 2001:db8:1::2, ::3, ::4/64
#   02:00:5e:10:00:02           02:00:5e:10:00:01                     02:00:5e:10:00:04
#                              lw0 (aftr, local 2001:db8:ff::1)        t0 ip6tnl ::2 -> 2001:db8:ff::1
#                              192.0.2.0/24 -> lw0                     192.0.2.1/32 on t0, nft snat
#                              b0 2001:db8:1::1/64 -------------v---   to 192.0.2.1:1024-2047
#                              02:00:5e:10:00:03
#   pcap_inject normal4/fuzz4 -> e0        tcpdump -Q out on i0 and b0        pcap_inject normal6/fuzz6 -> u0
#
# Bindings: 192.0.2.1 psid 1/6 -> ::2, psid 2/6 -> ::3; 192.0.2.2 (whole
# address) -> ::4; 192.0.2.3 psid 5/4 offset 2 -> ::4 with br 2001:db8:ff::2.
# Keep them, the addresses and the MACs in step with gen_fuzz.py.
#
# Phases: (1) normal traffic (well-formed both ways): captured, and tshark
# must find no malformed packet and no error in anything we sent, and must
# see IPv4-in-IPv6, decapsulated IPv4 and our ICMP errors.  (2) the fuzz:
# our output is captured too and checked header-deep (eth, IPv4/IPv6 and
# extension headers, ICMP/ICMPv6; the transport payloads are the fuzzer's,
# forwarded as they came).  (3) the IPv6 side's fuzz again with miss-hold
# on, bindings changing and held packets rejected meanwhile.  Counters are
# checked after each phase.
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd jq tcpdump tshark nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
DATA=${LW4O6_FUZZ_DATA:-$TOP/build/testdata/fuzz}
[ -f "$DATA/meta.json" ] || ktap_skip_all "no $DATA/meta.json (make testdata)"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns INET AFTR B4
l() { "$LW4O6" -n "$AFTR" "$@"; }
INJECT="$PYTHON $TOP/selftests/lib/py/pcap_inject.py"
meta() { jq -r "$1" "$DATA/meta.json"; }
ktap_diag "packet sets: $DATA, seed $(meta .seed)"

# ---- topology ----------------------------------------------------------------
ip -n "$AFTR" link add i0 address 02:00:5e:10:00:01 type veth \
	peer name e0 address 02:00:5e:10:00:02 netns "$INET"
ip -n "$AFTR" link add b0 address 02:00:5e:10:00:03 type veth \
	peer name u0 address 02:00:5e:10:00:04 netns "$B4"
ip -n "$AFTR" addr add 198.51.100.254/24 dev i0
ip -n "$AFTR" addr add 2001:db8:1::1/64 dev b0 nodad
ip -n "$INET" addr add 198.51.100.1/24 dev e0
for a in 2 3 4; do ip -n "$B4" addr add "2001:db8:1::$a/64" dev u0 nodad; done
for d in "$AFTR i0" "$AFTR b0" "$INET e0" "$B4 u0"; do
	set -- $d
	ip -n "$1" link set "$2" up
done
ip -n "$INET" route add 192.0.2.0/24 via 198.51.100.254
ip -n "$AFTR" route add default via 198.51.100.1
ip -n "$B4" route add 2001:db8:ff::/64 via 2001:db8:1::1
ip netns exec "$AFTR" sh -c '
	sysctl -qw net.ipv4.ip_forward=1
	for c in all default i0; do sysctl -qw net.ipv4.conf.$c.rp_filter=0; done
	# every error the data path causes should come out, to be checked
	sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000
	sysctl -qw net.ipv6.icmp.ratelimit=0'
# B4 ::2 is a stock lwB4: ip6tnl plus NAPT into its port set.
ip -n "$B4" -6 tunnel add t0 mode ip4ip6 local 2001:db8:1::2 remote 2001:db8:ff::1
ip -n "$B4" link set t0 up
ip -n "$B4" addr add 192.0.2.1/32 dev t0
ip -n "$B4" route add default dev t0
ip netns exec "$B4" nft -f - <<EOT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "t0" meta l4proto { tcp, udp } snat to 192.0.2.1:1024-2047
	}
}
EOT

check_cmd "lwAFTR device with four bindings" sh -e -c "
	$LW4O6 -n $AFTR dev add lw0 mode aftr local 2001:db8:ff::1 icmp-rate 1000000
	ip -n $AFTR link set lw0 up
	ip -n $AFTR route add 192.0.2.0/24 dev lw0
	$LW4O6 -n $AFTR binding add dev lw0 ipv4 192.0.2.1 psid 1/6 b4 2001:db8:1::2
	$LW4O6 -n $AFTR binding add dev lw0 ipv4 192.0.2.1 psid 2/6 b4 2001:db8:1::3
	$LW4O6 -n $AFTR binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::4
	$LW4O6 -n $AFTR binding add dev lw0 ipv4 192.0.2.3 psid 5/4 offset 2 b4 2001:db8:1::4 br 2001:db8:ff::2"

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"
check_cmd "before: the stock lwB4 reaches the internet and back" \
	ip netns exec "$B4" $ECHO udp 198.51.100.1 7777

# ---- helpers -------------------------------------------------------------------
stats() { l -j stats show dev lw0; }
# counters_add_up FILE: the accounting invariant on a stats snapshot: every
# packet the device took is sent, dropped or held for reassembly, per
# direction:
#   rcvd-ipv4 == sent-ipv6 + dropped-ipv4 + queued-ipv4-fragments
#   rcvd-ipv6 == sent-ipv4 + dropped-ipv6 + queued-softwire-fragments
# (a queued counter the module lacks counts 0).  A module with one combined
# ipv4-fragments-queued instead gets the sum of both directions.
counters_add_up() {
	jq -e 'def c(k): .[k] // 0;
	if has("ipv4_fragments_queued") then
		c("rcvd_ipv4_packets") + c("rcvd_ipv6_packets") ==
		c("sent_ipv6_packets") + c("sent_ipv4_packets") + c("dropped_ipv4_packets") +
		c("dropped_ipv6_packets") + c("ipv4_fragments_queued")
	else
		c("rcvd_ipv4_packets") == c("sent_ipv6_packets") + c("dropped_ipv4_packets") +
					  c("queued_ipv4_fragments") and
		c("rcvd_ipv6_packets") == c("sent_ipv4_packets") + c("dropped_ipv6_packets") +
					  c("queued_softwire_fragments")
	end' "$1" > /dev/null && return 0
	jq -c '{"rcvd_ipv4_packets", "sent_ipv6_packets", "dropped_ipv4_packets",
		"queued_ipv4_fragments", "rcvd_ipv6_packets", "sent_ipv4_packets",
		"dropped_ipv6_packets", "queued_softwire_fragments", "ipv4_fragments_queued"}' "$1"
	return 1
}
invariant_name() {
	if jq -e 'has("ipv4_fragments_queued")' "$1" > /dev/null; then
		echo "rcvd4 + rcvd6 == sent6 + sent4 + dropped4 + dropped6 + ipv4-fragments-queued"
	else
		echo "rcvd4 == sent6 + dropped4 + queued4, rcvd6 == sent4 + dropped6 + queued-softwire"
	fi
}
delta() { echo $(( $(jq ".[\"${3//-/_}\"]" "$2") - $(jq ".[\"${3//-/_}\"]" "$1") )); }
counter_summary() {	# BEFORE AFTER
	local k out=
	for k in rcvd-ipv4-packets sent-ipv6-packets dropped-ipv4-packets \
		 queued-ipv4-fragments rcvd-ipv6-packets sent-ipv4-packets dropped-ipv6-packets \
		 queued-softwire-fragments ipv4-fragments-queued ipv6-fragments-reassembled \
		 drop-malformed drop-no-dest-softwire-ipv4 drop-no-source-softwire-ipv6 \
		 dropped-ipv4-fragments out-icmpv4-error-packets out-icmpv6-error-packets; do
		jq -e "has(\"${k//-/_}\")" "$2" > /dev/null && out="$out $k +$(delta "$1" "$2" "$k")"
	done
	ktap_diag "counters:$out"
}

# capture_start NAME: what the AFTR sends on i0 and b0, into $TMPDIR/NAME-{4,6}.pcap
capture_start() {
	local side dev
	for side in 4 6; do
		dev=i0; [ $side = 6 ] && dev=b0
		rm -f "$TMPDIR/tcpdump-$side.log"
		ip netns exec "$AFTR" tcpdump -i $dev -Q out -n -s 0 -B 16384 -U \
			-w "$TMPDIR/$1-$side.pcap" 2> "$TMPDIR/tcpdump-$side.log" &
		eval "TCPDUMP_$side=\$!"
		busywait 20000 grep -q listening "$TMPDIR/tcpdump-$side.log"
	done
}
capture_stop() {
	sleep 1
	kill -INT "$TCPDUMP_4" "$TCPDUMP_6" 2> /dev/null
	wait "$TCPDUMP_4" "$TCPDUMP_6"
	ktap_diag "capture: $(grep -h 'captured\|dropped by kernel' "$TMPDIR"/tcpdump-[46].log | xargs)"
}

# tshark with only the dissectors of what we emit: without the application
# dissectors, a port that happens to be some protocol's would decode random
# payload as that protocol.  PROFILE l4 keeps UDP/TCP/SCTP (normal traffic);
# l3 stops at IPv4/IPv6 and their options and extension headers, ICMP and
# ICMPv6 (fuzz output, whose transport layers are the fuzzer's, passed
# through).  `make testdata` writes both profiles; made here if missing.
ws_profile() {
	local keep='_ws\..*|frame|eth|ethertype|ip|ip\.options\..*|ipv6|ipv6\..*|icmp|icmpv6|data'
	WS=$DATA/ws-$1
	[ -s "$WS/disabled_protos" ] && return
	[ "$1" = l4 ] && keep="$keep|udp|tcp|tcp\.options\..*|sctp|udplite"
	WS=$TMPDIR/ws-$1
	mkdir -p "$WS"
	tshark -G protocols 2> /dev/null | cut -f3 | grep -vxE "$keep" > "$WS/disabled_protos"
}
ws_profile l4; WS_L4=$WS
ws_profile l3; WS_L3=$WS
# Error severity is 0x800000 (numeric: io,stat splits its filters at commas
# and quotes).  (expert: _ws.expert.severity == "Error" in a display filter)
BAD='(_ws.malformed || _ws.expert.severity == 8388608)'
# tshark_check PROFILE FILE DESC FILTER WANT ...: one pass over FILE counts
# the frames of every FILTER; WANT is "0" (none may match) or "+" (some must).
tshark_check() {
	local prof=$1 file=$2 z="io,stat,0" i n got
	shift 2
	local args=("$@")
	for ((i = 1; i < ${#args[@]}; i += 3)); do z="$z,${args[i]}"; done
	got=($(WIRESHARK_CONFIG_DIR=$prof tshark -n -r "$file" -q -z "$z" 2> /dev/null |
		awk -F'|' '/<>/ { for (i = 3; i <= NF; i += 2) print $i + 0 }'))
	for ((i = 0; i < ${#args[@]}; i += 3)); do
		n=${got[i / 3]:-missing}
		if [ "${args[i + 2]}" = 0 ]; then
			if [ "$n" = 0 ]; then ktap_ok "${args[i]}"; else
				ktap_fail "${args[i]}"
				ktap_diag "$n frames of $(basename "$file") match: ${args[i + 1]}"
				WIRESHARK_CONFIG_DIR=$prof tshark -n -r "$file" -Y "${args[i + 1]}" -c 20 \
					-T fields -E separator=' ' -e frame.number -e frame.protocols \
					-e _ws.expert.message 2> /dev/null | while read -r l; do ktap_diag "$l"; done
				keep_capture "$file"
			fi
		else
			ktap_diag "$(basename "$file"): $n frames match ${args[i + 1]}"
			check_cmd "${args[i]}" test "$n" -gt 0 2> /dev/null
		fi
	done
}
keep_capture() {	# a failing capture goes to the run directory, for a look on the host
	[ -n "${LW4O6_OUT:-}" ] && [ -d "$LW4O6_OUT" ] && [ ! -e "$LW4O6_OUT/$(basename "$1")" ] &&
		cp "$1" "$LW4O6_OUT/" && ktap_diag "kept as $LW4O6_OUT/$(basename "$1")"
	return 0
}

# ---- phase 1: normal traffic -------------------------------------------------------
stats > "$TMPDIR/s0.json"
capture_start normal
r4=$(ip netns exec "$INET" $INJECT e0 "$DATA/normal4.pcap")
r6=$(ip netns exec "$B4" $INJECT u0 "$DATA/normal6.pcap")
capture_stop
stats > "$TMPDIR/s1.json"
ktap_diag "normal traffic: IPv4 side sent/failed/secs $r4, IPv6 side $r6"
counter_summary "$TMPDIR/s0.json" "$TMPDIR/s1.json"
expect_eq "normal traffic: every frame sent" "${r4% *} ${r6% *}" \
	"$(meta .normal4.packets) 0 $(meta .normal6.packets) 0"
check_cmd "normal traffic: IPv4 into lw0 counted (>= $(meta .normal4.reaches))" \
	test "$(delta "$TMPDIR/s0.json" "$TMPDIR/s1.json" rcvd-ipv4-packets)" -ge "$(meta .normal4.reaches)"
check_cmd "normal traffic: IPv4-in-IPv6 to local counted (>= $(meta .normal6.reaches))" \
	test "$(delta "$TMPDIR/s0.json" "$TMPDIR/s1.json" rcvd-ipv6-packets)" -ge "$(meta .normal6.reaches)"
check_cmd "normal traffic: counters add up ($(invariant_name "$TMPDIR/s1.json"))" \
	counters_add_up "$TMPDIR/s1.json"
tshark_check "$WS_L4" "$TMPDIR/normal-6.pcap" \
	"normal traffic: our IPv6 side output decodes cleanly" "$BAD" 0 \
	"tshark sees IPv4-in-IPv6 from local to the B4s" \
	"ipv6.src == 2001:db8:ff::1 && ipv6.dst == 2001:db8:1::/64 && ipv6.nxt == 4 && (udp || tcp || icmp)" + \
	"tshark sees IPv4-in-IPv6 from the per-binding BR" "ipv6.src == 2001:db8:ff::2 && ip.dst == 192.0.2.3" + \
	"tshark sees ICMPv6 1/5 for a failed source check" "icmpv6.type == 1 && icmpv6.code == 5" +
tshark_check "$WS_L4" "$TMPDIR/normal-4.pcap" \
	"normal traffic: our IPv4 side output decodes cleanly" "$BAD" 0 \
	"tshark sees decapsulated IPv4 toward the internet" \
	"ip.src#1 == 192.0.2.0/24 && !(ip.dst#1 == 192.0.2.0/24) && (udp || tcp || icmp)" + \
	"tshark sees ICMPv4 3/1 for no binding" "ip.src#1 == 198.51.100.254 && icmp.type#1 == 3 && icmp.code#1 == 1" +

# ---- phase 2: the fuzz ----------------------------------------------------------
capture_start fuzz
r4=$(ip netns exec "$INET" $INJECT e0 "$DATA/fuzz4.pcap")
r6=$(ip netns exec "$B4" $INJECT u0 "$DATA/fuzz6.pcap")
capture_stop
stats > "$TMPDIR/s2.json"
ktap_diag "fuzz: IPv4 side sent/failed/secs $r4, IPv6 side $r6"
counter_summary "$TMPDIR/s1.json" "$TMPDIR/s2.json"
n4=$(meta .fuzz4.packets) n6=$(meta .fuzz6.packets)
check_cmd "fuzz: $n4 + $n6 frames injected (>= 100000 in all)" \
	test "${r4%% *}" -ge $((n4 * 99 / 100)) -a "${r6%% *}" -ge $((n6 * 99 / 100)) -a $((n4 + n6)) -ge 100000
check_cmd "fuzz: IPv4 into lw0 counted (>= $(meta .fuzz4.reaches))" \
	test "$(delta "$TMPDIR/s1.json" "$TMPDIR/s2.json" rcvd-ipv4-packets)" -ge "$(meta .fuzz4.reaches)"
check_cmd "fuzz: IPv4-in-IPv6 to local counted (>= $(meta .fuzz6.reaches))" \
	test "$(delta "$TMPDIR/s1.json" "$TMPDIR/s2.json" rcvd-ipv6-packets)" -ge "$(meta .fuzz6.reaches)"
check_cmd "fuzz: some were sent, some dropped as malformed" \
	test "$(delta "$TMPDIR/s1.json" "$TMPDIR/s2.json" sent-ipv6-packets)" -gt 0 -a \
	     "$(delta "$TMPDIR/s1.json" "$TMPDIR/s2.json" sent-ipv4-packets)" -gt 0 -a \
	     "$(delta "$TMPDIR/s1.json" "$TMPDIR/s2.json" drop-malformed)" -gt 0
check_cmd "fuzz: counters add up ($(invariant_name "$TMPDIR/s2.json"))" \
	counters_add_up "$TMPDIR/s2.json"
# What the fuzzer wrote is excluded: a forwarded packet's payload, even
# when it is another IP header (protocols 0, 4, 41, 43, 44, 60), and the
# packet an ICMP error quotes.  Our headers and our errors are not.
OURS="!icmp && !icmpv6 && !(ip.proto == 0 || ip.proto == 4 || ip.proto == 41 || ip.proto == 43 || ip.proto == 44 || ip.proto == 60)"
tshark_check "$WS_L3" "$TMPDIR/fuzz-6.pcap" \
	"fuzz: IPv6 side output headers decode cleanly" "$BAD && $OURS" 0 \
	"fuzz: our ICMPv6 errors have good checksums" "icmpv6.checksum.status#1 == 0" 0 \
	"fuzz: our ICMPv6 errors fit in 1280 bytes" "icmpv6.type#1 < 128 && ipv6.plen#1 > 1240" 0 \
	"fuzz: tshark sees IPv4-in-IPv6 out" "ipv6.nxt#1 == 4 && ip" + \
	"fuzz: tshark sees ICMPv6 errors out" "icmpv6.type#1 == 1" +
tshark_check "$WS_L3" "$TMPDIR/fuzz-4.pcap" \
	"fuzz: IPv4 side output headers decode cleanly" "$BAD && $OURS" 0 \
	"fuzz: our ICMPv4 errors have good checksums" "ip.src#1 == 198.51.100.254 && icmp.checksum.status#1 == 0" 0 \
	"fuzz: our ICMPv4 errors fit in 576 bytes" "ip.src#1 == 198.51.100.254 && icmp && ip.len#1 > 576" 0 \
	"fuzz: tshark sees ICMPv4 errors out" "ip.src#1 == 198.51.100.254 && icmp.type#1 == 3" +

# ---- phase 3: the IPv6 side's fuzz again, with miss-hold on -----------------------
# Misses are held, then released, rejected or expired, instead of dropped
# at once: those paths must survive the same packets.  Meanwhile bindings
# come and go (a release runs on each add or replace) and B4s are rejected.
check_cmd "miss-hold 300 miss-queue 4096" l dev set lw0 miss-hold 300 miss-queue 4096
stats > "$TMPDIR/h0.json"
(
	while :; do
		l binding add dev lw0 ipv4 192.0.2.4 psid 0/0 b4 2001:db8:1::2
		l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::3 replace
		l binding reject dev lw0 b4 2001:db8:1::2
		l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::4 replace
		l binding del dev lw0 ipv4 192.0.2.4 psid 0/0
		l binding reject dev lw0 b4 2001:db8:1::3 ipv4 192.0.2.1
	done > /dev/null 2>&1
) &
CHURN=$!
r6=$(ip netns exec "$B4" $INJECT u0 "$DATA/fuzz6.pcap")
kill "$CHURN"; wait "$CHURN" 2> /dev/null
l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::4 replace
l binding del dev lw0 ipv4 192.0.2.4 psid 0/0 > /dev/null 2>&1
sleep 1		# every hold is over
stats > "$TMPDIR/h1.json"
ktap_diag "fuzz with miss-hold: IPv6 side sent/failed/secs $r6"
ktap_diag "held $(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" held-softwire-packets):" \
	"released $(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" held-released-packets)," \
	"expired $(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" drop-held-expired)," \
	"rejected $(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" drop-held-rejected)," \
	"overflow $(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" drop-held-overflow)"
check_cmd "fuzz with miss-hold: some misses were held" \
	test "$(delta "$TMPDIR/h0.json" "$TMPDIR/h1.json" held-softwire-packets)" -gt 0
check_cmd "fuzz with miss-hold: every held packet released or dropped" \
	jq -e '.["held_softwire_packets"] == .["held_released_packets"] +
		.["drop_held_expired"] + .["drop_held_rejected"]' "$TMPDIR/h1.json"
check_cmd "fuzz with miss-hold: counters add up ($(invariant_name "$TMPDIR/h1.json"))" \
	counters_add_up "$TMPDIR/h1.json"
check_cmd "miss-hold 0 again" l dev set lw0 miss-hold 0

# ---- afterwards ------------------------------------------------------------------
check_cmd "after: the stock lwB4 reaches the internet and back (UDP)" \
	ip netns exec "$B4" $ECHO udp 198.51.100.1 7777
check_cmd "after: the stock lwB4 reaches the internet and back (TCP)" \
	ip netns exec "$B4" $ECHO tcp 198.51.100.1 7777
stats > "$TMPDIR/s3.json"
check_cmd "after: counters still add up" counters_add_up "$TMPDIR/s3.json"
ktap_finish
