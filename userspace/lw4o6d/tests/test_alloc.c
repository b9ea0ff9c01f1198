// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alloc.c, the AFTR's rules, over a real store (SQLite in a scratch
 * directory) that fails on demand and a clock the test moves: grant,
 * renewal, deletion, quota, lifetime bounds, a suggested set, the request
 * rate, expiry, idle B4s, restart and epoch reset, and that a refusal by
 * the store, a listener or a failed commit leaves nothing half applied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>

#include "alloc.h"
#include "log.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

#define POOL "192.0.2.0"	/* /28, psid-len 4: 16 x 15 sets */

struct heard {
	enum lease_event ev[64];
	struct lw4o6_mapping m[64];
	size_t n;
	int refuse;		/* answer to LEASE_GRANTED */
};

static int listener(enum lease_event ev, const struct lease *l, void *arg)
{
	struct heard *h = arg;

	if (h->n < 64) {
		h->ev[h->n] = ev;
		h->m[h->n++] = l->m;
	}
	return ev == LEASE_GRANTED ? h->refuse : 0;
}

/* Refuses the first grant with EEXIST, as a kernel with an operator's binding. */
static int foreign_once(enum lease_event ev, const struct lease *l, void *arg)
{
	struct heard *h = arg;

	(void)l;
	return ev == LEASE_GRANTED && h->n++ == 0 ? -EEXIST : 0;
}

struct fx {
	struct store st;
	struct alloc *a;
	struct alloc_limits lim;
	struct pool_cfg pool;
	struct heard h;
};

static void start(struct fx *f, bool reset)
{
	f->a = alloc_new(&f->st, &f->lim, &f->pool, 1, &fake_clock);
	assert_non_null(f->a);
	assert_int_equal(alloc_load(f->a, reset), 0);
	assert_int_equal(alloc_listen(f->a, listener, &f->h), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_store_open(&f->st);
	f->lim = (struct alloc_limits){ .lifetime_min = 120,
					.lifetime_max = 86400,
					.lifetime_default = 7200,
					.quota = 1, .rate = 10, .burst = 20,
					/* one subscriber per address, as b4_addr() numbers them */
					.sub_plen = 128 };
	f->pool.prefix = ip(POOL);
	f->pool.plen = 28;
	f->pool.psid_len = 4;
	f->pool.offset = 6;
	start(f, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	alloc_free(f->a);
	fake_store_destroy(&f->st);
	free(f);
	return 0;
}

static struct alloc_stats stats(struct fx *f)
{
	struct alloc_stats s;

	alloc_stats(f->a, &s);
	return s;
}

/* Granted: a set of the pool, stored, counted, told, findable. */
static void test_grant(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;
	struct lw4o6_mapping stored;

	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_true(ans.has_set);
	assert_int_equal(ans.lifetime, 3600);
	assert_int_equal(ntohl(ans.m.ipv4) & ~15u, ntohl(ip(POOL)));
	assert_int_equal(ans.m.psid_len, 4);
	assert_int_equal(ans.m.offset, 6);
	assert_int_equal(ans.m.expires, fake_wall + 3600);
	assert_memory_equal(&ans.m.b4, &r.b4, sizeof(r.b4));
	assert_true(fake_store_get(&f->st, ans.m.ipv4, ans.m.psid, &stored));
	assert_memory_equal(&stored, &ans.m, sizeof(stored));
	assert_int_equal(stats(f).sets_used, 1);
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(f->h.n, 1);
	assert_int_equal(f->h.ev[0], LEASE_GRANTED);
	assert_int_equal(alloc_find_set(f->a, ans.m.ipv4, ans.m.psid)->m.expires,
			 ans.m.expires);
	assert_true(alloc_in_pools(f->a, ip("192.0.2.9")));
	assert_false(alloc_in_pools(f->a, ip("192.0.2.16")));
}

/* The same key and nonce renews: same set, new expiry; another nonce may not. */
static void test_renew_and_owner(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer first, ans;
	struct lw4o6_mapping stored;

	assert_int_equal(alloc_map(f->a, &r, &first), ALLOC_OK);
	fake_wall += 100;
	r.lifetime = 600;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(ans.m.ipv4, first.m.ipv4);
	assert_int_equal(ans.m.psid, first.m.psid);
	assert_int_equal(ans.lifetime, 600);
	assert_true(fake_store_get(&f->st, ans.m.ipv4, ans.m.psid, &stored));
	assert_int_equal(stored.expires, fake_wall + 600);
	assert_int_equal(stats(f).sets_used, 1);
	assert_int_equal(stats(f).renewed, 1);
	assert_int_equal(f->h.ev[1], LEASE_RENEWED);

	r.nonce[0] ^= 1;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_OWNER);
	r.lifetime = 0;		/* nor delete it */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_OWNER);
	assert_int_equal(stats(f).leases, 1);

	/* A renewal the store does not take changes nothing. */
	r = req(1, 7000);
	fake_store_fail.put = -EIO;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_STORED);
	fake_store_fail.put = 0;
	assert_int_equal(alloc_find_set(f->a, first.m.ipv4, first.m.psid)->m.expires,
			 fake_wall + 600);
}

