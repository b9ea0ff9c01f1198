// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the port-set arithmetic, the binding table and the ICMP
 * token bucket, compiled into debug builds (CONFIG_LW4O6_DEBUG=y) and run
 * at module load: a failure refuses the load.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <lw4o6/psid.h>

#include "bucket.h"
#include "device.h"
#include "icmp.h"
#include "table.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		pr_err("lw4o6: self-test failed: %s (%s:%d)\n", #cond,	\
		       __FILE__, __LINE__);				\
		return false;						\
	}								\
} while (0)

static const u8 shapes[][2] = {
	{ 0, 0 }, { 0, 6 }, { 6, 6 }, { 4, 8 }, { 2, 14 }, { 0, 16 },
	{ 15, 1 }, { 10, 6 }, { 6, 10 }, { 1, 15 },
};

static bool psid_selftest(void)
{
	u32 *count;
	unsigned int s, port, psid, r, a, k;
	bool ok = false;

	count = vzalloc(sizeof(u32) << 16);
	if (!count)
		return false;
	for (s = 0; s < ARRAY_SIZE(shapes); s++) {
		a = shapes[s][0];
		k = shapes[s][1];
		if (!lw4o6_psid_shape_valid(a, k))
			goto out;
		memset(count, 0, sizeof(u32) << 16);
		for (port = 0; port < 65536; port++) {
			if (!lw4o6_port_usable(port, a))
				continue;
			psid = lw4o6_port_psid(port, a, k);
			if (!lw4o6_psid_valid(k, psid) ||
			    !lw4o6_port_in_set(port, a, k, psid))
				goto out;
			count[psid]++;
		}
		/* Every PSID owns set_size ports, and the ranges are them. */
		for (psid = 0; psid < (1U << k); psid++) {
			u32 n = 0;

			if (count[psid] != lw4o6_set_size(a, k))
				goto out;
			for (r = 0; r < lw4o6_set_ranges(a); r++) {
				u32 first = lw4o6_range_first(r, a, k, psid);

				if (!lw4o6_port_in_set(first, a, k, psid) ||
				    !lw4o6_port_in_set(first + lw4o6_range_len(a, k) - 1,
						       a, k, psid))
					goto out;
				n += lw4o6_range_len(a, k);
			}
			if (n != count[psid])
				goto out;
		}
	}
	CHECK(!lw4o6_psid_shape_valid(16, 0));
	CHECK(!lw4o6_psid_shape_valid(6, 11));
	CHECK(!lw4o6_psid_valid(6, 64));
	/* RFC 7597 appendix B example 1: a=6, k=8, PSID 0x34 owns 1232-1235. */
	CHECK(lw4o6_port_in_set(1232, 6, 8, 0x34));
	CHECK(lw4o6_port_in_set(1235, 6, 8, 0x34));
	CHECK(!lw4o6_port_in_set(1236, 6, 8, 0x34));
	CHECK(!lw4o6_port_in_set(1023, 6, 0, 0));
	ok = true;
out:
	if (!ok)
		pr_err("lw4o6: self-test failed: port-set arithmetic, shape %u/%u\n",
		       a, k);
	vfree(count);
	return ok;
}

static void params(struct lw4o6_binding_params *p, u32 ip, u16 psid, u8 a,
		   u8 k, u16 b4)
{
	memset(p, 0, sizeof(*p));
	p->ipv4 = htonl(ip);
	p->psid = psid;
	p->offset = a;
	p->psid_len = k;
	p->b4.s6_addr[0] = 0x20;
	p->b4.s6_addr[1] = 0x01;
	p->b4.s6_addr[14] = b4 >> 8;
	p->b4.s6_addr[15] = b4 & 0xff;
}

/* Insert; a grown published table replaces *tp (nobody else reads it). */
static int ins(struct lw4o6_table **tp, struct lw4o6_binding_params *p,
	       bool replace, struct lw4o6_binding **old)
{
	struct lw4o6_table *t0 = *tp;
	int err = lw4o6_table_insert(tp, p, replace, 1U << 20, NULL, old, NULL);

	if (*tp != t0)
		lw4o6_table_free_now(t0);
	return err;
}

