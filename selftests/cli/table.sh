#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# The binding table through the CLI: add/show/del/flush/replace, every
# conflict, usage errors, table files in both formats, events, several
# devices in several namespaces, and unload with everything still present.
#
#   +------------- ns A -------------+   +------------- ns B -------------+
#   | lw0 (aftr, 2001:db8::1)        |   | lw0 (aftr, 2001:db8::2)        |
#   | lw1 (aftr, 2001:db8::11)       |   |                                |
#   | lw4o6 monitor -j (events)      |   |                                |
#   +--------------------------------+   +--------------------------------+
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns A B

la() { "$LW4O6" -n "$A" "$@"; }
lb() { "$LW4O6" -n "$B" "$@"; }
# rc_is DESC WANT CMD...: CMD exits with status WANT, and says why on stderr.
rc_is() {
	local desc=$1 want=$2 rc
	shift 2
	"$@" > "$TMPDIR/out" 2> "$TMPDIR/err" && rc=0 || rc=$?
	if [ "$rc" = "$want" ] && { [ "$want" = 0 ] || [ -s "$TMPDIR/err" ]; }; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		ktap_diag "exit $rc (want $want): $*"
		ktap_diag "$(cat "$TMPDIR/err")"
	fi
}
err_has() { expect_eq "$1" "$(grep -c -- "$2" "$TMPDIR/err")" 1; }
count() { "$LW4O6" -n "$1" -j binding show dev "$2" | jq length; }

"$LW4O6" -n "$A" -j monitor > "$TMPDIR/events" 2>&1 &
MON=$!
defer kill "$MON"

check_cmd "dev add lwinit in the initial namespace" "$LW4O6" dev add lwinit mode aftr local 2001:db8::99
defer ip link del lwinit
check_cmd "dev add lw0 in A" la dev add lw0 mode aftr local 2001:db8::1
check_cmd "dev add lw1 in A" la dev add lw1 mode aftr local 2001:db8::11 mtu 1400
check_cmd "dev add lw0 in B (same name, other netns)" lb dev add lw0 mode aftr local 2001:db8::2
expect_eq "dev show -j lists both devices of A" \
	"$(la -j dev show | jq -c '[.[] | [.ifname, .mode, .local]]')" \
	'[["lw0","aftr","2001:db8::1"],["lw1","aftr","2001:db8::11"]]'
expect_eq "mtu set at creation" "$(la -j dev show lw1 | jq '.[0].mtu')" 1400
rc_is "dev add of an existing name fails" 1 la dev add lw0 mode aftr local 2001:db8::1
rc_is "dev add without local is a usage error" 2 la dev add lw9 mode aftr
rc_is "dev add mode b4 without remote and binding is a usage error" 2 la dev add lw9 mode b4 local 2001:db8::1
rc_is "dev show of a non-lw4o6 device fails" 1 la dev show lo

# add / show / replace / del
check_cmd "binding add" la binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::b1
check_cmd "binding add, second PSID of the address" \
	la binding add dev lw0 ipv4 192.0.2.1 psid 4/6 b4 2001:db8::b2
check_cmd "binding add with br and offset" \
	la binding add dev lw0 ipv4 192.0.2.2 psid 1/4 offset 4 b4 2001:db8::b3 br 2001:db8::f
expect_eq "show ipv4 ADDR psid P/L" \
	"$(la binding show dev lw0 ipv4 192.0.2.2 psid 1/4)" \
	"ipv4 192.0.2.2 psid 1/4 offset 4 b4 2001:db8::b3 br 2001:db8::f"
expect_eq "show ipv4 ADDR lists that address's PSIDs" \
	"$(la -j binding show dev lw0 ipv4 192.0.2.1 | jq -c '[.[] | [.psid, .b4]] | sort')" \
	'[[3,"2001:db8::b1"],[4,"2001:db8::b2"]]'
expect_eq "other device and other namespace untouched" "$(count "$A" lw1) $(count "$B" lw0)" "0 0"
rc_is "duplicate key refused" 1 la binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::99
err_has "duplicate key: kernel message shown" "exists"
rc_is "other psid-len for the address refused" 1 \
	la binding add dev lw0 ipv4 192.0.2.1 psid 5/5 b4 2001:db8::99
