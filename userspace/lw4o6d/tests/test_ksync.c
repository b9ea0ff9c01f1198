// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ksync.c against a fake kernel (tests/fake_kernel.c): reconciliation at
 * start (bindings in the kernel but not stored, stored but not in the
 * kernel, on our set but another B4's, expired while down, outside the
 * pools), grants and removals reaching the kernel, a kernel that refuses,
 * and operators' changes arriving as events, told apart from our own by
 * the port id the kernel puts in each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>

#include "ksync.h"
#include "log.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

struct fx {
	struct store st;
	struct alloc *a;
	struct alloc_limits lim;
	struct pool_cfg pool;
	struct lw4o6d_config cfg;
};

/* A binding of the pool's shape: ADDR psid P of B4 n, expiring at exp. */
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

/* What a kernel binding is: its B4, if the fake has one on the set. */
static int kernel_b4(const char *addr, uint16_t psid)
{
	struct lw4o6_mapping k;

	if (!fake_kern_get(ip(addr), psid, &k))
		return 0;
	return k.b4.s6_addr[15];
}

static void start(struct fx *f)
{
	f->a = alloc_new(&f->st, &f->lim, &f->pool, 1, &fake_clock);
	assert_non_null(f->a);
	assert_int_equal(alloc_load(f->a, false), 0);
	assert_int_equal(ksync_start(&f->cfg, f->a), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_kern_reset();
	fake_store_open(&f->st);
	f->lim = (struct alloc_limits){ .lifetime_min = 120,
					.lifetime_max = 86400,
					.lifetime_default = 7200,
					.quota = 1, .rate = 10, .burst = 20,
					.sub_plen = 128 };
	f->pool.prefix = ip("192.0.2.0");
	f->pool.plen = 28;
	f->pool.psid_len = 4;
	f->pool.offset = 6;
	strcpy(f->cfg.device, "lw0");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ksync_stop();
	alloc_free(f->a);
	fake_store_destroy(&f->st);
	free(f);
	return 0;
}

static size_t leases(struct fx *f)
{
	struct alloc_stats s;

	alloc_stats(f->a, &s);
	return s.leases;
}

/* Stored mappings and kernel bindings, every case of docs/lw4o6d.md's table. */
static void test_reconcile(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m;
	int64_t later = fake_wall + 3600;

	/* A store of an earlier run (without a base it counts as lost). */
	assert_int_equal(store_set_meta(&f->st, "epoch_base", fake_wall - 100), 0);
	/* A: stored and installed as stored */
	m = mk("192.0.2.1", 1, 1, later);
	assert_int_equal(store_put(&f->st, &m), 0);
	fake_kern_op_add(&m);
	/* B: stored, missing from the kernel (a reboot) */
	m = mk("192.0.2.2", 2, 2, later);
	assert_int_equal(store_put(&f->st, &m), 0);
	/* C: stored, but the kernel has another B4 (9) on the set */
	m = mk("192.0.2.3", 3, 3, later);
	assert_int_equal(store_put(&f->st, &m), 0);
	m = mk("192.0.2.3", 3, 9, 0);
	fake_kern_op_add(&m);
	/* D: stored, expired while down, still installed */
	m = mk("192.0.2.4", 4, 4, fake_wall - 1);
	assert_int_equal(store_put(&f->st, &m), 0);
	fake_kern_op_add(&m);
	/* E: expired while down, the kernel has another B4's (8) there */
	m = mk("192.0.2.5", 5, 5, fake_wall);
	assert_int_equal(store_put(&f->st, &m), 0);
	m = mk("192.0.2.5", 5, 8, 0);
	fake_kern_op_add(&m);
	/* F: in the kernel inside the pool, not stored (a lost store) */
	m = mk("192.0.2.6", 6, 6, 0);
	fake_kern_op_add(&m);
	/* G: in the kernel outside every pool: the operator's own */
	m = mk("198.51.100.7", 7, 7, 0);
	fake_kern_op_add(&m);

	start(f);
	assert_int_equal(kernel_b4("192.0.2.1", 1), 1);
	assert_int_equal(kernel_b4("192.0.2.2", 2), 2);	/* reinstalled */
	assert_int_equal(kernel_b4("192.0.2.3", 3), 3);	/* ours again */
	assert_int_equal(kernel_b4("192.0.2.4", 4), 0);	/* expired: removed */
	assert_int_equal(kernel_b4("192.0.2.5", 5), 8);	/* not ours to remove */
	assert_int_equal(kernel_b4("192.0.2.6", 6), 0);	/* stale: removed */
	assert_int_equal(kernel_b4("198.51.100.7", 7), 7);	/* left alone */
	assert_int_equal(fake_kern_count(), 5);
	assert_int_equal(leases(f), 3);
	assert_int_equal(fake_store_count(&f->st), 3);
	assert_false(fake_store_get(&f->st, ip("192.0.2.4"), 4, NULL));
	assert_false(fake_store_get(&f->st, ip("192.0.2.5"), 5, NULL));
	/* Nobody listened during the start: nothing to catch up on. */
	run_loop();
	assert_int_equal(leases(f), 3);
}

/* A grant is installed, a deletion and an expiry removed; a refusal undone. */
static void test_follow_core(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2;
	struct alloc_req r;

	start(f);
	map_ok(f->a, 1, 3600, &a1);
	map_ok(f->a, 2, 200, &a2);
	assert_int_equal(fake_kern_count(), 2);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, NULL));

	map_ok(f->a, 1, 0, &a1);
	assert_false(fake_kern_get(a1.m.ipv4, a1.m.psid, NULL));
	fake_wall += 200;
	assert_int_equal(alloc_expire(f->a, "expired"), 1);
	assert_int_equal(fake_kern_count(), 0);

	/* The kernel refuses: no lease, nothing stored, the set free again. */
	fake_kern_fail_add = -ENOMEM;
	r = req(3, 3600);
	assert_int_equal(alloc_map(f->a, &r, &a1), ALLOC_NO_SET);
	assert_int_equal(leases(f), 0);
	assert_int_equal(fake_store_count(&f->st), 0);
	fake_kern_fail_add = 0;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	assert_int_equal(fake_kern_count(), 1);

	/* Our own changes came back as events: none of them undid anything. */
	run_loop();
	assert_int_equal(fake_kern_pending(), 0);
	assert_int_equal(leases(f), 1);
	assert_int_equal(fake_kern_count(), 1);
}

