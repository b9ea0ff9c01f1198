// SPDX-License-Identifier: GPL-2.0
/*
 * The binding table: (IPv4, PSID) -> B4 (and optional BR), RCU readers.
 *
 * A chained hash on (IPv4, PSID).  Readers walk it under rcu_read_lock();
 * writers are serialised by the owner (the device's mutex, or nobody for a
 * private table being built by a bulk load).
 *
 * A packet brings an address and a port, not a PSID, and the PSID depends
 * on the address's (offset, psid_len) "shape".  Rather than a second index
 * by address on the data path, the table keeps the few distinct shapes it
 * holds and the lookup tries each: one probe in the usual single-shape
 * deployment.  A binding matches only if its own shape is the one probed,
 * and every address has exactly one shape, so at most one probe can match.
 *
 * Writers need the shape of an address to refuse conflicts; for that the
 * first binding of each address (its representative) is also linked on an
 * address chain that readers never see.
 *
 * Growing a published table cannot relink entries under readers, so it is
 * rebuilt as a copy and swapped in (amortised O(1) per insert); a private
 * table is simply rehashed in place.
 */
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/log2.h>
#include <net/ipv6.h>
#include <lw4o6/psid.h>

#include "compat.h"
#include "table.h"
#include "main.h"

#define LW4O6_MIN_BUCKETS 64

static struct kmem_cache *binding_cache;

/*
 * Retired bindings wait for one grace period, in batches: a per-binding
 * rcu_head would cost 16 of our 80 bytes.  reap_next collects bindings
 * unlinked since the last grace period began; reap_waiting is the batch
 * whose grace period is in flight.
 */
static DEFINE_SPINLOCK(reap_lock);
static struct lw4o6_binding *reap_next, *reap_waiting;
static bool reap_busy;
static struct rcu_work reap_work;

static void reap_fn(struct work_struct *work)
{
	struct lw4o6_binding *b, *n;

	spin_lock_bh(&reap_lock);
	b = reap_waiting;
	reap_waiting = NULL;
	spin_unlock_bh(&reap_lock);

	for (; b; b = n) {
		n = b->addr_next;
		kmem_cache_free(binding_cache, b);
	}

	spin_lock_bh(&reap_lock);
	if (reap_next) {
		reap_waiting = reap_next;
		reap_next = NULL;
		queue_rcu_work(lw4o6_wq, &reap_work);
	} else {
		reap_busy = false;
	}
	spin_unlock_bh(&reap_lock);
}

static void binding_retire(struct lw4o6_table *t, struct lw4o6_binding *b)
{
	if (!t->live) {
		kmem_cache_free(binding_cache, b);
		return;
	}
	spin_lock_bh(&reap_lock);
	b->addr_next = reap_next;
	reap_next = b;
	if (!reap_busy) {
		reap_waiting = reap_next;
		reap_next = NULL;
		reap_busy = true;
		queue_rcu_work(lw4o6_wq, &reap_work);
	}
	spin_unlock_bh(&reap_lock);
}

static u32 key_hash(const struct lw4o6_table *t, __be32 ipv4, u16 psid)
{
	return jhash_2words((__force u32)ipv4, psid, t->seed) & (t->nbuckets - 1);
}

static u32 addr_hash(const struct lw4o6_table *t, __be32 ipv4)
{
	return jhash_1word((__force u32)ipv4, ~t->seed) & (t->nbuckets - 1);
}

static u16 shape_of(u8 offset, u8 psid_len)
{
	return (u16)offset << 8 | psid_len;
}

static int alloc_buckets(struct lw4o6_table *t, u32 n)
{
	t->buckets = kvcalloc(n, sizeof(*t->buckets), GFP_KERNEL_ACCOUNT);
	t->addr_buckets = kvcalloc(n, sizeof(*t->addr_buckets), GFP_KERNEL_ACCOUNT);
	if (!t->buckets || !t->addr_buckets) {
		kvfree(t->buckets);
		kvfree(t->addr_buckets);
		t->buckets = NULL;
		t->addr_buckets = NULL;
		return -ENOMEM;
	}
	t->nbuckets = n;
	return 0;
}