static bool table_selftest_one(bool live)
{
	struct lw4o6_table *t = lw4o6_table_alloc(NULL, 0, NULL);
	struct lw4o6_binding_params p;
	struct lw4o6_binding *b, *old;
	const u32 n = 5000;
	bool ok = false;
	int line = 0;
	u32 i;
#define FAIL() do { line = __LINE__; goto out; } while (0)

	if (IS_ERR(t))
		return false;
	t->live = live;
#define INS(pp, rep) ins(&t, pp, rep, &old)

	/* 1250 addresses x 4 PSIDs of shape 0/2, forcing several resizes. */
	for (i = 0; i < n; i++) {
		params(&p, 0xc0000000 + i / 4, i & 3, 0, 2, i);
		if (INS(&p, false))
			FAIL();
	}
	if (t->count != n || t->nbuckets < n)
		FAIL();
	for (i = 0; i < n; i++) {
		b = lw4o6_table_lookup(t, htonl(0xc0000000 + i / 4), i & 3);
		if (!b || b->b4.s6_addr[15] != (i & 0xff))
			FAIL();
		/* port (i&3) << 14 carries PSID i & 3 under shape 0/2 */
		if (lw4o6_table_lookup_port(t, htonl(0xc0000000 + i / 4),
					    ((i & 3) << 14) | 77) != b)
			FAIL();
		if (lw4o6_table_lookup_port(t, htonl(0xc0000000 + n),
					    ((i & 3) << 14) | 77))
			FAIL();
	}
	/* Conflicts: duplicate, other shape for the address, bad PSID. */
	params(&p, 0xc0000000, 0, 0, 2, 9);
	if (INS(&p, false) != -EEXIST)
		FAIL();
	params(&p, 0xc0000000, 1, 0, 3, 9);
	if (INS(&p, false) != -EINVAL)
		FAIL();
	params(&p, 0xc0000000, 4, 0, 2, 9);
	if (INS(&p, false) != -EINVAL)
		FAIL();
	params(&p, 0xc0000000, 0, 8, 9, 9);
	if (INS(&p, false) != -EINVAL)
		FAIL();
	/* Replace keeps the key, changes the B4, reports the old one. */
	params(&p, 0xc0000000, 0, 0, 2, 0x1234);
	if (INS(&p, true) || !old)
		FAIL();
	b = lw4o6_table_lookup(t, htonl(0xc0000000), 0);
	if (!b || b->b4.s6_addr[14] != 0x12 || t->count != n)
		FAIL();
	/* A second shape in the same table, and a BR. */
	params(&p, 0x0a000001, 5, 6, 6, 1);
	p.has_br = true;
	p.br.s6_addr[15] = 1;
	if (INS(&p, false))
		FAIL();
	b = lw4o6_table_lookup_port(t, htonl(0x0a000001), (1 << 10) | (5 << 4) | 3);
	if (!b || b->psid != 5 || !lw4o6_binding_br(t, b) ||
	    lw4o6_binding_br(t, b)->s6_addr[15] != 1)
		FAIL();
	if (lw4o6_table_lookup_port(t, htonl(0x0a000001), (5 << 4) | 3))
		FAIL();	/* i = 0 ports belong to nobody when a > 0 */
	/*
	 * A published table keeps a BR slot whose last binding was just
	 * retired until a grace period has passed: RCU readers still holding
	 * that binding read the slot for its outer source.
	 */
	if (live) {
		u16 slot;

		params(&p, 0x0a000002, 0, 0, 0, 2);
		p.has_br = true;
		p.br.s6_addr[15] = 0xa1;
		if (INS(&p, false))
			FAIL();
		b = lw4o6_table_lookup(t, htonl(0x0a000002), 0);
		if (!b || !b->br)
			FAIL();
		slot = b->br;
		p.br.s6_addr[15] = 0xa2;	/* the slot's only binding moves */
		if (INS(&p, true) || !old)
			FAIL();
		params(&p, 0x0a000003, 0, 0, 0, 3);
		p.has_br = true;
		p.br.s6_addr[15] = 0xa3;	/* a new BR needs a slot */
		if (INS(&p, false))
			FAIL();
		if (t->brs[slot - 1].s6_addr[15] != 0xa1)
			FAIL();
		if (lw4o6_table_delete(t, htonl(0x0a000002), 0, 0, NULL) ||
		    lw4o6_table_delete(t, htonl(0x0a000003), 0, 0, NULL))
			FAIL();
	}
	/* Deleting the representative hands the shape to a sibling. */
	if (lw4o6_table_delete(t, htonl(0xc0000000 + 1), 0, 2, NULL))
		FAIL();
	params(&p, 0xc0000000 + 1, 2, 0, 3, 1);
	if (INS(&p, false) != -EINVAL)
		FAIL();
	if (lw4o6_table_delete(t, htonl(0xc0000000 + 1), 0, 2, NULL) != -ENOENT)
		FAIL();
	if (lw4o6_table_delete(t, htonl(0xc0000000 + 1), 1, 3, NULL) != -ENOENT)
		FAIL();
	for (i = 0; i < n; i++)
		if (i != 4 && lw4o6_table_delete(t, htonl(0xc0000000 + i / 4),
					     i & 3, 2, NULL))
			FAIL();
	if (lw4o6_table_delete(t, htonl(0x0a000001), 5, 6, NULL) || t->count)
		FAIL();
	/* With everything gone, any shape is welcome again. */
	params(&p, 0xc0000000, 1, 0, 3, 1);
	if (INS(&p, false) || t->count != 1)
		FAIL();
	ok = true;
out:
#undef INS
	if (!ok)
		pr_err("lw4o6: self-test failed: binding table (%s), line %d\n",
		       live ? "published" : "private", line);
#undef FAIL
	lw4o6_table_free_now(t);
	return ok;
}