/* A B4 renumbered in its prefix (alloc.c's move): the binding follows it. */
static void test_follow_move(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping k;
	struct alloc_answer a1, a2;
	struct alloc_req r;

	f->lim.sub_plen = 64;	/* b4_addr() 1 and 2 share a /64 */
	start(f);
	map_ok(f->a, 1, 3600, &a1);
	r = req(1, 3600);	/* its nonce ... */
	b4_addr(&r.b4, 2);	/* ... from its new address */
	r.suggest_ipv4 = a1.m.ipv4;
	r.suggest_port = (uint16_t)(1024 + ((unsigned int)a1.m.psid << 6));
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	assert_int_equal(a2.m.psid, a1.m.psid);
	assert_int_equal(fake_kern_count(), 1);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &k));
	assert_memory_equal(&k.b4, &r.b4, sizeof(r.b4));
	/* our own replace came back as an event: nothing undone */
	run_loop();
	assert_int_equal(fake_kern_pending(), 0);
	assert_int_equal(leases(f), 1);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &k));
	assert_memory_equal(&k.b4, &r.b4, sizeof(r.b4));
}

/*
 * Our deletion's event arrives after the set was granted to the same B4
 * again: told apart by its port id, it must not take the new lease.
 */
static void test_own_events_ignored(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2;
	struct alloc_req r = req(1, 3600);

	start(f);
	assert_int_equal(alloc_map(f->a, &r, &a1), ALLOC_OK);
	r.lifetime = 0;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	r.lifetime = 3600;
	assert_int_equal(alloc_map(f->a, &r, &a2), ALLOC_OK);
	assert_int_equal(a2.m.ipv4, a1.m.ipv4);	/* its preferred set again */
	assert_int_equal(a2.m.psid, a1.m.psid);
	assert_int_equal(fake_kern_pending(), 3);
	run_loop();
	assert_int_equal(fake_kern_pending(), 0);
	assert_int_equal(leases(f), 1);
	assert_true(fake_store_get(&f->st, a2.m.ipv4, a2.m.psid, NULL));
	assert_true(fake_kern_get(a2.m.ipv4, a2.m.psid, NULL));
}

