/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's core: which B4 holds which port set, and every rule for
 * changing that (grant, renewal, deletion, quota, lifetime bounds, a
 * suggested set, the per-B4 request rate, expiry, forgetting what an
 * operator removed), for every front-end alike.  It keeps the leases
 * (lease.h), the pools (pool.h) and the store (store.h) in step, and tells
 * its listeners (kernel sync, any other component) of each change: no
 * component calls another.  No sockets, no timers: core.c runs it.
 *
 * Changes may be grouped in a transaction (alloc_begin/alloc_commit): a
 * front-end answers only after alloc_commit() returned 0, so that what it
 * tells a B4 is on disk; if the commit fails, the leases granted inside it
 * are revoked (listeners told, pool and index undone).  Removals inside a
 * transaction are told to the listeners (so the kernel binding goes) and
 * their sets freed only once it is committed; if it fails they are put
 * back, as the store still has them.
 *
 * With a store several lwAFTRs share (store_shared()), the index also
 * follows the other nodes' changes (alloc_apply(), fed by core.c from the
 * store's change feed): their leases are "mirrored" (struct lease), in the
 * index and the pools but never written back by this node, except that an
 * expiry sweep removes what is due (the store refuses, -ESTALE, if another
 * node renewed it meanwhile: the lease is read again and kept) and that a
 * B4 renewing a mirrored lease here (after a failover) makes it this
 * node's.  A set the store says another node took (-EEXIST) is passed by.
 */
#ifndef LW4O6D_ALLOC_H
#define LW4O6D_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lease.h"
#include "mapping.h"
#include "pool.h"
#include "latency.h"
#include "store.h"

#define ALLOC_MAX_ALLOW	64

/*
 * A subscriber is every B4 address under one prefix of sub_plen bits (a
 * customer owns a /56 or a /64 and may source softwires from any address
 * in it): quota and request rate are the subscriber's, not the address's.
 */
struct alloc_limits {
	uint32_t lifetime_min, lifetime_max, lifetime_default;	/* s */
	uint32_t quota;		/* leases per subscriber */
	uint32_t rate, burst;	/* requests a second per subscriber, and bursts */
	uint8_t sub_plen;	/* 1..128 */
	uint32_t max_leases;	/* leases in all; 0: no cap but the pools */
	uint32_t max_subs;	/* subscribers tracked at once; 0: no cap */
	size_t n_allow;		/* 0: any B4 */
	struct in6_prefix allow[ALLOC_MAX_ALLOW];
};

/* What happened to a lease, as the listeners hear it. */
enum lease_event {
	LEASE_GRANTED,		/* a listener may refuse: the grant is undone */
	LEASE_RENEWED,
	LEASE_RELEASED,		/* deleted by its B4 */
	LEASE_EXPIRED,
	LEASE_REVOKED,		/* refused by a later listener, or not stored */
	LEASE_FORGOTTEN,	/* the kernel lost it by an operator's hand */
	/* a shared store's (alloc_apply(), alloc_want()), l->mirrored set: */
	LEASE_MIRRORED,		/* another node's lease, new here (or wanted now) */
	LEASE_WITHDRAWN,	/* another node removed or moved it */
	LEASE_ADOPTED,		/* a mirrored lease renewed here: this node's now */
	LEASE_MOVED,		/* same set, another B4 address (renumbering) */
};

/*
 * Called with the lease still in the index, except for a removal inside a
 * transaction, told at its commit with a copy.  The return counts only
 * for LEASE_GRANTED: nonzero refuses it, and the listeners before this
 * one hear LEASE_REVOKED; -EEXIST says the set is somebody else's (an
 * operator's binding): it stays taken and another is tried.  Another
 * node's renewal of a lease (the feed) is told as LEASE_RENEWED with
 * l->mirrored set; a listener that installs only this node's leases (an
 * on-demand kernel sync) looks at l->mirrored and l->wanted.
 */
typedef int (*lease_listener_fn)(enum lease_event ev, const struct lease *l,
				 void *arg);

enum alloc_result {
	ALLOC_OK,
	ALLOC_NOT_OWNER,	/* the key is held under another nonce */
	ALLOC_SETS_ONLY,	/* the client cannot take a port set */
	ALLOC_QUOTA,		/* the B4 holds its quota of leases */
	ALLOC_NO_SET,		/* pools full; store or a listener refused */
	ALLOC_SUGGESTION_TAKEN,	/* prefer_failure, and the suggested set is taken */
	ALLOC_NOT_STORED,	/* the store could not take it now (-EAGAIN): ask again */
	ALLOC_NOT_ALLOWED,	/* no B4 may be at that address (alloc_admit) */
};

#define ALLOC_RESULTS	(ALLOC_NOT_ALLOWED + 1)

