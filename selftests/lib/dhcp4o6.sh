# SPDX-License-Identifier: GPL-2.0
# DHCPv4-over-DHCPv6 test helpers, sourced after lib.sh: Kea 2.2 (kea-dhcp6 +
# kea-dhcp4 in 4o6 mode) as the reference peer, our client
# (py/dhcp4o6_client.py), captures and their decoding in tshark
# (py/dhcp4o6_decode.py).  Kea's recipe (docs/lw4o6d.md, Kea 2.2 interop):
#
#   kea-dhcp6  interfaces ["IFACE/ADDR"], subnet6 on IFACE, option 88 = ADDR
#       |  UDP on ::1, ports P (dhcp4o6-port) and P+1; lo up in the netns
#   kea-dhcp4  interfaces ["IFACE"] (udp sockets; IFACE needs an IPv4
#              address: it is the 4o6 answers' source and server id),
#              subnet4 chosen by 4o6-interface IFACE, or 4o6-interface-id
#
# Usage:
#	kea_start NS IFACE ADDR [WORD...]      # both daemons; waits until they listen
#	dhcp4o6_client NS ARGS...              # py/dhcp4o6_client.py in NS
#	dhcp4o6_session_start NS ARGS...; dhcp4o6_do ARGS...   # the same, one process
#	kea_leases4                            # Kea's current DHCPv4 leases
#	kea_cmd 4|6 JSON                       # a command on Kea's control socket
#	dhcp_capture_start NS IFACE FILE [nowait]; ...; dhcp_capture_stop
#	check_dhcp_pcap FILE [FILTER]          # tshark: nothing malformed, 87 too
#
# kea_start's WORDs (any number, any order):
#   subnet4=CIDR         the IPv4 subnet (default 192.0.2.0/24)
#   pool=FIRST-LAST      its pool (default 192.0.2.10-192.0.2.20)
#   ifid=STRING          pick the subnet4 by 4o6-interface-id STRING (relayed
#                        clients; the relay sends INTERFACE_ID) instead of
#                        4o6-interface IFACE; the subnet6 too (interface-id)
#   ports=OFF,PSID/LEN   v4-portparams (option 159) for the whole subnet4
#   res4=ID,IPV4[,OFF,PSID/LEN]  a DHCPv4 reservation: ID is a MAC
#                        (hw-address) or "cid:HEX" (client-id); with the port
#                        set, v4-portparams in the reservation (repeatable)
#   lw=BR,IPV4,PREFIX,OFF,PSID/LEN   S46_CONT_LW (96) for the whole subnet6
#   lwres=DUID,BR,IPV4,PREFIX,OFF,PSID/LEN  the same for one DUID (hex,
#                        colons allowed; repeatable)
#   no88                 no option 88 (dhcp4o6-server-addr)
#   valid=S              valid lifetime (default 120; renew S/2, rebind S*7/8)
#   v4addr=CIDR          IPv4 address put on IFACE (default 192.0.2.1/24)
#   port=P               dhcp4o6-port (default 6767)
#   leasecmds            load lease_cmds (lease4-get-all on the control socket)
#   debug                Kea logs at DEBUG (default INFO)
# Files in $KEA_DIR ($TMPDIR/kea): kea4.json, kea6.json, leases4.csv,
# leases6.csv, kea4.log, kea6.log (and .out: stdout/stderr), kea4.sock,
# kea6.sock.  Logs are shown as diagnostics by kea_logs (call it on failure).
# One Kea pair per test (the dhcp4o6-port and the files are shared).

KEA_DIR=$TMPDIR/kea
DHCP4O6_CLIENT="$PYTHON $TOP/selftests/lib/py/dhcp4o6_client.py"
DHCP4O6_DECODE="$PYTHON $TOP/selftests/lib/py/dhcp4o6_decode.py"
KEA_HOOKS=/usr/lib/x86_64-linux-gnu/kea/hooks

# _kea_pp OFF,PSID/LEN: Kea's v4-portparams / s46-portparams data "OFF, PSID/LEN".
_kea_pp() { echo "${1%%,*}, ${1#*,}"; }

# _kea_lw BR IPV4 PREFIX OFF PSID/LEN: the option-data of one S46_CONT_LW.
_kea_lw() {
	printf '%s' '{"name": "s46-cont-lw"}, ' \
		"{\"space\": \"s46-cont-lw-options\", \"name\": \"s46-br\", \"data\": \"$1\"}, " \
		"{\"space\": \"s46-cont-lw-options\", \"name\": \"s46-v4v6bind\", \"data\": \"$2, $3\"}, " \
		"{\"space\": \"s46-v4v6bind-options\", \"name\": \"s46-portparams\", \"data\": \"$4, $5\"}"
	echo
}

