/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's leases in memory: every granted port set, found by its key
 * (B4, protocol, internal port), by its set (IPv4, PSID), by its owner
 * (nonce, IPv4), by its B4 and by its expiry.  Also one record per B4 that has been heard from, with or
 * without a lease.  An index, nothing more: no I/O, no rules (alloc.c has
 * those), no store.
 */
#ifndef LW4O6D_LEASE_H
#define LW4O6D_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "hash.h"
#include "mapping.h"

struct lease;

struct lease_b4 {
	struct in6_addr addr;
	struct hnode node;
	struct lease *leases;	/* in key order: (protocol, internal port) */
	unsigned int n;
	/* admission (alloc.c): a token bucket; last_ms 0 = not heard yet */
	double tokens;
	int64_t last_ms;
};

struct lease {
	struct lw4o6_mapping m;	/* change expires only by lease_set_expiry() */
	struct lease_b4 *owner;
	struct lease *next_of_b4;
	struct hnode by_key, by_set, by_owner;
	size_t heap_i;
	bool in_kernel;		/* kernel sync's mark while it compares */
	/*
	 * A shared store: granted or last renewed by another node (the
	 * store's change feed, alloc_apply()), or loaded at start; cleared
	 * when this node renews it.  wanted: a mirrored lease that belongs in
	 * this kernel even on demand: the data-packet trigger found it valid
	 * here (alloc_want()), or it was this node's (installed) before.
	 */
	bool mirrored;
	bool wanted;
	bool seen;		/* alloc.c's mark while it resyncs with the store */
};

struct lease_table;

struct lease_table *lease_table_new(void);
/* Frees every lease and B4 record. */
void lease_table_free(struct lease_table *t);

/* A copy of m as a lease; -ENOMEM, or -EEXIST if its key or its set is taken. */
int lease_add(struct lease_table *t, const struct lw4o6_mapping *m,
	      struct lease **out);
/* Unlinks and frees l; its B4's record stays. */
void lease_del(struct lease_table *t, struct lease *l);
void lease_set_expiry(struct lease_table *t, struct lease *l, int64_t expires);

struct lease *lease_find(const struct lease_table *t, const struct in6_addr *b4,
			 uint8_t protocol, uint16_t internal_port);
struct lease *lease_find_set(const struct lease_table *t, uint32_t ipv4,
			     uint16_t psid);
/*
 * The leases of one owner (nonce) with one IPv4 address, wherever its B4
 * is: the first (prev NULL), then the one after prev; NULL when no more.
 */
struct lease *lease_next_of_owner(const struct lease_table *t,
				  const uint8_t nonce[PCP_NONCE_LEN],
				  uint32_t ipv4, const struct lease *prev);
/* The lease that expires first, NULL if none. */
struct lease *lease_first_expiring(const struct lease_table *t);
/*
 * Every lease, in no order; cb may lease_del() the lease it is given (and
 * no other), must not add.  cb's nonzero return stops and is returned.
 */
int lease_each(struct lease_table *t, int (*cb)(struct lease *l, void *arg),
	       void *arg);
size_t lease_count(const struct lease_table *t);

/* The B4's record; with create, made if missing (NULL on out of memory). */
struct lease_b4 *lease_b4(struct lease_table *t, const struct in6_addr *b4,
			  bool create);
/*
 * The B4's lease after (protocol, internal port) in key order, or its
 * first with !after; NULL when there is none.
 */
struct lease *lease_b4_next(const struct lease_b4 *b, bool after,
			    uint8_t protocol, uint16_t internal_port);
/* Frees the records of B4s without leases last heard before before_ms. */
size_t lease_b4_evict(struct lease_table *t, int64_t before_ms);
size_t lease_b4_count(const struct lease_table *t);

#endif
