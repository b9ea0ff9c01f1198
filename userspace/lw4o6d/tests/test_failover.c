// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Failover on a shared store, without a database or a kernel: a fake
 * shared store (tests/fakes.c: SQLite underneath, a change feed the test
 * fills, del() that refuses a lease renewed elsewhere) and the fake
 * kernel.  The core following the feed (alloc_apply: add, replace, move,
 * remove, resync's diff), sets another node won (-EEXIST), a database
 * away (-EAGAIN), expiry of a lease renewed elsewhere (-ESTALE), adoption
 * by a renewal here, kernel sync's two modes, and the data-packet trigger
 * (ondemand.c): valid, wrong port, expired, unknown, the negative cache,
 * the rate limits, a store error, and the component on the fake kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>

#include "ksync.h"
#include "log.h"
#include "ondemand.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

#define POOL "192.0.2.0"	/* /28, psid-len 4, offset 6 */
/* Ports of psid 3 and 4 with offset 6, psid-len 4: (1 << 10) | (p << 6) */
#define PORT_P3 1216
#define PORT_P4 1280

struct heard {
	enum lease_event ev[64];
	struct lw4o6_mapping m[64];
	bool mirrored[64];
	size_t n;
};

static int listener(enum lease_event ev, const struct lease *l, void *arg)
{
	struct heard *h = arg;

	if (h->n < 64) {
		h->ev[h->n] = ev;
		h->mirrored[h->n] = l->mirrored;
		h->m[h->n++] = l->m;
	}
	return 0;
}

struct fx {
	struct store st;
	struct alloc *a;
	struct alloc_limits lim;
	struct pool_cfg pool;
	struct lw4o6d_config cfg;
	struct heard h;
	bool ksync;
	struct ondemand *od;
	size_t rejects;
	struct in6_addr reject_b4;
};

/* Another node's lease: ADDR psid P of B4 n, expiring at exp. */
static struct lw4o6_mapping mk(const char *addr, uint16_t psid, unsigned int n,
			       int64_t exp)
{
	struct lw4o6_mapping m;

	memset(&m, 0, sizeof(m));
	b4_addr(&m.b4, n);
	memset(m.nonce, (int)n, sizeof(m.nonce));
	m.ipv4 = ip(addr);
	m.psid = psid;
	m.psid_len = 4;
	m.offset = 6;
	m.created = fake_wall - 10;
	m.expires = exp;
	return m;
}

static int apply_cb(enum store_change ch, const struct lw4o6_mapping *m,
		    void *arg)
{
	return alloc_apply(arg, ch, m);
}

/* What core.c does when the store's fd is readable. */
static void feed(struct fx *f)
{
	assert_int_equal(f->st.ops->changes(&f->st, apply_cb, f->a), 0);
	assert_int_equal(fake_feed_pending(), 0);
}

static struct alloc_stats stats(struct fx *f)
{
	struct alloc_stats s;

	alloc_stats(f->a, &s);
	return s;
}

static void start(struct fx *f)
{
	f->a = alloc_new(&f->st, &f->lim, &f->pool, 1, &fake_clock);
	assert_non_null(f->a);
	assert_int_equal(alloc_load(f->a, false), 0);
	assert_int_equal(alloc_listen(f->a, listener, &f->h), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_kern_reset();
	fake_store_open_shared(&f->st);
	f->lim = (struct alloc_limits){ .lifetime_min = 120,
					.lifetime_max = 86400,
					.lifetime_default = 7200,
					.quota = 1, .rate = 10, .burst = 20,
					.sub_plen = 128 };
	f->pool.prefix = ip(POOL);
	f->pool.plen = 28;
	f->pool.psid_len = 4;
	f->pool.offset = 6;
	strcpy(f->cfg.device, "lw0");
	f->cfg.redundancy = REDUNDANCY_ON_DEMAND;
	f->cfg.miss_hold = 300;
	f->cfg.miss_queue = 64;
	f->cfg.miss_rate = 2;
	f->cfg.miss_global_rate = 1000;
	f->cfg.miss_plen = 56;
	f->cfg.miss_negative_ttl = 10;
	start(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ondemand_free(f->od);
	if (f->ksync)
		ksync_stop();
	alloc_free(f->a);
	fake_store_destroy(&f->st);
	free(f);
	return 0;
}

/* ---- the core follows the feed -------------------------------------------- */

static void test_apply(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600), moved, k;
	struct lease *l;

	/* Added: in the index and the pool, mirrored, told; not written back. */
	fake_other_put(&f->st, &m);
	feed(f);
	l = alloc_find_set(f->a, m.ipv4, 3);
	assert_non_null(l);
	assert_true(l->mirrored);
	assert_false(l->wanted);
	assert_int_equal(stats(f).sets_used, 1);
	assert_int_equal(stats(f).mirrored, 1);
	assert_int_equal(f->h.n, 1);
	assert_int_equal(f->h.ev[0], LEASE_MIRRORED);
	assert_int_equal(fake_store_count(&f->st), 1);

	/* Renewed there: the expiry follows, told as a renewal. */
	m.expires += 600;
	fake_other_put(&f->st, &m);
	feed(f);
	assert_int_equal(alloc_find_set(f->a, m.ipv4, 3)->m.expires, m.expires);
	assert_int_equal(f->h.ev[1], LEASE_RENEWED);
	assert_true(f->h.mirrored[1]);

	/* Moved to another set: the old one is withdrawn and free again. */
	moved = mk(POOL, 5, 1, m.expires);
	fake_store_quiet_del(&f->st, &m);
	fake_other_put(&f->st, &moved);
	feed(f);
	assert_null(alloc_find_set(f->a, m.ipv4, 3));
	assert_non_null(alloc_find_set(f->a, m.ipv4, 5));
	assert_int_equal(f->h.ev[2], LEASE_WITHDRAWN);
	assert_int_equal(f->h.m[2].psid, 3);
	assert_int_equal(f->h.ev[3], LEASE_MIRRORED);
	assert_int_equal(stats(f).sets_used, 1);

	/* A removal of a set it no longer holds is stale: ignored. */
	k = moved;
	k.psid = 3;
	assert_int_equal(alloc_apply(f->a, STORE_DEL, &k), 0);
	assert_non_null(alloc_find_set(f->a, m.ipv4, 5));
	assert_int_equal(f->h.n, 4);

	/* Removed there: withdrawn here, the set free. */
	fake_other_del(&f->st, &moved);
	feed(f);
	assert_null(alloc_find_set(f->a, m.ipv4, 5));
	assert_int_equal(f->h.ev[4], LEASE_WITHDRAWN);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).withdrawn, 2);
	assert_int_equal(fake_store_count(&f->st), 0);

	/* Not inside a transaction. */
	assert_int_equal(alloc_begin(f->a), 0);
	assert_int_equal(alloc_apply(f->a, STORE_PUT, &m), -EBUSY);
	assert_int_equal(alloc_commit(f->a), 0);
}