/* An operator deletes or hands away our bindings: we forget them. */
static void test_operator_changes(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2, a3;
	struct lw4o6_mapping m;

	start(f);
	map_ok(f->a, 1, 3600, &a1);
	map_ok(f->a, 2, 3600, &a2);
	map_ok(f->a, 3, 3600, &a3);
	run_loop();
	assert_int_equal(leases(f), 3);

	fake_kern_op_del(a1.m.ipv4, a1.m.psid);
	m = a2.m;
	b4_addr(&m.b4, 9);
	fake_kern_op_replace(&m);
	m = a3.m;			/* replaced by the same: still ours */
	fake_kern_op_replace(&m);
	run_loop();
	assert_int_equal(leases(f), 1);
	assert_null(alloc_find_set(f->a, a1.m.ipv4, a1.m.psid));
	assert_null(alloc_find_set(f->a, a2.m.ipv4, a2.m.psid));
	assert_non_null(alloc_find_set(f->a, a3.m.ipv4, a3.m.psid));
	assert_int_equal(fake_store_count(&f->st), 1);
	/* The operator's binding stays; B4 9 is not ours. */
	assert_true(fake_kern_get(a2.m.ipv4, a2.m.psid, &m));
	assert_int_equal(m.b4.s6_addr[15], 9);
	/* B4 1 asks again and is served. */
	map_ok(f->a, 1, 3600, &a1);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &m));
	assert_int_equal(m.b4.s6_addr[15], 1);

	/* A flush takes everything: everything is forgotten. */
	fake_kern_op_flush();
	run_loop();
	assert_int_equal(leases(f), 0);
	assert_int_equal(fake_store_count(&f->st), 0);
}

/*
 * #11 item 13: a batch that deletes and then fails to commit leaves the
 * kernel's binding, the stored row and the lease as they were; the
 * deletion reaches the kernel only with a commit.
 */
static void test_failed_commit_keeps_binding(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, a2, ans;
	struct lw4o6_mapping k;

	start(f);
	map_ok(f->a, 1, 3600, &a1);
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 1, 0, &ans);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, NULL));	/* not yet */
	map_ok(f->a, 2, 3600, &a2);
	fake_store_fail.commit = -EIO;
	assert_int_equal(alloc_commit(f->a), -EIO);
	fake_store_fail.commit = 0;
	run_loop();
	/* B4 1 as before everywhere; B4 2's grant undone everywhere. */
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &k));
	assert_memory_equal(&k.b4, &a1.m.b4, sizeof(k.b4));
	assert_true(fake_store_get(&f->st, a1.m.ipv4, a1.m.psid, NULL));
	assert_non_null(alloc_find_set(f->a, a1.m.ipv4, a1.m.psid));
	assert_false(fake_kern_get(a2.m.ipv4, a2.m.psid, NULL));
	assert_int_equal(fake_kern_count(), 1);
	assert_int_equal(fake_store_count(&f->st), 1);

	/* After a restart, no row without a binding, none overwritten. */
	ksync_stop();
	alloc_free(f->a);
	store_close(&f->st);
	fake_store_reopen(&f->st);
	start(f);
	assert_int_equal(leases(f), 1);
	assert_int_equal(fake_kern_count(), 1);
	map_ok(f->a, 2, 3600, &a2);
	assert_int_equal(fake_kern_count(), 2);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &k));
	assert_memory_equal(&k.b4, &a1.m.b4, sizeof(k.b4));

	/* A deletion that commits reaches the kernel. */
	assert_int_equal(alloc_begin(f->a), 0);
	map_ok(f->a, 1, 0, &ans);
	assert_int_equal(alloc_commit(f->a), 0);
	assert_false(fake_kern_get(a1.m.ipv4, a1.m.psid, NULL));
	run_loop();
	assert_int_equal(leases(f), 1);
}

/*
 * #11 item 14: an operator's binding on a set of our pools: the grant
 * that meets it (EEXIST) goes on to another set at once, and the set
 * stays taken until the operator deletes the binding.
 */