/* Whether a request is looked at, and if not why. */
enum alloc_admit {
	ADMIT_OK,
	ADMIT_BAD_SOURCE,	/* ::, loopback, link-local, multicast, v4-mapped, ours */
	ADMIT_NOT_ALLOWED,	/* outside every allowed B4 prefix */
	ADMIT_FULL,		/* a new subscriber, and max_subs are tracked */
	ADMIT_LIMITED,		/* over its subscriber's rate */
};
#define ALLOC_ADMITS	(ADMIT_LIMITED + 1)

/* A request for a lease, in no protocol's terms. */
struct alloc_req {
	struct in6_addr b4;		/* who asks: the softwire's outer source */
	uint8_t protocol;		/* with internal_port, the key; 0 = all */
	uint16_t internal_port;
	uint8_t nonce[PCP_NONCE_LEN];	/* the key's owner */
	uint32_t lifetime;		/* asked for; 0 deletes */
	bool takes_set;			/* the client can take a port set */
	uint32_t suggest_ipv4;		/* network order; 0: no suggestion */
	uint16_t suggest_port;		/* a port of the set asked for */
	bool prefer_failure;		/* the suggested set or nothing */
	uint8_t via;			/* enum mapping_via: stored */
};

struct alloc_answer {
	bool has_set;			/* m: granted, renewed or deleted */
	struct lw4o6_mapping m;
	uint32_t lifetime;		/* granted; 0 for a deletion */
};

struct alloc_clock {
	int64_t (*wall_s)(void);	/* expiry, the state's base: Unix s */
	int64_t (*mono_ms)(void);	/* the request rate */
};

struct alloc_stats {
	size_t leases, b4s;	/* b4s: subscribers tracked, with or without leases */
	uint64_t sets, sets_used;
	uint64_t granted, renewed, released, expired, forgotten;
	uint64_t moved;			/* to a B4's new address (alloc_map()) */
	/* a shared store: the other nodes' changes applied, sets lost to a race */
	uint64_t mirrored, withdrawn, resyncs, raced, stale_kept;
	uint64_t expiry_put_off;	/* sweeps that kept a lease: store away */
};

/*
 * What "lw4o6d status" and "lw4o6d metrics" show of the core's decisions:
 * counted since the start, never reset (a reload keeps them).
 */
struct alloc_counters {
	/* alloc_map() and alloc_move() calls, by how the B4 asked (mapping_via) */
	uint64_t requests[MAPPING_VIA_MAX + 1];
	uint64_t granted[MAPPING_VIA_MAX + 1];	/* new leases */
	uint64_t results[ALLOC_RESULTS];	/* by outcome; [ALLOC_OK] succeeded */
	uint64_t admits[ALLOC_ADMITS];		/* alloc_admit(), by outcome */
	struct latency commit;			/* the store's commits */
};

struct alloc;

/*
 * A core over an open store; pools as pools_new() takes them; clock NULL
 * for the real clocks.  NULL on out of memory or pools it cannot use.
 */
struct alloc *alloc_new(struct store *st, const struct alloc_limits *lim,
			const struct pool_cfg *pools, size_t n_pools,
			const struct alloc_clock *clock);
void alloc_free(struct alloc *a);
/*
 * Start: reads the time the stored state began, or (reset, or none kept)
 * discards every stored mapping and begins anew; then loads every stored
 * mapping into the index and the pools.  -1 after logging why not.
 */
int alloc_load(struct alloc *a, bool reset);
/* New pools and limits; the leases stay.  -1: pools invalid, nothing changed. */
int alloc_reload(struct alloc *a, const struct alloc_limits *lim,
		 const struct pool_cfg *pools, size_t n_pools);

int64_t alloc_now(const struct alloc *a);
/* When the stored state began (the PCP epoch's base), Unix s. */
int64_t alloc_since(const struct alloc *a);
/* Whether alloc_load() began a new epoch (a reset, a new or lost store). */
bool alloc_epoch_began(const struct alloc *a);
/* The B4s that held mappings when alloc_load() ran, before any reset. */
const struct mapping_b4 *alloc_b4s_at_start(const struct alloc *a, size_t *n);

/* At most 4 listeners; -ENOSPC. */
int alloc_listen(struct alloc *a, lease_listener_fn fn, void *arg);
void alloc_unlisten(struct alloc *a, lease_listener_fn fn, void *arg);

/* 0: changes are grouped until alloc_commit(); else each stands alone. */
int alloc_begin(struct alloc *a);
/* 0 when everything since alloc_begin() is durable (or none was open). */
int alloc_commit(struct alloc *a);