/* A set another lease holds here goes to the stored one: the store is the truth. */
static void test_apply_set_taken_over(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	struct lw4o6_mapping n2 = mk(POOL, 3, 2, fake_wall + 900);

	fake_other_put(&f->st, &m);
	feed(f);
	fake_store_quiet_del(&f->st, &m);
	fake_other_put(&f->st, &n2);
	feed(f);
	assert_int_equal(alloc_find_set(f->a, m.ipv4, 3)->m.b4.s6_addr[15], 2);
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(stats(f).sets_used, 1);
}

static void test_resync(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping gone = mk(POOL, 3, 2, fake_wall + 600);
	struct lw4o6_mapping renewed = mk(POOL, 4, 3, fake_wall + 600);
	struct lw4o6_mapping added = mk(POOL, 5, 4, fake_wall + 600);
	struct alloc_answer own;
	struct lease *l;

	map_ok(f->a, 1, 3600, &own);
	fake_other_put(&f->st, &gone);
	fake_other_put(&f->st, &renewed);
	feed(f);
	/* Meanwhile, changes the feed lost: */
	fake_store_quiet_del(&f->st, &gone);
	renewed.expires += 1000;
	fake_store_quiet_put(&f->st, &renewed);
	fake_store_quiet_put(&f->st, &added);
	f->h.n = 0;
	fake_feed_resync();
	feed(f);
	assert_int_equal(stats(f).resyncs, 1);
	assert_null(alloc_find_set(f->a, gone.ipv4, 3));
	assert_int_equal(alloc_find_set(f->a, renewed.ipv4, 4)->m.expires,
			 renewed.expires);
	assert_non_null(alloc_find_set(f->a, added.ipv4, 5));
	/* our own lease, as stored: kept, still ours */
	l = alloc_find_set(f->a, own.m.ipv4, own.m.psid);
	assert_non_null(l);
	assert_false(l->mirrored);
	assert_int_equal(stats(f).leases, 3);
	assert_int_equal(stats(f).sets_used, 3);
	/* told: the renewal, the addition, the withdrawal; nothing of ours */
	assert_int_equal(f->h.n, 3);
}

