// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The store contract (store.h), the same cases against both back ends:
 * SQLite in a scratch folder and PostgreSQL started here (tests/pg_server.c).
 * Then what only a shared store has: two daemons racing for one set from
 * two processes, the change feed, the schema version, pools, and the
 * database restarting in the middle of grants.  No PostgreSQL installed is
 * a failure, not a skip.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include "audit.h"
#include "audit_command.h"
#include "pool.h"
#include "store.h"
#include "store_pg_change.h"
#include "store_pg_sql.h"
#include "tests/cmocka_wrap.h"
#include "tests/pg_server.h"

static struct pg_server pg;
static bool pg_up;

struct backend {
	const char *kind;
	char dir[64];
	char target[192];
};

static struct backend be_sqlite = { .kind = "sqlite" };
static struct backend be_postgresql = { .kind = "postgresql" };

static bool is_pg(const struct backend *b)
{
	return !strcmp(b->kind, "postgresql");
}

static int setup(void **state)
{
	struct backend *b = *state;

	if (is_pg(b)) {
		if (!pg_up)
			return -1;
		/* a fresh schema for each case; the store creates its own */
		if (pg_server_sql(&pg, "DROP SCHEMA public CASCADE;"
				  " CREATE SCHEMA public"))
			return -1;
		snprintf(b->target, sizeof(b->target), "%s", pg.conninfo);
		return 0;
	}
	snprintf(b->dir, sizeof(b->dir), "/tmp/lw4o6-contract.XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	snprintf(b->target, sizeof(b->target), "%s/lw4o6d.db", b->dir);
	return 0;
}

static int teardown(void **state)
{
	struct backend *b = *state;
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[256];
	size_t i;

	if (is_pg(b))
		return 0;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", b->target, sfx[i]);
		unlink(p);
	}
	rmdir(b->dir);
	return 0;
}

static void open_as(struct store *s, const struct backend *b, const char *node)
{
	int r;

	memset(s, 0, sizeof(*s));
	snprintf(s->node, sizeof(s->node), "%s", node);
	r = store_open(s, store_find(b->kind), b->target);
	if (r)
		fail_msg("open %s %s: %d %s", b->kind, b->target, r, s->err);
}

static void mk(struct lw4o6_mapping *m, uint32_t n, uint8_t proto,
	       uint16_t port)
{
	memset(m, 0, sizeof(*m));
	m->b4.s6_addr[0] = 0x20;
	m->b4.s6_addr[1] = 0x01;
	m->b4.s6_addr[2] = 0x0d;
	m->b4.s6_addr[3] = 0xb8;
	m->b4.s6_addr[12] = (uint8_t)(n >> 24);
	m->b4.s6_addr[13] = (uint8_t)(n >> 16);
	m->b4.s6_addr[14] = (uint8_t)(n >> 8);
	m->b4.s6_addr[15] = (uint8_t)n;
	m->protocol = proto;
	m->internal_port = port;
	memset(m->nonce, (int)(n & 0xff) ^ 0x5a, sizeof(m->nonce));
	m->nonce[0] = proto;
	m->nonce[11] = 0xff;
	/* 198.18.0.0/15, 63 sets per address: (ipv4, psid) unique per n */
	m->ipv4 = htonl(0xc6120000 + n / 63);
	m->psid = (uint16_t)(1 + n % 63);
	m->psid_len = 6;
	m->offset = 0;
	m->expires = 1700000000LL + n;
	m->created = 1600000000LL - n;
}

struct collect {
	struct lw4o6_mapping *m;
	size_t n, max;
	size_t stop_at;		/* 0: never */
	struct store *del_from;	/* del each row as it is seen */
};

static int collect_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct collect *c = arg;

	if (c->n < c->max)
		c->m[c->n] = *m;
	c->n++;
	if (c->del_from)
		assert_int_equal(c->del_from->ops->del(c->del_from, m), 0);
	if (c->stop_at && c->n == c->stop_at)
		return 42;
	return 0;
}

static size_t count(struct store *s)
{
	struct collect c = { 0 };
	int r = s->ops->each(s, collect_cb, &c);

	if (r)
		fail_msg("each: %d %s", r, s->err);
	return c.n;
}

/* ---- both back ends -------------------------------------------------------- */

static void c_basic(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m[4], got[8], x;
	struct collect c = { got, 0, 8, 0, NULL };
	struct store s;
	int64_t v;

	open_as(&s, b, "a");
	/* Put out of key order; each() gives key order. */
	mk(&m[2], 7, 17, 0);
	mk(&m[0], 3, 6, 80);
	mk(&m[1], 3, 17, 0);
	m[1].psid = 60;
	mk(&m[3], 0x01000000, 0, 0);	/* sorts last by address */
	assert_int_equal(s.ops->put(&s, &m[3]), 0);
	assert_int_equal(s.ops->put(&s, &m[2]), 0);
	assert_int_equal(s.ops->put(&s, &m[1]), 0);
	assert_int_equal(s.ops->put(&s, &m[0]), 0);
	/* Same key again: replaced, not added. */
	m[1].expires += 3600;
	m[1].nonce[5] ^= 0xff;
	m[1].psid = 61;
	assert_int_equal(s.ops->put(&s, &m[1]), 0);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 4);
	assert_memory_equal(got, m, sizeof(m));

	/* A nonzero return stops the walk and comes back. */
	c = (struct collect){ got, 0, 8, 2, NULL };
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 42);
	assert_int_equal(c.n, 2);

	/* del: only the row as the caller knows it */
	x = m[2];
	x.expires--;			/* renewed since */
	assert_int_equal(s.ops->del(&s, &x), -ESTALE);
	x = m[2];
	x.psid++;			/* moved since */
	assert_int_equal(s.ops->del(&s, &x), -ESTALE);
	assert_int_equal(count(&s), 4);
	assert_int_equal(s.ops->del(&s, &m[2]), 0);
	assert_int_equal(s.ops->del(&s, &m[2]), -ENOENT);
	assert_non_null(strstr(s.err, "no such mapping"));
	x = m[0];
	x.internal_port = 81;	/* other key, same b4 */
	assert_int_equal(s.ops->del(&s, &x), -ENOENT);
	assert_int_equal(count(&s), 3);

	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), -ENOENT);
	assert_int_equal(s.ops->set_meta(&s, "epoch", 1234567890123LL), 0);
	assert_int_equal(s.ops->set_meta(&s, "other", -5), 0);
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 1234567890123LL);
	assert_int_equal(s.ops->set_meta(&s, "epoch", 7), 0);
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 7);

	/* clear() takes the mappings, not the meta. */
	assert_int_equal(s.ops->clear(&s), 0);
	assert_int_equal(count(&s), 0);
	assert_int_equal(s.ops->get_meta(&s, "other", &v), 0);
	assert_int_equal(v, -5);
	s.ops->close(&s);

	/* and all of it was stored, not cached */
	open_as(&s, b, "a");
	assert_int_equal(count(&s), 0);
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 7);
	s.ops->close(&s);
}

