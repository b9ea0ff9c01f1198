#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# lw4o6d inside the sandbox its systemd unit (userspace/lw4o6d/systemd/
# lw4o6d@.service) builds, taken from the unit file itself so that the
# two cannot drift apart: a user that is not root, no new privileges, only
# the capabilities AmbientCapabilities= lists, and, traced with strace, only
# system calls SystemCallFilter= allows and only the socket families
# RestrictAddressFamilies= allows.  systemd cannot run here (no PID 1 of
# its own in the VM), so this checks what the daemon does against what the
# unit permits; systemd-analyze's offline review checks the unit as a whole.
# Topology: selftests/lib/pcp_topology.sh.
#
#   LAN_2 192.168.2.2 -- B4_2 (b0, lw4o6d b4 + proxy, sandboxed)
#                          2001:db8:1::2 -- br0 -- AFTR (lw0, lw4o6d aftr, sandboxed) -- INET
#
# Both daemons provision (PCP inside the softwire, SQLite store, kernel
# bindings, nftables forwards for a LAN host's MAP), reload on SIGHUP and
# stop on SIGTERM, all under that sandbox.  The AFTR also talks to a
# service manager's notification socket of the test's (Type=notify):
# READY=1 once it serves, WATCHDOG=1 as WatchdogSec= asks, RELOADING=1 and
# READY=1 around a reload, and a file the unit's ExecReload= check refuses
# leaves the running configuration serving.  Both units (lw4o6d@ and the
# boot unit lw4o6@) pass systemd-analyze verify.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3 setpriv strace systemd-analyze nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

UNIT=$TOP/userspace/lw4o6d/systemd/lw4o6d@.service
BOOT_UNIT=$TOP/userspace/lw4o6/systemd/lw4o6@.service
# The unit's sandbox exposure, as systemd-analyze rates it offline, in
# tenths (0 best, 100 worst; a unit with no hardening is 96).
MAX_EXPOSURE=20

# unit_values KEY: every value of KEY= in the unit, one a line, in order
# (an empty KEY= resets the list, as systemd does).
unit_values() {
	awk -v k="$1" -F= '$1 == k {
		if ($2 == "") { n = 0; next }
		c = split($2, w, " "); for (i = 1; i <= c; i++) v[n++] = w[i]
	} END { for (i = 0; i < n; i++) print v[i] }' "$UNIT"
}

# --- the unit as systemd reads it ----------------------------------------------
cp "$UNIT" "$TMPDIR/lw4o6d@test.service"
systemd-analyze security --offline=yes --threshold=$MAX_EXPOSURE \
	"$TMPDIR/lw4o6d@test.service" > "$TMPDIR/exposure.txt" 2>&1
rc=$?
ktap_diag "$(grep Overall "$TMPDIR/exposure.txt" || tail -n 5 "$TMPDIR/exposure.txt")"
expect_eq "systemd-analyze security: exposure of the unit at most $MAX_EXPOSURE/10" "$rc" 0
# Both units as systemd would load them, each with the binaries built here.
mkdir -p "$TMPDIR/units"
sed "s|/usr/sbin/lw4o6d|$LW4O6D|" "$UNIT" > "$TMPDIR/units/lw4o6d@test.service"
sed "s|/usr/sbin/lw4o6 |$LW4O6 |" "$BOOT_UNIT" > "$TMPDIR/units/lw4o6@test.service"
check_cmd "systemd-analyze verify: lw4o6d@ and lw4o6@" \
	sh -c "cd '$TMPDIR/units' && systemd-analyze verify --man=no lw4o6d@test.service lw4o6@test.service"
systemd-analyze security --offline=yes --threshold=30 \
	"$TMPDIR/units/lw4o6@test.service" > "$TMPDIR/exposure-boot.txt" 2>&1
expect_eq "systemd-analyze security: the boot unit at most 3.0" $? 0
ktap_diag "lw4o6@: $(grep Overall "$TMPDIR/exposure-boot.txt")"
check_cmd "the unit runs as a dynamic user, not root" \
	grep -qx "DynamicUser=yes" "$UNIT"
check_cmd "the unit sets no new privileges" grep -qx "NoNewPrivileges=yes" "$UNIT"

# --- the sandbox -----------------------------------------------------------------
CAPS=$(unit_values AmbientCapabilities | sed 's/^CAP_//' | tr 'A-Z' 'a-z' |
	sed 's/^/+/' | paste -sd,)
