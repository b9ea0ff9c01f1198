// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcp_announce.c: who gets an ANNOUNCE (PCP B4s, each once a pass, not the
 * DHCPv4-over-DHCPv6 ones), when (ten passes, 0, 250, 750 ... ms, paced
 * in 100 ms slices), and that a B4 heard from gets no more.
 */
#include <stdlib.h>
#include <string.h>

#include "pcp_announce.h"
#include "tests/cmocka_wrap.h"

struct sent {
	unsigned int n;
	unsigned int per_b4[256];
	uint8_t via[256];
};

static void count(const struct pcp_announce_to *to, void *arg)
{
	struct sent *s = arg;

	s->n++;
	s->per_b4[to->b4.s6_addr[15]]++;
	s->via[to->b4.s6_addr[15]] = to->via;
}

static struct mapping_b4 b4(uint8_t n, uint8_t via)
{
	struct mapping_b4 m = { .via = via };

	m.b4.s6_addr[0] = 0x20;
	m.b4.s6_addr[1] = 0x01;
	m.b4.s6_addr[15] = n;
	return m;
}

/* Runs the round as the timer would, from t; when it ends (or until). */
static int64_t run_until(struct pcp_announce *a, int64_t t, int64_t until,
			 struct sent *s, int64_t *first_ms)
{
	while (t <= until) {
		struct pcp_announce_step st = pcp_announce_run(a, t, count, s);

		if (st.first_pass_done && first_ms)
			*first_ms = t;
		if (st.wait_ms < 0)
			return t;
		t += st.wait_ms;
	}
	return -1;
}

static void test_who(void **state)
{
	struct mapping_b4 v[] = {
		b4(3, MAPPING_VIA_SOFTWIRE), b4(1, MAPPING_VIA_IPV6),
		b4(2, MAPPING_VIA_DHCP4O6), b4(3, MAPPING_VIA_SOFTWIRE),
		b4(1, MAPPING_VIA_IPV6),
	};
	struct pcp_announce a;
	struct sent s = { 0 };

	(void)state;
	pcp_announce_init(&a, 10000);
	/* each once, the DHCP one (no PCP client) left out */
	assert_int_equal(pcp_announce_begin(&a, v, 5, PCP_ANNOUNCE_PASSES, 0), 2);
	assert_int_equal(pcp_announce_run(&a, 0, count, &s).wait_ms, 250);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.per_b4[1], 1);
	assert_int_equal(s.per_b4[2], 0);
	assert_int_equal(s.per_b4[3], 1);
	assert_int_equal(s.via[1], MAPPING_VIA_IPV6);
	assert_int_equal(s.via[3], MAPPING_VIA_SOFTWIRE);
	pcp_announce_free(&a);
	/* nobody to tell: no round */
	v[0] = b4(2, MAPPING_VIA_DHCP4O6);
	assert_int_equal(pcp_announce_begin(&a, v, 1, PCP_ANNOUNCE_PASSES, 0), 0);
	assert_int_equal(pcp_announce_run(&a, 0, count, &s).wait_ms, -1);
	pcp_announce_free(&a);
}