static void test_delete(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer granted, ans;

	/* Nothing to delete: fine, nothing named. */
	r.lifetime = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_false(ans.has_set);

	r.lifetime = 3600;
	assert_int_equal(alloc_map(f->a, &r, &granted), ALLOC_OK);
	r.lifetime = 0;
	r.takes_set = false;	/* a deletion needs no PORT_SET */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_true(ans.has_set);
	assert_int_equal(ans.lifetime, 0);
	assert_int_equal(ans.m.psid, granted.m.psid);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(fake_store_count(&f->st), 0);
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_RELEASED);
}

static void test_sets_only_and_quota(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;

	r.takes_set = false;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_SETS_ONLY);
	r.takes_set = true;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	r.protocol = 6;
	r.internal_port = 80;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);
	assert_int_equal(stats(f).leases, 1);

	/* Another B4 has its own quota; a larger quota after a reload. */
	map_ok(f->a, 2, 3600, &ans);
	f->lim.quota = 2;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	r.protocol = 6;
	r.internal_port = 80;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	r.internal_port = 81;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);
	assert_int_equal(stats(f).leases, 3);
	assert_int_equal(stats(f).sets_used, 3);
}

static void test_lifetime_bounds(void **state)
{
	static const struct { uint32_t asked, granted; } lt[] = {
		{ 119, 7200 }, { 120, 120 }, { 3600, 3600 }, { 86400, 86400 },
		{ 86401, 7200 }, { 0xffffffff, 7200 },
	};
	struct fx *f = *state;
	struct alloc_answer ans;
	size_t i;

	for (i = 0; i < sizeof(lt) / sizeof(lt[0]); i++) {
		struct alloc_req r = req(1, lt[i].asked);

		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
		assert_int_equal(ans.lifetime, lt[i].granted);
		assert_int_equal(ans.m.expires, fake_wall + lt[i].granted);
	}
}

/* A suggested set: given when free, else another, or nothing if asked so. */
static void test_suggestion(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer a1, a2;

	/* 192.0.2.7 port 41000: offset 6, psid-len 4 -> PSID (41000 >> 6) & 15 = 0 */
	r.suggest_ipv4 = ip("192.0.2.7");
	r.suggest_port = 41000;
	assert_int_equal(alloc_map(f->a, &r, &a1), ALLOC_OK);
	assert_int_equal(a1.m.ipv4, ip("192.0.2.7"));
	assert_int_equal(a1.m.psid, (41000 >> 6) & 15);

	/* Taken: B4 2 gets another set, or with PREFER_FAILURE none. */
	r = req(2, 3600);
	r.suggest_ipv4 = ip("192.0.2.7");
	r.suggest_port = 41000;
	r.prefer_failure = true;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_SUGGESTION_TAKEN);
	assert_int_equal(stats(f).leases, 1);
	r.prefer_failure = false;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	assert_false(a2.m.ipv4 == a1.m.ipv4 && a2.m.psid == a1.m.psid);

	/* Outside the pools, or a port in no set (below 1024 with offset 6): ignored. */
	r = req(3, 3600);
	r.suggest_ipv4 = ip("198.51.100.1");
	r.suggest_port = 41000;
	r.prefer_failure = true;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	r = req(4, 3600);
	r.suggest_ipv4 = ip("192.0.2.8");
	r.suggest_port = 80;
	r.prefer_failure = true;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	assert_int_equal(stats(f).sets_used, 4);
}

/* Every set taken: refused, and a freed one is found again. */
static void test_exhaustion(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r;
	unsigned int i;

	for (i = 1; i <= 16 * 16; i++) {
		r = req(i, 3600);
		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	}
	r = req(999, 3600);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	map_ok(f->a, 7, 0, &ans);
	map_ok(f->a, 999, 3600, &ans);
	assert_int_equal(fake_store_count(&f->st), 256);
}

static void test_expiry(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2;

	map_ok(f->a, 1, 200, &a1);
	map_ok(f->a, 2, 300, &a2);
	assert_false(alloc_due(f->a));
	fake_wall += 199;
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	fake_wall += 1;
	assert_true(alloc_due(f->a));
	assert_int_equal(alloc_expire(f->a, "expired"), 1);
	assert_null(alloc_find_set(f->a, a1.m.ipv4, a1.m.psid));
	assert_non_null(alloc_find_set(f->a, a2.m.ipv4, a2.m.psid));
	assert_false(fake_store_get(&f->st, a1.m.ipv4, a1.m.psid, NULL));
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_EXPIRED);
	assert_memory_equal(&f->h.m[f->h.n - 1], &a1.m, sizeof(a1.m));
	assert_int_equal(stats(f).sets_used, 1);

	/* A renewal moves a lease back in the queue. */
	map_ok(f->a, 2, 1000, &a2);
	fake_wall += 500;
	assert_int_equal(alloc_expire(f->a, "expired"), 0);
	fake_wall += 500;
	assert_int_equal(alloc_expire(f->a, "expired"), 1);
	assert_int_equal(stats(f).expired, 2);
	assert_int_equal(fake_store_count(&f->st), 0);
}

