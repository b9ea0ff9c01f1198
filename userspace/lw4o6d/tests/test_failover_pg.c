// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Two lwAFTR cores on one real PostgreSQL (tests/pg_server.c, a server of
 * the test's own; no kernel): node a's grant reaches node b through the
 * change feed; b, granting a set a took before b heard of it, is refused
 * by the database and takes another; a lease b renewed after a "failover"
 * is not expired by a; a database stopped under a grant gives an answer
 * the B4 retries on, and after it is back b resyncs.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"
#include "tests/pg_server.h"

static struct pg_server pg;

struct node {
	struct store st;
	struct alloc *a;
	size_t mirrored, withdrawn;
};

static struct node na, nb;

static int listener(enum lease_event ev, const struct lease *l, void *arg)
{
	struct node *n = arg;

	(void)l;
	n->mirrored += ev == LEASE_MIRRORED;
	n->withdrawn += ev == LEASE_WITHDRAWN;
	return 0;
}

static void node_start(struct node *n, const char *name)
{
	struct alloc_limits lim = { .lifetime_min = 120, .lifetime_max = 86400,
				    .lifetime_default = 7200, .quota = 1,
				    .rate = 1000, .burst = 1000,
				    .sub_plen = 128 };
	struct pool_cfg pool = { .prefix = ip("192.0.2.0"), .plen = 30,
				 .psid_len = 2, .offset = 6 };

	memset(n, 0, sizeof(*n));
	snprintf(n->st.node, sizeof(n->st.node), "%s", name);
	if (store_open(&n->st, store_find("postgresql"), pg.conninfo))
		fail_msg("opening the store as %s: %s", name, n->st.err);
	assert_true(store_shared(&n->st));
	assert_int_equal(n->st.ops->set_pools(&n->st, &pool, 1), 0);
	n->a = alloc_new(&n->st, &lim, &pool, 1, &fake_clock);
	assert_non_null(n->a);
	assert_int_equal(alloc_load(n->a, false), 0);
	assert_int_equal(alloc_listen(n->a, listener, n), 0);
}

static void node_stop(struct node *n)
{
	alloc_free(n->a);
	store_close(&n->st);
}

static int apply_cb(enum store_change ch, const struct lw4o6_mapping *m,
		    void *arg)
{
	return alloc_apply(arg, ch, m);
}

/* What core.c does: the store's fd on the loop, changes() when readable. */
static void feed_until(struct node *n, size_t *counter, size_t want)
{
	int i;

	for (i = 0; i < 100 && *counter < want; i++) {
		struct pollfd p = { .fd = n->st.ops->watch_fd(&n->st),
				    .events = POLLIN };

		if (p.fd >= 0)
			poll(&p, 1, 50);
		else
			usleep(50000);
		n->st.ops->tick(&n->st);
		n->st.ops->changes(&n->st, apply_cb, n->a);
	}
	assert_int_equal(*counter, want);
}