err_has "psid-len conflict: kernel message shown" "offset"
rc_is "other offset for the address refused" 1 \
	la binding add dev lw0 ipv4 192.0.2.1 psid 5/6 offset 1 b4 2001:db8::99
rc_is "psid beyond psid-len is a usage error" 2 \
	la binding add dev lw0 ipv4 192.0.2.9 psid 64/6 b4 2001:db8::99
rc_is "offset + psid-len > 16 is a usage error" 2 \
	la binding add dev lw0 ipv4 192.0.2.9 psid 1/8 offset 9 b4 2001:db8::99
rc_is "unknown keyword is a usage error" 2 \
	la binding add dev lw0 ipv4 192.0.2.9 psid 1/8 b4 2001:db8::99 colour red
rc_is "keyword prefixes are not accepted" 2 la bind show dev lw0
check_cmd "replace changes the B4" \
	la binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::c1 replace
expect_eq "replaced binding shows the new B4" \
	"$(la -j binding show dev lw0 ipv4 192.0.2.1 psid 3/6 | jq -r '.[0].b4')" "2001:db8::c1"
expect_eq "replace did not add an entry" "$(count "$A" lw0)" 3
rc_is "del of a missing binding fails" 1 la binding del dev lw0 ipv4 192.0.2.1 psid 5/6
rc_is "del with the wrong psid-len fails" 1 la binding del dev lw0 ipv4 192.0.2.1 psid 3/5
check_cmd "del" la binding del dev lw0 ipv4 192.0.2.1 psid 3/6
expect_eq "del removed exactly one" "$(count "$A" lw0)" 2
check_cmd "after deleting the first PSID, the address keeps its shape" \
	sh -c "! $LW4O6 -n $A binding add dev lw0 ipv4 192.0.2.1 psid 1/5 b4 2001:db8::9 2>/dev/null"
check_cmd "dev show counts bindings" \
	sh -c "$LW4O6 -n $A -j dev show lw0 | jq -e '.[0].bindings == 2'"

# table files
cat > "$TMPDIR/t1" <<EOT
# comment line
ipv4 198.51.100.1 psid 0/0 b4 2001:db8::1:1
ipv4 198.51.100.2 psid 1/2 offset 6 b4 2001:db8::1:2   # trailing comment

ipv4 198.51.100.2 psid 2/2 offset 6 b4 2001:db8::1:3 br 2001:db8::f
EOT
check_cmd "load a line-format file" la binding load dev lw0 "$TMPDIR/t1"
expect_eq "load replaced the whole table" \
	"$(la -j binding show dev lw0 | jq -c '[.[] | .ipv4 + "/" + (.psid|tostring)] | sort')" \
	'["198.51.100.1/0","198.51.100.2/1","198.51.100.2/2"]'
la binding show dev lw0 > "$TMPDIR/saved"
check_cmd "show output loads back" la binding load dev lw0 "$TMPDIR/saved"
expect_eq "round trip is identical" "$(la binding show dev lw0 | sort)" "$(sort "$TMPDIR/saved")"
cat > "$TMPDIR/snabb" <<EOT
softwire-config {
  binding-table {
    softwire { ipv4 178.79.150.233; psid 80; b4-ipv6 127:2:3:4:5:6:7:128;
      br-address 8:9:a:b:c:d:e:f; port-set { psid-length 8; reserved-ports-bit-count 6; } }
    softwire { ipv4 178.79.150.233; psid 81; b4-ipv6 127:2:3:4:5:6:7:129;
      port-set { psid-length 8; reserved-ports-bit-count 6; } }
    softwire { ipv4 178.79.150.1; psid 0; b4-ipv6 127:2:3:4:5:6:7:1; }
  }
}
EOT
check_cmd "load a Snabb lwAFTR binding table" la binding load dev lw0 "$TMPDIR/snabb"
expect_eq "Snabb table contents" \
	"$(la binding show dev lw0 ipv4 178.79.150.233 psid 80/8)" \
	"ipv4 178.79.150.233 psid 80/8 offset 6 b4 127:2:3:4:5:6:7:128 br 8:9:a:b:c:d:e:f"