static void test_rate_and_idle(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(5, 3600);
	struct alloc_answer ans;
	int i;

	f->lim.rate = 1;
	f->lim.burst = 3;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_LIMITED);
	fake_mono += 500;
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_LIMITED);
	fake_mono += 500;
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_LIMITED);

	/* Another B4 has its own bucket. */
	r = req(6, 3600);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);

	/* B4 5 is forgotten a minute after it was last heard; B4 6 (a lease) is not. */
	assert_int_equal(stats(f).b4s, 2);
	fake_mono += 60000;
	alloc_evict_idle(f->a);
	assert_int_equal(stats(f).b4s, 2);
	fake_mono += 1;
	alloc_evict_idle(f->a);
	assert_int_equal(stats(f).b4s, 1);
	assert_non_null(alloc_b4_next(f->a, &r.b4, false, 0, 0));
	fake_mono += 3600000;
	alloc_evict_idle(f->a);
	assert_int_equal(stats(f).b4s, 1);
}

/* The store refuses: nothing taken, nothing told, refused. */
static void test_store_failure(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;

	fake_store_fail.put = -ENOSPC;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	assert_false(ans.has_set);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(stats(f).granted, 0);
	assert_int_equal(f->h.n, 0);
	fake_store_fail.put = 0;
	assert_int_equal(fake_store_count(&f->st), 0);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
}

/* A listener refuses: the grant is undone, earlier listeners hear so. */
static void test_listener_refuses(void **state)
{
	struct fx *f = *state;
	struct heard second = { .refuse = -EINVAL };
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;

	assert_int_equal(alloc_listen(f->a, listener, &second), 0);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	assert_int_equal(f->h.n, 2);
	assert_int_equal(f->h.ev[0], LEASE_GRANTED);
	assert_int_equal(f->h.ev[1], LEASE_REVOKED);
	assert_int_equal(second.n, 1);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(fake_store_count(&f->st), 0);
	alloc_unlisten(f->a, listener, &second);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(second.n, 1);
}

/* A batch whose commit fails: its grants are revoked, the rest stays. */
static void test_commit_failure(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a0, a1, a2;

	map_ok(f->a, 1, 3600, &a0);	/* before the batch */
	assert_int_equal(alloc_begin(f->a), 0);
	assert_int_equal(alloc_begin(f->a), -EBUSY);
	map_ok(f->a, 2, 3600, &a1);
	map_ok(f->a, 3, 3600, &a2);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(stats(f).sets_used, 1);
	assert_null(alloc_find_set(f->a, a1.m.ipv4, a1.m.psid));
	assert_null(alloc_find_set(f->a, a2.m.ipv4, a2.m.psid));
	assert_non_null(alloc_find_set(f->a, a0.m.ipv4, a0.m.psid));
	assert_int_equal(fake_store_count(&f->st), 1);
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_REVOKED);
	assert_int_equal(f->h.ev[f->h.n - 2], LEASE_REVOKED);

	/* A batch that commits keeps its grants. */
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 3, 3600, &a2);
	assert_int_equal(alloc_commit(f->a), 0);
	assert_int_equal(fake_store_count(&f->st), 2);
	assert_int_equal(alloc_commit(f->a), 0);	/* none open: nothing */
}

