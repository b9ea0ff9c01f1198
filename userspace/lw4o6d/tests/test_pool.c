// SPDX-License-Identifier: GPL-2.0 OR MIT
/* pool.c: every set handed out once, none that must not be, B4 preference. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "pool.h"
#include "tests/cmocka_wrap.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct pool_cfg cfg(const char *prefix, uint8_t plen, uint8_t k,
			   uint8_t a)
{
	struct pool_cfg c;

	memset(&c, 0, sizeof(c));
	c.prefix = ip(prefix);
	c.plen = plen;
	c.psid_len = k;
	c.offset = a;
	return c;
}

/* Distinct B4 addresses, as a counter in the interface identifier. */
static void b4_addr(struct in6_addr *b4, uint32_t n)
{
	memset(b4, 0, sizeof(*b4));
	b4->s6_addr[0] = 0x20;
	b4->s6_addr[1] = 0x01;
	b4->s6_addr[2] = 0x0d;
	b4->s6_addr[3] = 0xb8;
	b4->s6_addr[4] = (uint8_t)(n >> 24);
	b4->s6_addr[5] = (uint8_t)(n >> 16);
	b4->s6_addr[6] = (uint8_t)(n >> 8);
	b4->s6_addr[7] = (uint8_t)n;
	b4->s6_addr[15] = 1;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static const struct pool_cfg *cfg_of(const struct pool_cfg *c, size_t n,
				     uint32_t ipv4)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t mask = ipv4_mask(c[i].plen);

		if ((ntohl(ipv4) & mask) == (ntohl(c[i].prefix) & mask))
			return &c[i];
	}
	return NULL;
}

/* A grant that psid.h accepts, from the pool that holds its address. */
static void check_grant(const struct pool_cfg *c, size_t n,
			const struct pool_grant *g)
{
	const struct pool_cfg *pc = cfg_of(c, n, g->ipv4);
	uint16_t port;
	size_t i;

	assert_non_null(pc);
	assert_int_equal(g->psid_len, pc->psid_len);
	assert_int_equal(g->offset, pc->offset);
	assert_true(lw4o6_psid_shape_valid(g->offset, g->psid_len));
	assert_true(lw4o6_psid_valid(g->psid_len, g->psid));
	for (i = 0; i < pc->n_exclude; i++)
		assert_int_not_equal(g->ipv4, pc->exclude[i]);
	if (!g->offset && g->psid_len)
		assert_int_not_equal(g->psid, 0);
	/* Its first port really carries that PSID and is usable. */
	port = lw4o6_range_first(0, g->offset, g->psid_len, g->psid);
	assert_true(lw4o6_port_in_set(port, g->offset, g->psid_len, g->psid));
	/* Port 0 (and the system ports with it) is PSID 0's alone. */
	if (!g->offset && g->psid_len)
		assert_int_not_equal(port, 0);
}

/* Allocates until -ENOSPC; checks and returns how many were granted. */
static uint64_t exhaust(struct pools *p, const struct pool_cfg *c, size_t n)
{
	uint64_t size = pools_size(p), got = 0, i;
	uint64_t *keys = calloc(size + 1, sizeof(*keys));
	struct pool_grant g;
	struct in6_addr b4;
	int r;

	assert_non_null(keys);
	for (;;) {
		b4_addr(&b4, (uint32_t)got);
		r = pools_alloc(p, &b4, &g);
		if (r)
			break;
		assert_true(got < size);
		check_grant(c, n, &g);
		keys[got++] = (uint64_t)ntohl(g.ipv4) << 16 | g.psid;
		assert_int_equal(pools_used(p), got);
	}
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(got, size);
	assert_int_equal(pools_used(p), size);
	b4_addr(&b4, 12345);
	assert_int_equal(pools_alloc(p, &b4, &g), -ENOSPC);
	qsort(keys, got, sizeof(*keys), cmp_u64);
	for (i = 1; i < got; i++)
		assert_true(keys[i - 1] != keys[i]);
	free(keys);
	return got;
}

