/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The embedded store: one SQLite file.
 *
 * Durability.  A PCP answer tells a B4 it owns a port set for a lifetime;
 * if the AFTR forgot the grant after a power cut it could hand the same set
 * to another B4 while the first still uses it.  So a commit must be on disk
 * before the answer leaves:
 *  - journal_mode=WAL: a commit appends to one file and fsyncs it, instead
 *    of the rollback journal's several fsyncs (journal, database,
 *    directory) per commit; readers never block the writer.
 *  - synchronous=FULL: in WAL mode NORMAL skips the fsync at commit and only
 *    syncs at checkpoints, which survives a crash of the daemon but not of
 *    the machine.  FULL fsyncs the WAL on every commit.  The cost is one
 *    fsync per commit, hence store_begin()/store_commit() to put many
 *    grants under one (tests/bench_store.c measures it).
 *  - SQLite fsyncs the directory when it creates the WAL; we do it when we
 *    create the database file, which SQLite does not (store_file.c).
 * busy_timeout covers another process (lw4o6d --dump, sqlite3 the shell)
 * holding the lock for a moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store.h"
#include "store_file.h"

#define SCHEMA_VERSION 3
#define BUSY_TIMEOUT_MS 5000

/*
 * The audit trail (store.h, struct store_audit): who held which set from
 * when to when, in milliseconds since the Unix epoch (UTC); ended NULL
 * while held.  Triggers write it, so that it changes in the transaction
 * that changes the mapping, whoever writes (this daemon, the sqlite3
 * shell).  A renewal (the same set, the same key) leaves the row alone;
 * a set's or key's change closes it and opens another.  The partial index
 * finds a key's open row; audit_ended serves the retention's pruning.
 */
#define NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
#define AUDIT_OPEN \
	" INSERT INTO audit (ipv4, psid, psid_len, \"offset\", b4, protocol," \
	"  internal_port, via, started) VALUES (NEW.ipv4, NEW.psid," \
	"  NEW.psid_len, NEW.\"offset\", NEW.b4, NEW.protocol," \
	"  NEW.internal_port, NEW.via, " NOW_MS ");"
#define AUDIT_CLOSE \
	" UPDATE audit SET ended = max(started, " NOW_MS ")" \
	"  WHERE b4 = OLD.b4 AND protocol = OLD.protocol" \
	"  AND internal_port = OLD.internal_port AND ended IS NULL;"
#define AUDIT_SCHEMA \
	"CREATE TABLE IF NOT EXISTS audit (" \
	" id INTEGER PRIMARY KEY," \
	" ipv4 INT NOT NULL, psid INT NOT NULL, psid_len INT NOT NULL," \
	" \"offset\" INT NOT NULL," \
	" b4 BLOB NOT NULL CHECK (length(b4) = 16)," \
	" protocol INT NOT NULL, internal_port INT NOT NULL," \
	" via INT NOT NULL DEFAULT 0," \
	" started INT NOT NULL, ended INT);" \
	"CREATE INDEX IF NOT EXISTS audit_ipv4 ON audit (ipv4, started);" \
	"CREATE INDEX IF NOT EXISTS audit_b4 ON audit (b4, started);" \
	"CREATE INDEX IF NOT EXISTS audit_ended ON audit (ended)" \
	" WHERE ended IS NOT NULL;" \
	"CREATE INDEX IF NOT EXISTS audit_open" \
	" ON audit (b4, protocol, internal_port) WHERE ended IS NULL;" \
	"CREATE TRIGGER IF NOT EXISTS audit_insert AFTER INSERT ON mappings" \
	" BEGIN" AUDIT_OPEN " END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_update AFTER UPDATE ON mappings" \
	" WHEN OLD.b4 IS NOT NEW.b4 OR OLD.protocol IS NOT NEW.protocol" \
	"  OR OLD.internal_port IS NOT NEW.internal_port" \
	"  OR OLD.ipv4 IS NOT NEW.ipv4 OR OLD.psid IS NOT NEW.psid" \
	"  OR OLD.psid_len IS NOT NEW.psid_len" \
	"  OR OLD.\"offset\" IS NOT NEW.\"offset\"" \
	" BEGIN" AUDIT_CLOSE AUDIT_OPEN " END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_delete AFTER DELETE ON mappings" \
	" BEGIN" AUDIT_CLOSE " END;"

