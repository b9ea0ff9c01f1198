/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The data-packet trigger ("redundancy on-demand", RFC 7596's anycast
 * failover): a packet from a B4 this lwAFTR has no binding for is held by
 * the module, which tells us (B4 IPv6, inner IPv4, port); if the shared
 * store holds a live mapping of that B4 and address whose set has the
 * port, the lease is installed through the core (alloc_want(): kernel sync
 * installs it, the expiry sweep removes it like any other) and the module
 * releases the held packets; else they are rejected (kern_miss_reject():
 * dropped, each with its ICMPv6 1/5).
 *
 * What a miss may cost is bounded before the store is asked: a negative
 * cache of refused (B4, IPv4, port) for miss-negative-ttl, a token bucket
 * per B4 prefix of miss-prefix-len bits (miss-rate a second) and one for
 * all (miss-rate ... global); both tables have a fixed size and are
 * indexed by keyed SipHash, so a flood of made-up sources neither grows
 * them nor picks their collisions.  Every outcome is counted.
 *
 * The logic (ondemand_new .. ondemand_stats) does no I/O: what it asks
 * of the kernel goes through struct ondemand_io, so the unit tests run it
 * without one.  The component (ondemand_start ..) wires it to the module.
 */
#ifndef LW4O6D_ONDEMAND_H
#define LW4O6D_ONDEMAND_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "alloc.h"
#include "config.h"

/* Entries of each table: the negative cache and the prefix buckets. */
#define ONDEMAND_TABLE	4096
#define ONDEMAND_WAYS	4

struct ondemand_cfg {
	uint32_t rate;		/* lookups a second per prefix (burst: as many) */
	uint32_t global_rate;	/* lookups a second in all (burst: as many) */
	uint8_t plen;		/* prefix length of a rate bucket, 1..128 */
	uint32_t negative_ttl_ms;	/* how long a refusal is remembered */
};

struct ondemand_io {
	/* the held packets of b4 (inner source ipv4) have no binding */
	int (*reject)(const struct in6_addr *b4, uint32_t ipv4, void *arg);
	int64_t (*now_ms)(void);	/* monotonic */
	void *arg;
};

struct ondemand_stats {
	uint64_t misses, held;		/* events; those with packets held */
	uint64_t installed;		/* found valid in the store, installed */
	uint64_t refused;		/* looked up, nothing valid: rejected */
	uint64_t cached;		/* refused from the negative cache */
	uint64_t over_prefix_rate, over_global_rate;	/* rejected unasked */
	uint64_t store_errors;		/* lookups that failed (database away) */
	uint64_t install_errors;	/* valid, but the core or kernel refused */
	uint64_t lookups;		/* questions the store was asked */
};

struct ondemand;

/* NULL on out of memory or no random key. */
struct ondemand *ondemand_new(struct alloc *a, const struct ondemand_cfg *c,
			      const struct ondemand_io *io);
void ondemand_free(struct ondemand *od);
/* New rates, prefix length, TTL (SIGHUP); a new length empties the buckets. */
void ondemand_set(struct ondemand *od, const struct ondemand_cfg *c);
/* One miss event of the module: port -1 when the packet had none. */
void ondemand_miss(struct ondemand *od, const struct in6_addr *b4,
		   uint32_t ipv4, int port, bool held);
void ondemand_stats(const struct ondemand *od, struct ondemand_stats *st);

/*
 * The component: with redundancy on-demand, sets the device's miss-hold
 * and miss-queue and follows its miss events (0, or -1 after logging why
 * not); with hot, turns the device's hold off and does nothing more.
 */
int ondemand_start(const struct lw4o6d_config *c, struct alloc *a);
/* SIGHUP: the miss-* words (redundancy itself needs a restart). */
void ondemand_reload(const struct lw4o6d_config *c);
/* SIGUSR1: the counters, one line; nothing when not running. */
void ondemand_dump(void);
void ondemand_stop(void);

#endif