expect_eq "Snabb table size" "$(count "$A" lw0)" 3
before=$(la binding show dev lw0 | sort)
printf 'ipv4 10.1.1.1 psid 1/4 b4 2001:db8::1\nipv4 10.1.1.1 psid 2/5 b4 2001:db8::2\n' > "$TMPDIR/bad1"
rc_is "conflicting shapes in a file refused" 1 la binding load dev lw0 "$TMPDIR/bad1"
err_has "error names file and line" "bad1:2:"
printf 'ipv4 10.1.1.1 psid 1/4 b4 2001:db8::1\nipv4 10.1.1.2 psid 1/4 b4 2001:db8::1\nipv4 10.1.1.3 psid 1/4 b4 not-an-address\n' > "$TMPDIR/bad2"
rc_is "bad address in a file refused" 1 la binding load dev lw0 "$TMPDIR/bad2"
err_has "bad address: error names the line" "bad2:3:"
printf 'ipv4 10.1.1.1 psid 1/4 b4 2001:db8::1\nipv4 10.1.1.1 psid 1/4 b4 2001:db8::2\n' > "$TMPDIR/bad3"
rc_is "duplicate in a file refused" 1 la binding load dev lw0 "$TMPDIR/bad3"
rc_is "missing file refused" 1 la binding load dev lw0 "$TMPDIR/nonexistent"
expect_eq "failed loads changed nothing" "$(la binding show dev lw0 | sort)" "$before"
: > "$TMPDIR/empty"
check_cmd "an empty file empties the table" la binding load dev lw0 "$TMPDIR/empty"
expect_eq "table is empty" "$(count "$A" lw0)" 0

# flush, stats
la binding load dev lw0 "$TMPDIR/t1"
check_cmd "flush" la binding flush dev lw0
expect_eq "flush emptied lw0 only" "$(count "$A" lw0) $(count "$A" lw1)" "0 0"
check_cmd "stats show -j is one object with RFC 8676 names" \
	sh -c "$LW4O6 -n $A -j stats show dev lw0 | jq -e 'has(\"sent-ipv4-packets\") and has(\"active-softwire-num\")'"

# events (the monitor has been running in A since the start)
la binding add dev lw1 ipv4 203.0.113.1 psid 0/0 b4 2001:db8::e1
la binding add dev lw1 ipv4 203.0.113.1 psid 0/0 b4 2001:db8::e2 replace
la binding del dev lw1 ipv4 203.0.113.1 psid 0/0
lb binding add dev lw0 ipv4 203.0.113.9 psid 0/0 b4 2001:db8::e9
busywait 5000 grep -q '"del"' "$TMPDIR/events"
expect_eq "monitor -j saw add, replace, del on lw1 in order" \
	"$(jq -r 'select(.dev == "lw1") | .event + " " + (.b4 // "")' "$TMPDIR/events" | tr '\n' ,)" \
	"add 2001:db8::e1,replace 2001:db8::e2,del 2001:db8::e2,"
expect_eq "monitor saw every kind of event on lw0" \
	"$(jq -r 'select(.dev == "lw0") | .event' "$TMPDIR/events" | sort -u | tr '\n' ,)" \
	"add,del,flush,load,replace,"
expect_eq "monitor did not see the other namespace" \
	"$(grep -c 203.0.113.9 "$TMPDIR/events")" 0

# An unprivileged user is admin of its own user + network namespace: it may
# run its own lwAFTR there (GENL_UNS_ADMIN_PERM), and nowhere else.
if command -v setpriv > /dev/null && command -v unshare > /dev/null; then
	check_cmd "unprivileged user runs lw4o6 in its own user+net namespace" \
		setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn sh -c "
			$LW4O6 dev add lw0 mode aftr local 2001:db8::1 &&
			$LW4O6 binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 2001:db8::2 &&
			$LW4O6 binding show dev lw0 | grep -q 192.0.2.1"
	rc_is "unprivileged user cannot write to the initial namespace's devices" 1 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$LW4O6" binding flush dev lwinit
else
	ktap_fail "setpriv/unshare (util-linux) missing"
fi