/* Nobody answers: ten passes at 0, 250, 750, 1750 ... 127750 ms. */
static void test_schedule(void **state)
{
	static const int64_t due[PCP_ANNOUNCE_PASSES] = {
		0, 250, 750, 1750, 3750, 7750, 15750, 31750, 63750, 127750,
	};
	struct mapping_b4 v[] = { b4(1, 0), b4(2, 0) };
	struct pcp_announce a;
	struct sent s = { 0 };
	struct pcp_announce_step st;
	int64_t t = 0;
	unsigned int i;

	(void)state;
	pcp_announce_init(&a, 10000);
	assert_int_equal(pcp_announce_begin(&a, v, 2, PCP_ANNOUNCE_PASSES, 0), 2);
	for (i = 0; i < PCP_ANNOUNCE_PASSES; i++) {
		st = pcp_announce_run(&a, t, count, &s);
		assert_int_equal(t, due[i]);
		assert_int_equal(s.n, 2 * (i + 1));
		assert_int_equal(st.first_pass_done, i == 0);
		assert_int_equal(st.over, i == PCP_ANNOUNCE_PASSES - 1);
		if (i < PCP_ANNOUNCE_PASSES - 1)
			assert_int_equal(st.wait_ms, due[i + 1] - due[i]);
		else
			assert_int_equal(st.wait_ms, -1);
		t += st.wait_ms;
	}
	assert_int_equal(a.sent, 20);
	assert_false(a.active);
	/* an early call does nothing but say when */
	assert_int_equal(pcp_announce_begin(&a, v, 2, PCP_ANNOUNCE_PASSES, 1000), 2);
	pcp_announce_run(&a, 1000, count, &s);
	st = pcp_announce_run(&a, 1100, count, &s);
	assert_int_equal(st.wait_ms, 150);
	assert_int_equal(s.n, 22);
	pcp_announce_free(&a);
}

/*
 * 25 B4s at 100 a second: 10 a slice, the first pass in three slices
 * (200 ms); B4s heard from get no repeat, and the round ends when all were.
 */
static void test_pace_and_heard(void **state)
{
	struct mapping_b4 v[25];
	struct pcp_announce a;
	struct sent s = { 0 };
	struct pcp_announce_step st;
	int64_t t, first = -1;
	unsigned int i;

	(void)state;
	for (i = 0; i < 25; i++)
		v[i] = b4((uint8_t)(i + 1), MAPPING_VIA_SOFTWIRE);
	pcp_announce_init(&a, 100);
	assert_int_equal(pcp_announce_begin(&a, v, 25, PCP_ANNOUNCE_PASSES, 0), 25);
	st = pcp_announce_run(&a, 0, count, &s);
	assert_int_equal(s.n, 10);
	assert_int_equal(st.wait_ms, 100);
	st = pcp_announce_run(&a, 100, count, &s);
	assert_int_equal(s.n, 20);
	st = pcp_announce_run(&a, 200, count, &s);
	assert_int_equal(s.n, 25);
	assert_true(st.first_pass_done);
	assert_int_equal(a.first_ms, 200);
	/* the second pass was due at 250: the slice's end, 300, is later */
	assert_int_equal(st.wait_ms, 100);
	/* all but B4s 5 and 17 answer; a stranger changes nothing */
	for (i = 1; i <= 25; i++)
		if (i != 5 && i != 17)
			pcp_announce_heard(&a, &v[i - 1].b4);
	pcp_announce_heard(&a, &v[0].b4);	/* twice: counted once */
	{
		struct mapping_b4 x = b4(200, 0);

		pcp_announce_heard(&a, &x.b4);
	}
	assert_int_equal(a.left, 2);
	t = run_until(&a, 300, 1000000, &s, &first);
	assert_true(t >= 0);
	/* nine more passes to the two silent ones only */
	assert_int_equal(s.n, 25 + 9 * 2);
	assert_int_equal(s.per_b4[5], 10);
	assert_int_equal(s.per_b4[17], 10);
	assert_int_equal(s.per_b4[1], 1);
	/* all answer after the first pass: over at the last answer, at once */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pcp_announce_begin(&a, v, 25, PCP_ANNOUNCE_PASSES, 0), 25);
	assert_int_equal(run_until(&a, 0, 200, &s, NULL), -1);
	for (i = 1; i < 25; i++)
		assert_false(pcp_announce_heard(&a, &v[i - 1].b4));
	assert_true(pcp_announce_heard(&a, &v[24].b4));
	assert_false(a.active);
	assert_int_equal(a.pass, 1);
	st = pcp_announce_run(&a, 300, count, &s);
	assert_int_equal(st.wait_ms, -1);
	assert_int_equal(s.n, 25);
	/* after the round, heard() is a no-op */
	assert_false(pcp_announce_heard(&a, &v[0].b4));
	pcp_announce_free(&a);
}

/*
 * Slices are due at fixed points (time spent sending does not slow the
 * rate), and a big slice goes out PCP_ANNOUNCE_CHUNK a turn.
 */