/*
 * Start on a shared store: a missing epoch base clears nothing (another
 * node may be granting), every lease is mirrored, and nobody is collected
 * for the ANNOUNCE (a node's restart lost no state).
 */
static void test_load_shared(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	size_t n = 99;
	int64_t base;

	alloc_free(f->a);
	fake_store_destroy(&f->st);
	fake_store_open_shared(&f->st);
	fake_store_quiet_put(&f->st, &m);	/* no epoch base yet */
	start(f);
	assert_int_equal(stats(f).leases, 1);
	assert_true(alloc_find_set(f->a, m.ipv4, 3)->mirrored);
	assert_int_equal(fake_store_count(&f->st), 1);
	assert_int_equal(store_get_meta(&f->st, "epoch_base", &base), 0);
	alloc_b4s_at_start(f->a, &n);
	assert_int_equal(n, 0);
}

/* ---- grants on a shared store --------------------------------------------- */

static void test_race_picks_another(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r = req(1, 3600);

	/* The first set picked was granted by another node meanwhile. */
	fake_shared.put_eexist = 1;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_true(ans.has_set);
	assert_true(fake_store_get(&f->st, ans.m.ipv4, ans.m.psid, NULL));
	assert_int_equal(stats(f).raced, 1);
	/* the raced set stays taken until that node's lease arrives ... */
	assert_int_equal(stats(f).sets_used, 2);
	/* ... or a resync finds none */
	fake_feed_resync();
	feed(f);
	assert_int_equal(stats(f).sets_used, 1);

	/* Bounded: every set raced away gives up after a few tries. */
	r = req(2, 3600);
	fake_shared.put_eexist = 100;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	assert_int_equal(fake_shared.put_eexist, 92);
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(fake_store_count(&f->st), 1);
}

/* The raced set's lease arrives: it is that lease's now, freed with it. */
static void test_race_then_feed(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r = req(1, 3600);
	struct lw4o6_mapping theirs, first;

	/* Which set B4 1 gets first: granted, then released. */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	first = ans.m;
	r.lifetime = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	r.lifetime = 3600;
	fake_shared.put_eexist = 1;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	if (ans.m.ipv4 == first.ipv4 && ans.m.psid == first.psid)
		fail_msg("granted the set the store refused");
	theirs = mk(POOL, first.psid, 9, fake_wall + 600);
	theirs.ipv4 = first.ipv4;	/* the /28 has 16 addresses */
	fake_other_put(&f->st, &theirs);
	feed(f);
	assert_int_equal(stats(f).sets_used, 2);
	fake_other_del(&f->st, &theirs);
	feed(f);
	assert_int_equal(stats(f).sets_used, 1);
}

static void test_database_away(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r = req(1, 3600);
	struct lw4o6_mapping got;
	int64_t exp;

	/* A grant: nothing half done, an answer the B4 asks again on. */
	fake_shared.put_err = -EAGAIN;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_STORED);
	assert_false(ans.has_set);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(f->h.n, 0);
	assert_int_equal(fake_store_count(&f->st), 0);

	/* Back: granted; then a renewal while away keeps what was. */
	fake_shared.put_err = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	got = ans.m;
	exp = ans.m.expires;
	fake_wall += 100;
	fake_shared.put_err = -EAGAIN;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_STORED);
	assert_int_equal(alloc_find_set(f->a, got.ipv4, got.psid)->m.expires,
			 exp);
	fake_shared.put_err = 0;
	fake_wall -= 100;
}

