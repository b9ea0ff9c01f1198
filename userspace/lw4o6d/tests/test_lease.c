// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lease.c: each lease found by key, set, owner, B4 and expiry, and gone when deleted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lease.h"
#include "tests/cmocka_wrap.h"

static struct lw4o6_mapping mk(uint32_t b4, uint8_t proto, uint16_t port,
			       uint32_t ipv4, uint16_t psid, int64_t expires)
{
	struct lw4o6_mapping m;

	memset(&m, 0, sizeof(m));
	m.b4.s6_addr[0] = 0x20;
	m.b4.s6_addr[1] = 0x01;
	m.b4.s6_addr[12] = (uint8_t)(b4 >> 24);
	m.b4.s6_addr[13] = (uint8_t)(b4 >> 16);
	m.b4.s6_addr[14] = (uint8_t)(b4 >> 8);
	m.b4.s6_addr[15] = (uint8_t)b4;
	m.protocol = proto;
	m.internal_port = port;
	m.ipv4 = htonl(ipv4);
	m.psid = psid;
	m.psid_len = 6;
	m.expires = expires;
	return m;
}

static void test_find(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lw4o6_mapping a = mk(1, 0, 0, 0xc0000201, 5, 100);
	struct lw4o6_mapping b = mk(2, 0, 0, 0xc0000201, 6, 200);
	struct lw4o6_mapping dup;
	struct lease *la, *lb;

	(void)state;
	assert_non_null(t);
	assert_int_equal(lease_add(t, &a, &la), 0);
	assert_int_equal(lease_add(t, &b, &lb), 0);
	assert_int_equal(lease_count(t), 2);
	assert_ptr_equal(lease_find(t, &a.b4, 0, 0), la);
	assert_ptr_equal(lease_find(t, &b.b4, 0, 0), lb);
	assert_null(lease_find(t, &a.b4, 6, 0));
	assert_ptr_equal(lease_find_set(t, a.ipv4, 5), la);
	assert_ptr_equal(lease_find_set(t, b.ipv4, 6), lb);
	assert_null(lease_find_set(t, a.ipv4, 7));
	assert_ptr_equal(la->owner, lease_b4(t, &a.b4, false));
	assert_int_equal(la->owner->n, 1);

	/* A key or a set held already is refused, nothing changes. */
	dup = mk(1, 0, 0, 0xc0000202, 1, 100);
	assert_int_equal(lease_add(t, &dup, NULL), -EEXIST);
	dup = mk(3, 0, 0, 0xc0000201, 6, 100);
	assert_int_equal(lease_add(t, &dup, NULL), -EEXIST);
	assert_int_equal(lease_count(t), 2);
	assert_null(lease_b4(t, &dup.b4, false));

	lease_del(t, la);
	assert_null(lease_find(t, &a.b4, 0, 0));
	assert_null(lease_find_set(t, a.ipv4, 5));
	assert_int_equal(lease_count(t), 1);
	/* The B4's record stays until evicted. */
	assert_non_null(lease_b4(t, &a.b4, false));
	assert_int_equal(lease_b4(t, &a.b4, false)->n, 0);
	lease_table_free(t);
}

/*
 * By owner (nonce, IPv4): every lease of one client with one address,
 * wherever its B4 is (a renumbered DHCP client's old and new), and none
 * of another nonce or address; a deleted one is gone from the walk.
 */
static void test_owner(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lw4o6_mapping a = mk(1, 0, 0, 0xc0000201, 5, 100);
	struct lw4o6_mapping b = mk(2, 0, 0, 0xc0000201, 6, 200);
	struct lw4o6_mapping c = mk(3, 0, 0, 0xc0000201, 7, 300);
	struct lw4o6_mapping d = mk(4, 0, 0, 0xc0000202, 1, 300);
	struct lease *la, *lb, *x;
	unsigned int seen = 0;

	(void)state;
	assert_non_null(t);
	memset(a.nonce, 0xaa, sizeof(a.nonce));
	memcpy(b.nonce, a.nonce, sizeof(b.nonce));
	memset(c.nonce, 0xbb, sizeof(c.nonce));	/* another client */
	memcpy(d.nonce, a.nonce, sizeof(d.nonce));	/* another address */
	assert_int_equal(lease_add(t, &a, &la), 0);
	assert_int_equal(lease_add(t, &b, &lb), 0);
	assert_int_equal(lease_add(t, &c, NULL), 0);
	assert_int_equal(lease_add(t, &d, NULL), 0);
	for (x = NULL; (x = lease_next_of_owner(t, a.nonce, a.ipv4, x));)
		seen |= x == la ? 1 : x == lb ? 2 : 4;
	assert_int_equal(seen, 3);
	assert_null(lease_next_of_owner(t, a.nonce, htonl(0xc0000203), NULL));
	lease_del(t, la);
	assert_ptr_equal(lease_next_of_owner(t, a.nonce, a.ipv4, NULL), lb);
	assert_null(lease_next_of_owner(t, a.nonce, a.ipv4, lb));
	lease_table_free(t);
}