struct lw4o6_table *lw4o6_table_alloc(u32 hint)
{
	struct lw4o6_table *t;
	u32 n = LW4O6_MIN_BUCKETS;

	if (hint > n)
		n = roundup_pow_of_two(min_t(u32, hint, 1U << 30));
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	if (alloc_buckets(t, n)) {
		kfree(t);
		return NULL;
	}
	t->seed = get_random_u32();
	refcount_set(&t->refs, 1);
	return t;
}

void lw4o6_table_free_now(struct lw4o6_table *t)
{
	struct lw4o6_binding *b, *n;
	u32 i;

	if (!t)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		for (b = rcu_dereference_raw(t->buckets[i]); b; b = n) {
			n = rcu_dereference_raw(b->next);
			kmem_cache_free(binding_cache, b);
		}
		if (!(i & 4095))
			cond_resched();
	}
	kvfree(t->buckets);
	kvfree(t->addr_buckets);
	kfree(t);
}

static void table_free_fn(struct work_struct *work)
{
	lw4o6_table_free_now(container_of(to_rcu_work(work), struct lw4o6_table,
					  free_work));
}

/* Free a table that readers may still be walking. */
void lw4o6_table_free_deferred(struct lw4o6_table *t)
{
	if (!t)
		return;
	INIT_RCU_WORK(&t->free_work, table_free_fn);
	queue_rcu_work(lw4o6_wq, &t->free_work);
}

void lw4o6_table_put(struct lw4o6_table *t)
{
	if (t && refcount_dec_and_test(&t->refs))
		lw4o6_table_free_deferred(t);
}

size_t lw4o6_table_mem(const struct lw4o6_table *t)
{
	return sizeof(*t) + (size_t)t->count * kmem_cache_size(binding_cache) +
	       2 * (size_t)t->nbuckets * sizeof(void *);
}

struct lw4o6_binding *lw4o6_table_lookup(const struct lw4o6_table *t,
					 __be32 ipv4, u16 psid)
{
	struct lw4o6_binding *b;

	for (b = rcu_dereference_raw(t->buckets[key_hash(t, ipv4, psid)]); b;
	     b = rcu_dereference_raw(b->next))
		if (b->ipv4 == ipv4 && b->psid == psid)
			return b;
	return NULL;
}

struct lw4o6_binding *lw4o6_table_lookup_port(const struct lw4o6_table *t,
					      __be32 ipv4, u16 port)
{
	u32 i, n = READ_ONCE(t->nshapes);

	for (i = 0; i < n; i++) {
		u16 s = READ_ONCE(t->shapes[i]);
		u8 a = s >> 8, k = s & 0xff;
		struct lw4o6_binding *b;

		if (s == LW4O6_SHAPE_NONE || !lw4o6_port_usable(port, a))
			continue;
		b = lw4o6_table_lookup(t, ipv4, lw4o6_port_psid(port, a, k));
		if (b && b->offset == a && b->psid_len == k)
			return b;
	}
	return NULL;
}

const struct in6_addr *lw4o6_binding_br(const struct lw4o6_table *t,
					const struct lw4o6_binding *b)
{
	return b->br ? &t->brs[b->br - 1] : NULL;
}

static u64 br_bit(const struct in6_addr *a)
{
	return 1ULL << (ipv6_addr_hash(a) & 63);
}

/*
 * Is addr the BR of some binding?  The receive hook asks for every
 * softwire packet: a 64-bit filter answers most misses at once, and a hit
 * scans the at most LW4O6_MAX_BRS slots.  Writers change slots in place;
 * a reader racing one may answer either way for that address only.
 */