BOUND=$(unit_values CapabilityBoundingSet | sed 's/^CAP_//' | tr 'A-Z' 'a-z' |
	sed 's/^/+/' | paste -sd,)
FAMILIES=$(unit_values RestrictAddressFamilies)
ktap_diag "capabilities: $CAPS; families: $(echo $FAMILIES)"
check_cmd "the unit names its capabilities and families" \
	test -n "$CAPS" -a -n "$BOUND" -a -n "$FAMILIES"

# The allowed system calls: SystemCallFilter= lines in order, each an allow
# list or (~) a deny list of names and @groups, groups expanded as
# systemd-analyze lists them.
expand_group() {
	local name
	systemd-analyze syscall-filter "$1" | awk 'NR > 1 && !/^ *#/ && NF { print $1 }' |
	while read -r name; do
		case $name in
		@*) expand_group "$name" ;;
		*) echo "$name" ;;
		esac
	done
}
: > "$TMPDIR/allowed"
while read -r line; do
	deny=
	case $line in "~"*) deny=1 line=${line#\~} ;; esac
	for w in $line; do
		case $w in @*) expand_group "$w" ;; *) echo "$w" ;; esac
	done | sort -u > "$TMPDIR/filter"
	if [ -n "$deny" ]; then
		comm -23 "$TMPDIR/allowed" "$TMPDIR/filter" > "$TMPDIR/allowed.new"
	else
		sort -u "$TMPDIR/allowed" "$TMPDIR/filter" > "$TMPDIR/allowed.new"
	fi
	mv "$TMPDIR/allowed.new" "$TMPDIR/allowed"
done <<< "$(sed -n 's/^SystemCallFilter=//p' "$UNIT")"
check_cmd "the unit's system call filter expands to a list" \
	test "$(wc -l < "$TMPDIR/allowed")" -gt 100

# A state directory only the service user may write, as StateDirectory=.
SVC_UID=61234
mkdir -p "$TMPDIR/state"
chown $SVC_UID:$SVC_UID "$TMPDIR/state"
chmod 0700 "$TMPDIR/state"
chmod 0711 "$TMPDIR"
# ... and a runtime directory, as RuntimeDirectory= (B4's BFD state).
mkdir -p "$TMPDIR/run"
chown $SVC_UID:$SVC_UID "$TMPDIR/run"

# sandboxed NS NAME ARGS...: lw4o6d ARGS in namespace NS as the unit would
# run it, traced into $TMPDIR/NAME.strace; the log goes to $TMPDIR/NAME.log.
# $! is strace's pid; daemon_of PID prints the traced daemon's.  With
# $WATCHDOG_USEC set, $WATCHDOG_PID is the daemon's own, as systemd sets it
# (a shell that execs lw4o6d knows its pid first).
sandboxed() {
	local ns=$1 name=$2
	shift 2
	RUNTIME_DIRECTORY=$TMPDIR/run \
	ip netns exec "$ns" setpriv --reuid=$SVC_UID --regid=$SVC_UID --clear-groups \
		--inh-caps=-all,"$CAPS" --ambient-caps=-all,"$CAPS" \
		--bounding-set=-all,"$BOUND" --no-new-privs -- \
		strace -f -qq -o "$TMPDIR/state/$name.strace" \
		sh -c '[ -z "$WATCHDOG_USEC" ] || export WATCHDOG_PID=$$; exec "$0" "$@"' \
		"$LW4O6D" "$@" >> "$TMPDIR/$name.log" 2>&1 &
}

daemon_of() {
	pgrep -P "$1" -x lw4o6d
}

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
pcp_b4 2
echo "proxy 192.168.2.1" >> "$TMPDIR/b4-2.conf"
pcp_aftr_conf
sed -i "s|^storage .*|storage sqlite $TMPDIR/state/aftr.db|" "$TMPDIR/aftr.conf"

# The AFTR under a service manager's eye: its notification socket (a file
# of the test's, the daemon writes to it as SVC_UID) and a watchdog of 4 s.
NOTIFY=$TMPDIR/notify.log
"$PYTHON" "$TOP/selftests/lib/py/notify_socket.py" "$TMPDIR/notify.sock" "$NOTIFY" &
defer kill $!
busywait 5000 test -S "$TMPDIR/notify.sock"
NOTIFY_SOCKET=$TMPDIR/notify.sock WATCHDOG_USEC=4000000 \
	sandboxed "$AFTR" aftr -c "$TMPDIR/aftr.conf"
AFTR_TRACE=$!
check_cmd "sandboxed AFTR daemon started" \
	busywait 20000 grep -q "aftr on lw0" "$TMPDIR/aftr.log"