static void c_lookup(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m[5], got[8];
	struct collect c = { got, 0, 8, 0, NULL };
	struct store s;
	int i;

	open_as(&s, b, "a");
	assert_non_null(s.ops->lookup);
	mk(&m[0], 10, 6, 0);		/* B4 X, address A, two sets */
	mk(&m[1], 10, 17, 0);
	m[1].psid = 40;
	mk(&m[2], 10, 1, 0);		/* B4 X, address A + 1 */
	m[2].ipv4 = htonl(ntohl(m[0].ipv4) + 1);
	mk(&m[3], 11, 6, 0);		/* B4 Y, address A */
	mk(&m[4], 12, 6, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(s.ops->put(&s, &m[i]), 0);
	assert_int_equal(s.ops->lookup(&s, m[0].ipv4, &m[0].b4, collect_cb,
				       &c), 0);
	assert_int_equal(c.n, 2);
	assert_memory_equal(&got[0], &m[0], sizeof(m[0]));
	assert_memory_equal(&got[1], &m[1], sizeof(m[1]));
	c = (struct collect){ got, 0, 8, 0, NULL };
	assert_int_equal(s.ops->lookup(&s, m[2].ipv4, &m[0].b4, collect_cb,
				       &c), 0);
	assert_int_equal(c.n, 1);
	assert_memory_equal(&got[0], &m[2], sizeof(m[2]));
	/* an address nobody holds; a B4 that holds another address */
	c = (struct collect){ got, 0, 8, 0, NULL };
	assert_int_equal(s.ops->lookup(&s, htonl(0xc0000201), &m[0].b4,
				       collect_cb, &c), 0);
	assert_int_equal(s.ops->lookup(&s, m[2].ipv4, &m[3].b4, collect_cb,
				       &c), 0);
	assert_int_equal(c.n, 0);
	/* cb's nonzero return comes back */
	c = (struct collect){ got, 0, 8, 1, NULL };
	assert_int_equal(s.ops->lookup(&s, m[0].ipv4, &m[0].b4, collect_cb,
				       &c), 42);
	assert_int_equal(c.n, 1);
	s.ops->close(&s);
}

static void c_eexist(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping a, x, cc, d, got[4];
	struct collect c = { got, 0, 4, 0, NULL };
	struct store s;

	open_as(&s, b, "a");
	mk(&a, 1, 6, 0);
	mk(&cc, 2, 6, 0);
	assert_int_equal(s.ops->put(&s, &a), 0);
	assert_int_equal(s.ops->put(&s, &cc), 0);

	/* Another key, a's (ipv4, psid): refused, a untouched. */
	mk(&x, 9, 6, 0);
	x.ipv4 = a.ipv4;
	x.psid = a.psid;
	assert_int_equal(s.ops->put(&s, &x), -EEXIST);
	assert_non_null(strstr(s.err, "belongs to another mapping"));
	/* a moving onto c's set must not delete c */
	x = a;
	x.psid = cc.psid;
	x.expires++;
	assert_int_equal(s.ops->put(&s, &x), -EEXIST);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_memory_equal(&got[0], &a, sizeof(a));
	assert_memory_equal(&got[1], &cc, sizeof(cc));
	/* a keeping its own set, or taking a free one, is fine. */
	a.expires += 100;
	assert_int_equal(s.ops->put(&s, &a), 0);
	a.psid = 50;
	assert_int_equal(s.ops->put(&s, &a), 0);

	/* In a batch the failed put alone is undone; the rest commits. */
	assert_int_equal(s.ops->begin(&s), 0);
	mk(&x, 3, 6, 0);
	assert_int_equal(s.ops->put(&s, &x), 0);
	x.protocol = 17;
	assert_int_equal(s.ops->put(&s, &x), -EEXIST);
	mk(&d, 4, 6, 0);
	assert_int_equal(s.ops->put(&s, &d), 0);
	assert_int_equal(s.ops->commit(&s), 0);
	s.ops->close(&s);
	open_as(&s, b, "a");
	c = (struct collect){ got, 0, 4, 0, NULL };
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 4);
	assert_memory_equal(&got[0], &a, sizeof(a));
	x.protocol = 6;
	assert_memory_equal(&got[2], &x, sizeof(x));
	assert_memory_equal(&got[3], &d, sizeof(d));
	s.ops->close(&s);
}

/* cb may delete what it is given, and walk again from inside. */
static int nested_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct store *s = arg;

	(void)m;
	assert_int_equal(count(s), 5);
	return 0;
}

static void c_each_cb(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m, got[8];
	struct collect c = { got, 0, 8, 0, NULL };
	struct store s;
	uint32_t i;

	open_as(&s, b, "a");
	assert_int_equal(s.ops->begin(&s), 0);
	for (i = 0; i < 5; i++) {
		mk(&m, i, 6, 0);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);
	assert_int_equal(s.ops->each(&s, nested_cb, &s), 0);
	c.del_from = &s;
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(count(&s), 0);
	s.ops->close(&s);
	open_as(&s, b, "a");
	assert_int_equal(count(&s), 0);
	s.ops->close(&s);
}