bool lw4o6_table_has_br(const struct lw4o6_table *t,
			const struct in6_addr *addr)
{
	u32 i, n;

	if (!(READ_ONCE(t->br_bloom) & br_bit(addr)))
		return false;
	n = min_t(u32, READ_ONCE(t->nbrs), LW4O6_MAX_BRS);
	for (i = 0; i < n; i++)
		if (READ_ONCE(t->br_refs[i]) && ipv6_addr_equal(&t->brs[i], addr))
			return true;
	return false;
}

/*
 * Dumps may also walk the address chain under RCU.  A representative that is
 * retired meanwhile sends such a walk down the retire list, which is still
 * valid memory; the dump then misses the address, but the write that caused
 * it also bumped t->gen, so the dump is flagged NLM_F_DUMP_INTR.
 */
static struct lw4o6_binding *find_rep(const struct lw4o6_table *t, __be32 ipv4)
{
	struct lw4o6_binding *b;

	for (b = READ_ONCE(t->addr_buckets[addr_hash(t, ipv4)]); b;
	     b = READ_ONCE(b->addr_next))
		if (b->ipv4 == ipv4 && READ_ONCE(b->is_rep))
			return b;
	return NULL;
}

struct lw4o6_binding *lw4o6_table_first_of(const struct lw4o6_table *t,
					   __be32 ipv4)
{
	return find_rep(t, ipv4);
}

u32 lw4o6_table_shape_of(const struct lw4o6_table *t, __be32 ipv4)
{
	struct lw4o6_binding *rep = find_rep(t, ipv4);

	return rep ? shape_of(rep->offset, rep->psid_len) : LW4O6_SHAPE_NONE;
}

static void link_key(struct lw4o6_table *t, struct lw4o6_binding *b)
{
	u32 h = key_hash(t, b->ipv4, b->psid);

	RCU_INIT_POINTER(b->next, rcu_dereference_raw(t->buckets[h]));
	rcu_assign_pointer(t->buckets[h], b);
}

static void link_addr(struct lw4o6_table *t, struct lw4o6_binding *b)
{
	u32 h = addr_hash(t, b->ipv4);

	b->is_rep = 1;
	b->addr_next = t->addr_buckets[h];
	smp_store_release(&t->addr_buckets[h], b);
}

static void unlink_addr(struct lw4o6_table *t, struct lw4o6_binding *b)
{
	struct lw4o6_binding **pp = &t->addr_buckets[addr_hash(t, b->ipv4)];

	for (; *pp; pp = &(*pp)->addr_next) {
		if (*pp == b) {
			WRITE_ONCE(*pp, b->addr_next);
			WRITE_ONCE(b->is_rep, 0);
			return;
		}
	}
	WARN_ON_ONCE(1);
}

/* Private table: relink every entry into twice as many buckets. */
static int rehash_in_place(struct lw4o6_table *t)
{
	struct lw4o6_binding __rcu **ob = t->buckets;
	struct lw4o6_binding *b, *n;
	u32 i, on = t->nbuckets;

	if (alloc_buckets(t, on * 2)) {
		t->buckets = ob;
		t->nbuckets = on;
		return -ENOMEM;
	}
	/* alloc_buckets() replaced addr_buckets too; reps are relinked below. */
	for (i = 0; i < on; i++) {
		for (b = rcu_dereference_raw(ob[i]); b; b = n) {
			n = rcu_dereference_raw(b->next);
			link_key(t, b);
			if (b->is_rep)
				link_addr(t, b);
		}
	}
	kvfree(ob);
	return 0;
}

/* Published table: build a grown copy for the caller to swap in. */
static struct lw4o6_table *rebuild_copy(const struct lw4o6_table *t, u32 n)
{
	struct lw4o6_table *c;
	struct lw4o6_binding *b, *d;
	u32 i;