/*
 * ipv4 is kept as a host-order integer so that the sqlite3 shell shows
 * and sorts it as a number; b4 as 16 raw bytes so that key order is the
 * address order.
 */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS mappings ("
	" b4 BLOB NOT NULL CHECK (length(b4) = 16),"
	" protocol INT NOT NULL,"
	" internal_port INT NOT NULL,"
	" nonce BLOB NOT NULL CHECK (length(nonce) = 12),"
	" ipv4 INT NOT NULL,"
	" psid INT NOT NULL,"
	" psid_len INT NOT NULL,"
	" \"offset\" INT NOT NULL,"
	" expires INT NOT NULL,"
	" created INT NOT NULL,"
	" via INT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (b4, protocol, internal_port)"
	") WITHOUT ROWID;"
	"CREATE UNIQUE INDEX IF NOT EXISTS mappings_ipv4_psid"
	" ON mappings (ipv4, psid);"
	"CREATE TABLE IF NOT EXISTS meta ("
	" key TEXT PRIMARY KEY,"
	" value INT NOT NULL"
	") WITHOUT ROWID;"
	AUDIT_SCHEMA
	"PRAGMA user_version = 3;";

/* Version 1 to 2: how each B4 asked (mapping.h, enum mapping_via). */
static const char migrate_1_2[] =
	"ALTER TABLE mappings ADD COLUMN via INT NOT NULL DEFAULT 0;"
	"PRAGMA user_version = 2;";

/*
 * Version 2 to 3: the audit trail.  The mappings already there are held
 * since they were created (their "created", seconds).
 */
static const char migrate_2_3[] =
	AUDIT_SCHEMA
	"INSERT INTO audit (ipv4, psid, psid_len, \"offset\", b4, protocol,"
	" internal_port, via, started)"
	" SELECT ipv4, psid, psid_len, \"offset\", b4, protocol, internal_port,"
	" via, created * 1000 FROM mappings;"
	"PRAGMA user_version = 3;";

static const char *const migrations[SCHEMA_VERSION] = {
	[0] = schema,		/* nothing there: everything at once */
	[1] = migrate_1_2,
	[2] = migrate_2_3,
};

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT,
	ST_DEL,
	ST_EXISTS,
	ST_EACH,
	ST_LOOKUP,
	ST_GET_META,
	ST_SET_META,
	ST_CLEAR,
	ST_AUDIT_IPV4,
	ST_AUDIT_B4,
	ST_AUDIT_PRUNE,
	ST_N,
};

#define MAPPING_COLS "b4, protocol, internal_port, nonce, ipv4, psid, " \
		     "psid_len, \"offset\", expires, created, via"

#define AUDIT_COLS "b4, ipv4, psid, psid_len, \"offset\", protocol, " \
		   "internal_port, via, started, ended"

