/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The shared store: PostgreSQL through libpq, for several lwAFTRs (and a
 * central server) on one database.  See docs/lw4o6d.md ("The PostgreSQL
 * store") for the schema and what the database must provide.
 *
 * Correctness between writers is the database's: the UNIQUE (ipv4, psid)
 * constraint decides which of two daemons racing for a set gets it (the
 * loser's INSERT waits for the winner's transaction and then fails, 23505,
 * -EEXIST), not timing.  del() deletes only the row as the caller knows
 * it, so a daemon cannot remove a mapping another one renewed or moved.
 *
 * Change feed: a trigger on lw4o6_mappings writes the audit row and sends
 * NOTIFY lw4o6_mappings with the whole row (store_pg_change.h); every
 * daemon LISTENs and ignores what its own backend sent.  Notifications are
 * transactional (a rolled-back savepoint sends none) and are lost while a
 * connection is down, hence STORE_RESYNC after every reconnection.
 *
 * libpq keeps notifications that arrive during a query in its own queue,
 * where the socket's readability no longer shows them; so watch_fd() is an
 * epoll fd over the socket and an eventfd that is raised whenever we
 * queued something.  It stays the same fd across reconnections.
 *
 * Failures a retry can cure are -EAGAIN: the connection is dropped, and a
 * later call or tick() connects again (at most once a second).  Inside
 * begin()..commit() a lost connection loses the whole transaction:
 * nothing is reconnected until commit() has said -EAGAIN, so no write of
 * the batch can land outside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <libpq-fe.h>

#include "pool.h"
#include "store.h"
#include "store_pg_change.h"

#define SCHEMA_VERSION 1
#define RECONNECT_S 1
#define EACH_CHUNK "1000"
/* More changes waiting than this: drop them and resync instead. */
#define QUEUE_MAX 65536
/* Serialises schema creation and migration between daemons. */
#define SCHEMA_LOCK "7518240451630757430"

/*
 * Schema steps: migration[v] takes version v to v + 1, all of them in one
 * transaction with the version row.
 */
static const char *const migration[SCHEMA_VERSION] = {
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
	" DECLARE r lw4o6_mappings; op text; who text;"
	" BEGIN"
	"  IF TG_OP = 'DELETE' THEN r := OLD; op := 'del';"
	"  ELSE r := NEW; op := 'put'; END IF;"
	"  who := coalesce(nullif(current_setting('application_name', true),"
	"   ''), session_user);"
	"  INSERT INTO lw4o6_history (node, op, b4, protocol, internal_port,"
	"   nonce, ipv4, psid, psid_len, \"offset\", expires, created)"
	"   VALUES (who, op, r.b4, r.protocol, r.internal_port, r.nonce,"
	"   r.ipv4, r.psid, r.psid_len, r.\"offset\", r.expires, r.created);"
	"  PERFORM pg_notify('lw4o6_mappings', format("
	"   '1 %s %s %s %s %s %s %s %s %s %s %s %s %s', op, host(r.b4),"
	"   r.protocol, r.internal_port, encode(r.nonce, 'hex'), host(r.ipv4),"
	"   r.psid, r.psid_len, r.\"offset\", r.expires, r.created,"
	"   floor(extract(epoch FROM r.changed))::bigint, r.node));"
	"  RETURN NULL;"
	" END $f$;"
	"CREATE TRIGGER lw4o6_mappings_changed"
	" AFTER INSERT OR UPDATE OR DELETE ON lw4o6_mappings"
	" FOR EACH ROW EXECUTE FUNCTION lw4o6_mappings_changed();",
};

#define MAPPING_COLS "host(b4), protocol, internal_port, encode(nonce, 'hex')," \
		     " host(ipv4), psid, psid_len, \"offset\", expires, created"
#define N_COLS 10

enum {
	ST_PUT,
	ST_DEL,
	ST_EACH_FIRST,
	ST_EACH_NEXT,
	ST_LOOKUP,
	ST_GET_META,
	ST_SET_META,
	ST_CLEAR,
	ST_POOLS_DEL,
	ST_POOLS_CLASH,
	ST_POOLS_ADD,
	ST_N,
};

static const struct {
	const char *sql;
	int nparams;
} stmt[ST_N] = {
	/* replaces only on the key: a clash on (ipv4, psid) fails, 23505 */
	[ST_PUT] = { "INSERT INTO lw4o6_mappings (b4, protocol, internal_port,"
		     " nonce, ipv4, psid, psid_len, \"offset\", expires,"
		     " created, node)"
		     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
		     " ON CONFLICT (b4, protocol, internal_port) DO UPDATE SET"
		     " nonce = excluded.nonce, ipv4 = excluded.ipv4,"
		     " psid = excluded.psid, psid_len = excluded.psid_len,"
		     " \"offset\" = excluded.\"offset\","
		     " expires = excluded.expires, created = excluded.created,"
		     " node = excluded.node, changed = now()", 11 },
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
			    " LIMIT " EACH_CHUNK, 0 },
	[ST_EACH_NEXT] = { "SELECT " MAPPING_COLS " FROM lw4o6_mappings"
			   " WHERE (b4, protocol, internal_port) >"
			   " ($1::inet, $2::smallint, $3::integer)"
			   " ORDER BY b4, protocol, internal_port"
			   " LIMIT " EACH_CHUNK, 3 },
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
};

