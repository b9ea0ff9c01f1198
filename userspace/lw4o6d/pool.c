/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Port-set pools.  Each pool is one bitmap, address-major: bit
 * (addr * 2^psid_len + psid) is set when that set is taken.  Sets that are
 * never handed out (excluded addresses, PSID 0 with offset 0, the padding
 * after the last set) are set once in pools_new(), so the allocator only
 * looks for a clear bit and skips a whole word when it is all ones: the
 * worst case is one pass over sets/64 words, 64K words for the largest
 * realistic pool (a /16 of 64 sets each).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "addrclass.h"
#include "pool.h"
#include "strconv.h"

/*
 * 2^28 sets (32 MiB of bitmap) per pool.  plen >= 16 alone still allows a
 * /16 of one-port sets, 2^32 bits = 512 MiB; nobody wants that, and the
 * daemon should fail at start rather than when the OOM killer decides.
 */
#define POOL_MAX_SETS_LOG2 28

struct pool {
	struct pool_cfg cfg;	/* prefix masked to plen */
	uint32_t base;		/* host order */
	uint64_t naddr;
	unsigned int sets_log2;	/* psid_len */
	uint64_t nbits;		/* naddr << psid_len */
	uint64_t nwords;
	uint64_t first;		/* global index of bit 0 */
	uint64_t usable;	/* nbits minus the blocked sets */
	uint64_t used;
	uint64_t *map;
};

struct pools {
	size_t n;
	uint64_t total;		/* sum of nbits: the preference's modulus */
	uint64_t usable;
	uint64_t used;
	struct pool pool[];
};

static inline bool bit_test(const uint64_t *map, uint64_t i)
{
	return map[i >> 6] & (1ULL << (i & 63));
}

static inline void bit_set(uint64_t *map, uint64_t i)
{
	map[i >> 6] |= 1ULL << (i & 63);
}

static inline void bit_clear(uint64_t *map, uint64_t i)
{
	map[i >> 6] &= ~(1ULL << (i & 63));
}

static bool addr_excluded(const struct pool *pl, uint32_t host)
{
	size_t i;

	for (i = 0; i < pl->cfg.n_exclude; i++)
		if (ntohl(pl->cfg.exclude[i]) == host)
			return true;
	return false;
}

/* Sets no one gets: they must never be reserved or released either. */
static bool set_blocked(const struct pool *pl, uint64_t addr, unsigned int psid)
{
	if (!pl->cfg.offset && pl->cfg.psid_len && psid == 0)
		return true;
	return addr_excluded(pl, pl->base + (uint32_t)addr);
}

/*
 * Why c cannot be a pool: what the bitmap cannot represent always; with
 * strict, also what an operator may not configure (pool_cfg_check()).
 */
static const char *cfg_problem(const struct pool_cfg *c, bool strict,
			       char *buf, size_t len)
{
	uint32_t base = ntohl(c->prefix) & ipv4_mask(c->plen);
	char a4[FMT_IPV4_LEN];
	const char *bad;
	size_t i, j;

	if (c->plen < 16 || c->plen > 32)
		return "prefix length must be 16..32";
	if (c->n_exclude > POOL_MAX_EXCLUDE) {
		snprintf(buf, len, "more than %d excluded addresses",
			 POOL_MAX_EXCLUDE);
		return buf;
	}
	/*
	 * A pool is /16 or longer and these blocks /8 or shorter: the pool is
	 * inside one exactly when its first address is.
	 */
	if (strict && (bad = ipv4_not_subscriber(htonl(base)))) {
		snprintf(buf, len, "%s/%u is in %s (not a subscriber address)",
			 fmt_ipv4(htonl(base), a4), c->plen, bad);
		return buf;
	}
	if (strict && ntohl(c->prefix) != base) {
		snprintf(buf, len, "host bits are set (the prefix is %s/%u)",
			 fmt_ipv4(htonl(base), a4), c->plen);
		return buf;
	}
	for (i = 0; strict && i < c->n_exclude; i++) {
		if ((ntohl(c->exclude[i]) & ipv4_mask(c->plen)) != base) {
			snprintf(buf, len, "exclude %s is outside the pool",
				 fmt_ipv4(c->exclude[i], a4));
			return buf;
		}
		for (j = 0; j < i; j++) {
			if (c->exclude[j] == c->exclude[i]) {
				snprintf(buf, len, "exclude %s given twice",
					 fmt_ipv4(c->exclude[i], a4));
				return buf;
			}
		}
	}
	if (!lw4o6_psid_shape_valid(c->offset, c->psid_len)) {
		snprintf(buf, len, "offset %u + psid-len %u is above 16",
			 c->offset, c->psid_len);
		return buf;
	}
	/*
	 * psid-len 0 with offset 0 is a pool of whole addresses, every port
	 * (what a DHCPv4 client that does not ask for option 159 takes, RFC
	 * 7618); with an offset, every port from 2^(16-offset) up.
	 */
	if ((32 - c->plen) + c->psid_len > POOL_MAX_SETS_LOG2) {
		snprintf(buf, len, "%u addresses x 2^%u sets is above 2^%d sets; split it or use a shorter psid-len",
			 1U << (32 - c->plen), c->psid_len, POOL_MAX_SETS_LOG2);
		return buf;
	}
	/* Exclusions are inside and distinct by now. */
	if (strict && c->n_exclude == (size_t)1 << (32 - c->plen))
		return "every address is excluded";
	return NULL;
}