static const char *const sql[ST_N] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/*
	 * Not INSERT OR REPLACE: REPLACE resolves a clash on ANY unique
	 * constraint by deleting the other row, so a put whose (ipv4, psid)
	 * belongs to another B4 would silently drop that B4's mapping.  The
	 * upsert only replaces on the primary key; the (ipv4, psid) index
	 * still fails the statement.
	 */
	[ST_PUT] = "INSERT INTO mappings (" MAPPING_COLS ")"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		   " ON CONFLICT (b4, protocol, internal_port) DO UPDATE SET"
		   " nonce = excluded.nonce, ipv4 = excluded.ipv4,"
		   " psid = excluded.psid, psid_len = excluded.psid_len,"
		   " \"offset\" = excluded.\"offset\","
		   " expires = excluded.expires, created = excluded.created,"
		   " via = excluded.via",
	/* only the row as the caller knows it (store.h) */
	[ST_DEL] = "DELETE FROM mappings"
		   " WHERE b4 = ?1 AND protocol = ?2 AND internal_port = ?3"
		   " AND ipv4 = ?4 AND psid = ?5 AND expires = ?6",
	[ST_EXISTS] = "SELECT 1 FROM mappings"
		      " WHERE b4 = ?1 AND protocol = ?2 AND internal_port = ?3",
	[ST_EACH] = "SELECT " MAPPING_COLS " FROM mappings"
		    " ORDER BY b4, protocol, internal_port",
	/* no index on ipv4 alone: the (ipv4, psid) one serves */
	[ST_LOOKUP] = "SELECT " MAPPING_COLS " FROM mappings"
		      " WHERE ipv4 = ?1 AND b4 = ?2"
		      " ORDER BY b4, protocol, internal_port",
	[ST_GET_META] = "SELECT value FROM meta WHERE key = ?1",
	[ST_SET_META] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_CLEAR] = "DELETE FROM mappings",
	[ST_AUDIT_IPV4] = "SELECT " AUDIT_COLS " FROM audit WHERE ipv4 = ?1"
			  " ORDER BY started, id",
	[ST_AUDIT_B4] = "SELECT " AUDIT_COLS " FROM audit WHERE b4 = ?1"
			" ORDER BY started, id",
	[ST_AUDIT_PRUNE] = "DELETE FROM audit WHERE id IN (SELECT id FROM audit"
			   " WHERE ended < ?1 LIMIT ?2)",
};