/*
 * The token bucket (ICMP errors, the control path): bursts of rate,
 * refilled over a second, and no wrap of elapsed x rate after a long
 * idle (5.1 hours at the top rate of 10^6 is 2^64 ns x 1/s and a little:
 * unchecked, a nearly empty refill).
 */
static bool icmp_selftest(void)
{
	const u64 t0 = 1000 * NSEC_PER_SEC, idle = 18446744073710ULL;
	struct lw4o6_bucket b = {};
	unsigned int i;

	CHECK(lw4o6_bucket_take(&b, 3, t0));	/* starts full */
	CHECK(lw4o6_bucket_take(&b, 3, t0));
	CHECK(lw4o6_bucket_take(&b, 3, t0));
	CHECK(!lw4o6_bucket_take(&b, 3, t0));
	CHECK(lw4o6_bucket_take(&b, 3, t0 + NSEC_PER_SEC / 3 + 1));
	CHECK(!lw4o6_bucket_take(&b, 3, t0 + NSEC_PER_SEC / 3 + 1));
	/* A clock a little behind refills nothing. */
	CHECK(!lw4o6_bucket_take(&b, 3, t0));

	b = (struct lw4o6_bucket){ .tokens = 0, .last = t0 };
	CHECK(lw4o6_bucket_take(&b, 1000000, t0 + idle));
	CHECK(b.tokens == 1000000ULL * NSEC_PER_SEC - NSEC_PER_SEC);
	for (i = 1; i < 1000000; i++)
		if (!lw4o6_bucket_take(&b, 1000000, t0 + idle))
			break;
	CHECK(i == 1000000);
	CHECK(!lw4o6_bucket_take(&b, 1000000, t0 + idle));
	return true;
}

bool lw4o6_table_selftest(void)
{
	bool ok = psid_selftest() && table_selftest_one(false) &&
		  table_selftest_one(true) && icmp_selftest();

	if (ok)
		pr_info("lw4o6: self-tests passed\n");
	return ok;
}
