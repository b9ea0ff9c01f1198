#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 240
#
# Module aliases: creating a link of kind lw4o6, or resolving the generic
# netlink family "lw4o6", loads the module by itself, as it would once
# installed by DKMS.
#
#   +----------------- ns -----------------+
#   | lw0 (created while lw4o6 was absent) |
#   +--------------------------------------+
#
# The guest's /lib/modules is the host's, read-only, so the test builds a
# private module tree (lw4o6.ko, which needs no other module, and the
# kernel's list of built-ins), runs depmod on it and points the kernel's
# usermode modprobe at it for the length of the test.
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd depmod modprobe modinfo
deps=$(modinfo -F depends "$LW4O6_KO" | tr , '\n' | sort | paste -sd' ')
expect_eq "lw4o6.ko needs only netfilter: conntrack, NAT, IPv6 defrag" \
	"$deps" "nf_conntrack nf_defrag_ipv6 nf_nat"
lw4o6_have_ko || ktap_skip_all "$LW4O6_KO not built"
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -d /sys/module/lw4o6 ] && rmmod lw4o6

k=$(uname -r)
root=$TMPDIR/modroot
mkdir -p "$root/lib/modules/$k/extra"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "/lib/modules/$k/$f" ] && cp "/lib/modules/$k/$f" "$root/lib/modules/$k/"
done
cp "$LW4O6_KO" "$root/lib/modules/$k/extra/"
# What lw4o6.ko needs, from the system tree, so modprobe finds it here too.
for d in $deps; do
	modprobe --show-depends "$d"
done | while read -r kind path _; do
	[ "$kind" = insmod ] && cp "$path" "$root/lib/modules/$k/extra/"
done
check_cmd "depmod of a tree with lw4o6.ko" depmod -b "$root" "$k"
check_cmd "modules.alias lists the link kind and the genl family" \
	sh -c "grep -q 'rtnl-link-lw4o6 lw4o6' $root/lib/modules/$k/modules.alias &&
	       grep -q 'net-pf-16-proto-16-family-lw4o6 lw4o6' $root/lib/modules/$k/modules.alias"

cat > "$TMPDIR/modprobe" <<EOT
#!/bin/sh
exec /sbin/modprobe -d "$root" "\$@"
EOT
chmod +x "$TMPDIR/modprobe"
old=$(cat /proc/sys/kernel/modprobe)
defer sh -c "echo $old > /proc/sys/kernel/modprobe"
echo "$TMPDIR/modprobe" > /proc/sys/kernel/modprobe
LW4O6_LOADED_BY_US=1
setup_ns NS

check_cmd "the CLI's family lookup autoloads the module" \
	"$LW4O6" -n "$NS" dev show
check_cmd "module present" test -d /sys/module/lw4o6
check_cmd "rmmod" rmmod lw4o6
check_cmd "creating a link of kind lw4o6 autoloads the module" \
	"$LW4O6" -n "$NS" dev add lw0 mode aftr local 2001:db8::1
expect_eq "the device exists" "$(ip -n "$NS" -d link show lw0 | grep -c lw4o6)" 1
check_cmd "rmmod with the device present" rmmod lw4o6
ktap_finish