static void test_invalid(void **state)
{
	struct pool_cfg c[2];

	(void)state;
	c[0] = cfg("192.0.2.0", 15, 0, 0);
	assert_null(pools_new(c, 1));
	c[0] = cfg("192.0.2.0", 33, 0, 0);
	assert_null(pools_new(c, 1));
	c[0] = cfg("192.0.2.0", 24, 11, 6);
	assert_null(pools_new(c, 1));
	c[0] = cfg("192.0.2.0", 24, 0, 16);	/* no i >= 1 left */
	assert_null(pools_new(c, 1));
	c[0] = cfg("192.0.2.0", 24, 17, 0);
	assert_null(pools_new(c, 1));
	c[0] = cfg("10.0.0.0", 16, 13, 0);	/* 2^29 sets: too much memory */
	assert_null(pools_new(c, 1));
	c[0] = cfg("192.0.2.0", 24, 6, 0);
	c[0].n_exclude = POOL_MAX_EXCLUDE + 1;
	assert_null(pools_new(c, 1));
	/* Overlapping pools would hand out an (IPv4, PSID) twice. */
	c[0] = cfg("192.0.2.0", 24, 6, 0);
	c[1] = cfg("192.0.2.128", 25, 4, 6);
	assert_null(pools_new(c, 2));
	c[1] = cfg("192.0.2.0", 24, 6, 0);
	assert_null(pools_new(c, 2));
	/* No pools at all is fine, and full from the start. */
	{
		struct pools *p = pools_new(NULL, 0);
		struct pool_grant g;
		struct in6_addr b4;

		assert_non_null(p);
		assert_int_equal(pools_size(p), 0);
		b4_addr(&b4, 1);
		assert_int_equal(pools_alloc(p, &b4, &g), -ENOSPC);
		pools_free(p);
	}
}

/* Every shape of pool at once, with exclusions in and out of the prefix. */
static void test_exhaust_mixed(void **state)
{
	struct pool_cfg c[5];
	struct pools *p;
	uint64_t want;

	(void)state;
	c[0] = cfg("192.0.2.0", 28, 6, 0);	/* 16 x 63 */
	c[0].exclude[c[0].n_exclude++] = ip("192.0.2.0");
	c[0].exclude[c[0].n_exclude++] = ip("192.0.2.15");
	c[0].exclude[c[0].n_exclude++] = ip("192.0.2.15");	/* twice */
	c[0].exclude[c[0].n_exclude++] = ip("198.18.0.1");	/* elsewhere */
	c[1] = cfg("198.51.100.0", 30, 0, 0);	/* whole addresses */
	c[1].exclude[c[1].n_exclude++] = ip("198.51.100.1");
	c[2] = cfg("203.0.113.0", 29, 4, 6);	/* 8 x 16, PSID 0 fine */
	c[3] = cfg("203.0.113.64", 32, 1, 15);	/* one address, 2 sets */
	c[4] = cfg("203.0.113.9", 28, 2, 0);	/* host bits ignored: .0/28 */
	c[4].prefix = ip("203.0.113.128");
	c[4].exclude[c[4].n_exclude++] = ip("203.0.113.140");
	p = pools_new(c, 5);
	assert_non_null(p);
	want = 14 * 63 + 3 + 8 * 16 + 2 + 15 * 3;
	assert_int_equal(pools_size(p), want);
	assert_int_equal(pools_used(p), 0);
	assert_int_equal(exhaust(p, c, 5), want);
	pools_free(p);
}

/* One bit per pool, and a pool smaller than a word. */
static void test_exhaust_small(void **state)
{
	struct pool_cfg c = cfg("192.0.2.7", 32, 0, 0);
	struct pools *p = pools_new(&c, 1);

	(void)state;
	assert_non_null(p);
	assert_int_equal(exhaust(p, &c, 1), 1);
	pools_free(p);

	c = cfg("192.0.2.7", 32, 0, 0);
	c.exclude[c.n_exclude++] = c.prefix;
	p = pools_new(&c, 1);
	assert_non_null(p);
	assert_int_equal(pools_size(p), 0);
	assert_int_equal(exhaust(p, &c, 1), 0);
	pools_free(p);

	/* k = 16 with offset 0: one port per set, port 0 never handed out. */
	c = cfg("192.0.2.7", 32, 16, 0);
	p = pools_new(&c, 1);
	assert_non_null(p);
	assert_int_equal(exhaust(p, &c, 1), 65535);
	pools_free(p);
}