/* Many leases (the tables grow), expiring in random order, moved about. */
static void test_expiry_order(void **state)
{
	enum { N = 5000 };
	struct lease_table *t = lease_table_new();
	struct lease **ls = calloc(N, sizeof(*ls));
	int64_t last = -1;
	size_t i, n = 0;

	(void)state;
	assert_non_null(ls);
	srand(7);
	for (i = 0; i < N; i++) {
		struct lw4o6_mapping m = mk((uint32_t)i, 0, 0,
					    0x0a000000 + (uint32_t)(i / 63),
					    (uint16_t)(1 + i % 63),
					    rand() % 100000);

		assert_int_equal(lease_add(t, &m, &ls[i]), 0);
	}
	for (i = 0; i < N; i++)
		assert_ptr_equal(lease_find_set(t, ls[i]->m.ipv4, ls[i]->m.psid),
				 ls[i]);
	/* Renewals and early deletions in between. */
	for (i = 0; i < N; i += 3)
		lease_set_expiry(t, ls[i], rand() % 100000);
	for (i = 1; i < N; i += 7) {
		lease_del(t, ls[i]);
		ls[i] = NULL;
	}
	while (lease_first_expiring(t)) {
		struct lease *l = lease_first_expiring(t);

		assert_true(l->m.expires >= last);
		last = l->m.expires;
		lease_del(t, l);
		n++;
	}
	assert_int_equal(n, N - (N - 1 + 6) / 7);
	assert_int_equal(lease_count(t), 0);
	free(ls);
	lease_table_free(t);
}

/* A B4's leases in key order, for GET and NEXT. */
static void test_b4_order(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lw4o6_mapping m[4] = {
		mk(9, 17, 80, 0x0a000001, 1, 10),
		mk(9, 6, 443, 0x0a000001, 2, 10),
		mk(9, 6, 22, 0x0a000001, 3, 10),
		mk(8, 6, 1, 0x0a000001, 4, 10),	/* another B4 */
	};
	const struct lease_b4 *b;
	const struct lease *l;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(lease_add(t, &m[i], NULL), 0);
	b = lease_b4(t, &m[0].b4, false);
	assert_int_equal(b->n, 3);
	l = lease_b4_next(b, false, 0, 0);
	assert_int_equal(l->m.internal_port, 22);
	l = lease_b4_next(b, true, 6, 22);
	assert_int_equal(l->m.internal_port, 443);
	l = lease_b4_next(b, true, 6, 443);
	assert_int_equal(l->m.internal_port, 80);
	assert_null(l->next_of_b4);
	assert_null(lease_b4_next(b, true, 17, 80));
	assert_int_equal(lease_b4_next(b, true, 6, 100)->m.internal_port, 443);
	assert_null(lease_b4_next(NULL, false, 0, 0));
	lease_table_free(t);
}

static int del_odd(struct lease *l, void *arg)
{
	struct lease_table *t = arg;

	if (l->m.psid & 1)
		lease_del(t, l);
	return 0;
}

static void test_each_and_evict(void **state)
{
	struct lease_table *t = lease_table_new();
	struct lease_b4 *b;
	struct in6_addr idle;
	uint16_t i;

	(void)state;
	for (i = 1; i <= 100; i++) {
		struct lw4o6_mapping m = mk(i, 0, 0, 0x0a000001, i, i);

		assert_int_equal(lease_add(t, &m, NULL), 0);
	}
	assert_int_equal(lease_each(t, del_odd, t), 0);
	assert_int_equal(lease_count(t), 50);
	for (i = 1; i <= 100; i++)
		assert_int_equal(lease_find_set(t, htonl(0x0a000001), i) != NULL,
				 !(i & 1));

	/* Records without leases go when idle; the others stay. */
	memset(&idle, 0, sizeof(idle));
	idle.s6_addr[0] = 0xfe;
	b = lease_b4(t, &idle, true);
	assert_non_null(b);
	b->last_ms = 5000;
	assert_int_equal(lease_b4_count(t), 101);
	assert_int_equal(lease_b4_evict(t, 5000), 50);	/* the 50 emptied, never heard */
	assert_non_null(lease_b4(t, &idle, false));
	assert_int_equal(lease_b4_evict(t, 5001), 1);
	assert_null(lease_b4(t, &idle, false));
	assert_int_equal(lease_b4_count(t), 50);
	lease_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_expiry_order),
		cmocka_unit_test(test_b4_order),
		cmocka_unit_test(test_each_and_evict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
