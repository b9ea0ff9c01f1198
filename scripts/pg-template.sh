#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/pg-template.sh OUT.tar: an empty PostgreSQL 15 cluster (initdb,
# trust authentication, also by TCP from 10.9.0.0/24, UTF8, owned by the
# postgres user, with an empty database lw4o6) packed as OUT.tar,
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
	-E UTF8 --no-sync --no-instructions --wal-segsize=1 > "$dir/initdb.log" 2>&1) || {
	cat "$dir/initdb.log" >&2
	exit 1
}
# The failover tests' lwAFTRs connect by TCP from the management link;
# and the database lw4o6d uses exists already, so the guest does not
# spend seconds on createdb.
echo "host all all 10.9.0.0/24 trust" >> "$dir/data/pg_hba.conf"
(cd "$dir" && "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses= -k $dir -c fsync=off -c min_wal_size=2MB -c max_wal_size=4MB" start > /dev/null) || {
	cat "$dir/server.log" >&2
	exit 1
}
rc=0
# Smaller is faster to unpack over 9p in the guest: 1 MB WAL segments,
# and no "postgres" database (nothing uses it; psql names lw4o6).
(cd "$dir" && "${run[@]}" "$bin/createdb" -h "$dir" -U postgres lw4o6) || rc=1
(cd "$dir" && "${run[@]}" psql -h "$dir" -U postgres -d lw4o6 -XAtq \
	-c "drop database postgres") || rc=1
(cd "$dir" && "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null) || rc=1
[ $rc = 0 ] || exit 1
mkdir -p "$(dirname "$out")"
tar -C "$dir" -cf "$out.tmp" data
mv "$out.tmp" "$out"