/* A restart finds the leases and the epoch; a reset forgets both. */
static void test_restart_and_reset(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer a1, ans;
	const struct mapping_b4 *b4s;
	int64_t since = alloc_since(f->a);
	size_t n;

	assert_int_equal(since, fake_wall);
	r.via = MAPPING_VIA_IPV6;	/* kept with the mapping */
	assert_int_equal(alloc_map(f->a, &r, &a1), ALLOC_OK);
	map_ok(f->a, 2, 3600, &ans);
	alloc_free(f->a);
	store_close(&f->st);

	fake_wall += 1000;
	fake_store_reopen(&f->st);
	start(f, false);
	assert_int_equal(alloc_since(f->a), since);
	assert_false(alloc_epoch_began(f->a));	/* nothing was lost */
	assert_int_equal(stats(f).leases, 2);
	assert_int_equal(stats(f).sets_used, 2);
	b4s = alloc_b4s_at_start(f->a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(b4s[0].via, MAPPING_VIA_IPV6);
	assert_int_equal(b4s[1].via, MAPPING_VIA_SOFTWIRE);
	/* B4 1 renews under its nonce; its set is nobody else's meanwhile. */
	map_ok(f->a, 1, 3600, &ans);
	assert_int_equal(ans.m.psid, a1.m.psid);
	assert_int_equal(ans.m.ipv4, a1.m.ipv4);
	r = req(3, 3600);
	r.suggest_ipv4 = a1.m.ipv4;
	r.suggest_port = 1024 + ((unsigned int)a1.m.psid << 6);
	r.prefer_failure = true;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_SUGGESTION_TAKEN);
	alloc_free(f->a);
	store_close(&f->st);

	/* --reset-epoch: the B4s that had mappings are named, then forgotten. */
	fake_wall += 1000;
	fake_store_reopen(&f->st);
	start(f, true);
	assert_int_equal(alloc_since(f->a), fake_wall);
	assert_true(alloc_epoch_began(f->a));
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(fake_store_count(&f->st), 0);
	b4s = alloc_b4s_at_start(f->a, &n);
	assert_int_equal(n, 2);
	r = req(1, 0);
	assert_memory_equal(&b4s[0].b4, &r.b4, sizeof(r.b4));
	/* B4 1's renewal came inside the softwire: that is kept now */
	assert_int_equal(b4s[0].via, MAPPING_VIA_SOFTWIRE);
}

/* GET walks a B4's leases in key order. */
static void test_b4_next(void **state)
{
	static const struct { uint8_t proto; uint16_t port; } keys[] = {
		{ 17, 80 }, { 6, 443 }, { 6, 22 },
	};
	struct fx *f = *state;
	struct alloc_answer ans;
	const struct lease *l;
	struct alloc_req r;
	size_t i;

	f->lim.quota = 3;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	for (i = 0; i < 3; i++) {
		r = req(1, 3600);
		r.protocol = keys[i].proto;
		r.internal_port = keys[i].port;
		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	}
	l = alloc_b4_next(f->a, &r.b4, false, 0, 0);
	assert_int_equal(l->m.internal_port, 22);
	l = alloc_b4_next(f->a, &r.b4, true, l->m.protocol, l->m.internal_port);
	assert_int_equal(l->m.internal_port, 443);
	l = alloc_b4_next(f->a, &r.b4, true, l->m.protocol, l->m.internal_port);
	assert_int_equal(l->m.internal_port, 80);
	assert_null(l->next_of_b4);
	assert_null(alloc_b4_next(f->a, &r.b4, true, 17, 80));
	r = req(2, 0);
	assert_null(alloc_b4_next(f->a, &r.b4, false, 0, 0));
}

/* New pools keep the leases; a lease outside them stays until it goes. */
static void test_reload(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;
	struct pool_cfg other = f->pool, bad = f->pool;

	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	bad.plen = 8;
	assert_int_equal(alloc_reload(f->a, &f->lim, &bad, 1), -1);
	assert_int_equal(stats(f).sets, 16 * 16);
	other.prefix = ip("198.51.100.0");
	assert_int_equal(alloc_reload(f->a, &f->lim, &other, 1), 0);
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(stats(f).sets_used, 0);
	map_ok(f->a, 2, 3600, &ans);
	assert_int_equal(ntohl(ans.m.ipv4) & ~15u, ntohl(ip("198.51.100.0")));
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	assert_int_equal(stats(f).sets_used, 1);
}

/* Address i (0..65535 in its low bits) of subscriber /56 number s. */
static void sub_addr(struct in6_addr *a, unsigned int s, unsigned int i)
{
	b4_addr(a, 0);
	a->s6_addr[5] = (uint8_t)(s >> 8);	/* bits 40..55: the /56 */
	a->s6_addr[6] = (uint8_t)s;
	a->s6_addr[7] = (uint8_t)(i >> 16);	/* its /64s, and hosts */
	a->s6_addr[14] = (uint8_t)(i >> 8);
	a->s6_addr[15] = (uint8_t)i;
}

/*
 * #11 item 3: one subscriber (a /56) sourcing from 10,000 addresses gets
 * its quota and its rate, one record, and leaves the pool to the others.
 */
