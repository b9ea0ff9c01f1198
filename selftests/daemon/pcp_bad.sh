#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# lw4o6d's PCP server against bad, truncated, wrong-version and hostile
# messages: each gets the right result code or silence, never a crash, and
# a B4 can only ever touch its own mapping.  Topology: selftests/lib/pcp_topology.sh,
# with the AFTR also listening on plain IPv6 (listen 2001:db8:1::1).  B4 2
# is an honest lwB4 provisioned by its lw4o6d; B4 3 runs no daemon: it is
# the attacker, played by selftests/lib/py/pcp_craft.py (one python process,
# one line per case).
#
#   LAN_2 -- B4_2 (lw4o6d b4) --\                                  /-- INET 198.51.100.1
#                                 br0 2001:db8:1::1 -- AFTR (lw0 ff::1, lw4o6d aftr,
#            B4_3 (pcp_craft.py) --/  [..::1]:5351      quota 1, rate-limit 50 burst 100)
#            2001:db8:1::3, u0: plain IPv6 UDP, and IPv4-in-IPv6 192.0.0.2 -> 192.0.0.1
#
# Covers, over plain IPv6: truncated messages (0, 1, 2, 3, 23 bytes, a MAP
# cut inside its payload), lengths not a multiple of 4 and over 1100 bytes,
# versions 1 and 3, responses sent to the server, unknown opcodes and PEER,
# unknown mandatory and optional options, options past the end, bad and
# duplicate PORT_SETs, a client address that is not the source, THIRD_PARTY,
# MAP without PORT_SET, the quota, another nonce for an existing key, GET.
# Isolation: B4 3 deletes B4 2's key with B4 2's nonce (plain and inside
# the softwire), suggests B4 2's set (with and without PREFER_FAILURE), and
# takes and deletes a mapping under B4 2's very key and nonce; B4 2's
# binding stays.  The rate limit: 300 requests at once.  The kernel's
# control path: UDP to other ports, TCP, fragments, bad UDP checksum and
# length, bad ICMP checksum, ICMP other than echo: dropped, counted in
# drop-control-ipv4, unanswered.  At the end the daemon still runs and its
# store and the kernel's table agree.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
# (importing scapy to see it is there would cost seconds under TCG)
[ -f /usr/lib/python3/dist-packages/scapy/__init__.py ] || ktap_skip_all "python3-scapy not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
pcp_b4 2 && pcp_b4 3

pcp_aftr_conf
pcp_aftr_start
check_cmd "lw4o6d aftr started, listening on plain IPv6 too" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "B4 2 provisioned over PCP" busywait 30000 pcp_bound 2
B2=$(pcp_bound 2)
v4_2=${B2% *} psid_2=${B2#* }
port_2=$(( ${psid_2%/*} << (16 - ${psid_2#*/}) ))	# the pool has offset 0
B4_2_HEX=20010DB8000100000000000000000002
nonce_2() {
	sqlite3 "$TMPDIR/aftr.db" "select hex(nonce) from mappings where hex(b4) = '$B4_2_HEX'"
}
N2=$(nonce_2)
ktap_diag "B4 2: $B2 (first port $port_2), nonce $N2"
check_cmd "B4 2's nonce read from the AFTR's store" test ${#N2} = 24

stat() { "$LW4O6" -n "$AFTR" -j stats show dev lw0 | jq ".[\"${1//-/_}\"]"; }
table_2() { pcp_table | grep ' 2001:db8:1::2$'; }
before_2=$(table_2)
drops0=$(stat drop-control-ipv4)
ctrl0=$(stat control-ipv4-packets)

OUT=$TMPDIR/craft.out
start=$(date +%s)
ip netns exec "$B4_3" $PYTHON "$TOP/selftests/lib/py/pcp_craft.py" \
	--b4-2-ns "$B4_2" --nonce2 "$N2" --set2 "$v4_2:$port_2" \
	> "$OUT" 2> "$TMPDIR/craft.err"
rc=$?
expect_eq "pcp_craft.py ran every case" "$rc" 0
[ "$rc" = 0 ] || ktap_diag "$(cat "$TMPDIR/craft.err")"
ktap_diag "pcp_craft.py took $(( $(date +%s) - start )) s"

# got NAME: the case's line; field NAME KEY: a value of its first answer;
# brief NAME: its answers without nonce, external address and NEXT.  Plain
# bash: a fork and exec per check would cost minutes in the VM.
declare -A CASE
while read -r name rest; do CASE[$name]=$rest; done < "$OUT"
got() { echo "${CASE[$1]}"; }
field() {
	local w
	for w in ${CASE[$1]%% | *}; do
		[[ $w == "$2="* ]] && { echo "${w#*=}"; return; }
	done
}
brief() {
	local w out=
	for w in ${CASE[$1]}; do
		case $w in nonce=*|next_nonce=*|ext=*|more=*) ;; *) out+=${out:+ }$w ;; esac
	done
	echo "$out"
}

