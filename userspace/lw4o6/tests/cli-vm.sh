#!/bin/bash
# Runs inside the VM guest.
set -u
TOP=${LW4O6_TOP:-/work/main}
L=$TOP/userspace/lw4o6/lw4o6
fail=0
step() { echo "### $*"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
expect_rc() { local want=$1; shift; "$@"; local rc=$?; [ $rc = $want ] && ok "rc $rc: $*" || bad "rc $rc (want $want): $*"; }
# expect_err RC NEEDLE CMD...: exit status RC and NEEDLE in its stderr.
expect_err() {
	local want=$1 needle=$2; shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	echo "$err"
	if [ $rc = $want ] && [[ $err == *"$needle"* ]]; then ok "rc $rc, \"$needle\": $*"
	else bad "rc $rc (want $want), stderr lacks \"$needle\": $*"; fi
}
# expect_jq DEV FILTER: `dev show -j DEV` satisfies the jq boolean FILTER.
expect_jq() {
	local got
	got=$($L -j dev show "$1")
	if echo "$got" | jq -e ".[0] | $2" > /dev/null; then ok "$1: $2"
	else bad "$1: $2, got $got"; fi
}

step "module missing"
expect_rc 1 $L dev show
expect_rc 1 $L dev add lw0 mode aftr local 2001:db8::1

insmod $TOP/build/$(uname -r)/lw4o6.ko || { echo "insmod failed"; exit 1; }
ip link set lo up

step "dev"
expect_rc 0 $L dev add lw0 mode aftr local 2001:db8::1 mtu 1460
expect_rc 1 $L dev add lw0 mode aftr local 2001:db8::1
expect_rc 1 $L dev add lw1 mode aftr local ff02::1
$L dev show; $L -j dev show; $L -p dev show lw0; $L -s dev show lw0
expect_rc 0 $L --json --pretty --stats dev show
expect_rc 1 $L dev show nosuch
expect_rc 1 $L dev show lo
expect_rc 1 $L dev del lo
expect_rc 1 $L dev del nosuch

step "dev options"
# Defaults: hairpin and both ICMP errors on, 1000/s, no icmp-source.
expect_jq lw0 '.hairpin == true and .icmp4_errors == true and .icmp6_errors == true and .icmp_rate == 1000 and (has("icmp_source") | not)'
want=$(printf 'lw0: mode aftr local 2001:db8::1 mtu 1460 bindings 0\n    hairpin on icmp4-errors on icmp6-errors on icmp-rate 1000')
got=$($L dev show lw0)
[ "$got" = "$want" ] && ok "dev show text" || bad "dev show text: [$got] want [$want]"
expect_rc 0 $L dev add lw2 mode aftr local 2001:db8::2 icmp-source 2001:db8::53 hairpin off icmp4-errors off icmp6-errors off icmp-rate 5 mtu 1400
$L dev show lw2; $L -p dev show lw2; ip -d link show lw2
expect_jq lw2 '.hairpin == false and .icmp4_errors == false and .icmp6_errors == false and .icmp_rate == 5 and .icmp_source == "2001:db8::53" and .mtu == 1400 and .local == "2001:db8::2"'
want=$(printf 'lw2: mode aftr local 2001:db8::2 mtu 1400 bindings 0\n    hairpin off icmp4-errors off icmp6-errors off icmp-rate 5 icmp-source 2001:db8::53')
got=$($L dev show lw2)
[ "$got" = "$want" ] && ok "dev show text, all options" || bad "dev show text: [$got] want [$want]"
# Usage errors: nothing reaches the kernel.
expect_err 2 "nothing to change" $L dev set lw2
expect_err 2 'invalid value "yes" for "hairpin"' $L dev set lw2 hairpin yes
expect_err 2 'invalid icmp-rate "0"' $L dev set lw2 icmp-rate 0
expect_err 2 'invalid icmp-rate "1000001"' $L dev set lw2 icmp-rate 1000001
expect_err 2 "not a unicast" $L dev set lw2 icmp-source ff02::1
expect_err 2 "given twice" $L dev set lw2 hairpin on hairpin on
expect_err 2 "only for dev set" $L dev add lw3 mode aftr local ::3 icmp-source none
expect_err 2 '"mode" cannot be changed' $L dev set lw2 mode aftr
expect_jq lw2 '.hairpin == false and .icmp_rate == 5'
# One genl DEV_SET for any mix of options.
expect_rc 0 $L dev set lw2 hairpin on icmp-rate 1000000
expect_jq lw2 '.hairpin == true and .icmp_rate == 1000000 and .icmp4_errors == false and .icmp_source == "2001:db8::53"'
expect_rc 0 $L dev set lw2 icmp-source none
expect_jq lw2 '(has("icmp_source") | not) and .local == "2001:db8::2"'
expect_rc 0 $L dev set lw2 icmp4-errors on icmp6-errors on
expect_jq lw2 '.icmp4_errors == true and .icmp6_errors == true'
# mtu alone goes through rtnetlink only.
expect_rc 0 $L dev set lw2 mtu 1280
expect_jq lw2 '.mtu == 1280'
[ "$(cat /sys/class/net/lw2/mtu)" = 1280 ] && ok "sysfs mtu 1280" || bad "sysfs mtu $(cat /sys/class/net/lw2/mtu)"
# Both kinds at once.
expect_rc 0 $L dev set lw2 local 2001:db8::3 icmp-source 2001:db8::54 mtu 1300 hairpin off
expect_jq lw2 '.local == "2001:db8::3" and .icmp_source == "2001:db8::54" and .mtu == 1300 and .hairpin == false'
# What dev show prints on its second line is what dev set takes.
# shellcheck disable=SC2046 # split into words on purpose
expect_rc 0 $L dev set lw2 $($L dev show lw2 | sed -n 2p)
# All or nothing: a bad local keeps hairpin as it was, and the mtu too.
expect_err 1 "local must be a unicast" $L dev set lw2 hairpin on local ff02::1 mtu 1500
expect_jq lw2 '.hairpin == false and .local == "2001:db8::3" and .mtu == 1300'
# The options apply first; a refused mtu says so.
expect_err 1 "the other options were changed, but mtu 70000" $L dev set lw2 icmp-rate 7 mtu 70000
expect_jq lw2 '.icmp_rate == 7 and .mtu == 1300'
expect_err 1 "dev set: mtu 70000" $L dev set lw2 mtu 70000
# Not ours, or nobody's: untouched.
lo_mtu=$(cat /sys/class/net/lo/mtu)
expect_err 1 "lo is not an lw4o6 device" $L dev set lo mtu 1400
[ "$(cat /sys/class/net/lo/mtu)" = "$lo_mtu" ] && ok "lo mtu untouched" || bad "lo mtu changed"
expect_err 1 "lo is not an lw4o6 device" $L dev set lo hairpin on
expect_err 1 'cannot find device "nosuch"' $L dev set nosuch hairpin on
expect_err 1 'cannot find device "nosuch"' $L dev set nosuch mtu 1400
# Bindings survive a dev set.
expect_rc 0 $L binding add dev lw2 ipv4 192.0.2.9 psid 1/4 b4 2001:db8::99
expect_rc 0 $L dev set lw2 hairpin on icmp-rate 100
expect_jq lw2 '.bindings == 1 and .hairpin == true and .icmp_rate == 100'
# And from a batch.
expect_rc 0 $L -b - <<'EOB'
dev set lw2 icmp6-errors off
dev show lw2
EOB
expect_rc 0 $L dev del lw2

step "monitor"
$L monitor > /tmp/mon.txt 2>&1 &
MON=$!
$L -j monitor > /tmp/mon.json 2>&1 &
MONJ=$!
sleep 1

step "binding"
expect_rc 0 $L binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::2
expect_rc 0 $L binding add dev lw0 ipv4 192.0.2.1 psid 4/6 b4 2001:db8::3 br 2001:db8::9
expect_rc 1 $L binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::4
expect_rc 0 $L binding add dev lw0 ipv4 192.0.2.1 psid 3/6 b4 2001:db8::4 replace
expect_rc 1 $L binding add dev lw0 ipv4 192.0.2.1 psid 3/8 b4 2001:db8::4
expect_rc 0 $L binding add dev lw0 ipv4 192.0.2.2 psid 0/0 offset 0 b4 2001:db8::5
expect_rc 0 $L binding add dev lw0 ipv4 192.0.2.3 psid 0x10/8 offset 6 b4 2001:db8::6
expect_rc 1 $L binding add dev lo ipv4 192.0.2.3 psid 1/8 b4 2001:db8::6
$L binding show dev lw0
$L -s binding show dev lw0
$L -j binding show dev lw0
$L -s -p binding show dev lw0 ipv4 192.0.2.1 psid 4/6
$L binding show dev lw0 ipv4 192.0.2.1
expect_rc 1 $L binding show dev lw0 ipv4 192.0.2.1 psid 9/6
expect_rc 1 $L binding del dev lw0 ipv4 192.0.2.1 psid 3/5
expect_rc 0 $L binding del dev lw0 ipv4 192.0.2.1 psid 3/6
expect_rc 1 $L binding del dev lw0 ipv4 192.0.2.1 psid 3/6

step "round trip: show | load"
$L binding show dev lw0 > /tmp/saved.txt
cat /tmp/saved.txt
expect_rc 0 $L binding flush dev lw0
$L dev show lw0
expect_rc 0 $L binding load dev lw0 /tmp/saved.txt
$L binding show dev lw0 > /tmp/saved2.txt
sort /tmp/saved.txt > /tmp/a; sort /tmp/saved2.txt > /tmp/b
cmp -s /tmp/a /tmp/b && ok "round trip identical" || { bad "round trip differs"; diff /tmp/a /tmp/b; }

step "load errors"
printf 'ipv4 10.0.0.1 psid 1/4 b4 ::2\nipv4 10.0.0.1 psid 1/4 b4 ::3\n' > /tmp/dup.txt
expect_rc 1 $L binding load dev lw0 /tmp/dup.txt
expect_rc 1 $L binding load dev lw0 /tmp/nonexistent
expect_rc 1 $L binding load dev lo /tmp/saved.txt
: > /tmp/empty.txt
expect_rc 0 $L -j binding load dev lw0 /tmp/empty.txt
$L dev show lw0
expect_rc 0 $L binding load dev lw0 - < /tmp/saved.txt
$L dev show lw0

step "snabb"
cat > /tmp/snabb.conf <<'EOC'
softwire-config {
  binding-table {
    softwire { ipv4 178.79.150.233; psid 22788; b4-ipv6 127:11:12:13:14:15:16:128;
      br-address 8:9:a:b:c:d:e:f; port-set { psid-length 16; } }
    softwire { ipv4 178.79.150.2; psid 7850; b4-ipv6 127:24:35:46:57:68:79:128;
      port-set { psid-length 16; reserved-ports-bit-count 0; } }
  }
}
EOC
expect_rc 0 $L binding load dev lw0 /tmp/snabb.conf
$L binding show dev lw0

step "big load"
python3 - <<'EOP' > /tmp/big.txt
import ipaddress
for i in range(int(__import__("os").environ.get("LW4O6_BIG", "200000"))):
    a = ipaddress.IPv4Address(0x0a000000 + i//64)
    print(f"ipv4 {a} psid {i%64}/6 b4 2001:db8::{i>>16:x}:{i&0xffff:x}")
EOP
wc -l /tmp/big.txt
time $L binding load dev lw0 /tmp/big.txt; echo "rc=$?"
$L -s dev show lw0
time $L -j binding show dev lw0 > /tmp/big.json; echo "rc=$?"
python3 -c "import json; d=json.load(open('/tmp/big.json')); print('json entries', len(d))"
time $L binding show dev lw0 | wc -l
$L binding show dev lw0 ipv4 10.0.0.1 | wc -l

step "kernel rejects a binding in a load: line number"
printf 'ipv4 10.9.0.1 psid 1/4 b4 ::2\n' > /tmp/k.txt
for i in $(seq 2 20); do echo "ipv4 10.9.0.$i psid 1/4 b4 2001:db8::$i" >> /tmp/k.txt; done
echo "ipv4 10.9.0.99 psid 1/4 b4 2001:db8::99 br ::" >> /tmp/k.txt || true
expect_rc 1 $L binding load dev lw0 /tmp/k.txt

step "kernel limits: error names the file line"
python3 - <<'EOP' > /tmp/brs.txt
for i in range(300):
    print(f"ipv4 10.8.{i // 256}.{i % 256} psid 0/0 b4 2001:db8::{i + 1:x} br 2001:db8:ffff::{i + 1:x}")
EOP
expect_rc 1 $L binding load dev lw0 /tmp/brs.txt
python3 - <<'EOP' > /tmp/full.txt
for i in range(2000):
    print(f"ipv4 10.7.{i // 256}.{i % 256} psid 0/0 b4 2001:db8::{i + 1:x}")
EOP
echo 1500 > /sys/module/lw4o6/parameters/max_bindings
expect_rc 1 $L binding load dev lw0 /tmp/full.txt
echo $((1 << 24)) > /sys/module/lw4o6/parameters/max_bindings
$L dev show lw0

step "stats"
$L stats show dev lw0
$L -j stats show dev lw0
expect_rc 1 $L stats show dev lo

step "batch"
cat > /tmp/batch.txt <<'EOB'
# comment
binding flush dev lw0

binding add dev lw0 ipv4 198.51.100.1 psid 1/2 b4 2001:db8::77
binding show dev lw0
binding add dev lw0 ipv4 198.51.100.1 psid 1/2 b4 2001:db8::77
binding show dev lw0
EOB
expect_rc 1 $L -b /tmp/batch.txt
echo 'binding frob dev lw0' | $L -b -; echo "rc=$?"

step "netns"
ip netns add t1
expect_rc 0 $L -n t1 dev add lw9 mode aftr local 2001:db8::99
$L -n t1 dev show
$L dev show
expect_rc 1 $L -n nosuchns dev show
expect_rc 0 $L -n t1 dev del lw9

step "dev del"
expect_rc 0 $L dev del lw0
$L dev show
sleep 1
kill -INT $MON; wait $MON; echo "monitor rc=$?"
kill -TERM $MONJ; wait $MONJ; echo "monitor -j rc=$?"
echo "--- monitor"; cat /tmp/mon.txt
echo "--- monitor -j"; head -20 /tmp/mon.json
python3 -c "
import json,sys
for l in open('/tmp/mon.json'):
    json.loads(l)
print('monitor json lines ok')"
echo "RESULT fail=$fail"
exit $fail
