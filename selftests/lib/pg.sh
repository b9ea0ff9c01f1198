# SPDX-License-Identifier: GPL-2.0
# PostgreSQL 15 for the VM tests, sourced after lib.sh: one server in the
# namespace $PG_NS (the caller's, e.g. failover_topology.sh's DB), on a
# tmpfs data folder, listening by TCP on $PG_ADDR:5432 and on a Unix socket
# in its folder, trust authentication, fsync off (nothing here must
# survive a power cut; a restart must keep what was committed, and it does).
#
#	PG_NS=$DB PG_ADDR=10.9.0.1 pg_start || ktap_skip_all "no PostgreSQL"
#	echo "$PG_CONNINFO"          # what lw4o6d's `storage postgresql` gets
#	pg_sql "select count(*) from mappings"      # psql -XAt, one result a line
#	pg_stop; pg_start             # or pg_restart [SECS down]
#
# The guest's / is the host's, read-only, so the server runs from
# /usr/lib/postgresql/15/bin as the postgres user (runuser), its data in
# $TMPDIR's sibling /tmp/lw4o6-pg.XXXXXX (postgres must own it; $TMPDIR is
# root's, mode 700).  Trust authentication, by TCP from 10.9.0.0/24 too
# (the lwAFTRs' management link): a test database, nothing to protect.  initdb costs about 1.4 s on the host and tens of
# seconds under TCG, so `make testdata` makes a template once on the host
# (scripts/pg-template.sh -> build/testdata/pg15.tar) and pg_start unpacks
# it; without the template it runs initdb itself (slow, but correct).
# Everything is stopped and removed at exit (defer).

PG_BIN=/usr/lib/postgresql/15/bin
PG_TEMPLATE=$TOP/build/testdata/pg15.tar
PG_PORT=5432
PG_DB=lw4o6

# pg_available: the server binaries and the postgres user exist.
pg_available() {
	[ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/pg_ctl" ] &&
		id postgres > /dev/null 2>&1 && command -v psql > /dev/null
}

_pg() { ip netns exec "$PG_NS" runuser -u postgres -- "$@"; }

# pg_start: create (first call) and start the server; sets PG_DIR,
# PG_CONNINFO, and prints how long initdb/unpacking and the start took.
pg_start() {
	local t0 t1 t2
	: "${PG_NS:?pg_start needs PG_NS}" "${PG_ADDR:?pg_start needs PG_ADDR}"
	t0=$(now_ms)
	if [ -z "${PG_DIR:-}" ]; then
		PG_DIR=$(mktemp -d /tmp/lw4o6-pg.XXXXXX) || return 1
		defer rm -rf "$PG_DIR"
		defer pg_stop
		chown postgres: "$PG_DIR"
		if [ -f "$PG_TEMPLATE" ]; then
			tar -C "$PG_DIR" -xf "$PG_TEMPLATE" || return 1
			chown -R postgres: "$PG_DIR/data"
			chmod 700 "$PG_DIR/data"
			PG_HOW="template $PG_TEMPLATE"
		else
			_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
				--auth=trust -E UTF8 --no-sync --no-instructions \
				> "$PG_DIR/initdb.log" 2>&1 || {
				cat "$PG_DIR/initdb.log" >&2
				return 1
			}
			echo "host all all 10.9.0.0/24 trust" >> "$PG_DIR/data/pg_hba.conf"
			PG_HOW="initdb in the guest"
		fi
	fi
	t1=$(now_ms)
	_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 120 \
		-o "-c listen_addresses=$PG_ADDR -p $PG_PORT -k $PG_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=40 -c log_min_messages=warning" \
		start > "$PG_DIR/pg_ctl.log" 2>&1 || {
		cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2
		return 1
	}
	# The template has the database; initdb's cluster does not yet.
	if [ ! -f "$PG_TEMPLATE" ] && [ -z "${PG_CREATED:-}" ]; then
		pg_psql postgres -c "create database $PG_DB" > /dev/null || return 1
		PG_CREATED=1
	fi
	t2=$(now_ms)
	PG_CONNINFO="host=$PG_ADDR port=$PG_PORT user=postgres dbname=$PG_DB connect_timeout=15"
	echo "PostgreSQL: $PG_HOW in $((t1 - t0)) ms, started in $((t2 - t1)) ms; conninfo \"$PG_CONNINFO\""
}

# pg_stop: stop the server (fast: connections are cut, as a crash of the
# database host would cut them; what was committed stays).
pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
	_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop > /dev/null 2>&1
}

# pg_restart [SECS]: stop, stay down SECS seconds (default 0), start.
pg_restart() {
	pg_stop || return 1
	sleep "${1:-0}"
	pg_start > /dev/null
}

# pg_psql DB ARGS...: psql on the Unix socket, unaligned, tuples only.
pg_psql() {
	local db=$1
	shift
	ip netns exec "$PG_NS" psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$db" -XAtq -v ON_ERROR_STOP=1 "$@"
}

# pg_sql SQL: one statement on the lw4o6 database; rows as "a|b|c" lines.
pg_sql() { pg_psql "$PG_DB" -c "$1"; }

# pg_log: the server's log, as KTAP diagnostics (for failures).
pg_log() {
	[ -s "${PG_DIR:-}/server.log" ] || return 0
	ktap_diag "--- PostgreSQL server.log (last 30 lines)"
	ktap_diag "$(tail -n 30 "$PG_DIR/server.log")"
}