	c = lw4o6_table_alloc(n);
	if (!c)
		return NULL;
	c->nshapes = t->nshapes;
	memcpy(c->shapes, t->shapes, sizeof(c->shapes));
	memcpy(c->shape_refs, t->shape_refs, sizeof(c->shape_refs));
	c->nbrs = t->nbrs;
	c->br_bloom = t->br_bloom;
	memcpy(c->br_refs, t->br_refs, sizeof(c->br_refs));
	memcpy(c->brs, t->brs, sizeof(c->brs));
	for (i = 0; i < t->nbuckets; i++) {
		for (b = rcu_dereference_raw(t->buckets[i]); b;
		     b = rcu_dereference_raw(b->next)) {
			d = kmem_cache_alloc(binding_cache, GFP_KERNEL_ACCOUNT);
			if (!d) {
				lw4o6_table_free_now(c);
				return NULL;
			}
			memcpy(d, b, sizeof(*d));
			link_key(c, d);
			c->count++;
			if (b->is_rep)
				link_addr(c, d);
		}
		if (!(i & 4095))
			cond_resched();
	}
	c->live = true;
	return c;
}

static int shape_slot(const struct lw4o6_table *t, u16 shape)
{
	int i, free = -1;

	for (i = 0; i < t->nshapes; i++) {
		if (t->shapes[i] == shape)
			return i;
		if (!t->shape_refs[i] && free < 0)
			free = i;
	}
	if (free >= 0)
		return free;
	return t->nshapes < LW4O6_MAX_SHAPES ? t->nshapes : -1;
}

/* Returns the 1-based BR slot to use, 0 for none, -1 when full. */
static int br_slot(const struct lw4o6_table *t,
		   const struct lw4o6_binding_params *p)
{
	int i, free = -1;

	if (!p->has_br)
		return 0;
	for (i = 0; i < t->nbrs; i++) {
		if (t->br_refs[i] && ipv6_addr_equal(&t->brs[i], &p->br))
			return i + 1;
		if (!t->br_refs[i] && free < 0)
			free = i;
	}
	if (free >= 0)
		return free + 1;
	return t->nbrs < LW4O6_MAX_BRS ? t->nbrs + 1 : -1;
}

/*
 * Everything that can refuse an insert, checked before anything changes
 * (bulk loads call this alone to validate a whole batch first).
 */
int lw4o6_table_check(const struct lw4o6_table *t,
		      const struct lw4o6_binding_params *p, bool replace,
		      u32 max, struct netlink_ext_ack *extack)
{
	struct lw4o6_binding *rep, *old;

	if (!lw4o6_psid_shape_valid(p->offset, p->psid_len)) {
		lw4o6_err(extack, "offset + psid-len exceeds 16 bits",
				       "offset %u + psid-len %u exceeds 16 bits",
				       p->offset, p->psid_len);
		return -EINVAL;
	}
	if (!lw4o6_psid_valid(p->psid_len, p->psid)) {
		lw4o6_err(extack, "psid does not fit in psid-len",
				       "psid %u does not fit in psid-len %u",
				       p->psid, p->psid_len);
		return -EINVAL;
	}
	if (ipv6_addr_any(&p->b4) || ipv6_addr_is_multicast(&p->b4)) {
		NL_SET_ERR_MSG_MOD(extack, "b4 must be a unicast IPv6 address");
		return -EINVAL;
	}
	if (p->has_br && (ipv6_addr_any(&p->br) ||
			  ipv6_addr_is_multicast(&p->br))) {
		NL_SET_ERR_MSG_MOD(extack, "br must be a unicast IPv6 address");
		return -EINVAL;
	}
	rep = find_rep(t, p->ipv4);
	if (rep && (rep->offset != p->offset || rep->psid_len != p->psid_len)) {
		lw4o6_err(extack, "ipv4 address already has another offset/psid-len",
				       "%pI4 already has offset %u psid-len %u",
				       &p->ipv4, rep->offset, rep->psid_len);
		return -EINVAL;
	}
	old = lw4o6_table_lookup(t, p->ipv4, p->psid);
	if (old && !replace) {
		lw4o6_err(extack, "binding exists (use replace)",
				       "binding %pI4 psid %u/%u exists (use replace)",
				       &p->ipv4, p->psid, p->psid_len);
		return -EEXIST;
	}
	if (!old && t->count >= max) {
		lw4o6_err(extack, "table is full (max_bindings)", "table is full (%u bindings)", max);
		return -ENOSPC;
	}
	if (shape_slot(t, shape_of(p->offset, p->psid_len)) < 0) {
		lw4o6_err(extack, "too many distinct offset/psid-len pairs in one table",
				       "more than %u distinct offset/psid-len pairs",
				       LW4O6_MAX_SHAPES);
		return -ENOSPC;
	}
	if (br_slot(t, p) < 0) {
		lw4o6_err(extack, "too many distinct br addresses in one table", "more than %u distinct br addresses",
				       LW4O6_MAX_BRS);
		return -ENOSPC;
	}
	return 0;
}