/* Batches: errors of use, many rows (past PostgreSQL's each() chunk). */
static void c_txn(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m, got[1300];
	struct collect c = { got, 0, 1300, 0, NULL };
	struct store s;
	uint32_t i;

	open_as(&s, b, "a");
	assert_int_equal(s.ops->commit(&s), -EINVAL);
	assert_int_equal(s.ops->begin(&s), 0);
	assert_int_equal(s.ops->begin(&s), -EINVAL);
	for (i = 0; i < 1200; i++) {
		mk(&m, i, 17, (uint16_t)i);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 1200);
	for (i = 0; i < 1200; i++) {
		mk(&m, i, 17, (uint16_t)i);
		assert_memory_equal(&got[i], &m, sizeof(m));
	}

	assert_int_equal(s.ops->begin(&s), 0);
	for (i = 0; i < 1200; i += 2) {
		mk(&m, i, 17, (uint16_t)i);
		assert_int_equal(s.ops->del(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);

	/* Closing with a transaction open drops it. */
	assert_int_equal(s.ops->begin(&s), 0);
	mk(&m, 1, 17, 1);
	assert_int_equal(s.ops->del(&s, &m), 0);
	mk(&m, 20000, 0, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	s.ops->close(&s);

	open_as(&s, b, "a");
	assert_int_equal(count(&s), 600);
	s.ops->close(&s);
}

/* ---- the audit trail (both back ends) --------------------------------------- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct audit_rows {
	struct store_audit a[16];
	size_t n;
};

static int audit_cb(const struct store_audit *a, void *arg)
{
	struct audit_rows *r = arg;

	if (r->n < 16)
		r->a[r->n] = *a;
	r->n++;
	return 0;
}

static struct audit_rows *rows_of(struct store *s, struct audit_rows *r,
				  uint32_t ipv4, const struct in6_addr *b4)
{
	int e;

	memset(r, 0, sizeof(*r));
	e = s->ops->audit(s, ipv4, b4, audit_cb, r);
	if (e)
		fail_msg("audit: %d %s", e, s->err);
	return r;
}

/* The store's clock and ours are one machine's: a few ms of slack. */
#define NEAR(t, lo, hi) do { \
	assert_true((t) >= (lo) - 2); \
	assert_true((t) <= (hi) + 2); \
} while (0)

/*
 * A grant opens a row, a renewal leaves it, a move to another set closes
 * it and opens another, a release (del) and an epoch reset (clear) close
 * them; the times are the writes'.  Then the questions the command asks
 * (audit_match): inside and outside the interval, the port in and out of
 * the set.
 */
static void c_audit(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m, y;
	struct audit_rows r;
	struct audit_filter f;
	struct store s;
	int64_t t0, t1, t2, t3, t4;

	open_as(&s, b, "node-a");
	mk(&m, 1, 6, 0);		/* 198.18.0.0 psid 2 of 6 bits */
	m.via = MAPPING_VIA_IPV6;
	t0 = wall_ms();
	assert_int_equal(s.ops->put(&s, &m), 0);
	t1 = wall_ms();
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 1);
	assert_memory_equal(&r.a[0].b4, &m.b4, sizeof(m.b4));
	assert_int_equal(r.a[0].ipv4, m.ipv4);
	assert_int_equal(r.a[0].psid, 2);
	assert_int_equal(r.a[0].psid_len, 6);
	assert_int_equal(r.a[0].protocol, 6);
	assert_int_equal(r.a[0].via, MAPPING_VIA_IPV6);
	assert_int_equal(r.a[0].end_ms, -1);
	NEAR(r.a[0].start_ms, t0, t1);
	assert_string_equal(r.a[0].node, is_pg(b) ? "node-a" : "");

	/* a renewal: nothing new */
	usleep(20000);
	m.expires += 3600;
	m.nonce[3] ^= 1;
	assert_int_equal(s.ops->put(&s, &m), 0);
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.a[0].end_ms, -1);

	/* moved to another set: closed, and a new one open */
	usleep(20000);
	t2 = wall_ms();
	m.psid = 40;
	assert_int_equal(s.ops->put(&s, &m), 0);
	t3 = wall_ms();
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.a[0].psid, 2);
	NEAR(r.a[0].end_ms, t2, t3);
	assert_int_equal(r.a[1].psid, 40);
	assert_int_equal(r.a[1].end_ms, -1);
	NEAR(r.a[1].start_ms, t2, t3);

	/* released */
	usleep(20000);
	assert_int_equal(s.ops->del(&s, &m), 0);
	t4 = wall_ms();
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 2);
	NEAR(r.a[1].end_ms, t3, t4);
	assert_true(r.a[1].end_ms > r.a[1].start_ms);

	/*
	 * Who held 198.18.0.0 port P at T?  psid 2 of 6 bits at offset 0 is
	 * ports 2048-3071; psid 40 is 40960-41983.
	 */
	f = (struct audit_filter){ .at_ms = r.a[0].start_ms + 5, .port = 2100 };
	assert_true(audit_match(&r.a[0], &f));
	assert_false(audit_match(&r.a[1], &f));	/* not yet, nor its port */
	f.port = 41000;
	assert_false(audit_match(&r.a[0], &f));	/* not its port */
	f.at_ms = r.a[0].start_ms - 1;			/* before the grant */
	f.port = 2100;
	assert_false(audit_match(&r.a[0], &f));
	f.at_ms = r.a[0].end_ms;			/* the interval is [from, until) */
	assert_false(audit_match(&r.a[0], &f));
	f.port = 41000;
	assert_true(audit_match(&r.a[1], &f));
	f.at_ms = r.a[1].end_ms + 1000;			/* after the release */
	assert_false(audit_match(&r.a[1], &f));
	f = (struct audit_filter){ .at_ms = -1, .port = -1 };
	assert_true(audit_match(&r.a[0], &f) && audit_match(&r.a[1], &f));

	/* the same rows by B4; another B4's are not there */
	rows_of(&s, &r, 0, &m.b4);
	assert_int_equal(r.n, 2);
	mk(&y, 2, 17, 0);
	assert_int_equal(s.ops->put(&s, &y), 0);
	rows_of(&s, &r, 0, &m.b4);
	assert_int_equal(r.n, 2);
	rows_of(&s, &r, 0, &y.b4);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.a[0].end_ms, -1);

	/* an epoch reset closes every open row */
	assert_int_equal(s.ops->clear(&s), 0);
	rows_of(&s, &r, 0, &y.b4);
	assert_int_equal(r.n, 1);
	assert_true(r.a[0].end_ms >= r.a[0].start_ms);

	/* a rolled-back grant leaves no row: one transaction */
	mk(&y, 3, 17, 0);
	assert_int_equal(s.ops->begin(&s), 0);
	assert_int_equal(s.ops->put(&s, &y), 0);
	s.ops->close(&s);		/* not committed: dropped */
	open_as(&s, b, "node-a");
	rows_of(&s, &r, 0, &y.b4);
	assert_int_equal(r.n, 0);
	assert_int_equal(count(&s), 0);
	s.ops->close(&s);
}

/* Retention: rows that ended before the cut go; open rows stay. */
static void c_audit_prune(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m, y;
	struct audit_rows r;
	struct store s;
	uint64_t n = 99;
	int64_t cut;

	open_as(&s, b, "node-a");
	mk(&m, 1, 6, 0);
	mk(&y, 2, 6, 0);		/* the same address, psid 3 */
	assert_int_equal(s.ops->put(&s, &m), 0);
	assert_int_equal(s.ops->put(&s, &y), 0);
	usleep(20000);
	assert_int_equal(s.ops->del(&s, &m), 0);	/* ended */
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 2);
	cut = r.a[0].end_ms;
	/*
	 * ended at the cut, not before it: stays (PostgreSQL: the history's
	 * two puts were before it, its del is not)
	 */
	assert_int_equal(s.ops->audit_prune(&s, cut, &n), 0);
	assert_int_equal(n, is_pg(b) ? 2 : 0);
	assert_int_equal(rows_of(&s, &r, m.ipv4, NULL)->n, 2);
	assert_int_equal(s.ops->audit_prune(&s, wall_ms() + 60000, &n), 0);
	/* PostgreSQL: and the history's del */
	assert_int_equal(n, is_pg(b) ? 2 : 1);
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 1);
	assert_memory_equal(&r.a[0].b4, &y.b4, sizeof(y.b4));
	assert_int_equal(r.a[0].end_ms, -1);
	if (is_pg(b)) {
		/* and the change history as old, which nothing pruned before */
		assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_history"),
				 0);
	}
	s.ops->close(&s);
}

/* ---- PostgreSQL only ------------------------------------------------------ */

/* Retries op until it is not -EAGAIN (tick()ing between), for up to 10 s. */
#define RETRY(s, expr) ({						\
	int _r, _i;							\
	for (_i = 0; _i < 200; _i++) {					\
		_r = (expr);						\
		if (_r != -EAGAIN)					\
			break;						\
		(s)->ops->tick(s);					\
		usleep(50 * 1000);					\
	}								\
	if (_r == -EAGAIN)						\
		print_message("%s: %d %s\n", #expr, _r, (s)->err);	\
	_r;								\
})

