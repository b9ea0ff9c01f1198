// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bindset.h"

#define MIN_BITS	10
#define SLOT_USED	(1ULL << 63)

static inline uint32_t hash64(uint64_t k, unsigned int bits)
{
	return (uint32_t)((k * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static inline uint64_t key_of(const struct lw4o6_bind *b)
{
	return SLOT_USED | (uint64_t)b->ipv4 << 16 | b->psid;
}

static inline uint64_t addr_of(const struct lw4o6_bind *b)
{
	return SLOT_USED | (uint64_t)b->psid_len << 40 |
	       (uint64_t)b->offset << 32 | b->ipv4;
}

/*
 * Index memory comes straight from mmap, zeroed, with huge pages asked for:
 * random probes over tens of megabytes otherwise miss the TLB every time,
 * which is what hurts most inside an emulated machine.
 */
static uint64_t *slots_alloc(unsigned int bits)
{
	size_t len = ((size_t)1 << bits) * sizeof(uint64_t);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (len >= (2 << 20))
		madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void slots_free(uint64_t *p, unsigned int bits)
{
	if (p)
		munmap(p, ((size_t)1 << bits) * sizeof(uint64_t));
}

void table_init(struct lw4o6_table *t)
{
	memset(t, 0, sizeof(*t));
}

void table_free(struct lw4o6_table *t)
{
	free(t->v);
	slots_free(t->keys, t->key_bits);
	slots_free(t->addrs, t->addr_bits);
	table_init(t);
}

/* The slot holding k (compared under mask), or the empty one it would take. */
static uint64_t *find(uint64_t *tab, unsigned int bits, uint64_t k,
		      uint64_t mask)
{
	uint32_t m = (1U << bits) - 1;
	uint32_t i = hash64(k & mask, bits);

	while (tab[i] && (tab[i] & mask) != (k & mask))
		i = (i + 1) & m;
	return &tab[i];
}

#define KEY_MASK	(~0ULL)
#define ADDR_MASK	0xffffffffULL	/* an address's shape is its value */

static int resize(uint64_t **tabp, unsigned int *bitsp, unsigned int bits,
		  uint64_t mask)
{
	uint64_t *tab = slots_alloc(bits), *old = *tabp;
	size_t i, n = old ? (size_t)1 << *bitsp : 0;

	if (!tab)
		return -1;
	for (i = 0; i < n; i++)
		if (old[i])
			*find(tab, bits, old[i], mask) = old[i];
	slots_free(old, *bitsp);
	*tabp = tab;
	*bitsp = bits;
	return 0;
}

/* Smallest index size that keeps n entries at most half full. */
static unsigned int bits_for(size_t n)
{
	unsigned int bits = MIN_BITS;

	while (((size_t)1 << bits) < n * 2 && bits < 31)
		bits++;
	return bits;
}

/*
 * Size everything for about n bindings up front, so a big file is read
 * without a rehash or an array copy.  Only a hint: tables still grow.
 */
int table_reserve(struct lw4o6_table *t, size_t n)
{
	unsigned int bits = bits_for(n);

	if (n > t->cap) {
		struct lw4o6_bind *v = realloc(t->v, n * sizeof(*v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = n;
	}
	if ((!t->keys || bits > t->key_bits) &&
	    resize(&t->keys, &t->key_bits, bits, KEY_MASK))
		return -1;
	if ((!t->addrs || bits > t->addr_bits) &&
	    resize(&t->addrs, &t->addr_bits, bits, ADDR_MASK))
		return -1;
	return 0;
}

/* Only for error messages: where did this key or address first appear? */
static uint32_t first_line(const struct lw4o6_table *t, const struct lw4o6_bind *b,
			   bool same_psid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].ipv4 == b->ipv4 &&
		    (!same_psid || t->v[i].psid == b->psid))
			return t->v[i].line;
	return 0;
}

int table_add(struct lw4o6_table *t, const struct lw4o6_bind *b,
	      char *err, size_t errlen)
{
	uint64_t ak = addr_of(b), kk = key_of(b), *as, *ks;
	char a4[INET_ADDRSTRLEN];

	/* Keep both indexes at most half full so probes stay short. */
	if ((!t->keys || (t->n + 1) * 2 > ((size_t)1 << t->key_bits)) &&
	    resize(&t->keys, &t->key_bits, t->keys ? t->key_bits + 1 : MIN_BITS,
		   KEY_MASK))
		goto oom;
	if ((!t->addrs || (t->naddrs + 1) * 2 > ((size_t)1 << t->addr_bits)) &&
	    resize(&t->addrs, &t->addr_bits,
		   t->addrs ? t->addr_bits + 1 : MIN_BITS, ADDR_MASK))
		goto oom;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct lw4o6_bind *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			goto oom;
		t->v = v;
		t->cap = cap;
	}

	as = find(t->addrs, t->addr_bits, ak, ADDR_MASK);
	if (*as && *as != ak) {
		inet_ntop(AF_INET, &b->ipv4, a4, sizeof(a4));
		snprintf(err, errlen,
			 "%s has offset %u psid length %u here but offset %u psid length %u on line %u",
			 a4, b->offset, b->psid_len,
			 (unsigned int)(*as >> 32) & 0xff,
			 (unsigned int)(*as >> 40) & 0xff,
			 first_line(t, b, false));
		return -1;
	}
	ks = find(t->keys, t->key_bits, kk, KEY_MASK);
	if (*ks) {
		inet_ntop(AF_INET, &b->ipv4, a4, sizeof(a4));
		snprintf(err, errlen,
			 "duplicate binding ipv4 %s psid %u (first on line %u)",
			 a4, b->psid, first_line(t, b, true));
		return -1;
	}
	t->v[t->n++] = *b;
	*ks = kk;
	if (!*as) {
		*as = ak;
		t->naddrs++;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}