static void br_get(struct lw4o6_table *t, int slot,
		   const struct lw4o6_binding_params *p)
{
	if (!slot)
		return;
	if (!t->br_refs[slot - 1])
		t->brs[slot - 1] = p->br;
	WRITE_ONCE(t->br_refs[slot - 1], t->br_refs[slot - 1] + 1);
	WRITE_ONCE(t->br_bloom, t->br_bloom | br_bit(&p->br));
	if (slot > t->nbrs)
		WRITE_ONCE(t->nbrs, slot);
}

static void br_put(struct lw4o6_table *t, u16 slot)
{
	u64 bloom = 0;
	u32 i;

	if (!slot)
		return;
	WRITE_ONCE(t->br_refs[slot - 1], t->br_refs[slot - 1] - 1);
	if (t->br_refs[slot - 1])
		return;
	for (i = 0; i < t->nbrs; i++)
		if (t->br_refs[i])
			bloom |= br_bit(&t->brs[i]);
	WRITE_ONCE(t->br_bloom, bloom);
}

static void shape_get(struct lw4o6_table *t, u16 shape)
{
	int i = shape_slot(t, shape);

	if (!t->shape_refs[i] || i == t->nshapes)
		WRITE_ONCE(t->shapes[i], shape);
	t->shape_refs[i]++;
	if (i == t->nshapes)
		WRITE_ONCE(t->nshapes, i + 1);
}

static void shape_put(struct lw4o6_table *t, u16 shape)
{
	int i;

	for (i = 0; i < t->nshapes; i++) {
		if (t->shapes[i] == shape) {
			if (!--t->shape_refs[i])
				WRITE_ONCE(t->shapes[i], LW4O6_SHAPE_NONE);
			return;
		}
	}
	WARN_ON_ONCE(1);
}

/*
 * Insert or replace.  When a published table has to grow, *tp is replaced
 * by a new table that the caller must publish (lw4o6_dev_set_table()),
 * which releases the old one.  oldp and newp report what changed
 * (for notifications; *oldp is only valid until the next grace period).
 */
int lw4o6_table_insert(struct lw4o6_table **tp,
		       const struct lw4o6_binding_params *p, bool replace,
		       u32 max, struct netlink_ext_ack *extack,
		       struct lw4o6_binding **oldp, struct lw4o6_binding **newp)
{
	struct lw4o6_table *t = *tp;
	struct lw4o6_binding *b, *old, **pp;
	int err, br;

	err = lw4o6_table_check(t, p, replace, max, extack);
	if (err)
		return err;