# Plain IPv6.  An error answer is the request copied back (padded to 4, at
# most 1100 bytes, 24 at least) with the result; lifetime 30 for
# NO_RESOURCES / USER_EX_QUOTA / CANNOT_PROVIDE_EXTERNAL, 600 otherwise.
e() { echo "result=$1 op=$2 v=2 len=$3 lifetime=${4:-600}"; }
expect_eq "0 bytes: silence" "$(got empty)" silent
expect_eq "1 byte: silence (RFC 6887 8.3)" "$(got short1)" silent
expect_eq "2 bytes: MALFORMED_REQUEST, a whole 24-byte header" "$(brief short2)" "$(e 3 1 24)"
expect_eq "3 bytes: MALFORMED_REQUEST" "$(brief short3)" "$(e 3 1 24)"
expect_eq "23 bytes: MALFORMED_REQUEST" "$(brief short23)" "$(e 3 1 24)"
expect_eq "2 bytes of version 1: UNSUPP_VERSION (the version first)" "$(brief short2_v1)" "$(e 1 1 24)"
expect_eq "MAP cut inside its payload: MALFORMED_REQUEST" "$(brief short_payload)" "$(e 3 1 44)"
expect_eq "length not a multiple of 4: MALFORMED_REQUEST, padded" "$(brief notmult4)" "$(e 3 1 76)"
expect_eq "1104 bytes: MALFORMED_REQUEST, 1100 copied back" "$(brief long1104)" "$(e 3 1 1100)"
expect_eq "2000 bytes: MALFORMED_REQUEST, 1100 copied back" "$(brief long2000)" "$(e 3 1 1100)"
expect_eq "version 1: UNSUPP_VERSION, answered as version 2" "$(brief v1)" "$(e 1 1 72)"
expect_eq "version 3: UNSUPP_VERSION, answered as version 2" "$(brief v3)" "$(e 1 1 72)"
expect_eq "a response (R set) sent to the server: silence" "$(got response)" silent
expect_eq "a version 1 response: silence (R before the version)" "$(got response_v1)" silent
expect_eq "opcode 5: UNSUPP_OPCODE" "$(brief opcode5)" "$(e 4 5 24)"
expect_eq "opcode 127: UNSUPP_OPCODE" "$(brief opcode127)" "$(e 4 127 60)"
expect_eq "PEER: UNSUPP_OPCODE" "$(brief peer)" "$(e 4 2 80)"
expect_eq "unknown mandatory option (99): UNSUPP_OPTION" "$(brief opt_mandatory)" "$(e 5 1 76)"
expect_eq "unknown optional option (200) ignored: SUCCESS, B4 3's first mapping" \
	"$(brief opt_optional)" "result=0 op=1 v=2 len=72 lifetime=60"
SET_3=$(field opt_optional ext)
ktap_diag "B4 3's own mapping (UDP 4000): $SET_3"
expect_eq "option length past the end: MALFORMED_OPTION" "$(brief opt_past_end)" "$(e 6 1 72)"
expect_eq "option header with no data: MALFORMED_OPTION" "$(brief opt_hdr_only)" "$(e 6 1 64)"
expect_eq "PORT_SET of size 0: MALFORMED_OPTION" "$(brief portset_zero)" "$(e 6 1 72)"
expect_eq "two PORT_SETs: MALFORMED_OPTION" "$(brief portset_dup)" "$(e 6 1 84)"
expect_eq "PORT_SET past port 65535: MALFORMED_OPTION" "$(brief portset_wrap)" "$(e 6 1 72)"
expect_eq "all protocols with a port: MALFORMED_REQUEST" "$(brief all_protocols_port)" "$(e 3 1 72)"
expect_eq "client address B4 2's, source B4 3's: ADDRESS_MISMATCH" "$(brief mismatch)" "$(e 12 1 60)"
expect_eq "THIRD_PARTY naming B4 2: NOT_AUTHORIZED" "$(brief third_party)" "$(e 2 1 80)"
expect_eq "MAP without PORT_SET: NO_RESOURCES (sets only)" "$(brief no_portset)" "$(e 8 1 60 30)"
expect_eq "a second mapping over the quota of 1: USER_EX_QUOTA" "$(brief quota)" "$(e 10 1 72 30)"
expect_eq "another nonce for B4 3's existing key: NOT_AUTHORIZED" "$(brief nonce)" "$(e 2 1 72)"
# The header echoes the GET's nonce (#11 item 21: the B4 ties the answer
# to its request); NEXT carries the mapping's.
expect_eq "GET: B4 3's own mapping, and it is the last" \
	"$(field get result) $(field get nonce) $(field get next_nonce) $(field get ext) $(field get more)" \
	"0 0badc0de0badc0de0badc0de b43b43b43b43b43b43b43b43 $SET_3 0"
expect_eq "plain delete of B4 2's key with B4 2's nonce: nothing of B4 3's to delete" \
	"$(brief plain_delete_other) $(field plain_delete_other ext)" \
	"result=0 op=1 v=2 len=60 lifetime=0 0.0.0.0:0"
