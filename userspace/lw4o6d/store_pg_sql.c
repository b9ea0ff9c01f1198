/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The PostgreSQL store's schema and statements (see store_pg_sql.h). */
#include "store_pg_sql.h"

/*
 * Schema steps: pg_migration[v] takes version v to v + 1, all of them in one
 * transaction with the version row.
 */
const char *const pg_migration[PG_SCHEMA_VERSION] = {
	/* 0 -> 1: everything */
	"CREATE TABLE lw4o6_schema ("
	" one boolean PRIMARY KEY DEFAULT true CHECK (one),"
	" version integer NOT NULL);"
	"INSERT INTO lw4o6_schema (version) VALUES (0);"
	"CREATE TABLE lw4o6_meta ("
	" key text PRIMARY KEY,"
	" value bigint NOT NULL);"
	"CREATE TABLE lw4o6_mappings ("
	" b4 inet NOT NULL CHECK (family(b4) = 6 AND masklen(b4) = 128),"
	" protocol smallint NOT NULL CHECK (protocol BETWEEN 0 AND 255),"
	" internal_port integer NOT NULL"
	"  CHECK (internal_port BETWEEN 0 AND 65535),"
	" nonce bytea NOT NULL CHECK (length(nonce) = 12),"
	" ipv4 inet NOT NULL CHECK (family(ipv4) = 4 AND masklen(ipv4) = 32),"
	" psid integer NOT NULL CHECK (psid BETWEEN 0 AND 65535),"
	" psid_len smallint NOT NULL CHECK (psid_len BETWEEN 0 AND 16),"
	" \"offset\" smallint NOT NULL"
	"  CHECK (\"offset\" BETWEEN 0 AND 15 AND \"offset\" + psid_len <= 16),"
	" expires bigint NOT NULL,"
	" created bigint NOT NULL,"
	" node text NOT NULL,"
	" changed timestamptz NOT NULL DEFAULT now(),"
	" CHECK (psid < (1 << psid_len)),"
	" PRIMARY KEY (b4, protocol, internal_port),"
	" CONSTRAINT lw4o6_mappings_set UNIQUE (ipv4, psid));"
	"CREATE TABLE lw4o6_pools ("
	" node text NOT NULL,"
	" prefix cidr NOT NULL CHECK (family(prefix) = 4),"
	" psid_len smallint NOT NULL,"
	" \"offset\" smallint NOT NULL,"
	" exclude inet[] NOT NULL DEFAULT '{}',"
	" changed timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (node, prefix));"
	"CREATE TABLE lw4o6_history ("
	" id bigserial PRIMARY KEY,"
	" at timestamptz NOT NULL DEFAULT clock_timestamp(),"
	" node text NOT NULL,"
	" op text NOT NULL CHECK (op IN ('put', 'del')),"
	" b4 inet NOT NULL, protocol smallint NOT NULL,"
	" internal_port integer NOT NULL, nonce bytea NOT NULL,"
	" ipv4 inet NOT NULL, psid integer NOT NULL,"
	" psid_len smallint NOT NULL, \"offset\" smallint NOT NULL,"
	" expires bigint NOT NULL, created bigint NOT NULL);"
	"CREATE INDEX lw4o6_history_set ON lw4o6_history (ipv4, psid, at);"
	/*
	 * A trigger, so that no writer (a daemon, an operator's psql) can
	 * change a mapping without an audit row and a notification.  The
	 * deleting node is the session's application_name (lw4o6d sets it
	 * to its node name).
	 */
	"CREATE FUNCTION lw4o6_mappings_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $f$"
	" DECLARE r lw4o6_mappings; op text; who text; hid bigint;"
	" BEGIN"
	"  IF TG_OP = 'DELETE' THEN r := OLD; op := 'del';"
	"  ELSE r := NEW; op := 'put'; END IF;"
	"  who := coalesce(nullif(current_setting('application_name', true),"
	"   ''), session_user);"
	"  INSERT INTO lw4o6_history (node, op, b4, protocol, internal_port,"
	"   nonce, ipv4, psid, psid_len, \"offset\", expires, created)"
	"   VALUES (who, op, r.b4, r.protocol, r.internal_port, r.nonce,"
	"   r.ipv4, r.psid, r.psid_len, r.\"offset\", r.expires, r.created)"
	"   RETURNING id INTO hid;"
	"  PERFORM pg_notify('lw4o6_mappings', format("
	"   '1 %s %s %s %s %s %s %s %s %s %s %s %s %s %s', hid, op, host(r.b4),"
	"   r.protocol, r.internal_port, encode(r.nonce, 'hex'), host(r.ipv4),"
	"   r.psid, r.psid_len, r.\"offset\", r.expires, r.created,"
	"   floor(extract(epoch FROM r.changed))::bigint, r.node));"
	"  RETURN NULL;"
	" END $f$;"
	"CREATE TRIGGER lw4o6_mappings_changed"
	" AFTER INSERT OR UPDATE OR DELETE ON lw4o6_mappings"
	" FOR EACH ROW EXECUTE FUNCTION lw4o6_mappings_changed();"
	/*
	 * put: insert or replace by key; false when another key holds the
	 * set.  The EXCEPTION block is a subtransaction, a savepoint in one
	 * round trip: a lost race undoes this put alone, and a batch around
	 * it goes on.  The INSERT waits for a concurrent transaction that
	 * inserted the same set, so the constraint settles the race.
	 */
	"CREATE FUNCTION lw4o6_put(p_b4 inet, p_protocol smallint,"
	" p_port integer, p_nonce bytea, p_ipv4 inet, p_psid integer,"
	" p_psid_len smallint, p_offset smallint, p_expires bigint,"
	" p_created bigint, p_node text) RETURNS boolean"
	" LANGUAGE plpgsql AS $f$"
	" BEGIN"
	"  INSERT INTO lw4o6_mappings (b4, protocol, internal_port, nonce,"
	"   ipv4, psid, psid_len, \"offset\", expires, created, node)"
	"   VALUES (p_b4, p_protocol, p_port, p_nonce, p_ipv4, p_psid,"
	"   p_psid_len, p_offset, p_expires, p_created, p_node)"
	"   ON CONFLICT (b4, protocol, internal_port) DO UPDATE SET"
	"   nonce = excluded.nonce, ipv4 = excluded.ipv4,"
	"   psid = excluded.psid, psid_len = excluded.psid_len,"
	"   \"offset\" = excluded.\"offset\", expires = excluded.expires,"
	"   created = excluded.created, node = excluded.node,"
	"   changed = now();"
	"  RETURN true;"
	" EXCEPTION WHEN unique_violation THEN"
	"  RETURN false;"
	" END $f$;",
	/*
	 * 1 -> 2: how each B4 asked (mapping.h, enum mapping_via), so that a
	 * node taking over knows where to send its ANNOUNCE; the feed's
	 * format 2 carries it.
	 */
	"ALTER TABLE lw4o6_mappings ADD COLUMN via smallint NOT NULL DEFAULT 0"
	" CHECK (via BETWEEN 0 AND 2);"
	"ALTER TABLE lw4o6_history ADD COLUMN via smallint NOT NULL DEFAULT 0;"
	"CREATE OR REPLACE FUNCTION lw4o6_mappings_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $f$"
	" DECLARE r lw4o6_mappings; op text; who text; hid bigint;"
	" BEGIN"
	"  IF TG_OP = 'DELETE' THEN r := OLD; op := 'del';"
	"  ELSE r := NEW; op := 'put'; END IF;"
	"  who := coalesce(nullif(current_setting('application_name', true),"
	"   ''), session_user);"
	"  INSERT INTO lw4o6_history (node, op, b4, protocol, internal_port,"
	"   nonce, ipv4, psid, psid_len, \"offset\", expires, created, via)"
	"   VALUES (who, op, r.b4, r.protocol, r.internal_port, r.nonce,"
	"   r.ipv4, r.psid, r.psid_len, r.\"offset\", r.expires, r.created,"
	"   r.via) RETURNING id INTO hid;"
	"  PERFORM pg_notify('lw4o6_mappings', format("
	"   '2 %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s', hid, op,"
	"   host(r.b4), r.protocol, r.internal_port, encode(r.nonce, 'hex'),"
	"   host(r.ipv4), r.psid, r.psid_len, r.\"offset\", r.expires,"
	"   r.created, r.via, floor(extract(epoch FROM r.changed))::bigint,"
	"   r.node));"
	"  RETURN NULL;"
	" END $f$;"
	"DROP FUNCTION lw4o6_put(inet, smallint, integer, bytea, inet, integer,"
	" smallint, smallint, bigint, bigint, text);"
	"CREATE FUNCTION lw4o6_put(p_b4 inet, p_protocol smallint,"
	" p_port integer, p_nonce bytea, p_ipv4 inet, p_psid integer,"
	" p_psid_len smallint, p_offset smallint, p_expires bigint,"
	" p_created bigint, p_node text, p_via smallint) RETURNS boolean"
	" LANGUAGE plpgsql AS $f$"
	" BEGIN"
	"  INSERT INTO lw4o6_mappings (b4, protocol, internal_port, nonce,"
	"   ipv4, psid, psid_len, \"offset\", expires, created, node, via)"
	"   VALUES (p_b4, p_protocol, p_port, p_nonce, p_ipv4, p_psid,"
	"   p_psid_len, p_offset, p_expires, p_created, p_node, p_via)"
	"   ON CONFLICT (b4, protocol, internal_port) DO UPDATE SET"
	"   nonce = excluded.nonce, ipv4 = excluded.ipv4,"
	"   psid = excluded.psid, psid_len = excluded.psid_len,"
	"   \"offset\" = excluded.\"offset\", expires = excluded.expires,"
	"   created = excluded.created, node = excluded.node,"
	"   via = excluded.via, changed = now();"
	"  RETURN true;"
	" EXCEPTION WHEN unique_violation THEN"
	"  RETURN false;"
	" END $f$;",
	/*
	 * 2 -> 3: the audit trail (store.h, struct store_audit): an interval
	 * a row, which lw4o6_history (an event a write, renewals included)
	 * answers only by replaying.  Its own trigger, in the writer's
	 * transaction; a renewal (same key, same set) leaves it alone.  The
	 * mappings there are held since they were created.  lw4o6_history_at
	 * lets the retention prune the history by age too.
	 */
	"CREATE TABLE lw4o6_audit ("
	" id bigserial PRIMARY KEY,"
	" ipv4 inet NOT NULL, psid integer NOT NULL,"
	" psid_len smallint NOT NULL, \"offset\" smallint NOT NULL,"
	" b4 inet NOT NULL, protocol smallint NOT NULL,"
	" internal_port integer NOT NULL, via smallint NOT NULL,"
	" node text NOT NULL,"
	" started timestamptz NOT NULL, ended timestamptz);"
	"CREATE INDEX lw4o6_audit_ipv4 ON lw4o6_audit (ipv4, started);"
	"CREATE INDEX lw4o6_audit_b4 ON lw4o6_audit (b4, started);"
	"CREATE INDEX lw4o6_audit_ended ON lw4o6_audit (ended)"
	" WHERE ended IS NOT NULL;"
	"CREATE INDEX lw4o6_audit_open ON lw4o6_audit"
	" (b4, protocol, internal_port) WHERE ended IS NULL;"
	"CREATE INDEX lw4o6_history_at ON lw4o6_history (at);"
	"INSERT INTO lw4o6_audit (ipv4, psid, psid_len, \"offset\", b4,"
	" protocol, internal_port, via, node, started)"
	" SELECT ipv4, psid, psid_len, \"offset\", b4, protocol,"
	" internal_port, via, node, to_timestamp(created) FROM lw4o6_mappings;"
	"CREATE FUNCTION lw4o6_audit_changed() RETURNS trigger"
	" LANGUAGE plpgsql AS $f$"
	/* one instant for a move's end and its start: no gap between them */
	" DECLARE t timestamptz := clock_timestamp();"
	" BEGIN"
	"  IF TG_OP = 'UPDATE' AND (OLD.b4, OLD.protocol, OLD.internal_port,"
	"   OLD.ipv4, OLD.psid, OLD.psid_len, OLD.\"offset\")"
	"   IS NOT DISTINCT FROM (NEW.b4, NEW.protocol, NEW.internal_port,"
	"   NEW.ipv4, NEW.psid, NEW.psid_len, NEW.\"offset\") THEN"
	"   RETURN NULL;"
	"  END IF;"
	"  IF TG_OP <> 'INSERT' THEN"
	"   UPDATE lw4o6_audit SET ended = greatest(started, t)"
	"    WHERE b4 = OLD.b4 AND protocol = OLD.protocol"
	"    AND internal_port = OLD.internal_port AND ended IS NULL;"
	"  END IF;"
	"  IF TG_OP <> 'DELETE' THEN"
	"   INSERT INTO lw4o6_audit (ipv4, psid, psid_len, \"offset\", b4,"
	"    protocol, internal_port, via, node, started)"
	"    VALUES (NEW.ipv4, NEW.psid, NEW.psid_len, NEW.\"offset\", NEW.b4,"
	"    NEW.protocol, NEW.internal_port, NEW.via, NEW.node, t);"
	"  END IF;"
	"  RETURN NULL;"
	" END $f$;"
	"CREATE TRIGGER lw4o6_audit_changed"
	" AFTER INSERT OR UPDATE OR DELETE ON lw4o6_mappings"
	" FOR EACH ROW EXECUTE FUNCTION lw4o6_audit_changed();",
};