	b = kmem_cache_zalloc(binding_cache, GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	b->ipv4 = p->ipv4;
	b->psid = p->psid;
	b->offset = p->offset;
	b->psid_len = p->psid_len;
	b->b4 = p->b4;

	old = lw4o6_table_lookup(t, p->ipv4, p->psid);
	if (!old && t->count + 1 > t->nbuckets) {
		if (t->live) {
			struct lw4o6_table *c = rebuild_copy(t, t->nbuckets * 2);

			if (!c) {
				kmem_cache_free(binding_cache, b);
				return -ENOMEM;
			}
			*tp = t = c;
		} else if (rehash_in_place(t)) {
			kmem_cache_free(binding_cache, b);
			return -ENOMEM;
		}
	}

	br = br_slot(t, p);
	br_get(t, br, p);
	b->br = br;

	if (old) {
		/* Same key, same shape: the binding keeps its history. */
		b->last_seen = old->last_seen;
		atomic64_set(&b->tx_packets, atomic64_read(&old->tx_packets));
		atomic64_set(&b->tx_bytes, atomic64_read(&old->tx_bytes));
		atomic64_set(&b->rx_packets, atomic64_read(&old->rx_packets));
		atomic64_set(&b->rx_bytes, atomic64_read(&old->rx_bytes));
		pp = (struct lw4o6_binding **)&t->buckets[key_hash(t, p->ipv4, p->psid)];
		while (*pp != old)
			pp = (struct lw4o6_binding **)&(*pp)->next;
		RCU_INIT_POINTER(b->next, rcu_dereference_raw(old->next));
		if (old->is_rep) {
			unlink_addr(t, old);
			link_addr(t, b);
		}
		rcu_assign_pointer(*(struct lw4o6_binding __rcu **)pp, b);
		br_put(t, old->br);
		if (oldp)
			*oldp = old;
		binding_retire(t, old);
	} else {
		shape_get(t, shape_of(p->offset, p->psid_len));
		if (!find_rep(t, p->ipv4))
			link_addr(t, b);
		link_key(t, b);
		t->count++;
		if (oldp)
			*oldp = NULL;
	}
	if (newp)
		*newp = b;
	WRITE_ONCE(t->gen, t->gen + 1);
	return 0;
}

int lw4o6_table_delete(struct lw4o6_table *t, __be32 ipv4, u16 psid,
		       u8 psid_len, struct netlink_ext_ack *extack)
{
	struct lw4o6_binding __rcu **pp;
	struct lw4o6_binding *b;
	u32 i;

	pp = &t->buckets[key_hash(t, ipv4, psid)];
	for (b = rcu_dereference_raw(*pp); b;
	     pp = &b->next, b = rcu_dereference_raw(*pp))
		if (b->ipv4 == ipv4 && b->psid == psid)
			break;
	if (!b || b->psid_len != psid_len) {
		lw4o6_err(extack, "no such binding", "no such binding %pI4 psid %u/%u",
				       &ipv4, psid, psid_len);
		return -ENOENT;
	}
	rcu_assign_pointer(*pp, rcu_dereference_raw(b->next));
	t->count--;
	shape_put(t, shape_of(b->offset, b->psid_len));
	br_put(t, b->br);
	if (b->is_rep) {
		unlink_addr(t, b);
		/* Hand the address's shape to one of its remaining PSIDs. */
		for (i = 0; i < (1U << b->psid_len); i++) {
			struct lw4o6_binding *o = lw4o6_table_lookup(t, ipv4, i);

			if (o) {
				link_addr(t, o);
				break;
			}
			if (!(i & 1023))
				cond_resched();
		}
	}
	binding_retire(t, b);
	WRITE_ONCE(t->gen, t->gen + 1);
	return 0;
}

int lw4o6_table_init(void)
{
	BUILD_BUG_ON(sizeof(struct lw4o6_binding) > 80);
	binding_cache = kmem_cache_create("lw4o6_binding",
					  sizeof(struct lw4o6_binding), 0,
					  SLAB_ACCOUNT, NULL);
	if (!binding_cache)
		return -ENOMEM;
	INIT_RCU_WORK(&reap_work, reap_fn);
	return 0;
}

/* After every table is gone: wait for retired bindings, then the cache. */
void lw4o6_table_exit(void)
{
	do {
		rcu_barrier();
		flush_workqueue(lw4o6_wq);
	} while (READ_ONCE(reap_busy));
	kmem_cache_destroy(binding_cache);
}