static void test_subscriber_quota(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	unsigned int i, granted = 0, admitted = 0;
	struct alloc_req r;

	f->lim.sub_plen = 56;
	f->lim.quota = 2;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	for (i = 0; i < 10000; i++) {
		r = req(1, 3600);
		sub_addr(&r.b4, 1, i * 7919);	/* all over the /56 */
		if (alloc_admit(f->a, &r.b4) == ADMIT_OK)
			admitted++;
		switch (alloc_map(f->a, &r, &ans)) {
		case ALLOC_OK:
			granted++;
			break;
		case ALLOC_QUOTA:
			break;
		default:
			fail_msg("request %u: neither granted nor over quota", i);
		}
		fake_mono += 1;		/* 10 s in all: 100 more tokens */
	}
	assert_int_equal(granted, 2);
	assert_int_equal(stats(f).leases, 2);
	/* The burst and 10/s for 10 s, for the whole /56. */
	assert_in_range(admitted, 20 + 99, 20 + 100);
	assert_int_equal(stats(f).b4s, 1);	/* one record, not 10,000 */

	/* Another subscriber still gets a set, and the pool is barely used. */
	r = req(2, 3600);
	sub_addr(&r.b4, 2, 1);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(stats(f).sets_used, 3);

	/* The first releases one of its two: it may take one more. */
	r = req(1, 3600);
	sub_addr(&r.b4, 1, 0);
	r.lifetime = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(stats(f).leases, 2);
	r = req(1, 3600);
	sub_addr(&r.b4, 1, 0x50001);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	sub_addr(&r.b4, 1, 0x50002);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);

	/* A /64 per subscriber after a reload: the leases are counted again. */
	f->lim.sub_plen = 64;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	sub_addr(&r.b4, 1, 0x50003);	/* the /64 of 0x50001, which holds one */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);	/* renewal */
	sub_addr(&r.b4, 1, 0x50004);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);
	sub_addr(&r.b4, 1, 0x60001);	/* another /64 */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
}

/*
 * #14 item 5: a B4 renumbered inside its /56 asks from its new address
 * under its nonce, naming its set: the lease moves (same set, stored and
 * told as LEASE_MOVED), and the quota of one is not spent twice.  Not for
 * another nonce, another subscriber, or a batch that fails (undone).
 */
static void test_move(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, ans;
	struct lw4o6_mapping m;
	struct alloc_req r;

	f->lim.sub_plen = 56;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	r = req(1, 3600);
	sub_addr(&r.b4, 1, 0x10001);
	assert_int_equal(alloc_map(f->a, &r, &a1), ALLOC_OK);
	/* from elsewhere in its /56, same nonce, naming its set */
	sub_addr(&r.b4, 1, 0x20001);
	r.via = MAPPING_VIA_IPV6;
	r.suggest_ipv4 = a1.m.ipv4;
	r.suggest_port = (uint16_t)(1024 + ((unsigned int)a1.m.psid << 6));
	f->h.n = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(ans.m.ipv4, a1.m.ipv4);
	assert_int_equal(ans.m.psid, a1.m.psid);
	assert_memory_equal(&ans.m.b4, &r.b4, sizeof(r.b4));
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(stats(f).moved, 1);
	assert_int_equal(f->h.n, 1);
	assert_int_equal(f->h.ev[0], LEASE_MOVED);
	assert_memory_equal(&f->h.m[0].b4, &r.b4, sizeof(r.b4));
	assert_true(fake_store_get(&f->st, a1.m.ipv4, a1.m.psid, &m));
	assert_memory_equal(&m.b4, &r.b4, sizeof(r.b4));
	assert_int_equal(m.via, MAPPING_VIA_IPV6);
	assert_int_equal(fake_store_count(&f->st), 1);
	/* the old address holds nothing now; the new one renews as usual */
	assert_null(alloc_b4_next(f->a, &a1.m.b4, false, 0, 0));
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(stats(f).renewed, 1);

	/* another nonce, same /56: no move, and the quota says no */
	sub_addr(&r.b4, 1, 0x30001);
	r.nonce[0] ^= 1;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);
	r.nonce[0] ^= 1;
	/* a neighbour (another /56) with the nonce: its own set, no move */
	sub_addr(&r.b4, 2, 0x10001);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_false(ans.m.ipv4 == a1.m.ipv4 && ans.m.psid == a1.m.psid);
	assert_int_equal(stats(f).moved, 1);
	assert_int_equal(stats(f).leases, 2);

	/* a PCP MAP never moves a DHCPv4-over-DHCPv6 lease: its nonce is no secret */
	{
		struct alloc_req d = req(3, 3600);
		struct alloc_answer ad;

		sub_addr(&d.b4, 3, 1);
		d.via = MAPPING_VIA_DHCP4O6;
		assert_int_equal(alloc_map(f->a, &d, &ad), ALLOC_OK);
		sub_addr(&d.b4, 3, 2);
		d.via = MAPPING_VIA_SOFTWIRE;
		d.suggest_ipv4 = ad.m.ipv4;
		d.suggest_port = (uint16_t)(1024 + ((unsigned int)ad.m.psid << 6));
		assert_int_equal(alloc_map(f->a, &d, &ans), ALLOC_QUOTA);
		d.via = MAPPING_VIA_DHCP4O6;
		assert_int_equal(alloc_map(f->a, &d, &ans), ALLOC_QUOTA);
		assert_int_equal(stats(f).moved, 1);
		sub_addr(&d.b4, 3, 1);
		d.lifetime = 0;
		assert_int_equal(alloc_map(f->a, &d, &ans), ALLOC_OK);
	}

	/* a batch that fails: the lease is back at its address, so is the kernel */
	assert_int_equal(alloc_begin(f->a), 0);
	sub_addr(&r.b4, 1, 0x40001);
	f->h.n = 0;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(stats(f).moved, 2);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	assert_int_equal(f->h.n, 2);
	assert_int_equal(f->h.ev[1], LEASE_MOVED);
	sub_addr(&r.b4, 1, 0x20001);
	assert_memory_equal(&f->h.m[1].b4, &r.b4, sizeof(r.b4));
	assert_non_null(alloc_b4_next(f->a, &r.b4, false, 0, 0));
	assert_true(fake_store_get(&f->st, a1.m.ipv4, a1.m.psid, &m));
	assert_memory_equal(&m.b4, &r.b4, sizeof(r.b4));
	assert_int_equal(stats(f).leases, 2);
}