static void test_operator_binding_on_pool_set(void **state)
{
	struct fx *f = *state;
	struct alloc_answer a1, ans;
	struct lw4o6_mapping m, k;
	struct alloc_req r;
	unsigned int i;

	start(f);
	map_ok(f->a, 1, 3600, &a1);	/* the set B4 1 prefers */
	map_ok(f->a, 1, 0, &ans);
	run_loop();
	m = a1.m;
	b4_addr(&m.b4, 9);
	fake_kern_op_add(&m);
	run_loop();
	/* B4 1 is served, with another set; the operator's binding stays. */
	map_ok(f->a, 1, 3600, &ans);
	assert_false(ans.m.ipv4 == a1.m.ipv4 && ans.m.psid == a1.m.psid);
	assert_true(fake_kern_get(a1.m.ipv4, a1.m.psid, &k));
	assert_int_equal(k.b4.s6_addr[15], 9);
	/* Every other B4 is served too, none is given the operator's set. */
	for (i = 2; i <= 20; i++) {
		r = req(i, 3600);
		assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
		assert_false(ans.m.ipv4 == a1.m.ipv4 && ans.m.psid == a1.m.psid);
	}
	assert_int_equal(alloc_foreign_count(f->a), 1);
	run_loop();

	/* The operator deletes it: the set is ours to grant again. */
	fake_kern_op_del(a1.m.ipv4, a1.m.psid);
	run_loop();
	assert_int_equal(alloc_foreign_count(f->a), 0);
	map_ok(f->a, 1, 0, &ans);
	map_ok(f->a, 1, 3600, &ans);
	assert_int_equal(ans.m.ipv4, a1.m.ipv4);
	assert_int_equal(ans.m.psid, a1.m.psid);

	/* One of ours given to another B4 by hand: forgotten, and kept taken. */
	m = ans.m;
	b4_addr(&m.b4, 9);
	fake_kern_op_replace(&m);
	run_loop();
	assert_null(alloc_find_set(f->a, m.ipv4, m.psid));
	assert_int_equal(alloc_foreign_count(f->a), 1);
	map_ok(f->a, 1, 3600, &ans);
	assert_false(ans.m.ipv4 == m.ipv4 && ans.m.psid == m.psid);
	/* A flush takes the operator's bindings too. */
	fake_kern_op_flush();
	run_loop();
	assert_int_equal(alloc_foreign_count(f->a), 0);
}

static void test_no_device(void **state)
{
	struct fx *f = *state;

	fake_kern_no_device = true;
	f->a = alloc_new(&f->st, &f->lim, &f->pool, 1, &fake_clock);
	assert_non_null(f->a);
	assert_int_equal(alloc_load(f->a, false), 0);
	assert_int_equal(ksync_start(&f->cfg, f->a), -1);
}

/*
 * Many stored leases and a kernel with nothing but ours: one bulk load, not
 * a BIND_NEW each; an operator's binding outside the pools must survive,
 * so then they go one by one; a load the kernel refuses falls back too.
 */
static void test_bulk_start(void **state)
{
	struct fx *f = *state;
	struct lw4o6_mapping m, op;
	char a4[32];
	unsigned int i;

	assert_int_equal(store_set_meta(&f->st, "epoch_base", fake_wall - 100), 0);
	for (i = 0; i < 100; i++) {
		snprintf(a4, sizeof(a4), "192.0.2.%u", i % 16);
		m = mk(a4, (uint16_t)(i / 16), i + 1, fake_wall + 3600);
		assert_int_equal(store_put(&f->st, &m), 0);
	}
	m = mk("192.0.2.0", 0, 1, 0);
	fake_kern_op_add(&m);	/* ours, installed already */
	start(f);
	assert_int_equal(fake_kern_loads, 1);
	assert_int_equal(fake_kern_count(), 100);
	assert_true(fake_kern_get(ip("192.0.2.15"), 5, NULL));
	ksync_stop();
	alloc_free(f->a);

	/* an operator's binding outside the pools: kept, no bulk load */
	fake_kern_reset();
	op = mk("198.51.100.1", 0, 200, 0);
	fake_kern_op_add(&op);
	start(f);
	assert_int_equal(fake_kern_loads, 0);
	assert_int_equal(fake_kern_count(), 101);
	assert_true(fake_kern_get(op.ipv4, 0, NULL));
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reconcile),
		T(test_bulk_start),
		T(test_follow_core),
		T(test_follow_move),
		T(test_own_events_ignored),
		T(test_operator_changes),
		T(test_no_device),
		T(test_failed_commit_keeps_binding),
		T(test_operator_binding_on_pool_set),
	};

	log_open(LOG_WARNING, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
