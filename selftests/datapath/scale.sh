#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 900
# lw4o6-needs: testdata
#
# Scale and atomicity of the binding table: a 1,000,000-line `binding load`
# counted back through `binding show -j`, and bulk replaces racing a reader
# that must only ever see the whole old or the whole new table.
#
#   +---------------------------- ns ----------------------------+
#   |  lw0 (aftr)  <- lw4o6 binding load (1M; A/B alternating)    |
#   |              <- py/atomic_reader.py dumping in a loop       |
#   +-------------------------------------------------------------+
#
# The 1M-line file is made on the host (make testdata): Python is too slow
# under emulation to make it here.
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
BIG=$TOP/build/testdata/bind1m.txt
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns NS
l() { "$LW4O6" -n "$NS" "$@"; }

check_cmd "dev add" l dev add lw0 mode aftr local 2001:db8::1
if [ -f "$BIG" ]; then
	check_cmd "binding load of 1,000,000 lines" l binding load dev lw0 "$BIG"
	expect_eq "dev show counts 1,000,000" "$(l -j dev show lw0 | jq '.[0].bindings')" 1000000
	l -j binding show dev lw0 > "$TMPDIR/all.json"
	expect_eq "show -j lists 1,000,000 bindings" "$(jq length "$TMPDIR/all.json")" 1000000
	rm -f "$TMPDIR/all.json"
	# Exactly the file's contents (show omits "offset 0").
	l binding show dev lw0 | sort > "$TMPDIR/shown"
	sed 's/ offset 0 / /' "$BIG" | sort > "$TMPDIR/want"
	check_cmd "show lists exactly the loaded file" cmp -s "$TMPDIR/shown" "$TMPDIR/want"
	rm -f "$TMPDIR/shown" "$TMPDIR/want"
	mem=$(l -j dev show lw0 | jq '.[0].table_mem')
	ktap_diag "table memory: $mem bytes, $((mem / 1000000)) bytes per binding"
	check_cmd "table memory is at most 128 bytes per binding" test "$mem" -le 128000000
	line=$(sed -n '777777p' "$BIG" | sed 's/ offset 0 / /')
	set -- $line
	expect_eq "a line from the middle of the file is in the table" \
		"$(l binding show dev lw0 ipv4 "$2" psid "$4")" "$line"
	check_cmd "flush of 1,000,000" l binding flush dev lw0
else
	ktap_fail "test data $BIG missing (make testdata)"
fi

# Two tables with no entry in common; writer alternates, reader checks.
awk 'BEGIN { for (i = 0; i < 2000; i++)
	printf "ipv4 10.%d.%d.1 psid 0/0 offset 0 b4 2001:db8::a:%x\n", i / 250, i % 250, i }' > "$TMPDIR/A"
awk 'BEGIN { for (i = 0; i < 3000; i++)
	printf "ipv4 172.16.%d.%d psid %d/2 offset 6 b4 2001:db8::b:%x\n", i / 1000, (i / 4) % 250, i % 4, i }' > "$TMPDIR/B"
l binding load dev lw0 "$TMPDIR/A"
ip netns exec "$NS" "$PYTHON" "$TOP/selftests/lib/py/atomic_reader.py" lw0 \
	"$TMPDIR/A" "$TMPDIR/B" "$TMPDIR/stop" > "$TMPDIR/reader" 2>&1 &
reader=$!
# The writer goes on until the reader has seen each table twice (it then
# exits by itself), so how the two happen to be scheduled cannot fail the
# test; 200 replaces at most.
ok=0 n=0
while [ "$n" -lt 200 ] && kill -0 "$reader" 2>/dev/null; do
	l binding load dev lw0 "$TMPDIR/B" || ok=1
	l binding load dev lw0 "$TMPDIR/A" || ok=1
	n=$((n + 2))
done
touch "$TMPDIR/stop"
wait "$reader" && rc=0 || rc=$?
ktap_diag "$n bulk replaces"
expect_eq "every bulk replace succeeded" "$ok" 0
ktap_diag "reader: $(cat "$TMPDIR/reader")"
expect_eq "a concurrent reader saw only whole tables, both of them" "$rc" 0

ktap_finish
