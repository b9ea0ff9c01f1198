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
#include <linux/user_namespace.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <lw4o6/psid.h>

#include "compat.h"
#include "table.h"
#include "main.h"

#define LW4O6_MIN_BUCKETS 64

static struct kmem_cache *binding_cache;
static atomic64_t owner_seq = ATOMIC64_INIT(0);

/*
 * The memory budget of one network namespace: every table of its devices
 * (live ones, copies being built by a growth, bulk loads being filled, and
 * tables still waiting for a grace period) counts against it.  Only
 * namespaces owned by a user namespace other than the initial one are
 * limited (lw4o6_netns_mem_max, a module parameter, so only the initial
 * user namespace can raise it); the others are counted for nothing but
 * symmetry.  Tables hold a reference, as they may outlive the namespace
 * by a grace period.
 */
struct lw4o6_budget {
	atomic_long_t used;		/* bytes */
	refcount_t refs;
	bool limited;
};

struct budget_net {
	struct lw4o6_budget *budget;
};

static unsigned int budget_net_id __read_mostly;

static void budget_put(struct lw4o6_budget *b)
{
	if (b && refcount_dec_and_test(&b->refs)) {
		WARN_ON_ONCE(atomic_long_read(&b->used));
		kfree(b);
	}
}

static int budget_charge(struct lw4o6_budget *b, size_t bytes,
			 struct netlink_ext_ack *extack)
{
	unsigned long max = (unsigned long)READ_ONCE(lw4o6_netns_mem_max) << 20;

	if (!b)
		return 0;
	if (atomic_long_add_return(bytes, &b->used) > max && b->limited && max) {
		atomic_long_sub(bytes, &b->used);
		/* At most 80 bytes with the prefix: longer ones are truncated. */
		lw4o6_err(extack, "namespace memory budget exhausted (netns_mem_max_mib)",
			  "namespace memory budget exhausted (netns_mem_max_mib=%u)",
			  READ_ONCE(lw4o6_netns_mem_max));
		return -ENOSPC;
	}
	return 0;
}

static void budget_uncharge(struct lw4o6_budget *b, size_t bytes)
{
	if (b)
		atomic_long_sub(bytes, &b->used);
}

/* What the budget of a limited namespace has left, in bytes. */
static unsigned long budget_left(const struct lw4o6_budget *b)
{
	unsigned long max = (unsigned long)READ_ONCE(lw4o6_netns_mem_max) << 20;
	long used;

	if (!b || !b->limited || !max)
		return ULONG_MAX;
	used = atomic_long_read(&b->used);
	return used >= max ? 0 : max - used;
}

static int __net_init budget_net_init(struct net *net)
{
	struct budget_net *bn = net_generic(net, budget_net_id);

	bn->budget = kzalloc(sizeof(*bn->budget), GFP_KERNEL_ACCOUNT);
	if (!bn->budget)
		return -ENOMEM;
	refcount_set(&bn->budget->refs, 1);
	bn->budget->limited = net->user_ns != &init_user_ns;
	return 0;
}

static void __net_exit budget_net_exit(struct net *net)
{
	struct budget_net *bn = net_generic(net, budget_net_id);

	budget_put(bn->budget);
	bn->budget = NULL;
}

static struct pernet_operations budget_net_ops = {
	.init	= budget_net_init,
	.exit	= budget_net_exit,
	.id	= &budget_net_id,
	.size	= sizeof(struct budget_net),
};

static size_t binding_size(void)
{
	return kmem_cache_size(binding_cache);
}

static size_t bucket_bytes(u32 n)
{
	return 2 * (size_t)n * sizeof(void *);	/* key and address chains */
}

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
	budget_uncharge(t->budget, binding_size());
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

/*
 * New key and address bucket arrays of n entries each, charged to budget.
 * The table is not touched: a failure leaves it as it was.
 */
static int alloc_buckets(struct lw4o6_budget *budget, u32 n,
			 struct lw4o6_binding __rcu ***bp,
			 struct lw4o6_binding ***ap,
			 struct netlink_ext_ack *extack)
{
	int err = budget_charge(budget, bucket_bytes(n), extack);

	if (err)
		return err;
	*bp = kvcalloc(n, sizeof(**bp), GFP_KERNEL_ACCOUNT);
	*ap = kvcalloc(n, sizeof(**ap), GFP_KERNEL_ACCOUNT);
	if (!*bp || !*ap) {
		kvfree(*bp);
		kvfree(*ap);
		*bp = NULL;
		*ap = NULL;
		budget_uncharge(budget, bucket_bytes(n));
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the binding table");
		return -ENOMEM;
	}
	return 0;
}