struct pg {
	PGconn *c;
	char *conninfo;
	char node[64];
	int epfd, evfd;
	int sock;		/* in epfd, or -1 */
	int pid;		/* our backend's, to skip our own notifications */
	bool in_txn;
	bool txn_lost;		/* the open transaction is gone: commit fails */
	bool resync;		/* STORE_RESYNC is owed */
	time_t last_try;	/* the last connection attempt */
	struct pg_change *q;	/* changes not yet handed out */
	size_t q_head, q_n, q_cap;
};

static void set_err(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	/* libpq's messages end in a newline, sometimes two lines */
	for (n = strlen(s->err); n && (s->err[n - 1] == '\n' ||
				       s->err[n - 1] == ' '); n--)
		s->err[n - 1] = 0;
	for (n = 0; s->err[n]; n++)
		if (s->err[n] == '\n')
			s->err[n] = ' ';
}

static time_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void raise_ev(struct pg *q)
{
	uint64_t one = 1;

	if (write(q->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already high; it is readable */
	}
}

static void queue_clear(struct pg *q)
{
	q->q_head = q->q_n = 0;
}

/* Takes what libpq has received into our queue; our own changes skipped. */
static void drain(struct store *s)
{
	struct pg *q = s->priv;
	PGnotify *n;

	if (!q->c)
		return;
	while ((n = PQnotifies(q->c))) {
		struct pg_change ch;

		if (n->be_pid == q->pid || strcmp(n->relname, "lw4o6_mappings")) {
			PQfreemem(n);
			continue;
		}
		if (pg_change_parse(n->extra, strlen(n->extra), &ch)) {
			/* a writer we do not understand: read it all again */
			set_err(s, "change feed: malformed notification from"
				" backend %d; resyncing", n->be_pid);
			q->resync = true;
			queue_clear(q);
			PQfreemem(n);
			continue;
		}
		PQfreemem(n);
		if (q->q_n - q->q_head >= QUEUE_MAX) {
			q->resync = true;
			queue_clear(q);
			continue;
		}
		if (q->q_head && q->q_n == q->q_cap) {
			memmove(q->q, q->q + q->q_head,
				(q->q_n - q->q_head) * sizeof(*q->q));
			q->q_n -= q->q_head;
			q->q_head = 0;
		}
		if (q->q_n == q->q_cap) {
			size_t cap = q->q_cap ? 2 * q->q_cap : 64;
			struct pg_change *nq = realloc(q->q, cap * sizeof(*nq));

			if (!nq) {
				q->resync = true;
				queue_clear(q);
				continue;
			}
			q->q = nq;
			q->q_cap = cap;
		}
		q->q[q->q_n++] = ch;
	}
	if (q->resync || q->q_n > q->q_head)
		raise_ev(q);
}

static void disconnect(struct pg *q)
{
	if (q->sock >= 0)
		epoll_ctl(q->epfd, EPOLL_CTL_DEL, q->sock, NULL);
	q->sock = -1;
	if (q->c)
		PQfinish(q->c);
	q->c = NULL;
	q->pid = 0;
	if (q->in_txn)
		q->txn_lost = true;
}

/* Whether a failed result means the connection (or the server) is gone. */
static bool conn_gone(struct pg *q, const char *state)
{
	if (!q->c || PQstatus(q->c) != CONNECTION_OK)
		return true;
	if (!state)	/* no SQLSTATE: libpq's own error, e.g. a lost socket */
		return true;
	/* connection exception; admin/crash shutdown, cannot connect now */
	return !strncmp(state, "08", 2) || !strncmp(state, "57P", 3);
}

/*
 * An error result: message in err, the connection dropped if it is gone,
 * and the errno the store interface promises for it.
 */
static int result_err(struct store *s, PGresult *res, const char *what)
{
	struct pg *q = s->priv;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	int r;

	if (!msg || !*msg)
		msg = q->c ? PQerrorMessage(q->c) : "no connection";
	set_err(s, "%s: %s", what, msg);
	if (conn_gone(q, state)) {
		disconnect(q);
		return -EAGAIN;
	}
	if (q->in_txn)
		q->txn_lost = true;	/* the caller's savepoint may undo this */
	if (!strcmp(state, "23505"))
		r = -EEXIST;
	else if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
		 !strcmp(state, "55P03") || !strcmp(state, "57014") ||
		 !strncmp(state, "53", 2))
		r = -EAGAIN;	/* serialisation, deadlock, lock or statement timeout, resources */
	else if (!strcmp(state, "25006"))
		r = -EROFS;	/* a standby */
	else if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2))
		r = -EINVAL;
	else if (!strncmp(state, "28", 2) || !strcmp(state, "42501"))
		r = -EACCES;
	else
		r = -EIO;
	return r;
}