# _kea_join: stdin's non-empty chunks (one per line) joined with ",\n".
_kea_join() { sed '/^$/d' | paste -sd, -; }

kea_start() {
	local ns=$1 ifc=$2 addr=$3 w
	local subnet4=192.0.2.0/24 pool=192.0.2.10-192.0.2.20 ifid="" ports=""
	local no88=0 valid=120 v4addr=192.0.2.1/24 port=6767 lc=0 sev=INFO
	local res4=() lwres=() lw=
	shift 3
	for w in "$@"; do
		case $w in
		subnet4=*) subnet4=${w#*=} ;;
		pool=*) pool=${w#*=} ;;
		ifid=*) ifid=${w#*=} ;;
		ports=*) ports=${w#*=} ;;
		res4=*) res4+=("${w#*=}") ;;
		lw=*) lw=${w#*=} ;;
		lwres=*) lwres+=("${w#*=}") ;;
		no88) no88=1 ;;
		valid=*) valid=${w#*=} ;;
		v4addr=*) v4addr=${w#*=} ;;
		port=*) port=${w#*=} ;;
		leasecmds) lc=1 ;;
		debug) sev=DEBUG ;;
		*) echo "# kea_start: unknown word $w" >&2; return 1 ;;
		esac
	done
	mkdir -p "$KEA_DIR"
	# kea-dhcp6 binds IFACE's link-local address for ff02::1:2: not
	# while DAD holds it (tentative).
	busywait 10000 _kea_ll_ready "$ns" "$ifc" || {
		echo "# no usable link-local address on $ifc" >&2
		return 1
	}
	ip -n "$ns" link set lo up
	ip -n "$ns" -4 addr show dev "$ifc" | grep -q " ${v4addr%/*}/" ||
		ip -n "$ns" addr add "$v4addr" dev "$ifc" || return 1

	# --- kea-dhcp4 ---
	local sel4 r id ip pp o4 opts4=() resj=() hooks4="" hooks6=""
	if [ -n "$ifid" ]; then sel4="\"4o6-interface-id\": \"$ifid\""
	else sel4="\"4o6-interface\": \"$ifc\""; fi
	[ -n "$ports" ] && opts4+=("{\"name\": \"v4-portparams\", \"data\": \"$(_kea_pp "$ports")\"}")
	for r in "${res4[@]}"; do
		IFS=, read -r id ip pp <<< "$r"
		o4=
		[ -n "$pp" ] && o4=", \"option-data\": [{\"name\": \"v4-portparams\", \"data\": \"$(_kea_pp "$pp")\"}]"
		case $id in
		cid:*) id="\"client-id\": \"${id#cid:}\"" ;;
		*) id="\"hw-address\": \"$id\"" ;;
		esac
		resj+=("{$id, \"ip-address\": \"$ip\"$o4}")
	done
	if [ "$lc" = 1 ]; then
		hooks4="\"hooks-libraries\": [{\"library\": \"$KEA_HOOKS/libdhcp_lease_cmds.so\"}],"
		hooks6=$hooks4
	fi
	cat > "$KEA_DIR/kea4.json" <<EOT
{"Dhcp4": {
  "interfaces-config": {"interfaces": ["$ifc"], "dhcp-socket-type": "udp"},
  "dhcp4o6-port": $port,
  "lease-database": {"type": "memfile", "persist": true,
                     "name": "$KEA_DIR/leases4.csv", "lfc-interval": 0},
  "control-socket": {"socket-type": "unix", "socket-name": "$KEA_DIR/kea4.sock"},
  $hooks4
  "valid-lifetime": $valid, "renew-timer": $((valid / 2)),
  "rebind-timer": $((valid * 7 / 8)),
  "subnet4": [{"id": 1, "subnet": "$subnet4", $sel4,
    "pools": [{"pool": "$pool"}],
    "option-data": [$(printf '%s\n' "${opts4[@]}" | _kea_join)],
    "reservations": [$(printf '%s\n' "${resj[@]}" | _kea_join)]}],
  "loggers": [{"name": "kea-dhcp4", "severity": "$sev", "debuglevel": 99,
               "output_options": [{"output": "$KEA_DIR/kea4.log"}]}]
}}
EOT
	# --- kea-dhcp6 ---
	local opts6=() sel6 d br v4 pfx off psid
	[ "$no88" = 0 ] && opts6+=("{\"name\": \"dhcp4o6-server-addr\", \"data\": \"$addr\"}")
	if [ -n "$lw" ]; then
		IFS=, read -r br v4 pfx off psid <<< "$lw"
		opts6+=("$(_kea_lw "$br" "$v4" "$pfx" "$off" "$psid")")
	fi
	resj=()
	for r in "${lwres[@]}"; do
		IFS=, read -r d br v4 pfx off psid <<< "$r"
		resj+=("{\"duid\": \"$d\", \"option-data\": [$(_kea_lw "$br" "$v4" "$pfx" "$off" "$psid")]}")
	done
	if [ -n "$ifid" ]; then sel6="\"interface-id\": \"$ifid\""
	else sel6="\"interface\": \"$ifc\""; fi
	cat > "$KEA_DIR/kea6.json" <<EOT
{"Dhcp6": {
  "interfaces-config": {"interfaces": ["$ifc/$addr"]},
  "dhcp4o6-port": $port,
  "server-id": {"type": "EN", "enterprise-id": 2495, "identifier": "6c77346f36", "persist": false},
  "lease-database": {"type": "memfile", "persist": true,
                     "name": "$KEA_DIR/leases6.csv", "lfc-interval": 0},
  "control-socket": {"socket-type": "unix", "socket-name": "$KEA_DIR/kea6.sock"},
  $hooks6
  "subnet6": [{"id": 1, "subnet": "::/0", $sel6,
    "option-data": [$(printf '%s\n' "${opts6[@]}" | _kea_join)],
    "reservations": [$(printf '%s\n' "${resj[@]}" | _kea_join)]}],
  "loggers": [{"name": "kea-dhcp6", "severity": "$sev", "debuglevel": 99,
               "output_options": [{"output": "$KEA_DIR/kea6.log"}]}]
}}
EOT
	jq -e . "$KEA_DIR/kea4.json" > /dev/null || return 1
	jq -e . "$KEA_DIR/kea6.json" > /dev/null || return 1
	# pid and lock files in our directory, not /run/kea.
	ip netns exec "$ns" env KEA_PIDFILE_DIR="$KEA_DIR" KEA_LOCKFILE_DIR="$KEA_DIR" \
		kea-dhcp4 -c "$KEA_DIR/kea4.json" > "$KEA_DIR/kea4.out" 2>&1 &
	KEA4_PID=$!
	defer kea_stop
	ip netns exec "$ns" env KEA_PIDFILE_DIR="$KEA_DIR" KEA_LOCKFILE_DIR="$KEA_DIR" \
		kea-dhcp6 -c "$KEA_DIR/kea6.json" > "$KEA_DIR/kea6.out" 2>&1 &
	KEA6_PID=$!
	# Listening: kea-dhcp6 on ADDR:547 and ::1:P, kea-dhcp4 on ::1:P+1
	# (connected sockets: ss -a).
	busywait 20000 _kea_listening "$ns" "$addr" "$port" || {
		echo "# Kea does not listen" >&2
		kea_logs >&2
		return 1
	}
}