/*
 * Checks who asks, then counts the request against its subscriber's rate,
 * before anything is kept for a subscriber not seen yet: anything but
 * ADMIT_OK drops the request.
 */
enum alloc_admit alloc_admit(struct alloc *a, const struct in6_addr *b4);
/* The AFTR's own addresses (at most 4), which no B4 may use. */
void alloc_add_self(struct alloc *a, const struct in6_addr *addr);
/* Grant, renew or (lifetime 0) delete the lease r names. */
enum alloc_result alloc_map(struct alloc *a, const struct alloc_req *r,
			    struct alloc_answer *ans);
/*
 * DHCPv4 over DHCPv6 only (r->via): the lease held under r's nonce and key
 * with the address r->suggest_ipv4, at another B4 address of r->b4's
 * subscriber prefix, moves to r->b4 (same set, the store's row moved,
 * listeners told LEASE_MOVED) and is renewed for r->lifetime.  The caller
 * has checked that r->b4 is the request's source and the client's named
 * softwire source.  ALLOC_OK: moved (ans); ALLOC_NO_SET: no lease of the
 * client's may move here (none, or in another subscriber prefix: it stays
 * where it is), or out of memory; ALLOC_NOT_OWNER: r->b4 holds the key
 * already; ALLOC_NOT_STORED: ask again; ALLOC_NOT_ALLOWED: see alloc_map().
 */
enum alloc_result alloc_move(struct alloc *a, const struct alloc_req *r,
			     struct alloc_answer *ans);
/* b4's lease after (protocol, internal port) in key order, or its first. */
const struct lease *alloc_b4_next(struct alloc *a, const struct in6_addr *b4,
				  bool after, uint8_t protocol,
				  uint16_t internal_port);

/* Whether a lease's time has come. */
bool alloc_due(const struct alloc *a);
/* Removes every lease whose time has come; how many.  why: for the log. */
size_t alloc_expire(struct alloc *a, const char *why);
/* Frees the records of B4s without leases not heard from for a minute. */
void alloc_evict_idle(struct alloc *a);
/* The kernel lost l (an operator's doing): store, pool and index follow. */
void alloc_forget(struct alloc *a, struct lease *l, const char *why);
/*
 * Sets of our pools that the kernel holds for somebody else (an
 * operator's binding, no lease of ours): kept taken in the pool so that
 * grants pass them by, until the operator removes the binding.
 */
void alloc_foreign_add(struct alloc *a, const struct lw4o6_mapping *k);
void alloc_foreign_del(struct alloc *a, uint32_t ipv4, uint16_t psid);
void alloc_foreign_clear(struct alloc *a);
size_t alloc_foreign_count(const struct alloc *a);

/* ---- a shared store ---- */

/*
 * Another node's change, as the store's feed tells it (store.h): STORE_PUT
 * adds or replaces the lease of m's key (a set another lease holds here
 * goes first: the store is the truth), STORE_DEL removes it if it still
 * holds m's set, STORE_RESYNC (m NULL) reads the whole store again and
 * applies the difference.  Nothing is written to the store.  Not inside a
 * transaction (-EBUSY); 0 or a negative errno (-ENOMEM, the store's).
 */
int alloc_apply(struct alloc *a, enum store_change ch,
		const struct lw4o6_mapping *m);
/*
 * The data-packet trigger found m valid in the store: as alloc_apply()'s
 * STORE_PUT, and the lease is marked wanted (listeners hear
 * LEASE_MIRRORED even if it was in the index already).
 */
int alloc_want(struct alloc *a, const struct lw4o6_mapping *m);
/*
 * The store's lookup() (store.h): the stored mappings of ipv4 held by b4,
 * fresh.  -EOPNOTSUPP if the store has none.
 */
int alloc_lookup(struct alloc *a, uint32_t ipv4, const struct in6_addr *b4,
		 int (*cb)(const struct lw4o6_mapping *m, void *arg),
		 void *arg);

struct lease *alloc_find_set(struct alloc *a, uint32_t ipv4, uint16_t psid);
/* lease_each() over every lease */
int alloc_each(struct alloc *a, int (*cb)(struct lease *l, void *arg),
	       void *arg);
/* Whether some pool's prefix holds ipv4 (network order). */
bool alloc_in_pools(const struct alloc *a, uint32_t ipv4);
void alloc_stats(const struct alloc *a, struct alloc_stats *st);
void alloc_counters(const struct alloc *a, struct alloc_counters *c);
/* Pool i's usage (pools_usage()); how many pools there are. */
size_t alloc_pool_usage(const struct alloc *a, size_t i, struct pool_usage *u);
/* "quota", "rate-limited": a metric's label, a status key */
const char *alloc_result_name(enum alloc_result r);
const char *alloc_admit_name(enum alloc_admit a);

#endif