const struct pg_stmt pg_stmt[ST_N] = {
	/* replaces only on the key; false: another key holds the set */
	[ST_PUT] = { "SELECT lw4o6_put($1::inet, $2::smallint, $3::integer,"
		     " $4::bytea, $5::inet, $6::integer, $7::smallint,"
		     " $8::smallint, $9::bigint, $10::bigint, $11::text,"
		     " $12::smallint)", 12 },
	/*
	 * One round trip: whether it went, and if not whether the key was
	 * there (the outer SELECT sees the snapshot before the DELETE).
	 */
	[ST_DEL] = { "WITH d AS (DELETE FROM lw4o6_mappings"
		     " WHERE b4 = $1 AND protocol = $2 AND internal_port = $3"
		     " AND ipv4 = $4 AND psid = $5 AND expires = $6"
		     " RETURNING 1)"
		     " SELECT (SELECT count(*) FROM d),"
		     " (SELECT count(*) FROM lw4o6_mappings"
		     "  WHERE b4 = $1 AND protocol = $2 AND internal_port = $3)",
		     6 },
	/* in chunks, so that a million rows are never in memory at once */
	[ST_EACH_FIRST] = { "SELECT " MAPPING_COLS " FROM lw4o6_mappings"
			    " ORDER BY b4, protocol, internal_port"
			    " LIMIT " PG_EACH_CHUNK, 0 },
	[ST_EACH_NEXT] = { "SELECT " MAPPING_COLS " FROM lw4o6_mappings"
			   " WHERE (b4, protocol, internal_port) >"
			   " ($1::inet, $2::smallint, $3::integer)"
			   " ORDER BY b4, protocol, internal_port"
			   " LIMIT " PG_EACH_CHUNK, 3 },
	[ST_LOOKUP] = { "SELECT " MAPPING_COLS " FROM lw4o6_mappings"
			" WHERE ipv4 = $1 AND b4 = $2"
			" ORDER BY b4, protocol, internal_port", 2 },
	[ST_GET_META] = { "SELECT value FROM lw4o6_meta WHERE key = $1", 1 },
	[ST_SET_META] = { "INSERT INTO lw4o6_meta (key, value) VALUES ($1, $2)"
			  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			  2 },
	[ST_CLEAR] = { "DELETE FROM lw4o6_mappings", 0 },
	[ST_POOLS_DEL] = { "DELETE FROM lw4o6_pools WHERE node = $1", 1 },
	[ST_POOLS_CLASH] = { "SELECT node, prefix::text, psid_len, \"offset\""
			     " FROM lw4o6_pools WHERE node <> $1"
			     " AND prefix && $2::cidr"
			     " AND (psid_len <> $3 OR \"offset\" <> $4)"
			     " ORDER BY node, prefix LIMIT 1", 4 },
	[ST_POOLS_ADD] = { "INSERT INTO lw4o6_pools (node, prefix, psid_len,"
			   " \"offset\", exclude) VALUES ($1, $2, $3, $4, $5)",
			   5 },
	[ST_AUDIT_IPV4] = { "SELECT " AUDIT_COLS " FROM lw4o6_audit"
			    " WHERE ipv4 = $1::inet ORDER BY started, id", 1 },
	[ST_AUDIT_B4] = { "SELECT " AUDIT_COLS " FROM lw4o6_audit"
			  " WHERE b4 = $1::inet ORDER BY started, id", 1 },
	/* the history too: without a retention it grew for ever */
	[ST_AUDIT_PRUNE] = { "WITH a AS (DELETE FROM lw4o6_audit WHERE id IN"
			     " (SELECT id FROM lw4o6_audit"
			     "  WHERE ended < to_timestamp($1::bigint / 1000.0)"
			     "  LIMIT $2::integer) RETURNING 1),"
			     " h AS (DELETE FROM lw4o6_history WHERE id IN"
			     " (SELECT id FROM lw4o6_history"
			     "  WHERE at < to_timestamp($1::bigint / 1000.0)"
			     "  LIMIT $2::integer) RETURNING 1)"
			     " SELECT (SELECT count(*) FROM a) +"
			     " (SELECT count(*) FROM h)", 2 },
};