/* ---- expiry and renewal of another node's ---------------------------------- */

static void test_expiry_renewed_elsewhere(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct lw4o6_mapping there;
	struct lease *l;
	int64_t t0 = fake_wall;

	map_ok(f->a, 1, 600, &ans);
	/* The B4 moved to another node, which renewed it; no feed yet. */
	there = ans.m;
	there.expires = t0 + 1200;
	fake_store_quiet_put(&f->st, &there);
	fake_wall = t0 + 601;
	f->h.n = 0;
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	l = alloc_find_set(f->a, ans.m.ipv4, ans.m.psid);
	assert_non_null(l);
	assert_int_equal(l->m.expires, t0 + 1200);
	assert_true(l->mirrored);
	assert_true(l->wanted);		/* it was installed here: stays */
	assert_int_equal(stats(f).stale_kept, 1);
	assert_int_equal(f->h.ev[0], LEASE_RENEWED);
	assert_int_equal(fake_store_count(&f->st), 1);

	/* Due for good: removed from the store and here. */
	fake_wall = t0 + 1201;
	assert_int_equal(alloc_expire(f->a, "expired"), 1);
	assert_int_equal(fake_store_count(&f->st), 0);
	assert_int_equal(stats(f).leases, 0);
	fake_wall = t0;
}

/*
 * The store away at expiry: whether another node renewed the lease is
 * unknown and its B4's renewals are answered "retry", so it stays (here
 * and in the kernel) until the store can say; then it goes as usual.
 */
static void test_expiry_store_away(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	int64_t t0 = fake_wall;

	map_ok(f->a, 1, 600, &ans);
	fake_wall = t0 + 601;
	fake_shared.del_err = -EAGAIN;
	f->h.n = 0;
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	assert_non_null(alloc_find_set(f->a, ans.m.ipv4, ans.m.psid));
	assert_int_equal(f->h.n, 0);		/* nobody told: kernel keeps it */
	assert_int_equal(stats(f).expiry_put_off, 1);
	assert_int_equal(fake_store_count(&f->st), 1);

	/* Still away a second later: put off again. */
	fake_wall = t0 + 603;
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	assert_int_equal(stats(f).expiry_put_off, 2);

	/* Back: it goes, from the store and here. */
	fake_shared.del_err = 0;
	fake_wall = t0 + 605;
	assert_int_equal(alloc_expire(f->a, "expired"), 1);
	assert_int_equal(fake_store_count(&f->st), 0);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(f->h.ev[0], LEASE_EXPIRED);
	fake_wall = t0;
}

static void test_adopt(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	struct alloc_answer ans;
	struct lw4o6_mapping st;

	fake_other_put(&f->st, &m);
	feed(f);
	/* After the failover the B4 renews here: ours now. */
	map_ok(f->a, 1, 3600, &ans);
	assert_int_equal(ans.m.psid, 3);
	assert_false(alloc_find_set(f->a, m.ipv4, 3)->mirrored);
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_ADOPTED);
	assert_true(fake_store_get(&f->st, m.ipv4, 3, &st));
	assert_int_equal(st.expires, fake_wall + 3600);
	assert_int_equal(stats(f).renewed, 1);
}

/*
 * A B4 renumbered right after a failover: its lease is another node's
 * (mirrored) and moves all the same, becoming this node's; the quota of
 * one is not spent twice.  A PCP MAP's move, and a DHCP client's.
 */
