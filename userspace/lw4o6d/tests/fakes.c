// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The fakes of tests/fakes.h but the kernel: a failing store, the clocks, requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

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
