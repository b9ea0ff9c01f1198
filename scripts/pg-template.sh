#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/pg-template.sh OUT.tar: an empty PostgreSQL 15 cluster (initdb,
# trust authentication, UTF8, owned by the postgres user) packed as OUT.tar,
# for selftests/lib/pg.sh to unpack in the VM: initdb takes about 1.4 s on
# the host and tens of seconds under TCG.  Run as root (initdb then runs as
# postgres) or as any other user (the VM's pg.sh chowns it to postgres).
# Without PostgreSQL installed it writes nothing and succeeds: pg.sh then
# runs initdb itself, and tests without PostgreSQL skip.
set -eu
out=$1
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ]; then
	echo "pg-template: $bin/initdb not installed; no template" >&2
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-template.XXXXXX")
trap 'rm -rf "$dir"' EXIT
run=()
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$dir"
	run=(runuser -u postgres --)
fi
(cd "$dir" && "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
	-E UTF8 --no-sync --no-instructions > "$dir/initdb.log" 2>&1) || {
	cat "$dir/initdb.log" >&2
	exit 1
}
mkdir -p "$(dirname "$out")"
tar -C "$dir" -cf "$out.tmp" data
mv "$out.tmp" "$out"