const char *pool_cfg_check(const struct pool_cfg *c, char *buf, size_t len)
{
	return cfg_problem(c, true, buf, len);
}

bool pool_cfg_overlap(const struct pool_cfg *a, const struct pool_cfg *b)
{
	uint32_t m = ipv4_mask(a->plen < b->plen ? a->plen : b->plen);

	return ((ntohl(a->prefix) ^ ntohl(b->prefix)) & m) == 0;
}

static int pool_init(struct pool *pl, const struct pool_cfg *cfg)
{
	char why[128];
	uint64_t a, i;
	unsigned int k = cfg->psid_len;

	if (cfg_problem(cfg, false, why, sizeof(why)))
		return -EINVAL;
	pl->cfg = *cfg;
	/* 192.0.2.1/24 means 192.0.2.0/24 here; pool_cfg_check() refuses it. */
	pl->base = ntohl(cfg->prefix) & ipv4_mask(cfg->plen);
	pl->cfg.prefix = htonl(pl->base);
	pl->naddr = 1ULL << (32 - cfg->plen);
	pl->sets_log2 = k;
	pl->nbits = pl->naddr << k;
	pl->nwords = (pl->nbits + 63) / 64;
	pl->map = calloc(pl->nwords, sizeof(*pl->map));
	if (!pl->map)
		return -ENOMEM;

	for (i = pl->nbits; i < pl->nwords * 64; i++)
		bit_set(pl->map, i);
	pl->usable = pl->nbits;
	if (!cfg->offset && k) {
		for (a = 0; a < pl->naddr; a++)
			bit_set(pl->map, a << k);
		pl->usable -= pl->naddr;
	}
	for (i = 0; i < cfg->n_exclude; i++) {
		uint32_t h = ntohl(cfg->exclude[i]);
		uint64_t lo, hi;

		if ((h & ipv4_mask(cfg->plen)) != pl->base)
			continue;
		/* Bits already set (PSID 0, a duplicate) are not counted twice. */
		lo = (uint64_t)(h - pl->base) << k;
		hi = lo + (1ULL << k);
		for (; lo < hi; lo++) {
			if (!bit_test(pl->map, lo))
				pl->usable--;
			bit_set(pl->map, lo);
		}
	}
	return 0;
}

struct pools *pools_new(const struct pool_cfg *cfg, size_t n)
{
	struct pools *p;
	size_t i, j;

	if (n > 4096 || (n && !cfg))
		return NULL;
	p = calloc(1, sizeof(*p) + n * sizeof(p->pool[0]));
	if (!p)
		return NULL;
	for (i = 0; i < n; i++) {
		struct pool *pl = &p->pool[i];

		if (pool_init(pl, &cfg[i]))
			goto fail;
		p->n = i + 1;
		for (j = 0; j < i; j++)
			if (pool_cfg_overlap(&pl->cfg, &p->pool[j].cfg))
				goto fail;
		pl->first = p->total;
		p->total += pl->nbits;
		p->usable += pl->usable;
	}
	return p;
fail:
	pools_free(p);
	return NULL;
}

void pools_free(struct pools *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->pool[i].map);
	free(p);
}

/*
 * FNV-1a over the 16 bytes, then a 64-bit finaliser: FNV's low bits alone
 * follow the last byte too closely, and B4 addresses often differ only in
 * a few bits of the prefix.  Stability matters, not secrecy: a B4 that can
 * pick its address can take any free set anyway.
 */