/* A statement without parameters whose rows do not matter (BEGIN, ...). */
static int simple(struct store *s, const char *sql, const char *what)
{
	struct pg *q = s->priv;
	PGresult *res = PQexec(q->c, sql);
	int r = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		r = result_err(s, res, what);
	PQclear(res);
	drain(s);
	return r;
}

/* A kept statement; its result (to PQclear) or NULL with *r and err set. */
static PGresult *run(struct store *s, int which, const char *const *v,
		     const char *what, int *r)
{
	struct pg *q = s->priv;
	PGresult *res;
	char name[8];

	snprintf(name, sizeof(name), "s%d", which);
	res = PQexecPrepared(q->c, name, stmt[which].nparams, v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK) {
		*r = 0;
		drain(s);
		return res;
	}
	*r = result_err(s, res, what);
	PQclear(res);
	drain(s);
	return NULL;
}

static void no_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* e.g. "there is no transaction in progress" */
}

/* Creates or migrates the schema: one transaction, one daemon at a time. */
static int setup_schema(struct store *s)
{
	struct pg *q = s->priv;
	PGresult *res;
	int r, v, have;

	r = simple(s, "BEGIN", "schema");
	if (r)
		return r;
	r = simple(s, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", "schema");
	if (r)
		goto rollback;
	res = PQexec(q->c, "SELECT to_regclass('lw4o6_schema') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = result_err(s, res, "schema");
		PQclear(res);
		goto rollback;
	}
	have = !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	v = 0;
	if (have) {
		res = PQexec(q->c, "SELECT version FROM lw4o6_schema");
		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    PQntuples(res) != 1) {
			if (PQresultStatus(res) == PGRES_TUPLES_OK) {
				set_err(s, "schema: lw4o6_schema has %d rows,"
					" not one", PQntuples(res));
				r = -EPROTO;
			} else {
				r = result_err(s, res, "schema");
			}
			PQclear(res);
			goto rollback;
		}
		v = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (v > SCHEMA_VERSION) {
		set_err(s, "the database's lw4o6 schema version %d is newer than"
			" this lw4o6d's (%d); run a newer lw4o6d", v,
			SCHEMA_VERSION);
		r = -EPROTO;
		goto rollback;
	}
	if (v < 0) {
		set_err(s, "the database's lw4o6 schema version %d is invalid",
			v);
		r = -EPROTO;
		goto rollback;
	}
	for (; v < SCHEMA_VERSION; v++) {
		char what[48], upd[64];

		snprintf(what, sizeof(what), "schema: migrating to version %d",
			 v + 1);
		r = simple(s, migration[v], what);
		if (r)
			goto rollback;
		snprintf(upd, sizeof(upd), "UPDATE lw4o6_schema SET version = %d",
			 v + 1);
		r = simple(s, upd, what);
		if (r)
			goto rollback;
	}
	r = simple(s, "COMMIT", "schema");
	if (r && q->c)
		simple(s, "ROLLBACK", "schema");
	return r;
rollback:
	if (q->c) {
		char keep[sizeof(s->err)];

		memcpy(keep, s->err, sizeof(keep));
		simple(s, "ROLLBACK", "schema");
		memcpy(s->err, keep, sizeof(keep));
	}
	return r;
}

/*
 * Connects, checks it is a primary, sets up the schema, prepares, listens.
 * Defaults a conninfo may override: bounded waits, so that a dead server
 * costs a B4 a retry, not the daemon's main loop.
 */
static int pg_connect(struct store *s)
{
	static const char *const keys[] = {
		"connect_timeout", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "tcp_user_timeout", "options", "dbname",
		"application_name", NULL,
	};
	struct pg *q = s->priv;
	const char *vals[9] = {
		"3", "10", "3", "3", "10000",
		"-c lock_timeout=5000 -c statement_timeout=10000",
		q->conninfo, q->node, NULL,
	};
	struct epoll_event ev = { .events = EPOLLIN };
	PGresult *res;
	char name[8];
	int r, i;

	q->last_try = mono();
	q->c = PQconnectdbParams(keys, vals, 1);
	if (!q->c) {
		set_err(s, "connect: out of memory");
		return -ENOMEM;
	}
	if (PQstatus(q->c) != CONNECTION_OK) {
		set_err(s, "connect: %s", PQerrorMessage(q->c));
		disconnect(q);
		return -EAGAIN;
	}
	PQsetNoticeProcessor(q->c, no_notice, NULL);
	q->pid = PQbackendPID(q->c);

	/* Grants must be read back where they were written: the primary. */
	res = PQexec(q->c, "SELECT pg_is_in_recovery()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = result_err(s, res, "connect");
		PQclear(res);
		goto fail;
	}
	if (!strcmp(PQgetvalue(res, 0, 0), "t")) {
		PQclear(res);
		set_err(s, "connect: the server is a standby; lw4o6d needs the"
			" primary (target_session_attrs=read-write)");
		r = -EROFS;
		goto fail;
	}
	PQclear(res);
	r = setup_schema(s);
	if (r)
		goto fail;
	for (i = 0; i < ST_N; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		res = PQprepare(q->c, name, stmt[i].sql, stmt[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			r = result_err(s, res, "prepare");
			PQclear(res);
			goto fail;
		}
		PQclear(res);
	}
	r = simple(s, "LISTEN lw4o6_mappings", "listen");
	if (r)
		goto fail;
	q->sock = PQsocket(q->c);
	if (epoll_ctl(q->epfd, EPOLL_CTL_ADD, q->sock, &ev)) {
		q->sock = -1;
		set_err(s, "connect: epoll: %s", strerror(errno));
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	disconnect(q);
	return r;
}

/* Connected, or -EAGAIN; reconnects at most once every RECONNECT_S. */
static int ensure(struct store *s)
{
	struct pg *q = s->priv;
	int r;

	if (q->c)
		return 0;
	if (q->in_txn) {
		set_err(s, "the connection was lost; the transaction is gone");
		return -EAGAIN;
	}
	if (mono() - q->last_try < RECONNECT_S) {
		if (!s->err[0])
			set_err(s, "not connected; retrying shortly");
		return -EAGAIN;
	}
	r = pg_connect(s);
	if (r)
		return r == -EPROTO || r == -EROFS || r == -ENOMEM ? r : -EAGAIN;
	/* Whatever happened while we were away was not heard. */
	q->resync = true;
	queue_clear(q);
	raise_ev(q);
	return 0;
}

static const char *pg_check(const char *target, char *buf, size_t len)
{
	PQconninfoOption *o;
	char *err = NULL;
	size_t n;

	o = PQconninfoParse(target, &err);
	if (o) {
		PQconninfoFree(o);
		return NULL;
	}
	snprintf(buf, len, "not a PostgreSQL connection string: %s",
		 err ? err : "out of memory");
	for (n = strlen(buf); n && buf[n - 1] == '\n'; n--)
		buf[n - 1] = 0;
	PQfreemem(err);
	return buf;
}

static void pg_close(struct store *s)
{
	struct pg *q = s->priv;

	if (!q)
		return;
	/* Not committed means not promised: PQfinish drops the transaction. */
	disconnect(q);
	if (q->epfd >= 0)
		close(q->epfd);
	if (q->evfd >= 0)
		close(q->evfd);
	free(q->conninfo);
	free(q->q);
	free(q);
	s->priv = NULL;
}

static int pg_open(struct store *s, const char *target)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char buf[256];
	struct pg *q;
	int r;

	if (pg_check(target, buf, sizeof(buf))) {
		set_err(s, "%s", buf);
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		set_err(s, "out of memory");
		return -ENOMEM;
	}
	s->priv = q;
	q->sock = -1;
	q->epfd = epoll_create1(EPOLL_CLOEXEC);
	q->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->conninfo = strdup(target);
	snprintf(q->node, sizeof(q->node), "%s", s->node[0] ? s->node : "lw4o6d");
	if (q->epfd < 0 || q->evfd < 0 || !q->conninfo) {
		set_err(s, "cannot set up: %s", strerror(errno));
		r = -errno;
		goto fail;
	}
	ev.data.fd = q->evfd;
	if (epoll_ctl(q->epfd, EPOLL_CTL_ADD, q->evfd, &ev)) {
		set_err(s, "cannot set up: epoll: %s", strerror(errno));
		r = -errno;
		goto fail;
	}
	/*
	 * The first connection must work: a daemon that starts without its
	 * store would answer nobody, and a wrong conninfo is better said now.
	 */
	r = pg_connect(s);
	if (r)
		goto fail;
	return 0;
fail:
	{
		char keep[sizeof(s->err)];

		memcpy(keep, s->err, sizeof(keep));
		pg_close(s);
		memcpy(s->err, keep, sizeof(keep));
	}
	return r;
}

static int pg_begin(struct store *s)
{
	struct pg *q = s->priv;
	int r;

	if (q->in_txn) {
		set_err(s, "begin: a transaction is already open");
		return -EINVAL;
	}
	r = ensure(s);
	if (!r)
		r = simple(s, "BEGIN", "begin");
	if (!r) {
		q->in_txn = true;
		q->txn_lost = false;
	}
	return r;
}

static int pg_commit(struct store *s)
{
	struct pg *q = s->priv;
	int r;

	if (!q->in_txn) {
		set_err(s, "commit: no transaction is open");
		return -EINVAL;
	}
	if (q->txn_lost || !q->c) {
		if (q->c)
			simple(s, "ROLLBACK", "commit");
		q->in_txn = false;
		q->txn_lost = false;
		set_err(s, "commit: the transaction was lost (connection or"
			" error); nothing of it was applied");
		return -EAGAIN;
	}
	r = simple(s, "COMMIT", "commit");
	q->in_txn = false;
	q->txn_lost = false;
	/*
	 * A COMMIT whose answer was lost with the connection may or may not
	 * have been applied (all or nothing, never half): -EAGAIN, and the
	 * caller's retry puts the same rows again, which is harmless.
	 */
	return r;
}

static void fmt_key(char *buf, size_t len, const struct lw4o6_mapping *m)
{
	char a6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &m->b4, a6, sizeof(a6));
	snprintf(buf, len, "%s protocol %u port %u", a6, m->protocol,
		 m->internal_port);
}

struct params {
	char b4[INET6_ADDRSTRLEN], proto[4], port[6], nonce[2 + 24 + 1];
	char v4[INET_ADDRSTRLEN], psid[6], psid_len[4], offset[4];
	char expires[24], created[24];
};

static void params_of(struct params *p, const struct lw4o6_mapping *m)
{
	size_t i;

	inet_ntop(AF_INET6, &m->b4, p->b4, sizeof(p->b4));
	inet_ntop(AF_INET, &m->ipv4, p->v4, sizeof(p->v4));
	snprintf(p->proto, sizeof(p->proto), "%u", m->protocol);
	snprintf(p->port, sizeof(p->port), "%u", m->internal_port);
	memcpy(p->nonce, "\\x", 2);
	for (i = 0; i < sizeof(m->nonce); i++)
		snprintf(p->nonce + 2 + 2 * i, 3, "%02x", m->nonce[i]);
	snprintf(p->psid, sizeof(p->psid), "%u", m->psid);
	snprintf(p->psid_len, sizeof(p->psid_len), "%u", m->psid_len);
	snprintf(p->offset, sizeof(p->offset), "%u", m->offset);
	snprintf(p->expires, sizeof(p->expires), "%" PRId64, m->expires);
	snprintf(p->created, sizeof(p->created), "%" PRId64, m->created);
}

/*
 * Inside a transaction a failed statement would abort all of it; a
 * savepoint keeps the batch alive past a put that loses a race (-EEXIST).
 */
static int pg_put(struct store *s, const struct lw4o6_mapping *m)
{
	struct pg *q = s->priv;
	struct params p;
	char key[96], what[112], a4[INET_ADDRSTRLEN];
	const char *v[11];
	bool sp = q->in_txn;
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	if (q->txn_lost) {
		set_err(s, "put: the transaction was lost earlier");
		return -EAGAIN;
	}
	params_of(&p, m);
	v[0] = p.b4; v[1] = p.proto; v[2] = p.port; v[3] = p.nonce;
	v[4] = p.v4; v[5] = p.psid; v[6] = p.psid_len; v[7] = p.offset;
	v[8] = p.expires; v[9] = p.created; v[10] = q->node;
	fmt_key(key, sizeof(key), m);
	snprintf(what, sizeof(what), "put %s", key);
	if (sp) {
		r = simple(s, "SAVEPOINT lw4o6_put", what);
		if (r)
			return r;
	}
	res = run(s, ST_PUT, v, what, &r);
	PQclear(res);
	if (sp && q->c) {
		if (r) {
			char keep[sizeof(s->err)];
			int r2;

			memcpy(keep, s->err, sizeof(keep));
			r2 = simple(s, "ROLLBACK TO SAVEPOINT lw4o6_put", what);
			if (!r2)
				q->txn_lost = false;	/* the rest stands */
			memcpy(s->err, keep, sizeof(keep));
		} else {
			r = simple(s, "RELEASE SAVEPOINT lw4o6_put", what);
		}
	}
	if (r == -EEXIST) {
		inet_ntop(AF_INET, &m->ipv4, a4, sizeof(a4));
		set_err(s, "put %s: %s psid %u belongs to another mapping", key,
			a4, m->psid);
	}
	return r;
}

static int pg_del(struct store *s, const struct lw4o6_mapping *m)
{
	struct pg *q = s->priv;
	struct params p;
	char key[96], what[112];
	const char *v[6];
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	if (q->txn_lost) {
		set_err(s, "del: the transaction was lost earlier");
		return -EAGAIN;
	}
	params_of(&p, m);
	v[0] = p.b4; v[1] = p.proto; v[2] = p.port;
	v[3] = p.v4; v[4] = p.psid; v[5] = p.expires;
	fmt_key(key, sizeof(key), m);
	snprintf(what, sizeof(what), "del %s", key);
	res = run(s, ST_DEL, v, what, &r);
	if (!res)
		return r;
	if (PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "1"))
		r = 0;
	else if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1), "0")) {
		set_err(s, "del %s: renewed or moved by another writer", key);
		r = -ESTALE;
	} else {
		set_err(s, "del %s: no such mapping", key);
		r = -ENOENT;
	}
	PQclear(res);
	return r;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A row of MAPPING_COLS; the table's CHECKs make a bad one unlikely. */