static void test_move_mirrored(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600), st;
	struct alloc_answer ans;
	struct alloc_req r;
	struct lease *l;

	f->lim.sub_plen = 64;	/* b4_addr() 1 and 2 share a /64 */
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	fake_other_put(&f->st, &m);
	feed(f);
	assert_true(alloc_find_set(f->a, m.ipv4, 3)->mirrored);
	r = req(1, 3600);
	b4_addr(&r.b4, 2);
	r.suggest_ipv4 = m.ipv4;
	r.suggest_port = (uint16_t)(1024 + (3u << 6));
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(ans.m.psid, 3);
	assert_int_equal(stats(f).moved, 1);
	assert_int_equal(stats(f).leases, 1);
	l = alloc_find_set(f->a, m.ipv4, 3);
	assert_false(l->mirrored);
	assert_memory_equal(&l->m.b4, &r.b4, sizeof(r.b4));
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_MOVED);
	assert_true(fake_store_get(&f->st, m.ipv4, 3, &st));
	assert_memory_equal(&st.b4, &r.b4, sizeof(r.b4));

	/* a DHCPv4-over-DHCPv6 client's (alloc_move(), RFC 8539) as well */
	m = mk(POOL, 5, 3, fake_wall + 600);
	m.via = MAPPING_VIA_DHCP4O6;
	fake_other_put(&f->st, &m);
	feed(f);
	assert_true(alloc_find_set(f->a, m.ipv4, 5)->mirrored);
	r = req(3, 3600);
	b4_addr(&r.b4, 4);
	r.via = MAPPING_VIA_DHCP4O6;
	r.suggest_ipv4 = m.ipv4;
	assert_int_equal(alloc_move(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(ans.m.psid, 5);
	assert_int_equal(stats(f).moved, 2);
	l = alloc_find_set(f->a, m.ipv4, 5);
	assert_false(l->mirrored);
	assert_memory_equal(&l->m.b4, &r.b4, sizeof(r.b4));
	assert_true(fake_store_get(&f->st, m.ipv4, 5, &st));
	assert_memory_equal(&st.b4, &r.b4, sizeof(r.b4));
}

/* ---- kernel sync's two modes -------------------------------------------- */

static void test_ksync_hot(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);

	f->cfg.redundancy = REDUNDANCY_HOT;
	assert_int_equal(ksync_start(&f->cfg, f->a), 0);
	f->ksync = true;
	fake_other_put(&f->st, &m);
	feed(f);
	assert_true(fake_kern_get(m.ipv4, 3, NULL));
	fake_other_del(&f->st, &m);
	feed(f);
	assert_false(fake_kern_get(m.ipv4, 3, NULL));
}

static void test_ksync_on_demand(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	struct lw4o6_mapping m2 = mk(POOL, 4, 2, fake_wall + 600);
	struct alloc_answer own;

	assert_int_equal(ksync_start(&f->cfg, f->a), 0);
	f->ksync = true;
	fake_other_put(&f->st, &m);
	fake_other_put(&f->st, &m2);
	feed(f);
	assert_int_equal(fake_kern_count(), 0);
	/* ours: installed */
	map_ok(f->a, 3, 3600, &own);
	assert_true(fake_kern_get(own.m.ipv4, own.m.psid, NULL));
	/* wanted by the trigger: installed */
	assert_int_equal(alloc_want(f->a, &m), 0);
	assert_true(fake_kern_get(m.ipv4, 3, NULL));
	/* adopted by a renewal here: installed */
	map_ok(f->a, 2, 3600, &own);
	assert_true(fake_kern_get(m2.ipv4, 4, NULL));
	assert_int_equal(fake_kern_count(), 3);
	/* an operator removing the wanted one: not forgotten in the store */
	fake_kern_op_del(m.ipv4, 3);
	run_loop();
	assert_non_null(alloc_find_set(f->a, m.ipv4, 3));
	assert_false(alloc_find_set(f->a, m.ipv4, 3)->wanted);
	assert_true(fake_store_get(&f->st, m.ipv4, 3, NULL));
}

/* ---- the data-packet trigger ---------------------------------------------- */

static int fake_reject(const struct in6_addr *b4, uint32_t ipv4, void *arg)
{
	struct fx *f = arg;

	(void)ipv4;
	f->rejects++;
	f->reject_b4 = *b4;
	return 0;
}

static int64_t mono(void)
{
	return fake_mono;
}

static void trigger(struct fx *f)
{
	struct ondemand_cfg c = { .rate = f->cfg.miss_rate,
				  .global_rate = f->cfg.miss_global_rate,
				  .plen = (uint8_t)f->cfg.miss_plen,
				  .negative_ttl_ms = f->cfg.miss_negative_ttl * 1000 };
	struct ondemand_io io = { .reject = fake_reject, .now_ms = mono,
				  .arg = f };

	assert_int_equal(ksync_start(&f->cfg, f->a), 0);
	f->ksync = true;
	f->od = ondemand_new(f->a, &c, &io);
	assert_non_null(f->od);
}

