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

# insmod does not load what the module needs (nf_nat ...): when this script
# runs first in its VM, nothing else has.
KO=$TOP/build/$(uname -r)/lw4o6.ko
for dep in $(modinfo -F depends "$KO" | tr , ' '); do modprobe "$dep"; done
insmod "$KO" || { echo "insmod failed"; exit 1; }
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
# ip(8)'s spellings: `dev` alone is `dev show`, `dev show dev NAME` too.
[ "$($L dev)" = "$($L dev show)" ] && [ -n "$($L dev)" ] && ok "lw4o6 dev = dev show" || bad "lw4o6 dev: [$($L dev)]"
[ "$($L -j dev show dev lw0)" = "$($L -j dev show lw0)" ] && ok "dev show dev lw0 = dev show lw0" || bad "dev show dev lw0: [$($L -j dev show dev lw0)]"
expect_err 1 'cannot find device "nosuch"' $L dev show dev nosuch
# "help" is a question wherever it stands: a device of that name survives.
ip link add name help type dummy
expect_rc 0 $L dev del help
[ -d /sys/class/net/help ] && ok "dev del help deleted nothing" || bad "dev del help deleted the device help"
ip link del dev help
# Options the mode ignores: dev set asks the kernel for the mode first.
expect_err 2 'mss-clamp is for dslite and b4 devices (lw0 is an aftr device)' $L dev set lw0 mss-clamp off
expect_err 2 'accept-from is for dslite and b4 devices (lw0 is an aftr device)' $L dev set lw0 accept-from 2001:db8::/32
expect_err 2 'ipv4 is for b4 devices (lw0 is an aftr device)' $L dev set lw0 ipv4 192.0.2.1 psid 0/0
expect_rc 0 $L dev add ds9 mode dslite local 2001:db8::9 remote 2001:db8::1
expect_err 2 'hairpin is for aftr devices (ds9 is a dslite device)' $L dev set ds9 hairpin on
expect_err 2 'miss-hold is for aftr devices (ds9 is a dslite device)' $L dev set ds9 miss-hold 0
expect_rc 0 $L dev set ds9 mss-clamp off icmp-rate 9
expect_rc 0 $L dev del ds9

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
# Filtered: only lw0's adds, with ip's timestamps; only flushes, in JSON.
$L -ts monitor add dev lw0 > /tmp/mon-add.txt 2>&1 &
MONA=$!
$L -j monitor -timestamp flush > /tmp/mon-flush.json 2>&1 &
MONF=$!
sleep 1

step "binding"
# Another device's add: the unfiltered monitor sees it, "dev lw0" does not.
expect_rc 0 $L dev add lw5 mode aftr local 2001:db8::5
expect_rc 0 $L binding add dev lw5 ipv4 192.0.2.55 psid 0/0 b4 2001:db8::55
expect_rc 0 $L dev del lw5
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
# All or nothing: bad lines anywhere leave the table as it was.
n0=$($L -j dev show lw0 | jq '.[0].bindings')
{ cat /tmp/saved.txt; echo "ipv4 127.0.0.1 psid 0/0 b4 2001:db8::70"
  echo "ipv4 10.1.1.1 psid 0/0 b4 fe80::71"; } > /tmp/half.txt
expect_err 1 "2 bad bindings in /tmp/half.txt; nothing loaded" $L binding load dev lw0 /tmp/half.txt
[ "$($L -j dev show lw0 | jq '.[0].bindings')" = "$n0" ] && [ "$n0" -gt 0 ] && ok "table unchanged ($n0)" || bad "table changed: $n0 -> $($L -j dev show lw0 | jq '.[0].bindings')"
# An empty file does not empty the table, unless asked to.
: > /tmp/empty.txt
expect_err 1 "has no bindings; that would empty lw0's table" $L -j binding load dev lw0 /tmp/empty.txt
[ "$($L -j dev show lw0 | jq '.[0].bindings')" = "$n0" ] && ok "empty file: table unchanged" || bad "empty file emptied the table"
expect_rc 0 $L -j binding load dev lw0 /tmp/empty.txt allow-empty
[ "$($L -j dev show lw0 | jq '.[0].bindings')" = 0 ] && ok "allow-empty emptied it" || bad "allow-empty: $($L -j dev show lw0)"
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
kill -INT $MONA $MONF; wait $MONA $MONF
echo "--- monitor -ts add dev lw0"; cat /tmp/mon-add.txt
echo "--- monitor -j -timestamp flush"; cat /tmp/mon-flush.json
# Only adds of lw0 (the netns lw9 and lw2 had theirs too), each after its time.
if [ -s /tmp/mon-add.txt ] && ! grep -qv '^\[20[0-9-]*T[0-9:]*\.[0-9]\{6\}\] add dev lw0 ' /tmp/mon-add.txt; then
	ok "monitor -ts add dev lw0: $(wc -l < /tmp/mon-add.txt) lines, all timestamped adds of lw0"
else
	bad "monitor -ts add dev lw0"
fi
grep -q '^add dev lw5 ' /tmp/mon.txt && ok "... while lw5's add was an event" || bad "no add on lw5 in the unfiltered monitor"
if [ -s /tmp/mon-flush.json ] && jq -e -s 'all(.[]; .event == "flush" and (.timestamp | test("^20[0-9-]+T[0-9:]+\\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$")))' /tmp/mon-flush.json > /dev/null; then
	ok "monitor -j -timestamp flush: only flushes, each with its timestamp"
else
	bad "monitor -j -timestamp flush"
fi
echo "--- monitor"; cat /tmp/mon.txt
echo "--- monitor -j"; head -20 /tmp/mon.json
python3 -c "
import json,sys
for l in open('/tmp/mon.json'):
    json.loads(l)
print('monitor json lines ok')"
echo "RESULT fail=$fail"
exit $fail