struct sq {
	sqlite3 *db;
	bool in_txn;
	sqlite3_stmt *st[ST_N];
};

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static void set_err(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

/* "what: sqlite's message", and the errno for rc. */
static int db_err(struct store *s, sqlite3 *db, int rc, const char *what)
{
	set_err(s, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return errno_of(rc) ? errno_of(rc) : -EIO;
}

/* Runs a kept statement that returns no rows. */
static int run(struct store *s, int which, const char *what)
{
	struct sq *q = s->priv;
	int rc = sqlite3_step(q->st[which]);

	sqlite3_reset(q->st[which]);
	if (rc != SQLITE_DONE)
		return db_err(s, q->db, rc, what);
	return 0;
}

/* One-row pragma: its text in buf. */
static int pragma(struct store *s, const char *path, const char *stmt,
		  char *buf, size_t len)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st;
	char what[320];
	int rc;

	snprintf(what, sizeof(what), "cannot open %s", path);
	rc = sqlite3_prepare_v2(q->db, stmt, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_err(s, q->db, rc, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && buf) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(buf, len, "%s", t ? (const char *)t : "");
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	db_err(s, q->db, rc, what);
	sqlite3_finalize(st);
	return errno_of(rc);
}

/* Creates the schema, or checks the one that is there. */
static int setup_schema(struct store *s, const char *path)
{
	struct sq *q = s->priv;
	char buf[32], *msg = NULL;
	int r, rc, version;

	/* Under the write lock, so two openers cannot both create it. */
	rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	r = pragma(s, path, "PRAGMA user_version", buf, sizeof(buf));
	if (r)
		goto rollback;
	version = atoi(buf);
	if (version > SCHEMA_VERSION) {
		set_err(s, "cannot open %s: its schema version %d is newer than"
			" this lw4o6d's (%d); run a newer lw4o6d",
			path, version, SCHEMA_VERSION);
		r = -EPROTO;
		goto rollback;
	}
	/* the full schema at 0 sets the version itself: one step */
	while (version < SCHEMA_VERSION) {
		rc = sqlite3_exec(q->db, migrations[version], NULL, NULL, &msg);
		version = version ? version + 1 : SCHEMA_VERSION;
		if (rc != SQLITE_OK) {
			set_err(s, "cannot open %s: creating or migrating the schema: %s",
				path, msg ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			r = errno_of(rc);
			goto rollback;
		}
	}
	rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	return 0;
fail:
	set_err(s, "cannot open %s: %s", path, sqlite3_errmsg(q->db));
	return errno_of(rc) ? errno_of(rc) : -EIO;
rollback:
	sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static void sq_close(struct store *s)
{
	struct sq *q = s->priv;
	int i;

	if (!q)
		return;
	/* Not committed means not promised: drop it. */
	if (q->in_txn && q->st[ST_ROLLBACK])
		run(s, ST_ROLLBACK, "close");
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(q->st[i]);
	/* The last connection checkpoints the WAL into the database here. */
	sqlite3_close(q->db);
	free(q);
	s->priv = NULL;
}

static int sq_open(struct store *s, const char *path)
{
	struct sq *q;
	char mode[16], what[320];
	int r, rc, i;

	r = store_file_prepare(s, path);
	if (r)
		return r;
	q = calloc(1, sizeof(*q));
	if (!q) {
		set_err(s, "cannot open %s: out of memory", path);
		return -ENOMEM;
	}
	s->priv = q;
	snprintf(what, sizeof(what), "cannot open %s", path);
	rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		r = db_err(s, q->db, rc, what);
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);

	r = pragma(s, path, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (r)
		goto fail;
	if (strcmp(mode, "wal")) {
		/* e.g. a file system without shared mmap: not what we promise */
		set_err(s, "cannot open %s: journal mode is %s, not wal", path,
			mode);
		r = -EINVAL;
		goto fail;
	}
	r = pragma(s, path, "PRAGMA synchronous = FULL", NULL, 0);
	if (r)
		goto fail;
	r = setup_schema(s, path);
	if (r)
		goto fail;
	for (i = 0; i < ST_N; i++) {
		rc = sqlite3_prepare_v3(q->db, sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &q->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			r = db_err(s, q->db, rc, what);
			goto fail;
		}
	}
	return 0;
fail:
	sq_close(s);
	return r;
}

static int sq_begin(struct store *s)
{
	struct sq *q = s->priv;
	int r;

	if (q->in_txn) {
		set_err(s, "begin: a transaction is already open");
		return -EINVAL;
	}
	r = run(s, ST_BEGIN, "begin");
	if (!r)
		q->in_txn = true;
	return r;
}

static int sq_commit(struct store *s)
{
	struct sq *q = s->priv;
	int r;

	if (!q->in_txn) {
		set_err(s, "commit: no transaction is open");
		return -EINVAL;
	}
	q->in_txn = false;
	/* SQLite rolls back by itself after some errors (full disk, I/O). */
	if (sqlite3_get_autocommit(q->db)) {
		set_err(s, "commit: the transaction was rolled back after an"
			" earlier error");
		return -EIO;
	}
	r = run(s, ST_COMMIT, "commit");
	/*
	 * A failed commit leaves the transaction open; roll it back so that
	 * failure means "none of it", and the next begin() works.
	 */
	if (r && !sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int bind_key(sqlite3_stmt *st, const struct lw4o6_mapping *m)
{
	int rc;

	rc = sqlite3_bind_blob(st, 1, &m->b4, sizeof(m->b4), SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 2, m->protocol);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 3, m->internal_port);
	return rc;
}

static void fmt_key(char *buf, size_t len, const struct lw4o6_mapping *m)
{
	char a6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &m->b4, a6, sizeof(a6));
	snprintf(buf, len, "%s protocol %u port %u", a6, m->protocol,
		 m->internal_port);
}

static int sq_put(struct store *s, const struct lw4o6_mapping *m)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_PUT];
	char key[96], what[112], a4[INET_ADDRSTRLEN];
	int rc;

	rc = bind_key(st, m);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 4, m->nonce, sizeof(m->nonce),
				       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, ntohl(m->ipv4));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 6, m->psid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 7, m->psid_len);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 8, m->offset);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 9, m->expires);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 10, m->created);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 11, m->via);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	fmt_key(key, sizeof(key), m);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		inet_ntop(AF_INET, &m->ipv4, a4, sizeof(a4));
		set_err(s, "put %s: %s psid %u belongs to another mapping", key,
			a4, m->psid);
		return -EEXIST;
	}
	snprintf(what, sizeof(what), "put %s", key);
	return db_err(s, q->db, rc, what);
}

