#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# lw4o6d --check-config on the host: which file it checks, what it says
# when it cannot read one, and that a file's rules print as FILE: or
# FILE:LINE:.  TAP on stdout; scripts/check.sh part (a) runs it from
# userspace/lw4o6d.  Needs the built ./lw4o6d.
set -u
cd "$(dirname "$0")/.." || exit 1
D=$PWD/lw4o6d
[ -x "$D" ] || { echo "1..0 # SKIP ./lw4o6d not built"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

# expect RC OUTPUT CMD...: exit status RC and exactly OUTPUT (stdout + stderr).
expect() {
	local want=$1 text=$2 out rc name
	shift 2
	name="${*:2}"
	name=${name//$tmp/TMP}	# the same test name every run
	out=$(timeout 20 "$@" 2>&1 < /dev/null); rc=$?
	if [ "$rc" = "$want" ] && [ "$out" = "$text" ]; then
		ok "rc $rc: lw4o6d $name"
	else
		bad "rc $rc (want $want): lw4o6d $name" "got:  $out" "want: $text"
	fi
}

cat > "$tmp/b4.conf" <<'EOT'
role b4
device b0
EOT
cat > "$tmp/bad.conf" <<'EOT'
role aftr
device lw:0
storage sqlite /var/lib/lw4o6d/x.db
pool 127.0.0.0/16 psid-len 4
EOT
printf 'role b4\n' > "$tmp/nodev.conf"

expect 0 "$tmp/b4.conf: ok" "$D" --check-config "$tmp/b4.conf"
expect 0 "$tmp/b4.conf: ok" "$D" -c "$tmp/b4.conf" --check-config
expect 0 "$tmp/b4.conf: ok" "$D" --check-config -c "$tmp/b4.conf"
expect 1 "lw4o6d: cannot open $tmp/nope.conf: No such file or directory" \
	"$D" --check-config "$tmp/nope.conf"
expect 1 "lw4o6d: cannot read /dev/zero: too large (a configuration is at most 1048576 bytes)" \
	"$D" --check-config /dev/zero
expect 1 "lw4o6d: --check-config: unexpected argument \"$tmp/b4.conf\" (one FILE, or -c FILE)" \
	"$D" --check-config "$tmp/nodev.conf" "$tmp/b4.conf"
expect 1 "lw4o6d: --check-config: unexpected argument \"$tmp/nodev.conf\" (one FILE, or -c FILE)" \
	"$D" -c "$tmp/b4.conf" --check-config "$tmp/nodev.conf"
expect 1 "$tmp/nodev.conf: no 'device' statement" "$D" --check-config "$tmp/nodev.conf"
expect 1 "$tmp/bad.conf:2: device: invalid device name \"lw:0\" (no '/', ':' or space; not \".\" or \"..\")
$tmp/bad.conf:4: pool 127.0.0.0/16: 127.0.0.0/16 is in loopback 127.0.0.0/8 (not a subscriber address)" \
	"$D" --check-config "$tmp/bad.conf"
# Without a file: the daemon's default, whatever it holds on this machine.
out=$("$D" --check-config 2>&1)
[[ $out == *"/etc/lw4o6d.conf"* ]] && ok "--check-config alone checks /etc/lw4o6d.conf" ||
	bad "--check-config alone checks /etc/lw4o6d.conf" "$out"

echo "1..$n"
[ $failed = 0 ]