/* An empty table of n buckets charged to budget, or an ERR_PTR. */
static struct lw4o6_table *table_alloc(struct lw4o6_budget *budget, u32 n,
				       struct netlink_ext_ack *extack)
{
	struct lw4o6_table *t;
	int err;

	err = budget_charge(budget, sizeof(*t), extack);
	if (err)
		return ERR_PTR(err);
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t) {
		budget_uncharge(budget, sizeof(*t));
		return ERR_PTR(-ENOMEM);
	}
	err = alloc_buckets(budget, n, &t->buckets, &t->addr_buckets, extack);
	if (err) {
		budget_uncharge(budget, sizeof(*t));
		kfree(t);
		return ERR_PTR(err);
	}
	if (budget)
		refcount_inc(&budget->refs);
	t->budget = budget;
	t->nbuckets = n;
	t->seed = get_random_u32();
	t->owner = atomic64_inc_return(&owner_seq);
	refcount_set(&t->refs, 1);
	return t;
}

/*
 * A new empty table for a device of net (NULL: uncounted, for self-tests),
 * with room for about hint bindings.  The hint is clamped to
 * LW4O6_MAX_HINT and to what the namespace's budget could still hold, so a
 * hint alone can neither exhaust the budget nor allocate much up front.
 * Returns an ERR_PTR (with extack) on failure.
 */
struct lw4o6_table *lw4o6_table_alloc(struct net *net, u32 hint,
				      struct netlink_ext_ack *extack)
{
	struct lw4o6_budget *budget = NULL;
	u32 n = LW4O6_MIN_BUCKETS;

	if (net)
		budget = ((struct budget_net *)net_generic(net, budget_net_id))->budget;
	if (hint > n) {
		unsigned long left = budget_left(budget);

		n = roundup_pow_of_two(min_t(u32, hint, LW4O6_MAX_HINT));
		while (n > LW4O6_MIN_BUCKETS &&
		       (unsigned long)n * (2 * sizeof(void *) + binding_size()) > left)
			n >>= 1;
	}
	return table_alloc(budget, n, extack);
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
		/* Often: this runs on the workqueue beside RTNL users. */
		if (!(i & 255))
			cond_resched();
	}
	kvfree(t->buckets);
	kvfree(t->addr_buckets);
	budget_uncharge(t->budget, sizeof(*t) + bucket_bytes(t->nbuckets) +
				   (size_t)t->count * binding_size());
	budget_put(t->budget);
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
		if (smp_load_acquire(&t->br_refs[i]) &&
		    ipv6_addr_equal(&t->brs[i], addr))
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

/*
 * Private table: relink every entry into twice as many buckets.  Both old
 * arrays are freed; on failure the table keeps them and stays usable.
 */
static int rehash_in_place(struct lw4o6_table *t,
			   struct netlink_ext_ack *extack)
{
	struct lw4o6_binding __rcu **ob = t->buckets;
	struct lw4o6_binding **oa = t->addr_buckets;
	struct lw4o6_binding *b, *n;
	u32 i, on = t->nbuckets;
	int err;

	err = alloc_buckets(t->budget, on * 2, &t->buckets, &t->addr_buckets,
			    extack);
	if (err) {
		t->buckets = ob;
		t->addr_buckets = oa;
		return err;
	}
	t->nbuckets = on * 2;
	/* Representatives are relinked into the new address chains too. */
	for (i = 0; i < on; i++) {
		for (b = rcu_dereference_raw(ob[i]); b; b = n) {
			n = rcu_dereference_raw(b->next);
			link_key(t, b);
			if (b->is_rep)
				link_addr(t, b);
		}
		if (!(i & 4095))
			cond_resched();
	}
	kvfree(ob);
	kvfree(oa);
	budget_uncharge(t->budget, bucket_bytes(on));
	return 0;
}

/* Published table: build a grown copy for the caller to swap in, or an ERR_PTR. */
static struct lw4o6_table *rebuild_copy(const struct lw4o6_table *t, u32 n,
					struct netlink_ext_ack *extack)
{
	struct lw4o6_table *c;
	struct lw4o6_binding *b, *d;
	u32 i;