_kea_ll_ready() {
	ip -n "$1" -6 addr show dev "$2" scope link | grep -q inet6 &&
		! ip -n "$1" -6 addr show dev "$2" tentative | grep -q inet6
}

_kea_listening() {
	local s
	kill -0 "$KEA4_PID" 2> /dev/null && kill -0 "$KEA6_PID" 2> /dev/null || return 1
	s=$(ip netns exec "$1" ss -Hnua) || return 1
	grep -q "\[$2\]:547 " <<< "$s" && grep -q "\[::1\]:$3 " <<< "$s" &&
		grep -q "\[::1\]:$(($3 + 1)) " <<< "$s"
}

# kea_stop: stop both daemons (registered as a cleanup by kea_start).
kea_stop() {
	local p
	for p in ${KEA4_PID:-} ${KEA6_PID:-}; do
		kill "$p" 2> /dev/null && wait "$p" 2> /dev/null
	done
	KEA4_PID="" KEA6_PID=""
	return 0
}

# kea_logs: Kea's logs and output, as KTAP diagnostics (for failures).
kea_logs() {
	local f
	for f in "$KEA_DIR"/kea4.out "$KEA_DIR"/kea4.log "$KEA_DIR"/kea6.out "$KEA_DIR"/kea6.log; do
		[ -s "$f" ] || continue
		ktap_diag "--- ${f##*/} (last 40 lines)"
		ktap_diag "$(tail -n 40 "$f")"
	done
}

# kea_cmd 4|6 JSON: one command on kea-dhcp4's or kea-dhcp6's control
# socket (e.g. '{"command": "lease4-get-all"}' with leasecmds); prints the
# answer (JSON).
kea_cmd() {
	$PYTHON -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode())
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode())' "$KEA_DIR/kea$1.sock" "$2"
}

# kea_leases4: Kea's current DHCPv4 leases, one "ADDRESS HWADDR CLIENT-ID
# VALID STATE" a line (memfile CSV; the last row of an address wins, rows of
# valid lifetime 0, i.e. released, and state 1 (declined) are shown with
# their state; state 0 = default, 1 = declined, 2 = expired-reclaimed).
kea_leases4() {
	[ -f "$KEA_DIR/leases4.csv" ] || return 0
	awk -F, 'NR > 1 { row[$1] = $1 " " $2 " " ($3 == "" ? "-" : $3) " " $4 " " $10 }
		END { for (a in row) print row[a] }' "$KEA_DIR/leases4.csv" | sort
}