check_cmd "Type=notify: READY=1 with its STATUS=" \
	busywait 10000 grep -q " READY=1|STATUS=serving: role aftr on lw0$" "$NOTIFY"
# READY=1 means serving: every socket bound, the kernel's table read, before.
READY_AT=$(grep -n 'READY=1' "$TMPDIR/state/aftr.strace" | head -n 1 | cut -d: -f1)
LAST_BIND=$(grep -n ' bind(' "$TMPDIR/state/aftr.strace" | tail -n 1 | cut -d: -f1)
ktap_diag "strace: last bind() on line ${LAST_BIND:-?}, READY=1 on ${READY_AT:-?}"
check_cmd "READY=1 comes after the daemon's last bind()" \
	test -n "$READY_AT" -a -n "$LAST_BIND" -a "${READY_AT:-0}" -gt "${LAST_BIND:-0}"
AFTR_PID=$(daemon_of $AFTR_TRACE)
defer kill $AFTR_PID
sandboxed "$B4_2" b4 -c "$TMPDIR/b4-2.conf"
B4_TRACE=$!
busywait 5000 daemon_of $B4_TRACE > /dev/null
B4_PID=$(daemon_of $B4_TRACE)
defer kill $B4_PID
ktap_diag "daemons: aftr $AFTR_PID, b4 $B4_PID"
check_cmd "sandboxed B4 daemon provisioned over PCP" busywait 30000 pcp_bound 2
check_cmd "the AFTR's binding is in the kernel" test "$(pcp_table | wc -l)" = 1
expect_eq "and in its store, written as the service user" \
	"$(sqlite3 "$TMPDIR/state/aftr.db" 'select count(*) from mappings')" 1
expect_eq "the store file belongs to the service user" \
	"$(stat -c %u "$TMPDIR/state/aftr.db")" $SVC_UID
check_cmd "the proxy listens" \
	busywait 10000 grep -q "proxy: PCP for the LAN on 192.168.2.1" "$TMPDIR/b4.log"
MAP_OUT=$(ip netns exec "$LAN_2" "$LW4O6D" map 192.168.2.1 udp 8080 lifetime 60 2>&1)
ktap_diag "map: $MAP_OUT"
check_cmd "a LAN host's MAP through the sandboxed proxy succeeds" \
	grep -q "^result success" <<< "$MAP_OUT"
check_cmd "its forward is in nftables" \
	sh -c "ip netns exec $B4_2 nft list map ip lw4o6d_b0 forwards | grep -q 'udp . '"

N_BEFORE_HUP=$(wc -l < "$NOTIFY")
for pid in $AFTR_PID $B4_PID; do kill -HUP "$pid"; done
check_cmd "the AFTR daemon reloaded on SIGHUP" \
	busywait 10000 grep -q "SIGHUP: reloading" "$TMPDIR/aftr.log"
check_cmd "the B4 daemon reloaded on SIGHUP" \
	busywait 10000 grep -q "SIGHUP: reloading" "$TMPDIR/b4.log"
check_fail "no reload error" grep -q "reload:" "$TMPDIR/aftr.log" "$TMPDIR/b4.log"
# what systemd hears since the signal, the watchdog's pings aside
since_hup() { tail -n +$((N_BEFORE_HUP + 1)) "$NOTIFY" | grep -v ' WATCHDOG=1$' | cut -d' ' -f2- | paste -sd' '; }
busywait 10000 sh -c "tail -n +$((N_BEFORE_HUP + 1)) '$NOTIFY' | grep -q READY=1"
expect_eq "SIGHUP: RELOADING=1, then READY=1" "$(since_hup)" \
	"RELOADING=1|STATUS=reloading the configuration READY=1|STATUS=serving: role aftr on lw0"

# --- the watchdog ----------------------------------------------------------------
busywait 15000 sh -c "[ \$(grep -c ' WATCHDOG=1$' '$NOTIFY') -ge 3 ]"
PINGS=$(grep ' WATCHDOG=1$' "$NOTIFY" | cut -d' ' -f1)
ktap_diag "WATCHDOG=1 at $(echo $PINGS)"
expect_eq "WATCHDOG_USEC=4 s: WATCHDOG=1 came at least 3 times" \
	"$(( $(wc -l <<< "$PINGS") >= 3 ))" 1
expect_eq "... never more than 4 s apart" \
	"$(awk 'NR > 1 && $1 - p >= 4 { bad++ } { p = $1 } END { print bad + 0 }' <<< "$PINGS")" 0