/* The payload parser alone: what the trigger writes, and what it does not. */
static void p_payload(void **state)
{
	static const char ok[] = "2 42 put 2001:db8::5 17 4000"
		" 000102030405060708090a0b 198.18.0.1 5 6 2 1700000000 -3 1"
		" 1764677000 aftr 1";
	/* a schema-1 trigger's, before the upgrade: no VIA */
	static const char ok1[] = "1 42 put 2001:db8::5 17 4000"
		" 000102030405060708090a0b 198.18.0.1 5 6 2 1700000000 -3"
		" 1764677000 aftr 1";
	static const char *const bad[] = {
		"",
		"3 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 0 3 n",
		"2 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"2 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 3 n",
		"2 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 -1 3 n",
		"1 0 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 get 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 ",
		"1 42 put 2001:db8::5  17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 017 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 256 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 65536 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090A0B 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 198.18.0.9 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 2001:db8::1 5 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 64 6 2 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 11 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 17 0 1 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 -0 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 9223372036854775808 2 3 n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 n\n",
		"1 42 put 2001:db8::5 17 4000 000102030405060708090a0b 198.18.0.1 5 6 2 1 2 3 0123456789012345678901234567890123456789012345678901234567890123",
	};
	struct pg_change c, d;
	char buf[256];
	size_t i;
	int n;

	(void)state;
	assert_int_equal(pg_change_parse(ok, strlen(ok), &c), 0);
	assert_int_equal(c.id, 42);
	assert_int_equal(c.op, STORE_PUT);
	assert_int_equal(c.m.protocol, 17);
	assert_int_equal(c.m.internal_port, 4000);
	assert_int_equal(c.m.nonce[11], 11);
	assert_int_equal(ntohl(c.m.ipv4), 0xc6120001);
	assert_int_equal(c.m.psid, 5);
	assert_int_equal(c.m.psid_len, 6);
	assert_int_equal(c.m.offset, 2);
	assert_int_equal(c.m.expires, 1700000000);
	assert_int_equal(c.m.created, -3);
	assert_int_equal(c.m.via, MAPPING_VIA_IPV6);
	assert_int_equal(c.changed, 1764677000);
	assert_string_equal(c.node, "aftr 1");
	n = pg_change_format(&c, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(ok));
	assert_string_equal(buf, ok);
	assert_int_equal(pg_change_parse(ok1, strlen(ok1), &d), 0);
	assert_int_equal(d.m.via, MAPPING_VIA_SOFTWIRE);
	assert_int_equal(d.m.created, -3);
	assert_int_equal(d.changed, 1764677000);
	assert_string_equal(d.node, "aftr 1");
	/* not past the length given: the same text cut short is refused */
	assert_int_equal(pg_change_parse(ok, strlen(ok) - 7, &d), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pg_change_parse(bad[i], strlen(bad[i]), &d) != -EINVAL)
			fail_msg("parsed: \"%s\"", bad[i]);
}

static void p_check(void **state)
{
	const struct store_ops *o = store_find("postgresql");
	char buf[256];
	struct store s;

	(void)state;
	assert_ptr_equal(o, &store_postgresql_ops);
	assert_null(o->check("host=/run/postgresql dbname=lw4o6", buf,
			     sizeof(buf)));
	assert_null(o->check("postgresql://u@db.example:5433/lw4o6", buf,
			     sizeof(buf)));
	assert_non_null(o->check("host=/x dbname", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "dbname"));
	assert_null(strchr(buf, '\n'));
	assert_non_null(o->check("nosuchkey=1", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "nosuchkey"));
	assert_non_null(o->check("postgresql://[::1", buf, sizeof(buf)));
	/* open says the same, without connecting */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_open(&s, o, "nosuchkey=1"), -EINVAL);
	assert_non_null(strstr(s.err, "nosuchkey"));
	assert_null(s.priv);
	/* a server that is not there: a clear error */
	assert_true(store_open(&s, o, "host=/nonexistent dbname=x") < 0);
	assert_non_null(strstr(s.err, "connect"));
	assert_null(s.priv);
}

static void p_schema(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m;
	struct store s, t;

	open_as(&s, b, "node-a");
	assert_int_equal(pg_server_num(&pg, "SELECT version FROM lw4o6_schema"),
			 3);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_schema"),
			 1);
	/* a second daemon finds the schema and leaves it */
	open_as(&t, b, "node-b");
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_schema"),
			 1);
	/* every write leaves an audit row, by the trigger, with its node */
	mk(&m, 1, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	m.expires += 10;
	assert_int_equal(s.ops->put(&s, &m), 0);
	assert_int_equal(t.ops->del(&t, &m), 0);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_history"
				       " WHERE node = 'node-a' AND op = 'put'"
				       " AND ipv4 = '198.18.0.0'"
				       " AND psid = 2"), 2);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_history"
				       " WHERE node = 'node-b' AND op = 'del'"
				       " AND expires = 1700000011"), 1);
	/* and an operator's hand edit too */
	assert_int_equal(pg_server_sql(&pg, "INSERT INTO lw4o6_mappings"
				       " (b4, protocol, internal_port, nonce,"
				       " ipv4, psid, psid_len, \"offset\","
				       " expires, created, node)"
				       " VALUES ('2001:db8::99', 6, 0,"
				       " '\\x000102030405060708090a0b',"
				       " '198.18.1.1', 3, 6, 0, 5, 4, 'psql')"),
			 0);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_history"),
			 4);
	/* the table refuses a set that does not exist in its shape */
	assert_int_not_equal(pg_server_sql(&pg, "UPDATE lw4o6_mappings"
					   " SET psid = 64"), 0);
	t.ops->close(&t);
	s.ops->close(&s);

	/* a newer schema: refused, clearly, and left alone */
	assert_int_equal(pg_server_sql(&pg, "UPDATE lw4o6_schema SET version = 4"),
			 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_open(&s, &store_postgresql_ops, b->target),
			 -EPROTO);
	assert_non_null(strstr(s.err, "newer"));
	assert_null(s.priv);
	assert_int_equal(pg_server_num(&pg, "SELECT version FROM lw4o6_schema"),
			 4);
}

/*
 * A store of schema 1 (before "via") is migrated on open: its rows stay,
 * read as asked inside the softwire, and a put records how a B4 asked,
 * through the new lw4o6_put(), the trigger's format 2 and the history.
 */