# kea_lease4 IPV4: the line of kea_leases4 for IPV4 with a non-zero valid
# lifetime and state 0 (an active lease); fails when there is none.
kea_lease4() {
	kea_leases4 | awk -v a="$1" '$1 == a && $4 != 0 && $5 == 0 { print; f = 1 } END { exit !f }'
}

# dhcp_link_wait NS IFACE: wait until IFACE in NS can send to ff02::1:2
# (its multicast route exists once the link has carrier).
dhcp_link_wait() {
	busywait 10000 sh -c "ip -n '$1' -6 route show table local dev '$2' | grep -q '^multicast ff00::/8'"
}

# dhcp4o6_client NS ARGS...: our client in NS (see py/dhcp4o6_client.py);
# prints its JSON, returns its exit status.
dhcp4o6_client() {
	local ns=$1
	shift
	ip netns exec "$ns" $DHCP4O6_CLIENT "$@"
}

# dhcp4o6_session_start NS ARGS...: one client process in NS (common
# arguments ARGS, e.g. --iface c0 --src ADDR) that runs the commands
# dhcp4o6_do gives it: python starts once (seconds each time in the VM).
dhcp4o6_session_start() {
	local ns=$1
	shift
	coproc DHCP4O6_SESSION { ip netns exec "$ns" $DHCP4O6_CLIENT "$@" session 2> "$TMPDIR/dhcp4o6_client.err"; }
	defer dhcp4o6_session_stop
}

# dhcp4o6_do ARGS...: one command in the session (the arguments after the
# common ones, e.g. --mac M --ports dora); prints its JSON line (with "rc")
# and returns its exit status (2 also when the session is gone).
dhcp4o6_do() {
	local line
	[ -n "${DHCP4O6_SESSION[1]:-}" ] || return 2
	printf '%q ' "$@" >&"${DHCP4O6_SESSION[1]}"
	echo >&"${DHCP4O6_SESSION[1]}"
	IFS= read -r line <&"${DHCP4O6_SESSION[0]}" || { cat "$TMPDIR/dhcp4o6_client.err" >&2; return 2; }
	echo "$line"
	return "$(jq -r .rc <<< "$line")"
}

dhcp4o6_session_stop() {
	[ -n "${DHCP4O6_SESSION[1]:-}" ] && eval "exec ${DHCP4O6_SESSION[1]}>&-"
	[ -n "${DHCP4O6_SESSION_PID:-}" ] && wait "$DHCP4O6_SESSION_PID" 2> /dev/null
	DHCP4O6_SESSION_PID=
	return 0
}

# dhcp_capture_start NS IFACE FILE [nowait]: tcpdump of DHCPv6 (UDP
# 546/547) on IFACE; waits until it listens, unless "nowait" (then call
# dhcp_capture_wait before the first packet: tcpdump takes seconds to start
# in the VM, which can overlap Kea's start).
dhcp_capture_start() {
	ip netns exec "$1" tcpdump -U --immediate-mode -n -i "$2" -w "$3" \
		"udp port 546 or udp port 547" > "$3.log" 2>&1 &
	DHCP_CAPTURE_PID=$!
	DHCP_CAPTURE_FILE=$3
	defer dhcp_capture_stop
	[ "${4:-}" = nowait ] || dhcp_capture_wait
}

# dhcp_capture_wait: until the capture listens.
dhcp_capture_wait() {
	busywait 15000 grep -q "listening on" "$DHCP_CAPTURE_FILE.log"
}

# dhcp_capture_stop: end the capture (packets flushed: tcpdump -U).
dhcp_capture_stop() {
	[ -n "${DHCP_CAPTURE_PID:-}" ] || return 0
	kill "$DHCP_CAPTURE_PID" 2> /dev/null && wait "$DHCP_CAPTURE_PID" 2> /dev/null
	DHCP_CAPTURE_PID=
	return 0
}

# check_dhcp_pcap FILE [FILTER]: every DHCPv6 packet of FILE (those that
# tshark's display filter FILTER selects, when given) decodes in tshark
# without malformed fields or expert errors, and so does the DHCPv4 message
# in option 87 of each DHCPV4-QUERY / -RESPONSE (extracted, decoded as DHCP).
# Prints a summary; exit 0 when all is clean and there was a DHCPv6 packet.
check_dhcp_pcap() {
	WIRESHARK_CONFIG_DIR=$TMPDIR/ws $DHCP4O6_DECODE "$@"
}