static void test_reserve_release(void **state)
{
	struct pool_cfg c[2];
	struct pool_grant g, h;
	struct in6_addr b4;
	struct pools *p;
	uint64_t used;

	(void)state;
	c[0] = cfg("192.0.2.0", 30, 6, 0);
	c[0].exclude[c[0].n_exclude++] = ip("192.0.2.3");
	c[1] = cfg("198.51.100.0", 31, 4, 6);
	p = pools_new(c, 2);
	assert_non_null(p);
	assert_int_equal(pools_size(p), 3 * 63 + 2 * 16);

	g = (struct pool_grant){ ip("192.0.2.1"), 17, 6, 0 };
	assert_int_equal(pools_reserve(p, &g), 0);
	assert_int_equal(pools_reserve(p, &g), -EEXIST);
	assert_int_equal(pools_used(p), 1);
	h = (struct pool_grant){ ip("198.51.100.1"), 0, 4, 6 };
	assert_int_equal(pools_reserve(p, &h), 0);
	assert_int_equal(pools_used(p), 2);

	/* Sets no pool holds (any more): not counted. */
	h = (struct pool_grant){ ip("192.0.2.1"), 0, 6, 0 };	/* PSID 0 */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	h = (struct pool_grant){ ip("192.0.2.3"), 5, 6, 0 };	/* excluded */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	h = (struct pool_grant){ ip("192.0.2.1"), 5, 4, 0 };	/* old shape */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	h = (struct pool_grant){ ip("192.0.2.1"), 5, 6, 6 };	/* old offset */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	h = (struct pool_grant){ ip("192.0.2.1"), 64, 6, 0 };	/* no such PSID */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	h = (struct pool_grant){ ip("192.0.2.9"), 5, 6, 0 };	/* outside */
	assert_int_equal(pools_reserve(p, &h), -ENOENT);
	assert_int_equal(pools_used(p), 2);
	/* Releasing them, or a free set, changes nothing. */
	pools_release(p, &h);
	h = (struct pool_grant){ ip("192.0.2.1"), 0, 6, 0 };
	pools_release(p, &h);
	h = (struct pool_grant){ ip("192.0.2.2"), 5, 6, 0 };
	pools_release(p, &h);
	assert_int_equal(pools_used(p), 2);

	/* Whatever alloc gives, reserve then says taken; release frees it. */
	b4_addr(&b4, 42);
	assert_int_equal(pools_alloc(p, &b4, &h), 0);
	assert_int_equal(pools_reserve(p, &h), -EEXIST);
	used = pools_used(p);
	pools_release(p, &h);
	assert_int_equal(pools_used(p), used - 1);
	assert_int_equal(pools_reserve(p, &h), 0);

	/* The reserved sets are never handed out. */
	pools_release(p, &h);
	for (;;) {
		struct pool_grant x;

		if (pools_alloc(p, &b4, &x))
			break;
		assert_false(x.ipv4 == g.ipv4 && x.psid == g.psid);
	}
	assert_int_equal(pools_used(p), pools_size(p));
	pools_release(p, &g);
	assert_int_equal(pools_alloc(p, &b4, &h), 0);
	assert_int_equal(h.ipv4, g.ipv4);
	assert_int_equal(h.psid, g.psid);
	pools_free(p);
}

static void test_preference(void **state)
{
	struct pool_cfg c[2];
	struct pools *p, *q;
	struct pool_grant g, h;
	struct in6_addr b4;
	uint64_t first[64];
	unsigned int i, j, distinct = 0;

	(void)state;
	c[0] = cfg("192.0.2.0", 24, 6, 0);
	c[1] = cfg("198.51.100.0", 24, 4, 6);
	p = pools_new(c, 2);
	q = pools_new(c, 2);
	assert_non_null(p);
	assert_non_null(q);
	for (i = 0; i < 64; i++) {
		b4_addr(&b4, i * 7919);
		assert_int_equal(pools_alloc(p, &b4, &g), 0);
		/* Same B4, same pools: same set, in another process too. */
		assert_int_equal(pools_alloc(q, &b4, &h), 0);
		assert_memory_equal(&g, &h, sizeof(g));
		/* It comes back to the same set after its release. */
		pools_release(p, &g);
		assert_int_equal(pools_alloc(p, &b4, &h), 0);
		assert_memory_equal(&g, &h, sizeof(g));
		pools_release(p, &h);
		pools_release(q, &h);
		first[i] = (uint64_t)ntohl(g.ipv4) << 16 | g.psid;
	}
	/* Different B4s spread over the pools rather than piling up. */
	for (i = 0; i < 64; i++) {
		for (j = 0; j < i; j++)
			if (first[j] == first[i])
				break;
		distinct += j == i;
	}
	assert_true(distinct >= 56);
	/* Taken: the next free one, still valid. */
	b4_addr(&b4, 0);
	assert_int_equal(pools_alloc(p, &b4, &g), 0);
	assert_int_equal(pools_alloc(q, &b4, &h), 0);
	assert_int_equal(pools_alloc(q, &b4, &h), 0);
	assert_false(g.ipv4 == h.ipv4 && g.psid == h.psid);
	check_grant(c, 2, &h);
	pools_free(p);
	pools_free(q);
}

/*
 * The largest realistic pool: a /16 of 64 sets each, 4M sets.  Filling it
 * completely exercises the word skipping; without it this takes hours.
 */