static void test_fixed_slices_and_chunks(void **state)
{
	static struct mapping_b4 v[3000];
	struct pcp_announce a;
	struct sent s = { 0 };
	struct pcp_announce_step st;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		v[i] = b4(0, 0);
		v[i].b4.s6_addr[13] = (uint8_t)(i >> 8);
		v[i].b4.s6_addr[14] = (uint8_t)i;
		v[i].b4.s6_addr[15] = 1;
	}
	/* 10,000 a second: 1,000 a slice, in two turns (512 + 488) */
	pcp_announce_init(&a, 10000);
	assert_int_equal(pcp_announce_begin(&a, v, 3000, 1, 0), 3000);
	st = pcp_announce_run(&a, 0, count, &s);
	assert_int_equal(s.n, PCP_ANNOUNCE_CHUNK);
	assert_int_equal(st.wait_ms, 0);
	/* the turn came 30 ms late: the next slice is still due at 100 */
	st = pcp_announce_run(&a, 30, count, &s);
	assert_int_equal(s.n, 1000);
	assert_int_equal(st.wait_ms, 70);
	st = pcp_announce_run(&a, 100, count, &s);
	st = pcp_announce_run(&a, 100, count, &s);
	assert_int_equal(s.n, 2000);
	assert_int_equal(st.wait_ms, 100);
	/* so late that the slice is overdue: at once */
	st = pcp_announce_run(&a, 250, count, &s);
	st = pcp_announce_run(&a, 250, count, &s);
	assert_int_equal(s.n, 3000);
	assert_true(st.over);
	pcp_announce_free(&a);
}

/* A round of one pass (nothing was lost): each B4 once, then over. */
static void test_one_pass(void **state)
{
	struct mapping_b4 v[] = { b4(1, 0), b4(2, 1) };
	struct pcp_announce a;
	struct sent s = { 0 };
	struct pcp_announce_step st;

	(void)state;
	pcp_announce_init(&a, 10000);
	assert_int_equal(pcp_announce_begin(&a, v, 2, 1, 0), 2);
	st = pcp_announce_run(&a, 0, count, &s);
	assert_true(st.first_pass_done);
	assert_true(st.over);
	assert_int_equal(st.wait_ms, -1);
	assert_int_equal(s.n, 2);
	assert_false(a.active);
	/* out of range: one at least, ten at most */
	assert_int_equal(pcp_announce_begin(&a, v, 2, 0, 0), 2);
	assert_int_equal(a.passes, 1);
	assert_int_equal(pcp_announce_begin(&a, v, 2, 99, 0), 2);
	assert_int_equal(a.passes, PCP_ANNOUNCE_PASSES);
	pcp_announce_free(&a);
}

/* A new round replaces one going: the newer epoch is the one that counts. */
static void test_replace(void **state)
{
	struct mapping_b4 v[] = { b4(1, 0), b4(2, 0), b4(3, 0) };
	struct pcp_announce a;
	struct sent s = { 0 };

	(void)state;
	pcp_announce_init(&a, 10);	/* one a slice */
	assert_int_equal(pcp_announce_begin(&a, v, 3, PCP_ANNOUNCE_PASSES, 0), 3);
	pcp_announce_run(&a, 0, count, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(pcp_announce_begin(&a, v + 1, 2, PCP_ANNOUNCE_PASSES, 50), 2);
	assert_int_equal(a.next, 0);
	assert_int_equal(a.pass, 0);
	assert_int_equal(a.sent, 0);
	pcp_announce_run(&a, 50, count, &s);
	pcp_announce_run(&a, 150, count, &s);
	assert_int_equal(s.per_b4[1], 1);
	assert_int_equal(s.per_b4[2], 1);
	assert_int_equal(s.per_b4[3], 1);
	pcp_announce_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_pace_and_heard),
		cmocka_unit_test(test_fixed_slices_and_chunks),
		cmocka_unit_test(test_one_pass),
		cmocka_unit_test(test_replace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