static int setup(void **state)
{
	(void)state;
	if (pg_server_sql(&pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
		return -1;
	fake_wall = 1700000000;
	node_start(&na, "a");
	node_start(&nb, "b");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	node_stop(&na);
	node_stop(&nb);
	return 0;
}

static struct alloc_stats stats(struct node *n)
{
	struct alloc_stats s;

	alloc_stats(n->a, &s);
	return s;
}

/* a grants; b hears it and holds the same lease, mirrored. */
static void test_feed(void **state)
{
	struct alloc_answer ans;
	struct lease *l;

	(void)state;
	map_ok(na.a, 1, 3600, &ans);
	feed_until(&nb, &nb.mirrored, 1);
	l = alloc_find_set(nb.a, ans.m.ipv4, ans.m.psid);
	assert_non_null(l);
	assert_true(l->mirrored);
	assert_memory_equal(&l->m.b4, &ans.m.b4, sizeof(ans.m.b4));
	assert_int_equal(l->m.expires, ans.m.expires);
	/* released at a: withdrawn at b, the set free there too */
	{
		struct alloc_req r = req(1, 0);

		assert_int_equal(alloc_map(na.a, &r, &ans), ALLOC_OK);
	}
	feed_until(&nb, &nb.withdrawn, 1);
	assert_int_equal(stats(&nb).sets_used, 0);
}

/* b asks for the set a holds before it heard: the database says no. */
static void test_race(void **state)
{
	struct alloc_answer ans, bns;
	struct alloc_req r = req(2, 3600);

	(void)state;
	map_ok(na.a, 1, 3600, &ans);
	/* B4 2 suggests a's set at b, which has not read its feed */
	r.suggest_ipv4 = ans.m.ipv4;
	r.suggest_port = (uint16_t)((1 << 10) | (ans.m.psid << 8));
	assert_int_equal(alloc_map(nb.a, &r, &bns), ALLOC_OK);
	assert_false(bns.m.ipv4 == ans.m.ipv4 && bns.m.psid == ans.m.psid);
	assert_int_equal(stats(&nb).raced, 1);
	/* one holder per set in the store */
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_mappings"), 2);
	/* a's lease arrives at b, on the set b kept taken */
	feed_until(&nb, &nb.mirrored, 1);
	assert_int_equal(stats(&nb).sets_used, 2);
}

/* The B4 moved to b, which renewed it; a, not told yet, must not expire it. */
static void test_renewed_elsewhere(void **state)
{
	struct alloc_answer ans, bns;
	struct lease *l;

	(void)state;
	map_ok(na.a, 1, 120, &ans);
	feed_until(&nb, &nb.mirrored, 1);
	fake_wall += 60;
	map_ok(nb.a, 1, 3600, &bns);	/* adopted at b */
	assert_false(alloc_find_set(nb.a, ans.m.ipv4, ans.m.psid)->mirrored);
	fake_wall += 61;		/* a's view: due */
	alloc_begin(na.a);
	assert_int_equal(alloc_expire(na.a, "expired"), 0);
	assert_int_equal(alloc_commit(na.a), 0);
	l = alloc_find_set(na.a, ans.m.ipv4, ans.m.psid);
	assert_non_null(l);
	assert_int_equal(l->m.expires, bns.m.expires);
	assert_int_equal(stats(&na).stale_kept, 1);
	assert_int_equal(pg_server_num(&pg, "SELECT count(*) FROM lw4o6_mappings"), 1);
}

/* The database away: nothing granted, ALLOC_NOT_STORED; back: b resyncs. */
static void test_database_restart(void **state)
{
	struct alloc_answer ans;
	struct alloc_req r = req(3, 3600);
	size_t before;

	(void)state;
	assert_int_equal(pg_server_ctl(&pg, "stop"), 0);
	assert_int_equal(alloc_map(na.a, &r, &ans), ALLOC_NOT_STORED);
	assert_int_equal(stats(&na).leases, 0);
	assert_int_equal(stats(&na).sets_used, 0);
	assert_int_equal(pg_server_ctl(&pg, "start"), 0);
	/* the store reconnects on a later call or tick; the B4 asks again */
	{
		int i;

		for (i = 0; i < 50; i++) {
			na.st.ops->tick(&na.st);
			if (alloc_map(na.a, &r, &ans) == ALLOC_OK)
				break;
			usleep(100000);
		}
	}
	assert_true(ans.has_set);
	/* b lost its connection too: a resync brings a's grant */
	before = stats(&nb).resyncs;
	feed_until(&nb, &nb.mirrored, 1);
	assert_true(stats(&nb).resyncs > before);
	assert_non_null(alloc_find_set(nb.a, ans.m.ipv4, ans.m.psid));
}

#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_feed),
		T(test_race),
		T(test_renewed_elsewhere),
		T(test_database_restart),
	};
	int r;

	log_open(LOG_ERR, false);
	if (pg_server_start(&pg, false))
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	pg_server_destroy(&pg);
	return r;
}