static void test_big(void **state)
{
	struct pool_cfg c = cfg("10.0.0.0", 16, 6, 0);
	struct pools *p = pools_new(&c, 1);
	struct pool_grant g;
	struct in6_addr b4;
	uint32_t n = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(pools_size(p), 65536ULL * 63);
	b4_addr(&b4, n);
	while (!pools_alloc(p, &b4, &g)) {
		if ((n & 0xfffff) == 0)
			check_grant(&c, 1, &g);
		b4_addr(&b4, ++n);
	}
	assert_int_equal(n, 65536 * 63);
	assert_int_equal(pools_used(p), pools_size(p));
	/* One hole at the far end of the scan from wherever b4 hashes. */
	g = (struct pool_grant){ ip("10.0.255.255"), 63, 6, 0 };
	pools_release(p, &g);
	assert_int_equal(pools_alloc(p, &b4, &g), 0);
	assert_int_equal(g.ipv4, ip("10.0.255.255"));
	assert_int_equal(g.psid, 63);
	pools_free(p);
}

/*
 * What an operator may configure is stricter than what pools_new() takes:
 * both come from pool.c, and the reason is the one --check-config prints.
 */
static void test_cfg_check(void **state)
{
	static const struct {
		const char *prefix;
		uint8_t plen, k, a;
		const char *exclude[2];
		const char *why;	/* NULL: fine */
		bool representable;
	} cases[] = {
		{ "192.0.2.0", 24, 6, 0, { NULL }, NULL, true },
		{ "192.0.2.0", 15, 6, 0, { NULL }, "prefix length must be 16..32", false },
		{ "192.0.2.1", 24, 6, 0, { NULL }, "host bits are set (the prefix is 192.0.2.0/24)", true },
		{ "192.0.2.0", 24, 6, 0, { "192.0.3.1" }, "exclude 192.0.3.1 is outside the pool", true },
		{ "192.0.2.0", 24, 6, 0, { "192.0.2.9", "192.0.2.9" }, "exclude 192.0.2.9 given twice", true },
		{ "192.0.2.0", 24, 11, 6, { NULL }, "offset 6 + psid-len 11 is above 16", false },
		{ "192.0.2.0", 24, 0, 0, { NULL }, NULL, true },	/* whole addresses, every port */
		{ "192.0.2.0", 24, 0, 4, { NULL }, NULL, true },
		{ "10.0.0.0", 16, 13, 0, { NULL }, "65536 addresses x 2^13 sets is above 2^28 sets", false },
		{ "192.0.2.0", 31, 4, 0, { "192.0.2.0", "192.0.2.1" }, "every address is excluded", true },
	};
	char buf[128];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pool_cfg c = cfg(cases[i].prefix, cases[i].plen,
					cases[i].k, cases[i].a);
		const char *why;
		struct pools *p;

		for (j = 0; j < 2 && cases[i].exclude[j]; j++)
			c.exclude[c.n_exclude++] = ip(cases[i].exclude[j]);
		why = pool_cfg_check(&c, buf, sizeof(buf));
		if (!cases[i].why)
			assert_null(why);
		else if (!why || !strstr(why, cases[i].why))
			fail_msg("case %zu: \"%s\", expected \"%s\"", i,
				 why ? why : "(fine)", cases[i].why);
		p = pools_new(&c, 1);
		assert_int_equal(p != NULL, cases[i].representable);
		pools_free(p);
	}
}

/* A suggestion names the set of the pool holding its address. */
static void test_set_of(void **state)
{
	struct pool_cfg c[2] = { cfg("192.0.2.0", 24, 6, 0),
				 cfg("198.51.100.0", 28, 4, 6) };
	struct pools *p = pools_new(c, 2);
	struct pool_grant g;

	(void)state;
	assert_non_null(p);
	assert_true(pools_set_of(p, ip("192.0.2.7"), 5000, &g));
	assert_int_equal(g.ipv4, ip("192.0.2.7"));
	assert_int_equal(g.psid_len, 6);
	assert_int_equal(g.offset, 0);
	assert_int_equal(g.psid, lw4o6_port_psid(5000, 0, 6));
	assert_true(pools_set_of(p, ip("198.51.100.3"), 40000, &g));
	assert_int_equal(g.psid_len, 4);
	assert_int_equal(g.offset, 6);
	assert_int_equal(g.psid, lw4o6_port_psid(40000, 6, 4));
	/* a port in no set of that shape; an address in no pool */
	assert_false(pools_set_of(p, ip("198.51.100.3"), 80, &g));
	assert_false(pools_set_of(p, ip("198.51.100.16"), 40000, &g));
	assert_true(pools_hold(p, ip("198.51.100.15")));
	assert_false(pools_hold(p, ip("198.51.100.16")));
	assert_false(pools_hold(p, ip("192.0.3.0")));
	pools_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_exhaust_mixed),
		cmocka_unit_test(test_exhaust_small),
		cmocka_unit_test(test_reserve_release),
		cmocka_unit_test(test_preference),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_cfg_check),
		cmocka_unit_test(test_set_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