	c = table_alloc(t->budget, n, extack);
	if (IS_ERR(c))
		return c;
	/*
	 * Readers of the copy only ever see the copy's bindings, so no slot
	 * of it is retiring (br_retiring stays clear).
	 */
	c->owner = t->owner;
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
			if (budget_charge(c->budget, binding_size(), extack)) {
				lw4o6_table_free_now(c);
				return ERR_PTR(-ENOSPC);
			}
			d = kmem_cache_alloc(binding_cache, GFP_KERNEL_ACCOUNT);
			if (!d) {
				budget_uncharge(c->budget, binding_size());
				lw4o6_table_free_now(c);
				return ERR_PTR(-ENOMEM);
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

/*
 * Returns the 1-based BR slot to use, 0 for none, -1 when full.  A free
 * slot whose last binding was retired less than a grace period ago comes
 * last: taking it means waiting for that grace period (br_get()).
 */
static int br_slot(const struct lw4o6_table *t,
		   const struct lw4o6_binding_params *p)
{
	int i, free = -1, retiring = -1;

	if (!p->has_br)
		return 0;
	for (i = 0; i < t->nbrs; i++) {
		if (t->br_refs[i] && ipv6_addr_equal(&t->brs[i], &p->br))
			return i + 1;
		if (t->br_refs[i])
			continue;
		if (!test_bit(i, t->br_retiring)) {
			if (free < 0)
				free = i;
		} else if (retiring < 0) {
			retiring = i;
		}
	}
	if (free >= 0)
		return free + 1;
	if (t->nbrs < LW4O6_MAX_BRS)
		return t->nbrs + 1;
	return retiring >= 0 ? retiring + 1 : -1;
}

/* Forget retiring marks once their grace period is over. */
static void br_reap(struct lw4o6_table *t)
{
	if (!bitmap_empty(t->br_retiring, LW4O6_MAX_BRS) &&
	    poll_state_synchronize_rcu(t->br_gp))
		bitmap_zero(t->br_retiring, LW4O6_MAX_BRS);
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

/*
 * A slot is rewritten only when no RCU reader can still hold a binding
 * naming it: a retired binding keeps its slot index, and its readers (the
 * encap path reads the BR as the outer source) would otherwise send from
 * another binding's BR, or a torn mix of two.  May sleep for a grace
 * period, and only when every free slot is still retiring.
 */
static void br_get(struct lw4o6_table *t, int slot,
		   const struct lw4o6_binding_params *p)
{
	if (!slot)
		return;
	if (!t->br_refs[slot - 1]) {
		if (test_bit(slot - 1, t->br_retiring)) {
			cond_synchronize_rcu(t->br_gp);
			bitmap_zero(t->br_retiring, LW4O6_MAX_BRS);
		}
		t->brs[slot - 1] = p->br;
		/* has_br() readers see the address before the reference. */
		smp_store_release(&t->br_refs[slot - 1], 1);
	} else {
		WRITE_ONCE(t->br_refs[slot - 1], t->br_refs[slot - 1] + 1);
	}
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
	if (t->live) {
		/* One cookie for all: the newest retirement's grace period. */
		set_bit(slot - 1, t->br_retiring);
		t->br_gp = get_state_synchronize_rcu();
	}
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

	err = budget_charge(t->budget, binding_size(), extack);
	if (err)
		return err;
	b = kmem_cache_zalloc(binding_cache, GFP_KERNEL_ACCOUNT);
	if (!b) {
		budget_uncharge(t->budget, binding_size());
		return -ENOMEM;
	}
	b->ipv4 = p->ipv4;
	b->psid = p->psid;
	b->offset = p->offset;
	b->psid_len = p->psid_len;
	b->b4 = p->b4;

	old = lw4o6_table_lookup(t, p->ipv4, p->psid);
	if (!old && t->count + 1 > t->nbuckets &&
	    t->nbuckets < LW4O6_MAX_BUCKETS) {
		if (t->live) {
			struct lw4o6_table *c = rebuild_copy(t, t->nbuckets * 2,
							     extack);

			if (IS_ERR(c)) {
				err = PTR_ERR(c);
				goto err_free;
			}
			*tp = t = c;
		} else {
			err = rehash_in_place(t, extack);
			if (err)
				goto err_free;
		}
	}

	br_reap(t);
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

err_free:
	/* The extack of a refused budget charge says so; keep its errno. */
	if (extack && !extack->_msg)
		NL_SET_ERR_MSG_MOD(extack, "out of memory growing the binding table");
	kmem_cache_free(binding_cache, b);
	budget_uncharge(t->budget, binding_size());
	return err;
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
	if (register_pernet_subsys(&budget_net_ops)) {
		kmem_cache_destroy(binding_cache);
		return -ENOMEM;
	}
	return 0;
}

/* After every table is gone: wait for retired bindings, then the cache. */
void lw4o6_table_exit(void)
{
	do {
		rcu_barrier();
		flush_workqueue(lw4o6_wq);
	} while (READ_ONCE(reap_busy));
	unregister_pernet_subsys(&budget_net_ops);
	kmem_cache_destroy(binding_cache);
}