# unload with devices and bindings in two namespaces and an open monitor
la binding load dev lw0 "$TMPDIR/t1"
lb binding load dev lw0 "$TMPDIR/t1"
kill "$MON"; wait "$MON" 2>/dev/null
check_cmd "rmmod with devices and bindings present" rmmod lw4o6
expect_eq "devices are gone" "$(ip -n "$A" -o link show | grep -c lw)$(ip -n "$B" -o link show | grep -c lw)" "00"
check_cmd "module is gone" test ! -d /sys/module/lw4o6
check_cmd "reload works" lw4o6_load
rc_is "CLI explains a missing device" 1 la binding show dev lw0


# --- lw4o6@.service: the boot unit's own command lines ---------------------------
# Taken from the unit file, so that the test follows it: ExecStartPre= and
# ExecStart= (start and reload), ExecStop=, run in A on the example
# configuration (docs/examples/lw4o6-aftr.conf) as /etc/lw4o6/test.conf.
UNIT=$TOP/userspace/lw4o6/systemd/lw4o6@.service
CONF=$TMPDIR/lw4o6-test.conf
cp "$TOP/docs/examples/lw4o6-aftr.conf" "$CONF"
# unit_exec KEY...: each KEY= command of the unit in order, as systemd runs
# them: the first that fails ends it, with its status.
unit_exec() {
	local key line
	for key; do
		while read -r line; do
			line=${line//\/usr\/sbin\/lw4o6/$LW4O6}
			line=${line//\/etc\/lw4o6\/%i.conf/$CONF}
			# shellcheck disable=SC2086
			ip netns exec "$A" $line || return
		done <<< "$(sed -n "s/^$key=//p" "$UNIT")"
	done
}
# the state the file makes: the devices and lw0's table
state() {
	{ la -j dev show | jq -c 'sort_by(.ifname)'
	  la -j binding show dev lw0 | jq -c 'sort_by(tostring)'; } 2>&1
}
check_cmd "lw4o6@: the unit has ExecStartPre, ExecStart and ExecStop" \
	sh -c "grep -q '^ExecStartPre=/usr/sbin/lw4o6 ' '$UNIT' &&
	       grep -q '^ExecStart=/usr/sbin/lw4o6 ' '$UNIT' &&
	       grep -q '^ExecStop=/usr/sbin/lw4o6 ' '$UNIT'"
rc_is "lw4o6@ start: the example configuration applies" 0 unit_exec ExecStartPre ExecStart
S1=$(state)
ktap_diag "state: $S1"
expect_eq "lw4o6@ start: lw0 as the file says" \
	"$(la -j dev show lw0 | jq -c '.[0] | [.mode, .local, .mtu, .icmp_rate, .hairpin]')" \
	'["aftr","2001:db8:ff::1",1460,500,false]'
expect_eq "lw4o6@ start: its three static bindings" "$(count "$A" lw0)" 3
rc_is "lw4o6@ start again: exit 0" 0 unit_exec ExecStartPre ExecStart
expect_eq "lw4o6@ start again: the same devices and bindings (lw0 not made anew)" \
	"$(state)" "$S1"

# An edited file converges: an option left out returns to its default, a
# binding moves to another B4, a new one comes.
sed -i -e 's/ hairpin off//' \
	-e 's/psid 2\/6 offset 6 b4 2001:db8:1::4/psid 2\/6 offset 6 b4 2001:db8:1::44/' "$CONF"
echo "binding replace dev lw0 ipv4 198.51.100.2 psid 0/0 b4 2001:db8:1::5" >> "$CONF"
rc_is "lw4o6@ reload: the edited file applies" 0 unit_exec ExecReload
expect_eq "lw4o6@ reload: hairpin back to its default, the rest kept" \
	"$(la -j dev show lw0 | jq -c '.[0] | [.mtu, .icmp_rate, .hairpin]')" '[1460,500,true]'
expect_eq "lw4o6@ reload: the moved binding has its new B4" \
	"$(la -j binding show dev lw0 ipv4 198.51.100.1 psid 2/6 | jq -r '.[0].b4')" "2001:db8:1::44"
expect_eq "lw4o6@ reload: four bindings" "$(count "$A" lw0)" 4
S2=$(state)

# A file with an error changes nothing: ExecStartPre (lw4o6 -c) fails it
# before a line runs, and says where.
cp "$CONF" "$CONF.good"
sed -i 's/ icmp-rate 500/ icmp-rate 700/' "$CONF"
echo "binding replace dev lw0 ipv4 198.51.100.3 psid 0/0 b4 2001:db8:1::6 bogus" >> "$CONF"
rc_is "lw4o6@ start with a bad line: fails" 2 unit_exec ExecStartPre ExecStart
err_has "lw4o6 -c names the file and line" "lw4o6-test.conf:$(wc -l < "$CONF"): binding replace"
expect_eq "lw4o6@ start with a bad line: nothing changed" "$(state)" "$S2"
rc_is "lw4o6 -c on a good file: exit 0, no kernel" 0 "$LW4O6" -c -b "$CONF.good"
# -f (ExecStart's): every good line runs, a failed one fails the whole.
printf '%s\n' "binding replace dev nosuch ipv4 198.51.100.7 psid 0/0 b4 2001:db8:1::7" \
	"binding replace dev lw0 ipv4 198.51.100.8 psid 0/0 b4 2001:db8:1::8" > "$TMPDIR/force.conf"
rc_is "lw4o6 -f -b: a failed line fails the batch" 1 la -f -b "$TMPDIR/force.conf"
expect_eq "lw4o6 -f -b: ... and the lines after it ran" \
	"$(la -j binding show dev lw0 ipv4 198.51.100.8 | jq length)" 1
rc_is "without -f the batch stops at the failed line" 1 la -b "$TMPDIR/force.conf"
rc_is "dev replace refuses another mode" 1 \
	la dev replace lw0 mode dslite local 2001:db8:ff::1 remote 2001:db8::9
err_has "... and says the mode is fixed" "mode is fixed at creation"
mv "$CONF.good" "$CONF"
# dev replace's defaults (a table in the CLI) must be the kernel's: a device
# replaced back to a bare line equals one just made, in each column.
la dev add lwd0 mode aftr local 2001:db8::d0
la dev add lwd1 mode aftr local 2001:db8::d1 hairpin off icmp4-errors off \
	icmp6-errors off icmp-rate 7 icmp-source 2001:db8::d2 encap-unicast on \
	control-rate 9 control-prefix-rate 9 control-prefix-len 64 miss-hold 100 miss-queue 9
la dev add dsd0 mode dslite local 2001:db8::e0 remote 2001:db8::ff
la dev add dsd1 mode dslite local 2001:db8::e1 remote 2001:db8::ff mss-clamp off \
	accept-from 2001:db8:ff::/64 hairpin off icmp4-errors off icmp-rate 7 icmp-source 2001:db8::e2
rc_is "dev replace back to a bare line (aftr)" 0 la dev replace lwd1 mode aftr local 2001:db8::d1
rc_is "dev replace back to a bare line (dslite)" 0 \
	la dev replace dsd1 mode dslite local 2001:db8::e1 remote 2001:db8::ff
opts() { la -j dev show "$1" | jq -c '.[0] | del(.ifindex, .ifname, .local, .table_mem, .flow_label)'; }
ktap_diag "aftr defaults: $(opts lwd0)"
expect_eq "dev replace: what it leaves out is the kernel's default (aftr)" "$(opts lwd1)" "$(opts lwd0)"
expect_eq "dev replace: what it leaves out is the kernel's default (dslite)" "$(opts dsd1)" "$(opts dsd0)"
for d in lwd0 lwd1 dsd0 dsd1; do la dev del $d; done

rc_is "lw4o6@ stop: exit 0" 0 unit_exec ExecStop
expect_eq "lw4o6@ stop: lw0 is gone, its bindings with it" \
	"$(ip -n "$A" -o link show lw0 2>/dev/null | wc -l)" 0
rc_is "lw4o6@ stop again: nothing to delete is no error" 0 unit_exec ExecStop
rc_is "lw4o6@ start after stop: lw0 back" 0 unit_exec ExecStartPre ExecStart
expect_eq "lw4o6@ start after stop: its four bindings" "$(count "$A" lw0)" 4
unit_exec ExecStop

ktap_finish
