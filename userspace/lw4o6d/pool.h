/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's address and port-set pools: which (IPv4, PSID) a new mapping
 * gets.  A pool is a prefix cut into port sets of one shape (PSID length,
 * offset) minus excluded addresses.  With offset 0, PSID 0 would hold the
 * system ports 0-1023, so it is never handed out.  Allocation prefers a
 * set derived from the B4's address, so a B4 that comes back after its
 * mapping expired tends to get the same set again.
 */
#ifndef LW4O6D_POOL_H
#define LW4O6D_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define POOL_MAX_EXCLUDE 64

/*
 * The netmask of an IPv4 prefix length 0..32, in host order; a longer one
 * (a configuration not checked yet) is taken as 32, never shifted past
 * the word.
 */
static inline uint32_t ipv4_mask(unsigned int plen)
{
	return plen >= 32 ? ~0U : plen ? ~0U << (32 - plen) : 0;
}

/* An IPv6 prefix: a subscriber's, or an entry of the B4 allow-list. */
struct in6_prefix {
	struct in6_addr addr;	/* bits past plen are zero */
	uint8_t plen;		/* 0..128 */
};

/* a with the bits past plen cleared */
static inline void in6_mask(struct in6_addr *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++, plen = plen > 8 ? plen - 8 : 0)
		a->s6_addr[i] &= plen >= 8 ? 0xff : (uint8_t)(0xff00 >> plen);
}

struct pool_cfg {
	uint32_t prefix;	/* network order */
	uint8_t plen;		/* 16..32 */
	uint8_t psid_len;	/* 0..16 */
	uint8_t offset;		/* offset + psid_len <= 16 */
	size_t n_exclude;
	uint32_t exclude[POOL_MAX_EXCLUDE];	/* network order */
};

/*
 * What an operator may configure: NULL, or the reason (e.g. "prefix length
 * must be 16..32"), written into buf.  The rules are the allocator's, so
 * the configuration reader reports them rather than knowing them.  Stricter
 * than pools_new(), which takes any pool it can represent (host bits
 * ignored, exclusions outside the prefix skipped, whole addresses with
 * offset 0).
 */
const char *pool_cfg_check(const struct pool_cfg *c, char *buf, size_t len);
/* Two pools share an address: they would hand out an (IPv4, PSID) twice. */
bool pool_cfg_overlap(const struct pool_cfg *a, const struct pool_cfg *b);

struct pools;

/* NULL on out of memory, a pool it cannot represent, or overlapping pools; n may be 0. */
struct pools *pools_new(const struct pool_cfg *cfg, size_t n);
void pools_free(struct pools *p);

struct pool_grant {
	uint32_t ipv4;		/* network order */
	uint16_t psid;
	uint8_t psid_len;
	uint8_t offset;
};

/* -ENOSPC when every set is taken. */
int pools_alloc(struct pools *p, const struct in6_addr *b4,
		struct pool_grant *g);
/*
 * Marks a set taken (reloading stored mappings).  -EEXIST if it already is,
 * -ENOENT if no pool holds it any more (configuration changed): the caller
 * keeps or drops that mapping; it is not counted.
 */
int pools_reserve(struct pools *p, const struct pool_grant *g);
void pools_release(struct pools *p, const struct pool_grant *g);
/*
 * The set that holds ipv4 (network order) and port, in the shape of the
 * pool whose prefix holds ipv4: a B4's suggestion.  False if no pool holds
 * the address or the port is in no set of that shape.  Says nothing about
 * whether the set is free or may be handed out.
 */
bool pools_set_of(const struct pools *p, uint32_t ipv4, uint16_t port,
		  struct pool_grant *g);
/* Whether some pool's prefix holds ipv4 (network order). */
bool pools_hold(const struct pools *p, uint32_t ipv4);
/* sets in all pools, and how many are taken */
uint64_t pools_size(const struct pools *p);
uint64_t pools_used(const struct pools *p);

/* One pool as status shows it: its prefix and shape, its sets and how many are taken. */
struct pool_usage {
	uint32_t prefix;	/* network order */
	uint8_t plen, psid_len, offset;
	uint64_t sets, used;	/* sets that may be handed out */
};

/* Pool i (in the configuration's order) into *u if i is one; how many pools there are. */
size_t pools_usage(const struct pools *p, size_t i, struct pool_usage *u);

#endif
