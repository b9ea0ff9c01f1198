#!/bin/bash
# scripts/check-packaging.sh - host-side tests of installing lw4o6, no kernel
# needed; scripts/check.sh part (a) runs it.  Prints "ok DESC" / "not ok
# DESC" lines ("# ..." diagnostics); exit 1 if any failed.
#
#  - `make install` into a DESTDIR (default PREFIX, so /usr/local): the
#    programs, every docs/*.[1-8] man page, every unit and journal catalog
#    (the units naming the installed programs); `make uninstall` then leaves
#    no file behind.
#  - the same with PREFIX=/usr: the units are installed as written.
#  - the packages in build/deb (make deb), when there: lintian clean at its
#    default level (errors and warnings), and what they hold: lw4o6 the
#    same files as `make install-userspace PREFIX=/usr` (plus its docs),
#    lw4o6-dkms the sources `make dkms-source` installs with dkms.conf's
#    version filled in, both at debian/changelog's version.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok $1"; }
not_ok() { echo "not ok $1${2:+ # $2}"; fails=$((fails + 1)); }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# same DESC GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; diag "got:" "$2" "want:" "$3"; fi
}
files_in() { (cd "$1" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort); }
mk() { make -s --no-print-directory -C "$TOP" "$@"; }

ver=$(sed -n '1s/^[^ ]* (\([^()]*\)).*/\1/p' "$TOP/debian/changelog")
kver=$(mk --eval 'print-kver: ; @echo $(KVER)' print-kver)
units=$(cd "$TOP/userspace" && ls */systemd/*.service */systemd/*.timer 2>/dev/null)
catalogs=$(cd "$TOP/userspace" && ls */systemd/*.catalog 2>/dev/null)
mans=$(cd "$TOP/docs" && ls *.[1-8])

# ---- make install / uninstall ---------------------------------------------
d=$tmp/local
if mk install DESTDIR="$d" > "$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... (PREFIX=/usr/local)"
	want=$( { echo /usr/local/sbin/lw4o6; echo /usr/local/sbin/lw4o6d
		  for m in $mans; do echo "/usr/local/share/man/man${m##*.}/$m"; done
		  for u in $units; do echo "/usr/local/lib/systemd/system/${u##*/}"; done
		  for c in $catalogs; do echo "/usr/local/lib/systemd/catalog/${c##*/}"; done
		  for c in "$TOP"/userspace/*/bash-completion/*; do
			[ -f "$c" ] && echo "/usr/local/share/bash-completion/completions/${c##*/}"
		  done
		  echo "/lib/modules/$kver/updates/lw4o6.ko"; } | LC_ALL=C sort)
	same "make install: the programs, man pages, units, completions, module" \
		"$(files_in "$d")" "$want"
	same "make install: programs mode 0755" \
		"$(stat -c %a "$d"/usr/local/sbin/lw4o6 "$d"/usr/local/sbin/lw4o6d | sort -u)" 755
	bad=$(grep -l '/usr/sbin/lw4o6' "$d"/usr/local/lib/systemd/system/* 2>/dev/null)
	same "make install: the units run the programs in /usr/local/sbin" "$bad" ""
	grep -q '^ExecStart=/usr/local/sbin/lw4o6d ' "$d/usr/local/lib/systemd/system/lw4o6d@.service" ||
		not_ok "lw4o6d@.service names /usr/local/sbin/lw4o6d"
	if mk uninstall DESTDIR="$d" > "$tmp/uninstall.log" 2>&1; then
		same "make uninstall removes every file make install put" "$(files_in "$d")" ""
	else
		not_ok "make uninstall DESTDIR=..."; diag "$(tail -n 20 "$tmp/uninstall.log")"
	fi
else
	not_ok "make install DESTDIR=... (PREFIX=/usr/local)"; diag "$(tail -n 20 "$tmp/install.log")"
fi

d=$tmp/usr
if mk install-userspace DESTDIR="$d" PREFIX=/usr UNITDIR=/lib/systemd/system \
		> "$tmp/install-usr.log" 2>&1; then
	diffs=$(for u in $units; do
		cmp -s "$TOP/userspace/$u" "$d/lib/systemd/system/${u##*/}" || echo "$u"; done)
	same "PREFIX=/usr: the units are installed as written" "$diffs" ""
else
	not_ok "make install-userspace PREFIX=/usr"; diag "$(tail -n 20 "$tmp/install-usr.log")"
fi

# ---- the packages ---------------------------------------------------------
cli_deb=$(ls "$TOP"/build/deb/lw4o6_"$ver"_*.deb 2>/dev/null | head -n 1)
dkms_deb=$TOP/build/deb/lw4o6-dkms_${ver}_all.deb
if [ -z "$cli_deb" ] || [ ! -f "$dkms_deb" ]; then
	echo "ok packages # SKIP no lw4o6 $ver packages in build/deb (make deb)"
	[ $fails = 0 ]; exit
fi
if ! command -v lintian > /dev/null; then
	not_ok "lintian" "not installed (make deps)"
elif lintian --fail-on error,warning "$TOP"/build/deb/lw4o6_"$ver"_*.changes > "$tmp/lintian.log" 2>&1; then
	ok "lintian: no errors or warnings"
else
	not_ok "lintian: no errors or warnings"; diag "$(grep -v '^running with root' "$tmp/lintian.log")"
fi
same "lw4o6.deb is version $ver" "$(dpkg-deb -f "$cli_deb" Version)" "$ver"
same "lw4o6-dkms.deb is version $ver" "$(dpkg-deb -f "$dkms_deb" Version)" "$ver"

dpkg-deb -x "$cli_deb" "$tmp/cli"
gzip -d "$tmp"/cli/usr/share/man/*/*.gz
same "lw4o6.deb holds what make install-userspace PREFIX=/usr does" \
	"$(files_in "$tmp/cli" | grep -v '^/usr/share/doc/')" "$(files_in "$tmp/usr")"
for f in $(files_in "$tmp/usr"); do
	case $f in /usr/sbin/*) continue ;; esac	# stripped in the package
	cmp -s "$tmp/usr$f" "$tmp/cli$f" || not_ok "lw4o6.deb: $f as make install puts it"
done
ex=$(cd "$TOP/docs/examples" && ls)
same "lw4o6.deb: the examples" \
	"$(ls "$tmp/cli/usr/share/doc/lw4o6/examples" 2>&1)" "$ex"

dpkg-deb -x "$dkms_deb" "$tmp/dkms"
mk dkms-source DESTDIR="$tmp/src" > /dev/null 2>&1
same "lw4o6-dkms.deb: the sources make dkms-source installs" \
	"$(files_in "$tmp/dkms" | grep -v '^/usr/share/doc/')" "$(files_in "$tmp/src")"
same "lw4o6-dkms.deb: dkms.conf's version" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$tmp/dkms/usr/src/lw4o6-$ver/dkms.conf")" "$ver"
[ $fails = 0 ]