static struct ondemand_stats od_stats(struct fx *f)
{
	struct ondemand_stats s;

	ondemand_stats(f->od, &s);
	return s;
}

static void test_trigger_valid(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);

	trigger(f);
	fake_store_quiet_put(&f->st, &m);	/* the feed has not told yet */
	ondemand_miss(f->od, &m.b4, m.ipv4, PORT_P3, true);
	assert_true(fake_kern_get(m.ipv4, 3, NULL));
	assert_true(alloc_find_set(f->a, m.ipv4, 3)->wanted);
	assert_int_equal(f->rejects, 0);
	assert_int_equal(od_stats(f).installed, 1);
	assert_int_equal(od_stats(f).held, 1);
	assert_int_equal(fake_shared.lookups, 1);
	/* tracked like any lease: removed from the kernel at its expiry */
	fake_wall += 601;
	alloc_expire(f->a, "expired");
	assert_false(fake_kern_get(m.ipv4, 3, NULL));
	fake_wall -= 601;
}

static void test_trigger_invalid(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	struct lw4o6_mapping old = mk(POOL, 5, 2, fake_wall - 1);
	struct in6_addr stranger;

	f->cfg.miss_rate = 100;		/* every B4 here is in one /56 */
	trigger(f);
	fake_store_quiet_put(&f->st, &m);
	fake_store_quiet_put(&f->st, &old);
	/* wrong port: not in the B4's set */
	ondemand_miss(f->od, &m.b4, m.ipv4, PORT_P4, true);
	/* expired */
	ondemand_miss(f->od, &old.b4, old.ipv4, (1 << 10) | (5 << 6), true);
	/* unknown B4 */
	b4_addr(&stranger, 77);
	ondemand_miss(f->od, &stranger, m.ipv4, PORT_P3, true);
	/* another B4 claiming m's address and port */
	ondemand_miss(f->od, &old.b4, m.ipv4, PORT_P3, true);
	assert_int_equal(od_stats(f).refused, 4);
	assert_int_equal(f->rejects, 4);
	assert_int_equal(fake_kern_count(), 0);
	assert_int_equal(od_stats(f).installed, 0);
	/* a whole-address question (no port) needs a whole-address mapping */
	ondemand_miss(f->od, &m.b4, m.ipv4, -1, true);
	assert_int_equal(od_stats(f).refused, 5);
	/* not held: nothing to reject (the module answered already) */
	b4_addr(&stranger, 78);
	ondemand_miss(f->od, &stranger, m.ipv4, PORT_P3, false);
	assert_int_equal(od_stats(f).refused, 6);
	assert_int_equal(f->rejects, 5);
}

static void test_trigger_negative_cache(void **state)
{
	struct fx *f = *state;
	struct in6_addr b4;

	trigger(f);
	b4_addr(&b4, 77);
	ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	assert_int_equal(fake_shared.lookups, 1);
	/* again within the TTL: refused without asking the store */
	fake_mono += 9000;
	ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	assert_int_equal(fake_shared.lookups, 1);
	assert_int_equal(od_stats(f).cached, 1);
	assert_int_equal(f->rejects, 2);
	/* another port is another question */
	ondemand_miss(f->od, &b4, ip(POOL), PORT_P4, true);
	assert_int_equal(fake_shared.lookups, 2);
	/* after the TTL: asked again, and now valid */
	fake_mono += 1001;
	{
		struct lw4o6_mapping m = mk(POOL, 3, 77, fake_wall + 600);

		fake_store_quiet_put(&f->st, &m);
	}
	ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	assert_int_equal(fake_shared.lookups, 3);
	assert_int_equal(od_stats(f).installed, 1);
}