/*
 * alloc_move(), a DHCPv4-over-DHCPv6 client renumbered (RFC 8539): its
 * lease of the address it names, under its nonce, moves from elsewhere in
 * its subscriber prefix (same set, stored, LEASE_MOVED), and nothing else
 * ever happens: no lease of another nonce, address or subscriber prefix,
 * no PCP lease, no grant when there is nothing to move, no move over a key
 * the new address holds; a failed batch puts it back.
 */
static void test_dhcp_move(void **state)
{
	struct fx *f = *state;
	struct alloc_req d = req(3, 3600), p = req(4, 3600);
	struct alloc_answer ad, ap, ans;
	struct lw4o6_mapping m;
	struct in6_addr old;

	f->lim.sub_plen = 56;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	sub_addr(&d.b4, 3, 1);
	d.via = MAPPING_VIA_DHCP4O6;
	assert_int_equal(alloc_map(f->a, &d, &ad), ALLOC_OK);
	old = d.b4;
	sub_addr(&p.b4, 4, 1);
	assert_int_equal(alloc_map(f->a, &p, &ap), ALLOC_OK);

	/* not a DHCP request, or naming no address: nothing */
	sub_addr(&d.b4, 3, 2);
	d.suggest_ipv4 = ad.m.ipv4;
	d.via = MAPPING_VIA_IPV6;
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NO_SET);
	d.via = MAPPING_VIA_DHCP4O6;
	d.suggest_ipv4 = 0;
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NO_SET);
	/* another address, or another nonce: nothing, and no grant either */
	d.suggest_ipv4 = htonl(ntohl(ad.m.ipv4) + 1);
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NO_SET);
	d.suggest_ipv4 = ad.m.ipv4;
	d.nonce[0] ^= 1;
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NO_SET);
	d.nonce[0] ^= 1;
	/* a PCP lease, named by its nonce from its /56: not by this way */
	sub_addr(&p.b4, 4, 2);
	p.via = MAPPING_VIA_DHCP4O6;
	p.suggest_ipv4 = ap.m.ipv4;
	assert_int_equal(alloc_move(f->a, &p, &ans), ALLOC_NO_SET);
	/* another /56 with the client's nonce: its lease stays where it is */
	sub_addr(&d.b4, 5, 1);
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NO_SET);
	assert_int_equal(stats(f).leases, 2);
	assert_int_equal(stats(f).moved, 0);
	assert_non_null(alloc_b4_next(f->a, &old, false, 0, 0));

	/* the same /56: moved, same set, the store's row and the kernel told */
	sub_addr(&d.b4, 3, 2);
	f->h.n = 0;
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_OK);
	assert_int_equal(ans.m.ipv4, ad.m.ipv4);
	assert_int_equal(ans.m.psid, ad.m.psid);
	assert_int_equal(ans.lifetime, 3600);
	assert_memory_equal(&ans.m.b4, &d.b4, sizeof(d.b4));
	assert_int_equal(stats(f).moved, 1);
	assert_int_equal(stats(f).leases, 2);
	assert_int_equal(f->h.n, 1);
	assert_int_equal(f->h.ev[0], LEASE_MOVED);
	assert_true(fake_store_get(&f->st, ad.m.ipv4, ad.m.psid, &m));
	assert_memory_equal(&m.b4, &d.b4, sizeof(d.b4));
	assert_int_equal(m.via, MAPPING_VIA_DHCP4O6);
	assert_null(alloc_b4_next(f->a, &old, false, 0, 0));
	/* held here now: a renewal's business, not a move's */
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_NOT_OWNER);

	/* a batch that fails: back at its address, in the store too */
	assert_int_equal(alloc_begin(f->a), 0);
	sub_addr(&d.b4, 3, 3);
	assert_int_equal(alloc_move(f->a, &d, &ans), ALLOC_OK);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	assert_null(alloc_b4_next(f->a, &d.b4, false, 0, 0));
	sub_addr(&d.b4, 3, 2);
	assert_non_null(alloc_b4_next(f->a, &d.b4, false, 0, 0));
	assert_true(fake_store_get(&f->st, ad.m.ipv4, ad.m.psid, &m));
	assert_memory_equal(&m.b4, &d.b4, sizeof(d.b4));
}