static void p_migrate(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m;
	struct lw4o6_mapping got[4];
	struct collect c = { .m = got, .max = 4 };
	struct store s;

	assert_int_equal(pg_server_sql(&pg, pg_migration[0]), 0);
	assert_int_equal(pg_server_sql(&pg, "UPDATE lw4o6_schema SET version = 1"),
			 0);
	assert_int_equal(pg_server_sql(&pg, "INSERT INTO lw4o6_mappings"
				       " VALUES ('2001:db8::98', 6, 0,"
				       " '\\x000102030405060708090a0b',"
				       " '198.18.1.1', 3, 6, 0, 5, 4, 'old')"),
			 0);
	open_as(&s, b, "node-a");
	assert_int_equal(pg_server_num(&pg, "SELECT version FROM lw4o6_schema"),
			 3);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(got[0].via, MAPPING_VIA_SOFTWIRE);
	mk(&m, 1, 6, 0);
	m.via = MAPPING_VIA_IPV6;
	assert_int_equal(s.ops->put(&s, &m), 0);
	assert_int_equal(pg_server_num(&pg, "SELECT via FROM lw4o6_mappings"
				       " WHERE ipv4 = '198.18.0.0'"), 1);
	assert_int_equal(pg_server_num(&pg, "SELECT via FROM lw4o6_history"
				       " WHERE ipv4 = '198.18.0.0'"), 1);
	c.n = 0;
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(got[0].via, MAPPING_VIA_IPV6);	/* 2001:db8::1 */
	assert_int_equal(got[1].via, MAPPING_VIA_SOFTWIRE);
	/* the table refuses a way it does not know */
	assert_int_not_equal(pg_server_sql(&pg, "UPDATE lw4o6_mappings"
					   " SET via = 3"), 0);
	s.ops->close(&s);
}

/*
 * A store of schema 2 (before the audit trail) is migrated on open: each
 * mapping there is held since it was created, by the node that wrote it,
 * and its release closes the row.
 */
static void p_migrate_audit(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m;
	struct audit_rows r;
	struct store s;

	assert_int_equal(pg_server_sql(&pg, pg_migration[0]), 0);
	assert_int_equal(pg_server_sql(&pg, pg_migration[1]), 0);
	assert_int_equal(pg_server_sql(&pg, "UPDATE lw4o6_schema SET version = 2"),
			 0);
	mk(&m, 1, 6, 0);
	assert_int_equal(pg_server_sql(&pg, "INSERT INTO lw4o6_mappings"
				       " VALUES ('2001:db8::1', 6, 0,"
				       " '\\x5b5b5b5b5b5b5b5b5b5b5bff',"
				       " '198.18.0.0', 2, 6, 0, 1700000001,"
				       " 1599999999, 'old', now(), 1)"), 0);
	open_as(&s, b, "node-a");
	assert_int_equal(pg_server_num(&pg, "SELECT version FROM lw4o6_schema"),
			 3);
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.a[0].start_ms, 1599999999000LL);
	assert_int_equal(r.a[0].end_ms, -1);
	assert_int_equal(r.a[0].via, MAPPING_VIA_IPV6);
	assert_string_equal(r.a[0].node, "old");
	assert_memory_equal(&r.a[0].b4, &m.b4, sizeof(m.b4));
	m.nonce[0] = 0x5b;
	m.expires = 1700000001;
	assert_int_equal(s.ops->del(&s, &m), 0);
	rows_of(&s, &r, m.ipv4, NULL);
	assert_int_equal(r.n, 1);
	assert_true(r.a[0].end_ms > 1700000000000LL);
	s.ops->close(&s);
}

/*
 * "lw4o6d audit" on a PostgreSQL store: the command opens it by the
 * configuration's conninfo and answers with the granting node.
 */
static int audit_run(const char *conf, char *out, size_t len, ...)
{
	char path[] = "/tmp/lw4o6-audit-out.XXXXXX", *argv[12];
	int fd = mkstemp(path), so, argc = 0, r;
	const char *a;
	ssize_t n;
	va_list ap;

	assert_true(fd >= 0);
	argv[argc++] = (char *)"audit";
	va_start(ap, len);
	while ((a = va_arg(ap, const char *)) && argc < 11)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	so = dup(1);
	dup2(fd, 1);
	r = audit_command_main(argc, argv, conf);
	fflush(stdout);
	dup2(so, 1);
	close(so);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	return r;
}

static void p_audit_command(void **state)
{
	struct backend *b = *state;
	char dir[] = "/tmp/lw4o6-audit.XXXXXX", conf[64], out[4096];
	struct lw4o6_mapping m;
	struct store s;
	FILE *f;

	open_as(&s, b, "node-a");
	mk(&m, 1, 6, 0);		/* 198.18.0.0 psid 2/6: ports 2048-3071 */
	assert_int_equal(s.ops->put(&s, &m), 0);
	s.ops->close(&s);
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/aftr.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "role aftr\ndevice lw0\nstorage postgresql \"%s\"\n"
		"pool 198.18.0.0/24 psid-len 6\n", pg.conninfo);
	fclose(f);
	assert_int_equal(audit_run(conf, out, sizeof(out), "198.18.0.0", "port",
				   "2100", "at", "now", "-j", NULL), 0);
	assert_non_null(strstr(out, "{\"b4\":\"2001:db8::1\",\"ipv4\":\"198.18.0.0\","
			       "\"psid\":2,\"psid_len\":6,\"offset\":0,"
			       "\"ports\":\"2048-3071\""));
	assert_non_null(strstr(out, "\"until\":null,\"until_ms\":null,"
			       "\"node\":\"node-a\"}"));
	assert_int_equal(audit_run(conf, out, sizeof(out), "198.18.0.0", "port",
				   "3072", "at", "now", "-j", NULL), 1);
	assert_string_equal(out, "[]\n");
	assert_int_equal(audit_run(conf, out, sizeof(out), "b4", "2001:db8::1",
				   NULL), 0);
	assert_non_null(strstr(out, "now (held)"));
	assert_non_null(strstr(out, "node-a"));
	unlink(conf);
	rmdir(dir);
}

/* A failed commit applied nothing: the connection dies under a batch. */
static void p_commit_fails(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m;
	struct store s;
	uint32_t i;

	open_as(&s, b, "victim");
	mk(&m, 100, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	assert_int_equal(s.ops->begin(&s), 0);
	for (i = 0; i < 10; i++) {
		mk(&m, i, 6, 0);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	mk(&m, 100, 6, 0);
	assert_int_equal(s.ops->del(&s, &m), 0);
	assert_int_equal(pg_server_sql(&pg, "SELECT pg_terminate_backend(pid)"
				       " FROM pg_stat_activity"
				       " WHERE application_name = 'victim'"), 0);
	mk(&m, 50, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), -EAGAIN);
	assert_int_equal(s.ops->put(&s, &m), -EAGAIN);	/* not outside it */
	assert_int_equal(s.ops->commit(&s), -EAGAIN);
	assert_non_null(strstr(s.err, "nothing of it"));
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_mappings"),
			 1);
	/* and the store is back by itself */
	assert_int_equal(RETRY(&s, s.ops->put(&s, &m)), 0);
	assert_int_equal(count(&s), 2);
	s.ops->close(&s);
}

/* The change feed: B hears A's changes as they are stored, A none. */
struct heard {
	enum store_change ch[16];
	struct lw4o6_mapping m[16];
	size_t n;
	size_t resyncs;
};

static int heard_cb(enum store_change ch, const struct lw4o6_mapping *m,
		    void *arg)
{
	struct heard *h = arg;

	if (ch == STORE_RESYNC)
		h->resyncs++;
	if (h->n < 16) {
		h->ch[h->n] = ch;
		if (m)
			h->m[h->n] = *m;
	}
	h->n++;
	return 0;
}

