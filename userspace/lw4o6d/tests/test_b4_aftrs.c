// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b4_aftrs.c: the list's order and moves, and a name looked up through
 * getaddrinfo_a() on the real loop.  The names are numeric (an IPv6
 * literal needs no resolver): what is under test is the lookup's
 * asynchrony and what is done with its answer, not the host's DNS.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <cmocka.h>

#include "../b4_aftrs.h"
#include "../log.h"
#include "../loop.h"

static struct in6_addr used[16];
static unsigned int n_used, n_ready, n_moved;
static int use_fails;
static volatile sig_atomic_t stop;

static int fake_use(const struct in6_addr *a, void *arg)
{
	(void)arg;
	if (use_fails)
		return -1;
	used[n_used++ % 16] = *a;
	return 0;
}

static void fake_ready(void *arg)
{
	(void)arg;
	n_ready++;
	stop = 1;
}

static void fake_moved(void *arg)
{
	(void)arg;
	n_moved++;
	stop = 1;
}

static const struct b4_aftrs_ops ops = { .use = fake_use, .ready = fake_ready,
					 .moved = fake_moved };

static struct in6_addr A6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void assert_used(unsigned int i, const char *s)
{
	struct in6_addr a = A6(s);

	assert_true(i < n_used);
	assert_memory_equal(&used[i], &a, sizeof(a));
}

static int setup(void **state)
{
	(void)state;
	n_used = n_ready = n_moved = 0;
	use_fails = 0;
	stop = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	b4_aftrs_stop();
	return 0;
}

static void test_find_collect(void **state)
{
	struct in6_addr l[3] = { A6("2001:db8::1"), A6("2001:db8::2"),
				 A6("2001:db8::3") }, x = A6("2001:db8::9"),
			out[2];
	struct sockaddr_in6 s[4] = {
		{ .sin6_family = AF_INET6, .sin6_addr = A6("2001:db8::1") },
		{ .sin6_family = AF_INET6, .sin6_addr = A6("2001:db8::1") },
		{ .sin6_family = AF_INET6, .sin6_addr = A6("2001:db8::2") },
		{ .sin6_family = AF_INET6, .sin6_addr = A6("2001:db8::3") },
	};
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct addrinfo ai[5];
	int i;

	(void)state;
	assert_int_equal(b4_aftrs_find(l, 3, &l[2]), 2);
	assert_int_equal(b4_aftrs_find(l, 3, &x), 3);
	/* an IPv4 one, a duplicate (another socket type), and past max */
	memset(ai, 0, sizeof(ai));
	ai[0].ai_family = AF_INET;
	ai[0].ai_addr = (struct sockaddr *)&s4;
	ai[0].ai_addrlen = sizeof(s4);
	for (i = 1; i < 5; i++) {
		ai[i].ai_family = AF_INET6;
		ai[i].ai_addr = (struct sockaddr *)&s[i - 1];
		ai[i].ai_addrlen = sizeof(s[0]);
	}
	for (i = 0; i < 4; i++)
		ai[i].ai_next = &ai[i + 1];
	assert_int_equal(b4_aftrs_collect(ai, out, 2), 2);
	assert_memory_equal(&out[0], &l[0], sizeof(l[0]));
	assert_memory_equal(&out[1], &l[1], sizeof(l[1]));
	assert_int_equal(b4_aftrs_collect(NULL, out, 2), 0);
}

/* A list: the remote in use kept when listed, the next in turn after. */
static void test_list(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr r = A6("2001:db8:f2::1"), none = IN6ADDR_ANY_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.aftrs[0] = A6("2001:db8:f1::1");
	c.aftrs[1] = A6("2001:db8:f2::1");
	c.aftrs[2] = A6("2001:db8:f3::1");
	c.n_aftrs = 3;
	assert_int_equal(b4_aftrs_start(&c, &r, &ops), 1);
	assert_used(0, "2001:db8:f2::1");
	assert_true(b4_aftrs_next("test"));
	assert_used(1, "2001:db8:f3::1");
	assert_true(b4_aftrs_next("test"));
	assert_used(2, "2001:db8:f1::1");	/* round */
	/* the device refuses: no move, the one in use stays */
	use_fails = 1;
	assert_false(b4_aftrs_next("test"));
	use_fails = 0;
	assert_true(b4_aftrs_next("test"));
	assert_used(3, "2001:db8:f2::1");
	b4_aftrs_stop();
	/* not listed: the first; one alone: nowhere to go */
	assert_int_equal(b4_aftrs_start(&c, &none, &ops), 1);
	assert_used(4, "2001:db8:f1::1");
	b4_aftrs_stop();
	c.n_aftrs = 1;
	assert_int_equal(b4_aftrs_start(&c, &r, &ops), 1);
	assert_false(b4_aftrs_next("test"));
	assert_int_equal(n_used, 6);
	assert_int_equal(n_ready, 0);		/* a list needs no lookup */
}

static void on_deadline(struct timer *t)
{
	(void)t;
	stop = 1;
}

static void run_until_stop(void)
{
	struct timer deadline;

	timer_init(&deadline, on_deadline);
	timer_arm(&deadline, 5000);
	stop = 0;
	assert_int_equal(loop_run(&stop), 0);
	timer_cancel(&deadline);
}

/* A name with no AFTR yet: nothing used until it resolves, then ready. */
static void test_name_first(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr none = IN6ADDR_ANY_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.aftr_name, "2001:db8:f1::1");
	assert_int_equal(b4_aftrs_start(&c, &none, &ops), 0);
	assert_int_equal(n_used, 0);
	run_until_stop();
	assert_int_equal(n_ready, 1);
	assert_int_equal(n_used, 1);
	assert_used(0, "2001:db8:f1::1");
	/* it alone: no move; a lookup starts again (same answer: none) */
	assert_false(b4_aftrs_next("test"));
	assert_int_equal(n_used, 1);
}

/*
 * A name, the device's remote in use meanwhile (a previous run's): kept
 * while it is among the name's addresses, left at the answer otherwise.
 */
static void test_name_remote(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr r = A6("2001:db8:f2::1");
	struct timer wait;

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.aftr_name, "2001:db8:f2::1");
	assert_int_equal(b4_aftrs_start(&c, &r, &ops), 1);
	assert_int_equal(n_used, 0);
	timer_init(&wait, on_deadline);
	timer_arm(&wait, 500);			/* the lookup polls every 100 ms */
	run_until_stop();
	assert_int_equal(n_ready, 0);		/* asking already */
	assert_int_equal(n_used, 0);		/* listed: kept */
	assert_int_equal(n_moved, 0);
	b4_aftrs_stop();

	r = A6("2001:db8:ff::1");
	assert_int_equal(b4_aftrs_start(&c, &r, &ops), 1);
	run_until_stop();
	assert_int_equal(n_moved, 1);		/* not listed: left */
	assert_used(0, "2001:db8:f2::1");
	assert_false(b4_aftrs_next("test"));	/* alone now */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_collect),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_list),
		T(test_name_first),
		T(test_name_remote),
#undef T
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
