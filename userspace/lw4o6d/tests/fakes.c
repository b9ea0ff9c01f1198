// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The fakes of tests/fakes.h but the kernel: a failing store, the clocks, requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>

#include <sqlite3.h>

#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

struct fake_store_faults fake_store_fail;
int64_t fake_wall = 1700000000, fake_mono = 100000;

static int64_t wall(void)
{
	return fake_wall;
}

static int64_t mono(void)
{
	return fake_mono;
}

const struct alloc_clock fake_clock = { wall, mono };

static char dir[64], path[96];

/* The op fails with the fault's errno, as SQLite's would, or works. */
#define FAULT(op, s, ...) do {						\
		if (fake_store_fail.op) {				\
			snprintf((s)->err, sizeof((s)->err),		\
				 "fake " #op " failure");		\
			return fake_store_fail.op;			\
		}							\
		return store_sqlite_ops.op(__VA_ARGS__);		\
	} while (0)

static int f_begin(struct store *s)
{
	FAULT(begin, s, s);
}

/*
 * A commit that fails as SQLite's do after a full disk: the transaction
 * is rolled back underneath (store_sqlite.c's private state starts with
 * its connection), and the store's commit reports it.
 */
static int f_commit(struct store *s)
{
	if (fake_store_fail.commit)
		sqlite3_exec(*(sqlite3 **)s->priv, "ROLLBACK", NULL, NULL, NULL);
	return store_sqlite_ops.commit(s);
}

static int f_put(struct store *s, const struct lw4o6_mapping *m)
{
	FAULT(put, s, s, m);
}

static int f_del(struct store *s, const struct lw4o6_mapping *m)
{
	FAULT(del, s, s, m);
}

/* SQLite's ops with the four above in their place. */
static struct store_ops ops;

void fake_store_reopen(struct store *s)
{
	ops = store_sqlite_ops;
	ops.name = "fake";
	ops.begin = f_begin;
	ops.commit = f_commit;
	ops.put = f_put;
	ops.del = f_del;
	if (store_open(s, &ops, path))
		fail_msg("opening %s: %s", path, s->err);
}

void fake_store_open(struct store *s)
{
	snprintf(dir, sizeof(dir), "/tmp/lw4o6-core.XXXXXX");
	if (!mkdtemp(dir))
		fail_msg("mkdtemp");
	snprintf(path, sizeof(path), "%s/aftr.db", dir);
	memset(&fake_store_fail, 0, sizeof(fake_store_fail));
	fake_store_reopen(s);
}

void fake_store_destroy(struct store *s)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[128];
	size_t i;

	store_close(s);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	memset(&fake_store_fail, 0, sizeof(fake_store_fail));
}

struct find {
	uint32_t ipv4;
	uint16_t psid;
	size_t n;
	bool found;
	struct lw4o6_mapping m;
};

static int find_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct find *f = arg;

	f->n++;
	if (m->ipv4 == f->ipv4 && m->psid == f->psid) {
		f->found = true;
		f->m = *m;
	}
	return 0;
}

size_t fake_store_count(struct store *s)
{
	struct find f = { 0 };

	assert_int_equal(store_each(s, find_cb, &f), 0);
	return f.n;
}

bool fake_store_get(struct store *s, uint32_t ipv4, uint16_t psid,
		    struct lw4o6_mapping *m)
{
	struct find f = { .ipv4 = ipv4, .psid = psid };

	assert_int_equal(store_each(s, find_cb, &f), 0);
	if (f.found && m)
		*m = f.m;
	return f.found;
}

uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

void b4_addr(struct in6_addr *a, unsigned int n)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0x20;
	a->s6_addr[1] = 0x01;
	a->s6_addr[2] = 0x0d;
	a->s6_addr[3] = 0xb8;
	a->s6_addr[14] = (uint8_t)(n >> 8);
	a->s6_addr[15] = (uint8_t)n;
}

struct alloc_req req(unsigned int n, uint32_t lifetime)
{
	struct alloc_req r;

	memset(&r, 0, sizeof(r));
	b4_addr(&r.b4, n);
	memset(r.nonce, (int)n, sizeof(r.nonce));
	r.lifetime = lifetime;
	r.takes_set = true;
	return r;
}

void map_ok(struct alloc *a, unsigned int n, uint32_t lifetime,
	    struct alloc_answer *ans)
{
	struct alloc_req r = req(n, lifetime);

	assert_int_equal(alloc_map(a, &r, ans), ALLOC_OK);
}

/* ---- a shared store ------------------------------------------------------ */

struct fake_shared fake_shared;

#define FEED_MAX 256

static struct {
	enum store_change ch;
	struct lw4o6_mapping m;
} feed[FEED_MAX];
static size_t n_feed;
static int feed_fd = -1;

static void feed_push(enum store_change ch, const struct lw4o6_mapping *m)
{
	uint64_t one = 1;

	assert_true(n_feed < FEED_MAX);
	feed[n_feed].ch = ch;
	if (m)
		feed[n_feed].m = *m;
	n_feed++;
	assert_int_equal(write(feed_fd, &one, sizeof(one)), sizeof(one));
}