static uint64_t b4_hash(const struct in6_addr *b4)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < 16; i++) {
		h ^= b4->s6_addr[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* First clear bit at or after bit 'from' and before bit 'to'; -1 if none. */
static int64_t find_clear(const struct pool *pl, uint64_t from, uint64_t to)
{
	uint64_t w, wend, word;

	if (from >= to)
		return -1;
	w = from >> 6;
	wend = (to + 63) >> 6;
	word = ~pl->map[w] & (~0ULL << (from & 63));
	for (;;) {
		if (word) {
			uint64_t i = (w << 6) + (uint64_t)__builtin_ctzll(word);

			return i < to ? (int64_t)i : -1;
		}
		if (++w >= wend)
			return -1;
		word = ~pl->map[w];
	}
}

static void grant_of(const struct pool *pl, uint64_t bit, struct pool_grant *g)
{
	uint64_t addr = bit >> pl->sets_log2;

	g->ipv4 = htonl(pl->base + (uint32_t)addr);
	g->psid = (uint16_t)(bit & ((1ULL << pl->sets_log2) - 1));
	g->psid_len = pl->cfg.psid_len;
	g->offset = pl->cfg.offset;
}

int pools_alloc(struct pools *p, const struct in6_addr *b4,
		struct pool_grant *g)
{
	uint64_t start;
	size_t i, k;

	if (!p || p->used >= p->usable)
		return -ENOSPC;
	start = b4_hash(b4) % p->total;
	for (i = 0; i < p->n; i++)
		if (start < p->pool[i].first + p->pool[i].nbits)
			break;
	/*
	 * From the preferred bit to the end of its pool, the other pools in
	 * turn, then the start of the first pool up to the preferred bit.
	 */
	for (k = 0; k <= p->n; k++) {
		struct pool *pl = &p->pool[(i + k) % p->n];
		uint64_t from = 0, to = pl->nbits;
		int64_t bit;

		if (k == 0)
			from = start - pl->first;
		else if (k == p->n)
			to = start - pl->first;
		if (pl->used >= pl->usable)
			continue;
		bit = find_clear(pl, from, to);
		if (bit < 0)
			continue;
		bit_set(pl->map, (uint64_t)bit);
		pl->used++;
		p->used++;
		grant_of(pl, (uint64_t)bit, g);
		return 0;
	}
	return -ENOSPC;	/* not reached while the counters are right */
}

/* The pool whose prefix holds h (host order); pools do not overlap. */
static struct pool *pool_holding(const struct pools *p, uint32_t h)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if ((h & ipv4_mask(p->pool[i].cfg.plen)) == p->pool[i].base)
			return (struct pool *)&p->pool[i];
	return NULL;
}

/* The pool and bit of a grant, if a pool of that shape holds it. */
static struct pool *pool_of(struct pools *p, const struct pool_grant *g,
			    uint64_t *bit)
{
	uint32_t h = ntohl(g->ipv4);
	struct pool *pl = pool_holding(p, h);
	uint64_t addr;

	if (!pl || g->psid_len != pl->cfg.psid_len ||
	    g->offset != pl->cfg.offset ||
	    !lw4o6_psid_valid(g->psid_len, g->psid))
		return NULL;
	addr = h - pl->base;
	if (set_blocked(pl, addr, g->psid))
		return NULL;
	*bit = (addr << pl->sets_log2) | g->psid;
	return pl;
}

bool pools_set_of(const struct pools *p, uint32_t ipv4, uint16_t port,
		  struct pool_grant *g)
{
	const struct pool *pl = pool_holding(p, ntohl(ipv4));

	if (!pl || !lw4o6_port_usable(port, pl->cfg.offset))
		return false;
	g->ipv4 = ipv4;
	g->psid_len = pl->cfg.psid_len;
	g->offset = pl->cfg.offset;
	g->psid = lw4o6_port_psid(port, pl->cfg.offset, pl->cfg.psid_len);
	return true;
}

bool pools_hold(const struct pools *p, uint32_t ipv4)
{
	return pool_holding(p, ntohl(ipv4)) != NULL;
}

int pools_reserve(struct pools *p, const struct pool_grant *g)
{
	uint64_t bit;
	struct pool *pl = pool_of(p, g, &bit);

	if (!pl)
		return -ENOENT;
	if (bit_test(pl->map, bit))
		return -EEXIST;
	bit_set(pl->map, bit);
	pl->used++;
	p->used++;
	return 0;
}

void pools_release(struct pools *p, const struct pool_grant *g)
{
	uint64_t bit;
	struct pool *pl = pool_of(p, g, &bit);

	/* Blocked or unknown sets were never counted: nothing to give back. */
	if (!pl || !bit_test(pl->map, bit))
		return;
	bit_clear(pl->map, bit);
	pl->used--;
	p->used--;
}

uint64_t pools_size(const struct pools *p)
{
	return p ? p->usable : 0;
}

uint64_t pools_used(const struct pools *p)
{
	return p ? p->used : 0;
}

size_t pools_usage(const struct pools *p, size_t i, struct pool_usage *u)
{
	const struct pool *pl;

	if (!p)
		return 0;
	if (i < p->n) {
		pl = &p->pool[i];
		u->prefix = pl->cfg.prefix;
		u->plen = pl->cfg.plen;
		u->psid_len = pl->cfg.psid_len;
		u->offset = pl->cfg.offset;
		u->sets = pl->usable;
		u->used = pl->used;
	}
	return p->n;
}