/*
 * Only the row as the caller knows it: in a store one daemon owns that is
 * always so, but the contract is the shared stores' (-ESTALE when another
 * writer renewed or moved it).
 */
static int sq_del(struct store *s, const struct lw4o6_mapping *m)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_DEL];
	char key[96], what[112];
	int rc;

	rc = bind_key(st, m);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, ntohl(m->ipv4));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 5, m->psid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, m->expires);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	fmt_key(key, sizeof(key), m);
	if (rc == SQLITE_DONE && sqlite3_changes(q->db) > 0)
		return 0;
	if (rc == SQLITE_DONE) {
		st = q->st[ST_EXISTS];
		rc = bind_key(st, m);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) {
			set_err(s, "del %s: renewed or moved since", key);
			return -ESTALE;
		}
		if (rc == SQLITE_DONE) {
			set_err(s, "del %s: no such mapping", key);
			return -ENOENT;
		}
	}
	snprintf(what, sizeof(what), "del %s", key);
	return db_err(s, q->db, rc, what);
}

static int row_to_mapping(sqlite3_stmt *st, struct lw4o6_mapping *m)
{
	memset(m, 0, sizeof(*m));
	/* The CHECKs hold for our rows; a hand-edited file may differ. */
	if (sqlite3_column_bytes(st, 0) != sizeof(m->b4) ||
	    sqlite3_column_bytes(st, 3) != sizeof(m->nonce))
		return -EBADMSG;
	memcpy(&m->b4, sqlite3_column_blob(st, 0), sizeof(m->b4));
	m->protocol = (uint8_t)sqlite3_column_int(st, 1);
	m->internal_port = (uint16_t)sqlite3_column_int(st, 2);
	memcpy(m->nonce, sqlite3_column_blob(st, 3), sizeof(m->nonce));
	m->ipv4 = htonl((uint32_t)sqlite3_column_int64(st, 4));
	m->psid = (uint16_t)sqlite3_column_int(st, 5);
	m->psid_len = (uint8_t)sqlite3_column_int(st, 6);
	m->offset = (uint8_t)sqlite3_column_int(st, 7);
	m->expires = sqlite3_column_int64(st, 8);
	m->created = sqlite3_column_int64(st, 9);
	/* unknown ways (a newer writer's) are treated as the softwire's */
	m->via = (uint8_t)sqlite3_column_int(st, 10);
	if (m->via > MAPPING_VIA_MAX)
		m->via = MAPPING_VIA_SOFTWIRE;
	return 0;
}

/*
 * cb may del() the mapping it is given (SQLite allows deleting the current
 * row of a scan) and put() others; rows a put adds may or may not be seen.
 */
static int sq_each(struct store *s,
		   int (*cb)(const struct lw4o6_mapping *m, void *arg),
		   void *arg)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_EACH], *own = NULL;
	struct lw4o6_mapping m;
	int rc, r = 0;

	/* each() from inside a cb: the kept statement is in use. */
	if (sqlite3_stmt_busy(st)) {
		rc = sqlite3_prepare_v2(q->db, sql[ST_EACH], -1, &own, NULL);
		if (rc != SQLITE_OK)
			return db_err(s, q->db, rc, "each");
		st = own;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_to_mapping(st, &m);
		if (r) {
			set_err(s, "each: a row has a malformed b4 or nonce");
			break;
		}
		r = cb(&m, arg);
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = db_err(s, q->db, rc, "each");
	if (own)
		sqlite3_finalize(own);
	else
		sqlite3_reset(st);
	return r;
}

