#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The lw4o6 command line on the host, without the kernel module: what is
# decided before a socket opens (help at any depth, "did you mean" hints,
# the addresses, names and mode options refused, binding load's all or
# nothing), and the bash completion (bash-completion/lw4o6).  TAP on stdout;
# scripts/check.sh part (a) runs every executable tests/test_*, this one
# included, from userspace/lw4o6.  Needs the built ./lw4o6.
set -u
cd "$(dirname "$0")/.." || exit 1
L=$PWD/lw4o6
[ -x "$L" ] || { echo "1..0 # SKIP ./lw4o6 not built"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

# expect RC NEEDLE CMD...: exit status RC, NEEDLE in stderr (or stdout).
expect() {
	local want=$1 needle=$2 out err rc name
	shift 2
	name="${*#"$L"}"
	name=${name//$tmp/TMP}	# the same test name every run
	out=$("$@" 2> "$tmp/err" < /dev/null); rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" = "$want" ] && [[ "$err$out" == *"$needle"* ]]; then
		ok "rc $rc, \"${needle//$tmp/TMP}\": $name"
	else
		bad "rc $rc (want $want) and \"${needle//$tmp/TMP}\": $name" "stderr: $err" "stdout: ${out:0:200}"
	fi
}
# usage OBJECT CMD...: exit 0, OBJECT's usage on stdout, nothing on stderr
# (so nothing was asked of the kernel).
usage() {
	local obj=$1 out err rc
	shift
	out=$("$@" 2> "$tmp/err" < /dev/null); rc=$?
	err=$(cat "$tmp/err")
	if [ $rc = 0 ] && [[ $out == "Usage: lw4o6 $obj"* ]] && [ -z "$err" ]; then
		ok "help: ${*#"$L"}"
	else
		bad "help: ${*#"$L"}" "rc $rc" "stderr: $err" "stdout: ${out:0:200}"
	fi
}

# ---- help at any depth (ip(8)'s habit); "dev del help" deletes nothing ----
usage dev "$L" dev help
usage dev "$L" dev add help
usage dev "$L" dev del help
usage dev "$L" dev set lw0 hairpin help
usage dev "$L" dev show dev help
usage binding "$L" binding help
usage binding "$L" binding load dev lw0 help
usage binding "$L" binding add dev lw0 ipv4 192.0.2.1 help
usage stats "$L" stats show help
usage monitor "$L" monitor dev help
usage monitor "$L" help monitor
expect 2 'help: unexpected "help"' "$L" help dev help
expect 2 'help: unknown object "stast"; did you mean "stats"?' "$L" help stast

# ---- near misses ----
expect 2 'unknown object "bindng"; did you mean "binding"? Try' "$L" bindng show dev lw0
expect 2 'unknown object "route". Try' "$L" route
expect 2 'dev: unknown command "shwo"; did you mean "show"?' "$L" dev shwo
expect 2 'binding: unknown command "ad"; did you mean "add"?' "$L" binding ad dev lw0
expect 2 'stats: unknown command "shw"; did you mean "show"?' "$L" stats shw dev lw0
expect 2 'unknown keyword "hairpn"; did you mean "hairpin"?' \
	"$L" dev add x0 mode aftr local 2001:db8::1 hairpn on
expect 2 'unknown keyword "repalce"; did you mean "replace"?' \
	"$L" binding add dev lw0 ipv4 192.0.2.1 psid 1/4 b4 2001:db8::2 repalce
expect 2 'unknown option "--jsn"; did you mean "--json"?' "$L" --jsn dev
expect 2 'unexpected "allowempty"; did you mean "allow-empty"?' \
	"$L" binding load dev lw0 /dev/null allowempty
expect 2 'unknown event "bfd-chang"; did you mean "bfd-change"?' "$L" monitor bfd-chang

# ---- addresses no binding can have: refused before the kernel is asked ----
for a in 0.0.0.0 0.1.2.3 127.0.0.1 224.0.0.1 239.1.1.1 240.0.0.1 255.255.255.255; do
	expect 2 "ipv4 $a is " "$L" binding add dev lw0 ipv4 $a psid 0/0 b4 2001:db8::2
done
expect 2 'ipv4 127.0.0.1 is loopback 127.0.0.0/8, not a subscriber address' \
	"$L" binding add dev lw0 ipv4 127.0.0.1 psid 0/0 b4 2001:db8::2
expect 2 'b4 ::1 is loopback ::1' "$L" binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 ::1
expect 2 'b4 ::ffff:192.0.2.9 is IPv4-mapped' \
	"$L" binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 ::ffff:192.0.2.9
expect 2 'b4 fe80::1 is link-local fe80::/10' \
	"$L" binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 fe80::1
expect 2 'b4 ff02::1 is not a unicast' "$L" binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 ff02::1
expect 2 'b4 :: is not a unicast' "$L" binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 ::
expect 2 'ipv4 127.0.0.2 is loopback' \
	"$L" dev add b0 mode b4 local 2001:db8::2 remote 2001:db8::1 ipv4 127.0.0.2 psid 0/0
expect 2 'ipv4 224.0.0.2 is multicast' "$L" dev set b0 ipv4 224.0.0.2 psid 0/0

# ---- options a mode ignores: refused the same way on every mode ----
expect 2 'hairpin is for aftr devices, not mode b4' \
	"$L" dev add b0 mode b4 local 2001:db8::2 remote 2001:db8::1 hairpin on
expect 2 'icmp-source is for aftr devices, not mode dslite' \
	"$L" dev add d0 mode dslite local 2001:db8::2 remote 2001:db8::1 icmp-source 2001:db8::3
expect 2 'mss-clamp is for dslite and b4 devices, not mode aftr' \
	"$L" dev add lw0 mode aftr local 2001:db8::1 mss-clamp on
expect 2 'ipv4 is for b4 devices, not mode dslite' \
	"$L" dev add d0 mode dslite local 2001:db8::2 remote 2001:db8::1 ipv4 192.0.2.1 psid 0/0
expect 2 'miss-hold is for aftr devices, not mode b4' \
	"$L" dev add b0 mode b4 local 2001:db8::2 remote 2001:db8::1 miss-hold 0

# ---- device names the kernel (and lw4o6d) refuse ----
for name in a/b a:1 . .. "a b"; do
	expect 2 "invalid device name \"$name\"" "$L" dev add "$name" mode aftr local 2001:db8::1
done
expect 2 'invalid device name "a:b"' "$L" binding show dev a:b
expect 2 'invalid device name "x/y"' "$L" stats show dev x/y
expect 2 'invalid device name ".."' "$L" dev del ..
expect 2 'invalid device name "a/b"' "$L" monitor dev a/b

# ---- binding load: every bad line, nothing loaded; no silent emptying ----
cat > "$tmp/bad.txt" <<'EOT'
ipv4 192.0.2.1 psid 1/4 b4 2001:db8::1
ipv4 127.0.0.1 psid 1/4 b4 2001:db8::2
ipv4 192.0.2.2 psid 1/4 b4 2001:db8::3 frob
# a comment
ipv4 192.0.2.1 psid 1/4 b4 2001:db8::4
ipv4 192.0.2.3 psid 1/4 b4 fe80::5
EOT
out=$("$L" binding load dev lw0 "$tmp/bad.txt" 2>&1); rc=$?
want="lw4o6: $tmp/bad.txt:2: ipv4 127.0.0.1 is loopback 127.0.0.0/8, not a subscriber address
lw4o6: $tmp/bad.txt:3: unknown keyword \"frob\"
lw4o6: $tmp/bad.txt:5: duplicate binding ipv4 192.0.2.1 psid 1 (first on line 1)
lw4o6: $tmp/bad.txt:6: b4 fe80::5 is link-local fe80::/10, not a B4's address
lw4o6: binding load: 4 bad bindings in $tmp/bad.txt; nothing loaded"
if [ $rc = 1 ] && [ "$out" = "$want" ]; then ok "binding load: every bad line, then nothing loaded"
else bad "binding load: every bad line, then nothing loaded" "rc $rc" "$out"; fi
: > "$tmp/empty.txt"
printf '# nothing yet\n\n' > "$tmp/comments.txt"
expect 1 "has no bindings; that would empty lw0's table (add \"allow-empty\", or use 'binding flush dev lw0')" \
	"$L" binding load dev lw0 "$tmp/empty.txt"
expect 1 "comments.txt has no bindings" "$L" binding load dev lw0 "$tmp/comments.txt"
expect 1 "stdin has no bindings" "$L" binding load dev lw0 - 
# allow-empty gets past the check, to the kernel (not loaded here, or no lw0)
out=$("$L" binding load dev lw0 "$tmp/empty.txt" allow-empty 2>&1)
[[ $out != *"no bindings"* ]] && ok "allow-empty: an empty file goes on to the kernel" ||
	bad "allow-empty: an empty file goes on to the kernel" "$out"

# ---- the same command, spelt as ip(8) would ----
same() {	# DESC CMD1 -- CMD2: same stdout, stderr and exit status
	local desc=$1 a b
	shift
	local -a c1=() c2=()
	while [ "$1" != -- ]; do c1+=("$1"); shift; done
	shift
	c2=("$@")
	a=$("${c1[@]}" 2>&1; echo "rc=$?")
	b=$("${c2[@]}" 2>&1; echo "rc=$?")
	[ "$a" = "$b" ] && ok "$desc" || bad "$desc" "$a" "$b"
}
same "lw4o6 dev is dev show" "$L" dev -- "$L" dev show
same "dev show dev NAME is dev show NAME" "$L" dev show dev lw9 -- "$L" dev show lw9
expect 2 'dev show: "dev" needs a value' "$L" dev show dev
# -ts before the object is ip's -timestamp, not -t -s
expect 2 'unknown event "frob"' "$L" -ts monitor frob
expect 2 'unknown event "frob"' "$L" -timestamp monitor frob
expect 2 'unknown event "frob"' "$L" --timestamp monitor frob

# ---- bash completion ----
mkdir -p "$tmp/bin"
cat > "$tmp/bin/lw4o6" <<EOT
#!/bin/sh
echo "\$*" >> "$tmp/fake.log"
printf 'lw0: mode aftr local 2001:db8::1 mtu 1460 bindings 0\n    hairpin on\nlw1: mode b4 local ::2 remote ::1 mtu 1460\n'
EOT
chmod +x "$tmp/bin/lw4o6"
comp() {	# "WORDS" "EXPECTED": the candidates for the last word
	local line=$1 want=$2 got
	got=$(bash -c '
		. ./bash-completion/lw4o6 || exit 9
		read -ra COMP_WORDS <<< "$1"
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_WORDS[0]=$2
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_lw4o6
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$line" "$tmp/bin/lw4o6")
	line=${line//$tmp/TMP}
	[ "${got% }" = "$want" ] && ok "completion: \"$line\"" ||
		bad "completion: \"$line\"" "got [${got% }]" "want [$want]"
}
comp "lw4o6 " "binding dev help monitor stats"
comp "lw4o6 bi" "binding"
comp "lw4o6 -j st" "stats"
comp "lw4o6 --js" "--json"
comp "lw4o6 dev " "add del help set show"
comp "lw4o6 dev del " "lw0 lw1"
comp "lw4o6 dev show " "dev lw0 lw1"
comp "lw4o6 dev show dev l" "lw0 lw1"
comp "lw4o6 dev add x0 mode " "aftr b4 dslite"
comp "lw4o6 dev set lw0 hair" "hairpin"
comp "lw4o6 dev set lw0 hairpin " "off on"
comp "lw4o6 dev set lw0 icmp-source " "none"
comp "lw4o6 binding " "add del flush help load reject show"
comp "lw4o6 binding add " "dev"
comp "lw4o6 binding add dev " "lw0 lw1"
comp "lw4o6 binding add dev lw0 b" "b4 br"
comp "lw4o6 binding load dev lw0 $tmp/emp" "$tmp/empty.txt"
comp "lw4o6 binding load dev lw0 x " "allow-empty"
comp "lw4o6 stats show dev " "lw0 lw1"
comp "lw4o6 monitor bfd" "bfd-change"
comp "lw4o6 monitor -t" "-timestamp -ts"
: > "$tmp/fake.log"
comp "lw4o6 -n blue dev del lw" "lw0 lw1"
grep -qx -- "-n blue dev show" "$tmp/fake.log" && ok "completion: devices from the -n namespace" ||
	bad "completion: devices from the -n namespace" "$(cat "$tmp/fake.log")"
# the top-level make install-userspace puts it where bash-completion looks
if make -s -C ../.. install-userspace PREFIX=/usr DESTDIR="$tmp/root" > "$tmp/install.log" 2>&1 &&
   cmp -s bash-completion/lw4o6 "$tmp/root/usr/share/bash-completion/completions/lw4o6"; then
	ok "make install: /usr/share/bash-completion/completions/lw4o6"
else
	bad "make install: /usr/share/bash-completion/completions/lw4o6" "$(tail -5 "$tmp/install.log")"
fi

echo "1..$n"
[ $failed = 0 ]
