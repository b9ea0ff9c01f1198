#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# A big open bulk load does not hold RTNL up (#11 item 7).  A device whose
# 1,000,000-binding load is still open is deleted: its ndo_uninit runs
# under RTNL and must only unlink the load (the table is freed from the
# workqueue), so both that `ip link del` and one of another namespace's
# device started meanwhile return about as fast as deleting an idle device.
#
#   +------------- ns A --------------+   +------------- ns B -------------+
#   | lwa (aftr)                      |   | lwb0, lwb1, lwb2 (aftr)        |
#   | bulk_load.py hold: LOAD_BEGIN,  |   | ip link del: a baseline, then  |
#   | 1M x LOAD_ADD, kept open        |   | one while lwa is being deleted |
#   +---------------------------------+   +--------------------------------+
source "$(dirname "$0")/../lib/lib.sh"

require_root
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
PY=$TOP/selftests/lib/py
N=1000000
setup_ns A B

# link_add NS DEV LOCAL: an aftr device, made with rtnetlink.
link_add() {
	ip netns exec "$1" "$PYTHON" -c "import sys; sys.path.insert(0, '$PY')
import lw4o6nl; lw4o6nl.link_add('$2', local='$3')"
}
# Each its own local: a namespace's devices cannot share one.
devices() {
	link_add "$B" lwb0 2001:db8::10 && link_add "$B" lwb1 2001:db8::11 &&
	link_add "$B" lwb2 2001:db8::12 && link_add "$A" lwa 2001:db8::1
}
check_cmd "devices lwb0..2 in B, lwa in A" devices

ms() { echo $(($(date +%s%N) / 1000000)); }
# timed NS DEV: milliseconds `ip -n NS link del DEV` takes.
timed() {
	local t0
	t0=$(ms)
	ip -n "$1" link del "$2" || { echo failed; return 1; }
	echo $(($(ms) - t0))
}

# Warm up, then the baseline: deleting an idle device.
timed "$B" lwb0 > /dev/null
base=$(timed "$B" lwb1)

mkfifo "$TMPDIR/hold"
ip netns exec "$A" "$PYTHON" "$PY/bulk_load.py" hold lwa $N \
	< "$TMPDIR/hold" > "$TMPDIR/hold.out" 2>&1 &
HOLDER=$!
exec 9> "$TMPDIR/hold"		# the holder's stdin: open until we close it
defer kill "$HOLDER"
t0=$(ms)
busywait 120000 grep -q ready "$TMPDIR/hold.out"
check_cmd "a $N-binding load is open on lwa" grep -q ready "$TMPDIR/hold.out"
ktap_diag "filling the load took $(($(ms) - t0)) ms"

# Delete lwa and, as soon as it has begun, lwb2 of the other namespace.
(timed "$A" lwa > "$TMPDIR/del_a") &
DEL=$!
sleep 0.05
other=$(timed "$B" lwb2)
wait "$DEL"
own=$(cat "$TMPDIR/del_a")
ktap_diag "ip link del: idle device $base ms; lwa with its open load $own ms; lwb2 meanwhile $other ms"
# Freeing 1M bindings under RTNL took 5-6 s here (TCG, busy host), the
# idle deletion 0.2-0.8 s: leave room for the noise of a shared host.
check_cmd "the idle deletion worked" test "$base" != failed
limit=$((2 * base + 2000))
check_cmd "deleting the device with the open load takes < 2 x idle + 2 s" test "$own" -lt "$limit"
check_cmd "deleting another namespace's device meanwhile takes < 2 x idle + 2 s" test "$other" -lt "$limit"
exec 9>&-
wait "$HOLDER" 2> /dev/null
check_cmd "the holder saw its device go (its socket closed cleanly)" \
	sh -c "! grep -q Traceback '$TMPDIR/hold.out'"
ktap_finish