/* Waits (poll on watch_fd) until want changes are heard or ms pass. */
static void hear_ms(struct store *s, struct heard *h, size_t want, int ms)
{
	struct pollfd p = { .fd = s->ops->watch_fd(s), .events = POLLIN };
	int i;

	assert_true(p.fd >= 0);
	for (i = 0; i < ms / 100 && h->n < want; i++) {
		if (poll(&p, 1, 100) > 0)
			assert_int_equal(s->ops->changes(s, heard_cb, h), 0);
	}
}

static void hear(struct store *s, struct heard *h, size_t want)
{
	hear_ms(s, h, want, 5000);
}

static void p_feed(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m1, m2, m3;
	struct heard ha = { 0 }, hb = { 0 };
	struct store a, bb;
	struct pollfd p;

	open_as(&a, b, "a");
	open_as(&bb, b, "b");
	assert_true(store_shared(&a));
	mk(&m1, 1, 6, 0);
	mk(&m2, 2, 17, 4000);
	assert_int_equal(a.ops->put(&a, &m1), 0);
	/* B's lookup reads the table, not its feed: A's put is there at once */
	{
		struct lw4o6_mapping got[2];
		struct collect c = { got, 0, 2, 0, NULL };

		assert_int_equal(bb.ops->lookup(&bb, m1.ipv4, &m1.b4,
						collect_cb, &c), 0);
		assert_int_equal(c.n, 1);
		assert_memory_equal(&got[0], &m1, sizeof(m1));
	}
	assert_int_equal(a.ops->begin(&a), 0);
	assert_int_equal(a.ops->put(&a, &m2), 0);
	m3 = m2;
	m3.psid = m1.psid;
	assert_int_equal(a.ops->put(&a, &m3), -EEXIST);	/* never heard */
	assert_int_equal(a.ops->commit(&a), 0);
	m1.expires += 60;
	assert_int_equal(a.ops->put(&a, &m1), 0);
	assert_int_equal(a.ops->del(&a, &m2), 0);
	hear(&bb, &hb, 4);
	assert_int_equal(hb.n, 4);
	assert_int_equal(hb.ch[0], STORE_PUT);
	m1.expires -= 60;
	assert_memory_equal(&hb.m[0], &m1, sizeof(m1));
	assert_int_equal(hb.ch[1], STORE_PUT);
	assert_memory_equal(&hb.m[1], &m2, sizeof(m2));
	assert_int_equal(hb.ch[2], STORE_PUT);
	m1.expires += 60;
	assert_memory_equal(&hb.m[2], &m1, sizeof(m1));
	assert_int_equal(hb.ch[3], STORE_DEL);
	assert_memory_equal(&hb.m[3], &m2, sizeof(m2));
	/* nothing more, and A heard nothing of its own */
	hear_ms(&bb, &hb, 5, 300);
	assert_int_equal(hb.n, 4);
	p = (struct pollfd){ .fd = a.ops->watch_fd(&a), .events = POLLIN };
	if (poll(&p, 1, 200) > 0)
		assert_int_equal(a.ops->changes(&a, heard_cb, &ha), 0);
	assert_int_equal(ha.n, 0);

	/*
	 * A put, its del and the same put again in one transaction: three
	 * changes, though PostgreSQL folds identical notifications of one
	 * transaction (the history id keeps them apart).
	 */
	hb.n = 0;
	mk(&m3, 3, 6, 0);
	assert_int_equal(a.ops->begin(&a), 0);
	assert_int_equal(a.ops->put(&a, &m3), 0);
	assert_int_equal(a.ops->del(&a, &m3), 0);
	assert_int_equal(a.ops->put(&a, &m3), 0);
	assert_int_equal(a.ops->commit(&a), 0);
	hear(&bb, &hb, 3);
	assert_int_equal(hb.n, 3);
	assert_int_equal(hb.ch[0], STORE_PUT);
	assert_int_equal(hb.ch[1], STORE_DEL);
	assert_int_equal(hb.ch[2], STORE_PUT);
	assert_memory_equal(&hb.m[2], &m3, sizeof(m3));

	/* B's writes go the other way; a B's del of a row A renewed fails */
	assert_int_equal(bb.ops->put(&bb, &m2), 0);
	hear(&a, &ha, 1);
	assert_int_equal(ha.n, 1);
	assert_memory_equal(&ha.m[0], &m2, sizeof(m2));
	m3 = m2;
	m2.expires += 5;
	assert_int_equal(a.ops->put(&a, &m2), 0);
	hb.n = 0;
	hear(&bb, &hb, 1);
	assert_int_equal(hb.n, 1);
	assert_memory_equal(&hb.m[0], &m2, sizeof(m2));
	assert_int_equal(bb.ops->del(&bb, &m3), -ESTALE);

	/* a notification nobody can parse: a resync, not a wrong binding */
	assert_int_equal(pg_server_sql(&pg, "NOTIFY lw4o6_mappings,"
				       " '1 put 2001:db8::1 6 0 zz'"), 0);
	hb.n = 0;
	hear(&bb, &hb, 1);
	assert_int_equal(hb.n, 1);
	assert_int_equal(hb.ch[0], STORE_RESYNC);
	assert_non_null(strstr(bb.err, "malformed notification"));
	a.ops->close(&a);
	bb.ops->close(&bb);
}

/*
 * Two daemons in two processes race for the same 120 sets, 100 grants
 * each: each takes the first set the database lets it have.  One runs
 * batches of 10, the other single puts.  Every set ends with one holder,
 * and every grant a child was told it got is there.
 */
#define RACE_SETS 120
#define RACE_WANT 100

static void race_set(struct lw4o6_mapping *m, uint32_t set)
{
	m->ipv4 = htonl(0xc6130000 + set / 60);
	m->psid = (uint16_t)(1 + set % 60);
}

static int race_child(const struct backend *b, int who, int fd)
{
	struct lw4o6_mapping m, batch[10];
	struct store s;
	uint32_t set = 0, i;
	int nb = 0, r, out = 0;

	memset(&s, 0, sizeof(s));
	snprintf(s.node, sizeof(s.node), "racer%d", who);
	if (store_open(&s, &store_postgresql_ops, b->target))
		return 2;
	for (i = 0; i < RACE_WANT && set < RACE_SETS; i++) {
		mk(&m, (uint32_t)who * 1000 + i, 6, 0);
		if (who == 1 && !nb && s.ops->begin(&s))
			return 3;
		for (; set < RACE_SETS; set++) {
			race_set(&m, set);
			r = s.ops->put(&s, &m);
			if (!r)
				break;
			if (r != -EEXIST)
				return 4;
		}
		if (set == RACE_SETS)
			break;
		set++;
		if (who == 1) {
			batch[nb++] = m;
			if (nb < 10)
				continue;
			if (s.ops->commit(&s))
				return 5;
			if (write(fd, batch, sizeof(m) * (size_t)nb) < 0)
				return 6;
			out += nb;
			nb = 0;
		} else {
			if (write(fd, &m, sizeof(m)) < 0)
				return 6;
			out++;
		}
	}
	if (nb) {
		if (s.ops->commit(&s))
			return 5;
		if (write(fd, batch, sizeof(m) * (size_t)nb) < 0)
			return 6;
	}
	s.ops->close(&s);
	return 0;
}

