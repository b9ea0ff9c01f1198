/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_TABLE_H
#define LW4O6_TABLE_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/atomic.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>

#define LW4O6_MAX_SHAPES	16	/* distinct (offset, psid_len) per table */
#define LW4O6_MAX_BRS		256	/* distinct per-binding BR addresses */
#define LW4O6_SHAPE_NONE	0xffff
/*
 * Each bucket array must stay below kvmalloc()'s INT_MAX bytes; past this
 * a table stops growing (longer chains) rather than warn and fail.
 */
#define LW4O6_MAX_BUCKETS	(1U << 27)
/* max_bindings may not be raised above this. */
#define LW4O6_MAX_BINDINGS_LIMIT LW4O6_MAX_BUCKETS
/* A LOAD_BEGIN size hint is only a hint: never more buckets than this. */
#define LW4O6_MAX_HINT		(1U << 22)

/*
 * One softwire.  80 bytes: the memory budget is 128 bytes per binding all
 * told, so no rcu_head (retired bindings are freed in batches, see
 * lw4o6_table_retire()) and the per-binding BR is an index into the table.
 */
struct lw4o6_binding {
	struct lw4o6_binding __rcu *next;	/* key chain, RCU readers */
	/*
	 * Address chain, writers only: links the first binding of each IPv4
	 * address (its "representative", which carries the address's shape).
	 * Reused as the free-list link once the binding is unlinked.
	 */
	struct lw4o6_binding *addr_next;
	__be32 ipv4;
	u16 psid;
	u8 offset;
	u8 psid_len;
	struct in6_addr b4;
	u16 br;			/* 1-based index into table->brs; 0: none */
	u8 is_rep;
	u8 unused;
	u32 last_seen;		/* boottime seconds; 0: never */
	atomic64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
};

struct lw4o6_binding_params {
	__be32 ipv4;
	u16 psid;
	u8 offset;
	u8 psid_len;
	struct in6_addr b4;
	struct in6_addr br;
	bool has_br;
};

struct lw4o6_budget;

struct lw4o6_table {
	u32 nbuckets;		/* power of two, for both chains */
	u32 count;
	u32 seed;
	u32 nshapes;		/* slots in use in shapes[]; only grows */
	u16 shapes[LW4O6_MAX_SHAPES];	/* offset << 8 | psid_len */
	u32 shape_refs[LW4O6_MAX_SHAPES];
	u32 nbrs;
	u64 br_bloom;		/* one bit per hash of each BR in use */
	u32 br_refs[LW4O6_MAX_BRS];
	struct in6_addr brs[LW4O6_MAX_BRS];
	/*
	 * Slots whose last binding went while RCU readers may still hold it:
	 * not rewritten before br_gp (a grace-period cookie) has passed.
	 */
	DECLARE_BITMAP(br_retiring, LW4O6_MAX_BRS);
	unsigned long br_gp;
	struct lw4o6_binding __rcu **buckets;
	struct lw4o6_binding **addr_buckets;
	bool live;		/* published to RCU readers */
	u32 gen;		/* bumped by every write, for dumps */
	refcount_t refs;	/* the device's, plus one per running dump */
	u64 owner;		/* the device's: kept by copies and successors */
	struct lw4o6_budget *budget;	/* its namespace's; NULL: unlimited */
	size_t charged;		/* bytes charged to budget */
	struct rcu_work free_work;
};

int lw4o6_table_init(void);
void lw4o6_table_exit(void);

struct net;
struct lw4o6_table *lw4o6_table_alloc(struct net *net, u32 hint,
				      struct netlink_ext_ack *extack);
void lw4o6_table_free_deferred(struct lw4o6_table *t);
void lw4o6_table_put(struct lw4o6_table *t);
void lw4o6_table_free_now(struct lw4o6_table *t);
size_t lw4o6_table_mem(const struct lw4o6_table *t);

/* Writers: callers serialise (the device's lock, or a private table). */
int lw4o6_table_check(const struct lw4o6_table *t,
		      const struct lw4o6_binding_params *p, bool replace,
		      u32 max, struct netlink_ext_ack *extack);
int lw4o6_table_insert(struct lw4o6_table **tp,
		       const struct lw4o6_binding_params *p, bool replace,
		       u32 max, struct netlink_ext_ack *extack,
		       struct lw4o6_binding **oldp, struct lw4o6_binding **newp);
int lw4o6_table_delete(struct lw4o6_table *t, __be32 ipv4, u16 psid,
		       u8 psid_len, struct netlink_ext_ack *extack);
u32 lw4o6_table_shape_of(const struct lw4o6_table *t, __be32 ipv4);

/* Readers: under rcu_read_lock() or the writer's lock. */
struct lw4o6_binding *lw4o6_table_lookup(const struct lw4o6_table *t,
					 __be32 ipv4, u16 psid);
struct lw4o6_binding *lw4o6_table_lookup_port(const struct lw4o6_table *t,
					      __be32 ipv4, u16 port);
const struct in6_addr *lw4o6_binding_br(const struct lw4o6_table *t,
					const struct lw4o6_binding *b);

bool lw4o6_table_has_br(const struct lw4o6_table *t,
			const struct in6_addr *addr);
struct lw4o6_binding *lw4o6_table_first_of(const struct lw4o6_table *t,
					   __be32 ipv4);

static inline struct lw4o6_binding *
lw4o6_bucket_first(const struct lw4o6_table *t, u32 i)
{
	return rcu_dereference_check(t->buckets[i], 1);
}

static inline struct lw4o6_binding *lw4o6_next(const struct lw4o6_binding *b)
{
	return rcu_dereference_check(b->next, 1);
}

#ifdef DEBUG
bool lw4o6_table_selftest(void);
#endif

#endif /* LW4O6_TABLE_H */