# --- a bad file: systemctl reload fails, the daemon keeps what it runs -----------
# ExecReload='s first command, the check, with the unit's paths made ours.
RELOAD_CHECK=$(sed -n 's/^ExecReload=//p' "$UNIT" | head -n 1)
RELOAD_CHECK=${RELOAD_CHECK//\/usr\/sbin\/lw4o6d/$LW4O6D}
RELOAD_CHECK=${RELOAD_CHECK//\/etc\/lw4o6d\/%i.conf/$TMPDIR/aftr.conf}
ktap_diag "ExecReload check: $RELOAD_CHECK"
check_cmd "ExecReload's check passes the running file" $RELOAD_CHECK
check_cmd "ExecReload's check precedes the signal" \
	sh -c "sed -n 's/^ExecReload=//p' '$UNIT' | tail -n 1 | grep -q 'kill -HUP'"
cp "$TMPDIR/aftr.conf" "$TMPDIR/aftr.conf.good"
echo "lifetime min 10 max 60 default nonsense" >> "$TMPDIR/aftr.conf"
check_fail "ExecReload's check fails a bad file (systemctl reload fails)" $RELOAD_CHECK
# ... and if the daemon is signalled all the same, it keeps its configuration.
N_BEFORE_HUP=$(wc -l < "$NOTIFY")
kill -HUP "$AFTR_PID"
check_cmd "a bad file on SIGHUP: the error logged" \
	busywait 10000 grep -q "reload: $TMPDIR/aftr.conf has errors; nothing changed" "$TMPDIR/aftr.log"
busywait 10000 sh -c "tail -n +$((N_BEFORE_HUP + 1)) '$NOTIFY' | grep -q READY=1"
expect_eq "a bad file on SIGHUP: READY=1 says the reload was refused" "$(since_hup)" \
	"RELOADING=1|STATUS=reloading the configuration READY=1|STATUS=serving, reload refused (see the log): role aftr on lw0"
# The B4 asks the AFTR itself (its listen address) for its port set again.
MAP_OUT=$(ip netns exec "$B4_2" "$LW4O6D" map 2001:db8:1::1 all 0 port-set 16 lifetime 60 2>&1)
ktap_diag "map: $(echo $MAP_OUT)"
check_cmd "a bad file on SIGHUP: the AFTR still answers PCP" \
	grep -q "^result " <<< "$MAP_OUT"
mv "$TMPDIR/aftr.conf.good" "$TMPDIR/aftr.conf"
for pid in $AFTR_PID $B4_PID; do kill -TERM "$pid"; done
# strace exits with its tracee's status.
wait $AFTR_TRACE
expect_eq "the AFTR daemon exited cleanly on SIGTERM" $? 0
expect_eq "SIGTERM: STOPPING=1 was the last word" \
	"$(grep -v ' WATCHDOG=1$' "$NOTIFY" | tail -n 1 | cut -d' ' -f2-)" "STOPPING=1|STATUS=stopping"
wait $B4_TRACE
expect_eq "the B4 daemon exited cleanly on SIGTERM" $? 0

# --- what the daemons did, against what the unit allows ------------------------
for name in aftr b4; do
	tr="$TMPDIR/state/$name.strace"
	check_cmd "$name: traced" test -s "$tr"
	sed -n 's/^[0-9]\+ \+\([a-z_0-9]\+\)(.*/\1/p' "$tr" | sort -u > "$TMPDIR/$name.used"
	ktap_diag "$name used $(wc -l < "$TMPDIR/$name.used") system calls"
	outside=$(comm -23 "$TMPDIR/$name.used" "$TMPDIR/allowed" | paste -sd' ')
	expect_eq "$name: every system call it made is in the unit's filter" "$outside" ""
	fams=$(sed -n 's/^[0-9]\+ \+socket(\(AF_[A-Z0-9]*\).*/\1/p' "$tr" | sort -u)
	bad=$(for f in $fams; do grep -qx "$f" <<< "$FAMILIES" || echo "$f"; done | paste -sd' ')
	ktap_diag "$name socket families: $(echo $fams)"
	expect_eq "$name: every socket family it opened is in RestrictAddressFamilies" "$bad" ""
	check_cmd "$name: nothing refused for lack of privilege (EPERM/EACCES)" \
		sh -c "! grep -E '= -1 E(PERM|ACCES) ' '$tr' | grep -v '^[0-9]* *\(access\|faccessat2\?\)('"
done

ktap_finish