/* Global caps: subscribers tracked at once, and leases in all. */
static void test_global_caps(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r;
	unsigned int s;

	f->lim.sub_plen = 56;
	f->lim.max_subs = 3;
	f->lim.max_leases = 2;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	for (s = 1; s <= 3; s++) {
		sub_addr(&r.b4, s, 1);
		assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	}
	sub_addr(&r.b4, 4, 1);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_FULL);
	assert_int_equal(stats(f).b4s, 3);
	/* Idle ones are forgotten, and make room. */
	fake_mono += 60001;
	alloc_evict_idle(f->a);
	assert_int_equal(stats(f).b4s, 0);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);

	for (s = 1; s <= 2; s++) {
		r = req(s, 3600);
		sub_addr(&r.b4, s, 1);
		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	}
	r = req(3, 3600);
	sub_addr(&r.b4, 3, 1);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	assert_int_equal(stats(f).leases, 2);
	/* Subscribers with leases are never evicted. */
	fake_mono += 3600000;
	alloc_evict_idle(f->a);
	assert_int_equal(stats(f).b4s, 2);
}

/*
 * #11 item 22: no B4 at ::, loopback, link-local, multicast, v4-mapped or
 * compatible, or the AFTR's own address; and the allow-list.
 */
static void test_bad_sources_and_allow(void **state)
{
	static const char *const bad[] = {
		"::", "::1", "fe80::1", "ff02::1", "ff0e::5351",
		"::ffff:192.0.2.1", "::192.0.2.1", "2001:db8:ffff::1",
	};
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r = req(1, 3600);
	size_t i;

	assert_int_equal(inet_pton(AF_INET6, "2001:db8:ffff::1", &r.b4), 1);
	alloc_add_self(f->a, &r.b4);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(inet_pton(AF_INET6, bad[i], &r.b4), 1);
		assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_BAD_SOURCE);
		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_ALLOWED);
	}
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).b4s, 0);	/* nothing kept for them */

	/* With an allow-list, only B4s inside it. */
	f->lim.n_allow = 1;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", &f->lim.allow[0].addr), 1);
	f->lim.allow[0].plen = 48;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db9::1", &r.b4), 1);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_NOT_ALLOWED);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NOT_ALLOWED);
	r = req(1, 3600);	/* 2001:db8::1 */
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
}

/*
 * #11 item 13: a removal in a batch whose commit fails is undone whole:
 * the lease, its row and its set stay, and nobody hears of a removal.
 */
static void test_commit_failure_removals(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2, ans;
	struct alloc_req r;
	size_t heard;

	map_ok(f->a, 1, 3600, &a1);
	heard = f->h.n;
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 1, 0, &ans);		/* B4 1 deletes its mapping */
	assert_int_equal(f->h.n, heard);	/* told only at the commit */
	map_ok(f->a, 2, 3600, &a2);		/* not B4 1's set meanwhile */
	assert_false(a2.m.ipv4 == a1.m.ipv4 && a2.m.psid == a1.m.psid);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	assert_non_null(alloc_find_set(f->a, a1.m.ipv4, a1.m.psid));
	assert_true(fake_store_get(&f->st, a1.m.ipv4, a1.m.psid, NULL));
	assert_null(alloc_find_set(f->a, a2.m.ipv4, a2.m.psid));
	assert_int_equal(fake_store_count(&f->st), 1);
	assert_int_equal(stats(f).sets_used, 1);
	assert_int_equal(stats(f).leases, 1);
	for (; heard < f->h.n; heard++)
		assert_int_not_equal(f->h.ev[heard], LEASE_RELEASED);
	/* Its owner may still renew it; nobody else gets its set. */
	map_ok(f->a, 1, 3600, &ans);
	assert_int_equal(ans.m.psid, a1.m.psid);

	/* Committed, the removal is told and its set free. */
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 1, 0, &ans);
	assert_int_equal(stats(f).sets_used, 1);	/* until the commit */
	assert_int_equal(alloc_commit(f->a), 0);
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_RELEASED);
	assert_int_equal(stats(f).sets_used, 0);
	assert_int_equal(fake_store_count(&f->st), 0);

	/* Granted and deleted in one failed batch: nothing stays. */
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 3, 3600, &ans);
	map_ok(f->a, 3, 0, &ans);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	assert_int_equal(f->h.ev[f->h.n - 1], LEASE_REVOKED);
	assert_int_equal(stats(f).leases, 0);
	assert_int_equal(stats(f).sets_used, 0);
	r = req(3, 3600);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
}