expect_eq "B4 3 renews its own mapping: same set" \
	"$(field renew_own result) $(field renew_own lifetime) $(field renew_own ext)" "0 60 $SET_3"

# Inside the softwire, as B4 3 (outer source 2001:db8:1::3).
expect_eq "softwire: ping 192.0.0.1 answered (the capture works)" "$(got sw_ping)" "icmp=0"
expect_eq "softwire: delete of B4 2's key with B4 2's nonce: nothing of B4 3's" \
	"$(brief sw_delete_other) $(field sw_delete_other ext)" \
	"result=0 op=1 v=2 len=60 lifetime=0 0.0.0.0:0"
expect_eq "softwire: B4 3 deletes its own mapping (its set named)" \
	"$(brief sw_delete_own) $(field sw_delete_own ext)" "result=0 op=1 v=2 len=60 lifetime=0 $SET_3"
expect_eq "softwire: B4 2's set suggested with PREFER_FAILURE: CANNOT_PROVIDE_EXTERNAL" \
	"$(brief sw_prefer_other_set)" "$(e 11 1 76 30)"
SET_3B=$(field sw_suggest_other_set ext)
ktap_diag "B4 3 asked for B4 2's set $v4_2:$port_2 and got $SET_3B"
expect_eq "softwire: B4 2's set suggested: SUCCESS" "$(field sw_suggest_other_set result)" 0
check_cmd "softwire: ... but with another set than B4 2's" test "$SET_3B" != "$v4_2:$port_2" -a -n "$SET_3B"
expect_eq "softwire: B4 3 deletes under B4 2's key and nonce: only its own goes" \
	"$(brief sw_delete_same_key) $(field sw_delete_same_key ext)" \
	"result=0 op=1 v=2 len=60 lifetime=0 $SET_3B"

# The kernel's control path.
for c in k_udp_port:"UDP to 192.0.0.1:5350" k_udp_port_53:"UDP to 192.0.0.1:53" \
	 k_tcp:"TCP to 192.0.0.1:5351" k_frag_first:"first fragment to 192.0.0.1" \
	 k_frag_later:"later fragment to 192.0.0.1" k_udp_csum:"bad UDP checksum" \
	 k_udp_len:"UDP length past the datagram" k_icmp_csum:"ping with a bad ICMP checksum" \
	 k_icmp_timestamp:"ICMP timestamp request"; do
	expect_eq "softwire: ${c#*:}: dropped, no answer" "$(got "${c%%:*}")" silent
done
expect_eq "each of them counted in drop-control-ipv4" \
	"$(( $(stat drop-control-ipv4) - drops0 ))" "$(got k_cases)"
check_cmd "the good ones counted in control-ipv4-packets" \
	test "$(( $(stat control-ipv4-packets) - ctrl0 ))" -ge 21

# The rate limit: at most burst + rate x time answers.
ktap_diag "rate limit: $(got rate)"
n=$(field rate answers) secs=$(field rate secs)
check_cmd "300 requests at once: some answered, fewer than 300" test "${n:-0}" -ge 1 -a "${n:-300}" -lt 300
check_cmd "... at most burst 100 + 50/s x $secs s" \
	awk -v n="${n:-300}" -v s="${secs:-0}" 'BEGIN { exit !(n <= 100 + 50 * s + 2) }'
check_cmd "the daemon logged the rate limit" \
	grep -q "rate limit: dropped a request from 2001:db8:1::3" "$TMPDIR/aftr.log"
expect_eq "B4 2, right after: served (SUCCESS, its own set)" \
	"$(field b4_2_renew result) $(field b4_2_renew lifetime) $(field b4_2_renew ext)" \
	"0 30 $v4_2:$port_2"

# B4 2 untouched throughout; B4 3 holds nothing; the daemon survived.
expect_eq "B4 2's binding unchanged in the kernel" "$(table_2)" "$before_2"
expect_eq "B4 2's nonce unchanged in the store" "$(nonce_2)" "$N2"
check_fail "the AFTR never deleted anything of B4 2's" \
	grep -E "mapping (deleted by its B4|expired|removed).*b4 2001:db8:1::2$" "$TMPDIR/aftr.log"
expect_eq "B4 3 holds no binding any more" "$(pcp_table | grep -c ' 2001:db8:1::3$')" 0
check_cmd "B4 2 still bound to the same set" test "$(pcp_bound 2)" = "$B2"
check_cmd "B4 2's LAN host still reaches the internet" \
	ip netns exec "$LAN_2" $PING -c 2 -i 0.2 -W 3 198.51.100.1
check_cmd "the AFTR daemon is still running" kill -0 "$AFTR_PID"
pcp_store_agrees "store and kernel agree"
ktap_diag "--- pcp_craft.py"
ktap_diag "$(cut -c 1-160 "$OUT")"
ktap_diag "--- aftr.log (last 15 lines)"
ktap_diag "$(tail -n 15 "$TMPDIR/aftr.log")"
ktap_finish