/* The mappings of ipv4 held by b4 (the same question as PostgreSQL's). */
static int sq_lookup(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		     int (*cb)(const struct lw4o6_mapping *m, void *arg),
		     void *arg)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_LOOKUP], *own = NULL;
	struct lw4o6_mapping m;
	int rc, r = 0;

	/* lookup() from inside a cb: the kept statement is in use. */
	if (sqlite3_stmt_busy(st)) {
		rc = sqlite3_prepare_v2(q->db, sql[ST_LOOKUP], -1, &own, NULL);
		if (rc != SQLITE_OK)
			return db_err(s, q->db, rc, "lookup");
		st = own;
	}
	rc = sqlite3_bind_int64(st, 1, ntohl(ipv4));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 2, b4, sizeof(*b4), SQLITE_STATIC);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			r = row_to_mapping(st, &m);
			if (r) {
				set_err(s, "lookup: a row has a malformed b4"
					" or nonce");
				break;
			}
			r = cb(&m, arg);
			if (r)
				break;
		}
	}
	if (!r && rc != SQLITE_DONE)
		r = db_err(s, q->db, rc, "lookup");
	if (own)
		sqlite3_finalize(own);
	else
		sqlite3_reset(st);
	return r;
}

static int sq_get_meta(struct store *s, const char *key, int64_t *v)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_GET_META];
	char what[96];
	int rc;

	rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE) {
		set_err(s, "get %s: not set", key);
		return -ENOENT;
	}
	snprintf(what, sizeof(what), "get %s", key);
	return db_err(s, q->db, rc, what);
}

static int sq_set_meta(struct store *s, const char *key, int64_t v)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_SET_META];
	char what[96];
	int rc;

	rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, v);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(what, sizeof(what), "set %s", key);
	return db_err(s, q->db, rc, what);
}

static int sq_clear(struct store *s)
{
	return run(s, ST_CLEAR, "clear");
}

static int sq_audit(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		    store_audit_fn cb, void *arg)
{
	struct sq *q = s->priv;
	int which = b4 ? ST_AUDIT_B4 : ST_AUDIT_IPV4;
	sqlite3_stmt *st = q->st[which];
	struct store_audit a;
	int rc, r = 0;

	if (b4)
		rc = sqlite3_bind_blob(st, 1, b4, sizeof(*b4), SQLITE_STATIC);
	else
		rc = sqlite3_bind_int64(st, 1, ntohl(ipv4));
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		memset(&a, 0, sizeof(a));
		if (sqlite3_column_bytes(st, 0) != sizeof(a.b4)) {
			set_err(s, "audit: a row has a malformed b4");
			r = -EBADMSG;
			break;
		}
		memcpy(&a.b4, sqlite3_column_blob(st, 0), sizeof(a.b4));
		a.ipv4 = htonl((uint32_t)sqlite3_column_int64(st, 1));
		a.psid = (uint16_t)sqlite3_column_int(st, 2);
		a.psid_len = (uint8_t)sqlite3_column_int(st, 3);
		a.offset = (uint8_t)sqlite3_column_int(st, 4);
		a.protocol = (uint8_t)sqlite3_column_int(st, 5);
		a.internal_port = (uint16_t)sqlite3_column_int(st, 6);
		a.via = (uint8_t)sqlite3_column_int(st, 7);
		a.start_ms = sqlite3_column_int64(st, 8);
		a.end_ms = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 :
			   sqlite3_column_int64(st, 9);
		r = cb(&a, arg);
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = db_err(s, q->db, rc, "audit");
	sqlite3_reset(st);
	return r;
}

static int sq_audit_prune(struct store *s, int64_t before_ms, uint64_t *n)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = q->st[ST_AUDIT_PRUNE];
	int rc;

	*n = 0;
	rc = sqlite3_bind_int64(st, 1, before_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 2, STORE_PRUNE_BATCH);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, q->db, rc, "audit prune");
	*n = (uint64_t)sqlite3_changes(q->db);
	return 0;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.check = store_file_check,
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.put = sq_put,
	.del = sq_del,
	.each = sq_each,
	.get_meta = sq_get_meta,
	.set_meta = sq_set_meta,
	.clear = sq_clear,
	.lookup = sq_lookup,
	.audit = sq_audit,
	.audit_prune = sq_audit_prune,
};
