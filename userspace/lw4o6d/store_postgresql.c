/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The shared store: PostgreSQL through libpq, for several lwAFTRs (and a
 * central server) on one database.  See docs/lw4o6d.md ("The PostgreSQL
 * store") for the schema and what the database must provide.
 *
 * Correctness between writers is the database's: the UNIQUE (ipv4, psid)
 * constraint decides which of two daemons racing for a set gets it (the
 * loser's INSERT waits for the winner's transaction and then fails,
 * unique_violation, which lw4o6_put() turns into false: -EEXIST), not
 * timing.  del() deletes only the row as the caller knows
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
 * later call or tick() connects again (at most once a second), without
 * blocking the daemon (advance()).  Inside begin()..commit() a lost
 * connection loses the whole transaction: nothing is reconnected until
 * commit() has said -EAGAIN, so no write of the batch can land outside it.
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
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <libpq-fe.h>

#include "pool.h"
#include "store.h"
#include "store_pg_change.h"
#include "store_pg_sql.h"

#define RECONNECT_S 1
#define CONNECT_TIMEOUT_S 5
/* More changes waiting than this: drop them and resync instead. */
#define QUEUE_MAX 65536
/* Serialises schema creation and migration between daemons. */
#define SCHEMA_LOCK "7518240451630757430"

struct pg {
	PGconn *c;
	char *conninfo;
	char node[64];
	int epfd, evfd;
	int sock;		/* in epfd, or -1 */
	PGconn *cc;		/* a reconnection under way, or NULL */
	int csock;		/* its socket while in epfd, or -1 */
	short cwant;		/* what it waits for: POLLIN or POLLOUT */
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
	/* the server aborted the transaction: commit() will say so */
	if (q->in_txn)
		q->txn_lost = true;
	if (!strcmp(state, "23505"))
		r = -EEXIST;
	/* serialisation, deadlock, lock or statement timeout, resources */
	else if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
		 !strcmp(state, "55P03") || !strcmp(state, "57014") ||
		 !strncmp(state, "53", 2))
		r = -EAGAIN;
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

	drain(s);	/* first: the error's message is the one to keep */
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		r = result_err(s, res, what);
	PQclear(res);
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
	res = PQexecPrepared(q->c, name, pg_stmt[which].nparams, v, NULL,
			     NULL, 0);
	drain(s);
	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK) {
		*r = 0;
		return res;
	}
	*r = result_err(s, res, what);
	PQclear(res);
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
	if (v > PG_SCHEMA_VERSION) {
		set_err(s, "the database's lw4o6 schema version %d is newer than"
			" this lw4o6d's (%d); run a newer lw4o6d", v,
			PG_SCHEMA_VERSION);
		r = -EPROTO;
		goto rollback;
	}
	if (v < 0) {
		set_err(s, "the database's lw4o6 schema version %d is invalid",
			v);
		r = -EPROTO;
		goto rollback;
	}
	for (; v < PG_SCHEMA_VERSION; v++) {
		char what[48], upd[64];

		snprintf(what, sizeof(what), "schema: migrating to version %d",
			 v + 1);
		r = simple(s, pg_migration[v], what);
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
 * Defaults a conninfo may override: bounded waits, so that a dead server
 * costs a B4 a retry, not the daemon's main loop.  application_name comes
 * after the conninfo (expanded from "dbname"), so it is always the node.
 */
static const char *const conn_keys[] = {
	"connect_timeout", "keepalives_idle", "keepalives_interval",
	"keepalives_count", "tcp_user_timeout", "options", "dbname",
	"application_name", NULL,
};

static void conn_vals(struct pg *q, const char *vals[9])
{
	static const char *const dflt[6] = {
		"3", "10", "3", "3", "10000",
		"-c lock_timeout=5000 -c statement_timeout=10000",
	};

	memcpy(vals, dflt, sizeof(dflt));
	vals[6] = q->conninfo;
	vals[7] = q->node;
	vals[8] = NULL;
}

/*
 * On a new connection q->c: checks it is a primary, sets up the schema,
 * prepares, listens, and watches the socket.
 */
static int setup(struct store *s)
{
	struct pg *q = s->priv;
	struct epoll_event ev = { .events = EPOLLIN };
	PGresult *res;
	char name[8];
	int r, i;

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
		res = PQprepare(q->c, name, pg_stmt[i].sql, pg_stmt[i].nparams,
				NULL);
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

/* The first connection, waited for: open() must say whether it works. */
static int pg_connect(struct store *s)
{
	struct pg *q = s->priv;
	const char *vals[9];

	conn_vals(q, vals);
	q->last_try = mono();
	q->c = PQconnectdbParams(conn_keys, vals, 1);
	if (!q->c) {
		set_err(s, "connect: out of memory");
		return -ENOMEM;
	}
	if (PQstatus(q->c) != CONNECTION_OK) {
		set_err(s, "connect: %s", PQerrorMessage(q->c));
		disconnect(q);
		return -EAGAIN;
	}
	return setup(s);
}

/* Waits (in the epoll set) for what PQconnectPoll() asked for. */
static void cc_watch(struct pg *q, PostgresPollingStatusType st)
{
	struct epoll_event ev = { 0 };

	if (q->csock >= 0)
		epoll_ctl(q->epfd, EPOLL_CTL_DEL, q->csock, NULL);
	/* the socket may change (another host of the list) */
	q->csock = PQsocket(q->cc);
	q->cwant = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	ev.events = q->cwant == POLLIN ? EPOLLIN : EPOLLOUT;
	if (q->csock >= 0 && epoll_ctl(q->epfd, EPOLL_CTL_ADD, q->csock, &ev))
		q->csock = -1;
}

static void cc_unwatch(struct pg *q)
{
	if (q->csock >= 0)
		epoll_ctl(q->epfd, EPOLL_CTL_DEL, q->csock, NULL);
	q->csock = -1;
}

static void cc_drop(struct pg *q)
{
	cc_unwatch(q);
	if (q->cc)
		PQfinish(q->cc);
	q->cc = NULL;
}

/*
 * Reconnecting does not block the daemon: PQconnectPoll() is driven by
 * every call, tick() and changes() (the socket is in the epoll fd while
 * it connects, so the handshake moves at the server's pace).  Once the
 * connection is up, setup() runs its few statements synchronously.
 * 0 when connected now, -EAGAIN while still connecting or after failing.
 */
static int advance(struct store *s)
{
	struct pg *q = s->priv;
	PostgresPollingStatusType st;
	struct pollfd p;
	int r;

	if (!q->cc)
		return -EAGAIN;
	/* libpq's rule: poll only once the socket is ready for it */
	p = (struct pollfd){ .fd = PQsocket(q->cc), .events = q->cwant };
	if (p.fd < 0 || poll(&p, 1, 0) <= 0) {
		set_err(s, "connecting to the database");
		return -EAGAIN;
	}
	st = PQconnectPoll(q->cc);
	if (st == PGRES_POLLING_FAILED) {
		set_err(s, "connect: %s", PQerrorMessage(q->cc));
		cc_drop(q);
		return -EAGAIN;
	}
	if (st != PGRES_POLLING_OK) {
		cc_watch(q, st);
		set_err(s, "connecting to the database");
		return -EAGAIN;
	}
	cc_unwatch(q);
	q->c = q->cc;
	q->cc = NULL;
	r = setup(s);
	if (r)
		return r == -EPROTO || r == -EROFS ? r : -EAGAIN;
	/* Whatever happened while we were away was not heard. */
	q->resync = true;
	queue_clear(q);
	raise_ev(q);
	return 0;
}

/* Starts a reconnection, at most once every RECONNECT_S; as advance(). */
static int reconnect(struct store *s)
{
	struct pg *q = s->priv;
	const char *vals[9];

	/* PQconnectPoll() ignores connect_timeout: ours */
	if (q->cc && mono() - q->last_try >= CONNECT_TIMEOUT_S) {
		set_err(s, "connect: timed out after %d s", CONNECT_TIMEOUT_S);
		cc_drop(q);
	}
	if (q->cc)
		return advance(s);
	if (mono() - q->last_try < RECONNECT_S) {
		if (!s->err[0])
			set_err(s, "not connected; retrying shortly");
		return -EAGAIN;
	}
	conn_vals(q, vals);
	q->last_try = mono();
	q->cc = PQconnectStartParams(conn_keys, vals, 1);
	if (!q->cc || PQstatus(q->cc) == CONNECTION_BAD) {
		set_err(s, "connect: %s",
			q->cc ? PQerrorMessage(q->cc) : "out of memory");
		cc_drop(q);
		return -EAGAIN;
	}
	/* as if PQconnectPoll() had said "writing" (libpq's docs) */
	cc_watch(q, PGRES_POLLING_WRITING);
	return advance(s);
}

/* Connected, or -EAGAIN (or a refusal such as a newer schema). */
static int ensure(struct store *s)
{
	struct pg *q = s->priv;

	if (q->c)
		return 0;
	if (q->in_txn) {
		set_err(s, "the connection was lost; the transaction is gone");
		return -EAGAIN;
	}
	return reconnect(s);
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
	cc_drop(q);
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
	q->csock = -1;
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
	char expires[24], created[24], via[4];
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
	snprintf(p->via, sizeof(p->via), "%u", m->via);
}

/* lw4o6_put() does the work, its own savepoint included (see the schema). */
static int pg_put(struct store *s, const struct lw4o6_mapping *m)
{
	struct pg *q = s->priv;
	struct params p;
	char key[96], what[112], a4[INET_ADDRSTRLEN];
	const char *v[12];
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
	v[8] = p.expires; v[9] = p.created; v[10] = q->node; v[11] = p.via;
	fmt_key(key, sizeof(key), m);
	snprintf(what, sizeof(what), "put %s", key);
	res = run(s, ST_PUT, v, what, &r);
	if (!res)
		return r;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t")) {
		inet_ntop(AF_INET, &m->ipv4, a4, sizeof(a4));
		set_err(s, "put %s: %s psid %u belongs to another mapping", key,
			a4, m->psid);
		r = -EEXIST;
	}
	PQclear(res);
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
	m->via = (uint8_t)atoi(PQgetvalue(res, i, 10));
	if (m->via > MAPPING_VIA_MAX)	/* the table's CHECK says otherwise */
		return -EBADMSG;
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
		if (r || n < atoi(PG_EACH_CHUNK))
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

static bool pg_up(struct store *s)
{
	struct pg *q = s->priv;

	return q->c && PQstatus(q->c) == CONNECTION_OK;
}

static int pg_changes(struct store *s, store_change_fn cb, void *arg)
{
	struct pg *q = s->priv;
	uint64_t n;
	int r = 0;

	if (read(q->evfd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing was raised; the socket may have data */
	}
	if (q->cc && !q->in_txn)
		advance(s);	/* the connecting socket woke us */
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
		/* what is queued is committed: the re-read will see it */
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
		int r2 = cb(ch.op, &ch.m, arg);

		if (r2) {
			r = r2;
			break;
		}
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
		reconnect(s);
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

static int pg_audit(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		    store_audit_fn cb, void *arg)
{
	char addr[INET6_ADDRSTRLEN];
	const char *v[1] = { addr };
	struct store_audit a;
	PGresult *res;
	int i, r;

	r = ensure(s);
	if (r)
		return r;
	if (b4)
		inet_ntop(AF_INET6, b4, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, &ipv4, addr, sizeof(addr));
	res = run(s, b4 ? ST_AUDIT_B4 : ST_AUDIT_IPV4, v, "audit", &r);
	if (!res)
		return r;
	if (PQnfields(res) != N_AUDIT_COLS) {
		set_err(s, "audit: unexpected result");
		PQclear(res);
		return -EBADMSG;
	}
	for (i = 0; !r && i < PQntuples(res); i++) {
		memset(&a, 0, sizeof(a));
		if (inet_pton(AF_INET6, PQgetvalue(res, i, 0), &a.b4) != 1 ||
		    inet_pton(AF_INET, PQgetvalue(res, i, 1), &a.ipv4) != 1) {
			set_err(s, "audit: a row has a malformed address");
			r = -EBADMSG;
			break;
		}
		a.psid = (uint16_t)atoi(PQgetvalue(res, i, 2));
		a.psid_len = (uint8_t)atoi(PQgetvalue(res, i, 3));
		a.offset = (uint8_t)atoi(PQgetvalue(res, i, 4));
		a.protocol = (uint8_t)atoi(PQgetvalue(res, i, 5));
		a.internal_port = (uint16_t)atoi(PQgetvalue(res, i, 6));
		a.via = (uint8_t)atoi(PQgetvalue(res, i, 7));
		a.start_ms = strtoll(PQgetvalue(res, i, 8), NULL, 10);
		a.end_ms = strtoll(PQgetvalue(res, i, 9), NULL, 10);
		snprintf(a.node, sizeof(a.node), "%s", PQgetvalue(res, i, 10));
		r = cb(&a, arg);
	}
	PQclear(res);
	return r;
}

static int pg_audit_prune(struct store *s, int64_t before_ms, uint64_t *n)
{
	char val[24], lim[12];
	const char *v[2] = { val, lim };
	PGresult *res;
	int r;

	*n = 0;
	r = ensure(s);
	if (r)
		return r;
	snprintf(val, sizeof(val), "%" PRId64, before_ms);
	snprintf(lim, sizeof(lim), "%d", STORE_PRUNE_BATCH);
	res = run(s, ST_AUDIT_PRUNE, v, "audit prune", &r);
	if (!res)
		return r;
	if (PQntuples(res) == 1)
		*n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
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
	.up = pg_up,
	.set_pools = pg_set_pools,
	.audit = pg_audit,
	.audit_prune = pg_audit_prune,
};
