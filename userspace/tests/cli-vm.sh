#!/bin/bash
# Runs inside the VM guest.
set -u
TOP=${LW4O6_TOP:-/work/main}
L=$TOP/userspace/lw4o6
fail=0
step() { echo "### $*"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
expect_rc() { local want=$1; shift; "$@"; local rc=$?; [ $rc = $want ] && ok "rc $rc: $*" || bad "rc $rc (want $want): $*"; }

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
