/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * An intrusive chained hash table: the element embeds a struct hnode and
 * remembers its hash, so the table grows without knowing the elements.
 * The caller hashes and compares; the table never fails to take an
 * element (if it cannot grow, chains get longer).
 */
#ifndef LW4O6D_HASH_H
#define LW4O6D_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint32_t hash;
};

struct htab {
	struct hnode **b;
	size_t n_buckets;	/* a power of two */
	size_t n;
};

#define hnode_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * SipHash-2-4 of len bytes under the process's secret key, which
 * htab_init() draws from getrandom() the first time: a peer who fills a
 * table (a B4 choosing addresses in its /64) cannot aim at one bucket.
 * Callers hash the whole key in one call (pack it first).
 */
uint32_t hash_bytes(const void *p, size_t len);

/* 0, -ENOMEM, or getrandom()'s -errno: no table without a secret key. */
int htab_init(struct htab *t);
/* The buckets only: the elements are the caller's. */
void htab_fini(struct htab *t);
void htab_add(struct htab *t, struct hnode *n, uint32_t hash);
void htab_del(struct htab *t, struct hnode *n);
/* The chain that elements of this hash are on (compare n->hash first). */
static inline struct hnode *htab_chain(const struct htab *t, uint32_t hash)
{
	return t->b[hash & (t->n_buckets - 1)];
}

/*
 * Every element; the body may htab_del() the one it is at (and only that
 * one), and must not add.
 */
#define htab_for_each(t, i, n, tmp)					\
	for ((i) = 0; (i) < (t)->n_buckets; (i)++)			\
		for ((n) = (t)->b[i]; (n) && ((tmp) = (n)->next, 1);	\
		     (n) = (tmp))

#endif