static int by_set(const void *x, const void *y)
{
	const struct lw4o6_mapping *a = x, *b = y;

	if (a->ipv4 != b->ipv4)
		return ntohl(a->ipv4) < ntohl(b->ipv4) ? -1 : 1;
	return a->psid - b->psid;
}

static void p_race(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping told[2 * RACE_WANT + 1], got[2 * RACE_WANT + 1];
	struct collect c = { got, 0, 2 * RACE_WANT + 1, 0, NULL };
	struct store s;
	size_t n = 0, i;
	int fd[2], status, w;
	pid_t pid[2];
	ssize_t k;

	open_as(&s, b, "judge");	/* creates the schema before the race */
	assert_int_equal(pipe(fd), 0);
	for (w = 0; w < 2; w++) {
		pid[w] = fork();
		assert_true(pid[w] >= 0);
		if (!pid[w]) {
			close(fd[0]);
			_exit(race_child(b, w + 1, fd[1]));
		}
	}
	close(fd[1]);
	while ((k = read(fd[0], (char *)told + n, sizeof(told) - n)) > 0)
		n += (size_t)k;
	close(fd[0]);
	for (w = 0; w < 2; w++) {
		assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	n /= sizeof(told[0]);
	/* every set handed out, once */
	assert_int_equal(n, RACE_SETS);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, RACE_SETS);
	qsort(told, n, sizeof(told[0]), by_set);
	qsort(got, c.n, sizeof(got[0]), by_set);
	for (i = 0; i < n; i++) {
		if (i)
			assert_int_not_equal(by_set(&got[i - 1], &got[i]), 0);
		assert_memory_equal(&told[i], &got[i], sizeof(got[i]));
	}
	/* both won some: it was a race */
	assert_true(pg_server_num(&pg, "SELECT count(DISTINCT node)"
				  " FROM lw4o6_mappings") == 2);
	s.ops->close(&s);
}

/*
 * The database restarts in the middle of a run of grants: calls say
 * -EAGAIN meanwhile, the store comes back by itself, a batch open across
 * the restart is all lost (not half), no committed grant is lost and none
 * is doubled, and the change feed says STORE_RESYNC.
 */
static void p_restart(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping m, got[200];
	struct collect c = { got, 0, 200, 0, NULL };
	struct heard h = { 0 };
	struct store s, other;
	uint32_t i;
	int r;

	open_as(&s, b, "a");
	open_as(&other, b, "b");
	for (i = 0; i < 40; i++) {
		mk(&m, i, 6, 0);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	assert_int_equal(s.ops->begin(&s), 0);
	mk(&m, 40, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);

	assert_int_equal(pg_server_ctl(&pg, "stop"), 0);
	mk(&m, 41, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), -EAGAIN);
	assert_int_equal(s.ops->commit(&s), -EAGAIN);
	for (i = 41; i < 45; i++) {
		mk(&m, i, 6, 0);
		r = s.ops->put(&s, &m);
		assert_int_equal(r, -EAGAIN);
		assert_true(s.err[0]);
		s.ops->tick(&s);
	}
	assert_int_equal(pg_server_ctl(&pg, "start"), 0);
	/* the batch went entirely: 40 rows, not 41 */
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_mappings"),
			 40);
	/* the grants go on: retried until stored */
	for (i = 40; i < 100; i++) {
		mk(&m, i, 6, 0);
		r = RETRY(&s, s.ops->put(&s, &m));
		assert_int_equal(r, 0);
	}
	/* the writer itself is told to resync too */
	hear(&s, &h, 1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.ch[0], STORE_RESYNC);
	h = (struct heard){ 0 };
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 100);
	for (i = 0; i < 100; i++) {
		mk(&m, i, 6, 0);
		assert_memory_equal(&got[i], &m, sizeof(m));
	}
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM"
				       " (SELECT ipv4, psid FROM lw4o6_mappings"
				       "  GROUP BY 1, 2 HAVING count(*) > 1) d"),
			 0);
	/*
	 * The other daemon made no call: as the daemon's loop does, it
	 * tick()s and polls its watch_fd.  It hears the 40 puts from before
	 * the stop, then the lost connection (-EAGAIN), then reconnects
	 * through the fd (not blocking) and says STORE_RESYNC, once.
	 */
	for (i = 0; i < 100 && !h.resyncs; i++) {
		struct pollfd p = { .fd = other.ops->watch_fd(&other),
				    .events = POLLIN };

		other.ops->tick(&other);
		if (poll(&p, 1, 100) > 0) {
			r = other.ops->changes(&other, heard_cb, &h);
			if (r)
				assert_int_equal(r, -EAGAIN);
		}
	}
	/*
	 * The puts from before the stop may come, or be lost with the
	 * connection: the RESYNC covers them.  It comes once, and last.
	 */
	if (h.resyncs != 1 || h.n < 1 || h.n > 41)
		fail_msg("other heard %zu changes, %zu resyncs; %s", h.n,
			 h.resyncs, other.err);
	if (h.n <= 16)
		assert_int_equal(h.ch[h.n - 1], STORE_RESYNC);
	/* and hears what comes after */
	h.n = 0;
	mk(&m, 200, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	hear(&other, &h, 1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.ch[0], STORE_PUT);
	assert_memory_equal(&h.m[0], &m, sizeof(m));
	other.ops->close(&other);
	s.ops->close(&s);
}

/*
 * The same race, through a restart: two processes grant from the same
 * sets, one at a time, retrying a grant that got -EAGAIN (as a B4 would
 * retry its request) while the server restarts under them.  Afterwards
 * the table holds exactly the grants the children were told of: none
 * lost, none twice.  Exit 0: done and saw -EAGAIN; 10: done without.
 */
static int restart_child(const struct backend *b, int who, int fd, int ready)
{
	struct lw4o6_mapping m;
	struct store s;
	uint32_t set = 0, i;
	int r, again = 0, tries;

	memset(&s, 0, sizeof(s));
	snprintf(s.node, sizeof(s.node), "grant%d", who);
	if (store_open(&s, &store_postgresql_ops, b->target))
		return 2;
	if (write(ready, "r", 1) != 1)	/* the parent restarts after this */
		return 6;
	close(ready);
	for (i = 0; i < 80 && set < RACE_SETS; i++) {
		mk(&m, (uint32_t)who * 1000 + i, 6, 0);
		for (tries = 0; set < RACE_SETS && tries < 400; tries++) {
			race_set(&m, set);
			r = s.ops->put(&s, &m);
			if (!r)
				break;
			if (r == -EEXIST) {
				set++;
			} else if (r == -EAGAIN) {
				again++;
				s.ops->tick(&s);
				usleep(25 * 1000);
			} else {
				return 4;
			}
		}
		if (tries == 400)
			return 5;
		if (set == RACE_SETS)
			break;
		set++;
		if (write(fd, &m, sizeof(m)) < 0)
			return 6;
		usleep(10 * 1000);	/* a sequence, not a burst */
	}
	s.ops->close(&s);
	return again ? 0 : 10;
}