void fake_feed_resync(void)
{
	feed_push(STORE_RESYNC, NULL);
}

size_t fake_feed_pending(void)
{
	return n_feed;
}

struct pick {
	uint32_t ipv4;
	const struct in6_addr *b4;
	const struct lw4o6_mapping *key;
	int (*cb)(const struct lw4o6_mapping *m, void *arg);
	void *arg;
	bool found;
	struct lw4o6_mapping m;
};

static int lookup_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct pick *p = arg;

	if (m->ipv4 != p->ipv4 || memcmp(&m->b4, p->b4, sizeof(m->b4)))
		return 0;
	return p->cb(m, p->arg);
}

static int sh_lookup(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		     int (*cb)(const struct lw4o6_mapping *m, void *arg),
		     void *arg)
{
	struct pick p = { .ipv4 = ipv4, .b4 = b4, .cb = cb, .arg = arg };

	fake_shared.lookups++;
	if (fake_shared.lookup_err) {
		snprintf(s->err, sizeof(s->err), "fake lookup failure");
		return fake_shared.lookup_err;
	}
	return store_sqlite_ops.each(s, lookup_cb, &p);
}

static int key_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct pick *p = arg;

	if (!memcmp(&m->b4, &p->key->b4, sizeof(m->b4)) &&
	    m->protocol == p->key->protocol &&
	    m->internal_port == p->key->internal_port) {
		p->found = true;
		p->m = *m;
	}
	return 0;
}

/* store.h's del(): only the mapping as the caller knows it. */
static int sh_del(struct store *s, const struct lw4o6_mapping *m)
{
	struct pick p = { .key = m };

	if (fake_store_fail.del)
		return f_del(s, m);
	if (fake_shared.del_err) {
		snprintf(s->err, sizeof(s->err), "fake: database away");
		return fake_shared.del_err;
	}
	assert_int_equal(store_sqlite_ops.each(s, key_cb, &p), 0);
	if (p.found && (p.m.ipv4 != m->ipv4 || p.m.psid != m->psid ||
			p.m.expires != m->expires)) {
		snprintf(s->err, sizeof(s->err), "fake: renewed elsewhere");
		return -ESTALE;
	}
	return store_sqlite_ops.del(s, m);
}

static int sh_put(struct store *s, const struct lw4o6_mapping *m)
{
	if (fake_shared.put_eexist) {
		fake_shared.put_eexist--;
		snprintf(s->err, sizeof(s->err), "fake: set taken by another node");
		return -EEXIST;
	}
	if (fake_shared.put_err) {
		snprintf(s->err, sizeof(s->err), "fake: database away");
		return fake_shared.put_err;
	}
	return f_put(s, m);
}

static int sh_watch_fd(struct store *s)
{
	(void)s;
	return feed_fd;
}

static int sh_changes(struct store *s, store_change_fn cb, void *arg)
{
	uint64_t n;
	size_t i;
	int err = 0;

	(void)s;
	if (read(feed_fd, &n, sizeof(n)) < 0)
		return 0;
	for (i = 0; i < n_feed && !err; i++)
		err = cb(feed[i].ch, feed[i].ch == STORE_RESYNC ? NULL :
			 &feed[i].m, arg);
	n_feed = 0;
	return err;
}

static void sh_tick(struct store *s)
{
	(void)s;
	fake_shared.ticks++;
}

static int sh_set_pools(struct store *s, const struct pool_cfg *pools,
			size_t n)
{
	(void)pools;
	(void)n;
	fake_shared.set_pools++;
	if (fake_shared.set_pools_err)
		snprintf(s->err, sizeof(s->err), "fake: another node's pools differ");
	return fake_shared.set_pools_err;
}

static struct store_ops shared_ops;

void fake_store_open_shared(struct store *s)
{
	memset(&fake_shared, 0, sizeof(fake_shared));
	n_feed = 0;
	if (feed_fd < 0)
		feed_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(feed_fd >= 0);
	fake_store_open(s);
	shared_ops = ops;
	shared_ops.name = "fake-shared";
	shared_ops.put = sh_put;
	shared_ops.del = sh_del;
	shared_ops.lookup = sh_lookup;
	shared_ops.watch_fd = sh_watch_fd;
	shared_ops.changes = sh_changes;
	shared_ops.tick = sh_tick;
	shared_ops.set_pools = sh_set_pools;
	store_close(s);
	if (store_open(s, &shared_ops, path))
		fail_msg("opening %s: %s", path, s->err);
}

void fake_store_quiet_put(struct store *s, const struct lw4o6_mapping *m)
{
	assert_int_equal(store_sqlite_ops.put(s, m), 0);
}

void fake_store_quiet_del(struct store *s, const struct lw4o6_mapping *m)
{
	assert_int_equal(store_sqlite_ops.del(s, m), 0);
}

void fake_other_put(struct store *s, const struct lw4o6_mapping *m)
{
	fake_store_quiet_put(s, m);
	feed_push(STORE_PUT, m);
}

void fake_other_del(struct store *s, const struct lw4o6_mapping *m)
{
	fake_store_quiet_del(s, m);
	feed_push(STORE_DEL, m);
}