/*
 * #11 item 14: the kernel says a set is somebody else's (EEXIST): the set
 * stays taken and the B4 gets another, at once.
 */
static void test_foreign_set(void **state)
{
	struct fx *f = *state;
	struct heard kern = { .refuse = -EEXIST };
	struct alloc_answer a1, ans;
	struct alloc_req r = req(1, 3600);

	map_ok(f->a, 1, 3600, &a1);		/* B4 1's preferred set */
	map_ok(f->a, 1, 0, &ans);
	assert_int_equal(alloc_listen(f->a, listener, &kern), 0);
	kern.refuse = -EEXIST;
	/* The first try hits the operator's binding, the second is refused too. */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_NO_SET);
	assert_int_equal(alloc_foreign_count(f->a), 8);
	alloc_unlisten(f->a, listener, &kern);
	alloc_foreign_clear(f->a);
	assert_int_equal(stats(f).sets_used, 0);

	/* One foreign set: skipped, B4 1 gets the next, it stays taken. */
	kern.refuse = 0;
	kern.n = 0;
	assert_int_equal(alloc_listen(f->a, foreign_once, &kern), 0);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_false(ans.m.ipv4 == a1.m.ipv4 && ans.m.psid == a1.m.psid);
	assert_int_equal(alloc_foreign_count(f->a), 1);
	assert_int_equal(stats(f).sets_used, 2);
	assert_int_equal(stats(f).leases, 1);
	assert_int_equal(fake_store_count(&f->st), 1);
	/* Released by the operator: free again. */
	alloc_foreign_del(f->a, a1.m.ipv4, a1.m.psid);
	assert_int_equal(stats(f).sets_used, 1);
	r = req(1, 0);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	r = req(1, 3600);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(ans.m.psid, a1.m.psid);
	assert_int_equal(ans.m.ipv4, a1.m.ipv4);
	alloc_unlisten(f->a, foreign_once, &kern);
}

/*
 * What status and metrics count: requests and grants by how the B4 asked,
 * every outcome, admissions refused, each commit timed; per pool usage.
 */
static void test_counters(void **state)
{
	struct fx *f = *state;
	struct alloc_req r = req(1, 3600);
	struct alloc_answer ans;
	struct alloc_counters c;
	struct pool_usage u;

	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);	/* grant */
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);	/* renewal */
	r.internal_port = 80;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_QUOTA);
	r = req(2, 3600);
	r.via = MAPPING_VIA_DHCP4O6;
	assert_int_equal(alloc_begin(f->a), 0);
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	assert_int_equal(alloc_commit(f->a), 0);
	f->lim.rate = 1;
	f->lim.burst = 1;
	assert_int_equal(alloc_reload(f->a, &f->lim, &f->pool, 1), 0);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_OK);
	assert_int_equal(alloc_admit(f->a, &r.b4), ADMIT_LIMITED);
	alloc_counters(f->a, &c);
	assert_int_equal(c.requests[MAPPING_VIA_SOFTWIRE], 3);
	assert_int_equal(c.requests[MAPPING_VIA_DHCP4O6], 1);
	assert_int_equal(c.granted[MAPPING_VIA_SOFTWIRE], 1);
	assert_int_equal(c.granted[MAPPING_VIA_DHCP4O6], 1);
	assert_int_equal(c.granted[MAPPING_VIA_IPV6], 0);
	assert_int_equal(c.results[ALLOC_OK], 3);
	assert_int_equal(c.results[ALLOC_QUOTA], 1);
	assert_int_equal(c.admits[ADMIT_OK], 1);
	assert_int_equal(c.admits[ADMIT_LIMITED], 1);
	assert_int_equal(c.commit.count, 1);
	assert_string_equal(alloc_result_name(ALLOC_NO_SET), "no_set");
	assert_string_equal(alloc_admit_name(ADMIT_LIMITED), "rate_limited");
	assert_int_equal(alloc_pool_usage(f->a, 0, &u), 1);
	assert_int_equal(u.sets, 16 * 16);	/* offset 6: PSID 0 is a set too */
	assert_int_equal(u.used, 2);
	assert_int_equal(u.plen, 28);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_grant),
		T(test_renew_and_owner),
		T(test_delete),
		T(test_sets_only_and_quota),
		T(test_lifetime_bounds),
		T(test_suggestion),
		T(test_exhaustion),
		T(test_expiry),
		T(test_rate_and_idle),
		T(test_store_failure),
		T(test_listener_refuses),
		T(test_commit_failure),
		T(test_restart_and_reset),
		T(test_b4_next),
		T(test_reload),
		T(test_subscriber_quota),
		T(test_move),
		T(test_dhcp_move),
		T(test_global_caps),
		T(test_bad_sources_and_allow),
		T(test_commit_failure_removals),
		T(test_foreign_set),
		T(test_counters),
	};

	log_open(LOG_WARNING, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