static void test_trigger_rates(void **state)
{
	struct fx *f = *state;
	struct in6_addr b4;
	unsigned int i;

	f->cfg.miss_global_rate = 5;
	trigger(f);
	/* one /56 (b4_addr numbers the last bytes): 2 a second */
	for (i = 1; i <= 3; i++) {
		b4_addr(&b4, 100 + i);
		ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	}
	assert_int_equal(fake_shared.lookups, 2);
	assert_int_equal(od_stats(f).over_prefix_rate, 1);
	assert_int_equal(f->rejects, 3);
	/* other /56s: the global 5 a second (2 spent) */
	for (i = 1; i <= 5; i++) {
		b4_addr(&b4, 1);
		b4.s6_addr[5] = (uint8_t)i;
		ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	}
	assert_int_equal(fake_shared.lookups, 5);
	assert_int_equal(od_stats(f).over_global_rate, 2);
	/* a second later, refilled */
	fake_mono += 1000;
	b4_addr(&b4, 104);
	ondemand_miss(f->od, &b4, ip(POOL), PORT_P3, true);
	assert_int_equal(fake_shared.lookups, 6);
	assert_int_equal(od_stats(f).misses, 9);
}

static void test_trigger_store_error(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);

	trigger(f);
	fake_store_quiet_put(&f->st, &m);
	fake_shared.lookup_err = -EAGAIN;
	ondemand_miss(f->od, &m.b4, m.ipv4, PORT_P3, true);
	/* no verdict: nothing rejected, nothing remembered */
	assert_int_equal(od_stats(f).store_errors, 1);
	assert_int_equal(f->rejects, 0);
	fake_shared.lookup_err = 0;
	ondemand_miss(f->od, &m.b4, m.ipv4, PORT_P3, true);
	assert_int_equal(od_stats(f).installed, 1);
	assert_true(fake_kern_get(m.ipv4, 3, NULL));
}

/* The component on the (fake) module: miss-hold set, events followed. */
static void test_trigger_component(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m = mk(POOL, 3, 1, fake_wall + 600);
	struct in6_addr stranger;

	assert_int_equal(ksync_start(&f->cfg, f->a), 0);
	f->ksync = true;
	assert_int_equal(ondemand_start(&f->cfg, f->a), 0);
	assert_int_equal(fake_kern_hold_ms, 300);
	assert_int_equal(fake_kern_queue, 64);
	fake_store_quiet_put(&f->st, &m);
	fake_kern_miss(&m.b4, m.ipv4, PORT_P3, true);
	b4_addr(&stranger, 77);
	fake_kern_miss(&stranger, m.ipv4, PORT_P3, true);
	run_loop();
	assert_true(fake_kern_get(m.ipv4, 3, NULL));
	assert_int_equal(fake_kern_rejects, 1);
	assert_memory_equal(&fake_kern_reject_b4, &stranger, sizeof(stranger));
	assert_int_equal(fake_kern_reject_ipv4, m.ipv4);
	/* SIGHUP: a new hold reaches the device */
	f->cfg.miss_hold = 500;
	ondemand_reload(&f->cfg);
	assert_int_equal(fake_kern_hold_ms, 500);
	ondemand_stop();

	/* hot: the device holds nothing; a module that refuses is no failure */
	f->cfg.redundancy = REDUNDANCY_HOT;
	assert_int_equal(ondemand_start(&f->cfg, f->a), 0);
	assert_int_equal(fake_kern_hold_ms, 0);
	ondemand_stop();
	/* on demand, a module that cannot hold: refused */
	f->cfg.redundancy = REDUNDANCY_ON_DEMAND;
	fake_kern_fail_hold = -EINVAL;
	assert_int_equal(ondemand_start(&f->cfg, f->a), -1);
}

#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_apply),
		T(test_apply_set_taken_over),
		T(test_resync),
		T(test_load_shared),
		T(test_race_picks_another),
		T(test_race_then_feed),
		T(test_database_away),
		T(test_expiry_renewed_elsewhere),
		T(test_expiry_store_away),
		T(test_adopt),
		T(test_move_mirrored),
		T(test_ksync_hot),
		T(test_ksync_on_demand),
		T(test_trigger_valid),
		T(test_trigger_invalid),
		T(test_trigger_negative_cache),
		T(test_trigger_rates),
		T(test_trigger_store_error),
		T(test_trigger_component),
	};

	log_open(LOG_WARNING, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