static int row_to_mapping(PGresult *res, int i, struct lw4o6_mapping *m)
{
	const char *nonce = PQgetvalue(res, i, 3);
	size_t k;

	memset(m, 0, sizeof(*m));
	if (inet_pton(AF_INET6, PQgetvalue(res, i, 0), &m->b4) != 1 ||
	    inet_pton(AF_INET, PQgetvalue(res, i, 4), &m->ipv4) != 1 ||
	    strlen(nonce) != 2 * sizeof(m->nonce))
		return -EBADMSG;
	for (k = 0; k < sizeof(m->nonce); k++) {
		int hi = hexval(nonce[2 * k]), lo = hexval(nonce[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		m->nonce[k] = (uint8_t)(hi << 4 | lo);
	}
	m->protocol = (uint8_t)atoi(PQgetvalue(res, i, 1));
	m->internal_port = (uint16_t)atoi(PQgetvalue(res, i, 2));
	m->psid = (uint16_t)atoi(PQgetvalue(res, i, 5));
	m->psid_len = (uint8_t)atoi(PQgetvalue(res, i, 6));
	m->offset = (uint8_t)atoi(PQgetvalue(res, i, 7));
	m->expires = strtoll(PQgetvalue(res, i, 8), NULL, 10);
	m->created = strtoll(PQgetvalue(res, i, 9), NULL, 10);
	return 0;
}

/* Hands every row of res to cb; the last row's key in last. */
static int rows(struct store *s, PGresult *res, const char *what,
		int (*cb)(const struct lw4o6_mapping *m, void *arg), void *arg,
		struct lw4o6_mapping *last)
{
	struct lw4o6_mapping m;
	int i, r;

	if (PQnfields(res) != N_COLS) {
		set_err(s, "%s: unexpected result", what);
		return -EBADMSG;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if (row_to_mapping(res, i, &m)) {
			set_err(s, "%s: a row has a malformed address or nonce",
				what);
			return -EBADMSG;
		}
		if (last)
			*last = m;
		r = cb(&m, arg);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Key order, a chunk at a time: cb may del() what it is given and run
 * anything else on the store, since each chunk is wholly read first.  A
 * row present throughout is seen once; rows others add or remove
 * meanwhile may or may not be (the change feed tells of them).
 */
static int pg_each(struct store *s,
		   int (*cb)(const struct lw4o6_mapping *m, void *arg),
		   void *arg)
{
	struct lw4o6_mapping last;
	struct params p;
	const char *v[3];
	PGresult *res;
	int r, n;

	r = ensure(s);
	if (r)
		return r;
	res = run(s, ST_EACH_FIRST, NULL, "each", &r);
	while (res) {
		n = PQntuples(res);
		r = rows(s, res, "each", cb, arg, &last);
		PQclear(res);
		if (r || n < atoi(EACH_CHUNK))
			return r;
		r = ensure(s);
		if (r)
			return r;
		params_of(&p, &last);
		v[0] = p.b4; v[1] = p.proto; v[2] = p.port;
		res = run(s, ST_EACH_NEXT, v, "each", &r);
	}
	return r;
}

static int pg_lookup(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		     int (*cb)(const struct lw4o6_mapping *m, void *arg),
		     void *arg)
{
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	const char *v[2] = { a4, a6 };
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	inet_ntop(AF_INET, &ipv4, a4, sizeof(a4));
	inet_ntop(AF_INET6, b4, a6, sizeof(a6));
	res = run(s, ST_LOOKUP, v, "lookup", &r);
	if (!res)
		return r;
	r = rows(s, res, "lookup", cb, arg, NULL);
	PQclear(res);
	return r;
}

static int pg_get_meta(struct store *s, const char *key, int64_t *v)
{
	char what[96];
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	snprintf(what, sizeof(what), "get %s", key);
	res = run(s, ST_GET_META, &key, what, &r);
	if (!res)
		return r;
	if (PQntuples(res) == 1) {
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	} else {
		set_err(s, "get %s: not set", key);
		r = -ENOENT;
	}
	PQclear(res);
	return r;
}

static int pg_set_meta(struct store *s, const char *key, int64_t v)
{
	char what[96], val[24];
	const char *p[2] = { key, val };
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	snprintf(val, sizeof(val), "%" PRId64, v);
	snprintf(what, sizeof(what), "set %s", key);
	res = run(s, ST_SET_META, p, what, &r);
	PQclear(res);
	return r;
}

static int pg_clear(struct store *s)
{
	PGresult *res;
	int r;

	r = ensure(s);
	if (r)
		return r;
	res = run(s, ST_CLEAR, NULL, "clear", &r);
	PQclear(res);
	return r;
}

static int pg_watch_fd(struct store *s)
{
	struct pg *q = s->priv;

	return q->epfd;
}

static int pg_changes(struct store *s, store_change_fn cb, void *arg)
{
	struct pg *q = s->priv;
	uint64_t n;
	int r = 0;

	if (read(q->evfd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing was raised; the socket may have data */
	}
	if (q->c && !PQconsumeInput(q->c)) {
		set_err(s, "change feed: %s", PQerrorMessage(q->c));
		disconnect(q);
		r = -EAGAIN;
	} else if (q->c && PQstatus(q->c) != CONNECTION_OK) {
		set_err(s, "change feed: the connection is gone");
		disconnect(q);
		r = -EAGAIN;
	}
	drain(s);
	if (q->resync) {
		q->resync = false;
		queue_clear(q);
		r = cb(STORE_RESYNC, NULL, arg);
		if (r) {
			drain(s);
			return r;
		}
	}
	while (q->q_head < q->q_n) {
		/* cb may use the store, which may queue more: copy first */
		struct pg_change ch = q->q[q->q_head++];

		r = cb(ch.op, &ch.m, arg);
		if (r)
			break;
		if (q->resync)
			break;	/* overflowed meanwhile: the next call resyncs */
	}
	if (q->q_head == q->q_n)
		queue_clear(q);
	else
		raise_ev(q);
	return r;
}

static void pg_tick(struct store *s)
{
	struct pg *q = s->priv;

	if (!q->c && !q->in_txn)
		ensure(s);
}

/* The pool's prefix as a cidr (host bits cleared) and its exclusions. */
static void pool_text(const struct pool_cfg *p, char *prefix, size_t plen,
		      char *excl, size_t elen)
{
	char a[INET_ADDRSTRLEN];
	uint32_t net = htonl(ntohl(p->prefix) & ipv4_mask(p->plen));
	size_t i, n;

	inet_ntop(AF_INET, &net, a, sizeof(a));
	snprintf(prefix, plen, "%s/%u", a, p->plen);
	n = (size_t)snprintf(excl, elen, "{");
	for (i = 0; i < p->n_exclude && n < elen; i++) {
		inet_ntop(AF_INET, &p->exclude[i], a, sizeof(a));
		n += (size_t)snprintf(excl + n, elen - n, "%s%s", i ? "," : "",
				      a);
	}
	if (n < elen)
		snprintf(excl + n, elen - n, "}");
}

/*
 * One transaction under a table lock, so that two nodes recording
 * conflicting pools at once cannot both succeed.
 */
static int pg_set_pools(struct store *s, const struct pool_cfg *pools,
			size_t npools)
{
	struct pg *q = s->priv;
	char prefix[24], excl[POOL_MAX_EXCLUDE * 17 + 4], len[4], off[4];
	const char *v[5];
	PGresult *res;
	size_t i;
	int r;

	if (q->in_txn) {
		set_err(s, "set pools: not inside a transaction");
		return -EINVAL;
	}
	r = ensure(s);
	if (r)
		return r;
	r = simple(s, "BEGIN", "set pools");
	if (r)
		return r;
	q->in_txn = true;
	q->txn_lost = false;
	r = simple(s, "LOCK TABLE lw4o6_pools IN SHARE ROW EXCLUSIVE MODE",
		   "set pools");
	v[0] = q->node;
	if (!r) {
		res = run(s, ST_POOLS_DEL, v, "set pools", &r);
		PQclear(res);
	}
	for (i = 0; !r && i < npools; i++) {
		pool_text(&pools[i], prefix, sizeof(prefix), excl, sizeof(excl));
		snprintf(len, sizeof(len), "%u", pools[i].psid_len);
		snprintf(off, sizeof(off), "%u", pools[i].offset);
		v[1] = prefix; v[2] = len; v[3] = off; v[4] = excl;
		res = run(s, ST_POOLS_CLASH, v, "set pools", &r);
		if (res && PQntuples(res)) {
			set_err(s, "pool %s psid-len %s offset %s overlaps"
				" node %s's pool %s psid-len %s offset %s: two"
				" nodes could grant overlapping port sets",
				prefix, len, off, PQgetvalue(res, 0, 0),
				PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
				PQgetvalue(res, 0, 3));
			r = -EINVAL;
		}
		PQclear(res);
		if (!r) {
			res = run(s, ST_POOLS_ADD, v, "set pools", &r);
			PQclear(res);
		}
	}
	if (!r && !q->txn_lost)
		r = simple(s, "COMMIT", "set pools");
	else if (q->c) {
		char keep[sizeof(s->err)];

		memcpy(keep, s->err, sizeof(keep));
		simple(s, "ROLLBACK", "set pools");
		memcpy(s->err, keep, sizeof(keep));
	}
	q->in_txn = false;
	q->txn_lost = false;
	return r;
}

const struct store_ops store_postgresql_ops = {
	.name = "postgresql",
	.check = pg_check,
	.open = pg_open,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.put = pg_put,
	.del = pg_del,
	.each = pg_each,
	.get_meta = pg_get_meta,
	.set_meta = pg_set_meta,
	.clear = pg_clear,
	.lookup = pg_lookup,
	.watch_fd = pg_watch_fd,
	.changes = pg_changes,
	.tick = pg_tick,
	.set_pools = pg_set_pools,
};