static void p_restart_race(void **state)
{
	struct backend *b = *state;
	struct lw4o6_mapping told[2 * RACE_SETS], got[2 * RACE_SETS];
	struct collect c = { got, 0, 2 * RACE_SETS, 0, NULL };
	struct store s;
	size_t n = 0, i;
	int fd[2], rd[2], status, w, saw = 0;
	char buf[2];
	pid_t pid[2];
	ssize_t k;

	open_as(&s, b, "judge");
	s.ops->close(&s);
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(pipe(rd), 0);
	for (w = 0; w < 2; w++) {
		pid[w] = fork();
		assert_true(pid[w] >= 0);
		if (!pid[w]) {
			close(fd[0]);
			close(rd[0]);
			_exit(restart_child(b, w + 1, fd[1], rd[1]));
		}
	}
	close(fd[1]);
	close(rd[1]);
	/* both connected (or failed: EOF), then into their grants */
	for (n = 0; n < 2 && read(rd[0], buf, 1) == 1; n++)
		;
	close(rd[0]);
	n = 0;
	usleep(100 * 1000);
	assert_int_equal(pg_server_ctl(&pg, "restart"), 0);
	while ((k = read(fd[0], (char *)told + n, sizeof(told) - n)) > 0)
		n += (size_t)k;
	close(fd[0]);
	for (w = 0; w < 2; w++) {
		assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 0)
			saw++;
		else
			assert_int_equal(WEXITSTATUS(status), 10);
	}
	/* the restart fell in the middle of the grants, or this proves nothing */
	assert_true(saw >= 1);
	n /= sizeof(told[0]);
	assert_int_equal(n, 2 * 80 < RACE_SETS ? 2 * 80 : RACE_SETS);
	open_as(&s, b, "judge");
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, n);
	qsort(told, n, sizeof(told[0]), by_set);
	qsort(got, c.n, sizeof(got[0]), by_set);
	for (i = 0; i < n; i++) {
		if (i)
			assert_int_not_equal(by_set(&got[i - 1], &got[i]), 0);
		assert_memory_equal(&told[i], &got[i], sizeof(got[i]));
	}
	s.ops->close(&s);
}

static void p_pools(void **state)
{
	struct backend *b = *state;
	struct pool_cfg a[2] = { 0 }, x = { 0 };
	struct store s, t;

	a[0].prefix = htonl(0xc0000200);	/* 192.0.2.0/24 6/0 */
	a[0].plen = 24;
	a[0].psid_len = 6;
	a[1].prefix = htonl(0xc6336400);	/* 198.51.100.0/25 4/2 */
	a[1].plen = 25;
	a[1].psid_len = 4;
	a[1].offset = 2;
	a[1].n_exclude = 1;
	a[1].exclude[0] = htonl(0xc6336401);
	open_as(&s, b, "a");
	open_as(&t, b, "b");
	assert_int_equal(s.ops->set_pools(&s, a, 2), 0);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_pools"
				       " WHERE node = 'a'"), 2);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_pools"
				       " WHERE exclude = '{198.51.100.1}'"), 1);
	/* the same shape over the same addresses: fine (they share sets) */
	assert_int_equal(t.ops->set_pools(&t, a, 1), 0);
	/* another shape for some of them: refused, and why */
	x.prefix = htonl(0xc0000280);		/* 192.0.2.128/25 */
	x.plen = 25;
	x.psid_len = 8;
	assert_int_equal(t.ops->set_pools(&t, &x, 1), -EINVAL);
	assert_non_null(strstr(t.err, "node a's pool"));
	assert_non_null(strstr(t.err, "192.0.2.0/24"));
	/* nothing of the refused call was recorded */
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_pools"
				       " WHERE node = 'b'"), 1);
	/* a node's pools are replaced: once a gives it up, b may */
	assert_int_equal(s.ops->set_pools(&s, &a[1], 1), 0);
	assert_int_equal(t.ops->set_pools(&t, &x, 1), 0);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_pools"
				       " WHERE node = 'b' AND psid_len = 8"), 1);
	/* and now a cannot take its old pool back */
	assert_int_equal(s.ops->set_pools(&s, a, 2), -EINVAL);
	assert_non_null(strstr(s.err, "node b's pool 192.0.2.128/25"));
	assert_int_equal(t.ops->set_pools(&t, NULL, 0), 0);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_pools"
				       " WHERE node = 'b'"), 0);
	assert_int_equal(s.ops->set_pools(&s, a, 2), 0);
	s.ops->close(&s);
	t.ops->close(&t);
}

static int pg_group_setup(void **state)
{
	(void)state;
	if (pg_server_start(&pg, false)) {
		fprintf(stderr, "test_store_contract: PostgreSQL could not be"
			" started: the PostgreSQL store is untested\n");
		pg_server_destroy(&pg);
		return -1;
	}
	pg_up = true;
	return 0;
}

static int pg_group_teardown(void **state)
{
	(void)state;
	pg_server_destroy(&pg);
	return 0;
}

/* each case named for its back end: sqlite_c_basic, postgresql_c_basic */
#define ON(be, t) { #be "_" #t, t, setup, teardown, &be_##be }
#define PG(t) ON(postgresql, t)

/*
 * Two groups, so that SQLite's cases run and pass or fail on their own
 * when PostgreSQL cannot start (which fails the whole second group).
 */
int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		ON(sqlite, c_basic),
		ON(sqlite, c_lookup),
		ON(sqlite, c_eexist),
		ON(sqlite, c_each_cb),
		ON(sqlite, c_txn),
		ON(sqlite, c_audit),
		ON(sqlite, c_audit_prune),
		{ "postgresql_payload_parser", p_payload, NULL, NULL, NULL },
	};
	const struct CMUnitTest tests[] = {
		PG(c_basic),
		PG(c_lookup),
		PG(c_eexist),
		PG(c_each_cb),
		PG(c_txn),
		PG(c_audit),
		PG(c_audit_prune),
		PG(p_check),
		PG(p_schema),
		PG(p_migrate),
		PG(p_migrate_audit),
		PG(p_audit_command),
		PG(p_commit_fails),
		PG(p_feed),
		PG(p_race),
		PG(p_restart),
		PG(p_restart_race),
		PG(p_pools),
	};

	int r;

	signal(SIGPIPE, SIG_IGN);
	/* LW4O6_TEST_FILTER='*p_restart*': one case, e.g. to repeat it */
	if (getenv("LW4O6_TEST_FILTER"))
		cmocka_set_test_filter(getenv("LW4O6_TEST_FILTER"));
	r = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL, NULL);
	r += cmocka_run_group_tests_name("postgresql", tests, pg_group_setup,
					 pg_group_teardown);
	return r ? 1 : 0;
}
